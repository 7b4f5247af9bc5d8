// A synthetic frontal photo of the template for the outline readers (fit/head-outline.ts,
// fit/ears.ts): skin where one head covers the image, striped hair out to a second head's outline,
// a flat background elsewhere, with the person, skin and hair masks drawn from the same coverage.
import { createFragments, rasterize } from "../../src/raster/rasterize.ts";
import { projectToScreen } from "../../src/render/camera.ts";
import type { Camera, FaceMasks, ImageF32, TemplateHead } from "../../src/types.ts";

export const OUTLINE_SKIN = [0.78, 0.58, 0.48];
export const OUTLINE_HAIR = [0.25, 0.15, 0.1];
export const OUTLINE_BACKGROUND = [0.2, 0.35, 0.6];

/** A frontal camera 0.9 m away on a square `size`-pixel image, the whole head in frame. */
export function frontalCamera(size: number): Camera {
  const f = 1.2 * size;
  return { width: size, height: size, fx: f, fy: f, cx: size / 2, cy: size / 2 + 0.09375 * size, rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: new Float64Array([0, 0.02, -0.9]) };
}

/** The front-facing triangle index per pixel of `positions` (−1 where no triangle covers it). */
function coverage(head: TemplateHead, camera: Camera, positions: Float32Array): Int32Array {
  const frags = createFragments(camera.width, camera.height);
  rasterize(frags, projectToScreen(camera, positions), head.mesh.indices, { cull: "back" });
  return frags.triangle;
}

/** Photo and masks: skin where the head at `skinAt` covers the image; with `hairAt`, hair (striped every other row, hair-masked) out to that head's outline. */
export function outlinePhoto(head: TemplateHead, camera: Camera, skinAt: Float32Array, hairAt?: Float32Array): { image: ImageF32; masks: FaceMasks } {
  const { width: W, height: H } = camera;
  const inSkin = coverage(head, camera, skinAt), inHair = hairAt ? coverage(head, camera, hairAt) : inSkin;
  const person = new Float32Array(W * H), skin = new Float32Array(W * H), hair = new Float32Array(W * H), image = new Float32Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const isSkin = inSkin[p] >= 0, isHair = !isSkin && inHair[p] >= 0;
    person[p] = isSkin || isHair ? 1 : 0;
    skin[p] = isSkin ? 1 : 0;
    hair[p] = isHair ? 1 : 0;
    const strand = Math.floor(p / W) % 2 ? 1.6 : 1;
    image.set(isSkin ? OUTLINE_SKIN : isHair ? OUTLINE_HAIR.map((v) => v * strand) : OUTLINE_BACKGROUND, 3 * p);
  }
  const plane = (data: Float32Array): ImageF32 => ({ width: W, height: H, channels: 1, data, colorSpace: "data" });
  const masks: FaceMasks = { skin: plane(skin), hair: plane(hair), occluder: plane(new Float32Array(W * H)), person: plane(person) };
  return { image: { width: W, height: H, channels: 3, data: image, colorSpace: "srgb" }, masks };
}
