/**
 * The rigid part of fit: a similarity (Procrustes) from the template's landmark vertices to the
 * photo's 3D landmarks gives rotation and scale; a pinhole camera with a chosen focal length puts
 * the head at the depth that scale implies; Gauss–Newton on the 2D reprojection error then
 * refines rotation and translation under perspective.
 */
import { fitSimilarity, quaternionToMatrix } from "../../geometry/procrustes.ts";
import { solveDense } from "../../geometry/linear-solve.ts";
import type { Camera } from "../../types.ts";

/** Photo landmarks (px, y down, z toward camera negative) → right-handed pixel-scaled 3D. */
export function landmarksRightHanded(lm: ArrayLike<number>, ids: number[]): Float64Array {
  const out = new Float64Array(ids.length * 3);
  ids.forEach((i, k) => {
    out[3 * k] = lm[3 * i];
    out[3 * k + 1] = -lm[3 * i + 1];
    out[3 * k + 2] = -lm[3 * i + 2];
  });
  return out;
}

/** Projects world point p with the camera into out (pixels); returns the depth (−Z). */
export function project(cam: Camera, p: ArrayLike<number>, out: Float64Array, o = 0): number {
  const R = cam.rotation, t = cam.translation;
  const x = R[0] * p[o] + R[1] * p[o + 1] + R[2] * p[o + 2] + t[0];
  const y = R[3] * p[o] + R[4] * p[o + 1] + R[5] * p[o + 2] + t[1];
  const z = R[6] * p[o] + R[7] * p[o + 1] + R[8] * p[o + 2] + t[2];
  out[0] = cam.cx + (cam.fx * x) / -z;
  out[1] = cam.cy - (cam.fy * y) / -z;
  return -z;
}

/**
 * Initial camera from a weighted similarity fit: `points` (template, metres) ↔ `targets`
 * (right-handed pixels). The head sits at depth f / scale, its centroid on the targets' centroid ray.
 */
export function cameraFromSimilarity(points: Float64Array, targets: Float64Array, weights: Float64Array, width: number, height: number, focalPx: number): { camera: Camera; scale: number } {
  const sim = fitSimilarity(points, targets, weights);
  const n = points.length / 3;
  let W = 0;
  const cw = [0, 0, 0], ct = [0, 0];
  for (let i = 0; i < n; i++) {
    W += weights[i];
    for (let k = 0; k < 3; k++) cw[k] += weights[i] * points[3 * i + k];
    ct[0] += weights[i] * targets[3 * i];
    ct[1] += weights[i] * -targets[3 * i + 1];
  }
  for (let k = 0; k < 3; k++) cw[k] /= W;
  ct[0] /= W;
  ct[1] /= W;
  const depth = focalPx / sim.scale;
  const cx = width / 2, cy = height / 2;
  const R = sim.rotation;
  const target = [((ct[0] - cx) * depth) / focalPx, ((cy - ct[1]) * depth) / focalPx, -depth];
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) translation[r] = target[r] - (R[3 * r] * cw[0] + R[3 * r + 1] * cw[1] + R[3 * r + 2] * cw[2]);
  return { camera: { width, height, fx: focalPx, fy: focalPx, cx, cy, rotation: Float64Array.from(R), translation }, scale: sim.scale };
}

/** Weighted RMS reprojection error (pixels) of `points` against 2D `pixels` (x, y per point). */
export function reprojectionRms(cam: Camera, points: Float64Array, pixels: Float64Array, weights: Float64Array): number {
  const q = new Float64Array(2);
  let s = 0, W = 0;
  for (let i = 0; i < points.length / 3; i++) {
    project(cam, points, q, 3 * i);
    s += weights[i] * ((q[0] - pixels[2 * i]) ** 2 + (q[1] - pixels[2 * i + 1]) ** 2);
    W += weights[i];
  }
  return Math.sqrt(s / W);
}

/** Gauss–Newton refinement of rotation (small-angle updates) and translation under perspective. */
export function refinePose(cam: Camera, points: Float64Array, pixels: Float64Array, weights: Float64Array, iterations = 10): Camera {
  return refine(cam, points, pixels, weights, iterations, false, { scaleX: 1, scaleY: 1 }).camera;
}

/**
 * As refinePose, and the points' own width-to-height ratio too (x scaled by e^a, y by e^−a in the
 * model frame; 1 = as given): the pose of a face broader or longer for its size than the points, so
 * that what is left of the misfit is not the face's proportions. Only the ratio: a common scale of
 * x and y against z is the face's depth, which a single view cannot tell from the camera's distance.
 */
export function refinePoseAndProportions(cam: Camera, points: Float64Array, pixels: Float64Array, weights: Float64Array, iterations = 10, start = { scaleX: 1, scaleY: 1 }): { camera: Camera; scaleX: number; scaleY: number; rms: number } {
  return refine(cam, points, pixels, weights, iterations, true, start);
}

interface PoseState {
  camera: Camera;
  scaleX: number;
  scaleY: number;
}

function refine(cam: Camera, points: Float64Array, pixels: Float64Array, weights: Float64Array, iterations: number, proportions: boolean, start: { scaleX: number; scaleY: number }): PoseState & { rms: number } {
  const dofs = proportions ? 7 : 6;
  const n = points.length / 3;
  const q = new Float64Array(2), q2 = new Float64Array(2), p = new Float64Array(3);
  const apply = (st: PoseState, d: ArrayLike<number>): PoseState => {
    const c = st.camera;
    const [wx, wy, wz] = [d[0], d[1], d[2]];
    const angle = Math.hypot(wx, wy, wz);
    const dR = angle > 0 ? quaternionToMatrix(Math.cos(angle / 2), (Math.sin(angle / 2) * wx) / angle, (Math.sin(angle / 2) * wy) / angle, (Math.sin(angle / 2) * wz) / angle) : quaternionToMatrix(1, 0, 0, 0);
    const R = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) R[3 * r + k] = dR[3 * r] * c.rotation[k] + dR[3 * r + 1] * c.rotation[3 + k] + dR[3 * r + 2] * c.rotation[6 + k];
    const t = Float64Array.from(c.translation);
    for (let k = 0; k < 3; k++) t[k] += d[3 + k];
    return { camera: { ...c, rotation: R, translation: t }, scaleX: dofs > 6 ? st.scaleX * Math.exp(d[6]) : st.scaleX, scaleY: dofs > 6 ? st.scaleY * Math.exp(-d[6]) : st.scaleY };
  };
  const projectScaled = (st: PoseState, i: number, out: Float64Array) => {
    p[0] = points[3 * i] * st.scaleX;
    p[1] = points[3 * i + 1] * st.scaleY;
    p[2] = points[3 * i + 2];
    project(st.camera, p, out);
  };
  const rms = (st: PoseState) => {
    let s = 0, W = 0;
    for (let i = 0; i < n; i++) {
      projectScaled(st, i, q);
      s += weights[i] * ((q[0] - pixels[2 * i]) ** 2 + (q[1] - pixels[2 * i + 1]) ** 2);
      W += weights[i];
    }
    return Math.sqrt(s / W);
  };
  let cur: PoseState = { camera: cam, scaleX: start.scaleX, scaleY: start.scaleY };
  let curRms = rms(cur);
  const eps = 1e-5;
  let damping = 1e-6;
  for (let it = 0; it < iterations; it++) {
    const JtJ = new Float64Array(dofs * dofs), Jtr = new Float64Array(dofs);
    const perturbed = Array.from({ length: dofs }, (_, k) => apply(cur, Array.from({ length: dofs }, (_, j) => (j === k ? eps : 0))));
    const J0 = new Float64Array(dofs), J1 = new Float64Array(dofs);
    for (let i = 0; i < n; i++) {
      if (!(weights[i] > 0)) continue;
      projectScaled(cur, i, q);
      const r0 = q[0] - pixels[2 * i], r1 = q[1] - pixels[2 * i + 1];
      for (let k = 0; k < dofs; k++) {
        projectScaled(perturbed[k], i, q2);
        J0[k] = (q2[0] - q[0]) / eps;
        J1[k] = (q2[1] - q[1]) / eps;
      }
      for (let a = 0; a < dofs; a++) {
        for (let b = 0; b < dofs; b++) JtJ[dofs * a + b] += weights[i] * (J0[a] * J0[b] + J1[a] * J1[b]);
        Jtr[a] += weights[i] * (J0[a] * r0 + J1[a] * r1);
      }
    }
    // Levenberg–Marquardt: the Gauss–Newton step, damped further each time it would not lower the misfit.
    let improved = false;
    for (let tries = 0; tries < 6 && !improved; tries++, damping *= 10) {
      const A = Float64Array.from(JtJ);
      for (let a = 0; a < dofs; a++) A[(dofs + 1) * a] = JtJ[(dofs + 1) * a] * (1 + damping) + 1e-300;
      const step = solveDense(A, dofs, Jtr, 1).map((v) => -v);
      if (!step.every(Number.isFinite)) continue;
      const next = apply(cur, step);
      const nextRms = rms(next);
      if (nextRms < curRms) {
        cur = next;
        curRms = nextRms;
        improved = true;
      }
    }
    if (!improved) break;
    damping = Math.max(1e-6, damping / 100);
  }
  return { ...cur, rms: curRms };
}
