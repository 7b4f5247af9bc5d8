/**
 * Specular ψ as a fixed-weight ONNX graph: specular albedo A_S = regional level × cavity factor.
 *
 * A_S is linear, one channel, and maps to Fresnel reflectance at normal incidence as
 * F0 = A_S × SPECULAR_F0_AT_ONE: skin's nominal F0 0.028 is A_S 0.5, leaving headroom for oily
 * regions. In glTF: KHR_materials_ior 1.4 (dielectric F0 0.0278 [S11]) with
 * KHR_materials_specular specularColorFactor 2 and A_S as the specular texture.
 *
 * The regional level comes in as an input map (made at base size from the region maps, see
 * src/pipeline/specular.ts). Cavities (pores, fine lines) hold less specular: they are found as
 * local darkening of A_D relative to its mean over a window of the pore scale (0.2–0.5 mm across,
 * reference §4), so the window is set in millimetres and converted with the texel size.
 */
import { LUMA_709 as LUMA } from "../primitives/color.ts";
import type { EstimatorManifest } from "../types.ts";
import { builtinManifest, quantise } from "./builtin-manifest.ts";
import { ImageGraph } from "./graph-kit.ts";

/** F0 of a texel whose A_S is 1 (A_S = 0.5 ↔ skin's F0 ≈ 0.028, n ≈ 1.4 [S3, S11]). */
export const SPECULAR_F0_AT_ONE = 0.056;

export interface SpecularGraphParams {
  /** Surface size of one texel, mm. */
  texelSizeMm: number;
  /** Standard deviation of the local-mean window that cavities are darker than, mm. */
  cavitySigmaMm: number;
  /** Specular lost per unit of relative darkening (1 − Y/Ȳ). */
  cavityStrength: number;
  /** Cavity factor never goes below this. */
  minCavityFactor: number;
}

export const SPECULAR_GRAPH_DEFAULTS: Omit<SpecularGraphParams, "texelSizeMm"> = {
  // A window of ±1 mm (σ 0.5 mm) spans a few pores of 0.2–0.5 mm (reference §4, 2°).
  cavitySigmaMm: 0.5,
  // Heuristic (no measured coupling in the reference): a pore 25 % darker than its
  // surroundings keeps 60 % of its specular.
  cavityStrength: 1.6,
  minCavityFactor: 0.3,
};


function normalise(p: SpecularGraphParams): SpecularGraphParams {
  if (!(p.texelSizeMm > 0)) throw new Error(`specular graph: texelSizeMm must be > 0, got ${p.texelSizeMm}`);
  return {
    texelSizeMm: quantise(p.texelSizeMm),
    cavitySigmaMm: quantise(p.cavitySigmaMm),
    cavityStrength: quantise(p.cavityStrength),
    minCavityFactor: quantise(p.minCavityFactor),
  };
}

function build(params: SpecularGraphParams): { bytes: Uint8Array; radius: number } {
  const p = normalise(params);
  const g = new ImageGraph("porelight_specular");
  const albedo = g.input("albedo", 3);
  const regional = g.input("regionSpecular", 1);
  const Y = g.mix(g.srgbToLinear(albedo), [[LUMA[0]], [LUMA[1]], [LUMA[2]]]);
  const { y: mean, radius } = g.blur(Y, 1, p.cavitySigmaMm / p.texelSizeMm);
  const darkening = g.max(g.sub(g.k(1), g.div(Y, g.max(mean, g.k(1e-4)))), g.k(0));
  const cavity = g.clip(g.sub(g.k(1), g.mul(darkening, g.k(p.cavityStrength))), p.minCavityFactor, 1);
  const specular = g.clip(g.mul(cavity, regional), 0, 1);
  g.output("specularAlbedo", specular, 1);
  return { bytes: g.encode(`porelight built-in specular: ${JSON.stringify(p)}`), radius };
}

/** Builds the ψ graph: inputs `albedo` (sRGB, 3) and `regionSpecular` (A_S before cavities, 1); output `specularAlbedo` (1). */
export function buildSpecularOnnx(params: SpecularGraphParams): Uint8Array {
  return build(params).bytes;
}

/** Manifest of the ψ graph built for `params` (its receptive field depends on the texel size). */
export function specularManifest(params: SpecularGraphParams): EstimatorManifest {
  return builtinManifest(
    "builtin-specular",
    "specular",
    [
      { name: "albedo", channels: 3, range: [0, 1], colorSpace: "srgb" },
      { name: "regionSpecular", channels: 1, range: [0, 1], colorSpace: "data" },
    ],
    [{ name: "specularAlbedo", channels: 1, range: [0, 1], colorSpace: "linear" }],
    build(params).radius,
  );
}
