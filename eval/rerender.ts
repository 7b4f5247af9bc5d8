/**
 * Re-renders for evaluation: the reconstructed head drawn from the estimated camera under the
 * estimated light and put back over the photo (ours, and the naive baseline with the photo texture
 * as albedo), and a studio view of the head turned 45°.
 */
import { A_S_NOMINAL } from "../materials/skin-parameters.ts";
import { linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import { boundingSphere } from "../src/primitives/vec3.ts";
import { lookAtCamera, projectToScreen, type Vec3 } from "../src/render/camera.ts";
import { mouthColours, type MouthColours } from "../materials/gltf-mapping.ts";
import { mouthPartsOcclusion, mouthWallAlbedo } from "../materials/mouth-occlusion.ts";
import { compositeOver, renderSkin, studioLighting, type PlainPart, type SkinLighting, type SkinMaps } from "./shade-skin.ts";
import { MOUTH_PARTS, type Camera, type FaceMasks, type HeadPart, type ImageF32, type Mesh, type StageResults, type TemplateHead } from "../src/types.ts";
import { measureTeeth } from "../src/pipeline/capture/teeth.ts";
import { teethColour } from "../src/pipeline/teeth-colour.ts";

/** Pixel rectangle [x0, x0 + width) × [y0, y0 + height). */
export interface PixelWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** The photo pixels the projected mesh can touch (its vertices' bounding box, 2 px margin, clipped to the image); null if none. */
export function headWindow(mesh: Mesh, camera: Camera): PixelWindow | null {
  const screen = projectToScreen(camera, mesh.positions);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let v = 0; v < screen.length / 3; v++) {
    const x = screen[3 * v], y = screen[3 * v + 1];
    if (!(screen[3 * v + 2] > 0)) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const ix0 = Math.max(0, Math.floor(x0) - 2), iy0 = Math.max(0, Math.floor(y0) - 2);
  const ix1 = Math.min(camera.width, Math.ceil(x1) + 2), iy1 = Math.min(camera.height, Math.ceil(y1) + 2);
  if (!(ix1 > ix0 && iy1 > iy0)) return null;
  return { x0: ix0, y0: iy0, width: ix1 - ix0, height: iy1 - iy0 };
}

/** The same camera seeing only `win` of its image (principal point shifted). */
export function windowCamera(camera: Camera, win: PixelWindow): Camera {
  return { ...camera, width: win.width, height: win.height, cx: camera.cx - win.x0, cy: camera.cy - win.y0 };
}

export interface Rerender {
  /** The render composited over the photo, sRGB, the photo's size. */
  composite: ImageF32;
  /** Head coverage 0..1 per photo pixel (anti-aliased edges in between). */
  coverage: Float32Array;
}


/**
 * Draws the head from the photo's camera under `lighting` and composites it over the photo.
 *
 *   const ours = rerenderOverPhoto(photo, fit.mesh, fit.camera, maps, lightingFromEstimate(lighting));
 */
export function rerenderOverPhoto(photo: ImageF32, mesh: Mesh, camera: Camera, maps: SkinMaps, lighting: SkinLighting): Rerender {
  const coverage = new Float32Array(photo.width * photo.height);
  const win = headWindow(mesh, camera);
  if (!win) return { composite: photo, coverage };
  // One sample per pixel: the measures skip partly covered pixels and the strips are downsized, so anti-aliasing would only cost time.
  const render = renderSkin(mesh, windowCamera(camera, win), maps, lighting, { supersample: 1 });
  for (let y = 0; y < render.height; y++) {
    for (let x = 0; x < render.width; x++) coverage[(y + win.y0) * photo.width + x + win.x0] = render.data[(y * render.width + x) * 4 + 3];
  }
  return { composite: compositeOver(render, photo, win.x0, win.y0), coverage };
}

/**
 * The re-render under the photo's own hair and occluders: where capture's masks (src/types.ts
 * FaceMasks) say hair or occluder, the photo stays on top, blended by the larger of the two soft
 * masks in linear light. Identity then judges the face the head replaces, not the bald scalp
 * painted over the hair. Returns a new sRGB image; both inputs must be the photo's size.
 */
export function underHairAndOccluders(composite: ImageF32, photo: ImageF32, masks: Pick<FaceMasks, "hair" | "occluder">): ImageF32 {
  const { width: W, height: H } = photo;
  if (masks.hair.width !== W || masks.hair.height !== H || masks.occluder.width !== W || masks.occluder.height !== H) throw new Error("underHairAndOccluders: the masks must be the photo's size");
  return photoOver(composite, photo, (p) => Math.max(masks.hair.data[p], masks.occluder.data[p]));
}

/**
 * The photo laid over a re-render (rerenderOverPhoto's sRGB composite) with the weight
 * `photoWeight(p)` per pixel (clamped to 0..1), blended in linear light; pixels of weight 0 keep the
 * composite as it is. Returns a new sRGB image; both inputs must be the photo's size, 3 channels.
 */
export function photoOver(composite: ImageF32, photo: ImageF32, photoWeight: (pixel: number) => number): ImageF32 {
  const { width: W, height: H } = photo;
  if (composite.width !== W || composite.height !== H || composite.channels !== 3 || photo.channels !== 3) throw new Error("photoOver: the composite and the photo must be the same size, 3 channels");
  if (composite.colorSpace !== "srgb") throw new Error("photoOver: the composite must be sRGB (rerenderOverPhoto's output)");
  const toLinear = (v: number, space: ImageF32["colorSpace"]) => (space === "srgb" ? srgbToLinear(v) : v);
  const data = new Float32Array(composite.data);
  for (let p = 0; p < W * H; p++) {
    const m = Math.min(1, Math.max(0, photoWeight(p)));
    if (!(m > 0)) continue;
    for (let c = 0; c < 3; c++) {
      const i = 3 * p + c;
      data[i] = linearToSrgb(m * toLinear(photo.data[i], photo.colorSpace) + (1 - m) * srgbToLinear(composite.data[i]));
    }
  }
  return { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
}

/** The job's mouth parts for SkinMaps.plainParts on `mesh` (the head drawn), the teeth the photo's enamel de-lit by the iris's light gain (src/pipeline/teeth-colour.ts), as reconstruct exports them. */
export function jobMouthParts(s: Pick<StageResults, "capture" | "fit" | "eyes">, mesh: Mesh): PlainPart[] {
  return mouthPlainParts(mesh, s.fit.head.parts, teethColour(measureTeeth(s.capture.image, s.capture.landmarks), s.eyes.lightGain).albedo);
}

/**
 * The mouth parts (cavity with the lips' inner surfaces and gums, teeth, tongue) as the exported
 * head draws them: each its own base colour (materials/gltf-mapping.ts mouthColours, the teeth the
 * job's `teethAlbedo` when given), typical skin's A_S, mesh normals, and the engines' occlusion
 * (materials/mouth-occlusion.ts: ambient occlusion through the multi-bounce fit with the walls'
 * albedo, mouthWallAlbedo) evaluated on `mesh`, the head as drawn: the renderer casts no shadows, and the lips'
 * opening of the expression drawn is what hides the mouth (a slit between parted lips stays dark,
 * d3dfr-vd070). Their UVs are the mouth's own atlas, so the skin maps must not be read there.
 */
export function mouthPlainParts(mesh: Mesh, parts: TemplateHead["parts"], teethAlbedo?: readonly number[]): PlainPart[] {
  const colours = mouthColours(teethAlbedo);
  const occlusion = mouthPartsOcclusion(mesh.positions, mesh.normals, mesh.indices, parts);
  if (!occlusion) return [];
  return parts.flatMap((p) => (isMouthPart(p.part) ? [{ firstIndex: p.firstIndex, indexCount: p.indexCount, albedo: colours[p.part], albedoSpecular: A_S_NOMINAL, occlusion, multiBounce: mouthWallAlbedo(colours) }] : []));
}

const isMouthPart = (part: HeadPart): part is keyof MouthColours => MOUTH_PARTS.includes(part);

/**
 * The naive baseline's maps: the upscaled photo texture T̂ used as albedo (times one scale factor,
 * see baselineScale in photo.ts), typical skin's constant specular, and the mesh's own normals.
 */
export function baselineMaps(photoTexture: ImageF32, scale: number, ambientOcclusion: ImageF32): SkinMaps {
  const linear = photoTexture.colorSpace === "srgb" ? photoTexture.data.map((v) => srgbToLinear(v)) : photoTexture.data;
  const data = linear.map((v) => v * scale);
  return {
    albedoDiffuse: { ...photoTexture, data, colorSpace: "linear" },
    albedoSpecular: A_S_NOMINAL,
    ambientOcclusion,
  };
}

/**
 * The head seen from `turnDeg` (45° by default; 90° a profile, 180° the back) to the subject's left
 * and `elevationDeg` above the horizontal (90° the top of the head) under a studio light, framed on
 * its bounding sphere, over a dark grey background; sRGB size×size.
 * "Forward" is the direction from the head's centre to its nose tip, levelled, so the view does
 * not depend on how the fit placed the head.
 */
export function studioView(mesh: Mesh, maps: SkinMaps, noseTip: Vec3, size: number, turnDeg = 45, elevationDeg = 0): ImageF32 {
  const { centre, radius } = boundingSphere(mesh.positions);
  let fx = noseTip[0] - centre[0], fz = noseTip[2] - centre[2];
  const fl = Math.hypot(fx, fz) || 1;
  fx /= fl; fz /= fl;
  // Turn the forward direction toward the subject's left (+X when facing +Z): rotate about +Y.
  const c = Math.cos((turnDeg * Math.PI) / 180), s = Math.sin((turnDeg * Math.PI) / 180);
  const dx = c * fx + s * fz, dz = -s * fx + c * fz;
  const fov = 24;
  const distance = (radius / Math.sin((fov * Math.PI) / 360)) * 1.0;
  const ce = Math.cos((elevationDeg * Math.PI) / 180), se = Math.sin((elevationDeg * Math.PI) / 180);
  const eye: Vec3 = [centre[0] + ce * dx * distance, centre[1] + se * distance, centre[2] + ce * dz * distance];
  // Seen from above, the image's up is the face's forward direction (lookAtCamera's up must not be the view axis).
  const up: Vec3 = elevationDeg > 60 ? [dx, 0, dz] : [0, 1, 0];
  const camera = lookAtCamera({ eye, target: centre, up, fovYDeg: fov, width: size, height: size });
  const render = renderSkin(mesh, camera, maps, studioLighting(camera.rotation), { supersample: 2 });
  const background: ImageF32 = { width: size, height: size, channels: 3, data: new Float32Array(size * size * 3).fill(0.16), colorSpace: "srgb" };
  return compositeOver(render, background);
}
