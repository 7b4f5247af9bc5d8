/**
 * The rigid part of fit: a similarity (Procrustes) from the template's landmark vertices to the
 * photo's 3D landmarks gives rotation and scale; a pinhole camera with a chosen focal length puts
 * the head at the depth that scale implies; Gauss–Newton on the 2D reprojection error then
 * refines rotation and translation under perspective.
 */
import { fitSimilarity, quaternionToMatrix } from "../../geometry/procrustes.ts";
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
  let cur = cam;
  const n = points.length / 3;
  const q = new Float64Array(2), q2 = new Float64Array(2);
  const apply = (c: Camera, d: number[]): Camera => {
    const [wx, wy, wz] = d;
    const angle = Math.hypot(wx, wy, wz);
    const dR = angle > 0 ? quaternionToMatrix(Math.cos(angle / 2), (Math.sin(angle / 2) * wx) / angle, (Math.sin(angle / 2) * wy) / angle, (Math.sin(angle / 2) * wz) / angle) : quaternionToMatrix(1, 0, 0, 0);
    const R = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) R[3 * r + k] = dR[3 * r] * c.rotation[k] + dR[3 * r + 1] * c.rotation[3 + k] + dR[3 * r + 2] * c.rotation[6 + k];
    const t = Float64Array.from(c.translation);
    for (let k = 0; k < 3; k++) t[k] += d[3 + k];
    return { ...c, rotation: R, translation: t };
  };
  for (let it = 0; it < iterations; it++) {
    const JtJ = new Float64Array(36), Jtr = new Float64Array(6);
    const eps = [1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5];
    const perturbed = eps.map((e, k) => apply(cur, [0, 1, 2, 3, 4, 5].map((j) => (j === k ? e : 0))));
    for (let i = 0; i < n; i++) {
      if (!(weights[i] > 0)) continue;
      project(cur, points, q, 3 * i);
      const r = [q[0] - pixels[2 * i], q[1] - pixels[2 * i + 1]];
      const J: number[][] = [[], []];
      for (let k = 0; k < 6; k++) {
        project(perturbed[k], points, q2, 3 * i);
        J[0].push((q2[0] - q[0]) / eps[k]);
        J[1].push((q2[1] - q[1]) / eps[k]);
      }
      for (let a = 0; a < 6; a++) {
        for (let b = 0; b < 6; b++) JtJ[6 * a + b] += weights[i] * (J[0][a] * J[0][b] + J[1][a] * J[1][b]);
        Jtr[a] += weights[i] * (J[0][a] * r[0] + J[1][a] * r[1]);
      }
    }
    for (let a = 0; a < 6; a++) JtJ[7 * a] *= 1 + 1e-6;
    const step = solve6(JtJ, Jtr).map((v) => -v);
    const next = apply(cur, step);
    if (reprojectionRms(next, points, pixels, weights) >= reprojectionRms(cur, points, pixels, weights)) break;
    cur = next;
  }
  return cur;
}

function solve6(A: Float64Array, b: Float64Array): number[] {
  const M = Array.from({ length: 6 }, (_, r) => [...A.subarray(6 * r, 6 * r + 6), b[r]]);
  for (let c = 0; c < 6; c++) {
    let p = c;
    for (let r = c + 1; r < 6; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    if (Math.abs(M[c][c]) < 1e-300) return [0, 0, 0, 0, 0, 0];
    for (let r = c + 1; r < 6; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k < 7; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(6).fill(0);
  for (let r = 5; r >= 0; r--) {
    let s = M[r][6];
    for (let k = r + 1; k < 6; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}
