/**
 * Face detection with BlazeFace (MediaPipe's back-camera model, 256×256, 896 anchors): anchor
 * generation, box/keypoint decoding and weighted non-maximum suppression as MediaPipe does it.
 *
 * Model output layout (see catalog.ts): a 16×16 grid with 2 anchors per cell (512 rows) and an
 * 8×8 grid with 6 anchors per cell (384 rows); each row holds (dx, dy, w, h) of the box and the
 * (dx, dy) of 6 keypoints, in input pixels relative to the anchor centre, plus a score logit.
 * Keypoints: 0 = subject's right eye (image left on a frontal photo), 1 = left eye, 2 = nose tip,
 * 3 = mouth centre, 4 = right ear tragion, 5 = left ear tragion.
 */
import type { Box, FaceDetection, ImageF32 } from "../../types.ts";
import { cropToImage, sampleCrop, type CropFrame } from "./crop.ts";

export const DETECTOR_INPUT = 256;

/** Runs the detector network: NHWC input in [−1, 1] → named outputs. */
export type RunModel = (input: Float32Array, shape: number[]) => Promise<Record<string, Float32Array>>;

/** Anchor centres in input pixels, in the model's row order. */
function anchors(): Float32Array {
  const out: number[] = [];
  for (const [stride, perCell] of [
    [16, 2],
    [32, 6],
  ]) {
    const cells = DETECTOR_INPUT / stride;
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let a = 0; a < perCell; a++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return Float32Array.from(out);
}
const ANCHORS = anchors();

interface Candidate {
  score: number;
  /** x0, y0, x1, y1 in photo pixels. */
  box: [number, number, number, number];
  /** 6 keypoints, photo pixels. */
  keypoints: number[];
}

function iou(a: Candidate["box"], b: Candidate["box"]): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** MediaPipe's weighted NMS: overlapping candidates are averaged, weighted by score. */
export function weightedNms(cands: Candidate[], iouThreshold: number): Candidate[] {
  const rest = [...cands].sort((a, b) => b.score - a.score);
  const out: Candidate[] = [];
  while (rest.length) {
    const top = rest[0];
    const cluster = rest.filter((c) => iou(top.box, c.box) > iouThreshold);
    const total = cluster.reduce((s, c) => s + c.score, 0);
    const avg = (pick: (c: Candidate) => number[]) => pick(top).map((_, i) => cluster.reduce((s, c) => s + pick(c)[i] * c.score, 0) / total);
    out.push({ score: top.score, box: avg((c) => c.box) as Candidate["box"], keypoints: avg((c) => c.keypoints) });
    for (const c of cluster) rest.splice(rest.indexOf(c), 1);
  }
  return out;
}

/** Decodes one detector pass over a crop frame into photo-space candidates above `minScore`. */
function decode(outputs: Record<string, Float32Array>, frame: CropFrame, minScore: number): Candidate[] {
  const groups: [Float32Array, Float32Array, number][] = [
    [outputs.Identity_2, outputs.Identity, 0],
    [outputs.Identity_3, outputs.Identity_1, 512],
  ];
  const out: Candidate[] = [];
  for (const [reg, logits, first] of groups) {
    for (let i = 0; i < logits.length; i++) {
      const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logits[i]))));
      if (score < minScore) continue;
      const ax = ANCHORS[(first + i) * 2];
      const ay = ANCHORS[(first + i) * 2 + 1];
      const r = reg.subarray(i * 16, i * 16 + 16);
      const [cx, cy] = [ax + r[0], ay + r[1]];
      // Box corners in the photo (the frame may be rotated): their axis-aligned bounds.
      const corners = [-1, 1].flatMap((sx) => [-1, 1].map((sy) => cropToImage(frame, DETECTOR_INPUT, cx + (sx * r[2]) / 2, cy + (sy * r[3]) / 2)));
      const [x0, x1] = [Math.min(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[0]))];
      const [y0, y1] = [Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[1]))];
      const keypoints: number[] = [];
      for (let k = 0; k < 6; k++) keypoints.push(...cropToImage(frame, DETECTOR_INPUT, ax + r[4 + 2 * k], ay + r[5 + 2 * k]));
      out.push({ score, box: [x0, y0, x1, y1], keypoints });
    }
  }
  return out;
}

export interface DetectOptions {
  minScore: number;
  iouThreshold: number;
}

/**
 * Finds faces: one pass over the whole (letterboxed) photo; when it finds nothing, a pass over a
 * 2×2 grid of overlapping squares so that smaller faces get more detector pixels; when that
 * finds nothing either, the whole photo turned by 90°, 180° and 270° (BlazeFace only sees
 * roughly upright faces; a sideways photo without an EXIF orientation tag still works).
 * Returns faces sorted by box area, largest first.
 */
export async function detectFaces(img: ImageF32, run: RunModel, opts: DetectOptions): Promise<FaceDetection[]> {
  const side = Math.max(img.width, img.height);
  // Letterbox: the photo sits at the top-left of a square, the rest reads as black.
  const frames: CropFrame[][] = [[{ cx: side / 2, cy: side / 2, size: side, theta: 0 }]];
  const tile = side * 0.6;
  frames.push(
    [0, 1].flatMap((j) =>
      [0, 1].map((i) => ({ cx: tile / 2 + i * (img.width - tile > 0 ? img.width - tile : 0), cy: tile / 2 + j * (img.height - tile > 0 ? img.height - tile : 0), size: tile, theta: 0 })),
    ),
  );
  frames.push([Math.PI / 2, Math.PI, -Math.PI / 2].map((theta) => ({ cx: img.width / 2, cy: img.height / 2, size: side, theta })));
  let found: Candidate[] = [];
  for (const pass of frames) {
    const cands: Candidate[] = [];
    for (const frame of pass) {
      const input = sampleCrop(img, frame, DETECTOR_INPUT, 2, -1);
      cands.push(...decode(await run(input, [1, DETECTOR_INPUT, DETECTOR_INPUT, 3]), frame, opts.minScore));
    }
    found = weightedNms(cands, opts.iouThreshold);
    if (found.length > 0) break;
  }
  const faces = found.map((c): FaceDetection => {
    const box: Box = { x: c.box[0], y: c.box[1], width: c.box[2] - c.box[0], height: c.box[3] - c.box[1] };
    return { box, score: c.score, keypoints: Float32Array.from(c.keypoints) };
  });
  return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}
