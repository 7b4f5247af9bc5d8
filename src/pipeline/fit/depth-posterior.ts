/**
 * The face's depth from one view, kept to what the landmarks can tell apart from their noise.
 *
 * The face mesh's z is inferred, not observed: from one photo each landmark's depth relative to
 * the template's is a noisy reading. On the identity set (docs/evaluation.md, "Likeness: what a
 * person's heads share") the depth of the fitted face varied as much between photos of one person
 * as between people, i.e. the per-landmark depth the warp interpolated was mostly noise. So the
 * landmarks' depth offsets (landmark depth − posed template depth, one number per landmark) are
 * treated as samples of a smooth field over the face with independent noise of a known SD and
 * smoothed to the discrepancy principle (fit/discrepancy.ts). The smoothed field keeps what many
 * landmarks agree on (a flatter or rounder face, a longer nose), and drops what one landmark says
 * alone.
 *
 * Moving a target along its camera ray keeps its reprojection: the photo's view of the head does
 * not change, only its depth.
 */
import { solveDense } from "../../geometry/linear-solve.ts";
import { smoothToNoise } from "./discrepancy.ts";

export interface DepthPosterior {
  /** The smoothed depth offset at each landmark, metres. */
  offsets: Float64Array;
  /** The chosen smoothing (thin-plate λ at confidence 1), metres. */
  lambdaM: number;
  /** Confidence-weighted RMS of (reading − smoothed), metres: at most the noise SD unless even a plane is nearer. */
  residualM: number;
}

/**
 * Smooths per-landmark depth readings `offsets` (metres) at template positions `centres` (xyz per
 * landmark, metres) with per-landmark confidence `confidence` (0..1; a landmark of confidence c
 * counts its noise as SD/√c) to the discrepancy principle at noise SD `noiseSdM` (metres).
 *
 *   const { offsets } = depthPosterior(centres, readings, confidence, 0.002);
 */
export function depthPosterior(centres: Float64Array, offsets: Float64Array, confidence: Float64Array, noiseSdM: number): DepthPosterior {
  const n = offsets.length;
  if (centres.length !== 3 * n || confidence.length !== n) throw new Error(`depthPosterior: ${n} readings need ${3 * n} centre coordinates and ${n} confidences`);
  if (!(noiseSdM > 0)) throw new Error("depthPosterior: the noise SD must be positive");
  const result = smoothToNoise(centres, offsets, 1, confidence, noiseSdM);
  return { offsets: withoutRamps(centres, result.values, confidence), lambdaM: result.lambdaM, residualM: result.residualM };
}

/**
 * The depth field less its linear ramps across the face (confidence-weighted least squares of the
 * field on 1, x, y, z; the x and y terms removed, the z term, how deep the face is, kept). A depth
 * that grows from one cheek to the other is a yaw, one that grows from brow to chin a pitch, and
 * the pose already took both from the landmarks' image positions; left in, a ramp shears the face
 * against the skull. Across the face a ramp could also be the person's: a face is mirror-symmetric
 * to within a few millimetres, but the profile's slope varies (Downs' facial angle, 87.8 ± 3.6°,
 * i.e. a slope SD of ≈ 0.06; Downs 1948, Am J Orthod 34:812, as widely quoted: not re-read), yet the readings' slope varied more
 * between one person's photos (SD ≈ 0.08 on the identity set, up to 0.28 between two photos of
 * one man) than that: a reading with less signal than noise, so the posterior keeps little of it.
 */
function withoutRamps(centres: Float64Array, field: Float64Array, confidence: Float64Array): Float64Array {
  const n = field.length;
  const normal = new Float64Array(16), rhs = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const row = [1, centres[3 * i], centres[3 * i + 1], centres[3 * i + 2]];
    for (let a = 0; a < 4; a++) {
      rhs[a] += confidence[i] * row[a] * field[i];
      for (let b = 0; b < 4; b++) normal[4 * a + b] += confidence[i] * row[a] * row[b];
    }
  }
  const [, slopeX, slopeY] = solveDense(normal, 4, rhs, 1);
  return Float64Array.from(field, (v, i) => v - slopeX * centres[3 * i] - slopeY * centres[3 * i + 1]);
}
