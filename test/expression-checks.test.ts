import { describe, expect, it } from "vitest";
import { lipToothShare, teethAsLipAlbedo } from "../eval/expression-checks.ts";
import { TOOTH_REFLECTANCE } from "../src/pipeline/delight/references.ts";
import { enamelColour } from "../src/pipeline/teeth-colour.ts";
import type { TeethMeasurement } from "../src/pipeline/capture/teeth.ts";
import { FACE_REGIONS, type ImageF32, type RegionMaps } from "../src/types.ts";

/** A 20 × 20 texture: lips (region weight 1) in rows 6–13, their rim (0.3) in rows 4–5 and 14–15, skin elsewhere. */
function scene(paint: (x: number, y: number) => [number, number, number]): { texture: ImageF32; regions: RegionMaps } {
  const W = 20, K = FACE_REGIONS.length, lips = FACE_REGIONS.indexOf("lips");
  const texture: ImageF32 = { width: W, height: W, channels: 3, data: new Float32Array(W * W * 3), colorSpace: "linear" };
  const weights: ImageF32 = { width: W, height: W, channels: K, data: new Float32Array(W * W * K), colorSpace: "data" };
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      texture.data.set(paint(x, y), 3 * p);
      weights.data[p * K + lips] = y >= 6 && y <= 13 ? 1 : y >= 4 && y <= 15 ? 0.3 : 0;
    }
  }
  return { texture, regions: { weights } };
}

const SKIN: [number, number, number] = [0.35, 0.22, 0.16], LIP: [number, number, number] = [0.3, 0.1, 0.09];
/** Teeth in the mouth's shade: nearer to the skin than to the lips. */
const SHADED_TEETH: [number, number, number] = [0.3, 0.24, 0.19];

describe("tooth-coloured lips", () => {
  it("does not count the skin a lip region's rim takes above the vermilion border as teeth", () => {
    // Row 6 of the lips is skin (the photo's lip border lies a texel lower than the region's).
    const { texture, regions } = scene((_x, y) => (y >= 7 && y <= 13 ? LIP : SKIN));
    expect(lipToothShare(texture, regions, [SHADED_TEETH])).toBe(0);
  });

  it("counts teeth laid on the lips", () => {
    const { texture, regions } = scene((x, y) => (y >= 6 && y <= 13 ? (y === 9 && x < 10 ? [0.6, 0.55, 0.5] : LIP) : SKIN));
    expect(lipToothShare(texture, regions, [[0.6, 0.55, 0.5]])).toBeCloseTo(10 / 160, 6);
  });
});

describe("tooth-coloured lips in A_D", () => {
  // A_D's units: skin and lips of absolute albedo; the photo saw them under a warm light of 0.5 × (1, 0.8, 0.6).
  const light: [number, number, number] = [0.5, 0.4, 0.3];
  const ALBEDO_SKIN: [number, number, number] = [0.45, 0.3, 0.22], ALBEDO_LIP: [number, number, number] = [0.4, 0.15, 0.13];
  const photoOf = (a: [number, number, number]): [number, number, number] => [a[0] * light[0], a[1] * light[1], a[2] * light[2]];
  const PHOTO_TEETH = photoOf([0.7, 0.62, 0.5]);
  /** Both maps of one scene, A_D holding `onLips` on row 9's left half (10 of the 160 lip texels). */
  const maps = (onLips: [number, number, number] | null) => {
    const albedo = scene((x, y) => (y >= 6 && y <= 13 ? (onLips && y === 9 && x < 10 ? onLips : ALBEDO_LIP) : ALBEDO_SKIN));
    const texture = scene((x, y) => photoOf(y >= 6 && y <= 13 ? ALBEDO_LIP : ALBEDO_SKIN)).texture;
    return { albedo: albedo.texture, texture, regions: albedo.regions };
  };
  const share = (m: ReturnType<typeof maps>) => {
    const delit = teethAsLipAlbedo(m, PHOTO_TEETH)!;
    return lipToothShare(m.albedo, m.regions, [delit, TOOTH_REFLECTANCE.rgb]);
  };

  it("reads the photo's teeth in A_D's units through the lips' own division", () => {
    const delit = teethAsLipAlbedo(maps(null), PHOTO_TEETH)!;
    [0.7, 0.62, 0.5].forEach((v, c) => expect(delit[c]).toBeCloseTo(v, 5));
  });

  it("is 0 on clean lips and counts the photo's teeth laid onto them", () => {
    expect(share(maps(null))).toBe(0);
    expect(share(maps([0.7, 0.62, 0.5]))).toBeCloseTo(10 / 160, 6);
  });

  it("counts texels the division took to enamel's albedo, and a white glint left on the lips", () => {
    expect(share(maps(TOOTH_REFLECTANCE.rgb))).toBeCloseTo(10 / 160, 6);
    expect(share(maps([0.8, 0.75, 0.75]))).toBeCloseTo(10 / 160, 6);
  });

  it("does not count a lip texel a little paler or darker than the lips' median", () => {
    expect(share(maps([0.48, 0.2, 0.17]))).toBe(0);
    expect(share(maps([0.3, 0.1, 0.09]))).toBe(0);
  });
});

describe("the teeth reference of the tooth-coloured lips", () => {
  const measured = (rgb: [number, number, number], pixels = 200): TeethMeasurement => ({ rgb, pixels, opening: 0.2, clipped: 0, spread: 0.1, reliable: true, reason: "ok" });

  it("is the teeth's colour when the mouth shows enamel, clipped or not", () => {
    expect(enamelColour(measured([0.34, 0.27, 0.2]))).toEqual([0.34, 0.27, 0.2]); // d3dfr-000002's teeth
    expect(enamelColour({ ...measured([0.9, 0.85, 0.8]), clipped: 0.5, reliable: false })).toEqual([0.9, 0.85, 0.8]);
  });

  it("is absent when the lightest part of the opening is tongue, gums or the dark mouth", () => {
    expect(enamelColour(measured([0.55, 0.24, 0.26]))).toBeNull(); // d3dfr-vd102: pink, green/red 0.44
    expect(enamelColour(measured([0.14, 0.008, 0.008]))).toBeNull(); // d3dfr-vd006: the mouth's dark red
    expect(enamelColour(measured([0.34, 0.27, 0.2], 10))).toBeNull(); // too few pixels to be teeth
    expect(enamelColour({ ...measured([0, 0, 0]), rgb: null })).toBeNull();
  });
});
