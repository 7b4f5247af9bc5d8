/**
 * fit's expression step: the photo's expression as ARKit blendshape weights, solved from the
 * landmarks so that it can be taken out of the head's shape.
 *
 * Identity and expression are told apart by what can move a landmark. The 52 shapes (evaluated on
 * the template, src/geometry/blendshapes.ts) name the landmarks an expression can move: lips,
 * lids, brows, the jaw's outline, the iris. An identity-only warp through the other landmarks (the
 * nose, the eye corners, the upper face oval) and the head anchors gives a neutral head that
 * cannot have absorbed an expression; the weights are then solved on that head against every
 * landmark, together with identity modes for what that head cannot know there (the lower face's
 * scale, the lips' fullness, meeting line, width and height; fit/expression-identity.ts). fit then
 * re-warps with each landmark's target moved back by the expression's displacement there; at the
 * expressive landmarks the target is the solve's identity (the identity-only head plus its modes)
 * and only `expressiveResidualShare` of what neither explains, because the solve took that
 * residual for the detector's noise and the expression its prior shrank (warped in, it kept most
 * of a broad smile's corner lift in the neutral head). The head as photographed takes the rest of
 * the residual, so it still reprojects onto the photo.
 *
 * The solve: 2D reprojection error of the landmarks on the expressed head (Gauss–Newton on the
 * weights, projection linearised), Gaussian landmark noise, a Laplace (sparse) prior on each
 * weight plus a cost of activating it from how often the action occurs in photographed faces
 * (spike and slab), conjugate gaze (one
 * unknown per gaze direction for both eyes; fit/expression-prior.ts), bounds 0 ≤ w ≤ 1 and
 * mouthClose ≤ jawOpen (ARKit's mouthClose only closes lips that jawOpen parted); projected
 * coordinate descent on the resulting box-constrained quadratic (fit/expression-descent.ts). The
 * solve reads the lips as the detector places them, spaced along the contours between the corners
 * (fit/expression-contour.ts), and lets each side's smile reach further out or less far than the
 * shape's mean direction (fit/expression-smile.ts): a broad smile's width is the smile's, not the
 * mouth's, and goes to the head as photographed with the residual.
 *
 *   const shapes = evaluateBlendshapes(neutral, head);
 *   const { weights } = solveExpression({ positions: neutral, shapes, camera, landmarks, confidence, landmarkVertices, interocularPx });
 */
import { evaluateBlendshapes } from "../../geometry/blendshapes.ts";
import { ARKIT_BLENDSHAPES } from "../../geometry/blendshape-names.ts";
import type { Blendshape, Camera, TemplateHead } from "../../types.ts";
import { LANDMARK_SD_IOD } from "./head-targets.ts";
import { CONJUGATE_GAZE, shapeActivity } from "./expression-prior.ts";
import { contourGroups, subtractSharedOffset } from "./expression-noise.ts";
import { heightModes, lipModes, lowerFaceModes, type IdentityMode } from "./expression-identity.ts";
import { reachPrior, smileReachFields } from "./expression-smile.ts";
import { detectorView } from "./expression-contour.ts";
import { boxLasso, type Variable } from "./expression-descent.ts";
import { fitWarp, warpAt, type Warp, type WarpTargets } from "./warp.ts";

export interface ExpressionOptions {
  /** Solve the photo's expression and keep it out of the head's shape (false: the head keeps it, as before issue 16). */
  enabled?: boolean;
  /** Per-axis SD of one landmark, share of the inter-ocular distance (the data term's noise: independent and contour-shared parts together). */
  landmarkSdIod?: number;
  /** Each contour's landmarks share part of that error as one offset, at the detector's measured share (fit/expression-noise.ts); false: every landmark independent. */
  correlatedNoise?: boolean;
  /**
   * Mean weight of a facial action when it is present (0..1): each shape's Laplace prior has mean
   * P(active) × this (fit/expression-prior.ts). 0.5 is the middle of FACS's five intensities (A–E, C "marked").
   */
  activeWeight?: number;
  /** Mean of the Laplace prior on each conjugate gaze direction (0..1 of the shape's full turn); a shape choice, the previous common scale. */
  gazeScale?: number;
  /** Gauss–Newton rounds (the weights enter linearly; only the projection bends). */
  iterations?: number;
  /** A landmark is expressive (left out of the identity-only warp) when some shape at weight 1 moves it this far on the template, metres. */
  expressiveM?: number;
  /**
   * Share (0..1) of the solve's landmark residual at the expressive landmarks that the neutral head
   * takes as identity. 0: the solve's own model decides the neutral mouth, lids and brows (the
   * identity-only head plus its identity modes), the residual is what the solve took it for, the
   * detector's noise plus the expression its prior shrank; 1: the residual is warped into the
   * neutral head (before the neutral step), so a smile the weights under-explain stays in it.
   */
  expressiveResidualShare?: number;
  /** Solve the lips' identity modes (fullness, meeting lines, width, lower lip height; fit/expression-identity.ts lipModes) with the weights; false leaves them out. */
  lipIdentityModes?: boolean;
  /** After the descent, try each active shape with an activation cost at 0 with the rest re-solved, and keep the lower objective (backward elimination); false keeps the descent's result. */
  backwardElimination?: boolean;
  /**
   * SD of each side's smile reach (how far out the smile draws the corners beyond or short of the
   * shape's mean direction) per unit smile weight, in units of the shape's own lateral move
   * (fit/expression-smile.ts); 0: every smile reaches the shape's mean only, as before.
   */
  smileReachCv?: number;
  /** Read each shape's sideways move of the lip landmarks as the detector spaces them along the contours, between the corners (fit/expression-contour.ts); false: as material points. */
  detectorLips?: boolean;
}

export const EXPRESSION_DEFAULTS: Required<ExpressionOptions> = {
  enabled: true,
  landmarkSdIod: LANDMARK_SD_IOD,
  correlatedNoise: true,
  activeWeight: 0.5,
  gazeScale: 0.3,
  iterations: 4,
  // A quarter of the face-mesh model's mean landmark error (3.96 % IOD ≈ 2.5 mm at 63 mm IPD, head-targets.ts).
  expressiveM: 0.0006,
  expressiveResidualShare: 0,
  lipIdentityModes: true,
  backwardElimination: true,
  smileReachCv: 1,
  detectorLips: true,
};


/** Shapes the landmarks cannot see: left at 0. */
const UNOBSERVED = new Set(["tongueOut"]);

/** What the solve reads. */
export interface ExpressionInput {
  /** The neutral head's positions (metres, head axes). */
  positions: Float32Array;
  /** The 52 shapes evaluated on that head, ARKIT_BLENDSHAPES order. */
  shapes: Blendshape[];
  camera: Camera;
  /** The photo's 478 landmarks, pixels (capture's convention), and their confidence. */
  landmarks: ArrayLike<number>;
  confidence: ArrayLike<number>;
  /** Which landmarks to fit (indices into the 478). */
  ids: number[];
  landmarkVertices: Int32Array;
  interocularPx: number;
  /**
   * Identity modes solved alongside the weights, within their bounds (none unless the mode sets lo / hi), each with a Gaussian prior of SD 1 on
   * its coefficient (scale the field to the SD): what the neutral head may still get wrong where
   * it was not measured, so that the weights do not take it (lowerFaceModes).
   */
  identityModes?: IdentityMode[];
}

/** The solved expression. */
export interface ExpressionSolve {
  /** One weight per shape, ARKIT_BLENDSHAPES order, 0..1. */
  weights: Float64Array;
  /** RMS landmark reprojection error, pixels: of the neutral head, and of the expressed head. */
  neutralErrorPx: number;
  expressedErrorPx: number;
  /** The identity modes' coefficients (input.identityModes order; in SDs). */
  identityCoefficients: Float64Array;
  /** Each smiling side's reach beyond the shape's mean (name → units of the shape's lateral move; fit/expression-smile.ts): expression the weights do not carry. */
  smileReach: Record<string, number>;
}

/**
 * Blendshape weights that best explain the landmarks on the given neutral head.
 *
 *   const { weights } = solveExpression(input);   // weights[ARKIT_BLENDSHAPES.indexOf("jawOpen")]
 */
export function solveExpression(input: ExpressionInput, options: ExpressionOptions = {}): ExpressionSolve {
  const o = { ...EXPRESSION_DEFAULTS, ...options };
  const { shapes, camera, ids, landmarkVertices: lv, landmarks: lm, confidence } = input;
  const { unknowns, drives } = expressionUnknowns(shapes, o);
  const modes = input.identityModes ?? [];
  const reach = o.smileReachCv > 0 ? smileReachFields(shapes) : [];
  const fields = [...unknowns.map((u) => u.field), ...modes, ...reach.map((r) => r.field)];
  const K = fields.length, firstReach = unknowns.length + modes.length;
  // Weights: 0..1 with the sparse prior (unobserved shapes held at 0); identity modes: within their bounds, Gaussian prior of SD 1; each smile's reach: a prior scaled by its smile's weight.
  const vars: Variable[] = fields.map((_, k) => (k >= firstReach ? { lo: 0, hi: 0, l1: 0, ridge: 0, scaledBy: drives[reach[k - firstReach].smile] } : k >= unknowns.length ? identityVariable(modes[k - unknowns.length]) : unknowns[k].variable));
  const prior = (scale: number) => reachPrior(scale, o.smileReachCv);
  const jawOpen = unknowns.findIndex((u) => u.field.name === "jawOpen"), mouthClose = unknowns.findIndex((u) => u.field.name === "mouthClose");
  const totalVariance = (o.landmarkSdIod * input.interocularPx) ** 2;
  const groups = contourGroups(ids, o.landmarkSdIod * input.interocularPx, o.correlatedNoise);
  const contourOf = new Int32Array(ids.length).fill(-1);
  groups.forEach((group, gi) => group.members.forEach((k) => (contourOf[k] = gi)));
  const c = ids.map((i) => confidence[i]);
  const w = new Float64Array(K);
  const p = new Float64Array(3), J = new Float64Array(6);
  let neutralErrorPx = NaN;
  for (let it = 0; it < o.iterations; it++) {
    const H = new Float64Array(K * K), g = new Float64Array(K);
    // Each contour's members (their rows, residuals at w, precisions) for its shared-offset correction.
    const members = groups.map(() => ({ precisions: [] as number[], rows: [] as Float64Array[], residuals: [] as Float64Array[] }));
    let se = 0;
    ids.forEach((i, k) => {
      const v = lv[i];
      expressedPoint(input.positions, fields, w, v, p);
      const r = projectWithJacobian(camera, p, J);
      r[0] -= lm[3 * i];
      r[1] -= lm[3 * i + 1];
      se += r[0] * r[0] + r[1] * r[1];
      // A = J·D (2 × K): how each weight moves this landmark's projection.
      const A = new Float64Array(2 * K);
      for (let s = 0; s < K; s++) {
        const d = fields[s].delta;
        for (let a = 0; a < 2; a++) A[a * K + s] = J[3 * a] * d[3 * v] + J[3 * a + 1] * d[3 * v + 1] + J[3 * a + 2] * d[3 * v + 2];
      }
      // A landmark on no contour carries the whole variance on its own.
      const group = contourOf[k];
      const precision = c[k] / (group >= 0 ? groups[group].sigma2 : totalVariance);
      // Residual at w = r + A(w' − w): the quadratic in w' has gradient Aᵀ(r − A·w) at 0.
      const rw = Float64Array.from(r);
      for (let a = 0; a < 2; a++) for (let s = 0; s < K; s++) rw[a] -= A[a * K + s] * w[s];
      for (let a = 0; a < 2; a++) {
        for (let s = 0; s < K; s++) {
          const As = A[a * K + s];
          if (As === 0) continue;
          g[s] += precision * As * rw[a];
          for (let t = 0; t < K; t++) H[s * K + t] += precision * As * A[a * K + t];
        }
      }
      if (group >= 0 && precision > 0) {
        members[group].precisions.push(precision);
        members[group].rows.push(A);
        members[group].residuals.push(rw);
      }
    });
    members.forEach((m, gi) => subtractSharedOffset(H, g, K, groups[gi].tau2, m.precisions, m.rows, m.residuals));
    if (it === 0) neutralErrorPx = Math.sqrt(se / ids.length);
    boxLasso(H, g, vars, w, jawOpen, mouthClose, o.backwardElimination, prior);
  }
  let se = 0;
  for (const i of ids) {
    expressedPoint(input.positions, fields, w, lv[i], p);
    const r = projectWithJacobian(camera, p, J);
    se += (r[0] - lm[3 * i]) ** 2 + (r[1] - lm[3 * i + 1]) ** 2;
  }
  const weights = new Float64Array(shapes.length);
  drives.forEach((u, s) => (weights[s] = w[u]));
  const smileReach = Object.fromEntries(reach.map((r, j) => [r.field.name, w[firstReach + j]]));
  return { weights, neutralErrorPx, expressedErrorPx: Math.sqrt(se / ids.length), identityCoefficients: w.slice(unknowns.length, firstReach), smileReach };
}

/**
 * The solve's expression unknowns: one per shape, except that each conjugate gaze pair is one
 * unknown moving both eyes (its field the pair's sum); each with its bounds and Laplace prior
 * (fit/expression-prior.ts). `drives[s]` is the unknown that sets shape s.
 */
function expressionUnknowns(shapes: Blendshape[], o: Required<ExpressionOptions>): { unknowns: { field: Blendshape; variable: Variable }[]; drives: number[] } {
  const activity = shapeActivity();
  const index = new Map(shapes.map((s, k) => [s.name, k]));
  const partner = new Map<number, number>();
  for (const [a, b] of CONJUGATE_GAZE) {
    const [ka, kb] = [index.get(a), index.get(b)];
    if (ka !== undefined && kb !== undefined) partner.set(kb, ka);
  }
  const unknowns: { field: Blendshape; variable: Variable }[] = [];
  const drives = new Array<number>(shapes.length);
  shapes.forEach((shape, k) => {
    if (partner.has(k)) return;
    const mate = [...partner].find(([, lead]) => lead === k)?.[0];
    const field = mate === undefined ? shape : { name: shape.name, delta: sumOf(shape.delta, shapes[mate].delta) };
    const p = activity[ARKIT_BLENDSHAPES.indexOf(shape.name as (typeof ARKIT_BLENDSHAPES)[number])];
    // Spike and slab: at 0 with probability 1 − p, else exponential of mean activeWeight; −log of it is an activation cost log((1 − p)/p) and a slope 1/activeWeight.
    const slope = Number.isNaN(p) ? 1 / o.gazeScale : 1 / o.activeWeight, activation = Number.isNaN(p) ? 0 : Math.max(0, Math.log((1 - p) / p));
    drives[k] = unknowns.length;
    if (mate !== undefined) drives[mate] = unknowns.length;
    unknowns.push({ field, variable: UNOBSERVED.has(shape.name) ? { lo: 0, hi: 0, l1: 0, ridge: 0 } : { lo: 0, hi: 1, l1: slope, ridge: 0, l0: activation } });
  });
  return { unknowns, drives };
}

/** An identity mode's unknown: its bounds (none unless the mode sets them), a Gaussian prior of SD 1. */
function identityVariable(mode: IdentityMode): Variable {
  return { lo: mode.lo ?? -Infinity, hi: mode.hi ?? Infinity, l1: 0, ridge: 1 };
}

function sumOf(a: Float32Array, b: Float32Array): Float32Array {
  const out = Float32Array.from(a);
  for (let i = 0; i < out.length; i++) out[i] += b[i];
  return out;
}

/** positions[v] + Σ w·delta[v] into out. */
function expressedPoint(P: Float32Array, shapes: Blendshape[], w: Float64Array, v: number, out: Float64Array): void {
  for (let a = 0; a < 3; a++) out[a] = P[3 * v + a];
  shapes.forEach((s, k) => {
    if (w[k] === 0) return;
    for (let a = 0; a < 3; a++) out[a] += w[k] * s.delta[3 * v + a];
  });
}

/** Projects p (world) with the camera; J (2 × 3, row-major) gets d(pixel)/d(world). */
function projectWithJacobian(cam: Camera, p: Float64Array, J: Float64Array): [number, number] {
  const R = cam.rotation, t = cam.translation;
  const x = R[0] * p[0] + R[1] * p[1] + R[2] * p[2] + t[0];
  const y = R[3] * p[0] + R[4] * p[1] + R[5] * p[2] + t[1];
  const d = -(R[6] * p[0] + R[7] * p[1] + R[8] * p[2] + t[2]);
  // u = cx + fx·x/d, v = cy − fy·y/d with d = −z: ∂/∂(x, y, z) in camera space, then · R.
  const du = [cam.fx / d, 0, (cam.fx * x) / (d * d)], dv = [0, -cam.fy / d, (-cam.fy * y) / (d * d)];
  for (let k = 0; k < 3; k++) {
    J[k] = du[0] * R[k] + du[1] * R[3 + k] + du[2] * R[6 + k];
    J[3 + k] = dv[0] * R[k] + dv[1] * R[3 + k] + dv[2] * R[6 + k];
  }
  return [cam.cx + (cam.fx * x) / d, cam.cy - (cam.fy * y) / d];
}

/** positions + Σ w·delta over every vertex (a new array). */
export function applyExpression(positions: Float32Array, shapes: Blendshape[], weights: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(positions);
  shapes.forEach((s, k) => {
    const wk = weights[k];
    if (!wk) return;
    for (let i = 0; i < out.length; i++) out[i] += wk * s.delta[i];
  });
  return out;
}

/** Σ w·delta over every vertex (the expression's displacement field). */
export function expressionField(shapes: Blendshape[], weights: ArrayLike<number>): Float32Array {
  return applyExpression(new Float32Array(shapes[0]?.delta.length ?? 0), shapes, weights);
}

const expressiveCache = new WeakMap<TemplateHead, Map<number, Uint8Array>>();

/** Per landmark (478): 1 when some observed shape at weight 1 moves it more than `expressiveM` on the template. Cached per template and threshold. */
export function expressiveLandmarks(head: TemplateHead, expressiveM = EXPRESSION_DEFAULTS.expressiveM): Uint8Array {
  let perHead = expressiveCache.get(head);
  if (!perHead) expressiveCache.set(head, (perHead = new Map()));
  const cached = perHead.get(expressiveM);
  if (cached) return cached;
  const shapes = evaluateBlendshapes(head.mesh.positions, head);
  const lv = head.landmarkVertices;
  const out = new Uint8Array(lv.length);
  for (const s of shapes) {
    if (UNOBSERVED.has(s.name)) continue;
    lv.forEach((v, i) => {
      if (Math.hypot(s.delta[3 * v], s.delta[3 * v + 1], s.delta[3 * v + 2]) > expressiveM) out[i] = 1;
    });
  }
  perHead.set(expressiveM, out);
  return out;
}

/** The weights as a name → value record (4 decimals, zeros left out) for report.json. */
export function weightsRecord(weights: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  ARKIT_BLENDSHAPES.forEach((name, k) => {
    const v = Math.round(weights[k] * 1e4) / 1e4;
    if (v > 0) out[name] = v;
  });
  return out;
}

/** What fit hands the expression step: its warp targets (face landmarks first, then the anchors) and the photo. */
export interface PhotoExpressionInput {
  head: TemplateHead;
  /** fit's targets: the first faceIds.length are the face landmarks, the rest the head anchors. */
  targets: WarpTargets;
  faceIds: number[];
  camera: Camera;
  landmarks: ArrayLike<number>;
  confidence: ArrayLike<number>;
  minConfidence: number;
  interocularPx: number;
}

/** The photo's expression and what the solve read as identity. */
export interface PhotoExpression {
  solve: ExpressionSolve;
  /** The expression's displacement field on the identity-only head, per vertex, metres. */
  field: Float32Array;
  /** The weights as report.json's record. */
  record: Record<string, number>;
  /** Per landmark (478 × 3): the solve's identity (identity-only head + identity modes) as a displacement from the template, metres. */
  identity: Float64Array;
}

/**
 * The photo's expression: weights solved on the identity-only head (warped through the targets
 * of the landmarks no shape moves, and the anchors), and their displacement field on that head
 * (per vertex, metres), which fit subtracts from the face's targets.
 */
export function photoExpression(input: PhotoExpressionInput, options: ExpressionOptions = {}): PhotoExpression {
  const o = { ...EXPRESSION_DEFAULTS, ...options };
  const { head, targets, faceIds } = input;
  const expressive = expressiveLandmarks(head, o.expressiveM);
  const keep = Array.from(targets.lambda, (_, k) => k).filter((k) => k >= faceIds.length || !expressive[faceIds[k]]);
  const pick = (a: Float64Array) => Float64Array.from(keep.flatMap((k) => [a[3 * k], a[3 * k + 1], a[3 * k + 2]]));
  const warp = fitWarp(pick(targets.centres), pick(targets.displacements), Float64Array.from(keep, (k) => targets.lambda[k]));
  const identity = warpedEverywhere(head.mesh.positions, warp);
  const shapes = evaluateBlendshapes(identity, head);
  const ids = Array.from({ length: head.landmarkVertices.length }, (_, i) => i).filter((i) => input.confidence[i] >= input.minConfidence);
  const identityModes = [...lowerFaceModes(identity, head.landmarkVertices), ...(o.lipIdentityModes ? lipModes(identity, head.landmarkVertices) : []), ...heightModes(identity, head.landmarkVertices)];
  // The solve reads the lips as the detector places them (spaced along the contours); the field stays material.
  const seen = o.detectorLips ? detectorView(shapes, identity, head.landmarkVertices) : shapes;
  const solve = solveExpression({ positions: identity, shapes: seen, camera: input.camera, landmarks: input.landmarks, confidence: input.confidence, ids, landmarkVertices: head.landmarkVertices, interocularPx: input.interocularPx, identityModes }, o);
  return { solve, field: expressionField(shapes, solve.weights), record: weightsRecord(solve.weights), identity: identityModel(head, identity, identityModes, solve.identityCoefficients) };
}

/** Per landmark (478 × 3), the solve's identity: the identity-only head plus its identity modes at their solved coefficients, as a displacement from the template (metres). */
function identityModel(head: TemplateHead, identity: Float32Array, modes: Blendshape[], coefficients: Float64Array): Float64Array {
  const pos = head.mesh.positions, lv = head.landmarkVertices;
  const out = new Float64Array(lv.length * 3);
  lv.forEach((v, i) => {
    for (let c = 0; c < 3; c++) out[3 * i + c] = identity[3 * v + c] - pos[3 * v + c] + modes.reduce((s, m, k) => s + coefficients[k] * m.delta[3 * v + c], 0);
  });
  return out;
}

/** Every vertex moved by the warp (eyeballs too: the lids' shapes read the globes' centres). */
function warpedEverywhere(positions: Float32Array, warp: Warp): Float32Array {
  const out = Float32Array.from(positions);
  const d = new Float64Array(3);
  for (let v = 0; v < positions.length / 3; v++) {
    warpAt(warp, positions[3 * v], positions[3 * v + 1], positions[3 * v + 2], d);
    for (let c = 0; c < 3; c++) out[3 * v + c] += d[c];
  }
  return out;
}

/** The fitted neutral head's 52 shapes (evaluated on it) and the head as photographed: neutral + Σ w·shape. */
export function photographedHead(neutral: Float32Array, head: TemplateHead, weights: ArrayLike<number>): { shapes: Blendshape[]; positions: Float32Array } {
  const shapes = evaluateBlendshapes(neutral, head);
  return { shapes, positions: applyExpression(neutral, shapes, weights) };
}
