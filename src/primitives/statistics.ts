/** Robust statistics shared by the pipeline and the evaluation. */

/**
 * The median of a list: the upper of the two middle values for an even count (a value the list
 * holds, so colour channels and pixel values stay attainable); 0 when empty, read as "no offset".
 *
 *   upperMedian([4, 1, 3, 2]); // 3
 */
export function upperMedian(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1];
}

/**
 * Weighted median of `values` with non-negative `weights` (entries with weight 0 or a non-finite
 * value ignored; ties in value keep index order, so the answer is deterministic); NaN when none.
 *
 *   weightedMedian([3, 1, 2], [1, 1, 1]); // 2
 */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  if (values instanceof Float32Array && LITTLE_ENDIAN) return weightedMedianF32(values, weights);
  const idx: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) if (weights[i] > 0 && Number.isFinite(values[i])) (idx.push(i), (total += weights[i]));
  if (!(total > 0)) return Number.NaN;
  idx.sort((a, b) => values[a] - values[b] || a - b);
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= total / 2) return values[i];
  }
  return values[idx[idx.length - 1]];
}

/** Standard normal CDF Φ(z) (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The same order and the same sums for float32 values, sorted natively instead of through a
 * comparator (a per-texel median over a base-size map is a sort of ~10⁵ entries): each entry is one
 * 64-bit key, its value's bits made to sort as numbers (−0 as +0) above its index.
 */
function weightedMedianF32(values: Float32Array, weights: ArrayLike<number>): number {
  let count = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) if (weights[i] > 0 && Number.isFinite(values[i])) (count++, (total += weights[i]));
  if (!(total > 0)) return Number.NaN;
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const keys = new BigUint64Array(count);
  const words = new Uint32Array(keys.buffer); // little-endian: [low, high] per key
  for (let i = 0, k = 0; i < values.length; i++) {
    if (!(weights[i] > 0 && Number.isFinite(values[i]))) continue;
    const u = bits[i] === 0x80000000 ? 0 : bits[i];
    words[2 * k] = i;
    words[2 * k + 1] = u & 0x80000000 ? ~u : u | 0x80000000;
    k++;
  }
  keys.sort();
  let acc = 0;
  for (let k = 0; k < count; k++) {
    const i = words[2 * k];
    acc += weights[i];
    if (acc >= total / 2) return values[i];
  }
  return values[words[2 * count - 2]];
}
