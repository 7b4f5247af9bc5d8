import { describe, expect, it } from "vitest";
import { lipToothShare } from "../eval/expression-checks.ts";
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
