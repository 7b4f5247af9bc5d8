import { describe, expect, it } from "vitest";
import { EYES_DEFAULTS, eyes, eyeTexture, paintedIris, type EyesInput } from "../src/pipeline/eyes.ts";
import { LEFT_EYE_CONTOUR as EYE_CONTOUR_LEFT, LEFT_IRIS_START, RIGHT_EYE_CONTOUR as EYE_CONTOUR_RIGHT, RIGHT_IRIS_START } from "../src/primitives/face-topology.ts";
import { srgbToLinear } from "../src/primitives/color.ts";
import type { ImageF32 } from "../src/types.ts";
import { combineCues, referenceLightOf, type SkinPrior } from "../src/pipeline/delight/references.ts";

const W = 200, H = 100;
const SKIN = [0.8, 0.6, 0.5];
const IRIS = [0.2, 0.4, 0.6];
const CENTRES: [number, number][] = [[60, 50], [140, 50]];

/** A photo of skin with two iris discs (radius 10 px) in open eyes, and the landmarks that outline them. */
function scene(open: boolean, linerOverUpperIris = false): EyesInput["capture"] {
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inIris = CENTRES.some(([cx, cy]) => Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= 10);
      // Lashes, liner and the lid's shadow over the iris down to 0.4 of its radius below its centre (a
      // narrowed, made-up eye: most of the ring), darker toward the lid.
      const shade = linerOverUpperIris && y + 0.5 < 54 ? 0.1 + 0.5 * ((y + 0.5 - 40) / 14) : 1;
      data.set(inIris ? IRIS.map((v) => v * Math.max(0.05, shade)) : SKIN, (y * W + x) * 3);
    }
  }
  const landmarks = new Float32Array(478 * 3);
  const eyesAt = [[EYE_CONTOUR_RIGHT, RIGHT_IRIS_START], [EYE_CONTOUR_LEFT, LEFT_IRIS_START]] as const;
  eyesAt.forEach(([contour, iris], e) => {
    const [cx, cy] = CENTRES[e];
    // The lid margin: an ellipse round the iris, or a slit when the eye is closed.
    contour.forEach((i, k) => {
      const a = (2 * Math.PI * k) / contour.length;
      landmarks[i * 3] = cx + 16 * Math.cos(a);
      landmarks[i * 3 + 1] = cy + (open ? 14 : 0.2) * Math.sin(a);
    });
    landmarks[iris * 3] = cx;
    landmarks[iris * 3 + 1] = cy;
    for (let k = 1; k <= 4; k++) {
      landmarks[(iris + k) * 3] = cx + 10 * Math.cos((k * Math.PI) / 2);
      landmarks[(iris + k) * 3 + 1] = cy + 10 * Math.sin((k * Math.PI) / 2);
    }
  });
  return { image: { width: W, height: H, channels: 3, data, colorSpace: "srgb" }, landmarks };
}

/** A base texture of uniform skin, fully seen: de-lighting's factor is skinAlbedo ÷ this colour. */
function input(open: boolean, mapWidth = 512, linerOverUpperIris = false): EyesInput {
  const n = 24 * 36;
  const lin = SKIN.map(srgbToLinear);
  const textureBase: ImageF32 = { width: 24, height: 36, channels: 3, data: Float32Array.from({ length: n * 3 }, (_, i) => lin[i % 3]), colorSpace: "linear" };
  const sourceConfidence: ImageF32 = { width: 24, height: 36, channels: 1, data: new Float32Array(n).fill(1), colorSpace: "data" };
  return { capture: scene(open, linerOverUpperIris), textureBase, sourceConfidence, skinAlbedo: [lin[0] / 2, lin[1] / 2, lin[2] / 2], referenceLight: { skinCorrection: [1, 1, 1] }, mapWidth };
}

describe("eyes", () => {
  it("measures the iris colour in the eye openings and de-lights it with the skin's factor", () => {
    const { iris, texture } = eyes(input(true));
    const photo = IRIS.map(srgbToLinear);
    expect(iris.pixels).toBeGreaterThanOrEqual(EYES_DEFAULTS.minIrisPixels);
    for (let c = 0; c < 3; c++) {
      expect(iris.photo![c]).toBeCloseTo(photo[c], 5);
      // The skin albedo is half the skin's photo colour, so the iris albedo is half its photo colour.
      expect(iris.albedo[c]).toBeCloseTo(photo[c] / 2, 5);
    }
    expect(texture.width).toBe(512);
    expect(texture.height).toBe(768);
    expect(texture.codes.length).toBe(512 * 768 * 3);
  });

  it("reads the iris below its centre, where the upper lid's lashes and shadow do not lie", () => {
    const { iris } = eyes(input(true, 512, true));
    const photo = IRIS.map(srgbToLinear);
    for (let c = 0; c < 3; c++) expect(iris.photo![c]).toBeCloseTo(photo[c], 5);
  });

  it("paints the iris so that its median over the measured ring is the measured colour", () => {
    const albedo: [number, number, number] = [0.05, 0.06, 0.08];
    const painted = paintedIris(eyeTexture(albedo, { width: 1024 }));
    // Within one 8-bit code step of the albedo (sRGB codes near 0.25: ≈ 1.5 % in linear).
    for (let c = 0; c < 3; c++) expect(Math.abs(painted[c] / albedo[c] - 1)).toBeLessThan(0.02);
  });

  it("falls back to the default iris when the eyes are closed, and never makes the map wider than the others", () => {
    const { iris, texture } = eyes(input(false, 4096), { fallbackIris: [0.1, 0.2, 0.3] });
    expect(iris.photo).toBeNull();
    expect(iris.albedo).toEqual([0.1, 0.2, 0.3]);
    expect(texture.width).toBe(EYES_DEFAULTS.width);
  });

  it("a blue iris under a neutral light keeps its blue when skin's locus match cuts blue", () => {
    // Relative skin albedo (shading 1: the photo texture itself) and a skin-locus prior whose match
    // puts the balanced skin a fifth less blue than the skin reads (b/r × 0.8); the scene and the
    // sclera both say the light is neutral.
    const skin = SKIN.map(srgbToLinear);
    const locusBR = (0.8 * skin[2]) / skin[0];
    const prior: SkinPrior = (wb) => {
      const k = locusBR / ((skin[2] * wb[2]) / (skin[0] * wb[0]));
      return { luminance: 0.2, distance: 0, gain: [wb[0], wb[1], wb[2] * k] };
    };
    const sclera = { fs: [0.5, 0.5, 0.5] as [number, number, number], sigmaLnY: 0.1, sigmaChroma: 0.12 };
    const scale = combineCues(prior, [1, 1, 1], [{ name: "sclera", cue: sclera, reason: "ok", pixels: 100, clipped: 0, purity: 0.8 }], skin);
    expect(scale.cues.referenceWeight.colour).toBeGreaterThan(0.3);
    expect(scale.cues.referenceWeight.colour).toBeLessThan(0.7);
    // Skin's factor takes blue out; the light's does not.
    expect(scale.fs[2] / scale.fs[0]).toBeLessThan(0.92);
    expect(scale.lightFs[2] / scale.lightFs[0]).toBeCloseTo(1, 6);
    expect(scale.lightFs[1] / scale.lightFs[0]).toBeCloseTo(1, 6);
    const light = referenceLightOf(scale.fs, scale.lightFs);
    const base = input(true);
    const { iris } = eyes({ ...base, skinAlbedo: skin.map((v, c) => v * scale.fs[c]) as [number, number, number], referenceLight: light });
    const photo = IRIS.map(srgbToLinear);
    // The iris keeps its photo colour's chromaticity (under a neutral light the albedo is the photo's, up to exposure).
    expect(iris.albedo[2] / iris.albedo[0] / (photo[2] / photo[0])).toBeCloseTo(1, 3);
    expect(iris.albedo[1] / iris.albedo[0] / (photo[1] / photo[0])).toBeCloseTo(1, 3);
    // The exposure is the skin's: skin's and the light's factors give the skin the same luminance.
    const lum = (f: readonly number[]) => 0.2126 * skin[0] * f[0] + 0.7152 * skin[1] * f[1] + 0.0722 * skin[2] * f[2];
    expect(lum(scale.lightFs) / lum(scale.fs)).toBeCloseTo(1, 6);
  });

  it("refuses a skin correction that is not three positive numbers", () => {
    expect(() => eyes({ ...input(true), referenceLight: { skinCorrection: [1, 0, 1] } })).toThrow(/skinCorrection/);
  });

  it("keeps a default when an option is passed as undefined, and stops on an aborted signal", () => {
    expect(eyes(input(true), { pupilFraction: undefined }).iris.albedo).toEqual(eyes(input(true)).iris.albedo);
    const controller = new AbortController();
    controller.abort();
    expect(() => eyes(input(true), {}, { signal: controller.signal })).toThrow();
  });
});
