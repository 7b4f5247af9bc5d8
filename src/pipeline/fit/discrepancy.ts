/**
 * A smooth field through noisy per-landmark readings, smoothed to the discrepancy principle.
 *
 * Readings y = g + e at the landmarks: g a smooth field over the face, e independent noise of a
 * known SD. g is estimated by a thin-plate smoothing spline (the posterior mean under the spline's
 * smoothness prior; its null space, the affine fields, is never penalised) whose smoothing is set
 * by Morozov's discrepancy principle: the largest λ whose confidence-weighted RMS residual per
 * component does not exceed the noise SD. What many landmarks agree on stays; what one landmark
 * says alone goes.
 */
import { fitWarp, warpAt } from "./warp.ts";

/** Bisection steps on ln λ (each a dense solve over the landmarks); 14 steps over the range give λ within ≈ 5 %. */
const BISECTION_STEPS = 14;
/** Range of the smoothing searched, metres (thin-plate λ of a kernel in metres: from interpolation to an affine field). */
const LAMBDA_RANGE_M: [number, number] = [1e-6, 10];

export interface SmoothedReadings {
  /** The smoothed field at each landmark, `components` numbers per landmark, metres. */
  values: Float64Array;
  /** The chosen smoothing (thin-plate λ at confidence 1), metres. */
  lambdaM: number;
  /** Confidence-weighted RMS of (reading − smoothed) per component, metres: at most the noise SD unless even an affine field is nearer. */
  residualM: number;
}

/**
 * Smooths `readings` (`components` ≤ 3 numbers per landmark, metres) at `centres` (xyz per
 * landmark, metres) with per-landmark confidence `confidence` (0..1; a landmark of confidence c
 * counts its noise as SD/√c) to the discrepancy principle at per-component noise SD `noiseSdM`.
 *
 *   const { values } = smoothToNoise(centres, readings, 2, confidence, 0.002);
 */
export function smoothToNoise(centres: Float64Array, readings: Float64Array, components: number, confidence: Float64Array, noiseSdM: number): SmoothedReadings {
  const n = confidence.length;
  if (!(components >= 1 && components <= 3)) throw new Error("smoothToNoise: 1 to 3 components per landmark");
  if (centres.length !== 3 * n || readings.length !== components * n) throw new Error(`smoothToNoise: ${n} landmarks need ${3 * n} centre coordinates and ${components * n} readings`);
  if (!(noiseSdM > 0)) throw new Error("smoothToNoise: the noise SD must be positive");
  const values = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < components; c++) values[3 * i + c] = readings[components * i + c];
  const smoothAt = (lambdaM: number): SmoothedReadings => {
    const warp = fitWarp(centres, values, Float64Array.from(confidence, (c) => lambdaM / Math.max(c, 1e-3)));
    const out = new Float64Array(components * n), d = new Float64Array(3);
    let se = 0, w = 0;
    for (let i = 0; i < n; i++) {
      warpAt(warp, centres[3 * i], centres[3 * i + 1], centres[3 * i + 2], d);
      for (let c = 0; c < components; c++) {
        out[components * i + c] = d[c];
        se += confidence[i] * (readings[components * i + c] - d[c]) ** 2;
      }
      w += components * confidence[i];
    }
    return { values: out, lambdaM, residualM: Math.sqrt(se / Math.max(w, 1e-12)) };
  };
  // The residual grows with λ: bisect ln λ for the largest λ still within the noise.
  let lo = Math.log(LAMBDA_RANGE_M[0]), hi = Math.log(LAMBDA_RANGE_M[1]);
  const smoothest = smoothAt(Math.exp(hi));
  if (smoothest.residualM <= noiseSdM) return smoothest;
  let best = smoothAt(Math.exp(lo));
  if (best.residualM > noiseSdM) return best;
  for (let s = 0; s < BISECTION_STEPS; s++) {
    const mid = (lo + hi) / 2;
    const r = smoothAt(Math.exp(mid));
    if (r.residualM <= noiseSdM) {
      best = r;
      lo = mid;
    } else hi = mid;
  }
  return best;
}
