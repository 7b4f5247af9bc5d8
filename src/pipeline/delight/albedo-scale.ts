/**
 * The absolute albedo scale (docs/design.md §1, skin-reflectance reference §2 and §5): de-lighting knows
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
import { labToLinearSrgb, linearSrgbToLab, luminance } from "../../primitives/color.ts";

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

/**
 * ISSA facial anchors [S20] as linear RGB (ITA 62°, 38°, 12°, −15°, −45°), the skin locus. The
 * sheet's −60° and −75° medians are left out: past −45° the darkest faces turn back toward neutral
 * (b/r 0.22 → 0.26 → 0.31, g/r 0.42 → 0.44 → 0.46), where a mid-tone face under a cool cast lies
 * too; with them the prior read biden.jpg as ITA −62° and hrn 5932 as −11° (docs/evaluation.md, tone6).
 */
const SKIN_LOCUS_RGB: readonly (readonly [number, number, number])[] = [
  [0.498, 0.322, 0.271],
  [0.429, 0.246, 0.17],
  [0.322, 0.163, 0.093],
  [0.213, 0.098, 0.048],
  [0.128, 0.054, 0.028],
];

/** CIE L* → relative luminance Y (CIE 1976). */
const lightnessToY = (L: number) => (L > 8 ? ((L + 16) / 116) ** 3 : L / 903.3);

/**
 * The facial luminance range the prior can give. Light end: ISSA's lightest face, L* 74.0 [S20]
 * specular included, less F0 = 0.028 (the derivation's own step [S20]): Y 0.439; faces exist past
 * the ITA 62° bin median (Y 0.355), so the locus runs on along its lightest segment up to there
 * rather than clamping at the median. Dark end: the −45° median itself (Y 0.068). Past it the
 * anchors turn toward neutral (above), so running on along the −15° → −45° segment would go where
 * no measured face is, and running on toward −75° would hand a desaturated colour the darkest skin.
 */
export const SKIN_LOCUS_Y_RANGE: readonly [number, number] = [luminance(...SKIN_LOCUS_RGB[SKIN_LOCUS_RGB.length - 1]), lightnessToY(74.0) - 0.028];

/**
 * Skin's surface reflection under broad light, absolute and neutral: the dielectric's F0 at n ≈ 1.4
 * (skin-reflectance reference §1.1: 0.028 [S3, S11, S14]; the ISSA anchors are specular-included
 * readings less this same 0.028 [S20], so the locus is diffuse-only in these units). A photo's skin
 * is the diffuse albedo plus this sheen (the skin material adds it back as A_S), which is neutral
 * and the same on every skin: on ITA −45° skin (0.128, 0.054, 0.028) it adds half the green and
 * doubles the blue (g/r 0.42 → 0.53, where the locus puts ITA ≈ 20°), so read as albedo it makes
 * dark skin lighter and less saturated; on ITA 62° skin it adds 8 % of the luminance.
 */
export const SKIN_SURFACE_REFLECTANCE = 0.028;

/**
 * How far (ln g/r, ln b/r) one person's facial skin lies off the locus through the ISSA medians [S20]
 * under a neutral light: the anchors are bin medians, individual skin varies around their curve.
 * The locus match leaves this much of a colour's distance uncorrected.
 */
export const SKIN_LOCUS_TOLERANCE = 0.05;

/**
 * Person-to-person σ of facial redness (CIELAB a*) at one melanin level: how far a face's blood moves
 * its colour off the locus. The locus is a melanin axis with a* nearly constant along it (ISSA facial
 * medians a* ≈ 9–12 over the whole ITA range [S20]; "facial redness (a*) is invariant across the four
 * ethnic groups", Xiao et al. 2017, Skin Res Technol 23:21–29, doi:10.1111/srt.12295 [S7]), while
 * one person's a* moves with sex, smoking and sun (Han, Choi, Son 2006, Skin Res Technol 12(3)) and
 * flushing. No per-person σ of facial a* was found in the sources available: 2 is assumed, the spread
 * of ISSA's facial a* medians over the ITA range (9–12 [S20]) and under Xiao's facial L* σ (3.1–5.5
 * [S7]); 148 Asian adults measured by spectrophotometer read a* 8.96 ± 2.65 pooled over forehead,
 * cheek, inner arm, hand and chest (Yun, Lee, Rah, Kim, Park 2010, "Skin color analysis using a
 * spectrophotometer in Asians", Skin Res Technol, doi:10.1111/j.1600-0846.2010.00434.x,
 * abstract), which holds the sites' differences too: one site's σ is below it. With 3, ITA −50°
 * skin (yellower than the −45° median) matched a lighter segment plus 3.3 a* of redness (prior Y
 * 0.068 → 0.111; the synthetic test then missed by 5 ΔE00): the allowance is a trade against dark
 * skin off the locus's end, and this is the value the test holds.
 */
export const SKIN_REDNESS_SIGMA_A = 2;

export interface SkinLocusMatch {
  /** Per-channel gain (red = 1) that moves the colour onto the skin locus, up to `tolerance`. */
  gain: [number, number, number];
  /** Facial luminance Y of the matched locus point. */
  luminance: number;
  /** Distance of the colour from the matched locus point in log(g/r), log(b/r) (0 = on it). */
  distance: number;
  /** The colour less the matched locus point in (ln g/r, ln b/r): `distance`'s vector. */
  offset: [number, number];
  /** The share of that offset the match reads as the skin's own redness, CIELAB a* units (its darkening is in `luminance`; the gain takes out the whole offset but for `tolerance`). */
  redness: number;
  /**
   * ln Y of the matched point over the lightest anchor's where the locus is run on past it; past
   * the darkest anchor (where the luminance stays at its median), |ln Y| the darkest segment run on
   * to the colour's projection would give (faces darker than the −45° median exist [S20]); 0
   * elsewhere: how far the luminance is extrapolated past the measured medians, a doubt of it.
   */
  extrapolated: number;
}

/**
 * White balance against the skin locus. Human facial skin colours lie near a curve in
 * (log g/r, log b/r) [S20]; a photo's colour cast (a tinted light, an off camera white balance)
 * moves the measured skin off it, and read along g/r alone a pink cast passes for very dark skin.
 * The colour is matched to the nearest locus point, and the gain returned moves it there but for
 * `tolerance` (log units: individual skin varies around the anchors' curve). The lightest segment
 * runs on past its anchor up to ISSA's lightest face (SKIN_LOCUS_Y_RANGE) for the luminance; the
 * gain's target colour stays at that anchor.
 *
 * "Nearest" weighs how skin varies about the locus: by `tolerance` in every direction and by
 * `rednessSigma` (a* units) along more blood (`rednessDirection`), a covariance whose Mahalanobis
 * distance picks the point. One unit of a* of blood moves a colour by ≈ (−0.035, −0.028), mostly
 * *along* the locus toward darker skin (0.86 of it at ITA 38°): with a plain Euclidean nearest point,
 * a ruddy face reads as darker skin. The blood read also darkens the skin (≈ −0.03 in ln Y per unit
 * a*, `rednessDirection`), so the reading lightens a ruddy face by only ≈ 0.014 in ln Y per unit a*
 * it explains. Only the point (the luminance) changes: the gain still takes the whole
 * offset out but for `tolerance`, since one colour cannot tell blood from a camera's magenta tint, and
 * keeping the redness read put A_D at a* 17–20 on real photos, past every facial median (9–12 [S20]);
 * 0 (the default; delight's `skinRednessSigma`) gives the plain nearest point.
 */
export function matchSkinLocus(rgb: ArrayLike<number>, tolerance = SKIN_LOCUS_TOLERANCE, rednessSigma = 0): SkinLocusMatch {
  return matchSkinLocusOn(SKIN_LOCUS_RGB, SKIN_LOCUS_Y_RANGE[1], rgb, tolerance, rednessSigma);
}

/**
 * The skin locus's chromaticity (ln g/r, ln b/r) at facial luminance `Y`: the point of the locus
 * through the ISSA medians [S20] whose luminance is Y, interpolated as `matchSkinLocus` parametrises
 * a segment (linear in Y). Held at the lightest median above it (no chromaticity was measured past
 * it) and at the darkest below.
 */
export function skinLocusChromaAt(Y: number): [number, number] {
  const pts = SKIN_LOCUS_RGB.map((a) => [...logChroma(a), luminance(a[0], a[1], a[2])]);
  if (!(Y < pts[0][2])) return [pts[0][0], pts[0][1]];
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    if (Y >= b[2]) {
      const t = (Y - a[2]) / (b[2] - a[2]);
      return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    }
  }
  const last = pts[pts.length - 1];
  return [last[0], last[1]];
}

/**
 * CIELAB L* change per unit of a* when only the skin's haemoglobin changes (melanin kept): Takiwaki,
 * Miyaoka, Kohno, Arase 2002, "Graphic analysis of the relationship between skin colour change and
 * variations in the amounts of melanin and haemoglobin", Skin Res Technol 8(2):78–83 (abstract:
 * reflectance spectrometer on slapping erythema, stasis, corticosteroid blanching, vitiligo and UV
 * pigmentation against adjacent skin). Their separation ΔMel = −1.06 Δa* − 1.44 ΔL* is 0 along
 * ΔL* = −(1.06 / 1.44) Δa*: more blood reddens skin and darkens it, about 0.74 L* per unit a*. Its
 * b* change is not given there; b* is kept.
 */
export const HAEMOGLOBIN_LIGHTNESS_PER_A = -1.06 / 1.44;

/**
 * How one unit of CIELAB a* of more blood under the same melanin (L* moved by
 * HAEMOGLOBIN_LIGHTNESS_PER_A, b* kept) moves a linear sRGB colour: in (ln g/r, ln b/r) (`chroma`)
 * and in ln Y (`lnY`, the darkening; ≈ −0.03 per unit a* over the ISSA facial range).
 */
export function rednessDirection(rgb: readonly number[]): { chroma: [number, number]; lnY: number } {
  const [L, a, b] = linearSrgbToLab(rgb[0], rgb[1], rgb[2]);
  const p = logChroma(rgb);
  const more = labToLinearSrgb(L + HAEMOGLOBIN_LIGHTNESS_PER_A, a + 1, b);
  const q = logChroma(more);
  return { chroma: [q[0] - p[0], q[1] - p[1]], lnY: Math.log(luminance(more[0], more[1], more[2]) / luminance(rgb[0], rgb[1], rgb[2])) };
}

/** A colour's (ln g/r, ln b/r), the plane the locus is matched in. */
function logChroma(rgb: ArrayLike<number>): [number, number] {
  const r = Math.max(rgb[0], 1e-6);
  return [Math.log(Math.max(rgb[1], 1e-6) / r), Math.log(Math.max(rgb[2], 1e-6) / r)];
}

/**
 * `matchSkinLocus` against the given anchors (linear RGB, lightest first), the lightest segment run on
 * up to luminance `yHi`. Per segment, the skin's spread about it is Σ = tolerance² I + rednessSigma² e eᵀ
 * (e the segment's mean redness direction); the point minimising the Mahalanobis distance is taken.
 * `redness` is the share of the offset the most likely redness is (h = rednessSigma² eᵀ Σ⁻¹ d).
 */
function matchSkinLocusOn(anchors: readonly (readonly number[])[], yHi: number, rgb: ArrayLike<number>, tolerance: number, rednessSigma: number): SkinLocusMatch {
  const q = logChroma(rgb);
  const pts = anchors.map(([R, G, B]) => [Math.log(G / R), Math.log(B / R), luminance(R, G, B)]);
  const red = anchors.map((a) => rednessDirection(a));
  const s2 = rednessSigma ** 2;
  const v0 = Math.max(tolerance, 1e-3) ** 2;
  let best = { m: Infinity, d: 0, x: 0, y: 0, Y: 0, beyond: 0, h: 0, off: [0, 0] };
  for (let i = 1; i < pts.length; i++) {
    const [ax, ay, aY] = pts[i - 1];
    const [bx, by, bY] = pts[i];
    const dx = bx - ax;
    const dy = by - ay;
    const e = [(red[i - 1].chroma[0] + red[i].chroma[0]) / 2, (red[i - 1].chroma[1] + red[i].chroma[1]) / 2];
    const darkening = (red[i - 1].lnY + red[i].lnY) / 2;
    // Σ⁻¹ of [[v0 + s² ex², s² ex ey], [s² ex ey, v0 + s² ey²]].
    const [sxx, sxy, syy] = [v0 + s2 * e[0] * e[0], s2 * e[0] * e[1], v0 + s2 * e[1] * e[1]];
    const det = sxx * syy - sxy * sxy;
    const [ixx, ixy, iyy] = [syy / det, -sxy / det, sxx / det];
    const dot = (u: number[], w: number[]) => u[0] * (ixx * w[0] + ixy * w[1]) + u[1] * (ixy * w[0] + iyy * w[1]);
    // The first segment runs on before its start (lighter) up to yHi.
    const tMin = i === 1 ? (yHi - aY) / (bY - aY) : 0;
    const along = dot([dx, dy], [q[0] - ax, q[1] - ay]) / dot([dx, dy], [dx, dy]);
    const t = Math.min(1, Math.max(tMin, along));
    const off = [q[0] - (ax + t * dx), q[1] - (ay + t * dy)];
    const m = dot(off, off);
    const Y = aY + t * (bY - aY);
    // Past the darkest anchor the luminance stays at its median, with the run-on's ln Y as its doubt.
    const beyond = t < 0 ? Math.log(Y / aY) : i === pts.length - 1 && along > 1 ? (along - 1) * Math.log(aY / bY) : 0;
    // The colour itself stops at the lightest median: no chromaticity was measured past it, and the
    // segment run on crosses b/r = g/r near Y 0.42 (bluer than green: no skin).
    const tColour = Math.max(0, t);
    const h = s2 * dot(e, off);
    // The blood read also darkens the skin it is in (HAEMOGLOBIN_LIGHTNESS_PER_A).
    if (m < best.m) best = { m, d: Math.hypot(off[0], off[1]), x: ax + tColour * dx, y: ay + tColour * dy, Y: Y * Math.exp(darkening * h), beyond, h, off };
  }
  const toColour = Math.hypot(best.x - q[0], best.y - q[1]);
  const move = toColour > tolerance ? (toColour - tolerance) / toColour : 0;
  return { gain: [1, Math.exp(move * (best.x - q[0])), Math.exp(move * (best.y - q[1]))], luminance: best.Y, distance: best.d, offset: [best.off[0], best.off[1]], redness: best.h, extrapolated: best.beyond };
}

/**
 * The skin locus as a photo sees skin under broad light: each diffuse anchor plus the neutral surface
 * reflection `sheen` (these are the ISSA readings as measured, specular included [S20]). The sheen
 * moves dark skin along the locus as much as off it: ITA −45° plus 0.028 has about the chromaticity
 * of ITA −15° plus 0.028 and of ITA ≈ 20° diffuse skin, so this curve folds back at its dark end.
 */
function apparentLocus(sheen: number): [number, number, number][] {
  return SKIN_LOCUS_RGB.map(([R, G, B]) => [R + sheen, G + sheen, B + sheen]);
}

/** Points along each segment of the apparent locus the soft match weighs (one ISSA ITA bin each). */
const SOFT_STEPS = 24;

/** What the soft match gives: the apparent luminance and its doubt, with the nearest point's match. */
export interface SoftLocusMatch extends SkinLocusMatch {
  /** σ of ln Y over the locus points the colour could be, given its chromaticity doubt. */
  spreadLnY: number;
}

/**
 * The skin-locus prior for a photo's colour, which carries skin's sheen (absolute, `sheen`): matched
 * against the apparent locus (diffuse anchors plus the sheen), softly. Where the curve folds (dark
 * skin plus its sheen looks like mid skin), the nearest point jumps between branches with a small
 * change of colour, so every point of the curve is weighed by how near it is, exp(−d²/2σ²) in
 * (ln g/r, ln b/r) with σ the colour's own doubt `sigmaChroma` (its white balance), and the luminance
 * is their weighted mean in ln Y, `spreadLnY` their weighted σ: near the fold the two branches are
 * both in it and the prior says how unsure it is. The lightest segment runs on to ISSA's lightest
 * face, as `matchSkinLocus`'s does. The white-balance gain, distance and extrapolation are the
 * nearest point's (`matchSkinLocus` on the apparent curve).
 */
export function softMatchSkinLocus(rgb: ArrayLike<number>, sheen: number, sigmaChroma: number, tolerance = SKIN_LOCUS_TOLERANCE, rednessSigma = 0): SoftLocusMatch {
  const locus = apparentLocus(sheen);
  const nearest = matchSkinLocusOn(locus, SKIN_LOCUS_Y_RANGE[1] + sheen, rgb, tolerance, rednessSigma);
  const q = logChroma(rgb);
  const pts = locus.map(([R, G, B]) => [Math.log(G / R), Math.log(B / R), Math.log(luminance(R, G, B))]);
  const samples: number[][] = [];
  const lnYHi = Math.log(SKIN_LOCUS_Y_RANGE[1] + sheen);
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    // The first segment runs on before its start (lighter) up to the lightest face.
    const tMin = i === 1 ? (lnYHi - a[2]) / (b[2] - a[2]) : 0;
    for (let k = i === 1 ? 0 : 1; k <= SOFT_STEPS; k++) {
      const t = tMin + ((1 - tMin) * k) / SOFT_STEPS;
      samples.push([0, 1, 2].map((j) => a[j] + t * (b[j] - a[j])));
    }
  }
  const d2 = samples.map(([x, y]) => (x - q[0]) ** 2 + (y - q[1]) ** 2);
  const least = Math.min(...d2);
  const sigma2 = Math.max(sigmaChroma, 1e-3) ** 2;
  const w = d2.map((d) => Math.exp(-(d - least) / (2 * sigma2)));
  const sum = w.reduce((s, v) => s + v, 0);
  const mean = samples.reduce((s, p, i) => s + w[i] * p[2], 0) / sum;
  const spread = Math.sqrt(samples.reduce((s, p, i) => s + w[i] * (p[2] - mean) ** 2, 0) / sum);
  return { ...nearest, luminance: Math.exp(mean), spreadLnY: spread };
}
