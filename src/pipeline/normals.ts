/**
 * normals ρ and σ: specular normals N_S (mesh N_T plus fine detail from A_D's high frequencies,
 * physically scaled by the texel size) and diffuse normals N_D (N_S smoothed over skin's
 * subsurface scattering profile), both in glTF / MikkTSpace tangent space (+X along +u, +Y toward
 * −v, i.e. up the image; +Z out of the surface), unit length, −1..1 per component — ready for a
 * 16-bit PNG as (n + 1) / 2 (docs/design.md §1, §2). The per-texel work is the ρ and σ estimators
 * (built-in ONNX graphs built for this texel size, or user models with the same I/O); see
 * src/estimators/normals.ts for the physics.
 */
import { runTiled } from "../models/tiled.ts";
import { builtinNormalsDiffuseEstimator, builtinNormalsSpecularEstimator, forJob } from "../estimators/builtin.ts";
import { diffuseProfile, NORMALS_DIFFUSE_DEFAULTS, NORMALS_SPECULAR_DEFAULTS } from "../estimators/normals.ts";
import { resizeImage } from "../estimators/resize.ts";
import type { ImageF32 } from "../types.ts";
import { loggerOf, stageEstimator, throwIfAborted, tiledOf, withDefaults, type StageContext } from "./stage.ts";
import { applyReliefSlopes, diffuseReliefRemainder } from "./normals/shading-detail.ts";
import { applyMicrogeometry, MicroSynthesis, MICROGEOMETRY_DEFAULTS, type MicrogeometryOptions, type MicroSurface } from "./normals/microgeometry.ts";

export interface NormalsInput {
  /** Diffuse albedo A_D at full map size, sRGB, 3 channels. */
  albedo: ImageF32;
  /** Mesh tangent-space normals N_T (unwrap's normalsTangent), any size with the atlas' aspect; resampled to the albedo's. */
  normalsTangent: ImageF32;
  /** Surface size of one texel of `albedo`, mm: see fullSizeTexelMm. */
  texelSizeMm: number;
  /** Regions and seed of the pore-level synthesis added to N_S between ρ and σ (normals/microgeometry.ts); absent: none. */
  microsurface?: MicroSurface;
  /** A_S at the albedo's size: darkened in place in the synthesis' cavities (the same pass as N_S). */
  specularAlbedo?: ImageF32;
  /** Slopes of the relief de-lighting recovered from the shading (DelightResult.relief.slopes: any size with the atlas' aspect, 2 channels, mm/mm); added to N_S after ρ, and to N_D at the same height (what σ's blur took off it added back). */
  reliefSlopes?: ImageF32;
}

export interface NormalsOptions {
  /** Options of the microgeometry synthesis. */
  microgeometry?: MicrogeometryOptions;
  /** Std. dev. of the local mean the height field is relative to, mm. */
  highPassSigmaMm?: number;
  /** Depth per unit of log-luminance below the local mean, mm. */
  depthPerLogUnitMm?: number;
  /** Scattering-profile Gaussians wider than this (σ, mm) are merged into one (cost). */
  mergeAboveMm?: number;
  /** Skin albedo weighting the per-channel scattering profiles into one (linear RGB; delight's lighting.skinAlbedo). */
  skinAlbedo?: [number, number, number];
}

export const NORMALS_DEFAULTS: Required<NormalsOptions> = {
  ...NORMALS_SPECULAR_DEFAULTS,
  mergeAboveMm: NORMALS_DIFFUSE_DEFAULTS.mergeAboveMm,
  skinAlbedo: NORMALS_DIFFUSE_DEFAULTS.skinAlbedo,
  microgeometry: MICROGEOMETRY_DEFAULTS,
};

export interface NormalsResult {
  /** N_S, tangent space, unit, −1..1 ("data"). */
  normalsSpecular: ImageF32;
  /** N_D, tangent space, unit, −1..1 ("data"). */
  normalsDiffuse: ImageF32;
}

/**
 * Texel size of a map of `mapWidth` texels, from the base map's median texel size (unwrap's
 * medianTexelSizeMm, measured on the fitted mesh over skin texels): the atlas is only rescaled.
 */
export function fullSizeTexelMm(baseTexelSizeMm: number, baseWidth: number, mapWidth: number): number {
  return (baseTexelSizeMm * baseWidth) / mapWidth;
}

/**
 * Computes N_S and N_D at the albedo's size. The ρ and σ estimators are the context registry's
 * "normalsSpecular" and "normalsDiffuse" ones, else the built-in graphs; progress runs 0..1 over
 * both passes.
 *
 * @example
 *   const { normalsSpecular, normalsDiffuse } = await normals({ albedo, normalsTangent: unwrap.normalsTangent,
 *     texelSizeMm: fullSizeTexelMm(unwrap.medianTexelSizeMm, 384, albedo.width) }, { skinAlbedo }, { estimators });
 */
export async function normals(input: NormalsInput, options: NormalsOptions = {}, context: StageContext = {}): Promise<NormalsResult> {
  const o = withDefaults(NORMALS_DEFAULTS, options);
  const { albedo, normalsTangent } = input;
  if (albedo.channels !== 3 || albedo.colorSpace !== "srgb") throw new Error(`normals: albedo must be 3-channel sRGB, got ${albedo.channels} channels ${albedo.colorSpace}`);
  if (normalsTangent.channels !== 3 || normalsTangent.colorSpace !== "data") throw new Error("normals: normalsTangent must be 3-channel data (unit vectors)");
  if (normalsTangent.width * albedo.height !== normalsTangent.height * albedo.width) {
    throw new Error(`normals: normalsTangent ${normalsTangent.width}×${normalsTangent.height} is not the albedo's ${albedo.width}×${albedo.height} atlas`);
  }
  if (!(input.texelSizeMm > 0)) throw new Error(`normals: texelSizeMm must be > 0 (mm per texel of the albedo), got ${input.texelSizeMm}`);

  const job = {
    texelSizeMm: input.texelSizeMm,
    skinAlbedo: o.skinAlbedo,
    options: { highPassSigmaMm: o.highPassSigmaMm, depthPerLogUnitMm: o.depthPerLogUnitMm, mergeAboveMm: o.mergeAboveMm },
  };
  const rho = forJob(stageEstimator(context, "normalsSpecular") ?? builtinNormalsSpecularEstimator(), job);
  const sigma = forJob(stageEstimator(context, "normalsDiffuse") ?? builtinNormalsDiffuseEstimator(), job);
  loggerOf(context).debug(`normals: ρ ${rho.manifest.name} (rf ${rho.manifest.receptiveField}), σ ${sigma.manifest.name} (rf ${sigma.manifest.receptiveField}) at ${input.texelSizeMm} mm/texel`);

  // N_T at full size is dropped before σ runs (at ultra it is 0.3 GB; locals of an async function live to its end).
  const hold: { nt: ImageF32 | null } = { nt: await resizeImage(normalsTangent, albedo.width, albedo.height) };
  const [ns] = await runTiled(await rho.session(), rho.manifest, [albedo, hold.nt!], tiledOf(context, 0, 0.5));
  if (input.reliefSlopes) applyReliefSlopes(ns, input.reliefSlopes);
  if (input.microsurface) {
    throwIfAborted(context);
    const synth = new MicroSynthesis(ns.width, ns.height, input.texelSizeMm, input.microsurface, o.microgeometry);
    applyMicrogeometry({ normalsSpecular: ns, normalsTangent: hold.nt, specularAlbedo: input.specularAlbedo }, synth);
  }
  hold.nt = null;
  const [nd] = await runTiled(await sigma.session(), sigma.manifest, [ns], tiledOf(context, 0.5, 0.5));
  if (input.reliefSlopes) {
    const reliefTexelMm = (input.texelSizeMm * albedo.width) / input.reliefSlopes.width;
    applyReliefSlopes(nd, diffuseReliefRemainder(input.reliefSlopes, diffuseProfile({ skinAlbedo: o.skinAlbedo, mergeAboveMm: o.mergeAboveMm }), reliefTexelMm));
  }
  return { normalsSpecular: ns, normalsDiffuse: nd };
}
