/** Robust statistics shared by the pipeline and the evaluation. */

/**
 * Weighted median of `values` with non-negative `weights` (entries with weight 0 or a non-finite
 * value ignored; ties in value keep index order, so the answer is deterministic); NaN when none.
 *
 *   weightedMedian([3, 1, 2], [1, 1, 1]); // 2
 */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>): number {
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
