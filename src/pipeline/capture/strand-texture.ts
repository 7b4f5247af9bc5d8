/**
 * Strand texture: how much fine contrast a patch of the photo holds, relative to its lightness.
 * Hair over a face is strands and the gaps between them (large relative contrast at the scale of a
 * strand); skin is smooth at that scale (shading and pores vary far less), so where a fringe's
 * colour is skin-like (light tips, strands mixed with the skin between them) its texture still
 * tells it from the forehead. Relative (Weber) contrast, so dark hair in shade reads as textured
 * as lit hair.
 */
import { blurPlane } from "../../image/box-blur.ts";
import { f32Of, f64Of, mapF32, mapF64 } from "../../primitives/typed-array.ts";

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
  return mapF32(plane, (v) => Math.log(v + DARK_FLOOR));
}

/**
 * Relative gradient energy (per pixel², Weber units) below which a window counts as having no
 * orientation: about a 1 % step per pixel, the order of 8-bit quantisation and JPEG noise on skin.
 */
const ORIENTATION_NOISE2 = 1e-4;

/**
 * Strand orientation: how consistently the fine gradients of a patch point one way. Hair is
 * locally oriented (parallel strands: the gradients across them agree), skin is not (pores and
 * mottle are isotropic), and this holds where a strand's colour is near the skin's own (blonde,
 * grey) and its contrast low. Per pixel of a YCC window: the coherence (λ1 − λ2) / (λ1 + λ2 + noise)
 * ∈ [0, 1) of the structure tensor (Bigün & Granlund 1987; Weickert 1999, "Coherence-enhancing
 * diffusion"), summed over the three channels (Di Zenzo 1986: a strand that differs from the skin in
 * chroma more than in lightness still has edges), of the relative gradient (÷ local lightness) and
 * integrated with a Gaussian of `sigmaPx`. Each channel is high-passed first (minus its blur at
 * twice that scale), so shading's smooth ramp, whose gradients also agree, does not read as a strand.
 *
 *   const orientation = strandOrientation(ycc, w, h, faceWidthPx / 100);
 */
export function strandOrientation(ycc: Float32Array, width: number, height: number, sigmaPx: number): Float32Array {
  const n = width * height;
  const jxx = new Float64Array(n), jxy = new Float64Array(n), jyy = new Float64Array(n);
  let lightness = new Float64Array(0);
  for (let c = 0; c < 3; c++) {
    const channel = f64Of(n, (i) => ycc[3 * i + c]);
    const low = Float64Array.from(channel);
    blurPlane(low, width, height, 2 * sigmaPx);
    if (c === 0) lightness = low;
    const fine = mapF64(channel, (v, i) => v - low[i]);
    const at = (x: number, y: number) => fine[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const scale = 1 / (Math.max(0, lightness[i]) + DARK_FLOOR);
        const gx = ((at(x + 1, y) - at(x - 1, y)) / 2) * scale;
        const gy = ((at(x, y + 1) - at(x, y - 1)) / 2) * scale;
        jxx[i] += gx * gx;
        jxy[i] += gx * gy;
        jyy[i] += gy * gy;
      }
    }
  }
  for (const plane of [jxx, jxy, jyy]) blurPlane(plane, width, height, sigmaPx);
  return f32Of(n, (i) => Math.hypot(jxx[i] - jyy[i], 2 * jxy[i]) / (jxx[i] + jyy[i] + ORIENTATION_NOISE2));
}
