/**
 * Photo-quality flags for the chosen face (reported with the job, never fatal on their own).
 */
import { luma601 } from "../../primitives/color.ts";
import type { HeadPose, ImageF32, QualityFlags } from "../../types.ts";
import { sampleCrop, type CropFrame } from "./crop.ts";
import * as T from "../../primitives/face-topology.ts";

/** Side of the face crop the sharpness is measured on, pixels. */
export const SHARPNESS_CROP = 192;

/**
 * Variance of the 4-neighbour Laplacian of the face crop's luma (0..255), over the crop's central
 * half (the face itself, not its background). A fixed crop size makes it comparable across photos:
 * a small face upsampled to 192 px is blurry in the sense that matters here.
 */
export function faceSharpness(img: ImageF32, roi: CropFrame): number {
  const n = SHARPNESS_CROP;
  const crop = sampleCrop(img, { ...roi, mirror: false }, n, 255);
  const luma = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) luma[i] = luma601(crop[i * 3], crop[i * 3 + 1], crop[i * 3 + 2]);
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  for (let y = n / 4; y < (3 * n) / 4; y++) {
    for (let x = n / 4; x < (3 * n) / 4; x++) {
      const i = y * n + x;
      const lap = luma[i - 1] + luma[i + 1] + luma[i - n] + luma[i + n] - 4 * luma[i];
      sum += lap;
      sum2 += lap * lap;
      count++;
    }
  }
  const mean = sum / count;
  return sum2 / count - mean * mean;
}

export interface QualityThresholds {
  /** |yaw| above this is an extreme pose, degrees. */
  extremeYawDeg: number;
  /** Outer-eye-corner distance below this is low resolution, pixels. */
  minEyeCornerDistancePx: number;
  /** Occluded share of the face region above this sets `occluded`. */
  maxOccludedFraction: number;
  /** Face-mesh presence probability below this sets `occluded`. */
  minFaceScore: number;
  /** Laplacian variance (on the 192-px face crop, luma 0..255) below this is blurry. */
  minSharpness: number;
}

export interface QualityInputs {
  image: ImageF32;
  landmarks: Float32Array;
  pose: HeadPose;
  faceScore: number;
  occludedFraction: number;
  sharpness: number;
}

/** Computes the flags and the notes that explain them. */
export function qualityFlags(q: QualityInputs, t: QualityThresholds): QualityFlags {
  const lm = q.landmarks;
  const notes: string[] = [];
  const eyeDist = Math.hypot(lm[T.LEFT_EYE_OUTER * 3] - lm[T.RIGHT_EYE_OUTER * 3], lm[T.LEFT_EYE_OUTER * 3 + 1] - lm[T.RIGHT_EYE_OUTER * 3 + 1]);
  const extremePose = Math.abs(q.pose.yawDeg) > t.extremeYawDeg;
  if (extremePose) notes.push(`head turned ${q.pose.yawDeg.toFixed(0)}° (limit ±${t.extremeYawDeg}°)`);
  const lowResolution = eyeDist < t.minEyeCornerDistancePx;
  if (lowResolution) notes.push(`${eyeDist.toFixed(0)} px between the outer eye corners (want ≥ ${t.minEyeCornerDistancePx})`);
  let outside = 0;
  for (let i = 0; i < T.MESH_LANDMARK_COUNT; i++) {
    const [x, y] = [lm[i * 3], lm[i * 3 + 1]];
    if (x < 0 || y < 0 || x >= q.image.width || y >= q.image.height) outside++;
  }
  const partialFace = outside > 0;
  if (partialFace) notes.push(`${outside} of ${T.MESH_LANDMARK_COUNT} face landmarks fall outside the photo`);
  const occluded = q.occludedFraction > t.maxOccludedFraction || q.faceScore < t.minFaceScore;
  if (q.occludedFraction > t.maxOccludedFraction) notes.push(`${(100 * q.occludedFraction).toFixed(0)}% of the face region looks covered (hair, glasses, hands or other objects)`);
  if (q.faceScore < t.minFaceScore) notes.push(`face-mesh confidence ${q.faceScore.toFixed(2)} is low (occlusion or an unusual view)`);
  const blurry = q.sharpness < t.minSharpness;
  if (blurry) notes.push(`face sharpness ${q.sharpness.toFixed(0)} is below ${t.minSharpness} (blur or low detail)`);
  return { extremePose, lowResolution, partialFace, occluded, blurry, notes };
}
