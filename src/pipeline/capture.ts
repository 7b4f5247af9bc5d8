/**
 * capture: from a decoded photo to the chosen face's 478 landmarks, head pose, quality flags and
 * photo-space masks, and the face's apparent sex. Models (BlazeFace, FaceMesh, Iris, Selfie, FaceRes) run on ONNX Runtime through the
 * process-wide session cache; decoding lives in src/image/decode.ts.
 */
import { FaceIndexOutOfRange, InvalidImage, InvalidOption, NoFaceFound } from "../errors.ts";
import type { EnsureModelOptions } from "../models/cache.ts";
import { getSession, ort } from "../models/session.ts";
import * as T from "../primitives/face-topology.ts";
import { LANDMARK_COUNT, type CaptureResult, type ImageF32 } from "../types.ts";
import { apparentSex } from "./capture/apparent-sex.ts";
import { detectFaces, type RunModel } from "./capture/detect.ts";
import { sceneIlluminant, sceneRegionsOf } from "./capture/scene-illuminant.ts";
import { faceMasks } from "./capture/masks.ts";
import { faceLandmarks } from "./capture/mesh.ts";
import { ROI_VIEWS } from "./capture/mesh-views.ts";
import { facingCamera, headPose } from "./capture/pose.ts";
import { faceSharpness, qualityFlags } from "./capture/quality.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";

export interface CaptureOptions {
  /** Which detected face to use, 0 = the largest (faces are sorted by box area, largest first). */
  face?: number;
  /** Detector score (probability 0..1) a face must reach. */
  minDetectionScore?: number;
  /** Boxes overlapping more than this (intersection over union, 0..1) are merged. */
  iouThreshold?: number;
  /** Face-mesh presence probability (0..1) below which the chosen detection is rejected. */
  minMeshScore?: number;
  /** |yaw| above this sets the extremePose flag, degrees. */
  extremeYawDeg?: number;
  /** Outer-eye-corner distance below this sets lowResolution, pixels. */
  minEyeCornerDistancePx?: number;
  /** Share of the face region (0..1) covered by occluders above which `occluded` is set. */
  maxOccludedFraction?: number;
  /** Face-mesh presence probability (0..1) below which `occluded` is set. */
  minFaceScore?: number;
  /** Laplacian variance of the 192-px face crop (luma 0..255) below which `blurry` is set. */
  minSharpness?: number;
  /**
   * Views of the refined face ROI the mesh runs on and whose landmarks are averaged (1 to 10:
   * the ROI, its mirror image, then small shifts/scalings/turns of it and their mirrors;
   * capture/mesh-views.ts). 1 is the single pass; 2, 6 and 10 are balanced (no net jitter).
   */
  landmarkViews?: number;
}

export const CAPTURE_DEFAULTS: Required<CaptureOptions> = {
  face: 0,
  minDetectionScore: 0.6,
  iouThreshold: 0.3,
  minMeshScore: 0.5,
  extremeYawDeg: 60,
  minEyeCornerDistancePx: 96,
  // Measured on ../shared/photos: uncovered faces read 0.001–0.05 (glasses 0.04, a small
  // microphone 0.04); the photo with a cap brim over the forehead reads 0.16.
  maxOccludedFraction: 0.1,
  minFaceScore: 0.9,
  // Measured (scripts/capture-report.ts inputs): the 34 faces of ../shared/photos score 31–635;
  // a Gaussian blur of σ = 1 / 1.5 / 2 px takes the sample photo's face from 238 to 50 / 18 / 8.
  minSharpness: 20,
  // Measured (npm run eval -- --identities … --fit, 13 photos of 5 people): one person's fitted
  // faces 2.11 mm apart with 1 view, 1.97 with 2, 1.87 with 6, 1.83 with 10. Cost of 10: capture
  // CPU ×1.02 on the sample photo (farm-bench, docs/evaluation.md "The face mesh averaged…").
  landmarkViews: 10,
};

/** Runs a catalog model by name: NHWC input → its outputs by name. */
export type ModelRunner = (name: string) => RunModel;

/**
 * What capture borrows besides the shared context: how the catalog models run. It is a context
 * field, not an option, because it is an edge (ONNX sessions, or a test's stand-in) and not a
 * tunable of the result a preset could pick; like the estimators, it is lent for one run.
 */
export interface CaptureContext extends StageContext {
  /** Overrides how models run (tests); defaults to ONNX Runtime sessions from the cache (with `onModelProgress`). */
  runModel?: ModelRunner;
}

/** What capture reads: the decoded photo. */
export interface CaptureInput {
  /** Decoded photo, sRGB 0..1, 3 channels (see src/image/decode.ts). */
  image: ImageF32;
}

/** The default runner: ONNX Runtime sessions from the process-wide cache. */
export function onnxRunner(onProgress?: EnsureModelOptions["onProgress"]): ModelRunner {
  return (name) => async (input, shape) => {
    const session = await getSession(name, { onProgress });
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, shape) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  };
}

function checkImage(img: ImageF32): void {
  if (img.channels !== 3 || img.data.length !== img.width * img.height * 3 || img.width < 1 || img.height < 1) {
    throw new InvalidImage(`capture needs a 3-channel image; got ${img.width}×${img.height}×${img.channels} with ${img.data.length} values`);
  }
  if (img.colorSpace !== "srgb") throw new InvalidImage(`capture needs an sRGB image; got ${img.colorSpace}`);
}

/**
 * Finds the faces in a photo and reconstructs the chosen one's landmarks, pose, flags and masks.
 * Progress: after detection, the face mesh and the masks.
 * @throws NoFaceFound when no face is found; FaceIndexOutOfRange when `face` is past the last one.
 *
 *   const captured = await capture({ image }, { face: 0 }, { logger, signal });
 */
export async function capture(input: CaptureInput, options: CaptureOptions = {}, context: CaptureContext = {}): Promise<CaptureResult> {
  const o = withDefaults(CAPTURE_DEFAULTS, options);
  const log = loggerOf(context);
  const { image } = input;
  if (!Number.isInteger(o.face) || o.face < 0) throw new InvalidOption(`face must be a whole number ≥ 0; got ${o.face}`);
  if (!Number.isInteger(o.landmarkViews) || o.landmarkViews < 1 || o.landmarkViews > ROI_VIEWS.length) {
    throw new InvalidOption(`landmarkViews must be a whole number from 1 to ${ROI_VIEWS.length}; got ${o.landmarkViews}`);
  }
  checkImage(image);
  const run = context.runModel ?? onnxRunner(context.onModelProgress);

  const faces = await detectFaces(image, run("blazeface"), { minScore: o.minDetectionScore, iouThreshold: o.iouThreshold });
  log.debug(`capture: ${faces.length} face(s) detected`);
  if (faces.length === 0) throw new NoFaceFound(`no face found in the ${image.width}×${image.height} photo`);
  if (o.face >= faces.length) throw new FaceIndexOutOfRange(o.face, faces.length);
  throwIfAborted(context);
  context.onProgress?.(0.3, "face detected");

  const mesh = await faceLandmarks(image, faces[o.face], run("facemesh"), run("iris"), o.landmarkViews);
  if (mesh.faceScore < o.minMeshScore) {
    throw new NoFaceFound(`the detector found a face-like region (score ${faces[o.face].score.toFixed(2)}) but the face mesh rejects it (confidence ${mesh.faceScore.toFixed(2)})`);
  }
  const landmarks = mesh.landmarks;
  for (const v of landmarks) if (!Number.isFinite(v)) throw new NoFaceFound("the face mesh returned non-finite landmarks");
  throwIfAborted(context);
  context.onProgress?.(0.6, "face mesh");

  const pose = headPose(landmarks);
  const { masks, occludedFraction, hidden } = await faceMasks({ image, landmarks, roi: mesh.roi }, run("selfie"));
  const sharpness = faceSharpness(image, mesh.roi);
  const flags = qualityFlags({ image, landmarks, pose, faceScore: mesh.faceScore, occludedFraction, sharpness }, o);
  context.onProgress?.(0.9, "masks");

  // Per-landmark confidence: mesh confidence × facing the camera × not covered (a cast shadow covers
  // nothing: its skin is seen, only not lit like the rest) × inside the photo.
  const facing = facingCamera(landmarks);
  const landmarkConfidence = new Float32Array(LANDMARK_COUNT);
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    const [x, y] = [landmarks[i * 3], landmarks[i * 3 + 1]];
    const inside = x >= 0 && y >= 0 && x < image.width && y < image.height;
    const px = inside ? Math.floor(y) * image.width + Math.floor(x) : -1;
    const covered = px >= 0 ? hidden.data[px] : 1;
    // Iris points take the visibility of their eye's inner corner.
    const f = i < T.MESH_LANDMARK_COUNT ? facing[i] : facing[i < T.LEFT_IRIS_START ? T.RIGHT_EYE_INNER : T.LEFT_EYE_INNER];
    landmarkConfidence[i] = inside ? mesh.faceScore * f * (1 - covered) : 0;
  }
  log.info(`capture: face ${o.face} of ${faces.length}, yaw ${pose.yawDeg.toFixed(1)}°, pitch ${pose.pitchDeg.toFixed(1)}°, roll ${pose.rollDeg.toFixed(1)}°`);
  const illuminant = sceneIlluminant(image, sceneRegionsOf(masks));
  const gb = (v: readonly number[]) => v.slice(1).map((x) => x.toFixed(2)).join("/");
  log.debug(`capture: scene illuminant g/r ${illuminant.rgb[1].toFixed(2)}, b/r ${illuminant.rgb[2].toFixed(2)} (grey-world / grey-edge ${(illuminant.witnesses ?? []).map((w) => `${gb(w.greyWorld)}, ${gb(w.greyEdge)}`).join(" and ")})`);
  const sex = await apparentSex(image, landmarks, run("faceres"));
  log.debug(`capture: apparent sex ${(100 * sex.maleProbability).toFixed(0)} % male (crop ${sex.readings.map((p) => p.toFixed(2)).join(", mirror ")})`);
  return { image, faces, faceIndex: o.face, landmarks, landmarkConfidence, pose, flags, masks, illuminant, apparentSex: sex };
}
