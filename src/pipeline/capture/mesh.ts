/**
 * 478 landmarks for one detected face: the face-mesh crop/rotate/re-crop loop MediaPipe uses
 * (ROI from the detection aligned to the eye line, then refined once from the first mesh), then
 * the iris model on both eyes.
 */
import type { FaceDetection, ImageF32 } from "../../types.ts";
import { cropToImage, sampleCrop, type CropFrame } from "./crop.ts";
import type { RunModel } from "./detect.ts";
import * as T from "../../primitives/face-topology.ts";
import { meanOfViews, renumberMirrored, ROI_VIEWS, viewRoi } from "./mesh-views.ts";

export const MESH_INPUT = 192;
export const IRIS_INPUT = 64;
/** ROI side / face extent (MediaPipe's face_detection_to_roi and face_landmarks_to_roi: 1.5). */
const ROI_SCALE = 1.5;
/** Eye ROI side / eye-corner distance (MediaPipe iris_landmark: 2.3). */
const EYE_ROI_SCALE = 2.3;

export interface MeshResult {
  /** 478 × (x, y, z), photo pixels. */
  landmarks: Float32Array;
  /** The 468 mesh points before the iris model refined the eye region. */
  meshOnly: Float32Array;
  /** Face-presence probability from the last mesh pass (on the refined ROI itself, not its other views). */
  faceScore: number;
  /** The aligned face ROI of the last pass (its crop is what the mesh saw). */
  roi: CropFrame;
}

/** Runs the mesh in `roi` and returns 468 × xyz in photo pixels and the face probability. */
async function meshPass(img: ImageF32, roi: CropFrame, run: RunModel): Promise<{ points: Float32Array; score: number }> {
  const out = await run(sampleCrop(img, roi, MESH_INPUT), [1, MESH_INPUT, MESH_INPUT, 3]);
  const raw = out.Identity_2;
  const points = new Float32Array(T.MESH_LANDMARK_COUNT * 3);
  const zScale = roi.size / MESH_INPUT;
  for (let i = 0; i < T.MESH_LANDMARK_COUNT; i++) {
    const [x, y] = cropToImage(roi, MESH_INPUT, raw[i * 3], raw[i * 3 + 1]);
    points.set([x, y, raw[i * 3 + 2] * zScale], i * 3);
  }
  return { points, score: out.Identity_1[0] };
}

/** Angle of the line from point a to point b (photo pixels), radians. */
const lineAngle = (ax: number, ay: number, bx: number, by: number) => Math.atan2(by - ay, bx - ax);

/** ROI from a detection: its box centre, rotated to the eye line, 1.5 × the longer side. */
export function roiFromDetection(det: FaceDetection): CropFrame {
  const k = det.keypoints;
  return {
    cx: det.box.x + det.box.width / 2,
    cy: det.box.y + det.box.height / 2,
    size: Math.max(det.box.width, det.box.height) * ROI_SCALE,
    theta: lineAngle(k[0], k[1], k[2], k[3]),
  };
}

/** ROI from a mesh: rotated to the outer eye corners, around the landmarks' bounding box there. */
export function roiFromMesh(points: Float32Array): CropFrame {
  const p = (i: number) => [points[i * 3], points[i * 3 + 1]];
  const [rx, ry] = p(T.RIGHT_EYE_OUTER);
  const [lx, ly] = p(T.LEFT_EYE_OUTER);
  const theta = lineAngle(rx, ry, lx, ly);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let [minA, maxA, minB, maxB] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < T.MESH_LANDMARK_COUNT; i++) {
    const [x, y] = p(i);
    const a = x * c + y * s;
    const b = -x * s + y * c;
    [minA, maxA, minB, maxB] = [Math.min(minA, a), Math.max(maxA, a), Math.min(minB, b), Math.max(maxB, b)];
  }
  const [ma, mb] = [(minA + maxA) / 2, (minB + maxB) / 2];
  return { cx: ma * c - mb * s, cy: ma * s + mb * c, size: Math.max(maxA - minA, maxB - minB) * ROI_SCALE, theta };
}

/**
 * The mesh on the detection's ROI, then on the first `count` of ROI_VIEWS of the ROI refined from
 * it (mesh-views.ts; mirrored views renumbered to the subject's landmarks), in photo pixels.
 */
export async function meshViews(img: ImageF32, det: FaceDetection, run: RunModel, count: number): Promise<{ detectionRoi: CropFrame; roi: CropFrame; passes: { points: Float32Array; score: number }[] }> {
  const detectionRoi = roiFromDetection(det);
  const roi = roiFromMesh((await meshPass(img, detectionRoi, run)).points);
  const passes = [];
  for (const view of ROI_VIEWS.slice(0, count)) {
    const pass = await meshPass(img, viewRoi(roi, view), run);
    passes.push(view.mirror ? { points: renumberMirrored(pass.points), score: pass.score } : pass);
  }
  return { detectionRoi, roi, passes };
}

/**
 * The iris model on one eye: its 5 iris points (centre first) and its 71 eye-region contour
 * points, both in photo pixels. The model was trained on one eye side, so the other eye's crop
 * is mirrored (`mirror`); see MIRROR_RIGHT_EYE.
 */
async function irisPass(img: ImageF32, mesh: Float32Array, outer: number, inner: number, lids: number[], mirror: boolean, theta: number, run: RunModel): Promise<{ iris: Float32Array; contour: Float32Array }> {
  const [ox, oy] = [mesh[outer * 3], mesh[outer * 3 + 1]];
  const [ix, iy] = [mesh[inner * 3], mesh[inner * 3 + 1]];
  const roi: CropFrame = { cx: (ox + ix) / 2, cy: (oy + iy) / 2, size: Math.hypot(ix - ox, iy - oy) * EYE_ROI_SCALE, theta, mirror };
  const out = (await run(sampleCrop(img, roi, IRIS_INPUT), [1, IRIS_INPUT, IRIS_INPUT, 3])).Identity;
  const contour = new Float32Array(71 * 2);
  for (let j = 0; j < 71; j++) contour.set(cropToImage(roi, IRIS_INPUT, out[j * 3], out[j * 3 + 1]), j * 2);
  // The model's iris depth is unreliable: take the eyelid centres' depth instead.
  const upperZ = mesh[lids[0] * 3 + 2];
  const lowerZ = mesh[lids[1] * 3 + 2];
  const iris = new Float32Array(15);
  for (let k = 0; k < 5; k++) {
    const j = 71 + k; // after the 71 contour points
    const [x, y] = cropToImage(roi, IRIS_INPUT, out[j * 3], out[j * 3 + 1]);
    // Iris point order: 0 centre, 1 and 3 horizontal extremes, 2 upper, 4 lower.
    const z = k === 2 ? upperZ : k === 4 ? lowerZ : (upperZ + lowerZ) / 2;
    iris.set([x, y, z], k * 3);
  }
  return { iris, contour };
}

/** Moves mesh points (x, y) onto the iris model's contour; depth stays the mesh's. */
function refineEye(mesh: Float32Array, contour: Float32Array, side: "right" | "left", only?: string[]): void {
  for (const c of T.EYE_CONTOURS) {
    if (only && !only.includes(c.name)) continue;
    c.iris.forEach((j, k) => {
      const m = c[side][k];
      mesh[m * 3] = contour[j * 2];
      mesh[m * 3 + 1] = contour[j * 2 + 1];
    });
  }
}

/** Mean distance between the iris model's lower-lid contour and the mesh's, photo pixels. */
export async function irisLidAgreement(img: ImageF32, mesh: Float32Array, theta: number, mirrorRight: boolean, run: RunModel): Promise<[number, number]> {
  const result: number[] = [];
  for (const [outer, inner, lid, mirror] of [
    [T.RIGHT_EYE_OUTER, T.RIGHT_EYE_INNER, T.RIGHT_EYE_LOWER_LID, mirrorRight],
    [T.LEFT_EYE_OUTER, T.LEFT_EYE_INNER, T.LEFT_EYE_LOWER_LID, !mirrorRight],
  ] as const) {
    const [ox, oy] = [mesh[outer * 3], mesh[outer * 3 + 1]];
    const [ix, iy] = [mesh[inner * 3], mesh[inner * 3 + 1]];
    const roi: CropFrame = { cx: (ox + ix) / 2, cy: (oy + iy) / 2, size: Math.hypot(ix - ox, iy - oy) * EYE_ROI_SCALE, theta, mirror };
    const out = (await run(sampleCrop(img, roi, IRIS_INPUT), [1, IRIS_INPUT, IRIS_INPUT, 3])).Identity;
    let sum = 0;
    lid.forEach((m, j) => {
      const [x, y] = cropToImage(roi, IRIS_INPUT, out[j * 3], out[j * 3 + 1]);
      sum += Math.hypot(x - mesh[m * 3], y - mesh[m * 3 + 1]);
    });
    result.push(sum / lid.length);
  }
  return [result[0], result[1]];
}

/** Whether the subject's right eye is the one mirrored for the iris model: no, the left one is (measured: the iris model's lower-lid contour lands 0.5–12 px from the mesh's this way, 12–68 px the other way). */
export const MIRROR_RIGHT_EYE = false;

/**
 * Outer-eye-corner depth difference (right − left) above which the head is turned too far for
 * the far eye's contours to be trusted: 30 units of the 192-px mesh crop (MediaPipe's iris
 * graph, as @vladmandic/human applies it), scaled to the ROI.
 */
const TURNED_DEPTH_DIFF = 30 / MESH_INPUT;

/**
 * The 478 landmarks of one face: mesh from the detection ROI, mesh again from the refined ROI
 * (on `views` views of it, averaged: mesh-views.ts), then the iris model on both eyes, whose finer
 * eye and brow contours replace the mesh's (only the nearer eye's lids when the head is turned).
 */
export async function faceLandmarks(img: ImageF32, det: FaceDetection, runMesh: RunModel, runIris: RunModel, views = 1): Promise<MeshResult> {
  const { roi, passes } = await meshViews(img, det, runMesh, views);
  const meshOnly = meanOfViews(passes);
  const mesh = Float32Array.from(meshOnly);
  const right = await irisPass(img, meshOnly, T.RIGHT_EYE_OUTER, T.RIGHT_EYE_INNER, T.RIGHT_EYE_LID_CENTRES, MIRROR_RIGHT_EYE, roi.theta, runIris);
  const left = await irisPass(img, meshOnly, T.LEFT_EYE_OUTER, T.LEFT_EYE_INNER, T.LEFT_EYE_LID_CENTRES, !MIRROR_RIGHT_EYE, roi.theta, runIris);
  const depthDiff = (mesh[T.RIGHT_EYE_OUTER * 3 + 2] - mesh[T.LEFT_EYE_OUTER * 3 + 2]) / roi.size;
  if (Math.abs(depthDiff) < TURNED_DEPTH_DIFF) {
    refineEye(mesh, right.contour, "right");
    refineEye(mesh, left.contour, "left");
  } else {
    // Smaller z is nearer the camera: refine only the nearer eye's lids.
    refineEye(mesh, depthDiff < 0 ? right.contour : left.contour, depthDiff < 0 ? "right" : "left", ["lowerLid", "upperLid"]);
  }
  const landmarks = new Float32Array(478 * 3);
  landmarks.set(mesh, 0);
  landmarks.set(right.iris, T.RIGHT_IRIS_START * 3);
  landmarks.set(left.iris, T.LEFT_IRIS_START * 3);
  return { landmarks, meshOnly, faceScore: passes[0].score, roi };
}
