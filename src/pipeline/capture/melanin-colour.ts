/**
 * Whether a pixel's colour can be hair's, judged against the face's own skin under the same light.
 *
 * Hair's colour is melanin's (eumelanin brown-black, pheomelanin red-yellow) or, without melanin,
 * keratin's near-white: melanin absorbs less the longer the wavelength (melanosome absorption
 * μa ≈ 519 (λ / 500 nm)^−3.5 cm⁻¹; Jacques 2013, "Optical properties of biological tissues: a review",
 * Phys. Med. Biol. 58 R37, eq. 12), so hair reflects red at least as much as green and blue:
 * h_B ≤ h_R and h_G ≤ h_R, grey and white hair at equality. Skin is melanin and blood over the same
 * light, with reflectance ratios s_RB = ρ_R/ρ_B and s_RG = ρ_R/ρ_G. Under a light E the pixel ratio
 * against the skin's is then (h_B/h_R)·s_RB ≤ s_RB: a pixel can be bluer (or greener) than the
 * face's skin by at most skin's own red-to-blue (red-to-green) ratio, whatever the light's colour
 * (a per-channel, von Kries light). Skin's ratio is not known for this person (that is de-lighting's
 * question), so the bound takes its largest over the population's facial range. A brim or a cap
 * over the brows, a scarf over the chin, a green or blue garment in the beard zone goes beyond it;
 * grey brows under a blue light do not.
 */
import { srgbToLinear } from "../../primitives/color.ts";
import { upperMedian } from "../../primitives/statistics.ts";

/**
 * ln ρ_R/ρ_B and ln ρ_R/ρ_G of facial skin's diffuse albedo, largest over ISSA's facial range:
 * ITA −45°, linear sRGB 0.128, 0.054, 0.028 (skin-reflectance.md §2.2, [S20] from ISSA [S16]),
 * ln(0.128/0.028) = 1.52, ln(0.128/0.054) = 0.86.
 */
export const SKIN_LN_RED_OVER_BLUE_MAX = Math.log(0.128 / 0.028);
export const SKIN_LN_RED_OVER_GREEN_MAX = Math.log(0.128 / 0.054);

/**
 * A pixel's sRGB code-value noise (JPEG quantisation and sensor noise of a compressed photo), in
 * sRGB units: two code values. What it moves a log ratio by is larger on dark pixels (a brow), so
 * the bound is relaxed by the ratio's own uncertainty there rather than by a fixed margin.
 */
const CODE_NOISE = 2 / 255;

/** sRGB level at or above which a channel is taken as clipped (as capture/scene-illuminant.ts's clipLevel). */
const CLIP_LEVEL = 0.98;

/** ln(B/R) and ln(G/R) of an sRGB pixel, in linear light, with the ln ratios' 1σ from CODE_NOISE. */
function channelRatios(r: number, g: number, b: number): { blue: number; green: number; sigma: number } {
  const floor = srgbToLinear(CODE_NOISE);
  const linear = (c: number) => Math.max(floor, srgbToLinear(Math.max(0, c)));
  const [R, G, B] = [linear(r), linear(g), linear(b)];
  // σ of ln(linear c) from the code noise: d ln c / d s · CODE_NOISE, by a finite step.
  const rel = (c: number, lin: number) => Math.log(srgbToLinear(Math.min(1, c + CODE_NOISE)) / lin);
  const sigma = Math.hypot(rel(r, R), Math.max(rel(g, G), rel(b, B)));
  return { blue: Math.log(B / R), green: Math.log(G / R), sigma };
}

/** The face's skin in the same terms: the median ln(B/R) and ln(G/R) over skin pixels (sRGB triples). */
export function skinLogChroma(pixels: ArrayLike<number>, indices: number[]): { blue: number; green: number } {
  const ratios = indices.map((i) => channelRatios(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]));
  return { blue: upperMedian(ratios.map((c) => c.blue)), green: upperMedian(ratios.map((c) => c.green)) };
}

/**
 * Probability (0..1) that an sRGB pixel's colour is hair's given the face's skin (skinLogChroma):
 * 1 up to the bound, falling to 0 over two of the ratio's own σ beyond it.
 */
export function hairColourLikelihood(r: number, g: number, b: number, skin: { blue: number; green: number }): number {
  // A clipped channel's ratio says nothing of the surface (white hair in a bright light clips to grey).
  if (Math.max(r, g, b) >= CLIP_LEVEL) return 1;
  const c = channelRatios(r, g, b);
  const excess = Math.max(c.blue - skin.blue - SKIN_LN_RED_OVER_BLUE_MAX, c.green - skin.green - SKIN_LN_RED_OVER_GREEN_MAX);
  return Math.max(0, Math.min(1, 1 - excess / (2 * c.sigma)));
}
