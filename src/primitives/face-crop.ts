/**
 * The aligned face crop the face-description network (HSE FaceRes, catalog "faceres") reads: a
 * 5-point similarity onto InsightFace's 112×112 template, scaled to the model's 224×224 input.
 * Used by capture (the face's apparent sex) and by the evaluation (identity descriptors of the
 * photo and its re-render, cropped by the same transform so only the pixels differ).
 */
import * as T from "./face-topology.ts";
import type { ImageF32, Landmarks } from "../types.ts";

/** The crop's side in pixels (the face-description network's input). */
export const EMBED_SIZE = 224;

/**
 * 5-point template of the 112×112 crop (InsightFace's standard alignment for 112×112 recognition
 * models): the eye on the viewer's left, the eye on the viewer's right, nose tip, mouth corners
 * viewer's left and right. Pixel coordinates, x right, y down.
 */
export const ALIGN_TEMPLATE_112: readonly [number, number][] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The five alignment points from MediaPipe's 468-point mesh: eye centres as the mean of each eye's
 * corners (33/133: the subject's right eye, on the viewer's left; 362/263 the other), nose tip 1,
 * mouth corners 61 (subject's right) and 291. Returns [x, y] pairs in image pixels.
 */
export function alignmentPoints(landmarks: Landmarks): [number, number][] {
  const p = (i: number): [number, number] => [landmarks[3 * i], landmarks[3 * i + 1]];
  const mid = (a: number, b: number): [number, number] => [(p(a)[0] + p(b)[0]) / 2, (p(a)[1] + p(b)[1]) / 2];
  return [mid(T.RIGHT_EYE_OUTER, T.RIGHT_EYE_INNER), mid(T.LEFT_EYE_INNER, T.LEFT_EYE_OUTER), p(T.NOSE_TIP), p(T.MOUTH_RIGHT), p(T.MOUTH_LEFT)];
}

/** A 2D similarity x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity taking `src` points onto `dst` points (Umeyama 1991, 2D, no reflection). */
export function fitSimilarity(src: readonly [number, number][], dst: readonly [number, number][]): Similarity {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error(`fitSimilarity: need ≥ 2 matching point pairs; got ${n} and ${dst.length}`);
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i][0]; sy += src[i][1]; dx += dst[i][0]; dy += dst[i][1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i][0] - sx, y = src[i][1] - sy, u = dst[i][0] - dx, v = dst[i][1] - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (!(den > 0)) throw new Error("fitSimilarity: the source points coincide");
  const a = num1 / den, b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * The size×size crop of `image` that the similarity `t` (image → crop pixels) defines, bilinear,
 * with k×k supersampling when one crop pixel spans more than one image pixel (no aliasing on
 * large faces). Outside the image: mid-grey. Keeps the image's colour space.
 */
export function warpCrop(image: ImageF32, t: Similarity, size = EMBED_SIZE): ImageF32 {
  const { width: W, height: H, channels: C, data } = image;
  const scale = Math.hypot(t.a, t.b);
  const k = Math.max(1, Math.min(4, Math.ceil(1 / scale)));
  // Inverse: src = Rᵀ(dst − t)/s with R = [[a, −b], [b, a]]/s.
  const s2 = t.a * t.a + t.b * t.b;
  const out = new Float32Array(size * size * C);
  const acc = new Float64Array(C);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      acc.fill(0);
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const qx = u + (sx + 0.5) / k - t.tx, qy = v + (sy + 0.5) / k - t.ty;
          const x = (t.a * qx + t.b * qy) / s2 - 0.5, y = (-t.b * qx + t.a * qy) / s2 - 0.5;
          if (!(x > -1 && y > -1 && x < W && y < H)) {
            for (let c = 0; c < C; c++) acc[c] += 0.5;
            continue;
          }
          const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
          const xa = Math.max(0, x0), xb = Math.min(W - 1, x0 + 1), ya = Math.max(0, y0), yb = Math.min(H - 1, y0 + 1);
          for (let c = 0; c < C; c++) {
            const top = data[(ya * W + xa) * C + c] * (1 - fx) + data[(ya * W + xb) * C + c] * fx;
            const bot = data[(yb * W + xa) * C + c] * (1 - fx) + data[(yb * W + xb) * C + c] * fx;
            acc[c] += top * (1 - fy) + bot * fy;
          }
        }
      }
      for (let c = 0; c < C; c++) out[(v * size + u) * C + c] = acc[c] / (k * k);
    }
  }
  return { width: size, height: size, channels: C, data: out, colorSpace: image.colorSpace };
}

/** The similarity taking the photo's alignment points onto the template at EMBED_SIZE. */
export function alignmentTransform(landmarks: Landmarks): Similarity {
  const k = EMBED_SIZE / 112;
  return fitSimilarity(alignmentPoints(landmarks), ALIGN_TEMPLATE_112.map(([x, y]) => [x * k, y * k] as [number, number]));
}

/** The aligned EMBED_SIZE² face crop (keeps the colour space) of a photo or of anything drawn in the photo's frame. */
export function alignedFace(image: ImageF32, landmarks: Landmarks): ImageF32 {
  return warpCrop(image, alignmentTransform(landmarks), EMBED_SIZE);
}

/** Left-right mirror of an image. The template is symmetric to within 0.3 px (of 112), so a mirrored aligned crop is the aligned crop of the mirrored photo. */
export function flipHorizontal(image: ImageF32): ImageF32 {
  const { width: W, height: H, channels: C } = image;
  const out = new Float32Array(image.data.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) out[(y * W + x) * C + c] = image.data[(y * W + (W - 1 - x)) * C + c];
    }
  }
  return { ...image, data: out };
}
