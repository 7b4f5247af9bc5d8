/**
 * Skin tone you can trust (issue 14): the sclera as an in-photo white reference, and the synthetic
 * test — a known albedo under a known light, altered as cameras alter a photo (exposure, white
 * balance), must come back within 3 ΔE00 of the truth.
 */
import { describe, expect, it } from "vitest";
import { complete } from "../src/pipeline/complete.ts";
import { weightedMedian } from "../src/primitives/statistics.ts";
import { delight, DELIGHT_DEFAULTS, type DelightOptions } from "../src/pipeline/delight.ts";
import { HAEMOGLOBIN_LIGHTNESS_PER_A, matchSkinLocus, softMatchSkinLocus, SKIN_LOCUS_TOLERANCE, SKIN_REDNESS_SIGMA_A, SKIN_SURFACE_REFLECTANCE } from "../src/pipeline/delight/albedo-scale.ts";
import { measureSclera, readingSigma, type ScleraMeasurement } from "../src/pipeline/capture/sclera.ts";
import { meanDoubt, MIN_EFFECTIVE_SAMPLES, PIXELS_PER_SAMPLE } from "../src/pipeline/capture/reference-pixels.ts";
import { estimateResponse, photoValueOfRadiance, radianceOfPhotoValue, relinearise } from "../src/pipeline/delight/response.ts";
import { lightingFitOptions, skinFitWeight } from "../src/pipeline/delight/shading.ts";
import { combineCues, lightConsistency, scleraCue, SCLERA_RECESS, SCLERA_REFLECTANCE, SKIN_Y_RANGE, skinRangeProbability, type SkinPrior } from "../src/pipeline/delight/references.ts";
import { ciede2000, labToLinearSrgb, linearSrgbToLab, linearToSrgb, luminance, srgbToLinear } from "../src/primitives/color.ts";

const luminanceOf = (rgb: ArrayLike<number>) => luminance(rgb[0], rgb[1], rgb[2]);
import { LEFT_EYE_CONTOUR, LEFT_IRIS_START, RIGHT_EYE_CONTOUR, RIGHT_IRIS_START } from "../src/primitives/face-topology.ts";
import { evaluateShImage, radianceToIrradiance } from "../src/render/sh.ts";
import { FACE_REGIONS, type ImageF32 } from "../src/types.ts";
import { syntheticScene } from "./support/synthetic-skin.ts";
import { edgePhoto } from "./support/tone-edge-photo.ts";
import { measureEdgePatches, type EdgeMixtures } from "../src/pipeline/capture/edge-patches.ts";

/** Two eyes drawn into a skin-coloured sRGB image, with the face mesh's landmarks where they are. */
function eyePhoto(opts: { sclera: number[]; openness?: number; lashes?: boolean; mixedBelow?: number; pinkAbove?: number; fill?: number[]; halfWidth?: number; glint?: { u: number; size: number; rgb: number[] }; caruncle?: { below: number; rgb: number[] } }) {
  const W = 200;
  const H = 100;
  const skin = [0.75, 0.55, 0.45];
  const iris = [0.25, 0.15, 0.08];
  const lm = new Float32Array(478 * 3);
  const eyes = [
    { contour: RIGHT_EYE_CONTOUR, iris: RIGHT_IRIS_START, cx: 60 },
    { contour: LEFT_EYE_CONTOUR, iris: LEFT_IRIS_START, cx: 140 },
  ];
  const a = opts.halfWidth ?? 30;
  const b = a * (opts.openness ?? 0.35);
  const cy = 50;
  for (const e of eyes) {
    e.contour.forEach((i, k) => {
      const t = (2 * Math.PI * k) / e.contour.length;
      lm.set([e.cx + a * Math.cos(t), cy + b * Math.sin(t), 0], i * 3);
    });
    const ir = 0.3 * a;
    lm.set([e.cx, cy, 0], e.iris * 3);
    for (let k = 1; k <= 4; k++) lm.set([e.cx + ir * Math.cos((k * Math.PI) / 2), cy + ir * Math.sin((k * Math.PI) / 2), 0], (e.iris + k) * 3);
  }
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c = skin;
      for (const e of eyes) {
        const u = (x + 0.5 - e.cx) / a;
        const v = (y + 0.5 - cy) / b;
        if (u * u + v * v > 1) continue;
        c = opts.fill ?? opts.sclera;
        // Lid-margin pixels: the sclera mixed in linear light with the lid skin (half), or the pink caruncle / lid rim, lighter than the sclera.
        if (opts.mixedBelow !== undefined && v > opts.mixedBelow) c = c.map((s, k) => linearToSrgb(0.5 * srgbToLinear(s) + 0.5 * srgbToLinear(skin[k])));
        if (opts.pinkAbove !== undefined && u > opts.pinkAbove) c = [0.97, 0.78, 0.74];
        // The caruncle at the medial canthus (the contour's point at u = −1, landmark 133 / 362).
        if (opts.caruncle && u < opts.caruncle.below) c = opts.caruncle.rgb;
        // A glint: a square of size × size pixels on the sclera, centred on the pixel at u on the row through the iris.
        const g = opts.glint;
        if (g && Math.abs(x - Math.floor(e.cx + g.u * a)) <= (g.size - 1) / 2 && Math.abs(y - cy) <= (g.size - 1) / 2) c = g.rgb;
        const r = Math.hypot(x + 0.5 - e.cx, y + 0.5 - cy);
        if (r < 0.3 * a) c = r < 1.5 ? [1, 1, 1] : iris; // a catch-light in the iris
        if (opts.lashes !== false && v < -0.75) c = [0.05, 0.04, 0.04]; // lashes along the upper lid
      }
      data.set(c, (y * W + x) * 3);
    }
  }
  const image: ImageF32 = { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
  return { image, lm };
}

describe("measureSclera", () => {
  it("reads the sclera's colour between the lids, leaving out iris, catch-light, lashes and lid skin", () => {
    const sclera = [0.85, 0.8, 0.74];
    const { image, lm } = eyePhoto({ sclera });
    const m = measureSclera(image, lm);
    expect(m.reliable).toBe(true);
    expect(m.pixels).toBeGreaterThan(100);
    for (let c = 0; c < 3; c++) expect(Math.abs(m.rgb![c] - srgbToLinear(sclera[c])) / srgbToLinear(sclera[c])).toBeLessThan(0.01);
    expect(m.clipped).toBe(0);
  });

  it("reads the pure sclera when mixed lid-margin pixels fill most of the opening, and leaves a pink rim lighter than it out", () => {
    const sclera = [0.85, 0.8, 0.74];
    const { image, lm } = eyePhoto({ sclera, mixedBelow: -0.2, pinkAbove: 0.8 });
    const m = measureSclera(image, lm);
    expect(m.reliable).toBe(true);
    expect(m.purity).toBeLessThan(0.5);
    for (let c = 0; c < 3; c++) expect(Math.abs(m.rgb![c] - srgbToLinear(sclera[c])) / srgbToLinear(sclera[c])).toBeLessThan(0.02);
  });

  it("leaves out a glint beside the iris and the caruncle at the inner corner, both lighter than the sclera", () => {
    const sclera = [0.85, 0.8, 0.74];
    const near = (m: ScleraMeasurement) => m.rgb!.every((v, c) => Math.abs(v - srgbToLinear(sclera[c])) / srgbToLinear(sclera[c]) < 0.02);
    // A small eye (14 px half width, iris radius 4.2 px) and a 3 × 3 glint on each sclera, 50 % lighter, not clipped:
    // the lightest cluster that holds a tenth of the candidates. The tear film mirrors a source that
    // makes the sclera 50 % lighter as a patch at most 0.5 iris radii across, less than one sample's footprint.
    const glinted = eyePhoto({ sclera, halfWidth: 14, glint: { u: 0.57, size: 3, rgb: [0.95, 0.95, 0.95] } });
    const g = measureSclera(glinted.image, glinted.lm);
    expect(g.reliable).toBe(true);
    expect(near(g)).toBe(true);
    // A 5 × 5 patch as light (25 px, past the bound) cannot be a glint: it is read as the sclera.
    const wide = eyePhoto({ sclera, halfWidth: 14, glint: { u: 0.57, size: 5, rgb: [0.95, 0.95, 0.95] } });
    expect(luminanceOf(measureSclera(wide.image, wide.lm).rgb!)).toBeGreaterThan(1.3 * luminanceOf(sclera.map(srgbToLinear)));
    // A pale pink caruncle, lighter than the sclera and whiter than the skin, over the fissure's
    // medial eighth; without the contour's shrink to keep it out (and a wider iris margin, so that
    // it holds a tenth of what is left), the canthi's geometry does.
    const pink = eyePhoto({ sclera, caruncle: { below: -0.76, rgb: [0.96, 0.87, 0.85] } });
    const loose = { contourShrink: 1, irisMargin: 1.8 };
    expect(near(measureSclera(pink.image, pink.lm, loose))).toBe(true);
    expect(near(measureSclera(pink.image, pink.lm, { ...loose, caruncleShare: 0 }))).toBe(false);
  });

  it("rejects an opening that shows lid skin only (a squint), however light", () => {
    const { image, lm } = eyePhoto({ sclera: [0.85, 0.8, 0.74], fill: [0.9, 0.7, 0.6] });
    const m = measureSclera(image, lm);
    expect(m.reliable).toBe(false);
    expect(m.purity).toBe(0);
    expect(m.reason).toMatch(/whiter/);
  });

  it("does not trust closed eyes or a clipped sclera", () => {
    const closed = eyePhoto({ sclera: [0.85, 0.8, 0.74], openness: 0.08 });
    const m = measureSclera(closed.image, closed.lm);
    expect(m.reliable).toBe(false);
    const blown = eyePhoto({ sclera: [1, 1, 1] });
    const b = measureSclera(blown.image, blown.lm);
    expect(b.reliable).toBe(false);
    expect(b.reason).toMatch(/clipped/);
  });

  it("says which eye each pure pixel is from, and under a side light reads the lit eye alone", () => {
    const { image, lm } = eyePhoto({ sclera: [0.85, 0.8, 0.74] });
    const m = measureSclera(image, lm);
    // The subject's right eye is drawn at image left (x 60), as on a frontal photo.
    expect(m.eyes.map((e) => e.side)).toEqual(["right", "left"]);
    expect(m.eyes[0].pixels + m.eyes[1].pixels).toBe(m.pixels);
    // The image's right half (the subject's left eye and its skin) in a third of the light.
    const data = image.data.map((v, i) => (Math.floor(i / 3) % image.width >= image.width / 2 ? linearToSrgb(srgbToLinear(v) / 3) : v));
    const side = measureSclera({ ...image, data }, lm);
    expect(side.eyes.map((e) => e.side)).toEqual(["right"]);
    expect(Math.abs(Math.log(luminanceOf(side.rgb!) / luminanceOf(m.rgb!)))).toBeLessThan(0.02);
  });
});

describe("meanDoubt", () => {
  it("grows without a step as pixels get fewer, and is unbounded at three effective samples or fewer", () => {
    const spread = 0.1;
    const needed = MIN_EFFECTIVE_SAMPLES * PIXELS_PER_SAMPLE;
    // Many samples: the spread over √n (the t variance's widening is under 1 %).
    expect(meanDoubt(spread, 100_000) / (spread / Math.sqrt(100_000 / PIXELS_PER_SAMPLE))).toBeCloseTo(1, 3);
    // Fewer pixels, more doubt, at every step down to the limit.
    let last = 0;
    for (let pixels = 2000; pixels > needed; pixels = Math.floor(pixels * 0.8)) {
      const d = meanDoubt(spread, pixels);
      expect(d).toBeGreaterThan(last);
      last = d;
    }
    // Just above the limit the doubt is large but finite; at it and below, infinite.
    expect(Number.isFinite(meanDoubt(spread, needed + 1))).toBe(true);
    expect(meanDoubt(spread, needed + 1)).toBeGreaterThan(4 * (spread / Math.sqrt((needed + 1) / PIXELS_PER_SAMPLE)));
    expect(meanDoubt(spread, needed)).toBe(Infinity);
    expect(meanDoubt(spread, 8)).toBe(Infinity);
  });

  it("leaves a sclera of too few samples out, saying why, and doubts a reading of fewer pixels more", () => {
    const { image, lm } = eyePhoto({ sclera: [0.85, 0.8, 0.74] });
    const m = measureSclera(image, lm);
    // The same opening counted as far fewer independent samples: its mean's doubt is unbounded.
    const few = measureSclera(image, lm, { pixelsPerSample: m.pixels / 2 });
    expect(few.reliable).toBe(false);
    expect(few.reason).toMatch(/samples/);
    expect(few.sigmaLnY).toBe(Infinity);
    // Between the two, the reading is used; its doubt is wider the fewer its pixels (the two eyes agreeing, spread 0.1).
    expect(measureSclera(image, lm, { pixelsPerSample: m.pixels / 8 }).reliable).toBe(true);
    expect(readingSigma([0, 0], 0.1, 40)).toBeGreaterThan(1.5 * readingSigma([0, 0], 0.1, 400));
  });
});

describe("the sclera's weight as its samples get fewer", () => {
  it("falls without a step to nothing at three samples: the scale moves smoothly to the prior's", () => {
    const median = [0.4, 0.25, 0.18];
    const prior: SkinPrior = (wb) => ({ luminance: 0.2, distance: 0, gain: wb });
    const Y = (fs: number[]) => luminanceOf(median.map((v, c) => v * fs[c]));
    // A neutral sclera reading that implies skin Y 0.28 over a unit light at both eyes, the two eyes agreeing.
    const rel = 0.28 / Y([1, 1, 1]);
    const rgb = SCLERA_REFLECTANCE.rgb.map((r) => (r / rel) * SCLERA_RECESS.orbit) as [number, number, number];
    const scale = (samples: number) => {
      const pixels = samples * PIXELS_PER_SAMPLE;
      const eyes = [{ side: "right" as const, rgb, pixels: pixels / 2 }, { side: "left" as const, rgb, pixels: pixels / 2 }];
      const sigmaLnY = readingSigma([0, 0], 0.1, pixels);
      const m: ScleraMeasurement = { rgb, pixels, purity: 0.5, skinRgb: null, openness: 0.3, clipped: 0, spread: 0.1, sigmaLnY, eyes, reliable: Number.isFinite(sigmaLnY), reason: "ok" };
      const cue = scleraCue(m, { rgb: [1, 1, 1], inOrbit: true });
      return Y(combineCues(prior, [1, 1, 1], [{ name: "sclera", cue, reason: "ok", pixels, clipped: 0, purity: 0.5 }], median).fs);
    };
    // Well sampled, the reading moves the scale toward itself.
    expect(scale(30)).toBeGreaterThan(0.22);
    // Toward three samples, in ever finer steps, the scale never jumps and ends at the prior's.
    const counts = [30, 10, 5, 4, 3.5, 3.2, 3.1, 3.05, 3.02, 3.01, 3.005, 3.002, 3.001, 3];
    const ys = counts.map(scale);
    for (let k = 1; k < ys.length; k++) expect(Math.abs(ys[k] - ys[k - 1])).toBeLessThan(0.015);
    expect(ys[ys.length - 2]).toBeCloseTo(0.2, 2);
    expect(ys[ys.length - 1]).toBeCloseTo(0.2, 6);
  });
});

describe("scleraCue", () => {
  const reading = (yRight: number, yLeft: number): ScleraMeasurement => ({
    rgb: [0.5, 0.48, 0.45], pixels: 200, purity: 0.6, skinRgb: null, openness: 0.3, clipped: 0, spread: 0.05, sigmaLnY: 0.03, reliable: true, reason: "ok",
    eyes: [{ side: "right", rgb: [0.5 * yRight, 0.48 * yRight, 0.45 * yRight], pixels: 100 }, { side: "left", rgb: [0.5 * yLeft, 0.48 * yLeft, 0.45 * yLeft], pixels: 100 }],
  });
  const light = (right: number, left: number) => ({ rgb: [0.3, 0.3, 0.3], inOrbit: true, sides: { right: [right, right, right], left: [left, left, left] } });

  it("is surer when each eye's reading over its own modelled light agrees, less when the model lights the two eyes unlike what they show", () => {
    // The model lights the left eye half as much and the photo agrees: replicates, no added doubt.
    const agree = scleraCue(reading(1, 0.5), light(0.4, 0.2))!;
    // The two scleras read alike, the model says one eye gets half the other's light: the model's eye light is in doubt.
    const disagree = scleraCue(reading(1, 1), light(0.4, 0.2))!;
    expect(disagree.sigmaLnY).toBeGreaterThan(agree.sigmaLnY + 0.05);
    // half of ln 2 between the two per-light readings, combined with the reflectance's and the recess's doubt
    const expected = Math.hypot(SCLERA_REFLECTANCE.sigmaLnY, SCLERA_RECESS.sigmaLn, Math.hypot(meanDoubt(0.05, 200), Math.log(2) / 2));
    expect(disagree.sigmaLnY).toBeCloseTo(expected, 3);
    // The estimate itself is the pooled reading over the pooled light either way.
    expect(disagree.fs[0]).toBeCloseTo(agree.fs[0], 6);
    // Without each eye's light the capture's own σ stands.
    const pooled = scleraCue(reading(1, 1), { rgb: [0.3, 0.3, 0.3], inOrbit: true })!;
    expect(pooled.sigmaLnY).toBeCloseTo(Math.hypot(SCLERA_REFLECTANCE.sigmaLnY, SCLERA_RECESS.sigmaLn, 0.03), 6);
  });
});

describe("combineCues", () => {
  it("weighs the sclera and the prior by their uncertainties and says which decided", () => {
    const median = [0.4, 0.25, 0.18];
    // A prior that reads Y 0.2 whatever the white balance, on the locus.
    const prior: SkinPrior = (wb) => ({ luminance: 0.2, distance: 0, gain: wb });
    const Y = (fs: number[]) => 0.2126 * median[0] * fs[0] + 0.7152 * median[1] * fs[1] + 0.0722 * median[2] * fs[2];
    const sure = { fs: [0.5, 0.5, 0.5] as [number, number, number], sigmaLnY: 0.05, sigmaChroma: 0.02 };
    const both = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: sure, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }], median);
    expect(both.cues.decided).toBe("sclera");
    expect(both.cues.referenceWeight.luminance).toBeGreaterThan(0.9);
    const none = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: null, reason: "not measured", pixels: 0, clipped: 0, purity: null }], median);
    expect(none.cues.decided).toBe("skin-locus prior");
    expect(Y(none.fs)).toBeCloseTo(0.2, 6);
    expect(none.fs[1] / none.fs[0]).toBeCloseTo(1, 6);
    expect(Math.abs(Y(both.fs) - Y(sure.fs)) / Y(sure.fs)).toBeLessThan(0.05);
    // A reading that makes skin lighter than any skin is not the sclera: rejected, the prior decides.
    const absurd = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: { ...sure, fs: [5, 5, 5] }, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }], median);
    expect(absurd.cues.sclera.used).toBe(false);
    expect(absurd.cues.decided).toBe("skin-locus prior");
    // Two references merge by inverse variance: the surer one pulls the scale toward itself.
    const teeth = { fs: [0.8, 0.8, 0.8] as [number, number, number], sigmaLnY: 0.15, sigmaChroma: 0.05 };
    const two = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: sure, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }, { name: "teeth", cue: teeth, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }], median);
    expect(two.cues.decided).toBe("sclera + teeth");
    expect(two.cues.teeth.used).toBe(true);
    expect(Y(two.fs)).toBeGreaterThan(Y(both.fs));
    expect(Y(two.fs)).toBeLessThan(Y(sure.fs) * 1.2);
  });

  it("weighs a reading near the lightest skin by how likely it is, without a jump at any limit", () => {
    const median = [0.4, 0.25, 0.18];
    const prior: SkinPrior = (wb) => ({ luminance: 0.3, distance: 0, gain: wb });
    const Y = (fs: number[]) => 0.2126 * median[0] * fs[0] + 0.7152 * median[1] * fs[1] + 0.0722 * median[2] * fs[2];
    // A neutral reading that implies skin Y `skinY`, with the sclera's usual doubt.
    const at = (skinY: number) => {
      const k = skinY / Y([1, 1, 1]);
      const cue = { fs: [k, k, k] as [number, number, number], sigmaLnY: 0.35, sigmaChroma: 0.1 };
      return combineCues(prior, [1, 1, 1], [{ name: "sclera", cue, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }], median);
    };
    // Either side of where a cut once stood (0.45): a 0.4 % change in the reading, not a jump.
    const [below, above] = [at(0.449), at(0.451)];
    expect(above.cues.sclera.used).toBe(true);
    expect(Math.abs(Y(above.fs) / Y(below.fs) - 1)).toBeLessThan(0.004);
    // The likelier the reading is skin, the more it weighs: a reading of ordinary skin weighs more
    // than one at the population's lightest, and one far past it hardly at all.
    const weight = (skinY: number) => at(skinY).cues.referenceWeight.luminance;
    expect(weight(0.35)).toBeGreaterThan(weight(0.45));
    expect(weight(0.45)).toBeGreaterThan(weight(0.6));
    expect(weight(1)).toBeLessThan(0.05);
    expect(skinRangeProbability(SKIN_Y_RANGE[1], 0.35)).toBeCloseTo(0.5, 2);
    expect(skinRangeProbability(0.2, 0.35)).toBeGreaterThan(0.99);
    expect(skinRangeProbability(0, 0.35)).toBe(0);
  });
});

/** ISSA facial anchors [S20], linear sRGB: ITA 62°, 12°, −45° (light, intermediate, dark), and a very dark ITA −50° (L* 28, a* 12, b* 18.5). */
const TONES: [string, number[]][] = [
  ["ITA 62°", [0.498, 0.322, 0.271]],
  ["ITA 12°", [0.322, 0.163, 0.093]],
  ["ITA −45°", [0.128, 0.054, 0.028]],
  ["ITA −50°", [0.105, 0.043, 0.0196]],
];

/** A camera alteration: exposure factor, white-balance gains (red = 1), and the tone curve applied to the sRGB-encoded value. */
interface Alteration {
  name: string;
  exposure: number;
  wb: number[];
  curve: (x: number) => number;
  /** The tone-curve cases ask delight to estimate the response (its default is plain sRGB). */
  response?: "estimate";
}
const identity = (x: number) => x;
const ALTERATIONS: Alteration[] = [
  { name: "exposure ×0.5", exposure: 0.5, wb: [1, 1, 1], curve: identity },
  { name: "exposure ×2", exposure: 2, wb: [1, 1, 1], curve: identity },
  { name: "cool white balance", exposure: 1, wb: [1, 1.08, 1.25], curve: identity },
  { name: "warm white balance", exposure: 1, wb: [1, 0.9, 0.7], curve: identity },
  // A phone-like S-curve (the response family's own, k 1.3) and a flatter gamma off sRGB's (not in the family).
  { name: "S-shaped tone curve", exposure: 1, wb: [1, 1, 1], curve: (x) => photoValueOfRadiance(srgbToLinear(x), 1.3), response: "estimate" },
  { name: "gamma 1.15 over sRGB, exposure ×0.7", exposure: 0.7, wb: [1, 1, 1], curve: (x) => x ** (1 / 1.15), response: "estimate" },
  // A phone's global curve, outside the family: the face lifted (×2) and the highlights rolled off toward white (extended Reinhard, white point 2).
  { name: "phone curve: lift with a highlight shoulder", exposure: 1, wb: [1, 1, 1], curve: (x) => linearToSrgb(highlightShoulder(srgbToLinear(x))), response: "estimate" },
];

/** Linear radiance E (0..1) through a lift ×2 and an extended-Reinhard shoulder that takes 1 to 1: slope 2 at black, 2/3 at white; the sclera's level is compressed against the skin's. */
function highlightShoulder(E: number): number {
  const L = 2 * E;
  return (L * (1 + L / 4)) / (1 + L);
}

describe("camera response", () => {
  it("the forward curve and the re-linearisation invert each other, and k = 1 is plain sRGB", () => {
    for (const k of [0.7, 1, 1.4]) {
      for (const E of [0.01, 0.1, 0.4, 0.9]) expect(radianceOfPhotoValue(photoValueOfRadiance(E, k), k)).toBeCloseTo(E, 5);
    }
    expect(radianceOfPhotoValue(0.5, 1)).toBeCloseTo(srgbToLinear(0.5), 9);
    // An S-curve darkens the dark and lightens the light: its inverse does the opposite.
    expect(radianceOfPhotoValue(0.2, 1.3)).toBeGreaterThan(srgbToLinear(0.2));
    expect(radianceOfPhotoValue(0.8, 1.3)).toBeLessThan(srgbToLinear(0.8));
    const table = relinearise(Float32Array.from([0.01, 0.2, 0.7]), 1.3, true);
    for (const [i, v] of [0.01, 0.2, 0.7].entries()) expect(table[i]).toBeCloseTo(radianceOfPhotoValue(linearToSrgb(v), 1.3), 3);
  });

  it("shading consistency reads an S-curve's contrast off light skin under a directional light, and plain sRGB off a linear photo", () => {
    const estimate = (k: number) => {
      const scene = syntheticScene({ exposure: 0.7, skin: [0.498, 0.322, 0.271] });
      const texture = { ...scene.texture, data: scene.texture.data.map((v) => srgbToLinear(photoValueOfRadiance(v, k))) };
      const done = complete({ texture, confidence: scene.confidence, regions: scene.regions }, { rimTone: false }); // as reconstruct completes the photo texture
      const input = { textureBase: done.texture, confidence: scene.confidence, normalsObject: scene.normals, ambientOcclusion: scene.occlusion, regions: scene.regions };
      return estimateResponse(input, skinFitWeight(input, DELIGHT_DEFAULTS), lightingFitOptions(DELIGHT_DEFAULTS));
    };
    const s = estimate(1.3);
    expect(Math.abs(Math.log(s.contrast / 1.3))).toBeLessThan(0.1);
    expect(s.decided).toBe("shading consistency");
    expect(Math.abs(Math.log(estimate(1).contrast))).toBeLessThan(0.1);
  });
});

/**
 * Cases that miss the 3 ΔE00 target today, run with `it.fails` so that the suite says when one is
 * fixed (TONE_PRINT=1 prints each case's ΔE00, estimated k and what decided it). None now: the
 * flat curve (gamma 1.15 over sRGB, outside the response family) that shading consistency read as
 * k 1.0–1.2 on mid and dark skin (3.8, 10.6, 11.4) is read k ≈ 0.88 by the edge mixtures of the
 * rest of the photo (delight/response-edges.ts), ΔE00 ≤ 0.9 on every tone.
 */
const KNOWN_FAILURES = new Set<string>([]);

/** The edge crossings of the scene's photo through an alteration's camera (the same for every tone: measured once). */
const edgeCache = new Map<string, EdgeMixtures>();
function edgesThrough(name: string, camera: (radiance: number, channel: number) => number): EdgeMixtures {
  if (!edgeCache.has(name)) edgeCache.set(name, measureEdgePatches(edgePhoto(camera)));
  return edgeCache.get(name)!;
}

const SCALE_REGIONS = [FACE_REGIONS.indexOf("forehead"), FACE_REGIONS.indexOf("cheeks")];

/**
 * The synthetic scene's skin (`skin`, linear) photographed through an alteration's camera and
 * de-lit with `options`: the recovered facial albedo's ΔE00 from the truth, and delight's result.
 * `sheen`: the skin's surface reflection in the photo (the scene's default when absent).
 */
async function recoverSkin(skin: number[], alteration: Alteration, options: DelightOptions = {}, sheen?: number) {
  const { name, exposure, wb, curve, response } = alteration;
  const scene = syntheticScene({ exposure: 0.7 * exposure, skin, ...(sheen === undefined ? {} : { sheen }) });
  const n = scene.width * scene.height;
  // The camera: white balance, clipping, then its tone curve on the encoded value (the photo decoded as plain sRGB).
  const camera = (v: number, c: number) => srgbToLinear(curve(linearToSrgb(Math.min(1, v * wb[c]))));
  const texture = { ...scene.texture, data: scene.texture.data.map((v, i) => camera(v, i % 3)) };
  // The truth's skin median on seen forehead and cheeks, and the light there (unit shading).
  const w = Float32Array.from({ length: n }, (_, p) => (scene.confidence.data[p] >= 0.3 ? SCALE_REGIONS.reduce((s, r) => s + scene.regions.weights.data[p * FACE_REGIONS.length + r], 0) : 0));
  const E = evaluateShImage(radianceToIrradiance(scene.radiance), scene.normals.data, n);
  const ch = (src: ArrayLike<number>, c: number, f = 1) => Float32Array.from({ length: n }, (_, p) => src[p * 3 + c] * f);
  const truth = [0, 1, 2].map((c) => weightedMedian(ch(scene.albedo.data, c), w));
  const shade = [0, 1, 2].map((c) => weightedMedian(Float32Array.from({ length: n }, (_, p) => (scene.occlusion.data[p] * E[p * 3 + c]) / Math.PI), w));
  // The photo's sclera: its reflectance under the face's light, behind the lids, through the
  // same camera (the reference's own model, so this checks the response, the fit, the medians
  // and the weighing, not the reference).
  const scleraRgb = SCLERA_REFLECTANCE.rgb.map((r, c) => camera(r * SCLERA_RECESS.face * shade[c], c)) as [number, number, number];
  const sclera: ScleraMeasurement = { rgb: scleraRgb, pixels: 200, purity: 0.8, skinRgb: null, openness: 0.3, clipped: 0, spread: 0.05, sigmaLnY: 0.02, eyes: [], reliable: true, reason: "ok" };
  const done = complete({ texture, confidence: scene.confidence, regions: scene.regions }, { rimTone: false }); // as reconstruct completes the photo texture
  // The rest of the photo through the same camera: a wall of colour edges (the edge-mixture cue).
  const edgeMixtures = response ? edgesThrough(name, (E, c) => curve(linearToSrgb(Math.min(1, 0.7 * exposure * E * wb[c])))) : undefined;
  const result = await delight({
    texture: { ...done.texture, data: done.texture.data.map(linearToSrgb), colorSpace: "srgb" },
    textureBase: done.texture,
    confidence: scene.confidence,
    normalsObject: scene.normals,
    ambientOcclusion: scene.occlusion,
    regions: scene.regions,
    sclera,
    edgeMixtures,
  }, { ...(response ? { cameraResponse: response } : {}), ...options });
  const dE = ciede2000(linearSrgbToLab(...(result.lighting.skinAlbedo as [number, number, number])), linearSrgbToLab(...(truth as [number, number, number])));
  return { dE, result, truth };
}

describe("synthetic: known albedo under known light, altered as cameras alter a photo", () => {
  for (const [tone, skin] of TONES) {
    for (const alteration of ALTERATIONS) {
      const { name, response } = alteration;
      const test = KNOWN_FAILURES.has(`${tone}|${name}`) ? it.fails : it;
      test(`${tone}, ${name}: the facial albedo within 3 ΔE00 of the truth (the sclera in view)`, async () => {
        const { dE, result: r, truth } = await recoverSkin(skin, alteration);
        expect(r.lighting.albedoScale.cues?.sclera.used).toBe(true);
        // The tone-curve cases: the photo's edges, not the skin's shading, read the curve.
        if (response) expect(r.lighting.response?.decided).toContain("edge mixtures");
        if (process.env.TONE_PRINT) {
          const c = r.lighting.albedoScale.cues;
          const rgb = (v: ArrayLike<number>) => Array.from(v, (x) => x.toFixed(4)).join(",");
          console.log(`${tone}|${name}: ΔE00 ${dE.toFixed(2)}, skinY ${JSON.stringify(c?.skinY)} σ ${c?.sigmaLnY.toFixed(2)} prior σ ${c?.priorSigmaLnY.toFixed(2)}, albedo ${rgb(r.lighting.skinAlbedo)} truth ${rgb(truth)}; scale ${c?.decided}, colour ${c?.decidedColour} (weights ${c?.referenceWeight.luminance.toFixed(2)} / ${c?.referenceWeight.colour.toFixed(2)}); k ${r.lighting.response?.contrast.toFixed(3)} (${r.lighting.response?.decided})`);
        }
        expect(dE).toBeLessThan(3);
      });
    }
  }
});

describe("skin's surface reflection", () => {
  it("a photo of ITA −45° skin with F0's sheen: taken out, the albedo is near the truth; read as albedo, far lighter", async () => {
    const dark = TONES[2][1];
    const plain = ALTERATIONS[0];
    const taken = await recoverSkin(dark, plain, { skinSurfaceReflectance: SKIN_SURFACE_REFLECTANCE }, SKIN_SURFACE_REFLECTANCE);
    const left = await recoverSkin(dark, plain, { skinSurfaceReflectance: 0 }, SKIN_SURFACE_REFLECTANCE);
    if (process.env.TONE_PRINT) {
      const c = taken.result.lighting.albedoScale.cues;
      console.log(`sheen taken out: ΔE00 ${taken.dE.toFixed(2)} (skinY ${JSON.stringify(c?.skinY)}, prior σ ${c?.priorSigmaLnY.toFixed(2)}, weights ${c?.referenceWeight.luminance.toFixed(2)} / ${c?.referenceWeight.colour.toFixed(2)}, sclera ${c?.sclera.reason}); read as albedo: ΔE00 ${left.dE.toFixed(2)}`);
    }
    expect(taken.dE).toBeLessThan(3);
    expect(left.dE).toBeGreaterThan(taken.dE + 3);
    expect(luminanceOf(left.result.lighting.skinAlbedo)).toBeGreaterThan(1.2 * luminanceOf(taken.result.lighting.skinAlbedo));
    expect(taken.result.lighting.albedoScale.cues?.surfaceReflectance).toBe(SKIN_SURFACE_REFLECTANCE);
  });

  it("the soft locus match says how unsure it is where the locus with its sheen folds, and is sure on the light end", () => {
    const withSheen = (anchor: number[]) => anchor.map((v) => (v + SKIN_SURFACE_REFLECTANCE) * 3);
    const dark = softMatchSkinLocus(withSheen([0.128, 0.054, 0.028]), SKIN_SURFACE_REFLECTANCE, 0.05);
    const light = softMatchSkinLocus(withSheen([0.498, 0.322, 0.271]), SKIN_SURFACE_REFLECTANCE, 0.05);
    expect(dark.spreadLnY).toBeGreaterThan(0.25);
    expect(light.spreadLnY).toBeLessThan(0.1);
    expect(light.luminance).toBeCloseTo(0.355 + SKIN_SURFACE_REFLECTANCE, 2);
    // Read on the diffuse locus, ITA −45° skin with its sheen passes for skin three times lighter.
    expect(matchSkinLocus([0.156, 0.082, 0.056]).luminance).toBeGreaterThan(3 * 0.068);
  });
});

describe("colour misfits to the skin locus", () => {
  // The relative skin median is the ITA 12° anchor itself: fs = 1 is the truth.
  const median = [0.322, 0.163, 0.093];
  const prior: SkinPrior = (wb) => {
    const m = matchSkinLocus(median.map((v, c) => v * wb[c]));
    return { luminance: m.luminance, distance: m.distance, extrapolated: m.extrapolated, gain: m.gain.map((g, c) => g * wb[c]) };
  };

  it("a reference whose light puts the skin off every skin colour has its doubts scaled by the Birge ratio; one that does not keeps them", () => {
    const on = lightConsistency(prior, { fs: [1, 1, 1], sigmaLnY: 0.3, sigmaChroma: 0.1 });
    expect(on.ratio).toBe(1);
    expect(on.cue.sigmaLnY).toBe(0.3);
    // A reading of a light bluer by 0.5 in ln b/r than the truth: under it the skin is yellower than any skin.
    const off = lightConsistency(prior, { fs: [1, 1, Math.exp(-0.5)], sigmaLnY: 0.3, sigmaChroma: 0.1 });
    expect(off.distance).toBeGreaterThan(0.2);
    expect(off.ratio).toBeCloseTo(off.distance / Math.hypot(0.1, SKIN_LOCUS_TOLERANCE), 9);
    expect(off.cue.sigmaLnY).toBeCloseTo(0.3 * off.ratio, 9);
    expect(off.cue.sigmaChroma).toBeCloseTo(0.1 * off.ratio, 9);
    // Combined with the prior, the inconsistent reading weighs less than the consistent one.
    const ref = (cue: { fs: [number, number, number]; sigmaLnY: number; sigmaChroma: number }) => [{ name: "sclera" as const, cue, reason: "ok", pixels: 100, clipped: 0, purity: 0.5 }];
    const wOn = combineCues(prior, [1, 1, 1], ref({ fs: [1, 1, 1], sigmaLnY: 0.3, sigmaChroma: 0.1 }), median).cues.referenceWeight.luminance;
    const wOff = combineCues(prior, [1, 1, 1], ref({ fs: [1, 1, Math.exp(-0.5)], sigmaLnY: 0.3, sigmaChroma: 0.1 }), median).cues.referenceWeight.luminance;
    expect(wOff).toBeLessThan(wOn);
  });

  it("reads a ruddier face (more blood: a* up, L* down as Takiwaki 2002 measured, b* kept) as less dark skin than the plain nearest point does", () => {
    for (const anchor of [[0.429, 0.246, 0.17], [0.322, 0.163, 0.093]] as const) {
      // On the locus both matches agree.
      expect(matchSkinLocus(anchor, SKIN_LOCUS_TOLERANCE, SKIN_REDNESS_SIGMA_A).luminance).toBeCloseTo(matchSkinLocus(anchor).luminance, 6);
      const [L, a, b] = linearSrgbToLab(anchor[0], anchor[1], anchor[2]);
      const ruddy = labToLinearSrgb(L + 4 * HAEMOGLOBIN_LIGHTNESS_PER_A, a + 4, b);
      const Y = luminance(ruddy[0], ruddy[1], ruddy[2]);
      const m = matchSkinLocus(ruddy, SKIN_LOCUS_TOLERANCE, SKIN_REDNESS_SIGMA_A);
      const plain = matchSkinLocus(ruddy);
      expect(m.redness).toBeGreaterThan(1);
      // Both read it darker than it is, the redness-aware match by less than 0.6 of the plain one's error.
      expect(Math.abs(Math.log(m.luminance / Y))).toBeLessThan(0.6 * Math.abs(Math.log(plain.luminance / Y)));
      // The gain still takes the offset out (but for the tolerance), as the plain match's does.
      expect(m.distance).toBeGreaterThan(SKIN_LOCUS_TOLERANCE);
    }
  });

  it("past the locus's darkest anchor the luminance stays at its median and the run-on is its doubt", () => {
    const d45 = [0.128, 0.054, 0.028];
    const d15 = [0.213, 0.098, 0.048];
    // Along the −15° → −45° segment in (ln g/r, ln b/r), half its length past −45°.
    const chroma = (v: number[]) => [Math.log(v[1] / v[0]), Math.log(v[2] / v[0])];
    const [a, b] = [chroma(d15), chroma(d45)];
    const m = matchSkinLocus([1, Math.exp(b[0] + 0.5 * (b[0] - a[0])), Math.exp(b[1] + 0.5 * (b[1] - a[1]))]);
    expect(m.luminance).toBeCloseTo(0.068, 3);
    expect(m.extrapolated).toBeCloseTo(0.5 * Math.log(0.119 / 0.068), 1);
    expect(matchSkinLocus(d45).extrapolated).toBe(0);
  });
});
