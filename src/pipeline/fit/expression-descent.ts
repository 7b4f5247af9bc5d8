/**
 * The expression solve's inner step (fit/expression.ts): a box-constrained quadratic with sparse
 * (Laplace, spike-and-slab) and Gaussian priors, minimised by cyclic coordinate descent with a
 * backward elimination. Some unknowns' priors follow another unknown's value (a smile's reach
 * follows its smile's weight, fit/expression-smile.ts).
 *
 *   boxLasso(H, g, vars, w, jawOpen, mouthClose, true, prior);   // w updated in place
 */

/**
 * One unknown of the solve: bounds, an L1 (Laplace) and a ridge (Gaussian) prior weight, and a
 * cost of leaving 0 (nats); or, with `scaledBy`, bounds and ridge that follow another unknown's
 * current value (a smile's reach follows its smile's weight: the solve's `prior`).
 */
export interface Variable {
  lo: number;
  hi: number;
  l1: number;
  ridge: number;
  l0?: number;
  scaledBy?: number;
}

/** A scaled unknown's bounds and ridge given the value of the unknown it follows. */
export type ScaledPrior = (scale: number) => { lo: number; hi: number; ridge: number };

/** vars[s] at w: a scaled unknown's bounds and ridge from its leader's current value (held at 0 while the leader is). */
function variableAt(vars: Variable[], s: number, w: Float64Array, prior?: ScaledPrior): Variable {
  const v = vars[s];
  return v.scaledBy === undefined || !prior ? v : { ...v, ...prior(w[v.scaledBy]) };
}

/**
 * min ½wᵀ(H + diag ridge)w + gᵀw + Σ l1·|w| + Σ l0·[w ≠ 0] over lo ≤ w ≤ hi (and w[mouthClose] ≤
 * w[jawOpen]), by cyclic coordinate descent: each step is exact; without l0 the objective is convex
 * and it converges to the optimum, with it (a spike-and-slab prior) to a local one. Coordinate
 * descent from w = 0 activates the first shape that explains a misfit before the identity modes
 * after it can (a rare lip shape at its bound for a lower lip that sits higher), so each active
 * shape with an activation cost is then tried at 0 with the rest re-solved, and left there when
 * the objective is lower (backward elimination).
 */
export function boxLasso(H: Float64Array, g: Float64Array, vars: Variable[], w: Float64Array, jawOpen: number, mouthClose: number, eliminate = true, prior?: ScaledPrior): void {
  descend(H, g, vars, w, jawOpen, mouthClose, prior);
  if (!eliminate) return;
  let best = objective(H, g, vars, w, prior);
  for (let s = 0; s < vars.length; s++) {
    if (!(vars[s].l0 && w[s] !== 0)) continue;
    const trial = Float64Array.from(w);
    trial[s] = 0;
    // What follows the shape (its smile's reach) goes to 0 with it.
    vars.forEach((v, k) => v.scaledBy === s && (trial[k] = 0));
    const held = vars.map((v, k) => (k === s ? { ...v, lo: 0, hi: 0 } : v));
    descend(H, g, held, trial, jawOpen, mouthClose, prior);
    const f = objective(H, g, vars, trial, prior);
    if (f < best) {
      best = f;
      w.set(trial);
    }
  }
}

/** The objective boxLasso minimises, at w. */
function objective(H: Float64Array, g: Float64Array, vars: Variable[], w: Float64Array, prior?: ScaledPrior): number {
  const K = g.length;
  let f = 0;
  for (let s = 0; s < K; s++) {
    if (w[s] === 0) continue;
    let hw = 0;
    for (let t = 0; t < K; t++) hw += H[s * K + t] * w[t];
    const { l1, ridge, l0 = 0 } = variableAt(vars, s, w, prior);
    f += 0.5 * w[s] * (hw + ridge * w[s]) + g[s] * w[s] + l1 * Math.abs(w[s]) + l0;
  }
  return f;
}

/** The coordinate descent itself, from the given w. */
function descend(H: Float64Array, g: Float64Array, vars: Variable[], w: Float64Array, jawOpen: number, mouthClose: number, prior?: ScaledPrior, sweeps = 2000): void {
  const K = g.length;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = 0;
    for (let s = 0; s < K; s++) {
      const { lo, hi, l1, ridge, l0 = 0 } = variableAt(vars, s, w, prior);
      const curvature = H[s * K + s] + ridge;
      if (!(curvature > 0)) continue;
      let grad = g[s];
      for (let t = 0; t < K; t++) if (t !== s) grad += H[s * K + t] * w[t];
      // The L1 term's subgradient: shrink toward 0 by l1 / curvature.
      const free = -grad / curvature, shrink = l1 / curvature;
      let next = free > shrink ? free - shrink : free < -shrink ? free + shrink : 0;
      next = Math.min(s === mouthClose && jawOpen >= 0 ? Math.min(hi, w[jawOpen]) : hi, Math.max(lo, next));
      if (s === jawOpen && mouthClose >= 0) next = Math.max(next, Math.min(hi, w[mouthClose]));
      // The activation cost: leave 0 only when the step gains more than it (the 1-D objective at next, relative to 0).
      if (l0 > 0 && next !== 0 && 0.5 * curvature * next * next + (grad + Math.sign(next) * l1) * next > -l0) next = s === jawOpen && mouthClose >= 0 ? Math.min(hi, w[mouthClose]) : 0;
      moved = Math.max(moved, Math.abs(next - w[s]));
      w[s] = next;
    }
    if (moved < 1e-6) break;
  }
}
