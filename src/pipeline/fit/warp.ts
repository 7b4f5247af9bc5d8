/**
 * Regularised 3D thin-plate (biharmonic, φ(r) = r) warp: a smooth displacement field through
 * given displacements at centres, with an affine part, smoothing λ per centre (0 = interpolate).
 */
import { solveDense } from "../../geometry/linear-solve.ts";

export interface Warp {
  centres: Float64Array;
  /** Kernel weights (n × 3) then the affine part (4 × 3: x, y, z, 1). */
  coefficients: Float64Array;
}

/**
 * Fits the warp: displacement `displacements[i]` (xyz) at `centres[i]`, with per-centre
 * smoothing `lambda[i]` (metres; larger lets the field miss that centre to stay smooth).
 */
export function fitWarp(centres: Float64Array, displacements: Float64Array, lambda: Float64Array): Warp {
  const n = centres.length / 3;
  const N = n + 4;
  const A = new Float64Array(N * N);
  const B = new Float64Array(N * 3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.hypot(centres[3 * i] - centres[3 * j], centres[3 * i + 1] - centres[3 * j + 1], centres[3 * i + 2] - centres[3 * j + 2]);
      A[i * N + j] = r;
    }
    A[i * N + i] += lambda[i];
    for (let k = 0; k < 3; k++) {
      A[i * N + n + k] = centres[3 * i + k];
      A[(n + k) * N + i] = centres[3 * i + k];
      B[i * 3 + k] = displacements[3 * i + k];
    }
    A[i * N + n + 3] = 1;
    A[(n + 3) * N + i] = 1;
  }
  return { centres, coefficients: solveDense(A, N, B, 3) };
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
