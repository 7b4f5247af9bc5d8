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
  /** Where the smile folds the skin, 0..1, 1 channel, any size with A_D's aspect (read bilinearly). */
  folds: ImageF32;
  /** How much each texel is skin that may lend its statistics (0 on lips, brows, lids, hair, outside the islands), 0..1, 1 channel, any size with A_D's aspect. */
  skin: ImageF32;
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
  if (albedo.channels !== 3 || albedo.colorSpace !== "srgb") throw new Error("expression-shading: albedo must be 3-channel sRGB");
  for (const [name, map] of [["folds", folds], ["skin", skin]] as const) {
    if (map.channels !== 1 || map.width * height !== map.height * width) throw new Error(`expression-shading: ${name} is ${map.width}×${map.height}×${map.channels}, expected 1 channel with A_D's ${width}×${height} aspect`);
  }
  if (!(texelMm > 0)) throw new Error(`expression-shading: texel size ${texelMm} mm is not positive`);
  const fine = settings.fineMm / texelMm, wide = settings.neighbourMm / texelMm;
  // Only the folds' box and the donors' reach around it (the blurs' support, 3σ) are read.
  const box = foldBox(folds, width, height, Math.ceil(3 * wide));
  // Nothing folded: A_D as it is (no copy: at ultra a copy of A_D is 300 MB).
  if (!box) return albedo;
  const out = { ...albedo, data: Float32Array.from(albedo.data) };
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0, bn = bw * bh;
  const at = (q: number) => (box.y0 + Math.floor(q / bw)) * width + box.x0 + (q % bw);
  // The box's fold and skin weights; donors: skin the smile did not fold.
  const foldBoxed = resampled(folds, width, height, box), skinBox = resampled(skin, width, height, box);
  const donor = new Float32Array(bn);
  for (let q = 0; q < bn; q++) donor[q] = skinBox[q] * (1 - foldBoxed[q]);
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
      const p = at(q), m = foldBoxed[q] * skinBox[q];
      if (!(m > 0) || neighbourMean.support[q] < 1e-3) continue;
      const detail = log[q] - low[q];
      const shrink = Math.min(1, Math.sqrt(neighbourSpread.values[q] / Math.max(ownSpread.values[q], 1e-12)));
      const neutral = neighbourMean.values[q] + detail * shrink;
      out.data[3 * p + c] = linearToSrgbClamped(Math.exp(log[q] + m * (neutral - log[q])));
    }
  }
  return out;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** In a width × height image's texels: the box of the fold map's texels > 0 (one map texel of slack for the bilinear read), grown by `margin`, clipped; null when nothing folds. */
function foldBox(folds: ImageF32, width: number, height: number, margin: number): Box | null {
  const { width: fw, height: fh, data } = folds;
  let x0 = fw, y0 = fh, x1 = -1, y1 = -1;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      if (!(data[y * fw + x] > 0)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const sx = width / fw, sy = height / fh;
  return {
    x0: Math.max(0, Math.floor((x0 - 1) * sx) - margin),
    y0: Math.max(0, Math.floor((y0 - 1) * sy) - margin),
    x1: Math.min(width, Math.ceil((x1 + 2) * sx) + margin),
    y1: Math.min(height, Math.ceil((y1 + 2) * sy) + margin),
  };
}

/** A 1-channel map read bilinearly (texel centres aligned, edges clamped) at the texels of `box` in a width × height image, row by row. */
function resampled(map: ImageF32, width: number, height: number, box: Box): Float32Array {
  const { width: mw, height: mh, data } = map;
  const bw = box.x1 - box.x0, out = new Float32Array(bw * (box.y1 - box.y0));
  const sx = mw / width, sy = mh / height;
  for (let y = box.y0; y < box.y1; y++) {
    const cy = Math.min(mh - 1, Math.max(0, (y + 0.5) * sy - 0.5)), y0 = Math.floor(cy), y1 = Math.min(mh - 1, y0 + 1), fy = cy - y0;
    for (let x = box.x0; x < box.x1; x++) {
      const cx = Math.min(mw - 1, Math.max(0, (x + 0.5) * sx - 0.5)), x0 = Math.floor(cx), x1 = Math.min(mw - 1, x0 + 1), fx = cx - x0;
      const top = data[y0 * mw + x0] + (data[y0 * mw + x1] - data[y0 * mw + x0]) * fx;
      const bottom = data[y1 * mw + x0] + (data[y1 * mw + x1] - data[y1 * mw + x0]) * fx;
      out[(y - box.y0) * bw + (x - box.x0)] = top + (bottom - top) * fy;
    }
  }
  return out;
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
