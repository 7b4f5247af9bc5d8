/**
 * Skin material parameters: the numbers that, with the four AvatarMe maps, define the look.
 * Pure data and arithmetic (no Babylon import), shared by the Babylon material, the glTF mapping
 * and material.json. Source keys [S#] refer to `shared/reference/skin-reflectance.md`.
 *
 * A_S → F0 (the one mapping everything else follows): A_S is linear, one channel, and
 *   F0(texel) = specularF0 × A_S / A_S_NOMINAL
 * so A_S = 0.5 is typical skin (F0 = 0.028, [S11] IOR 1.4; [S3] KSK constant 0.028), A_S = 1 is an
 * oily T-zone at twice that, A_S = 0 (brows, hair) has no specular. F90 stays 1 everywhere.
 * That reflectance is split between two GGX lobes: a broad base lobe carrying (1 − w) of it and
 * a sharp clear-coat ("moisture", [S24]) lobe carrying w of it.
 */
import { withDefaults } from "../src/options.ts";

/** The A_S value that stands for typical skin (F0 = specularF0). */
export const A_S_NOMINAL = 0.5;

/** Clear-coat IOR: fixed at 1.5 by KHR_materials_clearcoat, so Babylon uses the same to match. */
export const CLEARCOAT_IOR = 1.5;

export interface SkinParameters {
  /** F0 of typical skin (at A_S = A_S_NOMINAL), normal incidence, 0..1. [S11] [S3]: 0.028. */
  specularF0: number;
  /** Index of refraction of the skin surface (Fresnel curve of the base lobe). [S11]: 1.4. */
  indexOfRefraction: number;
  /** Perceptual roughness (glTF/Babylon, α = r²) of the broad base lobe, 0..1. */
  roughnessBase: number;
  /** Perceptual roughness of the sharp clear-coat lobe, 0..1. */
  roughnessSharp: number;
  /** Share w of the specular reflectance carried by the sharp lobe, 0..1. */
  sharpLobeWeight: number;
  /** Strength of the tangent-space normal maps N_S and N_D (1 = as stored). */
  normalStrength: number;
  /**
   * Burley shape length d per channel (R, G, B), millimetres: the diffusion profile of the
   * screen-space subsurface scattering. Mean scattering distance is 2.5·d [S18 D].
   */
  scatteringDistanceMm: [number, number, number];
  /** Diffuse transmission through thin parts (ears), 0..1, modulated by the thin-part mask. */
  translucency: number;
  /** Colour of light transmitted through thin parts, linear RGB. */
  translucencyColor: [number, number, number];
}

declare const checked: unique symbol;

/**
 * Skin parameters that passed `validateSkinParameters`: complete and in range. Only that function
 * makes one (the brand exists for the type checker alone), so the export's inner steps, which take
 * this type, cannot be handed parameters nobody checked, and need not check them again.
 */
export type ValidSkinParameters = Readonly<SkinParameters> & { readonly [checked]: true };

/**
 * Defaults. Roughness: the Weyrich per-region Beckmann m 0.23–0.31 [S1 via S20] maps to GGX
 * roughness ≈ √m = 0.48–0.56 (sheet §1.2 [D]); centre 0.55 (m 0.30), split by Unreal's dual-lobe
 * multipliers 1.30 / 0.75 [S12] into 0.72 (broad) and 0.41 (sharp); the sharp share 0.15 is
 * 1 − Unreal's lobe_mix 0.85 [S12] (its exact semantics are not confirmed there, checked by render).
 * Scattering: d'Eon & Luebke's sum-of-Gaussians mean radii R 1.12, G 0.26, B 0.17 mm [S3 via S9, D]
 * divided by Burley's mean/d = 2.5 [S18 D] give d = 0.448, 0.104, 0.068 mm.
 */
export const SKIN_DEFAULTS: Readonly<SkinParameters> = Object.freeze({
  specularF0: 0.028,
  indexOfRefraction: 1.4,
  roughnessBase: 0.72,
  roughnessSharp: 0.41,
  sharpLobeWeight: 0.15,
  normalStrength: 1,
  scatteringDistanceMm: [0.448, 0.104, 0.068] as [number, number, number],
  translucency: 0.5,
  // Red passes through ears (backlit ears glow red): Jensen Skin1 diffusion lengths 3.67/1.37/0.68 mm [S10 D].
  translucencyColor: [1, 0.3, 0.12] as [number, number, number],
});

/** Dielectric Fresnel reflectance at normal incidence from air, ((n−1)/(n+1))² [sheet §1.1 D]. */
export function fresnelF0(ior: number): number {
  return ((ior - 1) / (ior + 1)) ** 2;
}

/** Factors both renderers apply to the A_S map (see the file header). */
export interface SpecularFactors {
  /** Base lobe: F0 = fresnelF0(ior) × baseColorFactor × A_S (KHR_materials_specular specularColorFactor). */
  baseColorFactor: number;
  /** Sharp lobe: intensity = coatFactor × A_S, with coat F0 = fresnelF0(1.5) (KHR_materials_clearcoat). */
  coatFactor: number;
}

export function specularFactors(p: SkinParameters): SpecularFactors {
  const f0PerUnitAs = p.specularF0 / A_S_NOMINAL;
  return {
    baseColorFactor: ((1 - p.sharpLobeWeight) * f0PerUnitAs) / fresnelF0(p.indexOfRefraction),
    coatFactor: (p.sharpLobeWeight * f0PerUnitAs) / fresnelF0(CLEARCOAT_IOR),
  };
}

/**
 * Checks ranges; throws naming the first bad parameter. Returns a complete copy, typed as checked.
 * Call it where parameters come in from outside (a job, a slider, a file's metadata), once.
 */
export function validateSkinParameters(input: Partial<SkinParameters>): ValidSkinParameters {
  const p: SkinParameters = {
    ...withDefaults(SKIN_DEFAULTS, input),
    scatteringDistanceMm: [...(input.scatteringDistanceMm ?? SKIN_DEFAULTS.scatteringDistanceMm)] as [number, number, number],
    translucencyColor: [...(input.translucencyColor ?? SKIN_DEFAULTS.translucencyColor)] as [number, number, number],
  };
  const inRange = (name: keyof SkinParameters, v: number, lo: number, hi: number) => {
    if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new Error(`skin parameter ${name} = ${v}: must be within [${lo}, ${hi}]`);
  };
  inRange("specularF0", p.specularF0, 0, 0.2);
  inRange("indexOfRefraction", p.indexOfRefraction, 1.01, 3);
  inRange("roughnessBase", p.roughnessBase, 0, 1);
  inRange("roughnessSharp", p.roughnessSharp, 0, 1);
  inRange("sharpLobeWeight", p.sharpLobeWeight, 0, 1);
  inRange("normalStrength", p.normalStrength, 0, 4);
  inRange("translucency", p.translucency, 0, 1);
  if (p.scatteringDistanceMm.length !== 3) throw new Error("skin parameter scatteringDistanceMm: needs 3 values (R, G, B)");
  for (const d of p.scatteringDistanceMm) inRange("scatteringDistanceMm", d, 0.001, 20);
  if (p.translucencyColor.length !== 3) throw new Error("skin parameter translucencyColor: needs 3 values (R, G, B)");
  for (const c of p.translucencyColor) inRange("translucencyColor", c, 0, 1);
  const { coatFactor } = specularFactors(p);
  if (coatFactor > 1) throw new Error(`skin parameters: sharp lobe needs clear-coat intensity ${coatFactor.toFixed(3)} > 1; lower sharpLobeWeight or specularF0`);
  return p as ValidSkinParameters;
}

/** Stable key order for material.json and metadata (deterministic output). */
export function skinParametersToJson(p: ValidSkinParameters): Record<string, unknown> {
  return {
    specularF0: p.specularF0,
    indexOfRefraction: p.indexOfRefraction,
    roughnessBase: p.roughnessBase,
    roughnessSharp: p.roughnessSharp,
    sharpLobeWeight: p.sharpLobeWeight,
    normalStrength: p.normalStrength,
    scatteringDistanceMm: [...p.scatteringDistanceMm],
    translucency: p.translucency,
    translucencyColor: [...p.translucencyColor],
  };
}
