/**
 * Regularised 3D thin-plate (biharmonic, φ(r) = r) warp: a smooth displacement field through
 * given displacements at centres, with an affine part, smoothing λ per centre (0 = interpolate).
 */
import { luFactor, luSolve, solveDense, type LuFactors } from "../../geometry/linear-solve.ts";

export interface Warp {
  centres: Float64Array;
  /** Kernel weights (n × 3) then the affine part (4 × 3: x, y, z, 1). */
  coefficients: Float64Array;
}

/** A warp's targets: displacement `displacements[i]` (xyz) at `centres[i]`, smoothing `lambda[i]` (metres). */
export interface WarpTargets {
  centres: Float64Array;
  displacements: Float64Array;
  lambda: Float64Array;
}

/** The warp's linear system: kernel rows per centre, then the 4 affine rows. */
function warpSystem(centres: Float64Array, displacements: Float64Array, lambda: Float64Array): { A: Float64Array; B: Float64Array; N: number } {
  const n = centres.length / 3;
  const N = n + 4;
  const A = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.hypot(centres[3 * i] - centres[3 * j], centres[3 * i + 1] - centres[3 * j + 1], centres[3 * i + 2] - centres[3 * j + 2]);
      A[i * N + j] = r;
    }
    // Smoothing subtracts: r is conditionally *negative* definite (the 3D biharmonic kernel is −r),
    // so the bending penalty is −cᵀΦc and the smoothing spline solves (Φ − λI)c + Pd = y. Adding λ
    // rewarded bending, and with a few centres smoothed by millimetres the system went singular.
    A[i * N + i] -= lambda[i];
    for (let k = 0; k < 3; k++) {
      A[i * N + n + k] = centres[3 * i + k];
      A[(n + k) * N + i] = centres[3 * i + k];
    }
    A[i * N + n + 3] = 1;
    A[(n + 3) * N + i] = 1;
  }
  return { A, B: warpRhs(centres, displacements), N };
}

/** The system's right-hand side: each centre's displacement (xyz), then zeros for the four affine rows. */
function warpRhs(centres: Float64Array, displacements: Float64Array): Float64Array {
  const B = new Float64Array((centres.length / 3 + 4) * 3);
  B.set(displacements.subarray(0, centres.length));
  return B;
}

/**
 * Fits the warp: displacement `displacements[i]` (xyz) at `centres[i]`, with per-centre
 * smoothing `lambda[i]` (metres; larger lets the field miss that centre to stay smooth).
 */
export function fitWarp(centres: Float64Array, displacements: Float64Array, lambda: Float64Array): Warp {
  const { A, B, N } = warpSystem(centres, displacements, lambda);
  return { centres, coefficients: solveDense(A, N, B, 3) };
}

/** A fitted warp that keeps its system's factors, so that more targets can be added cheaply (`borderedWarp`). */
export interface FactoredWarp {
  warp: Warp;
  targets: WarpTargets;
  factors: LuFactors;
  /** The system's right-hand side. */
  rhs: Float64Array;
}

/**
 * The last factorisation fitFactoredWarp made, with the centres and smoothing it was made for: the
 * system's matrix depends on those alone, and fit factors the same one twice in a row (the head's
 * outline reading, then the silhouette's base warp) with only the displacements changed.
 */
let lastFactors: { centres: Float64Array; lambda: Float64Array; factors: LuFactors } | undefined;

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** fitWarp, keeping the factorisation (reused when the centres and smoothing are the last call's). */
export function fitFactoredWarp(targets: WarpTargets): FactoredWarp {
  const { centres, displacements, lambda } = targets;
  const last = lastFactors;
  if (last && sameValues(last.centres, centres) && sameValues(last.lambda, lambda)) {
    const B = warpRhs(centres, displacements);
    return { warp: { centres, coefficients: luSolve(last.factors, B, 3) }, targets, factors: last.factors, rhs: B };
  }
  const { A, B, N } = warpSystem(centres, displacements, lambda);
  const factors = luFactor(A, N);
  lastFactors = { centres: Float64Array.from(centres), lambda: Float64Array.from(lambda), factors };
  return { warp: { centres, coefficients: luSolve(factors, B, 3) }, targets, factors, rhs: B };
}

/**
 * The warp through `base`'s targets and `extra`'s together, by block elimination on base's kept
 * factors: the k extra rows cost O(N²·k) instead of a new O((N + k)³) factorisation. The same
 * warp as fitWarp over all the targets (up to rounding).
 */
export function borderedWarp(base: FactoredWarp, extra: WarpTargets): Warp {
  const c0 = base.targets.centres, e = extra.centres;
  const n0 = c0.length / 3, k = e.length / 3, N0 = n0 + 4;
  if (k === 0) return base.warp;
  // [A0 C; Cᵀ D]: C couples base rows (kernel, then affine) to the extra centres.
  const m = k + 3;
  const CB = new Float64Array(N0 * m);
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < k; j++) CB[i * m + j] = Math.hypot(c0[3 * i] - e[3 * j], c0[3 * i + 1] - e[3 * j + 1], c0[3 * i + 2] - e[3 * j + 2]);
  }
  for (let j = 0; j < k; j++) {
    for (let a = 0; a < 3; a++) CB[(n0 + a) * m + j] = e[3 * j + a];
    CB[(n0 + 3) * m + j] = 1;
  }
  for (let i = 0; i < N0; i++) for (let a = 0; a < 3; a++) CB[i * m + k + a] = base.rhs[i * 3 + a];
  const Y = luSolve(base.factors, CB, m);
  // Schur complement S = D − Cᵀ·A0⁻¹·C and its right-hand side Be − Cᵀ·A0⁻¹·B0.
  const S = new Float64Array(k * k), R = new Float64Array(k * 3);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = Math.hypot(e[3 * i] - e[3 * j], e[3 * i + 1] - e[3 * j + 1], e[3 * i + 2] - e[3 * j + 2]) + (i === j ? -extra.lambda[i] : 0);
      for (let r = 0; r < N0; r++) s -= CB[r * m + i] * Y[r * m + j];
      S[i * k + j] = s;
    }
    for (let a = 0; a < 3; a++) {
      let s = extra.displacements[3 * i + a];
      for (let r = 0; r < N0; r++) s -= CB[r * m + i] * Y[r * m + k + a];
      R[i * 3 + a] = s;
    }
  }
  const Xe = solveDense(S, k, R, 3);
  // Base coefficients X0 = A0⁻¹·B0 − A0⁻¹·C·Xe; laid out as kernel (base, then extra), then affine.
  const coefficients = new Float64Array((n0 + k + 4) * 3);
  for (let i = 0; i < N0; i++) {
    const row = i < n0 ? i : i + k;
    for (let a = 0; a < 3; a++) {
      let s = Y[i * m + k + a];
      for (let j = 0; j < k; j++) s -= Y[i * m + j] * Xe[j * 3 + a];
      coefficients[row * 3 + a] = s;
    }
  }
  coefficients.set(Xe, n0 * 3);
  const centres = new Float64Array((n0 + k) * 3);
  centres.set(c0);
  centres.set(e, n0 * 3);
  return { centres, coefficients };
}

/** Displacement of the point (x, y, z) under the warp, into out[0..3). */
export function warpAt(w: Warp, x: number, y: number, z: number, out: Float64Array): void {
  const c = w.centres, k = w.coefficients;
  const n = c.length / 3;
  let dx = 0, dy = 0, dz = 0;
  for (let j = 0; j < n; j++) {
    const r = Math.sqrt((x - c[3 * j]) ** 2 + (y - c[3 * j + 1]) ** 2 + (z - c[3 * j + 2]) ** 2);
    dx += k[3 * j] * r;
    dy += k[3 * j + 1] * r;
    dz += k[3 * j + 2] * r;
  }
  const a = 3 * n;
  out[0] = dx + k[a] * x + k[a + 3] * y + k[a + 6] * z + k[a + 9];
  out[1] = dy + k[a + 1] * x + k[a + 4] * y + k[a + 7] * z + k[a + 10];
  out[2] = dz + k[a + 2] * x + k[a + 5] * y + k[a + 8] * z + k[a + 11];
}
