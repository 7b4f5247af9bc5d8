/**
 * Head pose from the 3-D landmarks, and per-landmark visibility from local surface normals.
 *
 * Frame: X right, Y up, Z toward the camera (image y and MediaPipe z flipped). The pose is the
 * rotation of a similarity (Procrustes) fit of the canonical face (src/geometry/data, the face of
 * the template head) to the photo's 468 mesh landmarks, taken relative to the canonical face set
 * level in the Frankfort plane (`frankfortPitch`, src/geometry/head-shape.ts). From its forward
 * (out of the face) axis f and the subject's-left axis l:
 * - yaw   = atan2(f.x, f.z): > 0 when the subject turns to their left (nose toward image right);
 * - pitch = atan2(f.y, |f.xz|): > 0 when the subject looks up;
 * - roll  = atan2(l.y, l.x): > 0 when the subject's left eye is higher (head tilted toward their right shoulder).
 */
import { FACE_LANDMARKS_M } from "../../geometry/data/canonical-face.ts";
import { frankfortPitch } from "../../geometry/head-shape.ts";
import { fitSimilarity } from "../../geometry/procrustes.ts";
import type { HeadPose } from "../../types.ts";
import * as T from "../../primitives/face-topology.ts";

import { add, cross, dot, normalizeOrZero as unit, scale, sub, type Vec3 as V3 } from "../../primitives/vec3.ts";

/** Landmark i in the Y-up, Z-toward-camera frame. */
function point(lm: Float32Array, i: number): V3 {
  return [lm[i * 3], -lm[i * 3 + 1], -lm[i * 3 + 2]];
}

const DEG = 180 / Math.PI;
const MESH_POINTS = T.MESH_LANDMARK_COUNT;

/** Yaw, pitch, roll (degrees) of a head whose forward axis is f and subject's-left axis is l (camera frame). */
function anglesOf(f: V3, l: V3): HeadPose {
  return {
    yawDeg: Math.atan2(f[0], f[2]) * DEG,
    pitchDeg: Math.atan2(f[1], Math.hypot(f[0], f[2])) * DEG,
    rollDeg: Math.atan2(l[1], l[0]) * DEG,
  };
}

/** How far the canonical face turns nose-down to sit level in the Frankfort plane, radians (see src/geometry/head-shape.ts). */
export const frankfortPitchRad = frankfortPitch;

/**
 * Yaw, pitch and roll of the head, degrees (conventions in the file header): the rotation of the
 * similarity that best maps the canonical face's 468 landmarks onto the photo's (x, y, z), so
 * every landmark votes and no single line (chin→forehead, eye corners) sets an axis.
 */
export function headPose(lm: Float32Array): HeadPose {
  const src = FACE_LANDMARKS_M.subarray(0, MESH_POINTS * 3);
  const dst = new Float64Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) dst.set(point(lm, i), 3 * i);
  const R = fitSimilarity(src, dst).rotation;
  // Level-head coordinates are Rx(φ)·canonical (φ nose-down), so the level head's axes in the
  // camera frame are R·Rx(φ)ᵀ·e: forward (0, sin φ, cos φ) and left (1, 0, 0) in canonical terms.
  const phi = frankfortPitchRad();
  const col = (k: number): V3 => [R[k], R[3 + k], R[6 + k]];
  const [ex, ey, ez] = [col(0), col(1), col(2)];
  const forward = add(scale(ey, Math.sin(phi)), scale(ez, Math.cos(phi)));
  return anglesOf(forward, ex);
}

/**
 * The pose from landmark lines alone (no face data): the left axis from symmetric pairs, the up
 * axis from the chin→forehead line. Reads about 2.8° more nose-down than `headPose` on the same
 * face (the canonical face's outline frame; see `frankfortPitch`). scripts/build-canonical-face.ts
 * selects its near-frontal photos with it, so that the canonical face never depends on itself.
 */
export function landmarkAxesPose(lm: Float32Array): HeadPose {
  const pairs: [number, number][] = [
    [T.RIGHT_EYE_OUTER, T.LEFT_EYE_OUTER],
    [T.RIGHT_EYE_INNER, T.LEFT_EYE_INNER],
    [T.RIGHT_CHEEK_EDGE, T.LEFT_CHEEK_EDGE],
    [T.MOUTH_RIGHT, T.MOUTH_LEFT],
  ];
  let left: V3 = [0, 0, 0];
  for (const [r, l] of pairs) left = add(left, unit(sub(point(lm, l), point(lm, r))));
  left = unit(left);
  const up = unit(sub(point(lm, T.FOREHEAD_TOP), point(lm, T.CHIN)));
  const forward = unit(cross(left, up));
  return anglesOf(forward, left);
}

/**
 * How much each of the 468 mesh points faces the camera, 0..1: the normal of a plane fitted to
 * its 8 nearest neighbours, oriented outwards (away from the mesh centroid), scored by its
 * component toward the camera (0 at ≤ 0.05, 1 at ≥ 0.3, i.e. from ~87° to ~73° off-axis).
 */
export function facingCamera(lm: Float32Array): Float32Array {
  const n = T.MESH_LANDMARK_COUNT;
  const pts = Array.from({ length: n }, (_, i) => point(lm, i));
  const centroid = scale(pts.reduce(add, [0, 0, 0] as V3), 1 / n);
  const out = new Float32Array(n);
  const K = 9; // the point itself and its 8 nearest neighbours
  const near = new Int32Array(K);
  const nearD = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    nearD.fill(Infinity);
    for (let j = 0; j < n; j++) {
      const d = sub(pts[j], pts[i]);
      const dist = dot(d, d);
      if (dist >= nearD[K - 1]) continue;
      // Insertion into the sorted top-K list.
      let k = K - 1;
      while (k > 0 && nearD[k - 1] > dist) {
        nearD[k] = nearD[k - 1];
        near[k] = near[k - 1];
        k--;
      }
      nearD[k] = dist;
      near[k] = j;
    }
    const c = scale(Array.from(near, (j) => pts[j]).reduce(add, [0, 0, 0] as V3), 1 / K);
    // The plane normal: the covariance's smallest-eigenvalue direction.
    const cov = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const j of near) {
      const d = sub(pts[j], c);
      for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) cov[r * 3 + k] += d[r] * d[k];
    }
    const normal = smallestEigenvector(cov);
    const outward = dot(normal, sub(pts[i], centroid)) < 0 ? scale(normal, -1) : normal;
    out[i] = Math.max(0, Math.min(1, (outward[2] - 0.05) / 0.25));
  }
  return out;
}

/** Eigenvector of the smallest eigenvalue of a symmetric 3×3 matrix (row-major). */
function smallestEigenvector(m: number[]): V3 {
  const trace = m[0] + m[4] + m[8];
  // Shift so the smallest eigenvalue becomes the largest in magnitude, then power-iterate.
  const s = trace;
  const a = m.map((v, i) => (i % 4 === 0 ? s - v : -v));
  let v: V3 = [0.3, 0.5, 0.8];
  for (let it = 0; it < 50; it++) {
    v = unit([a[0] * v[0] + a[1] * v[1] + a[2] * v[2], a[3] * v[0] + a[4] * v[1] + a[5] * v[2], a[6] * v[0] + a[7] * v[1] + a[8] * v[2]]);
  }
  return v;
}
