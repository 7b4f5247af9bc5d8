/**
 * The smile's fold shading out of the neutral A_D (issue 16). The template's expressed mesh has no
 * nasolabial fold and no dimple, so the shading of the photo's folds survives the division by the
 * shading and stays in A_D: the neutral head would smile in its texture. Where the fitted smile
 * compresses the skin (fit/expression-folds.ts, weight M, 0..1), A_D takes the statistics of the
 * neighbouring skin the smile did not fold, in log colour per channel (shading multiplies):
 * - its mean above the skin's texture: log A blurred at the largest pore's size (`fineMm`) is
 *   replaced by the mean of the unfolded skin around it (normalised convolution at the scale the
 *   mesh hands over to the relief, `neighbourMm`);
 * - its texture: the detail left under that scale (pores, fine lines, the crease's own edge) is
 *   scaled down to the neighbours' local spread where it is larger, never up.
 * Both by M, so an unfolded texel is unchanged. Not a blur: the pores stay, only the fold's
 * shadow and the crease's contrast go. The relief recovered from the same shading is split by M as
 * well: the neutral head keeps its unfolded part, the folded part becomes the smile's wrinkle relief
 * (the expressed head's, packaged as its own normal map).
 */
import { srgbToLinear, linearToSrgbClamped } from "../../primitives/color.ts";
import { weightedBlur, blurPlane } from "../../image/box-blur.ts";
import type { ImageF32 } from "../../types.ts";

export interface ExpressionShadingInput {
  /** A_D, sRGB, 3 channels. */
  albedo: ImageF32;
  /** Where the smile folds the skin, 0..1, 1 channel, A_D's size. */
  folds: ImageF32;
  /** How much each texel is skin that may lend its statistics (0 on lips, brows, lids, hair, outside the islands), 0..1, A_D's size. */
  skin: Float32Array;
  /** Surface size of one texel, mm. */
  texelMm: number;
}

/**
 * The largest facial pores' diameter, mm: 0.2–0.5 mm across (/work/shared/reference/skin-reflectance.md,
 * "Facial pore size and density"). What is finer is the skin's texture and stays; a fold (several mm) is above it.
 */
export const LARGEST_PORE_MM = 0.5;

export interface ExpressionShadingSettings {
  /** Scale between the skin's texture and the fold's shading, mm (LARGEST_PORE_MM). */
  fineMm: number;
  /** Scale of the neighbours' statistics: where the mesh hands over to the relief, mm (its band limit). */
  neighbourMm: number;
}

/** A_D with the smile's fold shading replaced by the neighbouring skin's statistics (sRGB, the input's size; the input itself when nothing folds). */
export function neutralExpressionAlbedo(input: ExpressionShadingInput, settings: ExpressionShadingSettings): ImageF32 {
  const { albedo, folds, skin, texelMm } = input;
  const { width, height } = albedo;
  const n = width * height;
  if (albedo.channels !== 3 || albedo.colorSpace !== "srgb") throw new Error("expression-shading: albedo must be 3-channel sRGB");
  if (folds.width !== width || folds.height !== height || folds.channels !== 1) throw new Error(`expression-shading: folds ${folds.width}×${folds.height}×${folds.channels}, expected ${width}×${height}×1`);
  if (skin.length !== n) throw new Error("expression-shading: skin weight is not A_D's size");
  if (!(texelMm > 0)) throw new Error(`expression-shading: texel size ${texelMm} mm is not positive`);
  const M = folds.data;
  const fine = settings.fineMm / texelMm, wide = settings.neighbourMm / texelMm;
  // Only the folds' box and the donors' reach around it (the blurs' support, 3σ) are read.
  const box = foldBox(M, width, height, Math.ceil(3 * wide));
  // Nothing folded: A_D as it is (no copy: at ultra a copy of A_D is 300 MB).
  if (!box) return albedo;
  const out = { ...albedo, data: Float32Array.from(albedo.data) };
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0, bn = bw * bh;
  const at = (q: number) => (box.y0 + Math.floor(q / bw)) * width + box.x0 + (q % bw);
  // Donors: skin the smile did not fold.
  const donor = new Float32Array(bn), skinBox = new Float32Array(bn);
  for (let q = 0; q < bn; q++) {
    const p = at(q);
    skinBox[q] = skin[p];
    donor[q] = skin[p] * (1 - M[p]);
  }
  const log = new Float32Array(bn), low = new Float64Array(bn), detail2 = new Float32Array(bn);
  for (let c = 0; c < 3; c++) {
    for (let q = 0; q < bn; q++) log[q] = Math.log(Math.max(srgbToLinear(albedo.data[3 * at(q) + c]), 1e-4));
    for (let q = 0; q < bn; q++) low[q] = log[q];
    blurPlane(low, bw, bh, fine);
    for (let q = 0; q < bn; q++) detail2[q] = (log[q] - low[q]) ** 2;
    const neighbourMean = weightedBlur(Float32Array.from(low), 1, donor, bw, bh, wide);
    const neighbourSpread = weightedBlur(detail2, 1, donor, bw, bh, wide);
    const ownSpread = weightedBlur(detail2, 1, skinBox, bw, bh, fine);
    for (let q = 0; q < bn; q++) {
      const p = at(q), m = M[p] * skin[p];
      if (!(m > 0) || neighbourMean.support[q] < 1e-3) continue;
      const detail = log[q] - low[q];
      const shrink = Math.min(1, Math.sqrt(neighbourSpread.values[q] / Math.max(ownSpread.values[q], 1e-12)));
      const neutral = neighbourMean.values[q] + detail * shrink;
      out.data[3 * p + c] = linearToSrgbClamped(Math.exp(log[q] + m * (neutral - log[q])));
    }
  }
  return out;
}

/** The bounding box of the texels with M > 0, grown by `margin` and clipped to the image; null when there is none. */
function foldBox(M: Float32Array, width: number, height: number, margin: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(M[y * width + x] > 0)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  return { x0: Math.max(0, x0 - margin), y0: Math.max(0, y0 - margin), x1: Math.min(width, x1 + 1 + margin), y1: Math.min(height, y1 + 1 + margin) };
}

/** The relief's tangent slopes (2 channels) split by the fold weight (resampled to the slopes' size by nearest texel): the neutral head's (1 − M) and the smile's wrinkles (M). */
export function splitReliefSlopes(slopes: ImageF32, folds: ImageF32): { neutral: ImageF32; wrinkles: ImageF32 } {
  const { width, height } = slopes;
  const neutral = { ...slopes, data: new Float32Array(slopes.data.length) };
  const wrinkles = { ...slopes, data: new Float32Array(slopes.data.length) };
  for (let y = 0; y < height; y++) {
    const fy = Math.min(folds.height - 1, Math.floor(((y + 0.5) * folds.height) / height));
    for (let x = 0; x < width; x++) {
      const fx = Math.min(folds.width - 1, Math.floor(((x + 0.5) * folds.width) / width));
      const m = folds.data[fy * folds.width + fx], p = y * width + x;
      for (let c = 0; c < 2; c++) {
        neutral.data[2 * p + c] = (1 - m) * slopes.data[2 * p + c];
        wrinkles.data[2 * p + c] = m * slopes.data[2 * p + c];
      }
    }
  }
  return { neutral, wrinkles };
}
