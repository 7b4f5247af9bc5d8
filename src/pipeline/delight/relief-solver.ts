/**
 * The least-squares height field of shape from shading, on the UV grid (delight/shading-relief.ts
 * builds its data). Per texel p the linearised Lambertian model says the relative shading change is
 * a directional derivative of the height: a_p·∂h/∂t + b_p·∂h/∂b ≈ −L_p, with t along +u and b up the
 * image (glTF tangent frame), slopes in mm/mm. Only the gradient component along (a, b), the light's
 * direction projected on the surface, is observed; a thin-plate prior fills the other and a ridge on
 * h keeps what the data does not ask for at zero and removes the low frequencies (the mesh's job).
 *
 *   E(h) = Σ_p w_p (a_p·Dt h + b_p·Db h − L_p)² + α Σ_p [ℓ_s²·(Δh)_p² + (h_p / ℓ_0)²]
 *
 * minimised by preconditioned (Jacobi) conjugate gradients on the normal equations, matrix-free.
 * Texels outside `active` are held at h = 0 (Dirichlet), so island borders and gutters stay flat.
 */

export interface ReliefProblem {
  width: number;
  height: number;
  /** Texel size, mm (the grid spacing of the derivatives). */
  texelMm: number;
  /** 1 where h is an unknown, 0 where it is held at 0. */
  active: Uint8Array;
  /** Data weight per texel (already divided by the data's variance); 0 = no data. */
  weight: Float32Array;
  /** Sensitivity of the log shading to the slope along +u (t) and up the image (b), per unit slope. */
  a: Float32Array;
  b: Float32Array;
  /** Observed log shading ratio (band-passed), per texel. */
  L: Float32Array;
  /** Prior weight α (1 / prior slope variance), smoothing length ℓ_s (mm) and band limit ℓ_0 (mm). */
  alpha: number;
  smoothingMm: number;
  bandLimitMm: number;
}

export interface ReliefSolveOptions {
  /** Most CG iterations. */
  maxIterations: number;
  /** Stop when the residual norm falls below this fraction of the right-hand side's. */
  tolerance: number;
}

/** Result: the height in mm per texel (0 outside `active`) and the iterations the solver took. */
export interface ReliefSolution {
  heightMm: Float32Array;
  iterations: number;
  relativeResidual: number;
}

/** Adds the adjoint of the central differences, scaled by (gt, gb), into `out` around texel p. */
function scatterGrad(out: Float64Array, active: Uint8Array, W: number, H: number, x: number, y: number, gt: number, gb: number, inv2t: number): void {
  const p = y * W + x;
  if (x + 1 < W && active[p + 1]) out[p + 1] += gt * inv2t;
  if (x > 0 && active[p - 1]) out[p - 1] -= gt * inv2t;
  if (y > 0 && active[p - W]) out[p - W] += gb * inv2t;
  if (y + 1 < H && active[p + W]) out[p + W] -= gb * inv2t;
}

/** 5-point Laplacian (1/mm) with h = 0 outside the active set; evaluated on active texels only. */
function laplacian(h: Float64Array, active: Uint8Array, W: number, H: number, invT2: number, out: Float64Array): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (!active[p]) {
        out[p] = 0;
        continue;
      }
      const hr = x + 1 < W && active[p + 1] ? h[p + 1] : 0;
      const hl = x > 0 && active[p - 1] ? h[p - 1] : 0;
      const hd = y + 1 < H && active[p + W] ? h[p + W] : 0;
      const hu = y > 0 && active[p - W] ? h[p - W] : 0;
      out[p] = (hr + hl + hd + hu - 4 * h[p]) * invT2;
    }
  }
}

/** A·h for the normal equations (data + thin plate + ridge), written into `out`. */
function applyNormal(pr: ReliefProblem, h: Float64Array, out: Float64Array, lap: Float64Array, lap2: Float64Array): void {
  const { width: W, height: H, active, weight, a, b } = pr;
  const inv2t = 1 / (2 * pr.texelMm);
  const invT2 = 1 / (pr.texelMm * pr.texelMm);
  out.fill(0);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const w = weight[p];
      if (!(w > 0)) continue;
      // Central differences along +u and up the image (rows go down); inactive neighbours are 0.
      const gt = ((x + 1 < W && active[p + 1] ? h[p + 1] : 0) - (x > 0 && active[p - 1] ? h[p - 1] : 0)) * inv2t;
      const gb = ((y > 0 && active[p - W] ? h[p - W] : 0) - (y + 1 < H && active[p + W] ? h[p + W] : 0)) * inv2t;
      const r = w * (a[p] * gt + b[p] * gb);
      scatterGrad(out, active, W, H, x, y, r * a[p], r * b[p], inv2t);
    }
  }
  // The Laplacian with zero boundary values is symmetric, so Δᵀ = Δ on the active set.
  laplacian(h, active, W, H, invT2, lap);
  laplacian(lap, active, W, H, invT2, lap2);
  const ks = pr.alpha * pr.smoothingMm * pr.smoothingMm;
  const kr = pr.alpha / (pr.bandLimitMm * pr.bandLimitMm);
  for (let p = 0; p < W * H; p++) if (active[p]) out[p] += ks * lap2[p] + kr * h[p];
}

/** Diagonal of the normal matrix (the Jacobi preconditioner). */
function diagonal(pr: ReliefProblem): Float64Array {
  const { width: W, height: H, active, weight, a, b } = pr;
  const inv2t = 1 / (2 * pr.texelMm);
  const invT2 = 1 / (pr.texelMm * pr.texelMm);
  const d = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const w = weight[p];
      if (!(w > 0)) continue;
      const ct = w * a[p] * a[p] * inv2t * inv2t;
      const cb = w * b[p] * b[p] * inv2t * inv2t;
      if (x + 1 < W) d[p + 1] += ct;
      if (x > 0) d[p - 1] += ct;
      if (y > 0) d[p - W] += cb;
      if (y + 1 < H) d[p + W] += cb;
    }
  }
  // ΔᵀΔ's diagonal in the interior: 16 + 4 neighbours × 1, over t⁴.
  const ks = pr.alpha * pr.smoothingMm * pr.smoothingMm * 20 * invT2 * invT2;
  const kr = pr.alpha / (pr.bandLimitMm * pr.bandLimitMm);
  for (let p = 0; p < W * H; p++) d[p] = pr.active[p] ? d[p] + ks + kr : 1;
  return d;
}

/**
 * Solves the relief problem. Returns heights in mm (0 outside the active set).
 *
 * @example
 *   const { heightMm } = solveRelief(problem, { maxIterations: 300, tolerance: 1e-3 });
 */
export function solveRelief(pr: ReliefProblem, options: ReliefSolveOptions): ReliefSolution {
  const { width: W, height: H, active, weight, a, b, L } = pr;
  const n = W * H;
  const inv2t = 1 / (2 * pr.texelMm);
  // Right-hand side Dᵀ W L.
  const rhs = new Float64Array(n);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const w = weight[p];
      if (!(w > 0)) continue;
      const r = w * L[p];
      scatterGrad(rhs, active, W, H, x, y, r * a[p], r * b[p], inv2t);
    }
  }
  const h = new Float64Array(n);
  const r = Float64Array.from(rhs);
  const diag = diagonal(pr);
  const z = new Float64Array(n);
  const q = new Float64Array(n);
  const lap = new Float64Array(n);
  const lap2 = new Float64Array(n);
  let rhsNorm = 0;
  for (let p = 0; p < n; p++) rhsNorm += rhs[p] * rhs[p];
  rhsNorm = Math.sqrt(rhsNorm);
  if (!(rhsNorm > 0)) return { heightMm: new Float32Array(n), iterations: 0, relativeResidual: 0 };
  for (let p = 0; p < n; p++) z[p] = active[p] ? r[p] / diag[p] : 0;
  const d = Float64Array.from(z);
  let rz = 0;
  for (let p = 0; p < n; p++) rz += r[p] * z[p];
  let it = 0;
  let rel = 1;
  for (; it < options.maxIterations; it++) {
    applyNormal(pr, d, q, lap, lap2);
    let dq = 0;
    for (let p = 0; p < n; p++) dq += d[p] * q[p];
    if (!(dq > 0)) break;
    const step = rz / dq;
    let rr = 0;
    for (let p = 0; p < n; p++) {
      h[p] += step * d[p];
      r[p] -= step * q[p];
      rr += r[p] * r[p];
    }
    rel = Math.sqrt(rr) / rhsNorm;
    if (rel < options.tolerance) {
      it++;
      break;
    }
    let rzNew = 0;
    for (let p = 0; p < n; p++) {
      z[p] = active[p] ? r[p] / diag[p] : 0;
      rzNew += r[p] * z[p];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let p = 0; p < n; p++) d[p] = z[p] + beta * d[p];
  }
  return { heightMm: Float32Array.from(h, (v, p) => (active[p] ? v : 0)), iterations: it, relativeResidual: rel };
}
