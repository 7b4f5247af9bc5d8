/**
 * The albedo scale and the light's colour from every cue the photo has, each weighed by how sure it
 * is (issue 14; skin-reflectance reference §5). De-lighting knows albedo only up to a per-channel
 * factor fs (albedo = relative albedo × fs). Two cues give fs:
 *
 * - the skin-locus prior (albedo-scale.ts): the skin's chromaticity, after the scene's light colour,
 *   predicts its luminance [S20]. It cannot tell exposure from skin tone when the white balance is
 *   off: along the locus, d ln Y / d ln(g/r) ≈ 3.8 (ITA −45° → 62°: ln Y changes by 1.65 while
 *   ln g/r changes by 0.43), so a white-balance error of 0.05 in ln(g/r) is 0.19 in ln Y.
 * - the sclera (capture/sclera.ts), a surface of known reflectance lit by the light the eye region
 *   gets: fs_c = ρ_sclera,c / (sclera photo_c / S_eye,c), S_eye the unit shading of the face.
 *
 * Each cue's ln fs is split into a luminance part (the scale) and a chromaticity part (the light's
 * colour: ln g/r, ln b/r); the parts are combined as independent Gaussian estimates, by inverse
 * variance. With no reliable sclera the prior decides alone, as before.
 */
import { luminance } from "../../primitives/color.ts";
import { normalCdf } from "../../primitives/statistics.ts";
import { SKIN_LOCUS_TOLERANCE, skinLocusChromaAt } from "./albedo-scale.ts";
import { readingSigma, SCLERA_REFLECTANCE, type ScleraMeasurement } from "../capture/sclera.ts";
import { meanDoubt } from "../capture/reference-pixels.ts";
import type { TeethMeasurement } from "../capture/teeth.ts";
import type { AlbedoScaleCues, ReferenceLight } from "../../types.ts";

/** Reflectance of the visible sclera (capture/sclera.ts, where the pixels are tested against it). */
export { SCLERA_REFLECTANCE };

/**
 * The visible sclera sits in the orbit behind the lids and lashes. Where the shading is read in the
 * eye openings of the fitted head (`inOrbit`), their ambient occlusion and normals already hold the
 * orbit, and what is left is the lids' and lashes' own shadow on the eyeball (0.85); read on the
 * front of the face, a third of the sky is also hidden by brow and lids (0.7). Assumptions, with
 * σ of ln: the fitted orbit is the template's, not the person's.
 */
export const SCLERA_RECESS = { orbit: 0.85, face: 0.7, sigmaLn: 0.25 };

/**
 * The range of facial skin luminance (diffuse Y) in the population: ISSA's facial L* spans
 * 22.7–74.0 [S20] (skin-reflectance reference §2.2), Y = ((L* + 16) / 116)³. Whether the extreme
 * records hold the surface reflection is not stated; taken as diffuse, the looser bound.
 */
export const SKIN_Y_RANGE = [((22.7 + 16) / 116) ** 3, ((74.0 + 16) / 116) ** 3] as const;

/**
 * How likely a reference's reading is to be that reference at all: the probability, under the
 * reading's own σ of ln Y, that the skin luminance it implies lies within the population's range
 * (`SKIN_Y_RANGE`). A reading that implies skin lighter than any skin (a squint's lashes and lid
 * skin, a shadowed socket) or darker than any is most likely something else. Its variance is divided
 * by this probability, a weight that falls smoothly with the reading rather than a cut: a 0.3 %
 * change in the reading moves the result by about as much, not by the cut's jump (rose-leslie img2's
 * sclera implied Y 0.4511 against a cut at 0.45, and 0.4499 with an unrelated capture change: L*
 * 68.8 ↔ 70.6). 0 where the reading leaves no diffuse skin at all.
 */
export function skinRangeProbability(skinY: number, sigmaLnY: number): number {
  if (!(skinY > 0)) return 0;
  const ln = Math.log(skinY);
  const [lo, hi] = SKIN_Y_RANGE.map(Math.log);
  return Math.max(0, normalCdf((hi - ln) / sigmaLnY) - normalCdf((lo - ln) / sigmaLnY));
}
/** A sclera reading further than this many σ (both cues' σ combined) from the prior is an outlier and is not used. */
export const MAX_DISAGREEMENT_SIGMA = 3;

/** σ of ln Y of the skin-locus prior on the locus (people of one chromaticity differ in lightness). */
export const PRIOR_SIGMA_LN_Y = 0.25;

/** ln Y per unit ln(g/r) along the locus (see the header): how a distance from the locus becomes a luminance doubt. */
const LOCUS_SLOPE = 3.8;
/**
 * σ of the prior's chromaticity as a light-colour cue (ln units). The locus match takes out only
 * what moves skin off the locus; along it, a coloured light and another skin tone look the same,
 * and the prior's doubt is the spread of skin colours along the locus: ln(g/r) spans 0.43 from
 * ITA −45° to 62° [S20], σ ≈ 0.43 / √12 ≈ 0.12 for a tone anywhere on it.
 */
export const PRIOR_SIGMA_CHROMA = 0.12;

/** One cue's per-channel scale and how sure it is. */
export interface ScaleCue {
  /** Per-channel factor from relative to absolute albedo. */
  fs: [number, number, number];
  /** σ of ln of its luminance part. */
  sigmaLnY: number;
  /** σ of its chromaticity part (ln g/r, ln b/r); Infinity for a cue of luminance only. */
  sigmaChroma: number;
  /**
   * A cue of luminance only (the teeth with `useTeeth: "luminance"`): its photo colour per unit
   * shading and its reflectance's luminance. Its `fs` is then read under the white balance the
   * colour cues give (`underWhiteBalance`), not under its own colour.
   */
  luminanceOnly?: { rel: [number, number, number]; reflectanceY: number };
}

/** What the combination used, for report.json (types.ts). */
export type ScaleCues = AlbedoScaleCues;

const lnY = (rgb: ArrayLike<number>) => Math.log(Math.max(luminance(rgb[0], rgb[1], rgb[2]), 1e-9));

/**
 * The skin-locus prior as a function of the light's colour: given the white balance (per-channel
 * gain, red = 1) the photo's skin is read under, the luminance the locus gives for the balanced
 * colour and how far that colour is from the locus (albedo-scale.ts `matchSkinLocus`).
 */
export type SkinPrior = (
  gain: readonly number[],
  sigmaChroma: number,
) => { luminance: number; distance: number; gain: readonly number[]; extrapolated?: number; spreadLnY?: number; mixtureLnY?: number; rednessShare?: number };

/**
 * How far a skin colour's misfit to the locus exceeds what its doubts allow: `distance` (ln g/r,
 * ln b/r) off the locus against σ⊥ = hypot(the white balance's own doubt, the skin's spread about
 * the locus), at least 1. A colour further off than that says its white balance is less sure than
 * stated, and every doubt read from it is scaled by the ratio: the Birge ratio, the usual inflation
 * of readings that disagree beyond their stated errors.
 */
function birgeRatio(distance: number, sigmaChroma: number): number {
  return Math.max(1, distance / Math.hypot(sigmaChroma, SKIN_LOCUS_TOLERANCE));
}

/**
 * σ of ln Y of a prior read with a white balance whose own doubt is `sigmaChroma`, `distance` off
 * the locus and `extrapolated` (|ln Y|) past its outermost anchors: beyond the measured medians the
 * luminance is as uncertain as the extrapolation is long. Off the diffuse locus, the along-locus doubt is
 * scaled by the Birge ratio (`birgeRatio`) rather than grown by the distance itself: a misfit
 * within what the white balance's doubt allows is no further doubt, and one beyond it scales that
 * doubt (adding LOCUS_SLOPE × distance gave σ ln Y up to 2.3 on real photos, wider than the whole
 * locus, ln Y 1.87 from its darkest median to its lightest face).
 */
function priorSigmaLnY(sigmaChroma: number, distance: number, extrapolated = 0, spreadLnY?: number, mixtureLnY = 0): number {
  // A prior that weighed the folded locus (skin's sheen in the photo) under the colour's doubt says
  // its own spread, and its misfit adds to it: its weighted mean sits between the fold's branches,
  // and a tighter σ would weigh that bias (synthetic ITA −45° with sheen: 2.77 → 3.03 ΔE00).
  if (spreadLnY !== undefined) return Math.hypot(PRIOR_SIGMA_LN_Y, spreadLnY + LOCUS_SLOPE * distance, extrapolated, mixtureLnY);
  return Math.hypot(PRIOR_SIGMA_LN_Y, LOCUS_SLOPE * sigmaChroma * birgeRatio(distance, sigmaChroma), extrapolated, mixtureLnY);
}

/**
 * The light the eyes get, as the fitted model shades a unit albedo (per channel): `rgb` over both
 * eye regions and, where the model has them, each eye's own (`sides`, the subject's right eye at
 * u < 0.5 of the atlas). `inOrbit`: read in the eye openings of the fitted head rather than on the
 * front of the face.
 */
export interface EyeShading {
  rgb: ArrayLike<number>;
  inOrbit: boolean;
  sides?: { right: ArrayLike<number> | null; left: ArrayLike<number> | null };
}

/**
 * The sclera cue: the pooled reading over the light the eyes get. Null when the measurement is
 * absent or unreliable. Its doubt holds how well the model's light at the eyes is known: where
 * both eyes are read and the model shades each, the two eyes' readings each over its own light are
 * replicates of the same reflectance, and half their ln Y difference replaces the photo-only one
 * (`readingSigma`): a model that lights one eye twice the other while the two scleras read alike
 * (a side light the fitted template places wrongly) is that much less sure.
 */
export function scleraCue(sclera: ScleraMeasurement | undefined, eyeShading: EyeShading): ScaleCue | null {
  if (!sclera?.reliable || !sclera.rgb) return null;
  const recess = eyeShading.inOrbit ? SCLERA_RECESS.orbit : SCLERA_RECESS.face;
  return referenceCue(sclera.rgb, { ...sclera, noise: scleraNoise(sclera, eyeShading) }, eyeShading.rgb, recess, SCLERA_REFLECTANCE, SCLERA_RECESS.sigmaLn);
}

/** σ of ln Y of the sclera reading against the model's light (see `scleraCue`). */
function scleraNoise(sclera: ScleraMeasurement, eyeShading: EyeShading): number {
  const sides = eyeShading.sides;
  const perLight = (sclera.eyes ?? []).flatMap((e) => {
    const s = sides?.[e.side];
    const v = s ? lnY(e.rgb) - lnY(s) : NaN;
    return Number.isFinite(v) ? [v] : [];
  });
  if (perLight.length < 2) return sclera.sigmaLnY;
  return readingSigma(perLight, sclera.spread, sclera.pixels);
}

/**
 * Reflectance of the labial enamel of adults' upper front teeth, linear sRGB, with σ of ln Y and of
 * the chromaticity. Measured in vivo with a contact spectrophotometer (Vita Easyshade; D65, 2°):
 * Pustina-Krasniqi, Lila-Krasniqi, Ajeti, Shala, Bicaj, Dula 2017, "Differences of tooth
 * colorimetric parameters L*a*b* depended on age", Open Access Maced J Med Sci 5(6):777–780,
 * doi:10.3889/oamjms.2017.155: 255 adults, 2295 maxillary incisors and canines, L*, a*, b* 83.2,
 * −0.7, 21.7 at 20–29 years and 79.4, −0.5, 23.9 at 40–49. We take their midpoint, L* 81.3, a* −0.6,
 * b* 22.8 → linear sRGB (0.696, 0.583, 0.349), Y 0.590. The same instrument on central incisors at
 * 11–15 years reads L* 80.6, b* 24.1 (Oh et al. 2022, J Korean Acad Pediatr Dent 49(4):414–427,
 * doi:10.5933/JKAPD.2022.49.4.414): adults' teeth are not darker on average than that, they darken
 * with age (ΔL* −3.8 over 20 years above; centre site r(age, L*) −0.42, Hasegawa et al. 2000, Color
 * Res Appl 25(1):43–48) and differ with sex but not with ethnicity (Joiner & Luo 2017, J Dent
 * 67S:S3–S10). Neither source states the spread across adults: σ of ln Y 0.3 is assumed (the age
 * trend alone is ln Y ±0.06 over 20–49 and ≈ −0.2 at 60–69 if it runs on; bleached, stained and
 * veneered teeth, and the translucent edge a photo also shows), of the chromaticity 0.2 (bleached
 * teeth are far less yellow: b* 23 → 12 moves ln b/r by ≈ 0.4), so the teeth's colour barely moves
 * the light's. Both surveys use a contact probe on the middle third; no measured b*–L* relation
 * across adults was found, so a tooth's own yellowness does not set its lightness here.
 */
export const TOOTH_REFLECTANCE = { rgb: [0.696, 0.583, 0.349] as [number, number, number], sigmaLnY: 0.3, sigmaChroma: 0.2 };

/**
 * The visible teeth sit behind the lips, in the mouth's opening: the upper lip shades them and the
 * mouth hides part of the sky (0.75, assumed as the sclera's recess is, with σ of ln 0.3). Their
 * labial surfaces face forward, as the front of the face does: the light they get is read there.
 */
export const TOOTH_RECESS = { factor: 0.75, sigmaLn: 0.3 };

/**
 * The teeth cue: `frontShading` is the unit shading (per channel) of the light the front of the
 * face gets. Null when the measurement is absent or unreliable.
 */
export function teethCue(teeth: TeethMeasurement | undefined, frontShading: ArrayLike<number>, luminanceOnly = false): ScaleCue | null {
  if (!teeth?.reliable || !teeth.rgb) return null;
  const cue = referenceCue(teeth.rgb, teeth, frontShading, TOOTH_RECESS.factor, TOOTH_REFLECTANCE, TOOTH_RECESS.sigmaLn);
  if (!cue || !luminanceOnly) return cue;
  // Where both are read, portrait teeth are as neutral as the sclera (teeth ÷ sclera b/r 0.79–1.12
  // against the enamel reference's 0.52: bleached, veneered, lit edges; docs/evaluation.md, tone10):
  // their colour says nothing of the light's, only their lightness is used.
  const rel = cue.fs.map((f, c) => TOOTH_REFLECTANCE.rgb[c] / f) as [number, number, number];
  return { ...cue, sigmaChroma: Infinity, luminanceOnly: { rel, reflectanceY: luminance(...TOOTH_REFLECTANCE.rgb) } };
}

/** A luminance-only cue's factor under the white balance `gain` (red = 1): the gain, scaled so that its reference comes out at its reflectance's luminance. */
export function underWhiteBalance(cue: ScaleCue, gain: readonly number[]): ScaleCue {
  const l = cue.luminanceOnly;
  if (!l) return cue;
  const k = l.reflectanceY / Math.max(luminance(l.rel[0] * gain[0], l.rel[1] * gain[1], l.rel[2] * gain[2]), 1e-9);
  return { ...cue, fs: gain.map((g) => g * k) as [number, number, number] };
}

/** A reference's cue: its reflectance over its photo colour per unit shading, with every doubt in σ. */
function referenceCue(
  rgb: ArrayLike<number>,
  m: { spread: number; pixels: number; clipped: number; noise?: number },
  shading: ArrayLike<number>,
  recess: number,
  reflectance: { rgb: number[]; sigmaLnY: number; sigmaChroma: number },
  sigmaRecess: number,
): ScaleCue | null {
  const rel = Array.from(rgb, (v, c) => v / Math.max(recess * shading[c], 1e-6));
  if (!rel.every((v) => v > 0 && Number.isFinite(v))) return null;
  const fs = reflectance.rgb.map((r, c) => r / rel[c]) as [number, number, number];
  // The measurement's own noise: the reading's σ where it states one (the sclera: its two eyes as replicates), else the doubt of its pixels' mean.
  const noise = m.noise ?? meanDoubt(m.spread, m.pixels);
  if (!Number.isFinite(noise)) return null;
  const sigmaLnY = Math.hypot(reflectance.sigmaLnY, sigmaRecess, noise) * (1 + 2 * m.clipped);
  return { fs, sigmaLnY, sigmaChroma: Math.hypot(reflectance.sigmaChroma, noise) };
}

/** The references' cues merged by inverse variance of ln Y and of ln g/r, ln b/r. */
function mergeCues(cues: ScaleCue[]): ScaleCue {
  if (cues.length === 1) return cues[0];
  const wY = cues.map((c) => 1 / c.sigmaLnY ** 2);
  const wC = cues.map((c) => 1 / c.sigmaChroma ** 2);
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const avg = (w: number[], f: (c: ScaleCue) => number) => sum(cues.map((c, i) => w[i] * f(c))) / sum(w);
  const Y = Math.exp(avg(wY, (c) => lnY(c.fs)));
  const gain = [1, Math.exp(avg(wC, (c) => Math.log(c.fs[1] / c.fs[0]))), Math.exp(avg(wC, (c) => Math.log(c.fs[2] / c.fs[0])))];
  const k = Y / luminance(gain[0], gain[1], gain[2]);
  return { fs: gain.map((g) => g * k) as [number, number, number], sigmaLnY: 1 / Math.sqrt(sum(wY)), sigmaChroma: 1 / Math.sqrt(sum(wC)) };
}

/**
 * A reference scales the face only if it sees the face's light. Under the light colour a reference
 * reads, the face's skin must be a skin colour; where it lies further off the locus than the
 * reference's colour doubt and the skin's spread allow, the reading and the skin see different
 * lights (an eye in the brow's cast shadow lit by the bluer fill while a warm key lights the face;
 * a tear film mirroring a window), which the model's shading (ambient occlusion, no cast shadows)
 * does not hold. The reference's doubts, of its luminance as of its colour, are then scaled by the
 * Birge ratio (`birgeRatio`), the rule the prior's own misfit follows.
 */
export function lightConsistency(prior: SkinPrior, cue: ScaleCue): { cue: ScaleCue; ratio: number; distance: number } {
  const gain = cue.fs.map((v) => v / cue.fs[0]);
  const distance = prior(gain, cue.sigmaChroma).distance;
  const ratio = birgeRatio(distance, cue.sigmaChroma);
  return { cue: { fs: cue.fs, sigmaLnY: cue.sigmaLnY * ratio, sigmaChroma: cue.sigmaChroma * ratio }, ratio, distance };
}

/** A reference's cue (or null) with its measurement's verdict for the report. */
export interface ReferenceCueInput {
  name: "sclera" | "teeth";
  cue: ScaleCue | null;
  reason: string;
  pixels: number;
  clipped: number;
  /** Share of the reference's opening its kept pixels are (null when not measured). */
  purity: number | null;
  /** The skin luminance a rejected reading implied (report only). */
  skinY?: number;
}

/**
 * Combines the cues in two steps. Each reference (sclera, teeth) is first checked against skin
 * itself: its variances are divided by the probability that the skin it implies is within skin's
 * range (`skinRangeProbability`: lashes in a squint, a tongue, a shadowed socket imply skin lighter
 * or darker than any); one further than MAX_DISAGREEMENT_SIGMA from the prior is an outlier and
 * dropped; those left are merged by inverse variance. The light's colour then: the prior's white
 * balance (scene light and locus match, `prior(sceneGain, …)`, as sure as the scene's light is,
 * `sceneSigmaChroma`) and the references', by inverse
 * variance of ln g/r and ln b/r. Then the scale: the prior reads the skin under that combined
 * white balance (its doubt now that of the combined colour), and its luminance and the references'
 * are combined by inverse variance of ln Y. `median` is the relative skin albedo the scale is read on. Every luminance here
 * is the skin's apparent one, diffuse plus its neutral surface reflection `sheen` (absolute: the
 * references see the whole, and `prior` gives its diffuse luminance plus the sheen); the checks
 * against skin and the report are of the diffuse part. `lightFs` is the light's own factor: the
 * scene's and the references' white balance at the same exposure, without the locus match.
 */
export function combineCues(prior: SkinPrior, sceneGain: readonly number[], references: ReferenceCueInput[], median: ArrayLike<number>, sheen = 0, sceneSigmaChroma = PRIOR_SIGMA_CHROMA): { fs: [number, number, number]; lightFs: [number, number, number]; cues: ScaleCues } {
  const lumOf = (fs: ArrayLike<number>) => luminance(median[0] * fs[0], median[1] * fs[1], median[2] * fs[2]);
  const fsFor = (gain: readonly number[], Y: number) => {
    const k = Y / Math.max(lumOf(gain), 1e-9);
    return gain.map((g) => g * k) as [number, number, number];
  };
  // The prior alone: its white balance, and its luminance read under it.
  const alone = prior(sceneGain, sceneSigmaChroma);
  const priorGain = alone.gain;
  const sigmaChromaPrior = sceneSigmaChroma + alone.distance;
  const priorFs = fsFor(priorGain, alone.luminance);
  // A cue of luminance only is read under the colour cues' white balance, or the prior's where none.
  const colourCues = references.flatMap((r) => (r.cue && !r.cue.luminanceOnly ? [r.cue] : []));
  const colourGain = colourCues.length ? mergeCues(colourCues).fs.map((v, _c, a) => v / a[0]) : priorGain;
  const resolved = references.map((r) => (r.cue?.luminanceOnly ? { ...r, cue: underWhiteBalance(r.cue, colourGain) } : r));
  const consistent = resolved.map((r) => {
    if (!r.cue) return r;
    const c = lightConsistency(prior, r.cue);
    const note = c.ratio > 1 ? `; under its light the skin is ${c.distance.toFixed(2)} off the skin locus: σ × ${c.ratio.toFixed(1)}` : "";
    return { ...r, cue: c.cue, reason: r.reason + note };
  });
  const checked = consistent.map((r) => {
    if (!r.cue) return r;
    const Ys = lumOf(r.cue.fs);
    const z = Math.abs(Math.log(Ys / alone.luminance)) / Math.hypot(priorSigmaLnY(sigmaChromaPrior, alone.distance, alone.extrapolated, alone.spreadLnY, alone.mixtureLnY), r.cue.sigmaLnY);
    let reason = "";
    const diffuse = Ys - sheen;
    const p = skinRangeProbability(diffuse, r.cue.sigmaLnY);
    if (!(diffuse > 0)) reason = `implies skin darker than its own surface reflection (apparent Y ${Ys.toFixed(3)}): not the ${r.name}`;
    else if (z > MAX_DISAGREEMENT_SIGMA) reason = `${z.toFixed(1)} σ from the skin prior: outlier`;
    else if (!(p > 0)) reason = `implies skin Y ${diffuse.toFixed(2)}, beyond any skin: not the ${r.name}`;
    if (reason) return { ...r, cue: null, reason, skinY: diffuse };
    const note = p < 0.99 ? `; skin Y ${diffuse.toFixed(3)} is within the range of skin with probability ${p.toFixed(2)}: variance ÷ ${p.toFixed(2)}` : "";
    const weighed = { ...r.cue, sigmaLnY: r.cue.sigmaLnY / Math.sqrt(p), sigmaChroma: r.cue.sigmaChroma / Math.sqrt(p) };
    return { ...r, cue: weighed, reason: r.reason + note, skinY: diffuse };
  });
  const used = checked.filter((r) => r.cue);
  const cue = used.length ? mergeCues(used.map((r) => r.cue!)) : null;
  let wC = 0;
  let gain = priorGain;
  let sigmaChroma = sigmaChromaPrior;
  if (cue) {
    wC = sigmaChromaPrior ** 2 / (sigmaChromaPrior ** 2 + cue.sigmaChroma ** 2);
    const lg = (1 - wC) * Math.log(priorGain[1] / priorGain[0]) + wC * Math.log(cue.fs[1] / cue.fs[0]);
    const lb = (1 - wC) * Math.log(priorGain[2] / priorGain[0]) + wC * Math.log(cue.fs[2] / cue.fs[0]);
    gain = [1, Math.exp(lg), Math.exp(lb)];
    sigmaChroma = 1 / Math.sqrt(1 / sigmaChromaPrior ** 2 + 1 / cue.sigmaChroma ** 2);
  }
  // The prior read under the combined white balance (the locus match's own small correction on top).
  const read = cue ? prior(gain, sigmaChroma) : alone;
  const Yp = read.luminance;
  const sigmaP = priorSigmaLnY(sigmaChroma, read.distance, read.extrapolated, read.spreadLnY, read.mixtureLnY);
  let wY = 0;
  let lnYc = Math.log(Yp);
  let sigma = sigmaP;
  const finalGain = cue ? read.gain : priorGain;
  if (cue) {
    const Ys = lumOf(cue.fs);
    wY = sigmaP ** 2 / (sigmaP ** 2 + cue.sigmaLnY ** 2);
    lnYc = (1 - wY) * Math.log(Yp) + wY * Math.log(Ys);
    sigma = 1 / Math.sqrt(1 / sigmaP ** 2 + 1 / cue.sigmaLnY ** 2);
  }
  // The skin's colour follows its lightness: where the references moved the lightness, the colour
  // goes along the locus with it (`skinLocusLnY`). The soft match (sheen) has no one colour per
  // luminance where its locus folds, so it keeps the colour it read.
  const colourLnY = cue && sheen === 0 ? skinLocusLnY(Math.log(Yp), sigmaP, lnYc) : Math.log(Yp);
  const fs = fsFor(alongLocus(finalGain, Yp, Math.exp(colourLnY)), Math.exp(lnYc));
  // The light alone: the scene illuminant's white balance and the references' joined with the same
  // colour weight, without the locus match's pull (a statement about skin's colour, not the light's),
  // at the same exposure (the skin's combined luminance). What lights any other surface beside the
  // references, e.g. the iris beside the sclera.
  const lnChroma = (g: ArrayLike<number>, c: number) => Math.log(g[c] / g[0]);
  const lightGain = [1, 2].map((c) => Math.exp((1 - wC) * lnChroma(sceneGain, c) + (cue ? wC * lnChroma(cue.fs, c) : 0)));
  const lightFs = fsFor([1, ...lightGain], Math.exp(lnYc));
  const names = used.map((r) => r.name).join(" + ");
  const which = (w: number) => (!cue ? "skin-locus prior" : w >= 0.75 ? names : w <= 0.25 ? "skin-locus prior" : `${names} + skin-locus prior`);
  const verdict = (name: ReferenceCueInput["name"]) => {
    const r = checked.find((x) => x.name === name);
    const original = consistent.find((x) => x.name === name)?.cue;
    return r
      ? { used: r.cue !== null, reason: r.reason, pixels: r.pixels, clipped: r.clipped, purity: r.purity, sigmaLnY: r.cue?.sigmaLnY ?? original?.sigmaLnY ?? null }
      : { used: false, reason: "not measured", pixels: 0, clipped: 0, purity: null, sigmaLnY: null };
  };
  const skinYOf = (name: ReferenceCueInput["name"]) => checked.find((x) => x.name === name)?.skinY ?? null;
  return {
    fs,
    lightFs,
    cues: {
      decided: which(wY),
      decidedColour: which(wC),
      referenceWeight: { luminance: wY, colour: wC },
      sigmaLnY: sigma,
      priorSigmaLnY: sigmaP,
      skinYInterval: [Math.exp(lnYc - sigma) - sheen, Math.exp(lnYc + sigma) - sheen],
      sigmaChroma,
      skinY: { prior: lumOf(priorFs) - sheen, priorWeighed: Yp - sheen, sclera: skinYOf("sclera"), teeth: skinYOf("teeth"), combined: Math.exp(lnYc) - sheen, colour: Math.exp(colourLnY) - sheen },
      surfaceReflectance: sheen,
      rednessShare: read.rednessShare ?? 0,
      sclera: verdict("sclera"),
      teeth: verdict("teeth"),
    },
  };
}

/**
 * Where along the skin locus the skin's own colour lies (as ln Y of the locus point), given the
 * combined lightness `lnY`. One Gaussian model holds the prior and the references: the prior reads
 * the photo's colour as the locus point `priorLnY`, which is the skin's own point u (people of one
 * lightness s differ in colour along the locus: u = s + e, σ_e PRIOR_SIGMA_LN_Y, the prior's own
 * spread read the other way) seen through the error ℓ of the white balance it was read under (the
 * rest of its doubt, σ_ℓ² = σ_prior² − σ_e²); the references read s. The combination's ln Y is s's
 * posterior mean (u_prior ~ N(s, σ_prior²)), and u's is the inverse-variance mean of s (σ_e) and
 * u_prior (σ_ℓ). Taking the luminance from the references and the colour from the prior instead gave
 * pairs no skin has where they disagree: a face the sclera puts at Y 0.33 with the saturation of the
 * darkest median, its A_D too yellow and red for its lightness. With no reference, u = s = u_prior.
 */
export function skinLocusLnY(priorLnY: number, priorSigma: number, lnY: number): number {
  const varSkin = PRIOR_SIGMA_LN_Y ** 2;
  const varLight = Math.max(priorSigma ** 2 - varSkin, 1e-6);
  return (lnY / varSkin + priorLnY / varLight) / (1 / varSkin + 1 / varLight);
}

/** A white balance `gain` that put skin at the locus point of luminance `fromY`, moved along the locus to the point of luminance `toY`. */
function alongLocus(gain: readonly number[], fromY: number, toY: number): number[] {
  const [a, b] = [skinLocusChromaAt(fromY), skinLocusChromaAt(toY)];
  return [gain[0], gain[1] * Math.exp(b[0] - a[0]), gain[2] * Math.exp(b[1] - a[1])];
}

/** The light the references decided (`combineCues`' lightFs) and skin's correction beyond it, from skin's factor `skinFs` as A_D uses it (sheen taken out). */
export function referenceLightOf(skinFs: readonly number[], lightFs: readonly number[]): ReferenceLight {
  return {
    gain: lightFs.map((v) => v / lightFs[0]) as [number, number, number],
    skinCorrection: skinFs.map((v, c) => v / lightFs[c]) as [number, number, number],
  };
}
