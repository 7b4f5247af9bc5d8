/**
 * Photo-space masks for the chosen face: skin, hair and occluders.
 *
 * - The face region comes from the mesh: the face oval minus eyes (with lashes), brows and the
 *   mouth opening.
 * - A skin colour model (robust mean/spread of chroma and lightness over that region) tells
 *   skin from whatever covers it (fringe, glasses frames, beard, hands of another colour).
 * - Person segmentation (selfie model, run on a head-and-shoulders crop) tells the person from
 *   the background: hair is person, outside the oval, inside the head region and not skin
 *   coloured; occluders are non-skin pixels inside the face region (or non-person ones there).
 */
import type { FaceMasks, ImageF32 } from "../../types.ts";
import { imageToCrop, sampleCrop, type CropFrame } from "./crop.ts";
import type { RunModel } from "./detect.ts";
import * as T from "./topology.ts";

export const SELFIE_INPUT = 256;

/** Rasterises closed polygons into a 0/1 mask (even-odd, pixel centres), OR-ed into `into`. */
export function fillPolygon(into: Float32Array, width: number, height: number, xy: number[]): void {
  const n = xy.length / 2;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) [minY, maxY] = [Math.min(minY, xy[2 * i + 1]), Math.max(maxY, xy[2 * i + 1])];
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(height - 1, Math.ceil(maxY));
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [ax, ay, bx, by] = [xy[2 * j], xy[2 * j + 1], xy[2 * i], xy[2 * i + 1]];
      if (ay > py !== by > py) xs.push(ax + ((py - ay) / (by - ay)) * (bx - ax));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(width - 1, Math.floor(xs[k + 1] - 0.5));
      for (let x = from; x <= to; x++) into[y * width + x] = 1;
    }
  }
}

const polygon = (lm: Float32Array, idx: number[]) => idx.flatMap((i) => [lm[i * 3], lm[i * 3 + 1]]);

/** Lightness and two chroma axes (YCbCr-like, from sRGB 0..1). */
function ycc(r: number, g: number, b: number): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return [y, b - y, r - y];
}

/** Squared distance of v from the model's centre in units of `sigma`, summed over channels. */
function mahalanobis2(v: number[], model: { mid: number }[], sigma: number[]): number {
  return v.reduce((a, x, c) => a + ((x - model[c].mid) / sigma[c]) ** 2, 0);
}

function robustStats(values: number[]): { mid: number; spread: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = s[Math.floor(s.length / 2)] ?? 0;
  const dev = s.map((v) => Math.abs(v - mid)).sort((a, b) => a - b);
  return { mid, spread: 1.4826 * (dev[Math.floor(dev.length / 2)] ?? 0) };
}

export interface MaskInputs {
  image: ImageF32;
  landmarks: Float32Array;
  /** The aligned face ROI (sets the head-region frame and the selfie crop). */
  roi: CropFrame;
}

const mask = (w: number, h: number): ImageF32 => ({ width: w, height: h, channels: 1, data: new Float32Array(w * h), colorSpace: "data" });

/**
 * Computes the three masks (each 1 channel, 0..1, photo size) and the fraction of the face
 * region flagged as occluded.
 */
export async function faceMasks({ image, landmarks: lm, roi }: MaskInputs, runSelfie: RunModel): Promise<{ masks: FaceMasks; occludedFraction: number }> {
  const { width: w, height: h, data: px } = image;
  const oval = new Float32Array(w * h);
  fillPolygon(oval, w, h, polygon(lm, T.FACE_OVAL));
  const features = new Float32Array(w * h);
  for (const part of [T.RIGHT_EYE_RING, T.LEFT_EYE_RING, T.RIGHT_BROW, T.LEFT_BROW, T.MOUTH_INNER]) fillPolygon(features, w, h, polygon(lm, part));
  const lips = new Float32Array(w * h);
  fillPolygon(lips, w, h, polygon(lm, T.LIPS_OUTER));

  // Skin colour model from the face region's own pixels (robust to a minority of non-skin).
  const samples: [number, number, number][] = [];
  const stride = Math.max(1, Math.floor(Math.sqrt(oval.reduce((a, v) => a + v, 0) / 20000)));
  for (let y = 0; y < h; y += stride) for (let x = 0; x < w; x += stride) {
    const i = y * w + x;
    if (oval[i] && !features[i] && !lips[i]) samples.push(ycc(px[i * 3], px[i * 3 + 1], px[i * 3 + 2]));
  }
  const stats = [0, 1, 2].map((c) => robustStats(samples.map((s) => s[c])));
  /** Skin likelihood inside the oval: 1 within 3σ of the face's own colour, 0 beyond 5σ. */
  // Shading moves lightness a lot there: a wide lightness band, chroma decides.
  const faceSigma = [Math.max(stats[0].spread * 2.5, 0.08), Math.max(stats[1].spread, 0.02), Math.max(stats[2].spread, 0.02)];
  const skinInFace = (i: number) => {
    const d2 = mahalanobis2(ycc(px[i * 3], px[i * 3 + 1], px[i * 3 + 2]), stats, faceSigma);
    return Math.max(0, Math.min(1, (25 - d2) / (25 - 9)));
  };

  // Person probability on a head-and-shoulders crop around the face.
  const selfieFrame: CropFrame = { cx: roi.cx, cy: roi.cy + roi.size * 0.25, size: roi.size * 2.2, theta: roi.theta };
  const person = (await runSelfie(sampleCrop(image, selfieFrame, SELFIE_INPUT), [1, SELFIE_INPUT, SELFIE_INPUT, 3])).activation_10;
  const personAt = (x: number, y: number) => {
    const [u, v] = imageToCrop(selfieFrame, SELFIE_INPUT, x + 0.5, y + 0.5);
    const [iu, iv] = [Math.floor(u), Math.floor(v)];
    if (iu < 0 || iv < 0 || iu >= SELFIE_INPUT || iv >= SELFIE_INPUT) return 0;
    return person[iv * SELFIE_INPUT + iu];
  };

  // Head region in the face frame: an ellipse over the ROI, reaching above the forehead.
  const head = { cx: roi.cx + Math.sin(roi.theta) * roi.size * 0.12, cy: roi.cy - Math.cos(roi.theta) * roi.size * 0.12, ra: roi.size * 0.62, rb: roi.size * 0.72 };
  // Hair stops at the chin line (below it, in the middle, is neck and clothing).
  const chinB = -lm[T.CHIN * 3] * Math.sin(roi.theta) + lm[T.CHIN * 3 + 1] * Math.cos(roi.theta);
  const inHead = (x: number, y: number) => {
    const dx = x + 0.5 - head.cx;
    const dy = y + 0.5 - head.cy;
    const a = (dx * Math.cos(roi.theta) + dy * Math.sin(roi.theta)) / head.ra;
    const b = (-dx * Math.sin(roi.theta) + dy * Math.cos(roi.theta)) / head.rb;
    const below = -(x + 0.5) * Math.sin(roi.theta) + (y + 0.5) * Math.cos(roi.theta) > chinB;
    return a * a + b * b <= 1 && !below;
  };

  // Hair colour model from a band just above the forehead (person pixels only). Light-brown
  // hair shares skin's chroma, so hair vs skin is a two-class decision, not a skin threshold;
  // when the band looks like the face (bald or shaved head: distance² ≪ 1; the sample photo's
  // light-brown hair: 3.7) there is no hair to find.
  const toFrame = (x: number, y: number) => [x * Math.cos(roi.theta) + y * Math.sin(roi.theta), -x * Math.sin(roi.theta) + y * Math.cos(roi.theta)];
  const [aTop, bTop] = toFrame(lm[T.FOREHEAD_TOP * 3], lm[T.FOREHEAD_TOP * 3 + 1]);
  const faceH = chinB - bTop;
  const faceW = Math.abs(toFrame(lm[T.LEFT_CHEEK_EDGE * 3], lm[T.LEFT_CHEEK_EDGE * 3 + 1])[0] - toFrame(lm[T.RIGHT_CHEEK_EDGE * 3], lm[T.RIGHT_CHEEK_EDGE * 3 + 1])[0]);
  const hairSamples: [number, number, number][] = [];
  for (let y = Math.max(0, Math.floor(head.cy - head.rb)); y < Math.min(h, head.cy + head.rb); y++) {
    for (let x = Math.max(0, Math.floor(head.cx - head.rb)); x < Math.min(w, head.cx + head.rb); x++) {
      const [fa, fb] = toFrame(x + 0.5, y + 0.5);
      if (fb < bTop - 0.35 * faceH || fb > bTop - 0.08 * faceH || Math.abs(fa - aTop) > 0.3 * faceW) continue;
      const i = y * w + x;
      if (!oval[i] && personAt(x, y) > 0.5) hairSamples.push(ycc(px[i * 3], px[i * 3 + 1], px[i * 3 + 2]));
    }
  }
  const hairStats = [0, 1, 2].map((c) => robustStats(hairSamples.map((s) => s[c])));
  const tight = (st: { spread: number }[]) => [Math.max(st[0].spread, 0.03), Math.max(st[1].spread, 0.012), Math.max(st[2].spread, 0.012)];
  const [skinSigma, hairSigma] = [tight(stats), tight(hairStats)];
  const pooled = skinSigma.map((v, c) => Math.hypot(v, hairSigma[c]));
  const separable = hairSamples.length >= 30 && mahalanobis2(hairStats.map((st) => st.mid), stats, pooled) > 2;
  const hairProbability = (i: number) => {
    if (!separable) return 0;
    const v = ycc(px[i * 3], px[i * 3 + 1], px[i * 3 + 2]);
    return 1 / (1 + Math.exp(-(mahalanobis2(v, stats, skinSigma) - mahalanobis2(v, hairStats, hairSigma)) / 2));
  };

  const masks: FaceMasks = { skin: mask(w, h), hair: mask(w, h), occluder: mask(w, h) };
  const r = head.rb + 2;
  const [x0, x1] = [Math.max(0, Math.floor(head.cx - r)), Math.min(w - 1, Math.ceil(head.cx + r))];
  const [y0, y1] = [Math.max(0, Math.floor(head.cy - r)), Math.min(h - 1, Math.ceil(head.cy + r))];
  let faceArea = 0;
  let occludedArea = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (oval[i]) {
        const skin = skinInFace(i);
        if (features[i]) continue;
        const p = personAt(x, y);
        // Lips are judged by segmentation only (their colour is not skin's).
        const occluder = Math.max(lips[i] ? 0 : 1 - skin, 1 - Math.min(1, p * 2));
        masks.occluder.data[i] = occluder;
        masks.skin.data[i] = 1 - occluder;
        faceArea++;
        occludedArea += occluder;
      } else if (inHead(x, y)) {
        masks.hair.data[i] = Math.min(1, personAt(x, y) * 2) * hairProbability(i);
      }
    }
  }
  return { masks, occludedFraction: faceArea > 0 ? occludedArea / faceArea : 0 };
}
