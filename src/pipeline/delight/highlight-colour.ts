/**
 * The colour of the photo's highlights in J = T/S, read off the highlights themselves.
 *
 * Dichromatic model (Shafer 1985): a skin texel is its body colour plus an amount of the light's
 * colour as reflected at the surface, so in chromaticity (rgb / (r + g + b)) a texel with a
 * highlight lies on the segment from its body colour toward the highlight's colour, the farther
 * the stronger the highlight. The highlights of one face therefore give the line the highlight's
 * colour lies on (Lee 1986, "Method for computing the scene-illuminant chromaticity from specular
 * highlight"; Tominaga & Wandell 1989), but with one body colour not where on it. The light the
 * references decide (`prior`: sclera, teeth, the scene illuminant, 1/lightFs in J) is the colour of
 * the light over the whole sphere as the sclera receives it; a highlight reflects the one light in
 * its mirror direction, which can differ (a warm room and a white flash; a reddened sclera). So the
 * line comes from the highlights and the point on it from the two candidates for the light, the
 * references' and neutral (J white-balanced to the light itself): the foot of whichever lies
 * farther from the body colour, and no nearer the body colour than the highlights themselves reach
 * (each is a mixture of the two). Only the line decides the chroma left after removal (any colour
 * on it leaves the body colour); the point decides how much lightness goes with it, and a point
 * near the body colour makes the split ill-conditioned (κ and α trade off): the farther candidate
 * removes the least of the skin's own colour.
 */
import type { LightingFit } from "./fit.ts";
import { smoothAlbedoAt } from "./fit.ts";
import type { DelightMaps } from "./maps.ts";
import { LUMA_709 as LUMA } from "../../primitives/color.ts";
import { unitLuminanceColour } from "../../estimators/delight.ts";

/** Fewer highlight texels than this give no line: the prior alone. As many as the lighting fit needs at least. */
const MIN_HIGHLIGHT_TEXELS = 50;
/** The share of highlight texels the colour must lie beyond along the line (a high quantile, not the noisiest maximum). */
const FARTHEST_QUANTILE = 0.99;

const chroma = (r: number, g: number, b: number, out: number[]): boolean => {
  const s = r + g + b;
  if (!(s > 0)) return false;
  out[0] = r / s;
  out[1] = g / s;
  out[2] = b / s;
  return true;
};

export interface HighlightColour {
  /** The highlight's colour in J's units, chromaticity (sums to 1). */
  rgb: [number, number, number];
  /** Highlight texels the line was read on (0: the prior alone). */
  texels: number;
}

/**
 * `excess`: per texel the dichromatic amount a first removal found (luminance, J's units);
 * `shading`: the unit shading J was divided by; `prior`: the light's colour in J (any scale);
 * `tolerance`: the removal's specularTolerance (κ beyond twice it, a share of the luminance, is
 * certainly a highlight: only those texels draw the line).
 */
export function highlightColour(input: DelightMaps, shading: Float32Array, fit: Pick<LightingFit, "regionAlbedo">, excess: Float32Array, prior: readonly number[], tolerance: number): HighlightColour {
  const h0 = [0, 0, 0];
  if (!(prior.length === 3 && prior.every((v) => v > 0 && Number.isFinite(v))) || !chroma(prior[0], prior[1], prior[2], h0)) throw new Error(`delight: the light's colour must be positive, got ${prior.join(", ")}`);
  const T = input.textureBase.data;
  const regions = input.regions?.weights.data ?? null;
  const body = [0, 0, 0], texel = [0, 0, 0], bodyChroma = [0, 0, 0];
  const sum = [0, 0, 0], anchor = [0, 0, 0];
  const used: number[] = [];
  for (let p = 0; p < excess.length; p++) {
    if (!(excess[p] > 0)) continue;
    smoothAlbedoAt(fit, regions, p, body);
    if (!chroma(body[0], body[1], body[2], bodyChroma)) continue;
    const J0 = T[p * 3] / shading[p * 3], J1 = T[p * 3 + 1] / shading[p * 3 + 1], J2 = T[p * 3 + 2] / shading[p * 3 + 2];
    // Definite highlights only: the removal's tolerance ramp is full (κ ≥ 2·tolerance·luminance).
    if (excess[p] < 2 * tolerance * (LUMA[0] * J0 + LUMA[1] * J1 + LUMA[2] * J2)) continue;
    if (!chroma(J0, J1, J2, texel)) continue;
    for (let c = 0; c < 3; c++) {
      sum[c] += texel[c] - bodyChroma[c];
      anchor[c] += bodyChroma[c];
    }
    used.push(texel[0] - bodyChroma[0], texel[1] - bodyChroma[1], texel[2] - bodyChroma[2]);
  }
  const m = used.length / 3;
  const len = Math.hypot(sum[0], sum[1], sum[2]);
  const fallback: HighlightColour = { rgb: h0 as [number, number, number], texels: 0 };
  if (m < MIN_HIGHLIGHT_TEXELS || !(len > 0)) return fallback;
  const d = sum.map((v) => v / len);
  for (let c = 0; c < 3; c++) anchor[c] /= m;
  // Along the line from the mean body colour: the prior's foot, and how far the highlights reach.
  const nearest = (h0[0] - anchor[0]) * d[0] + (h0[1] - anchor[1]) * d[1] + (h0[2] - anchor[2]) * d[2];
  const reach = Float64Array.from({ length: m }, (_, i) => used[3 * i] * d[0] + used[3 * i + 1] * d[1] + used[3 * i + 2] * d[2]).sort();
  const neutral = (1 / 3 - anchor[0]) * d[0] + (1 / 3 - anchor[1]) * d[1] + (1 / 3 - anchor[2]) * d[2];
  const t = Math.max(nearest, neutral, reach[Math.min(m - 1, Math.floor(FARTHEST_QUANTILE * m))]);
  const rgb = anchor.map((a, c) => a + t * d[c]);
  if (!rgb.every((v) => v > 0)) return fallback;
  return { rgb: rgb as [number, number, number], texels: m };
}

/**
 * Whether a highlight of colour `rgb` (J's units, any scale) differs from grey by more than
 * `tolerance` in some channel at equal luminance: the removal's tolerance, skin's own chroma
 * variation, within which stripping it as grey or as itself leaves the same skin.
 */
export function departsFromGrey(rgb: readonly number[], tolerance: number): boolean {
  return unitLuminanceColour(rgb).some((v) => Math.abs(v - 1) > tolerance);
}
