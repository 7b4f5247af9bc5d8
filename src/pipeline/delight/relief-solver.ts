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
import { mapF32, mapF64 } from "../../primitives/typed-array.ts";

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

/**
 * The normal matrix A = DᵀWD + α(ℓ_s²ΔᵀΔ + ℓ_0⁻²) in a form its product runs fast in, built once
 * per level. Every vector it multiplies vanishes outside the active set (the start, the residual's
 * preconditioned copies and the search directions all do), so a neighbour's value needs no test of
 * whether it is active: an inactive one reads 0, which is the Dirichlet condition. Only texels on
 * the grid's edge test their neighbours' range.
 */
interface NormalOperator {
  pr: ReliefProblem;
  /** Texels with data (weight > 0), in raster order, with their weight and sensitivities. */
  dataTexels: Int32Array;
  dataW: Float64Array;
  dataA: Float64Array;
  dataB: Float64Array;
  /** Per row, the first and one past the last active column (an empty row has first ≥ end). */
  rowFirst: Int32Array;
  rowEnd: Int32Array;
  /** Scratch for the two Laplacians. */
  lap: Float64Array;
  lap2: Float64Array;
}

function normalOperator(pr: ReliefProblem): NormalOperator {
  const { width: W, height: H, active, weight, a, b } = pr;
  const data: number[] = [];
  for (let p = 0; p < W * H; p++) if (weight[p] > 0) data.push(p);
  const dataTexels = Int32Array.from(data);
  const rowFirst = new Int32Array(H).fill(W), rowEnd = new Int32Array(H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!active[y * W + x]) continue;
      if (x < rowFirst[y]) rowFirst[y] = x;
      rowEnd[y] = x + 1;
    }
  }
  return {
    pr,
    dataTexels,
    dataW: mapF64(dataTexels, (p) => weight[p]),
    dataA: mapF64(dataTexels, (p) => a[p]),
    dataB: mapF64(dataTexels, (p) => b[p]),
    rowFirst,
    rowEnd,
    lap: new Float64Array(W * H),
    lap2: new Float64Array(W * H),
  };
}

/** 5-point Laplacian (1/mm) of h (0 outside the active set), written on the active set; `out` (the operator's scratch) stays 0 elsewhere. */
function laplacian(op: NormalOperator, h: Float64Array, out: Float64Array): void {
  const { width: W, height: H, active } = op.pr;
  const invT2 = 1 / (op.pr.texelMm * op.pr.texelMm);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const inner = y > 0 && y + 1 < H;
    for (let x = op.rowFirst[y]; x < op.rowEnd[y]; x++) {
      const p = row + x;
      if (!active[p]) continue;
      if (inner && x > 0 && x + 1 < W) {
        out[p] = (h[p + 1] + h[p - 1] + h[p + W] + h[p - W] - 4 * h[p]) * invT2;
      } else {
        const hr = x + 1 < W ? h[p + 1] : 0;
        const hl = x > 0 ? h[p - 1] : 0;
        const hd = y + 1 < H ? h[p + W] : 0;
        const hu = y > 0 ? h[p - W] : 0;
        out[p] = (hr + hl + hd + hu - 4 * h[p]) * invT2;
      }
    }
  }
}

/** A·h for the normal equations (data + thin plate + ridge), written into `out`; h vanishes outside the active set. Returns h·A·h. */
function applyNormal(op: NormalOperator, h: Float64Array, out: Float64Array): number {
  const { pr, dataTexels, dataW, dataA, dataB, lap, lap2 } = op;
  const { width: W, height: H, active } = pr;
  const n = W * H;
  const inv2t = 1 / (2 * pr.texelMm);
  out.fill(0);
  for (let i = 0; i < dataTexels.length; i++) {
    const p = dataTexels[i];
    const y = (p / W) | 0, x = p - y * W;
    const ap = dataA[i], bp = dataB[i];
    if (x > 0 && y > 0 && x + 1 < W && y + 1 < H) {
      // Central differences along +u and up the image (rows go down); inactive neighbours are 0.
      const gt = (h[p + 1] - h[p - 1]) * inv2t;
      const gb = (h[p - W] - h[p + W]) * inv2t;
      const r = dataW[i] * (ap * gt + bp * gb);
      const st = r * ap * inv2t, sb = r * bp * inv2t;
      out[p + 1] += st;
      out[p - 1] -= st;
      out[p - W] += sb;
      out[p + W] -= sb;
    } else {
      const gt = ((x + 1 < W ? h[p + 1] : 0) - (x > 0 ? h[p - 1] : 0)) * inv2t;
      const gb = ((y > 0 ? h[p - W] : 0) - (y + 1 < H ? h[p + W] : 0)) * inv2t;
      const r = dataW[i] * (ap * gt + bp * gb);
      scatterGrad(out, active, W, H, x, y, r * ap, r * bp, inv2t);
    }
  }
  // The Laplacian with zero boundary values is symmetric, so Δᵀ = Δ on the active set.
  laplacian(op, h, lap);
  laplacian(op, lap, lap2);
  const ks = pr.alpha * pr.smoothingMm * pr.smoothingMm;
  const kr = pr.alpha / (pr.bandLimitMm * pr.bandLimitMm);
  // The data term scattered into inactive neighbours too: those entries are not unknowns.
  let hAh = 0;
  for (let p = 0; p < n; p++) {
    const v = active[p] ? out[p] + (ks * lap2[p] + kr * h[p]) : 0;
    out[p] = v;
    hAh += h[p] * v;
  }
  return hAh;
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
  const op = normalOperator(pr);
  const { rowFirst, rowEnd } = op;
  const z = new Float64Array(n);
  const q = new Float64Array(n);
  let rhsNorm = 0;
  for (let p = 0; p < n; p++) rhsNorm += rhs[p] * rhs[p];
  rhsNorm = Math.sqrt(rhsNorm);
  if (!(rhsNorm > 0)) return { heightMm: new Float32Array(n), iterations: 0, relativeResidual: 0 };
  const r = Float64Array.from(rhs);
  if (start) {
    applyNormal(op, h, q);
    for (let p = 0; p < n; p++) r[p] -= q[p];
  }
  for (let p = 0; p < n; p++) z[p] = active[p] ? r[p] / diag[p] : 0;
  const d = Float64Array.from(z);
  let rz = 0;
  let rr0 = 0;
  for (let p = 0; p < n; p++) (rz += r[p] * z[p]), (rr0 += r[p] * r[p]);
  let it = 0;
  let rel = Math.sqrt(rr0) / rhsNorm;
  // Every vector vanishes outside the active set and stays so: the updates run over the rows'
  // active spans only (and sum the same terms in the same order as over the whole grid).
  for (; it < options.maxIterations && rel >= options.tolerance; it++) {
    const dq = applyNormal(op, d, q);
    if (!(dq > 0)) break;
    const step = rz / dq;
    let rr = 0;
    let rzNew = 0;
    for (let y = 0; y < H; y++) {
      for (let p = y * W + rowFirst[y], end = y * W + rowEnd[y]; p < end; p++) {
        h[p] += step * d[p];
        const rp = (r[p] -= step * q[p]);
        rr += rp * rp;
        const zp = active[p] ? rp / diag[p] : 0;
        z[p] = zp;
        rzNew += rp * zp;
      }
    }
    rel = Math.sqrt(rr) / rhsNorm;
    const beta = rzNew / rz;
    rz = rzNew;
    for (let y = 0; y < H; y++) {
      for (let p = y * W + rowFirst[y], end = y * W + rowEnd[y]; p < end; p++) d[p] = z[p] + beta * d[p];
    }
  }
  return { heightMm: mapF32(h, (v, p) => (active[p] ? v : 0)), iterations: it, relativeResidual: rel };
}
