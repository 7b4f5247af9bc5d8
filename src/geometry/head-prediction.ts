/**
 * The far side of the head predicted from the face: the conditional Gaussian of ANSUR II's log
 * head dimensions given its log face dimensions [S1] (src/geometry/data/head-regression.ts,
 * built by scripts/anthropometry-regression.ts), with the face measured through noise.
 *
 * Measurement model: the face dimensions are seen as y = x + s·1 + e, where x are the true log
 * dimensions, e independent noise (landmark error) and s the error of the face's common log scale.
 * A photo's landmarks alone cannot know that scale (the pinhole scale trades size for distance):
 * then s gets a very wide prior, the prediction uses the face's proportions only and returns the
 * head at the survey's mean size. With a metric reading of the face's size (the iris), y carries
 * that size and s is the reading's error, so a larger face predicts a larger head by the survey's
 * allometry, not in proportion. The noise shrinks the prediction toward the mean head as far as
 * the measurement is unsure.
 *
 *   const p = predictHeadFromFace([0.02, -0.01, 0]);   // face 2 % wider, 1 % shorter than the mean
 *   Math.exp(p.logRatio[HEAD_INDEX.headbreadth]);      // head breadth ÷ the mean head's
 */
import { solveDense } from "./linear-solve.ts";
import { FACE_DIMENSIONS, HEAD_DIMENSIONS, LOG_COVARIANCE } from "./data/head-regression.ts";

export type FaceDimension = (typeof FACE_DIMENSIONS)[number];
export type HeadDimension = (typeof HEAD_DIMENSIONS)[number];

/** Index of each head dimension in a prediction's arrays. */
export const HEAD_INDEX = Object.fromEntries(HEAD_DIMENSIONS.map((d, i) => [d, i])) as Record<HeadDimension, number>;

/** SD of the unknown common log scale of the measured face (ln units): wide enough that only proportions count. */
const UNKNOWN_SCALE_SD = 1;

export interface HeadPrediction {
  /** ln(predicted ÷ mean) per head dimension, in HEAD_DIMENSIONS order. */
  logRatio: number[];
  /** Posterior SD of each ln head dimension (survey spread left after the face is known). */
  logSd: number[];
  /** Prior (population) SD of each ln head dimension, for comparison. */
  priorLogSd: number[];
}

/**
 * Predicts the head's dimensions from the face's: `faceLogRatio[a]` = ln(measured ÷ mean) of
 * FACE_DIMENSIONS[a]; `noiseLogSd[a]` its measurement SD (ln units; 0 = exact, apart from the
 * overall scale); `scaleLogSd` the SD of the error in the face's overall log size (the default:
 * unknown, proportions only). Throws on a wrong length or a non-finite or non-positive SD.
 */
export function predictHeadFromFace(faceLogRatio: readonly number[], noiseLogSd: readonly number[] = FACE_DIMENSIONS.map(() => 0), scaleLogSd = UNKNOWN_SCALE_SD): HeadPrediction {
  const f = FACE_DIMENSIONS.length, h = HEAD_DIMENSIONS.length;
  if (faceLogRatio.length !== f || noiseLogSd.length !== f) throw new Error(`predictHeadFromFace: expected ${f} face dimensions (${FACE_DIMENSIONS.join(", ")})`);
  if (![...faceLogRatio, ...noiseLogSd].every(Number.isFinite)) throw new Error("predictHeadFromFace: face ratios and noise SDs must be finite");
  if (!(scaleLogSd > 0) || !Number.isFinite(scaleLogSd)) throw new Error("predictHeadFromFace: the scale's SD must be a positive finite number");
  // Covariance of what is observed: the face's own, plus the noise and the unknown common scale.
  const observed = new Float64Array(f * f);
  for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) observed[a * f + b] = LOG_COVARIANCE[a][b] + scaleLogSd ** 2 + (a === b ? noiseLogSd[a] ** 2 : 0);
  // Solve once for the mean (one column) and the head–face cross-covariance (h columns).
  const rhs = new Float64Array(f * (1 + h));
  for (let a = 0; a < f; a++) {
    rhs[a * (1 + h)] = faceLogRatio[a];
    for (let i = 0; i < h; i++) rhs[a * (1 + h) + 1 + i] = LOG_COVARIANCE[a][f + i];
  }
  const x = solveDense(observed, f, rhs, 1 + h);
  const logRatio: number[] = [], logSd: number[] = [], priorLogSd: number[] = [];
  for (let i = 0; i < h; i++) {
    let mean = 0, explained = 0;
    for (let a = 0; a < f; a++) {
      mean += LOG_COVARIANCE[f + i][a] * x[a * (1 + h)];
      explained += LOG_COVARIANCE[f + i][a] * x[a * (1 + h) + 1 + i];
    }
    logRatio.push(mean);
    priorLogSd.push(Math.sqrt(LOG_COVARIANCE[f + i][f + i]));
    logSd.push(Math.sqrt(Math.max(0, LOG_COVARIANCE[f + i][f + i] - explained)));
  }
  return { logRatio, logSd, priorLogSd };
}
