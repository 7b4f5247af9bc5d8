/**
 * Gaussian-like blurs at base size by three passes of a running-sum box filter (cost independent
 * of the radius), and confidence-weighted (normalised) blurring built on it.
 */

/** Box half-width for each of three passes so that their variance matches a Gaussian of `sigma` texels. */
export function boxRadiusForSigma(sigma: number): number {
  // Three boxes of width w = 2r+1 have variance 3·(w²−1)/12 = σ².
  return Math.max(0, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
}

/**
 * One box pass along x or y over a planar (single-channel) array, edges clamped: a running sum per
 * line. The pass along y keeps one running sum per column and walks the rows, so it reads memory in
 * order (the same additions in the same order as column by column).
 */
function boxPass(src: Float64Array, dst: Float64Array, width: number, height: number, r: number, alongX: boolean): void {
  const norm = 1 / (2 * r + 1);
  if (alongX) {
    const n = width;
    for (let line = 0; line < height; line++) {
      const base = line * width;
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += src[base + Math.min(n - 1, Math.max(0, i))];
      for (let i = 0; i < n; i++) {
        dst[base + i] = sum * norm;
        sum += src[base + Math.min(n - 1, i + r + 1)] - src[base + Math.max(0, i - r)];
      }
    }
    return;
  }
  const sums = new Float64Array(width);
  for (let i = -r; i <= r; i++) {
    const row = Math.min(height - 1, Math.max(0, i)) * width;
    for (let x = 0; x < width; x++) sums[x] += src[row + x];
  }
  for (let i = 0; i < height; i++) {
    const out = i * width, enter = Math.min(height - 1, i + r + 1) * width, leave = Math.max(0, i - r) * width;
    for (let x = 0; x < width; x++) {
      dst[out + x] = sums[x] * norm;
      sums[x] += src[enter + x] - src[leave + x];
    }
  }
}

/** Blurs a planar array in place (three box passes per axis ≈ Gaussian of `sigma` texels). */
export function blurPlane(plane: Float64Array, width: number, height: number, sigma: number): void {
  const r = boxRadiusForSigma(sigma);
  if (r === 0) return;
  const tmp = new Float64Array(plane.length);
  for (let pass = 0; pass < 3; pass++) {
    boxPass(plane, tmp, width, height, r, true);
    boxPass(tmp, plane, width, height, r, false);
  }
}

/**
 * Normalised convolution: blur(weight·value)/blur(weight) per channel of an interleaved image.
 * Returns the blurred values (interleaved, 0 where the blurred weight is ~0) and the blurred
 * weight, which says how much data supports each texel (1 = all neighbours fully weighted).
 */
export function weightedBlur(
  data: Float32Array,
  channels: number,
  weight: ArrayLike<number>,
  width: number,
  height: number,
  sigma: number,
): { values: Float32Array; support: Float64Array } {
  const n = width * height;
  const support = new Float64Array(n);
  for (let p = 0; p < n; p++) support[p] = weight[p];
  blurPlane(support, width, height, sigma);
  const values = new Float32Array(n * channels);
  const plane = new Float64Array(n);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < n; p++) plane[p] = weight[p] * data[p * channels + c];
    blurPlane(plane, width, height, sigma);
    for (let p = 0; p < n; p++) values[p * channels + c] = support[p] > 1e-8 ? plane[p] / support[p] : 0;
  }
  return { values, support };
}
