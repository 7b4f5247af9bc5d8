/**
 * The mesh's own cast shadows under the fitted light. Ambient occlusion weighs every open direction
 * of a texel's hemisphere alike (a uniform sky), so a side light's shadow of the nose on the cheek,
 * or of the brow in the socket, is no darker in the model than the same texel under a frontal light.
 * Here the same open directions (unwrap's occlusion masks) are weighed by the fitted light's
 * radiance instead: the texel's visibility is the share of the light's irradiance that reaches it,
 *   V(x) = Σ_k L⁺(ω_k) · cos⁺(n, ω_k) · open_k(x) / Σ_k L⁺(ω_k) · cos⁺(n, ω_k),
 * L⁺ the radiance of the fitted 2nd-order SH light (luminance, negative lobes clamped to 0), over
 * the masks' directions. V replaces AO in the model shading V · E(n) / π: where nothing blocks the
 * light V = 1, and under a uniform light V is AO again.
 *
 * A 2nd-order SH light cannot be sharper than its lobe (a directional light's reaches ≈ 73° off
 * its direction), so the shadows it predicts are soft: a cast shadow's penumbra, not its edge.
 */
import type { ImageF32, OcclusionMasks } from "../../types.ts";
import { LUMA_709 } from "../../primitives/color.ts";
import { irradianceToRadiance, SH_COUNT, shBasis } from "../../render/sh.ts";
import { skyVisibility } from "../unwrap/ambient-occlusion.ts";

/**
 * Per texel (the masks' atlas), the share of the irradiance of the light with SH irradiance
 * coefficients `irradiance` (27, k·3+c) that the mesh lets through, 0..1; `normals` are the ones
 * the masks were made with (unwrap's object-space normals).
 */
export function lightVisibility(masks: OcclusionMasks, normals: ImageF32, irradiance: ArrayLike<number>): ImageF32 {
  const { width, height } = masks;
  if (normals.width !== width || normals.height !== height || normals.channels !== 3) {
    throw new Error(`lightVisibility: normals are ${normals.width}×${normals.height}×${normals.channels}, the occlusion masks ${width}×${height} (3 channels expected)`);
  }
  const radiance = irradianceToRadiance(irradiance);
  const y = new Float64Array(SH_COUNT);
  const sky = (x: number, yy: number, z: number): number => {
    shBasis(x, yy, z, y);
    let s = 0;
    for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) s += LUMA_709[c] * radiance[k * 3 + c] * y[k];
    return s;
  };
  const data = skyVisibility(masks, normals.data, width * height, sky);
  return { width, height, channels: 1, data, colorSpace: "data" };
}
