/**
 * Similarity (Procrustes) alignment of point sets: find s, R, t minimising Σ wᵢ·|s·R·pᵢ + t − qᵢ|².
 * The rotation comes from Horn's quaternion method (largest eigenvector of a symmetric 4×4 matrix,
 * by Jacobi sweeps), which never returns a reflection and needs no SVD.
 */

/** s·R·p + t; R row-major 3×3. */
export interface Similarity {
  scale: number;
  rotation: Float64Array;
  translation: Float64Array;
}

/** Applies a similarity to xyz triples. */
export function applySimilarity(sim: Similarity, points: ArrayLike<number>, out = new Float64Array(points.length)): Float64Array {
  const { scale: s, rotation: R, translation: t } = sim;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = s * (R[0] * x + R[1] * y + R[2] * z) + t[0];
    out[i + 1] = s * (R[3] * x + R[4] * y + R[5] * z) + t[1];
    out[i + 2] = s * (R[6] * x + R[7] * y + R[8] * z) + t[2];
  }
  return out;
}

/** Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi; returns values and column eigenvectors. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i];
  return { values, vectors: V };
}

/** Rotation matrix (row-major) of a unit quaternion (w, x, y, z). */
export function quaternionToMatrix(w: number, x: number, y: number, z: number): Float64Array {
  return new Float64Array([
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z,
  ]);
}

/**
 * Best similarity mapping `source` onto `target` (xyz triples, same count), optionally weighted.
 * With `allowScale` false the scale is fixed at 1 (rigid fit).
 *
 *   const sim = fitSimilarity(templatePoints, photoPoints);
 */
export function fitSimilarity(source: ArrayLike<number>, target: ArrayLike<number>, weights?: ArrayLike<number>, allowScale = true): Similarity {
  const n = source.length / 3;
  if (target.length !== source.length || n < 3) throw new Error("fitSimilarity: need ≥ 3 matching points");
  let W = 0;
  const cs = [0, 0, 0], ct = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    W += w;
    for (let c = 0; c < 3; c++) {
      cs[c] += w * source[3 * i + c];
      ct[c] += w * target[3 * i + c];
    }
  }
  if (!(W > 0)) throw new Error("fitSimilarity: weights sum to zero");
  for (let c = 0; c < 3; c++) {
    cs[c] /= W;
    ct[c] /= W;
  }
  // Cross-covariance S = Σ w·(p − p̄)(q − q̄)ᵀ and source spread.
  const S = new Float64Array(9);
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const p = [source[3 * i] - cs[0], source[3 * i + 1] - cs[1], source[3 * i + 2] - cs[2]];
    const q = [target[3 * i] - ct[0], target[3 * i + 1] - ct[1], target[3 * i + 2] - ct[2]];
    spread += w * (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[3 * r + c] += w * p[r] * q[c];
  }
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = S;
  const N = new Float64Array([
    sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
    syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
    szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
    sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
  ]);
  const { values, vectors } = symmetricEigen(N, 4);
  let best = 0;
  for (let i = 1; i < 4; i++) if (values[i] > values[best]) best = i;
  const q = [vectors[best], vectors[4 + best], vectors[8 + best], vectors[12 + best]];
  const ql = Math.hypot(q[0], q[1], q[2], q[3]);
  const R = quaternionToMatrix(q[0] / ql, q[1] / ql, q[2] / ql, q[3] / ql);
  let scale = 1;
  if (allowScale) {
    // s = Σ w·qᵀ R p / Σ w·|p|² = trace(R·S) / spread.
    let tr = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) tr += R[3 * r + c] * S[3 * c + r];
    scale = tr / spread;
  }
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) translation[r] = ct[r] - scale * (R[3 * r] * cs[0] + R[3 * r + 1] * cs[1] + R[3 * r + 2] * cs[2]);
  return { scale, rotation: R, translation };
}
