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
 *
 * With the face's apparent sex (capture's reading), predictHeadFromFaceAndSex conditions each sex's
 * own Gaussian instead of the pooled one and mixes them by their posterior weights.
 */
import { solveDense } from "./linear-solve.ts";
import { FACE_DIMENSIONS, HEAD_DIMENSIONS, LOG_COVARIANCE, LOG_MEAN_FEMALE, LOG_MEAN_MALE } from "./data/head-regression.ts";

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
  /** With the face's apparent sex weighed (predictHeadFromFaceAndSex): the posterior probability that the head is a man's, the reading joined with what the face's proportions say. */
  maleProbability?: number;
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

/** The survey's sexes as offsets from the pooled mean (ln units, face then head) and their common within-sex covariance. */
const SEX_OFFSET = { male: LOG_MEAN_MALE.map((m, j) => (m - LOG_MEAN_FEMALE[j]) / 2), female: LOG_MEAN_FEMALE.map((m, j) => (m - LOG_MEAN_MALE[j]) / 2) };
// The pooled covariance is the mean within-sex covariance plus the equal mixture's spread of the means, ¼·d·dᵀ (scripts/anthropometry-regression.ts).
const WITHIN_SEX_COVARIANCE = LOG_COVARIANCE.map((row, a) => row.map((c, b) => c - SEX_OFFSET.male[a] * SEX_OFFSET.male[b]));
/** Within-sex covariance of each face dimension with the face's mean log size (the mean of the face dimensions). */
const FACE_SIZE_COVARIANCE = WITHIN_SEX_COVARIANCE.slice(0, FACE_DIMENSIONS.length).map((row) => row.slice(0, FACE_DIMENSIONS.length).reduce((s, v) => s + v, 0) / FACE_DIMENSIONS.length);

/** One sex's conditional: head mean and variance, the face's expected mean log size, and the log-likelihood of the face reading. */
function conditionOnSex(offset: readonly number[], faceLogRatio: readonly number[], noiseLogSd: readonly number[], scaleLogSd: number) {
  const f = FACE_DIMENSIONS.length, h = HEAD_DIMENSIONS.length, W = WITHIN_SEX_COVARIANCE;
  const observed = new Float64Array(f * f);
  for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) observed[a * f + b] = W[a][b] + scaleLogSd ** 2 + (a === b ? noiseLogSd[a] ** 2 : 0);
  // Columns: the innovation, then the cross-covariances with each head dimension, then with the face's mean log size.
  const cols = 2 + h, rhs = new Float64Array(f * cols);
  for (let a = 0; a < f; a++) {
    rhs[a * cols] = faceLogRatio[a] - offset[a];
    for (let i = 0; i < h; i++) rhs[a * cols + 1 + i] = W[a][f + i];
    rhs[a * cols + 1 + h] = FACE_SIZE_COVARIANCE[a];
  }
  const x = solveDense(observed, f, rhs, cols);
  const gain = (column: (a: number) => number) => Array.from({ length: f }, (_, a) => column(a)).reduce((s, c, a) => s + c * x[a * cols], 0);
  const mean = Array.from({ length: h }, (_, i) => offset[f + i] + gain((a) => W[f + i][a]));
  const variance = Array.from({ length: h }, (_, i) => Math.max(0, W[f + i][f + i] - Array.from({ length: f }, (_, a) => W[f + i][a] * x[a * cols + 1 + i]).reduce((s, v) => s + v, 0)));
  const faceOffset = offset.slice(0, f).reduce((s, v) => s + v, 0) / f;
  const faceLogSize = faceOffset + gain((a) => FACE_SIZE_COVARIANCE[a]);
  // Both sexes share `observed`, so its determinant cancels in their likelihood ratio.
  const logLikelihood = -0.5 * Array.from({ length: f }, (_, a) => faceLogRatio[a] - offset[a]).reduce((s, r, a) => s + r * x[a * cols], 0);
  return { mean, variance, faceLogSize, logLikelihood };
}

/**
 * As predictHeadFromFace, with the face's apparent sex: each sex's Gaussian (its survey mean, the
 * within-sex covariance) is conditioned on the face, the two are weighted by `maleProbability` ×
 * the likelihood of the face's reading under each, and mixed (mean, and variance with the spread
 * between them). With the face's size unknown (`scaleLogSd` wide) the head is returned against a
 * face at the template's size: each sex's head is taken relative to that sex's expected face size,
 * since the fit gives every face the template's size. With a metric size the prediction is absolute,
 * like predictHeadFromFace's. Throws as that does, and on a probability outside [0, 1].
 */
export function predictHeadFromFaceAndSex(faceLogRatio: readonly number[], maleProbability: number, noiseLogSd: readonly number[] = FACE_DIMENSIONS.map(() => 0), scaleLogSd = UNKNOWN_SCALE_SD): HeadPrediction & { maleProbability: number } {
  if (!(maleProbability >= 0 && maleProbability <= 1)) throw new Error(`predictHeadFromFaceAndSex: the male probability must lie in [0, 1]; got ${maleProbability}`);
  const pooled = predictHeadFromFace(faceLogRatio, noiseLogSd, scaleLogSd); // checks the arguments
  const sizeKnown = scaleLogSd < UNKNOWN_SCALE_SD;
  const [male, female] = [SEX_OFFSET.male, SEX_OFFSET.female].map((offset) => {
    const c = conditionOnSex(offset, faceLogRatio, noiseLogSd, scaleLogSd);
    return { ...c, mean: sizeKnown ? c.mean : c.mean.map((m) => m - c.faceLogSize) };
  });
  const logOdds = Math.log(maleProbability) - Math.log(1 - maleProbability) + male.logLikelihood - female.logLikelihood;
  const wMale = maleProbability === 1 ? 1 : maleProbability === 0 ? 0 : 1 / (1 + Math.exp(-logOdds));
  const logRatio = male.mean.map((m, i) => wMale * m + (1 - wMale) * female.mean[i]);
  const logSd = logRatio.map((mix, i) => Math.sqrt(wMale * (male.variance[i] + (male.mean[i] - mix) ** 2) + (1 - wMale) * (female.variance[i] + (female.mean[i] - mix) ** 2)));
  return { logRatio, logSd, priorLogSd: pooled.priorLogSd, maleProbability: wMale };
}
