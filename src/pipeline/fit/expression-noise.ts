/**
 * The expression solve's landmark noise: the face-mesh regressor places each contour (a lip line,
 * a lid margin, a brow, the jaw, an iris) as a whole, so its errors along one contour move
 * together. Each contour's points share a random 2D offset (SD τ per axis) on top of their own
 * independent error (SD σ per axis): per axis the contour's covariance is diag(σ²/c) + τ²·11ᵀ
 * (c: the landmark's confidence). Its inverse, by Sherman–Morrison, is
 *   D − β·(D1)(D1)ᵀ,  D = diag(c/σ²),  β = τ² / (1 + τ²·Σc/σ²),
 * so the solve stays O(n) per contour: a whole contour displaced by the detector costs one shared
 * offset, not n independent misfits, and an expression must explain the contour's *shape*.
 *
 * σ² + τ² is the published per-landmark error (LANDMARK_SD_IOD); the share τ² / (σ² + τ²) is the
 * detector's own, per contour: measured from its disagreement between a photo and its mirror
 * image (eval/landmark-noise.ts), a lower bound (an error the detector makes on both is not seen).
 *
 *   const groups = contourGroups(ids, sdPx);   // per group, after the independent terms: subtractSharedOffset(H, g, K, group.tau2, …)
 */
import { FACE_LANDMARKS_M } from "../../geometry/data/canonical-face.ts";
import {
  FACE_OVAL, LEFT_BROW, LEFT_EYE_CONTOUR, LEFT_EYE_LOWER_LID, LEFT_IRIS, LIPS_OUTER, MOUTH_INNER, NOSE_TIP, RIGHT_BROW, RIGHT_EYE_CONTOUR, RIGHT_EYE_LOWER_LID, RIGHT_IRIS,
} from "../../primitives/face-topology.ts";

/** A contour whose landmarks the detector places together. */
export interface LandmarkContour {
  name: string;
  /** Landmark indices (into the 478). */
  ids: number[];
  /**
   * Share of a member's error variance the contour shares, τ² / (σ² + τ²), per axis: the
   * face-mesh model's disagreement with itself between a photo and its mirror image over 13 photos
   * (eval/landmark-noise.ts, 2026-12-06; pooled over the contours 0.47). A lower bound.
   */
  sharedVariance: number;
}

const upperLid = (contour: number[], lower: number[]) => contour.filter((i) => !lower.includes(i));

/**
 * The contours: each lip line, each lid margin (lower lid with its corners, upper lid between
 * them), each brow, the jaw (the face oval below the nose tip). Disjoint. The two sides'
 * measured shares are averaged (the detector has no reason to differ by side; the difference, up
 * to 0.37 on the brows, is the 13 photos' sampling error).
 */
export const LANDMARK_CONTOURS: LandmarkContour[] = [
  { name: "lipsOuter", ids: LIPS_OUTER, sharedVariance: 0.6 },
  { name: "lipsInner", ids: MOUTH_INNER, sharedVariance: 0.55 },
  { name: "rightLowerLid", ids: RIGHT_EYE_LOWER_LID, sharedVariance: 0.7 },
  { name: "rightUpperLid", ids: upperLid(RIGHT_EYE_CONTOUR, RIGHT_EYE_LOWER_LID), sharedVariance: 0.73 },
  { name: "leftLowerLid", ids: LEFT_EYE_LOWER_LID, sharedVariance: 0.7 },
  { name: "leftUpperLid", ids: upperLid(LEFT_EYE_CONTOUR, LEFT_EYE_LOWER_LID), sharedVariance: 0.73 },
  { name: "rightBrow", ids: RIGHT_BROW, sharedVariance: 0.4 },
  { name: "leftBrow", ids: LEFT_BROW, sharedVariance: 0.4 },
  { name: "jaw", ids: FACE_OVAL.filter((i) => FACE_LANDMARKS_M[3 * i + 1] < FACE_LANDMARKS_M[3 * NOSE_TIP + 1]), sharedVariance: 0.54 },
];

/**
 * The irises are measured too (shared share 0.96 / 0.92: the iris model places a rigid circle) but
 * stay independent in the solve: an iris's offset is the only measurement of gaze, and with it
 * discounted the solve turned antagonist gaze pairs (up + down at once) to fit the iris's size,
 * which is identity (9 probe photos, 2026-12-06).
 */
export const IRIS_CONTOURS: LandmarkContour[] = [
  { name: "rightIris", ids: RIGHT_IRIS, sharedVariance: 0.94 },
  { name: "leftIris", ids: LEFT_IRIS, sharedVariance: 0.94 },
];

/** One contour's members in the solve and its noise. */
export interface ContourGroup {
  /** Positions into the solve's `ids` of the contour's fitted members. */
  members: number[];
  /** Per-axis independent variance of a fully confident member, pixels². */
  sigma2: number;
  /** Per-axis variance of the contour's shared offset, pixels². */
  tau2: number;
}

/**
 * The contour grouping of the fitted landmarks `ids` for a total per-axis SD of one landmark
 * (pixels), split by each contour's measured share; `correlated: false` leaves every landmark
 * independent (no groups). Contours with fewer than 2 fitted members are dropped.
 */
export function contourGroups(ids: number[], totalSdPx: number, correlated = true): ContourGroup[] {
  if (!correlated) return [];
  const at = new Map(ids.map((i, k) => [i, k]));
  const total = totalSdPx * totalSdPx;
  return LANDMARK_CONTOURS.map((c) => ({ members: c.ids.flatMap((i) => (at.has(i) ? [at.get(i)!] : [])), sigma2: (1 - c.sharedVariance) * total, tau2: c.sharedVariance * total })).filter((g) => g.members.length >= 2);
}

/**
 * Adds one contour's Sherman–Morrison correction to the normal equations (H, g: K × K and K):
 * H −= β·Σ_a s_a s_aᵀ and g −= β·Σ_a s_a·q_a, where per axis a, s_a = Σ d_i·A_i[a] (K) and
 * q_a = Σ d_i·r_i[a], d_i the landmark's precision c_i/σ². `rows[m]` is member m's A (2 × K,
 * row-major), `residuals[m]` its residual (2).
 */
export function subtractSharedOffset(H: Float64Array, g: Float64Array, K: number, tau2: number, precisions: number[], rows: Float64Array[], residuals: Float64Array[]): void {
  if (tau2 === 0 || rows.length === 0) return;
  const D = precisions.reduce((s, d) => s + d, 0);
  const beta = tau2 / (1 + tau2 * D);
  const s = new Float64Array(K);
  for (let a = 0; a < 2; a++) {
    s.fill(0);
    let q = 0;
    rows.forEach((A, m) => {
      const d = precisions[m];
      for (let k = 0; k < K; k++) s[k] += d * A[a * K + k];
      q += d * residuals[m][a];
    });
    for (let k = 0; k < K; k++) {
      if (s[k] === 0) continue;
      g[k] -= beta * s[k] * q;
      for (let t = 0; t < K; t++) H[k * K + t] -= beta * s[k] * s[t];
    }
  }
}
