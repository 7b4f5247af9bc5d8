/**
 * The far side of the head from the face's own proportions: the photo's face is measured, the
 * survey covariances predict the vault, jaw and neck from it (src/geometry/head-prediction.ts),
 * and anchors on the scalp and neck carry that prediction into fit's warp.
 *
 * Metric reference (assumption): the template's face is the mean face, sized at the mean
 * inter-pupillary distance (src/geometry/data/canonical-face.ts), and a photo cannot tell a small
 * near face from a large far one. So the photo's 3D landmarks are brought onto the template's by
 * a similarity (rotation, translation, one scale); the ratios of their dimensions to the
 * template's are the face's proportions, its overall size is left unknown (the prediction
 * ignores the common scale), and the head comes out at the template's size with the predicted
 * proportions. Measuring on the landmarks rather than on the warped mesh keeps the measure in the
 * frame the template face was averaged in.
 */
import { FACE_LANDMARKS_M } from "../../geometry/data/canonical-face.ts";
import { HEAD_NORMS, headFrame } from "../../geometry/head-shape.ts";
import { HEAD_INDEX, predictHeadFromFace, predictHeadFromFaceAndSex, type HeadPrediction } from "../../geometry/head-prediction.ts";
import { headProportionField, type HeadProportions } from "../../geometry/head-proportions.ts";
import { applySimilarity, fitSimilarity } from "../../geometry/procrustes.ts";
import { CHIN, LEFT_CHEEK_EDGE, LEFT_IRIS_START, NOSE_ROOT, RIGHT_CHEEK_EDGE, RIGHT_IRIS_START } from "../../primitives/face-topology.ts";
import type { TemplateHead } from "../../types.ts";
import { landmarksRightHanded } from "./pose.ts";

/**
 * Landmark pairs whose distance stands for each survey face dimension (FACE_DIMENSIONS order):
 * bizygomatic breadth ↔ the face-oval points at the cheek edge in front of the ears; menton–sellion
 * ↔ nasal root to chin bottom; inter-pupillary breadth ↔ the iris centres.
 */
const FACE_PAIRS: [number, number][] = [
  [RIGHT_CHEEK_EDGE, LEFT_CHEEK_EDGE],
  [NOSE_ROOT, CHIN],
  [RIGHT_IRIS_START, LEFT_IRIS_START],
];

/**
 * Per-axis SD of one landmark, as a fraction of the inter-pupillary distance: the face-mesh model's
 * mean absolute landmark error is 3.96 % of the interocular distance (Kartynnik et al. 2019,
 * arXiv:1907.06724, as quoted by its summaries; the paper not re-read); for an isotropic 2D
 * Gaussian the mean distance is σ·√(π/2).
 */
export const LANDMARK_SD_IOD = 0.0396 / Math.sqrt(Math.PI / 2);

export interface FaceProportions {
  /** ln(photo ÷ template) of each face dimension (FACE_DIMENSIONS order). */
  logRatio: number[];
  /** Measurement SD of each (ln units). */
  noiseLogSd: number[];
}

const dist = (p: ArrayLike<number>, a: number, b: number) => Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);

/**
 * The face's proportions from the photo's 478 landmarks (pixels, capture's convention) and their
 * confidence: similarity onto the template's face over the mesh landmarks (weighted by
 * confidence), then each dimension against the template's. A dimension whose landmarks are less
 * confident is noisier (SD ÷ √confidence).
 */
export function measureFaceProportions(landmarks: ArrayLike<number>, confidence: ArrayLike<number>, minConfidence: number, landmarkSdIod = LANDMARK_SD_IOD): FaceProportions {
  const ids = Array.from({ length: FACE_LANDMARKS_M.length / 3 }, (_, i) => i);
  const mesh = ids.filter((i) => i < RIGHT_IRIS_START && confidence[i] >= minConfidence);
  const template = Float64Array.from(mesh.flatMap((i) => [FACE_LANDMARKS_M[3 * i], FACE_LANDMARKS_M[3 * i + 1], FACE_LANDMARKS_M[3 * i + 2]]));
  const sim = fitSimilarity(landmarksRightHanded(landmarks, mesh), template, mesh.map((i) => confidence[i]));
  const aligned = applySimilarity(sim, landmarksRightHanded(landmarks, ids));
  const ipd = dist(FACE_LANDMARKS_M, RIGHT_IRIS_START, LEFT_IRIS_START);
  // A distance between two landmarks carries both their errors: SD √2·σ.
  const sd = Math.SQRT2 * landmarkSdIod * ipd;
  return {
    logRatio: FACE_PAIRS.map(([a, b]) => Math.log(dist(aligned, a, b) / dist(FACE_LANDMARKS_M, a, b))),
    noiseLogSd: FACE_PAIRS.map(([a, b]) => sd / dist(FACE_LANDMARKS_M, a, b) / Math.sqrt(Math.max(1e-2, Math.min(1, confidence[a], confidence[b])))),
  };
}

/** The head's proportions (ratios to the template's) from a prediction. */
export function proportionsOf(prediction: HeadPrediction): HeadProportions {
  const k = (d: keyof typeof HEAD_INDEX) => Math.exp(prediction.logRatio[HEAD_INDEX[d]]);
  return {
    breadth: k("headbreadth"),
    length: k("headlength"),
    height: k("tragiontopofhead"),
    // The arc from tragion to tragion under the jaw: the jaw region's girth.
    jaw: k("bitragionsubmandibulararc"),
    neck: k("neckcircumference"),
    neckBase: k("neckcircumferencebase"),
  };
}

/**
 * A metric reading of the face's size (the iris, fit/intrinsics.ts) and the scale the fitted head
 * is finally given (`metricScale`): with it the head is predicted from the face's size as well as
 * its proportions, then expressed against a face at the template's size, since the fit warps the
 * face at that size and scales the whole head last.
 */
export interface FaceSizeReading {
  /** ln(the face's size ÷ the template's) the reading implies. */
  logRatio: number;
  /** Its SD, ln units. */
  sdLn: number;
  /** ln of the scale the fitted head is given at the end. */
  headLogScale: number;
}

/**
 * Predicts the head's proportions from the photo's landmarks (see measureFaceProportions) and,
 * when given, the face's metric size and its apparent sex (probability it is a man's; absent: the
 * sexes pooled); the proportions are against the template's head with the face at the template's size.
 */
export function predictHeadProportions(landmarks: ArrayLike<number>, confidence: ArrayLike<number>, minConfidence: number, landmarkSdIod = LANDMARK_SD_IOD, size?: FaceSizeReading, maleProbability?: number): { face: FaceProportions; proportions: HeadProportions; prediction: HeadPrediction } {
  const face = measureFaceProportions(landmarks, confidence, minConfidence, landmarkSdIod);
  const predict = (logRatio: number[], scaleSd?: number) => (maleProbability === undefined ? predictHeadFromFace(logRatio, face.noiseLogSd, scaleSd) : predictHeadFromFaceAndSex(logRatio, maleProbability, face.noiseLogSd, scaleSd));
  if (!size) {
    const prediction = predict(face.logRatio);
    return { face, proportions: proportionsOf(prediction), prediction };
  }
  const metric = predict(face.logRatio.map((r) => r + size.logRatio), size.sdLn);
  const prediction = { ...metric, logRatio: metric.logRatio.map((r) => r - size.headLogScale) };
  return { face, proportions: proportionsOf(prediction), prediction };
}

/** Displacement (template frame, metres) of each anchor under the proportions, plus a common shift; xyz per anchor. */
export function anchorDisplacements(head: TemplateHead, anchors: number[], proportions: HeadProportions, shift: ArrayLike<number>): Float64Array {
  const field = headProportionField(headFrame(), proportions);
  const p = head.mesh.positions, out = new Float64Array(anchors.length * 3), d = [0, 0, 0];
  anchors.forEach((v, a) => {
    field(p[3 * v], p[3 * v + 1], p[3 * v + 2], d);
    for (let c = 0; c < 3; c++) out[3 * a + c] = d[c] + shift[c];
  });
  return out;
}

/** Predicted head dimensions in millimetres at the template's size, for logs and reports. */
export function predictedHeadMm(proportions: HeadProportions): { breadth: number; length: number; tragionToVertex: number; neckCircumference: number } {
  return {
    breadth: 1000 * HEAD_NORMS.headBreadth * proportions.breadth,
    length: 1000 * HEAD_NORMS.headLength * proportions.length,
    tragionToVertex: 1000 * HEAD_NORMS.tragionToVertex * proportions.height,
    neckCircumference: 1000 * HEAD_NORMS.neckCircumference * proportions.neck,
  };
}
