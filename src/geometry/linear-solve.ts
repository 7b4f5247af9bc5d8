/**
 * Dense linear solve by LU decomposition with partial pivoting, for the small systems of fit
 * (RBF warps of a few hundred centres, 6-parameter pose steps). The factors can be kept and reused
 * for further right-hand sides (fit's silhouette rounds border one warp system with a few more rows).
 */

/** An LU factorisation with partial pivoting of an n×n matrix: L's multipliers below the diagonal, U on and above it. */
export interface LuFactors {
  n: number;
  lu: Float64Array;
  /** Row swapped with row `col` at step `col`. */
  pivots: Int32Array;
}

/** Factorises the n×n row-major matrix a (not modified). Throws on a singular matrix. */
export function luFactor(a: Float64Array, n: number): LuFactors {
  const A = Float64Array.from(a);
  const pivots = new Int32Array(n);
  for (let col = 0; col < n; col++) {
    let piv = col, best = Math.abs(A[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(A[r * n + col]);
      if (v > best) (piv = r), (best = v);
    }
    if (!(best > 1e-300)) throw new Error(`solveDense: singular matrix (column ${col})`);
    pivots[col] = piv;
    const top = col * n;
    if (piv !== col) {
      const other = piv * n;
      for (let k = 0; k < n; k++) {
        const t = A[top + k];
        A[top + k] = A[other + k];
        A[other + k] = t;
      }
    }
    const d = A[top + col];
    // The elimination is the O(n³) loop: row offsets hoisted (the same operations in the same order).
    for (let r = col + 1; r < n; r++) {
      const row = r * n;
      const f = A[row + col] / d;
      A[row + col] = f;
      if (f === 0) continue;
      for (let k = col + 1; k < n; k++) A[row + k] -= f * A[top + k];
    }
  }
  return { n, lu: A, pivots };
}

/** Solves A·X = B with A's factors: B is n×m row-major (not modified); returns X (n×m). */
export function luSolve(f: LuFactors, b: Float64Array, m: number): Float64Array {
  const { n, lu: A, pivots } = f;
  const X = Float64Array.from(b);
  // The row swaps first (the stored multipliers moved with their rows), then L's forward pass.
  for (let col = 0; col < n; col++) {
    const piv = pivots[col];
    if (piv !== col) for (let k = 0; k < m; k++) [X[col * m + k], X[piv * m + k]] = [X[piv * m + k], X[col * m + k]];
  }
  for (let col = 0; col < n; col++) {
    for (let r = col + 1; r < n; r++) {
      const fr = A[r * n + col];
      if (fr === 0) continue;
      for (let k = 0; k < m; k++) X[r * m + k] -= fr * X[col * m + k];
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

/** Solves A·X = B in place of copies: A is n×n row-major, B is n×m row-major; returns X (n×m). */
export function solveDense(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  return luSolve(luFactor(a, n), b, m);
}
