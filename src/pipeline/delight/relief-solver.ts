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
  const { width: W, height: H, weight, a, b } = pr;
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

/** Grids smaller than this (either side) are solved directly, not from a coarser one. */
const MIN_COARSE_SIDE = 48;

/**
 * Solves the relief problem. Returns heights in mm (0 outside the active set). Coarse to fine: the
 * problem restricted to a grid of half the resolution is solved first and its heights, upsampled,
 * start the conjugate gradients, which otherwise spend most of their iterations on the low
 * frequencies the thin plate couples over many texels.
 *
 * @example
 *   const { heightMm } = solveRelief(problem, { maxIterations: 300, tolerance: 1e-3 });
 */
export function solveRelief(pr: ReliefProblem, options: ReliefSolveOptions): ReliefSolution {
  const coarse = Math.min(pr.width, pr.height) >= 2 * MIN_COARSE_SIDE ? restrict(pr) : null;
  const start = coarse ? prolong(solveRelief(coarse, options).heightMm, coarse, pr) : null;
  return conjugateGradients(pr, options, start);
}

/**
 * The same problem on a grid of half the resolution: per coarse texel, the data of its (up to four)
 * children summed in weight and averaged in (a, b, L) by weight; texels twice as large, so the
 * prior's per-texel weight is four times as large (the energy is an area integral).
 */
function restrict(pr: ReliefProblem): ReliefProblem {
  const W = Math.ceil(pr.width / 2), H = Math.ceil(pr.height / 2);
  const n = W * H;
  const active = new Uint8Array(n), weight = new Float32Array(n), a = new Float32Array(n), b = new Float32Array(n), L = new Float32Array(n);
  for (let y = 0; y < pr.height; y++) {
    for (let x = 0; x < pr.width; x++) {
      const p = y * pr.width + x, q = (y >> 1) * W + (x >> 1);
      if (pr.active[p]) active[q] = 1;
      const w = pr.weight[p];
      if (!(w > 0)) continue;
      weight[q] += w;
      a[q] += w * pr.a[p];
      b[q] += w * pr.b[p];
      L[q] += w * pr.L[p];
    }
  }
  for (let q = 0; q < n; q++) if (weight[q] > 0) (a[q] /= weight[q]), (b[q] /= weight[q]), (L[q] /= weight[q]);
  return { ...pr, width: W, height: H, texelMm: 2 * pr.texelMm, active, weight, a, b, L, alpha: 4 * pr.alpha };
}

/** Bilinear upsampling of a coarse solution onto the fine grid (texel centres aligned), 0 outside the fine active set. */
function prolong(h: Float32Array, coarse: ReliefProblem, fine: ReliefProblem): Float64Array {
  const { width: Wc, height: Hc } = coarse;
  const out = new Float64Array(fine.width * fine.height);
  for (let y = 0; y < fine.height; y++) {
    const cy = Math.min(Hc - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(cy), y1 = Math.min(Hc - 1, y0 + 1), fy = cy - y0;
    for (let x = 0; x < fine.width; x++) {
      const p = y * fine.width + x;
      if (!fine.active[p]) continue;
      const cx = Math.min(Wc - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(cx), x1 = Math.min(Wc - 1, x0 + 1), fx = cx - x0;
      const top = h[y0 * Wc + x0] + (h[y0 * Wc + x1] - h[y0 * Wc + x0]) * fx;
      const bottom = h[y1 * Wc + x0] + (h[y1 * Wc + x1] - h[y1 * Wc + x0]) * fx;
      out[p] = top + (bottom - top) * fy;
    }
  }
  return out;
}

/** Jacobi-preconditioned conjugate gradients on the normal equations from `start` (or 0). */
function conjugateGradients(pr: ReliefProblem, options: ReliefSolveOptions, start: Float64Array | null): ReliefSolution {
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
  const h = start ?? new Float64Array(n);
  const diag = diagonal(pr);
  const z = new Float64Array(n);
  const q = new Float64Array(n);
  const lap = new Float64Array(n);
  const lap2 = new Float64Array(n);
  let rhsNorm = 0;
  for (let p = 0; p < n; p++) rhsNorm += rhs[p] * rhs[p];
  rhsNorm = Math.sqrt(rhsNorm);
  if (!(rhsNorm > 0)) return { heightMm: new Float32Array(n), iterations: 0, relativeResidual: 0 };
  const r = Float64Array.from(rhs);
  if (start) {
    applyNormal(pr, h, q, lap, lap2);
    for (let p = 0; p < n; p++) r[p] -= q[p];
  }
  for (let p = 0; p < n; p++) z[p] = active[p] ? r[p] / diag[p] : 0;
  const d = Float64Array.from(z);
  let rz = 0;
  let rr0 = 0;
  for (let p = 0; p < n; p++) (rz += r[p] * z[p]), (rr0 += r[p] * r[p]);
  let it = 0;
  let rel = Math.sqrt(rr0) / rhsNorm;
  for (; it < options.maxIterations && rel >= options.tolerance; it++) {
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
