/**
 * How much specular the highlight removal (step 3) may take out of a texel: no more than the skin
 * material's own specular can put back there under the same fitted light (docs/design.md §1). The
 * dichromatic test alone reads every pale, bright texel as highlight; a sheen our lobes cannot
 * reproduce from that light and view is then lost from A_D and from the re-render alike (the nose
 * ridge read as a brown band between the eyes: docs/evaluation.md, likeness ablation). What exceeds
 * the bound stays in A_D: albedo, or shading the template under-lights.
 *
 * Per texel: both GGX lobes of the re-render (render/skin-specular.ts) on the surface normal, toward
 * the photo's camera, under the fitted light as the re-render's lobes see it and taken to absolute
 * units by the albedo scale, at the top of skin's specular range; divided by the unit shading it is
 * the amount κ in J = T/S the renderer can give back.
 */
import { A_S_NOMINAL, SKIN_DEFAULTS } from "../../../materials/skin-parameters.ts";
import { LUMA_709 } from "../../primitives/color.ts";
import { irradianceToRadiance } from "../../render/sh.ts";
import { addSkinSpecular, ESTIMATE_SPECULAR_DEFAULT, lightingFromEstimate, prepareLights, specularLobes, type EstimateSpecular } from "../../render/skin-specular.ts";
import { cameraCentre } from "../../render/camera.ts";
import type { Camera, ImageF32 } from "../../types.ts";
import { mapF64 } from "../../primitives/typed-array.ts";
import type { LightingFit } from "./fit.ts";
import { baseTexels, type DelightMaps } from "./maps.ts";

/**
 * The most specular skin reflects, relative to typical skin: the top of Weyrich et al.'s measured
 * per-region scale ρs, 0.32, over its middle 0.25 (range 0.18–0.32 over 10 face regions and 149
 * subjects, the nose and forehead highest; reference skin-reflectance.md §1.2 [S1 via S20]). The
 * specular stage's regional A_S reaches the same top on the nose and forehead (specular.ts).
 */
export const SKIN_SPECULAR_TOP = 0.32 / 0.25;

/** A_S at the top of skin's range (A_S_NOMINAL is typical skin, F0 0.028). */
const A_S_TOP = A_S_NOMINAL * SKIN_SPECULAR_TOP;

/**
 * Per texel of a position map (object space, metres), the unit vector toward the camera's centre;
 * (0, 0, 0) where the position is not finite.
 */
export function viewTowardCamera(position: ImageF32, camera: Camera): ImageF32 {
  if (position.channels !== 3) throw new Error(`viewTowardCamera: position needs 3 channels, got ${position.channels}`);
  const eye = cameraCentre(camera);
  const n = position.width * position.height;
  const data = new Float32Array(n * 3);
  const P = position.data;
  for (let p = 0; p < n; p++) {
    const x = eye[0] - P[p * 3], y = eye[1] - P[p * 3 + 1], z = eye[2] - P[p * 3 + 2];
    const l = Math.hypot(x, y, z);
    if (!(l > 0) || !Number.isFinite(l)) continue;
    data[p * 3] = x / l;
    data[p * 3 + 1] = y / l;
    data[p * 3 + 2] = z / l;
  }
  return { width: position.width, height: position.height, channels: 3, data, colorSpace: "data" };
}

/**
 * κ_max per texel, in the units of J = T/S (S the unit shading `shading`, relative albedo): the
 * specular radiance the material at A_S_TOP reflects toward `view` under the fitted light, divided
 * by the shading, luminance-weighted over the channels. `fs` is the albedo scale (relative →
 * absolute): the fit's light is in relative units, the material's reflectance absolute, so the
 * light it reflects is the fit's divided by fs. `dominantDirection`: the fitted light's, as the
 * lighting estimate reports it (the re-render splits the light along it).
 */
export function removableSpecular(
  input: DelightMaps & { viewObject: ImageF32 },
  fit: LightingFit,
  shading: Float32Array,
  fs: ArrayLike<number>,
  dominantDirection: [number, number, number],
  specular: EstimateSpecular = ESTIMATE_SPECULAR_DEFAULT,
): Float32Array {
  const { n, occlusion, covered } = baseTexels(input);
  const view = input.viewObject;
  if (view.width !== input.textureBase.width || view.height !== input.textureBase.height || view.channels !== 3) {
    throw new Error(`delight: viewObject is ${view.width}×${view.height}×${view.channels}, expected ${input.textureBase.width}×${input.textureBase.height}×3`);
  }
  const radiance = Array.from(irradianceToRadiance(mapF64(fit.irradiance, (v, i) => v / fs[i % 3])));
  const light = prepareLights(lightingFromEstimate({ shRadiance: radiance, dominantDirection }, specular));
  const lobes = specularLobes(SKIN_DEFAULTS);
  const N = input.normalsObject.data, V = view.data;
  const bound = new Float32Array(n);
  const scratch = new Float64Array(9);
  const rgb = [0, 0, 0];
  const normal = [0, 0, 0], toward = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    if (!covered(p)) continue;
    for (let c = 0; c < 3; c++) (normal[c] = N[p * 3 + c]), (toward[c] = V[p * 3 + c]);
    // Facing away from the camera (or no view): the photo cannot show its highlight.
    if (normal[0] * toward[0] + normal[1] * toward[1] + normal[2] * toward[2] <= 0) continue;
    rgb[0] = rgb[1] = rgb[2] = 0;
    addSkinSpecular(normal, toward, A_S_TOP, occlusion[p], light, lobes, scratch, rgb);
    let k = 0;
    for (let c = 0; c < 3; c++) k += LUMA_709[c] * (rgb[c] / Math.max(shading[p * 3 + c], 1e-6));
    bound[p] = k;
  }
  return bound;
}
