/**
 * Is the diffuse albedo plausible? Without ground truth we check what an albedo must not do:
 * carry the photo's shading (residual shading), clip, or shift skin tone differently for
 * different skin (ITA of A_D against the photo's own skin at the same surface points).
 */
import { evaluateShImage, radianceToIrradiance } from "../src/render/sh.ts";
import { LUMA_709, srgbToLinear } from "../src/primitives/color.ts";
import { FACE_REGIONS, type ImageF32, type LightingEstimate, type RegionMaps } from "../src/types.ts";
import { clippedFraction, skinTone, weightedCorrelation } from "./metrics.ts";

export interface AlbedoCheckInput {
  /** A_D as shipped: sRGB, full map size. */
  albedo: ImageF32;
  /** The baseline's albedo: T̂ × scale, linear, full map size. */
  baselineAlbedo: ImageF32;
  /** Unwrap's photo texture T (linear, base size): the photo's colour at each seen surface point. */
  texture: ImageF32;
  /** Base-size maps from unwrap. */
  confidence: ImageF32;
  coverage: ImageF32;
  regions: RegionMaps;
  normalsObject: ImageF32;
  ambientOcclusion: ImageF32;
  lighting: LightingEstimate;
}

export interface AlbedoChecks {
  /** ITA° of A_D and of the photo (T) over the same seen cheek and forehead texels; bias = albedo − photo; median CIELAB L* and b* behind each. */
  ita: { albedo: number; photo: number; bias: number; texels: number; albedoLb: [number, number]; photoLb: [number, number] };
  /** Fraction of covered texels with a channel clipped at 0 or 1 (8-bit), A_D and the baseline's albedo. */
  clipped: { ours: number; baseline: number };
  /** Correlation of log luminance of the albedo with log of the estimated shading AO·E(N)/π over seen skin (0 = none left). */
  residualShading: { ours: number; baseline: number };
}

/** Minimum unwrap confidence of a texel the checks read (de-lighting fits from ≥ 0.3 too). */
const MIN_CONFIDENCE = 0.3;
/** Regions whose colour is not skin shading (hair, eye openings, lips). */
const NOT_SKIN = ["brows", "scalp", "eyelids", "lips"] as const;

/** Box-filters a full-size map down to the base size, in linear light. */
export function toBaseLinear(map: ImageF32, width: number, height: number): Float32Array {
  const f = map.width / width;
  if (!Number.isInteger(f) || map.height / height !== f) throw new Error(`albedo checks: map ${map.width}×${map.height} is not an integer multiple of ${width}×${height}`);
  const out = new Float32Array(width * height * 3);
  const lin = map.colorSpace === "srgb";
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = 0; dy < f; dy++) {
          for (let dx = 0; dx < f; dx++) {
            const v = map.data[((y * f + dy) * map.width + x * f + dx) * map.channels + c];
            s += lin ? srgbToLinear(v) : v;
          }
        }
        out[(y * width + x) * 3 + c] = s / (f * f);
      }
    }
  }
  return out;
}

function logLuminance(rgb: Float32Array, p: number): number {
  return Math.log(Math.max(1e-4, LUMA_709[0] * rgb[3 * p] + LUMA_709[1] * rgb[3 * p + 1] + LUMA_709[2] * rgb[3 * p + 2]));
}

/** Covered-texel mask at a full-size map's resolution, from the base coverage (nearest texel). */
function fullCoverage(coverage: ImageF32, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const by = Math.min(coverage.height - 1, Math.floor((y * coverage.height) / height));
    for (let x = 0; x < width; x++) out[y * width + x] = coverage.data[by * coverage.width + Math.min(coverage.width - 1, Math.floor((x * coverage.width) / width))];
  }
  return out;
}

/** Runs the three checks on one result. */
export function albedoChecks(input: AlbedoCheckInput): AlbedoChecks {
  const { width: W, height: H } = input.texture;
  const N = W * H;
  const regions = input.regions.weights;
  const region = (p: number, names: readonly string[]) => names.reduce((s, n) => s + regions.data[p * regions.channels + FACE_REGIONS.indexOf(n as (typeof FACE_REGIONS)[number])], 0);

  const albedoBase = toBaseLinear(input.albedo, W, H);
  const baselineBase = toBaseLinear(input.baselineAlbedo, W, H);
  const toneWeight = new Float32Array(N);
  const skinWeight = new Float32Array(N);
  for (let p = 0; p < N; p++) {
    const seen = input.confidence.data[p] >= MIN_CONFIDENCE && input.coverage.data[p] >= 0.5;
    if (!seen) continue;
    if (region(p, ["cheeks", "forehead"]) >= 0.5) toneWeight[p] = 1;
    if (region(p, NOT_SKIN) < 0.5) skinWeight[p] = 1;
  }
  const albedoTone = skinTone(albedoBase, toneWeight);
  const photoTone = skinTone(input.texture.data, toneWeight);

  // Shading the estimate puts on each texel: AO · E(N_O) / π, luminance.
  const E = evaluateShImage(radianceToIrradiance(input.lighting.shRadiance), input.normalsObject.data, N);
  const logShading = new Float64Array(N), logOurs = new Float64Array(N), logBase = new Float64Array(N);
  for (let p = 0; p < N; p++) {
    if (!skinWeight[p]) continue;
    const e = LUMA_709[0] * E[3 * p] + LUMA_709[1] * E[3 * p + 1] + LUMA_709[2] * E[3 * p + 2];
    logShading[p] = Math.log(Math.max(1e-4, (input.ambientOcclusion.data[p] * e) / Math.PI));
    logOurs[p] = logLuminance(albedoBase, p);
    logBase[p] = logLuminance(baselineBase, p);
  }

  const covFull = fullCoverage(input.coverage, input.albedo.width, input.albedo.height);
  return {
    ita: {
      albedo: albedoTone.ita,
      photo: photoTone.ita,
      bias: albedoTone.ita - photoTone.ita,
      texels: albedoTone.samples,
      albedoLb: [albedoTone.L, albedoTone.b],
      photoLb: [photoTone.L, photoTone.b],
    },
    clipped: { ours: clippedFraction(input.albedo, covFull), baseline: clippedFraction(input.baselineAlbedo, covFull) },
    residualShading: { ours: weightedCorrelation(logOurs, logShading, skinWeight), baseline: weightedCorrelation(logBase, logShading, skinWeight) },
  };
}
