/**
 * Skin tone you can trust (issue 14): the sclera as an in-photo white reference, and the synthetic
 * test — a known albedo under a known light, altered as cameras alter a photo (exposure, white
 * balance), must come back within 3 ΔE00 of the truth.
 */
import { describe, expect, it } from "vitest";
import { complete, weightedMedian } from "../src/pipeline/complete.ts";
import { delight } from "../src/pipeline/delight.ts";
import { measureSclera, type ScleraMeasurement } from "../src/pipeline/capture/sclera.ts";
import { combineCues, SCLERA_RECESS, SCLERA_REFLECTANCE, type SkinPrior } from "../src/pipeline/delight/references.ts";
import { ciede2000, linearSrgbToLab, linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import { LEFT_EYE_CONTOUR, LEFT_IRIS_START, RIGHT_EYE_CONTOUR, RIGHT_IRIS_START } from "../src/primitives/face-topology.ts";
import { evaluateShImage, radianceToIrradiance } from "../src/render/sh.ts";
import { FACE_REGIONS, type ImageF32 } from "../src/types.ts";
import { syntheticScene } from "./support/synthetic-skin.ts";

/** Two eyes drawn into a skin-coloured sRGB image, with the face mesh's landmarks where they are. */
function eyePhoto(opts: { sclera: number[]; openness?: number; lashes?: boolean }) {
  const W = 200;
  const H = 100;
  const skin = [0.75, 0.55, 0.45];
  const iris = [0.25, 0.15, 0.08];
  const lm = new Float32Array(478 * 3);
  const eyes = [
    { contour: RIGHT_EYE_CONTOUR, iris: RIGHT_IRIS_START, cx: 60 },
    { contour: LEFT_EYE_CONTOUR, iris: LEFT_IRIS_START, cx: 140 },
  ];
  const a = 30; // half width
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
        c = opts.sclera;
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

  it("does not trust closed eyes or a clipped sclera", () => {
    const closed = eyePhoto({ sclera: [0.85, 0.8, 0.74], openness: 0.08 });
    const m = measureSclera(closed.image, closed.lm);
    expect(m.reliable).toBe(false);
    const blown = eyePhoto({ sclera: [1, 1, 1] });
    const b = measureSclera(blown.image, blown.lm);
    expect(b.reliable).toBe(false);
    expect(b.reason).toMatch(/clipped/);
  });
});

describe("combineCues", () => {
  it("weighs the sclera and the prior by their uncertainties and says which decided", () => {
    const median = [0.4, 0.25, 0.18];
    // A prior that reads Y 0.2 whatever the white balance, on the locus.
    const prior: SkinPrior = (wb) => ({ luminance: 0.2, distance: 0, gain: wb });
    const Y = (fs: number[]) => 0.2126 * median[0] * fs[0] + 0.7152 * median[1] * fs[1] + 0.0722 * median[2] * fs[2];
    const sure = { fs: [0.5, 0.5, 0.5] as [number, number, number], sigmaLnY: 0.05, sigmaChroma: 0.02 };
    const both = combineCues(prior, [1, 1, 1], { cue: sure, reason: "ok", pixels: 100, clipped: 0 }, median);
    expect(both.cues.decided).toBe("sclera");
    expect(both.cues.scleraWeight.luminance).toBeGreaterThan(0.9);
    const none = combineCues(prior, [1, 1, 1], { cue: null, reason: "not measured", pixels: 0, clipped: 0 }, median);
    expect(none.cues.decided).toBe("skin-locus prior");
    expect(Y(none.fs)).toBeCloseTo(0.2, 6);
    expect(none.fs[1] / none.fs[0]).toBeCloseTo(1, 6);
    expect(Math.abs(Y(both.fs) - Y(sure.fs)) / Y(sure.fs)).toBeLessThan(0.05);
    // A reading that makes skin lighter than any skin is not the sclera: rejected, the prior decides.
    const absurd = combineCues(prior, [1, 1, 1], { cue: { ...sure, fs: [5, 5, 5] }, reason: "ok", pixels: 100, clipped: 0 }, median);
    expect(absurd.cues.sclera.used).toBe(false);
    expect(absurd.cues.decided).toBe("skin-locus prior");
  });
});

/** ISSA facial anchors [S20], linear sRGB: ITA 62°, 12°, −45° (light, intermediate, dark). */
const TONES: [string, number[]][] = [
  ["ITA 62°", [0.498, 0.322, 0.271]],
  ["ITA 12°", [0.322, 0.163, 0.093]],
  ["ITA −45°", [0.128, 0.054, 0.028]],
];
/** Camera alterations: exposure factor and white-balance gains (red = 1). */
const ALTERATIONS: [string, number, number[]][] = [
  ["exposure ×0.5", 0.5, [1, 1, 1]],
  ["exposure ×2", 2, [1, 1, 1]],
  ["cool white balance", 1, [1, 1.08, 1.25]],
  ["warm white balance", 1, [1, 0.9, 0.7]],
];

describe("synthetic: known albedo under known light, altered as cameras alter a photo", () => {
  const scaleRegions = [FACE_REGIONS.indexOf("forehead"), FACE_REGIONS.indexOf("cheeks")];
  for (const [tone, skin] of TONES) {
    for (const [name, exposure, wb] of ALTERATIONS) {
      it(`${tone}, ${name}: the facial albedo within 3 ΔE00 of the truth (the sclera in view)`, async () => {
        const scene = syntheticScene({ exposure: 0.7 * exposure, skin });
        const n = scene.width * scene.height;
        const texture = { ...scene.texture, data: scene.texture.data.map((v, i) => Math.min(1, v * wb[i % 3])) };
        // The truth's skin median on seen forehead and cheeks, and the light there (unit shading).
        const w = Float32Array.from({ length: n }, (_, p) => (scene.confidence.data[p] >= 0.3 ? scaleRegions.reduce((s, r) => s + scene.regions.weights.data[p * FACE_REGIONS.length + r], 0) : 0));
        const E = evaluateShImage(radianceToIrradiance(scene.radiance), scene.normals.data, n);
        const ch = (src: ArrayLike<number>, c: number, f = 1) => Float32Array.from({ length: n }, (_, p) => src[p * 3 + c] * f);
        const truth = [0, 1, 2].map((c) => weightedMedian(ch(scene.albedo.data, c), w));
        const shade = [0, 1, 2].map((c) => weightedMedian(Float32Array.from({ length: n }, (_, p) => (scene.occlusion.data[p] * E[p * 3 + c]) / Math.PI), w));
        // The photo's sclera: its reflectance under the face's light, behind the lids (the
        // reference's own model, so this checks the fit, the medians and the weighing, not the reference).
        const scleraRgb = SCLERA_REFLECTANCE.rgb.map((r, c) => r * SCLERA_RECESS.face * shade[c] * wb[c]) as [number, number, number];
        const sclera: ScleraMeasurement = { rgb: scleraRgb, pixels: 200, openness: 0.3, clipped: 0, spread: 0.05, reliable: true, reason: "ok" };
        const done = complete({ texture, confidence: scene.confidence, regions: scene.regions });
        const r = await delight({
          texture: { ...done.texture, data: done.texture.data.map(linearToSrgb), colorSpace: "srgb" },
          textureBase: done.texture,
          confidence: scene.confidence,
          normalsObject: scene.normals,
          ambientOcclusion: scene.occlusion,
          regions: scene.regions,
          sclera,
        });
        const dE = ciede2000(linearSrgbToLab(...(r.lighting.skinAlbedo as [number, number, number])), linearSrgbToLab(...(truth as [number, number, number])));
        expect(r.lighting.albedoScale.cues?.sclera.used).toBe(true);
        expect(dE).toBeLessThan(3);
      });
    }
  }
});
