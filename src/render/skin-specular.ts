/**
 * The skin material's specular under distant light, as the re-render draws it (eval/shade-skin.ts)
 * and as de-lighting bounds what it removes (pipeline/delight/specular-bound.ts): two GGX lobes
 * (materials/skin-parameters.ts: broad base lobe and sharp clear-coat lobe, F0 from A_S by the one
 * mapping there), analytic for directional lights; for the SH remainder, the radiance in the mirror
 * direction band-limited to the lobe width times an analytic environment BRDF (split sum), occluded
 * by AO. De-lighting's SH estimate reaches the lobes whole, as that environment (default), or split
 * into one directional light plus the remainder (EstimateSpecular). Object space, glTF axes;
 * radiance in the SH's units.
 */
import { CLEARCOAT_IOR, fresnelF0, specularFactors, type SkinParameters } from "../../materials/skin-parameters.ts";
import { directionalLightSh, shBasis, SH_BAND, SH_COUNT } from "./sh.ts";
import { unitByDivision } from "../primitives/vec3.ts";
import type { LightingEstimate } from "../types.ts";

/** A distant light of one direction. */
export interface DirectionalLight {
  /** Unit vector toward the light, object space (normalised here). */
  direction: readonly [number, number, number];
  /** Irradiance on a surface facing the light, linear RGB (photo units per unit albedo × π). */
  radiance: [number, number, number];
}

/** Distant lighting in object space of the mesh. */
export interface SkinLighting {
  /** SH radiance of everything but `directional`: 27 numbers, LightingEstimate.shRadiance's order. */
  ambientSh: ArrayLike<number>;
  directional: DirectionalLight[];
  /** How directional lights light the diffuse lobe: "sh" = their 2nd-order SH projection (what de-lighting fits); "exact" = max(0, n·l). */
  directionalDiffuse: "sh" | "exact";
}

const C0 = 0.28209479177387814; // Y00, src/render/sh.ts
const C1 = 0.4886025119029199; // Y1m = C1·(y, z, x), src/render/sh.ts

const normalize = (v: ArrayLike<number>) => unitByDivision(v, "skin specular: zero-length light direction");

/**
 * How the lobes see de-lighting's SH estimate. "environment": the whole estimate is the environment
 * each lobe integrates around its mirror direction (no light is taken out of it), so a frontal
 * estimate (a light near the lens) puts sheen on every surface facing the camera, its spread set by
 * the SH's own band limit and the lobe's width. "split": one directional light toward the dominant
 * direction (analytic GGX, a point-like highlight) plus the SH remainder as environment.
 */
export type EstimateSpecular = "environment" | "split";

/**
 * The lobes' view of the estimate in the re-render and in de-lighting's bound. "environment": the
 * split's light sits at the brightest seen normal, which the SH's band 2 can push far from the light
 * (77° from the camera on d3dfr-000002, whose face is lit from near the lens), and Babylon's skin
 * reflects its scene's whole environment (IBL) too; identity within ±0.01 of the split
 * (docs/evaluation.md, likeness9).
 */
export const ESTIMATE_SPECULAR_DEFAULT: EstimateSpecular = "environment";

/**
 * De-lighting's SH estimate as the skin material's lighting. Diffuse through "sh" keeps exactly the
 * estimate's irradiance either way; `specular` chooses what the GGX lobes reflect (EstimateSpecular).
 * The split takes one directional light toward the dominant direction out of the SH (Sloan, "Stupid
 * Spherical Harmonics Tricks", 2008: the colour that best explains band 1 along d is (L1·d)/C1),
 * capped so that the remainder's constant term stays ≥ 0.
 */
export function lightingFromEstimate(estimate: Pick<LightingEstimate, "shRadiance" | "dominantDirection">, specular: EstimateSpecular = ESTIMATE_SPECULAR_DEFAULT): SkinLighting {
  const L = estimate.shRadiance;
  if (specular === "environment") return { ambientSh: Array.from(L), directional: [], directionalDiffuse: "sh" };
  const [dx, dy, dz] = normalize(estimate.dominantDirection);
  const color: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const along = (L[3 * 3 + c] * dx + L[1 * 3 + c] * dy + L[2 * 3 + c] * dz) / C1;
    const cap = L[c] / C0;
    color[c] = Math.max(0, Math.min(along, cap));
  }
  const own = directionalLightSh([dx, dy, dz], color, [0, 0, 0]);
  const ambientSh = Array.from({ length: 27 }, (_, i) => L[i] - own[i]);
  return { ambientSh, directional: [{ direction: [dx, dy, dz], radiance: color }], directionalDiffuse: "sh" };
}

/** GGX lobe of one skin layer. */
export interface SpecularLobe {
  /** α = roughness². */
  alpha: number;
  roughness: number;
  /** Reflectance at normal incidence per unit A_S, and at grazing (per unit A_S for the coat, 1 for the base). */
  f0PerAs: number;
  f90PerAs: number;
  /** F90 does not scale with A_S (base lobe: KHR_materials_specular keeps F90 = 1). */
  f90Fixed: boolean;
  /** SH band attenuation of the mirror-direction radiance for this lobe's width. */
  band: [number, number, number];
}

/** The material's two lobes: broad base, sharp clear coat. */
export function specularLobes(p: SkinParameters): SpecularLobe[] {
  const f = specularFactors(p);
  const make = (roughness: number, f0PerAs: number, f90PerAs: number, f90Fixed: boolean): SpecularLobe => {
    const alpha = Math.max(1e-3, roughness * roughness);
    // GGX α ↔ Phong exponent s = 2/α² − 2 (Walter et al. 2007); a Phong lobe's SH bands fall as exp(−l²/2s).
    const s = Math.max(1e-3, 2 / (alpha * alpha) - 2);
    return { alpha, roughness, f0PerAs, f90PerAs, f90Fixed, band: [1, Math.exp(-1 / (2 * s)), Math.exp(-4 / (2 * s))] };
  };
  return [
    make(p.roughnessBase, f.baseColorFactor * fresnelF0(p.indexOfRefraction), 1, true),
    make(p.roughnessSharp, f.coatFactor * fresnelF0(CLEARCOAT_IOR), f.coatFactor, false),
  ];
}

/** Analytic fit of the split-sum environment BRDF (Karis, "Physically Based Shading on Mobile", 2014): scale and bias of F0. */
function envBrdf(roughness: number, nov: number): [number, number] {
  const rx = roughness * -1 + 1, ry = roughness * -0.0275 + 0.0425, rz = roughness * -0.572 + 1.04, rw = roughness * 0.022 - 0.04;
  const a004 = Math.min(rx * rx, Math.exp(-9.28 * Math.LN2 * nov)) * rx + ry;
  return [a004 * -1.04 + rz, a004 * 1.04 + rw];
}

/** The lights as unit directions and colours, normalised once per render. */
export interface PreparedLights {
  lights: { dir: [number, number, number]; rgb: [number, number, number] }[];
  ambientSh: ArrayLike<number>;
}

export function prepareLights(lighting: SkinLighting): PreparedLights {
  return { lights: lighting.directional.map((l) => ({ dir: normalize(l.direction), rgb: l.radiance })), ambientSh: lighting.ambientSh };
}

/**
 * Adds both GGX lobes' reflected radiance at one surface point into `rgb`: unit specular normal
 * `nS`, unit direction toward the viewer `view`, specular albedo `As`, ambient occlusion (which
 * dims the environment part only). `scratch` holds ≥ 9 SH basis values.
 */
export function addSkinSpecular(
  nS: ArrayLike<number>,
  view: ArrayLike<number>,
  As: number,
  occlusion: number,
  light: PreparedLights,
  lobes: SpecularLobe[],
  scratch: Float64Array,
  rgb: Float64Array | number[],
): void {
  const vx = view[0], vy = view[1], vz = view[2];
  const nov = Math.max(1e-4, nS[0] * vx + nS[1] * vy + nS[2] * vz);
  const { lights, ambientSh } = light;
  for (const lobe of lobes) {
    const f0 = lobe.f0PerAs * As;
    const f90 = lobe.f90Fixed ? lobe.f90PerAs : lobe.f90PerAs * As;
    const a2 = lobe.alpha * lobe.alpha;
    for (const l of lights) {
      const nol = nS[0] * l.dir[0] + nS[1] * l.dir[1] + nS[2] * l.dir[2];
      if (nol <= 0) continue;
      let hx = l.dir[0] + vx, hy = l.dir[1] + vy, hz = l.dir[2] + vz;
      const hl = Math.sqrt(hx * hx + hy * hy + hz * hz) || 1;
      hx /= hl; hy /= hl; hz /= hl;
      const noh = Math.max(0, nS[0] * hx + nS[1] * hy + nS[2] * hz);
      const voh = Math.max(0, vx * hx + vy * hy + vz * hz);
      const dd = noh * noh * (a2 - 1) + 1;
      const D = a2 / (Math.PI * dd * dd);
      const vis = 0.5 / (nol * Math.sqrt(nov * nov * (1 - a2) + a2) + nov * Math.sqrt(nol * nol * (1 - a2) + a2));
      const m = 1 - voh, m2 = m * m;
      const F = f0 + (f90 - f0) * m2 * m2 * m;
      const k = D * vis * F * nol;
      for (let c = 0; c < 3; c++) rgb[c] += k * l.rgb[c];
    }
    // Environment: SH radiance toward the mirror direction, band-limited to the lobe.
    const d2 = 2 * nov;
    const rx = d2 * nS[0] - vx, ry = d2 * nS[1] - vy, rz = d2 * nS[2] - vz;
    shBasis(rx, ry, rz, scratch);
    const [scale, bias] = envBrdf(lobe.roughness, nov);
    const brdf = f0 * scale + f90 * bias;
    for (let c = 0; c < 3; c++) {
      let L = 0;
      for (let k = 0; k < SH_COUNT; k++) L += ambientSh[k * 3 + c] * lobe.band[SH_BAND[k]] * scratch[k];
      rgb[c] += Math.max(0, L) * brdf * occlusion;
    }
  }
}
