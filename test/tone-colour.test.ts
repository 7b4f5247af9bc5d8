import { describe, expect, it } from "vitest";
import { HAEMOGLOBIN_LIGHTNESS_PER_A, matchSkinLocus, rednessDirection, SKIN_LOCUS_TOLERANCE, SKIN_LOCUS_Y_RANGE, SKIN_REDNESS_SIGMA_A, skinLocusChromaAt } from "../src/pipeline/delight/albedo-scale.ts";
import { combineCues, PRIOR_SIGMA_LN_Y, skinLocusLnY, TOOTH_REFLECTANCE, underWhiteBalance, type ReferenceCueInput, type ScaleCue, type SkinPrior } from "../src/pipeline/delight/references.ts";
import { labToLinearSrgb, linearSrgbToLab, luminance } from "../src/primitives/color.ts";
import { rednessOrTint } from "../src/pipeline/delight/albedo.ts";
import { rednessShare, type SceneLightStatistics } from "../src/pipeline/delight/redness-share.ts";

/** The skin-locus prior as delight builds it (albedo.ts): the nearest locus point of the colour under the white balance. */
const priorOf =
  (median: number[]): SkinPrior =>
  (wb) => {
    const m = matchSkinLocus(median.map((v, c) => v * wb[c]));
    return { luminance: m.luminance, distance: m.distance, extrapolated: m.extrapolated, gain: m.gain.map((g, c) => g * wb[c]) };
  };
const lum = (v: ArrayLike<number>) => luminance(v[0], v[1], v[2]);
const sclera = (fs: [number, number, number], sigmaLnY: number, sigmaChroma: number) => [{ name: "sclera" as const, cue: { fs, sigmaLnY, sigmaChroma }, reason: "ok", pixels: 200, clipped: 0, purity: 0.5 }];

describe("the skin's colour follows its lightness along the locus", () => {
  it("locus chromaticity at a luminance runs through the anchors and holds past the ends", () => {
    const chroma = (v: number[]) => [Math.log(v[1] / v[0]), Math.log(v[2] / v[0])];
    const a38 = [0.429, 0.246, 0.17];
    const a12 = [0.322, 0.163, 0.093];
    expect(skinLocusChromaAt(lum(a38))[0]).toBeCloseTo(chroma(a38)[0], 9);
    const mid = skinLocusChromaAt((lum(a38) + lum(a12)) / 2);
    expect(mid[1]).toBeCloseTo((chroma(a38)[1] + chroma(a12)[1]) / 2, 9);
    expect(skinLocusChromaAt(0.01)).toEqual(skinLocusChromaAt(SKIN_LOCUS_Y_RANGE[0]));
    expect(skinLocusChromaAt(0.43)).toEqual(skinLocusChromaAt(0.36));
  });

  it("a face whose colour says the darkest skin and whose sclera says mid skin gets a mid skin's colour, not the darkest's saturation", () => {
    // Relative skin albedo of the ITA −45° median's chromaticity: the prior reads Y 0.068, its colour the darkest on the locus.
    const median = [0.128, 0.054, 0.028].map((v) => 3 * v);
    const prior = priorOf(median);
    // A sclera that puts the skin at Y 0.2 (ITA ≈ 12°), sure of its luminance, unsure of the light's colour.
    const k = 0.2 / lum(median);
    const out = combineCues(prior, [1, 1, 1], sclera([k, k, k], 0.2, 0.3), median);
    expect(out.cues.sclera.used).toBe(true);
    const skin = median.map((v, c) => v * out.fs[c]);
    const Y = lum(skin);
    expect(Y).toBeCloseTo(out.cues.skinY.combined, 9);
    // The joint estimate puts the colour between the prior's point (read under the combined white
    // balance: the sclera's colour moves it a little) and the combined lightness, nearer the latter.
    const expected = Math.exp(skinLocusLnY(Math.log(0.068), out.cues.priorSigmaLnY, Math.log(Y)));
    expect(out.cues.skinY.colour).toBeCloseTo(expected, 3);
    expect(Math.log(expected / 0.068)).toBeGreaterThan(0.5 * Math.log(Y / 0.068));
    // The A_D colour's own place on the locus is that point (before: the darkest median's, Y 0.068).
    expect(Math.abs(Math.log(matchSkinLocus(skin).luminance / expected))).toBeLessThan(0.05);
  });

  it("reports the prior as the references were weighed against it: read under the combined white balance", () => {
    // A saturated face (the ITA −45° median's colour: the prior alone reads Y 0.068) and a sclera
    // that says the light is red: under it the skin is greener, i.e. lighter on the locus.
    const median = [0.128, 0.054, 0.028].map((v) => 3 * v);
    const k = 0.2 / lum(median);
    const out = combineCues(priorOf(median), [1, 1, 1], sclera([k, 1.35 * k, 1.35 * k], 0.3, 0.05), median);
    const y = out.cues.skinY;
    expect(y.prior).toBeCloseTo(0.068, 3);
    expect(y.priorWeighed).toBeGreaterThan(1.5 * y.prior);
    // The combined luminance is the inverse-variance mean of the prior as weighed and the sclera's.
    const [wp, ws] = [out.cues.priorSigmaLnY ** -2, out.cues.sclera.sigmaLnY! ** -2];
    expect(Math.log(y.combined)).toBeCloseTo((wp * Math.log(y.priorWeighed) + ws * Math.log(y.sclera!)) / (wp + ws), 6);
  });

  it("teeth of luminance only: their colour moves no light, their lightness is read under the sclera's white balance", () => {
    const median = [0.429, 0.246, 0.17].map((v) => 2 * v);
    const k = 0.25 / lum(median);
    // Neutral teeth in the photo (2 per unit shading, the median skin 0.56): read with the enamel's own yellow, they would say the light is blue.
    const rel: [number, number, number] = [2, 2, 2];
    const ownColour: ScaleCue = { fs: TOOTH_REFLECTANCE.rgb.map((r, c) => r / rel[c]) as [number, number, number], sigmaLnY: 0.35, sigmaChroma: 0.2 };
    const lumOnly: ScaleCue = { ...ownColour, sigmaChroma: Infinity, luminanceOnly: { rel, reflectanceY: lum(TOOTH_REFLECTANCE.rgb) } };
    const teeth = (cue: ScaleCue): ReferenceCueInput => ({ name: "teeth", cue, reason: "ok", pixels: 500, clipped: 0, purity: 0.5 });
    const scleraOnly = combineCues(priorOf(median), [1, 1, 1], sclera([k, k, k], 0.3, 0.05), median);
    const withLum = combineCues(priorOf(median), [1, 1, 1], [...sclera([k, k, k], 0.3, 0.05), teeth(lumOnly)], median);
    const withColour = combineCues(priorOf(median), [1, 1, 1], [...sclera([k, k, k], 0.3, 0.05), teeth(ownColour)], median);
    const chroma = (fs: number[]) => [fs[1] / fs[0], fs[2] / fs[0]];
    // The light's colour is the sclera's alone; with the enamel's colour it turns bluer (less blue in its factor to albedo).
    expect(chroma(withLum.lightFs)[1]).toBeCloseTo(chroma(scleraOnly.lightFs)[1], 9);
    expect(chroma(withColour.lightFs)[1]).toBeLessThan(0.98 * chroma(scleraOnly.lightFs)[1]);
    // The teeth's skin luminance under the sclera's (neutral) balance: the reflectance's Y over the teeth's.
    expect(withLum.cues.skinY.teeth).toBeCloseTo((lum(TOOTH_REFLECTANCE.rgb) / 2) * lum(median), 6);
    expect(underWhiteBalance(lumOnly, [1, 1, 1]).fs[2]).toBeCloseTo(lum(TOOTH_REFLECTANCE.rgb) / 2, 9);
  });

  it("with no reference, or where the prior's doubt is all the skin's own, the colour stays where the prior read it", () => {
    const median = [0.3, 0.18, 0.12];
    const prior = priorOf(median);
    const none = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: null, reason: "not measured", pixels: 0, clipped: 0, purity: null }], median);
    expect(none.cues.skinY.colour).toBeCloseTo(none.cues.skinY.prior, 9);
    expect(none.cues.skinY.priorWeighed).toBeCloseTo(none.cues.skinY.prior, 9);
    // σ_prior = σ_skin: the white balance has no doubt, the colour is the skin's.
    expect(skinLocusLnY(-2, PRIOR_SIGMA_LN_Y, -1)).toBeCloseTo(-2, 4);
    // A white balance far less sure than skin's spread: the colour follows the lightness.
    expect(skinLocusLnY(-2, 10, -1)).toBeCloseTo(-1, 2);
  });
});

describe("the prior between a camera's tint and the skin's own redness (tone12)", () => {
  it("mixes the two readings of an off-locus colour by their share, and doubts the mixture by their difference", () => {
    // A ruddy mid skin: the ITA 38° median with 4 a* more blood, which also darkens it (Takiwaki 2002).
    const [L, a, b] = linearSrgbToLab(0.429, 0.246, 0.17);
    const ruddy = labToLinearSrgb(L + 4 * HAEMOGLOBIN_LIGHTNESS_PER_A, a + 4, b);
    const truth = luminance(ruddy[0], ruddy[1], ruddy[2]);
    const tint = matchSkinLocus(ruddy, SKIN_LOCUS_TOLERANCE, 0);
    const redness = matchSkinLocus(ruddy, SKIN_LOCUS_TOLERANCE, SKIN_REDNESS_SIGMA_A);
    // Read as a tint, the blood reads as more melanin (darker); read as blood, nearer the truth.
    expect(tint.luminance).toBeLessThan(truth * 0.97);
    expect(redness.luminance).toBeGreaterThan(tint.luminance);
    expect(Math.abs(Math.log(redness.luminance / truth))).toBeLessThan(0.5 * Math.abs(Math.log(tint.luminance / truth)));
    expect(rednessOrTint(tint, redness, 0).luminance).toBeCloseTo(tint.luminance, 9);
    expect(rednessOrTint(tint, redness, 1).luminance).toBeCloseTo(redness.luminance, 9);
    const half = rednessOrTint(tint, redness, 0.5);
    expect(half.luminance).toBeCloseTo(Math.sqrt(tint.luminance * redness.luminance), 9);
    expect(half.mixtureLnY).toBeCloseTo(0.5 * Math.log(redness.luminance / tint.luminance), 9);
    expect(rednessOrTint(tint, redness, 0).mixtureLnY).toBe(0);
    // The mixture's doubt widens the prior: a reference then weighs more against it.
    const median = [0.4, 0.25, 0.18];
    const ref: ReferenceCueInput[] = [{ name: "sclera", cue: { fs: [1, 1, 1], sigmaLnY: 0.3, sigmaChroma: 0.1 }, reason: "ok", pixels: 100, clipped: 0, purity: 0.5 }];
    const prior = (mixtureLnY: number): SkinPrior => (wb) => ({ luminance: 0.2, distance: 0, gain: wb, mixtureLnY });
    const w = (m: number) => combineCues(prior(m), [1, 1, 1], ref, median).cues.referenceWeight.luminance;
    expect(w(0.4)).toBeGreaterThan(w(0));
  });

});

describe("whose the offset off the locus is: the scene's light statistics decide (tone13)", () => {
  // A ruddy mid skin (ITA 38° plus 6 a* of blood) photographed under a neutral light, white-balanced as is.
  const [L, a, b] = linearSrgbToLab(0.429, 0.246, 0.17);
  const ruddy = labToLinearSrgb(L + 6 * HAEMOGLOBIN_LIGHTNESS_PER_A, a + 6, b);
  const offset = matchSkinLocus(ruddy).offset;
  const e = rednessDirection(ruddy).chroma;
  const share = (scene?: SceneLightStatistics, colour: readonly number[] = ruddy) => rednessShare(matchSkinLocus(colour).offset, rednessDirection(colour).chroma, SKIN_LOCUS_TOLERANCE, SKIN_REDNESS_SIGMA_A, scene, [1, 1, 1]);
  const neutral: SceneLightStatistics = { greyWorld: [1, 1, 1], greyEdge: [1, 1, 1] };

  it("reads the offset as a tint without a scene, and as blood in part where the scene vouches for a neutral light", () => {
    expect(Math.hypot(...offset)).toBeGreaterThan(SKIN_LOCUS_TOLERANCE);
    expect(share(undefined)).toBe(0);
    const s = share(neutral);
    expect(s).toBeGreaterThan(0.05);
    expect(s).toBeLessThan(1);
    // The statistics disagreeing along the offset: the scene is less sure, the share smaller.
    const d = Math.hypot(...offset);
    const split = (k: number) => [1, Math.exp((k * offset[0]) / d), Math.exp((k * offset[1]) / d)] as [number, number, number];
    expect(share({ greyWorld: split(0.3), greyEdge: split(-0.3) })).toBeLessThan(0.5 * s);
  });

  it("reads it as a tint where the scene shows the same cast (test/delight.test.ts's magenta cast), and never as blood on the green side", () => {
    // The skin on the locus under a magenta light, the scene's statistics seeing that light.
    const cast: [number, number, number] = [1, 0.75, 1.1];
    const tinted = [0.429, 0.246 * 0.75, 0.17 * 1.1];
    expect(share({ greyWorld: cast, greyEdge: cast }, tinted)).toBeLessThan(0.02);
    // The scene shows half the offset as the light's: about half the neutral scene's share.
    const half = [1, Math.exp(offset[0] / 2), Math.exp(offset[1] / 2)] as [number, number, number];
    expect(share({ greyWorld: half, greyEdge: half }) / share(neutral)).toBeCloseTo(0.5, 1);
    // Greener than the locus: blood cannot make that, whatever the scene says.
    const green = [0.429, 0.246 * 1.15, 0.17];
    expect(e[0] * offset[0] + e[1] * offset[1]).toBeGreaterThan(0);
    expect(share(neutral, green)).toBe(0);
  });
});
