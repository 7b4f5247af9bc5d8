/**
 * The absolute albedo scale (DESIGN §1, skin-reflectance reference §2 and §5): de-lighting knows
 * albedo only up to a factor (albedo × light). We pin it with measured facial skin reflectance.
 *
 * Skin chromaticity is scale-free and, over the human range, moves with skin lightness: darker
 * skin is more saturated (melanin absorbs blue and green more). The ISSA-derived facial anchors
 * [S20] (diffuse linear sRGB of forehead/cheek medians per ITA bin; a 2° derivation, unverified)
 * give luminance Y as a function of the green/red ratio; we interpolate it. Cross-check against
 * the Xiao 2017 cheek measurements [S7] (C): Caucasian cheek g/r 0.584 → 0.290 here vs 0.277
 * measured; Chinese cheek g/r 0.591 → 0.296 vs 0.269. The chromaticity read from a photo also
 * depends on its white balance, which is why a fixed facial luminance can be asked for instead.
 */

/** ISSA facial anchors [S20]: green/red ratio of the diffuse albedo → luminance Y (ITA 62°, 38°, 12°, −15°, −45°). */
export const SKIN_Y_BY_GREEN_RED: readonly (readonly [number, number])[] = [
  [0.422, 0.068], // ITA −45°: (0.128, 0.054, 0.028)
  [0.46, 0.119], // ITA −15°: (0.213, 0.098, 0.048)
  [0.506, 0.192], // ITA 12°: (0.322, 0.163, 0.093)
  [0.573, 0.279], // ITA 38°: (0.429, 0.246, 0.170)
  [0.647, 0.355], // ITA 62°: (0.498, 0.322, 0.271)
];

/** Mean facial (forehead + cheek) luminance of the four groups measured by Xiao et al. 2017 [S7]: (0.272 + 0.277 + 0.243 + 0.269 + 0.240 + 0.260 + 0.247 + 0.289) / 8. */
export const MEAN_FACIAL_SKIN_Y = 0.262;

/** The facial skin luminance the prior expects for a diffuse albedo of the given linear RGB chromaticity. */
export function skinLuminanceFromChromaticity(rgb: ArrayLike<number>): number {
  const r = Math.max(rgb[0], 1e-6);
  const gr = rgb[1] / r;
  const t = SKIN_Y_BY_GREEN_RED;
  if (gr <= t[0][0]) return t[0][1];
  if (gr >= t[t.length - 1][0]) return t[t.length - 1][1];
  for (let i = 1; i < t.length; i++) {
    if (gr <= t[i][0]) {
      const f = (gr - t[i - 1][0]) / (t[i][0] - t[i - 1][0]);
      return t[i - 1][1] + f * (t[i][1] - t[i - 1][1]);
    }
  }
  return t[t.length - 1][1];
}
