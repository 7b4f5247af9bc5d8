import { describe, expect, it } from "vitest";
import { lipToothShare } from "../eval/expression-checks.ts";
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
    expect(lipToothShare(texture, regions, SHADED_TEETH)).toBe(0);
  });

  it("counts teeth laid on the lips", () => {
    const { texture, regions } = scene((x, y) => (y >= 6 && y <= 13 ? (y === 9 && x < 10 ? [0.6, 0.55, 0.5] : LIP) : SKIN));
    expect(lipToothShare(texture, regions, [0.6, 0.55, 0.5])).toBeCloseTo(10 / 160, 6);
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
