/**
 * The per-texel part of de-lighting δ, as a fixed-weight ONNX graph: divide the (upscaled)
 * texture by the shading estimated at base size, after removing specular highlights with the
 * dichromatic model, and encode the diffuse albedo A_D in sRGB.
 *
 * Dichromatic model (Shafer 1985): observed = diffuse + specular, where skin's specular has the
 * light's colour (the surface is an untinted dielectric, reference §1.1 [S3]). Divided by the
 * shading J = I/S, the diffuse part is the albedo (of skin chroma ĉ) and the specular part is an
 * amount κ of the light's colour in J's units, ĥ. The divisor carries skin's factor fs
 * (A_D = fs·I/S_rel), while the light alone maps by lightFs (a white surface under it comes out
 * grey); the light's colour in the photo is ∝ 1/lightFs, so in A_D's units ĥ ∝ fs/lightFs =
 * `referenceLight.skinCorrection` (types.ts ReferenceLight), grey only when skin needed no
 * correction beyond the light; the caller passes fs × the colour the photo's own highlights show in
 * J (pipeline/delight/highlight-colour.ts), which is that when the references read the light right. The test runs in the light's own frame J/ĥ, where the highlight is
 * grey and which does not depend on where skin's correction put the skin (fs): per texel, least
 * squares J/ĥ ≈ α·ĉ/ĥ + κ·(1,1,1) gives κ = (J/ĥ)·w with w fixed by ĉ/ĥ; κ well beyond a tolerance
 * (skin's own chroma varies) is subtracted as κ·ĥ — gated by brightness, since a highlight makes
 * the texel brighter than skin's albedo while a merely paler patch (less saturated, not brighter)
 * must stay. A_D then moves with fs as one per-channel gain.
 */
import { LUMA_709 as LUMA } from "../primitives/color.ts";
import type { EstimatorManifest } from "../types.ts";
import { builtinManifest, quantise } from "./builtin-manifest.ts";
import { ImageGraph } from "./graph-kit.ts";

export interface DelightGraphParams {
  /** Median skin albedo, linear RGB, absolute (after the scale prior), measured at base size: its chroma is ĉ. */
  skinAlbedo: [number, number, number];
  /** κ up to this fraction of the texel's luminance (in J) is skin chroma variation, not specular; from twice it, all of κ is removed. */
  specularTolerance: number;
  /** Removal fades in as luminance(J) rises from the skin albedo's luminance to (1 + this) times it. */
  specularGate: number;
  /** The divisor is max(shading, floor): keeps unlit texels finite. Linear units of shading. */
  shadingFloor: number;
  /** The light's colour in J's units, ĥ, positive (any scale: normalised to Rec. 709 luminance 1): the test runs on J/ĥ. [1, 1, 1] when J is white-balanced to the light itself. */
  highlightColour: [number, number, number];
}

export const DELIGHT_GRAPH_DEFAULTS: DelightGraphParams = {
  // Mean facial diffuse albedo of Xiao et al. 2017 [S7] (forehead and cheek, four groups).
  skinAlbedo: [0.399, 0.231, 0.165],
  specularTolerance: 0.04,
  specularGate: 0.25,
  shadingFloor: 0.02,
  highlightColour: [1, 1, 1],
};

/**
 * Weights w such that κ = J·w is the least-squares specular amount in J ≈ α·ĉ + κ·(1,1,1).
 * With u = ĉ/|ĉ|, v = (1,1,1): κ = (u·u·v·J − u·v·u·J) / (3·u·u − (u·v)²).
 */
export function dichromaticWeights(chroma: ArrayLike<number>): [number, number, number] {
  const len = Math.hypot(chroma[0], chroma[1], chroma[2]);
  if (!(len > 0)) throw new Error("dichromaticWeights: skin chroma must be non-zero");
  const u = [chroma[0] / len, chroma[1] / len, chroma[2] / len];
  const uv = u[0] + u[1] + u[2];
  const det = 3 - uv * uv;
  // Skin of the light's colour (a black-and-white photo): a highlight has the skin's own colour, so
  // the dichromatic model cannot tell it apart; remove none rather than fail the job.
  if (det < 1e-3) return [0, 0, 0];
  return [(1 - uv * u[0]) / det, (1 - uv * u[1]) / det, (1 - uv * u[2]) / det];
}

/** ĥ scaled to Rec. 709 luminance 1: the removal does not depend on ĥ's scale, and one light's graphs share a cache key. */
export function unitLuminanceColour(colour: ArrayLike<number>): [number, number, number] {
  if (![0, 1, 2].every((c) => Number.isFinite(colour[c]) && colour[c] > 0)) throw new Error(`delight: highlight colour must be three positive numbers, got ${Array.from(colour).join(", ")}`);
  const lum = colour[0] * LUMA[0] + colour[1] * LUMA[1] + colour[2] * LUMA[2];
  return [colour[0] / lum, colour[1] / lum, colour[2] / lum];
}

/** In the light's frame (J/ĥ, where the highlight is grey), the removal's parameters: skin's chroma and luminance there. */
function lightFrame(p: DelightGraphParams): DelightGraphParams {
  const h = p.highlightColour;
  return { ...p, skinAlbedo: [p.skinAlbedo[0] / h[0], p.skinAlbedo[1] / h[1], p.skinAlbedo[2] / h[2]], highlightColour: [1, 1, 1] };
}

/** Specular amount κ removed from J, J in the frame where the highlight is grey (all channels; the graph's κ of J/ĥ, removed as κ·ĥ). */
export function specularExcess(J: ArrayLike<number>, w: ArrayLike<number>, p: DelightGraphParams): number {
  const kappa = J[0] * w[0] + J[1] * w[1] + J[2] * w[2];
  const lum = J[0] * LUMA[0] + J[1] * LUMA[1] + J[2] * LUMA[2];
  const gate = Math.min(1, Math.max(0, (lum / skinLuminance(p) - 1) / p.specularGate));
  return kappa * toleranceRamp(kappa, p.specularTolerance * lum) * gate;
}

/** 0 while κ ≤ t (skin's own chroma variation), rising to 1 at κ = 2t: real highlights go entirely. */
export function toleranceRamp(kappa: number, t: number): number {
  return Math.min(1, Math.max(0, kappa / Math.max(t, 1e-6) - 1));
}

function skinLuminance(p: DelightGraphParams): number {
  return Math.max(1e-3, p.skinAlbedo[0] * LUMA[0] + p.skinAlbedo[1] * LUMA[1] + p.skinAlbedo[2] * LUMA[2]);
}

/** The parameters as built: rounded, so nearby photos share one graph. */
export function normaliseDelightParams(p: DelightGraphParams): DelightGraphParams {
  if (!p.skinAlbedo.every((v) => v > 0)) throw new Error(`delight graph: skinAlbedo must be positive, got ${p.skinAlbedo.join(", ")}`);
  return {
    skinAlbedo: p.skinAlbedo.map((c) => quantise(c, 3)) as [number, number, number],
    specularTolerance: quantise(p.specularTolerance),
    specularGate: quantise(p.specularGate),
    shadingFloor: quantise(p.shadingFloor),
    highlightColour: unitLuminanceColour(p.highlightColour).map((c) => quantise(c, 3)) as [number, number, number],
  };
}

/**
 * Builds the δ per-texel graph. Inputs `texture` (sRGB, 3 channels), `shading` (linear, 3: what a
 * unit albedo looks like in the photo at that texel, AO included) and `specularWeight` (1, 0..1:
 * how much highlight removal applies — 0 where white is not a highlight: teeth, eye whites, hair;
 * `shading` in the units whose light colour is `highlightColour`);
 * output `albedo` (sRGB).
 */
export function buildDelightOnnx(params: DelightGraphParams = DELIGHT_GRAPH_DEFAULTS): Uint8Array {
  const p = normaliseDelightParams(params);
  const g = new ImageGraph("porelight_delight");
  const texture = g.input("texture", 3);
  const shading = g.input("shading", 3);
  const weight = g.input("specularWeight", 1);
  const I = g.srgbToLinear(texture);
  const J = g.div(I, g.max(shading, g.k(p.shadingFloor, "floor")));
  const h = p.highlightColour;
  const light = lightFrame(p);
  // J/ĥ as one channel mix (diagonal), so the κ and luminance mixes fold the division in.
  const w = dichromaticWeights(light.skinAlbedo).map((v, c) => v / h[c]);
  const kappa = g.mix(J, [[w[0]], [w[1]], [w[2]]]);
  const lum = g.mix(J, [[LUMA[0] / h[0]], [LUMA[1] / h[1]], [LUMA[2] / h[2]]]);
  const gate = g.clip(g.mul(g.sub(g.mul(lum, g.k(1 / skinLuminance(light))), g.k(1)), g.k(1 / p.specularGate)), 0, 1);
  const ramp = g.clip(g.sub(g.div(kappa, g.max(g.mul(lum, g.k(p.specularTolerance, "tol")), g.k(1e-6))), g.k(1)), 0, 1);
  const excess = g.mul(g.mul(g.mul(kappa, ramp), gate), weight);
  const diffuse = g.max(g.sub(J, g.mix(excess, [[h[0], h[1], h[2]]])), g.k(0));
  g.output("albedo", g.linearToSrgb(diffuse), 3);
  return g.encode(`porelight built-in de-lighting (per texel): ${JSON.stringify(p)}`);
}

/** Manifest of the built-in δ graph (per texel: receptive field 0). */
export function delightManifest(): EstimatorManifest {
  return builtinManifest(
    "builtin-delight",
    "delight",
    [
      { name: "texture", channels: 3, range: [0, 1], colorSpace: "srgb" },
      // Unbounded above (bright light); [0, 1] keeps the tiled engine's range map the identity.
      { name: "shading", channels: 3, range: [0, 1], colorSpace: "linear" },
      { name: "specularWeight", channels: 1, range: [0, 1], colorSpace: "data" },
    ],
    [{ name: "albedo", channels: 3, range: [0, 1], colorSpace: "srgb" }],
    0,
  );
}
