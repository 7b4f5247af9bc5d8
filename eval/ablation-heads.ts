/**
 * What eval/identity-ablation.ts keeps of one reconstruction, and the set's common ingredients it
 * swaps in: the fitted neutral head, the maps the canonical views draw (eval/head-measures.ts
 * headMeasures), the unwrap confidence (where the photo saw the skin), the teeth's albedo and the
 * photo's own FaceRes descriptor. Kept per photo as a v8 file so a second run renders only.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import v8 from "node:v8";
import path from "node:path";
import { applySimilarity, fitSimilarity } from "../src/geometry/procrustes.ts";
import { computeNormals, computeTangents } from "../src/geometry/mesh-utils.ts";
import { linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import { measureTeeth } from "../src/pipeline/capture/teeth.ts";
import { teethColour } from "../src/pipeline/teeth-colour.ts";
import type { ImageF32, Mesh, Preset, StageResults, TemplateHead } from "../src/types.ts";
import type { CachedStages } from "./tone-consistency.ts";
import { delight, photoReferences, type DelightInput } from "../src/pipeline/delight.ts";
import { viewTowardCamera } from "../src/pipeline/delight/specular-bound.ts";
import { sceneLightStatistics } from "../src/pipeline/delight/redness-share.ts";
import { fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { reconstructStages, requireStages } from "./head-measures.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { Landmarks } from "../src/types.ts";
import { alignedFace, alignmentTransform, faceEmbeddings, warpCrop } from "./identity.ts";
import { shapeVertexSets, vertexAreas } from "./shape-consistency.ts";

/** One reconstruction as the ablation reads it. */
export interface AblationHead {
  person: string;
  name: string;
  mesh: Mesh;
  parts: TemplateHead["parts"];
  landmarkVertices: Int32Array;
  /** A_D, sRGB, full size. */
  albedo: ImageF32;
  specular: ImageF32;
  normalsDiffuse: ImageF32;
  normalsSpecular: ImageF32;
  ambientOcclusion: ImageF32;
  /** Unwrap's confidence, base size, 0..1: how much the photo saw of each skin texel. */
  confidence: ImageF32;
  eyes: { width: number; height: number; codes: Uint8Array };
  teethAlbedo: [number, number, number];
  photoDescriptor: Float32Array;
  /** A_D from delight on the job's own input without the smile folds (the relief on): absent in caches written before it. */
  albedoWithoutFoldRemoval?: ImageF32;
  /** T̂, the upscaled photo texture (linear, full size), when read from an identity run's cache. */
  photoTexture?: ImageF32;
  /** That cache file (delight's input), for the variants that run delight again. */
  textureCache?: string;
  /** The same with everything outside the face oval grey (ovalOnlyCrop). */
  photoOvalDescriptor: Float32Array;
}

/** Reconstructs one photo (or reads it from `cacheFile`) and keeps what the ablation needs; null with the failure's message. */
export async function loadHead(person: string, photoFile: string, cacheFile: string, preset: Preset): Promise<AblationHead | string> {
  try {
    return v8.deserialize(await readFile(cacheFile)) as AblationHead;
  } catch {
    // Not cached yet.
  }
  const { stages, failure } = await reconstructStages(new Uint8Array(await readFile(photoFile)), preset);
  if (failure) return failure;
  const s = requireStages(stages);
  const [photoDescriptor, photoOvalDescriptor] = await faceEmbeddings([alignedFace(s.capture.image, s.capture.landmarks), ovalOnlyCrop(s.capture.image, s.capture.landmarks)]);
  const albedoWithoutFoldRemoval = (await delight(delightInputWithoutFolds(stages), {})).albedo;
  const head: AblationHead = {
    person,
    name: path.basename(photoFile),
    mesh: s.fit.mesh,
    parts: s.fit.head.parts,
    landmarkVertices: Int32Array.from(s.fit.head.landmarkVertices),
    albedo: s.delight.albedo,
    specular: s.specular.specularAlbedo,
    normalsDiffuse: s.normals.normalsDiffuse,
    normalsSpecular: s.normals.normalsSpecular,
    ambientOcclusion: s.unwrap.ambientOcclusion,
    confidence: s.unwrap.confidence,
    eyes: s.eyes.texture,
    teethAlbedo: teethColour(measureTeeth(s.capture.image, s.capture.landmarks), s.eyes.lightGain).albedo,
    photoDescriptor,
    photoOvalDescriptor,
    albedoWithoutFoldRemoval,
  };
  await mkdir(path.dirname(cacheFile), { recursive: true });
  await writeFile(cacheFile + ".tmp", v8.serialize(head));
  await rename(cacheFile + ".tmp", cacheFile);
  return head;
}

/** T̂ of one photo from the identity mode's delight cache (eval/identities.ts, `<dir>/<person>/<photo>.v8`). */
export async function cachedPhotoTexture(dir: string, person: string, name: string): Promise<ImageF32> {
  return (v8.deserialize(await readFile(path.join(dir, person, `${name}.v8`))) as CachedStages).upscale.texture;
}

/** Delight's input as reconstruct builds it (src/pipeline/reconstruct.ts delightStage) but without the smile folds, which need the template head. */
function delightInputWithoutFolds(stages: Partial<StageResults>): DelightInput {
  const { capture, unwrap, complete, upscale, fit } = stages as StageResults;
  const sourceConfidence = (complete as { sourceConfidence?: ImageF32 }).sourceConfidence;
  if (!sourceConfidence) throw new Error("delightInputWithoutFolds: complete reported no sourceConfidence");
  return {
    texture: upscale.texture,
    textureBase: complete.texture,
    confidence: sourceConfidence,
    normalsObject: unwrap.normalsObject,
    tangentsObject: unwrap.tangentsObject,
    baseTexelSizeMm: unwrap.medianTexelSizeMm,
    ambientOcclusion: unwrap.ambientOcclusion,
    coverage: unwrap.coverage,
    regions: unwrap.regions,
    viewObject: viewTowardCamera(unwrap.position, fit.camera),
    sceneLight: sceneLightStatistics(capture.illuminant),
    ...photoReferences(capture.image, capture.landmarks),
    texelSizeMm: fullSizeTexelMm(unwrap.medianTexelSizeMm, unwrap.texture.width, upscale.texture.width),
  };
}

/** A_D of every head averaged texel by texel in linear light (the heads share the atlas); sRGB like A_D. */
export function meanAlbedo(heads: AblationHead[]): ImageF32 {
  const first = heads[0].albedo;
  const acc = new Float64Array(first.data.length);
  for (const h of heads) {
    if (h.albedo.data.length !== acc.length) throw new Error("meanAlbedo: the heads' A_D sizes differ");
    const lin = h.albedo.colorSpace === "srgb";
    for (let i = 0; i < acc.length; i++) acc[i] += lin ? srgbToLinear(h.albedo.data[i]) : h.albedo.data[i];
  }
  const data = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) data[i] = first.colorSpace === "srgb" ? linearToSrgb(acc[i] / heads.length) : acc[i] / heads.length;
  return { ...first, data };
}

/** Any same-sized one-channel or data maps averaged texel by texel (A_S, AO). */
export function meanMap(maps: ImageF32[]): ImageF32 {
  const data = new Float32Array(maps[0].data.length);
  for (const m of maps) for (let i = 0; i < data.length; i++) data[i] += m.data[i] / maps.length;
  return { ...maps[0], data };
}

/** The eyes' maps averaged in linear light, as sRGB codes. */
export function meanEyes(heads: AblationHead[]): AblationHead["eyes"] {
  const { width, height } = heads[0].eyes;
  const acc = new Float64Array(width * height * 3);
  for (const h of heads) {
    if (h.eyes.width !== width || h.eyes.height !== height) throw new Error("meanEyes: the eyes' map sizes differ");
    for (let i = 0; i < acc.length; i++) acc[i] += srgbToLinear(h.eyes.codes[i] / 255);
  }
  return { width, height, codes: Uint8Array.from(acc, (v) => Math.round(255 * linearToSrgb(v / heads.length))) };
}

/**
 * The set's mean neutral shape: every head similarity-aligned (over the skin, area-weighted) onto
 * the first, then averaged vertex by vertex; in the first head's frame.
 */
export function meanShape(heads: AblationHead[]): Float32Array {
  const ref = heads[0].mesh.positions;
  const weights = skinWeights(heads[0]);
  const acc = new Float64Array(ref.length);
  for (const h of heads) {
    const moved = applySimilarity(fitSimilarity(h.mesh.positions, ref, weights), h.mesh.positions);
    for (let i = 0; i < acc.length; i++) acc[i] += moved[i] / heads.length;
  }
  return Float32Array.from(acc);
}

/** Per-vertex weights: the vertex's surface share on the skin, 0 elsewhere (eyeballs, mouth parts). */
function skinWeights(h: AblationHead): Float64Array {
  const areas = vertexAreas(h.mesh.positions, h.mesh.indices);
  const w = new Float64Array(areas.length);
  for (const v of shapeVertexSets(h.mesh, h.parts).skin) w[v] = areas[v];
  return w;
}

/**
 * The head's own shape with its difference from the set's mean multiplied by `k` (a caricature for
 * k > 1): the head similarity-aligned onto `mean` over the skin, then mean + k·(head − mean).
 */
export function exaggeratedShape(head: AblationHead, mean: Float32Array, k: number): Float32Array {
  const own = applySimilarity(fitSimilarity(head.mesh.positions, mean, skinWeights(head)), head.mesh.positions);
  return Float32Array.from(mean, (m, i) => m + k * (own[i] - m));
}

/** `head`'s mesh with `shape` (any frame) similarity-aligned onto it over the skin; normals and tangents recomputed. */
export function meshWithShape(head: AblationHead, shape: Float32Array): Mesh {
  const positions = Float32Array.from(applySimilarity(fitSimilarity(shape, head.mesh.positions, skinWeights(head)), shape));
  const normals = computeNormals(positions, head.mesh.indices);
  return { ...head.mesh, positions, normals, tangents: computeTangents(positions, normals, head.mesh.uvs, head.mesh.indices) };
}

/** The aligned FaceRes crop with everything outside the face oval (landmarks' FACE_OVAL) set to `grey` (sRGB; the canonical views' background). */
export function ovalOnlyCrop(image: ImageF32, landmarks: Landmarks, grey = 0.16): ImageF32 {
  const t = alignmentTransform(landmarks);
  const crop = warpCrop(image, t);
  const ring = T.FACE_OVAL.flatMap((i) => [t.a * landmarks[3 * i] - t.b * landmarks[3 * i + 1] + t.tx, t.b * landmarks[3 * i] + t.a * landmarks[3 * i + 1] + t.ty]);
  const mask = new Float32Array(crop.width * crop.height);
  fillPolygon(mask, crop.width, crop.height, ring);
  const data = new Float32Array(crop.data);
  for (let p = 0; p < mask.length; p++) if (!(mask[p] > 0)) for (let k = 0; k < 3; k++) data[3 * p + k] = grey;
  return { ...crop, data };
}
