/**
 * Shared statistics of the anthropometric survey scripts: sample mean and covariance, and the
 * sexes pooled as an equal mixture (mean of the male and female means; covariance = mean
 * within-sex covariance + the between-sex spread of the means), which is what fit uses when the
 * photo does not tell the sex.
 */

export interface MeanCov {
  mean: number[];
  cov: number[][];
}

/** Sample mean and covariance (n − 1) of the rows. */
export function meanCov(rows: number[][]): MeanCov {
  const n = rows.length, d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / (n - 1)));
  return { mean, cov };
}

/** The equal-weight mixture of the two sexes' Gaussians, moment-matched. */
export function sexMixture(m: MeanCov, f: MeanCov): MeanCov {
  const d = m.mean.length;
  const mean = m.mean.map((v, j) => (v + f.mean[j]) / 2);
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (m.cov[a][b] + f.cov[a][b]) / 2 + ((m.mean[a] - f.mean[a]) * (m.mean[b] - f.mean[b])) / 4));
  return { mean, cov };
}

export const fmt = (v: number): string => v.toPrecision(8);
export const list = (xs: number[]): string => `[${xs.map(fmt).join(", ")}]`;
