/**
 * Normals ρ and σ as fixed-weight ONNX graphs, in glTF tangent space (+X along +u, +Y "up" in
 * the image, i.e. toward −v; +Z out of the surface; MikkTSpace frame of the GLB).
 *
 * ρ (specular normals N_S): a height field from A_D's high frequencies — log-luminance relative to
 * its local mean, darker = deeper (cavities shade darker) — scaled to millimetres, differentiated
 * per texel and divided by the texel size in mm, so the slopes are physical whatever the
 * resolution. The detail normal (−∂h/∂x, −∂h/∂y_up, 1) is combined with the mesh's N_T by
 * reoriented normal mapping (Barré-Brisebois & Hill 2012).
 *
 * σ (diffuse normals N_D): N_S blurred over skin's subsurface scattering profile. Light that
 * enters the skin leaves it spread over the profile, so the shading that diffuse light sees is
 * that of the surface smoothed by the profile. We blur the surface slopes (n_x/n_z, n_y/n_z) —
 * for a height field, exactly the slopes of the smoothed surface — and renormalise. The blur is
 * done in tangent space: the tangent frame turns by ≈ 2° over a few mm of a head, a second-order
 * difference from blurring in object space.
 */
import { LUMA_709 as LUMA } from "../primitives/color.ts";
import type { EstimatorManifest } from "../types.ts";
import { builtinManifest, quantise } from "./builtin-manifest.ts";
import { ImageGraph } from "./graph-kit.ts";


export interface NormalsSpecularGraphParams {
  /** Surface size of one texel, mm. */
  texelSizeMm: number;
  /** Standard deviation of the local mean the height is relative to, mm (separates mesostructure from albedo patches). */
  highPassSigmaMm: number;
  /** Depth per unit of log-luminance below the local mean, mm. */
  depthPerLogUnitMm: number;
}

export const NORMALS_SPECULAR_DEFAULTS: Omit<NormalsSpecularGraphParams, "texelSizeMm"> = {
  // Pores are 0.2–0.5 mm across, fine lines a little wider (reference §4): a 1 mm high-pass keeps them.
  highPassSigmaMm: 1,
  // Not measured (reference §6): a pore 30 % darker than its surroundings (log 0.36) is then
  // ≈ 90 µm deep, inside the 20–200 µm microrelief depths of Bibb 2006 [S30].
  depthPerLogUnitMm: 0.25,
};

/** d'Eon & Luebke 2007 sum-of-Gaussians skin profile [S3] (reference §3.2): variance mm², weight R, G, B. */
export const SKIN_PROFILE_GAUSSIANS: readonly (readonly [number, number, number, number])[] = [
  [0.0064, 0.233, 0.455, 0.649],
  [0.0484, 0.1, 0.336, 0.344],
  [0.187, 0.118, 0.198, 0.0],
  [0.567, 0.113, 0.007, 0.007],
  [1.99, 0.358, 0.004, 0.0],
  [7.41, 0.078, 0.0, 0.0],
];

export interface NormalsDiffuseGraphParams {
  /** Surface size of one texel, mm. */
  texelSizeMm: number;
  /**
   * Skin albedo (linear RGB) weighting the per-channel profiles into one: N_D is a single map, so
   * its kernel is the profile of the diffuse light's luminance, Σ_c λ_c·A_c·R_c / Σ_c λ_c·A_c.
   */
  skinAlbedo: [number, number, number];
  /** Profile Gaussians wider than this (σ, mm) are merged into one of equal weight and variance (cost). */
  mergeAboveMm: number;
}

export const NORMALS_DIFFUSE_DEFAULTS: Omit<NormalsDiffuseGraphParams, "texelSizeMm"> = {
  // Mean facial albedo of Xiao et al. 2017 [S7], forehead and cheek of four groups.
  skinAlbedo: [0.399, 0.231, 0.165],
  mergeAboveMm: 0.6,
};

/** The single-map profile: Gaussians (σ mm, weight), luminance-weighted over channels, wide ones merged. */
export function diffuseProfile(p: Pick<NormalsDiffuseGraphParams, "skinAlbedo" | "mergeAboveMm">): { sigmaMm: number; weight: number }[] {
  const lw = LUMA.map((l, c) => l * p.skinAlbedo[c]);
  const total = lw[0] + lw[1] + lw[2];
  const parts = SKIN_PROFILE_GAUSSIANS.map(([v, r, g, b]) => ({ variance: v, weight: (lw[0] * r + lw[1] * g + lw[2] * b) / total }));
  const narrow = parts.filter((q) => Math.sqrt(q.variance) <= p.mergeAboveMm && q.weight > 0);
  const wide = parts.filter((q) => Math.sqrt(q.variance) > p.mergeAboveMm && q.weight > 0);
  const out = narrow.map((q) => ({ sigmaMm: Math.sqrt(q.variance), weight: q.weight }));
  if (wide.length) {
    const w = wide.reduce((a, q) => a + q.weight, 0);
    const v = wide.reduce((a, q) => a + q.weight * q.variance, 0) / w;
    out.push({ sigmaMm: Math.sqrt(v), weight: w });
  }
  return out;
}

function checkTexel(t: number, who: string): void {
  if (!(t > 0)) throw new Error(`${who}: texelSizeMm must be > 0, got ${t}`);
}

/** Reoriented normal mapping of detail `d` (any length) onto unit base `n`, normalised. */
function reorient(g: ImageGraph, n: string, d: string): string {
  const t = g.add(n, g.k([0, 0, 1]));
  const u = g.mul(d, g.k([-1, -1, 1]));
  const tz = g.max(g.channels(t, 2, 3), g.k(1e-3));
  const r = g.sub(g.div(g.mul(t, g.sumChannels(g.mul(t, u), 3)), tz), u);
  return g.normalize(r);
}

function buildSpecular(params: NormalsSpecularGraphParams): { bytes: Uint8Array; radius: number } {
  checkTexel(params.texelSizeMm, "normals ρ graph");
  const p = { texelSizeMm: quantise(params.texelSizeMm), highPassSigmaMm: quantise(params.highPassSigmaMm), depthPerLogUnitMm: quantise(params.depthPerLogUnitMm) };
  const g = new ImageGraph("porelight_normals_specular");
  const albedo = g.input("albedo", 3);
  const base = g.normalize(g.input("normalTangent", 3));
  const Y = g.max(g.mix(g.srgbToLinear(albedo), [[LUMA[0]], [LUMA[1]], [LUMA[2]]]), g.k(1e-4));
  const { y: mean, radius } = g.blur(Y, 1, p.highPassSigmaMm / p.texelSizeMm);
  const logRatio = g.clip(g.b.op("Log", [g.div(Y, g.max(mean, g.k(1e-4)))]), -1, 1);
  const heightMm = g.mul(logRatio, g.k(p.depthPerLogUnitMm));
  // Slopes in mm/mm: per-texel derivatives (x right, y down the rows) over the texel size.
  const slopes = g.mul(g.gradient(heightMm), g.k(1 / p.texelSizeMm));
  // Tangent +Y is up the image (−rows): n = (−∂h/∂x, −∂h/∂y_up, 1) = (−∂h/∂x, +∂h/∂row, 1).
  // Left unnormalised: reoriented normal mapping is linear in the detail vector, and its result is normalised.
  const detail = g.concatChannels([g.mul(slopes, g.k([-1, 1])), g.add(g.mul(g.channels(slopes, 0, 1), g.k(0)), g.k(1))]);
  g.output("normalSpecular", reorient(g, base, detail), 3);
  return { bytes: g.encode(`porelight built-in specular normals: ${JSON.stringify(p)}`), radius: radius + 1 };
}

function buildDiffuse(params: NormalsDiffuseGraphParams): { bytes: Uint8Array; radius: number } {
  checkTexel(params.texelSizeMm, "normals σ graph");
  const p = {
    texelSizeMm: quantise(params.texelSizeMm),
    skinAlbedo: params.skinAlbedo.map((v) => quantise(v, 2)) as [number, number, number],
    mergeAboveMm: quantise(params.mergeAboveMm),
  };
  const g = new ImageGraph("porelight_normals_diffuse");
  // Unit normals by contract; slopes are ratios, so no normalisation is needed.
  const ns = g.input("normalSpecular", 3);
  const z = g.max(g.channels(ns, 2, 3), g.k(0.05));
  const slopes = g.div(g.channels(ns, 0, 2), z);
  let sum = "";
  let radius = 0;
  for (const { sigmaMm, weight } of diffuseProfile(p)) {
    const blurred = g.blur(slopes, 2, sigmaMm / p.texelSizeMm);
    radius = Math.max(radius, blurred.radius);
    const term = g.mul(blurred.y, g.k(weight));
    sum = sum ? g.add(sum, term) : term;
  }
  const s = sum;
  const nd = g.normalize(g.concatChannels([s, g.add(g.mul(g.channels(s, 0, 1), g.k(0)), g.k(1))]));
  g.output("normalDiffuse", nd, 3);
  return { bytes: g.encode(`porelight built-in diffuse normals: ${JSON.stringify(p)}`), radius };
}

/** Builds ρ: inputs `albedo` (sRGB, 3) and `normalTangent` (N_T, −1..1); output `normalSpecular` (N_S, unit, −1..1). */
export function buildNormalsSpecularOnnx(params: NormalsSpecularGraphParams): Uint8Array {
  return buildSpecular(params).bytes;
}

/** Builds σ: input `normalSpecular` (N_S, −1..1); output `normalDiffuse` (N_D, unit, −1..1). */
export function buildNormalsDiffuseOnnx(params: NormalsDiffuseGraphParams): Uint8Array {
  return buildDiffuse(params).bytes;
}

const normalSpec = (name: string) => ({ name, channels: 3, range: [-1, 1] as [number, number], colorSpace: "normal-tangent" as const });

/** Manifest of ρ built for `params` (receptive field from the high-pass window in texels). */
export function normalsSpecularManifest(params: NormalsSpecularGraphParams): EstimatorManifest {
  return builtinManifest(
    "builtin-normals-specular",
    "normalsSpecular",
    [{ name: "albedo", channels: 3, range: [0, 1], colorSpace: "srgb" }, normalSpec("normalTangent")],
    [normalSpec("normalSpecular")],
    buildSpecular(params).radius,
  );
}

/** Manifest of σ built for `params` (receptive field from the widest profile Gaussian in texels). */
export function normalsDiffuseManifest(params: NormalsDiffuseGraphParams): EstimatorManifest {
  return builtinManifest("builtin-normals-diffuse", "normalsDiffuse", [normalSpec("normalSpecular")], [normalSpec("normalDiffuse")], buildDiffuse(params).radius);
}
