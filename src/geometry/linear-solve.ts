/**
 * Dense linear solve by LU decomposition with partial pivoting, for the small systems of fit
 * (RBF warps of a few hundred centres, 6-parameter pose steps).
 */

/** Solves A·X = B in place of copies: A is n×n row-major, B is n×m row-major; returns X (n×m). */
export function solveDense(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const A = Float64Array.from(a);
  const X = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col, best = Math.abs(A[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(A[r * n + col]);
      if (v > best) [piv, best] = [r, v];
    }
    if (!(best > 1e-300)) throw new Error(`solveDense: singular matrix (column ${col})`);
    if (piv !== col) {
      for (let k = 0; k < n; k++) [A[col * n + k], A[piv * n + k]] = [A[piv * n + k], A[col * n + k]];
      for (let k = 0; k < m; k++) [X[col * m + k], X[piv * m + k]] = [X[piv * m + k], X[col * m + k]];
    }
    const d = A[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = A[r * n + col] / d;
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[r * n + k] -= f * A[col * n + k];
      for (let k = 0; k < m; k++) X[r * m + k] -= f * X[col * m + k];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let k = 0; k < m; k++) {
      let s = X[r * m + k];
      for (let c = r + 1; c < n; c++) s -= A[r * n + c] * X[c * m + k];
      X[r * m + k] = s / A[r * n + r];
    }
  }
  return X;
}
