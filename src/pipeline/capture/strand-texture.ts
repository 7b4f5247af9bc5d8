/**
 * Strand texture: how much fine contrast a patch of the photo holds, relative to its lightness.
 * Hair over a face is strands and the gaps between them (large relative contrast at the scale of a
 * strand); skin is smooth at that scale (shading and pores vary far less), so where a fringe's
 * colour is skin-like (light tips, strands mixed with the skin between them) its texture still
 * tells it from the forehead. Relative (Weber) contrast, so dark hair in shade reads as textured
 * as lit hair.
 */
import { blurPlane } from "../../image/box-blur.ts";

/** Lightness below which contrast is not divided further (keeps black pixels' noise from exploding), luma 0..1. */
const DARK_FLOOR = 0.02;

/**
 * Per pixel of a YCC window (luma in channel 0), log of the local mean relative gradient
 * magnitude: |∇L| / (L + floor), averaged with a Gaussian of `sigmaPx` pixels.
 *
 *   const texture = strandTexture(ycc, w, h, faceWidthPx / 100);
 */
export function strandTexture(ycc: Float32Array, width: number, height: number, sigmaPx: number): Float32Array {
  const n = width * height;
  const L = (x: number, y: number) => ycc[3 * (Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x)))];
  const plane = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = (L(x + 1, y) - L(x - 1, y)) / 2;
      const gy = (L(x, y + 1) - L(x, y - 1)) / 2;
      plane[y * width + x] = Math.hypot(gx, gy) / (Math.max(0, L(x, y)) + DARK_FLOOR);
    }
  }
  blurPlane(plane, width, height, sigmaPx);
  // Log: contrast spans decades between skin and hair; a mixture fits it better on a log scale.
  return Float32Array.from(plane, (v) => Math.log(v + DARK_FLOOR));
}
