/**
 * Image and albedo measures for evaluation: masked PSNR and SSIM, CIELAB and the individual
 * typology angle (ITA) of skin colour, clipping, weighted correlation, and set statistics.
 */
import { linearSrgbToLab, luma601, srgbToLinear } from "../src/primitives/color.ts";
import type { ImageF32 } from "../src/types.ts";
import { weightedMedian } from "../src/primitives/statistics.ts";

/** Kept under its old name for the evaluation's callers; the conversion lives in src/primitives/color.ts. */

function checkPair(a: ImageF32, b: ImageF32, mask: ArrayLike<number>): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`images differ in size: ${a.width}×${a.height}×${a.channels} vs ${b.width}×${b.height}×${b.channels}`);
  }
  if (mask.length !== a.width * a.height) throw new Error(`mask has ${mask.length} values for ${a.width}×${a.height} pixels`);
}

/**
 * PSNR (dB, peak 1) of `a` against `b` over the pixels where mask ≥ 0.5, all channels. Compare
 * images in the same encoding (sRGB here: errors weighted as a viewer sees them). NaN when the mask is empty.
 */
export function maskedPsnr(a: ImageF32, b: ImageF32, mask: ArrayLike<number>): number {
  checkPair(a, b, mask);
  const C = a.channels;
  let se = 0, n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!(mask[p] >= 0.5)) continue;
    for (let c = 0; c < C; c++) {
      const d = a.data[p * C + c] - b.data[p * C + c];
      se += d * d;
    }
    n += C;
  }
  if (n === 0) return NaN;
  return 10 * Math.log10(1 / Math.max(se / n, 1e-10));
}

/** Luma Y' (Rec. 601 weights on the encoded values), the usual input of SSIM. */
function luma(img: ImageF32, p: number): number {
  const d = img.data, i = p * img.channels;
  return img.channels >= 3 ? luma601(d[i], d[i + 1], d[i + 2]) : d[i];
}

/** Separable Gaussian blur of a W×H plane (σ px, radius 3σ, edges clamped). */
function gaussianBlur(src: Float64Array, W: number, H: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float64Array(W * H), out = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * src[y * W + Math.min(W - 1, Math.max(0, x + i))];
      tmp[y * W + x] = s;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[Math.min(H - 1, Math.max(0, y + i)) * W + x];
      out[y * W + x] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM (Wang et al. 2004: Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03, peak 1) of the luma
 * of `a` against `b`, averaged over the pixels where mask ≥ 0.5. Windows near the mask's edge see
 * the pixels beyond it as they are in each image. NaN when the mask is empty.
 */
export function maskedSsim(a: ImageF32, b: ImageF32, mask: ArrayLike<number>): number {
  checkPair(a, b, mask);
  const W = a.width, H = a.height;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let p = 0; p < mask.length; p++) {
    if (!(mask[p] >= 0.5)) continue;
    const x = p % W, y = (p - x) / W;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return NaN;
  // Work on the mask's bounding box plus the window radius.
  const pad = 5;
  x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad); x1 = Math.min(W - 1, x1 + pad); y1 = Math.min(H - 1, y1 + pad);
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const A = new Float64Array(w * h), B = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y + y0) * W + x + x0;
      A[y * w + x] = luma(a, p);
      B[y * w + x] = luma(b, p);
    }
  }
  const prod = (u: Float64Array, v: Float64Array) => u.map((val, i) => val * v[i]);
  const sigma = 1.5;
  const muA = gaussianBlur(A, w, h, sigma), muB = gaussianBlur(B, w, h, sigma);
  const AA = gaussianBlur(prod(A, A), w, h, sigma), BB = gaussianBlur(prod(B, B), w, h, sigma), AB = gaussianBlur(prod(A, B), w, h, sigma);
  const C1 = 0.01 ** 2, C2 = 0.03 ** 2;
  let sum = 0, n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!(mask[(y + y0) * W + x + x0] >= 0.5)) continue;
      const i = y * w + x;
      const va = AA[i] - muA[i] * muA[i], vb = BB[i] - muB[i] * muB[i], cov = AB[i] - muA[i] * muB[i];
      sum += ((2 * muA[i] * muB[i] + C1) * (2 * cov + C2)) / ((muA[i] ** 2 + muB[i] ** 2 + C1) * (va + vb + C2));
      n++;
    }
  }
  return sum / n;
}

/**
 * Individual typology angle of skin colour, degrees: atan2(L* − 50, b*) · 180/π (Chardon et al.
 * 1991; > 55 very light … < −30 dark). Computed on the median L* and b* of the samples.
 */
export function itaDegrees(lab: { L: number; b: number }): number {
  return (Math.atan2(lab.L - 50, lab.b) * 180) / Math.PI;
}

/** The weighted median the pipeline uses (re-exported for the evaluation's callers). */
export { weightedMedian };

/**
 * Median L* and b* of the colours of a linear-RGB image where weight > 0, and their ITA.
 * `data` is interleaved RGB, linear.
 */
export function skinTone(data: ArrayLike<number>, weight: ArrayLike<number>): { L: number; b: number; ita: number; samples: number } {
  const n = weight.length;
  const Ls = new Float64Array(n), bs = new Float64Array(n);
  let samples = 0;
  for (let p = 0; p < n; p++) {
    if (!(weight[p] > 0)) continue;
    const [L, , b] = linearSrgbToLab(data[3 * p], data[3 * p + 1], data[3 * p + 2]);
    Ls[p] = L;
    bs[p] = b;
    samples++;
  }
  const L = weightedMedian(Ls, weight), b = weightedMedian(bs, weight);
  return { L, b, ita: itaDegrees({ L, b }), samples };
}

/** Weighted Pearson correlation of x and y; NaN when either has no spread. */
export function weightedCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): number {
  let sw = 0, sx = 0, sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!(w[i] > 0)) continue;
    sw += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i];
  }
  if (!(sw > 0)) return NaN;
  const mx = sx / sw, my = sy / sw;
  let cxx = 0, cyy = 0, cxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!(w[i] > 0)) continue;
    const dx = x[i] - mx, dy = y[i] - my;
    cxx += w[i] * dx * dx; cyy += w[i] * dy * dy; cxy += w[i] * dx * dy;
  }
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : NaN;
}

/**
 * Fraction of the texels where mask ≥ 0.5 whose colour is clipped: some channel at 0 or 1 in 8-bit
 * sRGB terms (below 0.5/255 or above 254.5/255 once encoded; linear images are compared with the
 * thresholds decoded, so values past 1 count as clipped).
 */
export function clippedFraction(image: ImageF32, mask: ArrayLike<number>): number {
  const C = image.channels;
  const linear = image.colorSpace === "linear";
  const lo = linear ? srgbToLinear(0.5 / 255) : 0.5 / 255, hi = linear ? srgbToLinear(254.5 / 255) : 254.5 / 255;
  let n = 0, clipped = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!(mask[p] >= 0.5)) continue;
    n++;
    for (let c = 0; c < C; c++) {
      const v = image.data[p * C + c];
      if (!(v > lo && v < hi)) {
        clipped++;
        break;
      }
    }
  }
  return n ? clipped / n : NaN;
}

/** Summary of one measure over the set: finite values only. */
export interface SetStats {
  count: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
}

export function setStats(values: (number | null | undefined)[]): SetStats {
  const v = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { count: 0, mean: null, median: null, min: null, max: null };
  const mid = v.length >> 1;
  return {
    count: v.length,
    mean: v.reduce((s, x) => s + x, 0) / v.length,
    median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2,
    min: v[0],
    max: v[v.length - 1],
  };
}

/** Least-squares slope and intercept of y on x (finite pairs); null with fewer than 3 pairs or no spread in x. */
export function linearFit(x: number[], y: number[]): { slope: number; intercept: number } | null {
  const pairs = x.map((xi, i) => [xi, y[i]]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (pairs.length < 3) return null;
  const mx = pairs.reduce((s, [a]) => s + a, 0) / pairs.length, my = pairs.reduce((s, [, b]) => s + b, 0) / pairs.length;
  let sxx = 0, sxy = 0;
  for (const [a, b] of pairs) {
    sxx += (a - mx) ** 2;
    sxy += (a - mx) * (b - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
