/**
 * Skin-tone consistency for the identity-set evaluation (eval/identities.ts): per photo, the facial
 * A_D mean (report.json `lighting.skinAlbedo`, the median of seen skin after the scale) and the
 * mean of the completed base albedo over seen forehead and cheek texels; over the set, the
 * CIEDE2000 between every pair of photos of one person (within) and of two people (between). The
 * target of issue 14 is within ≤ 3 and within ≤ 0.4 × between.
 *
 * Each photo's delight input is kept (v8-serialised) so that `--reuse` can run delight alone on
 * it, built as reconstruct builds it (`delightInputOf`).
 */
import { ciede2000 } from "../src/primitives/color.ts";
import { SKIN_LOCUS_Y_RANGE } from "../src/pipeline/delight/albedo-scale.ts";
import { fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { photoReferences, type DelightInput } from "../src/pipeline/delight.ts";
import { viewTowardCamera } from "../src/pipeline/delight/specular-bound.ts";
import { sceneLightStatistics } from "../src/pipeline/delight/redness-share.ts";
import type { StageResults } from "../src/types.ts";

export interface TonePhoto {
  person: string;
  name: string;
  /** Facial A_D median (lighting.skinAlbedo), linear RGB, and its CIELAB; null when the photo failed. */
  skinAlbedo: [number, number, number] | null;
  lab: [number, number, number] | null;
  /** ITA° of `lab`: atan((L* − 50) / b*). */
  ita: number | null;
  /** Mean of the completed base albedo over seen forehead and cheeks, CIELAB. */
  seenLab: [number, number, number] | null;
  /** lighting.albedoScale as delight reported it (method, target luminance and, where present, cues). */
  albedoScale: Record<string, unknown> | null;
  failure: string | null;
}

export interface PairStats {
  /** Mean ΔE00 over pairs of photos of the same person. */
  within: number | null;
  /** Mean ΔE00 over pairs of photos of different people. */
  between: number | null;
  /** within / between. */
  ratio: number | null;
  /** Per person: mean within ΔE00 and pair count. */
  perPerson: Record<string, { within: number | null; pairs: number }>;
}

/**
 * Whether a facial skin luminance sits on an end of the skin-locus prior (ISSA's facial luminance
 * range [S20], delight/albedo-scale.ts SKIN_LOCUS_Y_RANGE): a photo whose scale is there was
 * clamped by the prior's range rather than measured.
 */
export function atPriorBound(y: number | null | undefined): boolean {
  const ends = SKIN_LOCUS_Y_RANGE;
  return y != null && ends.some((b) => Math.abs(y - b) < 0.002);
}

export const ita = (lab: ArrayLike<number>): number => (Math.atan2(lab[0] - 50, lab[2]) * 180) / Math.PI;

/** Within- and between-person mean ΔE00 of the given colours (photos with a null colour are skipped). */
export function pairStats(photos: { person: string; lab: ArrayLike<number> | null }[]): PairStats {
  const ok = photos.filter((p) => p.lab);
  const within: number[] = [];
  const between: number[] = [];
  const per: Record<string, number[]> = {};
  for (const p of photos) per[p.person] ??= [];
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const d = ciede2000(ok[i].lab!, ok[j].lab!);
      if (ok[i].person === ok[j].person) {
        within.push(d);
        per[ok[i].person].push(d);
      } else between.push(d);
    }
  }
  const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : null);
  const w = mean(within);
  const b = mean(between);
  return {
    within: w,
    between: b,
    ratio: w !== null && b ? w / b : null,
    perPerson: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { within: mean(v), pairs: v.length }])),
  };
}

const SEEN_REGIONS = [0, 2]; // forehead, cheeks in FACE_REGIONS order

/** Mean linear albedo over seen (confidence ≥ 0.3) forehead and cheek texels of the base albedo. */
export function seenMean(s: Partial<StageResults>): [number, number, number] | null {
  const a = s.delight?.albedoBase;
  const conf = s.unwrap?.confidence.data;
  const reg = s.unwrap?.regions.weights;
  if (!a || !conf || !reg) return null;
  const sum = [0, 0, 0];
  let wsum = 0;
  for (let p = 0; p < conf.length; p++) {
    if (conf[p] < 0.3) continue;
    const w = SEEN_REGIONS.reduce((t, r) => t + reg.data[p * reg.channels + r], 0);
    if (w <= 0) continue;
    for (let c = 0; c < 3; c++) sum[c] += w * a.data[p * 3 + c];
    wsum += w;
  }
  return wsum > 0 ? (sum.map((v) => v / wsum) as [number, number, number]) : null;
}

/** What delight reads, as the stages before it produced it (v8-serialisable). */
export interface CachedStages {
  capture: Pick<StageResults["capture"], "image" | "landmarks" | "illuminant">;
  unwrap: Pick<StageResults["unwrap"], "normalsObject" | "ambientOcclusion" | "coverage" | "regions" | "confidence" | "medianTexelSizeMm" | "texture"> & Partial<Pick<StageResults["unwrap"], "position" | "occlusionMasks">>;
  /** The fitted camera (absent in caches written before the highlight removal's bound: delight then runs without the view). */
  fit?: Pick<StageResults["fit"], "camera">;
  complete: { texture: StageResults["complete"]["texture"]; sourceConfidence: StageResults["unwrap"]["confidence"] };
  upscale: { texture: StageResults["upscale"]["texture"] };
}

/** Delight's input exactly as reconstruct's delightStage builds it. */
export function delightInputOf(s: CachedStages): DelightInput {
  return {
    texture: s.upscale.texture,
    textureBase: s.complete.texture,
    confidence: s.complete.sourceConfidence,
    normalsObject: s.unwrap.normalsObject,
    ambientOcclusion: s.unwrap.ambientOcclusion,
    ...(s.unwrap.occlusionMasks ? { occlusionMasks: s.unwrap.occlusionMasks } : {}),
    coverage: s.unwrap.coverage,
    regions: s.unwrap.regions,
    ...(s.unwrap.position && s.fit ? { viewObject: viewTowardCamera(s.unwrap.position, s.fit.camera) } : {}),
    sceneLight: sceneLightStatistics(s.capture.illuminant),
    ...photoReferences(s.capture.image, s.capture.landmarks),
    texelSizeMm: fullSizeTexelMm(s.unwrap.medianTexelSizeMm, s.unwrap.texture.width, s.upscale.texture.width),
  };
}

export function toCache(s: Partial<StageResults>): CachedStages | null {
  const { capture, unwrap, complete, upscale, fit } = s;
  const sourceConfidence = (complete as { sourceConfidence?: StageResults["unwrap"]["confidence"] } | undefined)?.sourceConfidence;
  if (!capture || !unwrap || !complete || !upscale || !sourceConfidence) return null;
  return {
    capture: { image: capture.image, landmarks: capture.landmarks, illuminant: capture.illuminant },
    unwrap: { normalsObject: unwrap.normalsObject, ambientOcclusion: unwrap.ambientOcclusion, coverage: unwrap.coverage, regions: unwrap.regions, confidence: unwrap.confidence, medianTexelSizeMm: unwrap.medianTexelSizeMm, texture: { ...unwrap.texture, data: new Float32Array(0) }, position: unwrap.position, occlusionMasks: unwrap.occlusionMasks },
    ...(fit ? { fit: { camera: fit.camera } } : {}),
    complete: { texture: complete.texture, sourceConfidence },
    upscale: { texture: upscale.texture },
  };
}

