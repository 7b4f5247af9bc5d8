/**
 * The face landmarks' image positions, kept to what stands out of the detector's noise.
 *
 * The warp's targets lie on the landmarks' camera rays, so the neutral head interpolated each
 * landmark's image position exactly (0.2 % IOD) while the detector's own error is ≈ 3 % IOD
 * (LANDMARK_SD_IOD): on the identity set that noise, not the person, was most of the face's x and
 * y spread between one person's photos (docs/evaluation.md, "Likeness: what a person's heads
 * share"). So the targets' displacement across the image plane (camera x and y, metres at the
 * head) is treated as readings of a smooth field plus independent noise and smoothed to the
 * discrepancy principle at that noise (fit/discrepancy.ts); the displacement along the camera's
 * axis (depth, already its own posterior, fit/depth-posterior.ts) is left alone. The affine part
 * (the face's size, width-to-height, shear) is never smoothed.
 *
 * The noise is still the photo's: what the smoothing takes off each landmark goes to the head as
 * photographed (fit.ts), so that head still reprojects onto the photo's landmarks and the unwrap
 * samples the photo where its features are.
 *
 * Off by default (FitOptions.imageNoiseSdIod 0): per photo, the targets' non-affine image-plane
 * part is already smaller than the detector's noise (0.4–1.4 mm RMS per axis left by an affine
 * map on the identity set), so the discrepancy principle keeps only the affine part; and what it
 * took away carried relatively more of what separates people than what it kept did.
 */
import { smoothToNoise } from "./discrepancy.ts";

export interface ImagePosterior {
  /** The displacements (xyz per landmark, world metres) with their image-plane part smoothed. */
  displacements: Float64Array;
  /** What the smoothing took off each landmark (xyz, world metres): raw − smoothed. */
  removed: Float64Array;
  /** The chosen smoothing (thin-plate λ at confidence 1), metres. */
  lambdaM: number;
  /** Confidence-weighted RMS of the image-plane residual per axis, metres. */
  residualM: number;
}

/**
 * Smooths the image-plane part of the landmarks' displacements `displacements` (xyz per landmark,
 * world metres) at template positions `centres`, for a camera of world-to-camera rotation
 * `rotation` (row-major 3 × 3), to per-axis noise SD `noiseSdM` (metres; a landmark of confidence c
 * counts it as SD/√c).
 *
 *   const { displacements, removed } = imagePlanePosterior(centres, disp, camera.rotation, confidence, 0.002);
 */
export function imagePlanePosterior(centres: Float64Array, displacements: Float64Array, rotation: ArrayLike<number>, confidence: Float64Array, noiseSdM: number): ImagePosterior {
  const n = confidence.length;
  if (displacements.length !== 3 * n || centres.length !== 3 * n) throw new Error(`imagePlanePosterior: ${n} landmarks need ${3 * n} centre coordinates and displacements`);
  if (rotation.length !== 9) throw new Error("imagePlanePosterior: the rotation is a 3 × 3 matrix");
  // Camera x and y of each displacement: the first two rows of the rotation.
  const readings = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) for (let a = 0; a < 2; a++) readings[2 * i + a] = rotation[3 * a] * displacements[3 * i] + rotation[3 * a + 1] * displacements[3 * i + 1] + rotation[3 * a + 2] * displacements[3 * i + 2];
  const smoothed = smoothToNoise(centres, readings, 2, confidence, noiseSdM);
  const out = Float64Array.from(displacements), removed = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 2; a++) {
      const change = smoothed.values[2 * i + a] - readings[2 * i + a];
      // Back to world: the camera axis a is row a of the rotation.
      for (let c = 0; c < 3; c++) {
        out[3 * i + c] += change * rotation[3 * a + c];
        removed[3 * i + c] -= change * rotation[3 * a + c];
      }
    }
  }
  return { displacements: out, removed, lambdaM: smoothed.lambdaM, residualM: smoothed.residualM };
}
