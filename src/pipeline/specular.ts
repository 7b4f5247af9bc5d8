/**
 * specular ψ: specular albedo A_S (1 channel, linear; F0 = A_S × SPECULAR_F0_AT_ONE = 0.056, so
 * skin's nominal F0 0.028 is A_S 0.5) from the diffuse albedo and the region maps (docs/design.md §1).
 *
 * Skin's specular is a near-constant dielectric reflection (n ≈ 1.4 ⇒ F0 ≈ 0.028, reference §1.1
 * [S3, S11]) modulated by region — sebum makes the forehead and nose shinier (Weyrich et al. 2006
 * [S1 via S20]: highest ρs on nose and forehead, range ≈ 0.18–0.32), GPU Gems 3 reports lips and
 * nose shinier [S3 via S21] — and by cavities (pores, fine lines), which the per-texel estimator
 * finds as local darkening of A_D. The regional level is made here at base size and upsampled;
 * the per-texel part is the ψ estimator (built-in ONNX graph or a user model with the same I/O).
 */
import { runTiled } from "../models/tiled.ts";
import { builtinSpecularEstimator, forJob } from "../estimators/builtin.ts";
import { resizeImage } from "../estimators/resize.ts";
import { SPECULAR_F0_AT_ONE, SPECULAR_GRAPH_DEFAULTS } from "../estimators/specular.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32, type RegionMaps } from "../types.ts";
import { loggerOf, stageEstimator, tiledOf, withDefaults, type StageContext } from "./stage.ts";

export { SPECULAR_F0_AT_ONE };

export interface SpecularInput {
  /** Diffuse albedo A_D at full map size, sRGB, 3 channels. */
  albedo: ImageF32;
  /** Region maps (any size with the atlas' aspect; base size from unwrap). Absent: all "other skin". */
  regions?: RegionMaps;
  /** Surface size of one texel of `albedo`, mm (unwrap's medianTexelSizeMm × base width / map width). */
  texelSizeMm: number;
}

export interface SpecularOptions {
  /** F0 of skin with no regional or cavity modulation [S3, S11]. */
  nominalF0?: number;
  /** Regional multipliers of nominalF0; "other" is the remainder of each texel's region weights. */
  regionLevels?: Record<FaceRegion | "other", number>;
  /** Std. dev. of the local-mean window cavities are found against, mm. */
  cavitySigmaMm?: number;
  /** Specular lost per unit of relative darkening. */
  cavityStrength?: number;
  /** Cavity factor floor. */
  minCavityFactor?: number;
}

/**
 * Regional multipliers of skin's nominal F0. Skin regions stay within the measured ρs range
 * 0.18–0.32 around a mid value 0.25 (×0.72–×1.28) [S1 via S20]: forehead and nose at the top,
 * lips just below (shinier than cheeks [S3 via S21]); cheeks, chin and other skin at the middle;
 * ears, neck and eyelids (not in the measured set) slightly below. Hair-bearing regions (brows,
 * scalp) are not skin measurements: hair fibres scatter specular away from the mirror direction,
 * so they are set low.
 */
export const REGION_SPECULAR_LEVELS: Record<FaceRegion | "other", number> = {
  forehead: 1.28,
  nose: 1.28,
  lips: 1.2,
  cheeks: 1,
  chin: 1,
  eyelids: 0.9,
  ears: 0.85,
  neck: 0.85,
  brows: 0.45,
  scalp: 0.35,
  other: 1,
};

export const SPECULAR_DEFAULTS: Required<SpecularOptions> = {
  nominalF0: 0.028,
  regionLevels: REGION_SPECULAR_LEVELS,
  ...SPECULAR_GRAPH_DEFAULTS,
};

/** A_S before cavities, at the region maps' size: nominal F0 × regional level / F0 at A_S = 1. */
export function regionalSpecular(regions: RegionMaps | undefined, width: number, height: number, o: Pick<Required<SpecularOptions>, "nominalF0" | "regionLevels">): ImageF32 {
  const n = width * height;
  const data = new Float32Array(n);
  const base = o.nominalF0 / SPECULAR_F0_AT_ONE;
  const levels = FACE_REGIONS.map((r) => o.regionLevels[r]);
  for (let p = 0; p < n; p++) {
    let level = 0;
    let sum = 0;
    if (regions) {
      const w = regions.weights;
      for (let r = 0; r < FACE_REGIONS.length; r++) {
        const v = w.data[p * w.channels + r];
        level += v * levels[r];
        sum += v;
      }
    }
    level += Math.max(0, 1 - sum) * o.regionLevels.other;
    data[p] = Math.min(1, base * level);
  }
  return { width, height, channels: 1, data, colorSpace: "data" };
}

/**
 * Specular albedo A_S at the albedo's size (1 channel, linear, F0 = A_S × 0.056). The ψ estimator
 * is the context registry's "specular" one, else the built-in graph.
 *
 * @example
 *   const { specularAlbedo } = await specular({ albedo: delit.albedo, regions: unwrap.regions, texelSizeMm: 0.08 }, {}, { estimators });
 */
export async function specular(input: SpecularInput, options: SpecularOptions = {}, context: StageContext = {}): Promise<{ specularAlbedo: ImageF32 }> {
  const o = withDefaults(SPECULAR_DEFAULTS, options);
  const { albedo, regions } = input;
  if (albedo.channels !== 3 || albedo.colorSpace !== "srgb") throw new Error(`specular: albedo must be 3-channel sRGB, got ${albedo.channels} channels ${albedo.colorSpace}`);
  if (!(input.texelSizeMm > 0)) throw new Error(`specular: texelSizeMm must be > 0 (mm per texel of the albedo), got ${input.texelSizeMm}`);
  for (const key of [...FACE_REGIONS, "other"] as const) {
    if (!(o.regionLevels[key] >= 0)) throw new Error(`specular: regionLevels.${key} must be ≥ 0, got ${o.regionLevels[key]}`);
  }
  const rw = regions?.weights;
  if (rw && (rw.channels !== FACE_REGIONS.length || rw.width * albedo.height !== rw.height * albedo.width)) {
    throw new Error(`specular: region maps ${rw.width}×${rw.height}×${rw.channels} do not match the albedo's ${albedo.width}×${albedo.height} atlas`);
  }
  const level = regionalSpecular(regions, rw?.width ?? albedo.width, rw?.height ?? albedo.height, o);
  const levelFull = await resizeImage(level, albedo.width, albedo.height);
  const estimator = forJob(stageEstimator(context, "specular") ?? builtinSpecularEstimator(), {
    texelSizeMm: input.texelSizeMm,
    options: { cavitySigmaMm: o.cavitySigmaMm, cavityStrength: o.cavityStrength, minCavityFactor: o.minCavityFactor },
  });
  loggerOf(context).debug(`specular: ${estimator.manifest.name} (${estimator.origin}), receptive field ${estimator.manifest.receptiveField} texels at ${input.texelSizeMm} mm/texel`);
  const [out] = await runTiled(await estimator.session(), estimator.manifest, [albedo, levelFull], tiledOf(context));
  return { specularAlbedo: { ...out, colorSpace: "linear" } };
}
