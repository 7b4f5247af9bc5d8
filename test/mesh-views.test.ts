/**
 * The face mesh's test-time views (capture/mesh-views.ts) with a stand-in mesh model: the photo's
 * pixels hold their own coordinates, so the stand-in reads which photo square (and whether
 * mirrored) it was shown and answers with a known face's landmarks in that square, plus a
 * per-view error of our choosing.
 */
import { describe, expect, it } from "vitest";
import { FACE_LANDMARKS_M, LANDMARK_MIRROR } from "../src/geometry/data/canonical-face.ts";
import { InvalidOption } from "../src/errors.ts";
import { capture } from "../src/pipeline/capture.ts";
import { meshViews } from "../src/pipeline/capture/mesh.ts";
import { renumberMirrored, ROI_VIEWS, viewRoi } from "../src/pipeline/capture/mesh-views.ts";
import type { RunModel } from "../src/pipeline/capture/detect.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { FaceDetection, ImageF32 } from "../src/types.ts";

/** Room for every view's crop inside the photo (the stand-in reads its corners). */
const SIDE = 480;
const PX_PER_M = 1200;
/** The known face: the canonical face, frontal, centred, in photo pixels (y down). */
const truth = Float64Array.from({ length: T.MESH_LANDMARK_COUNT * 3 }, (_, k) => {
  const v = FACE_LANDMARKS_M[k];
  return k % 3 === 0 ? SIDE / 2 + PX_PER_M * v : k % 3 === 1 ? SIDE / 2 - PX_PER_M * v : -PX_PER_M * v;
});
/** Pixel (x, y) holds (x / SIDE, y / SIDE, 0): linear, so bilinear taps and box averages read back exact coordinates. */
const coordinateImage: ImageF32 = {
  width: SIDE,
  height: SIDE,
  channels: 3,
  colorSpace: "srgb",
  data: Float32Array.from({ length: SIDE * SIDE * 3 }, (_, k) => (k % 3 === 0 ? Math.floor(k / 3) % SIDE : k % 3 === 1 ? Math.floor(k / 3 / SIDE) : 0) / SIDE),
};

/** Photo pixels → crop pixels of the crop `input` (n × n) shows, and whether it is mirrored. */
function cropFrameOf(input: Float32Array, n: number): { toCrop: (x: number, y: number) => [number, number]; mirrored: boolean } {
  // Pixel centres sit half a pixel past the stored index.
  const at = (u: number, v: number) => [input[(v * n + u) * 3] * SIDE + 0.5, input[(v * n + u) * 3 + 1] * SIDE + 0.5];
  const [o, eu, ev] = [at(0, 0), at(n - 1, 0), at(0, n - 1)];
  const [a, b, c, d] = [(eu[0] - o[0]) / (n - 1), (ev[0] - o[0]) / (n - 1), (eu[1] - o[1]) / (n - 1), (ev[1] - o[1]) / (n - 1)];
  const det = a * d - b * c;
  return {
    mirrored: det < 0,
    toCrop: (x, y) => [0.5 + (d * (x - o[0]) - b * (y - o[1])) / det, 0.5 + (-c * (x - o[0]) + a * (y - o[1])) / det],
  };
}

/** A stand-in mesh: the known face in the crop it is shown, its points named as the crop shows them, plus `error(view)` in crop pixels. */
function standInMesh(error: (view: number, point: number) => [number, number]): RunModel {
  let view = 0;
  return async (input, shape) => {
    const n = shape[1];
    const { toCrop, mirrored } = cropFrameOf(input, n);
    const out = new Float32Array(T.MESH_LANDMARK_COUNT * 3);
    for (let i = 0; i < T.MESH_LANDMARK_COUNT; i++) {
      const j = mirrored ? LANDMARK_MIRROR[i] : i;
      const [u, v] = toCrop(truth[j * 3], truth[j * 3 + 1]);
      const [eu, ev] = error(view, i);
      out.set([u + eu, v + ev, truth[j * 3 + 2]], i * 3);
    }
    view++;
    return { Identity_2: out, Identity_1: new Float32Array([1]) };
  };
}

const detection = (): FaceDetection => {
  const xs = Array.from({ length: T.MESH_LANDMARK_COUNT }, (_, i) => truth[i * 3]);
  const ys = Array.from({ length: T.MESH_LANDMARK_COUNT }, (_, i) => truth[i * 3 + 1]);
  const [x, y] = [Math.min(...xs), Math.min(...ys)];
  const eyes = [T.RIGHT_EYE_OUTER, T.LEFT_EYE_OUTER].flatMap((i) => [truth[i * 3], truth[i * 3 + 1]]);
  return { box: { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }, score: 1, keypoints: Float32Array.from([...eyes, 0, 0, 0, 0, 0, 0, 0, 0]) };
};

/** RMS distance (photo pixels) of the mean of the first `count` views from the known face. */
async function errorOfViews(count: number, error: (view: number, point: number) => [number, number]): Promise<number> {
  const { passes } = await meshViews(coordinateImage, detection(), standInMesh(error), count);
  let sum = 0;
  for (let i = 0; i < T.MESH_LANDMARK_COUNT; i++) {
    const [x, y] = [0, 1].map((a) => passes.reduce((s, p) => s + p.points[i * 3 + a], 0) / count);
    sum += (x - truth[i * 3]) ** 2 + (y - truth[i * 3 + 1]) ** 2;
  }
  return Math.sqrt(sum / T.MESH_LANDMARK_COUNT);
}

/** Deterministic standard-normal-ish errors, independent per view and point. */
function noise(view: number, point: number): [number, number] {
  const h = (k: number) => {
    let s = Math.imul(view * 7919 + point * 104729 + k * 15485863 + 1, 2654435761) >>> 0;
    let t = 0;
    for (let r = 0; r < 6; r++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      t += s / 2 ** 32;
    }
    return (t - 3) * Math.SQRT2; // sum of 6 uniforms: mean 3, variance ½
  };
  return [h(0), h(1)];
}

describe("face mesh test-time views", () => {
  it("pairs every landmark with its mirror partner: an involution taking the right eye and iris onto the left", () => {
    for (let i = 0; i < LANDMARK_MIRROR.length; i++) expect(LANDMARK_MIRROR[LANDMARK_MIRROR[i]]).toBe(i);
    expect(T.RIGHT_EYE_CONTOUR.map((i) => LANDMARK_MIRROR[i])).toEqual(T.LEFT_EYE_CONTOUR);
    expect(T.RIGHT_IRIS.map((i) => LANDMARK_MIRROR[i])).toEqual(T.LEFT_IRIS);
    const mirrored = renumberMirrored(Float32Array.from({ length: T.MESH_LANDMARK_COUNT * 3 }, (_, k) => Math.floor(k / 3)));
    expect(mirrored[T.LEFT_EYE_OUTER * 3]).toBe(T.RIGHT_EYE_OUTER);
    expect(mirrored[T.NOSE_TIP * 3]).toBe(T.NOSE_TIP);
  });

  it("refuses a view count it has no views for", async () => {
    for (const landmarkViews of [0, 1.5, ROI_VIEWS.length + 1]) await expect(capture({ image: coordinateImage }, { landmarkViews })).rejects.toBeInstanceOf(InvalidOption);
  });

  it("leaves the ROI as it is for the first view and mirrors the second", () => {
    const roi = { cx: 10, cy: 20, size: 30, theta: 0.1 };
    expect(viewRoi(roi, ROI_VIEWS[0])).toEqual({ ...roi, mirror: false });
    expect(viewRoi(roi, ROI_VIEWS[1])).toEqual({ ...roi, mirror: true });
  });

  it("brings every view's points back to the subject's landmarks in photo pixels", async () => {
    // An error-free stand-in: every view, mirrored or jittered, lands on the known face.
    expect(await errorOfViews(ROI_VIEWS.length, () => [0, 0])).toBeLessThan(1e-3);
  });

  it("cancels the mesh's left-right bias with the mirror view and shrinks independent errors with more views", async () => {
    // A bias along the crop's x: the same for every view in crop terms, so the mirror view's is opposite in the photo.
    const bias = () => [1.5, 0] as [number, number];
    const one = await errorOfViews(1, bias);
    expect(one).toBeGreaterThan(1);
    expect(await errorOfViews(2, bias)).toBeLessThan(1e-3);
    const single = await errorOfViews(1, noise);
    const ten = await errorOfViews(10, noise);
    // Independent errors: the mean of 10 views errs by about 1/√10 of one view's.
    expect(ten).toBeLessThan(single * 0.5);
  });
});
