/**
 * The eval re-render's eyeballs (eval/canonical-view.ts albedoWithEyes): the eyes' map goes into
 * the two eye slots of the atlas row and nowhere else, decoded to match the albedo's colour space.
 */
import { describe, expect, it } from "vitest";
import { albedoWithEyes } from "../eval/canonical-view.ts";
import { rowSlot } from "../src/geometry/uv-atlas.ts";
import { srgbToLinear } from "../src/primitives/color.ts";
import type { ImageF32 } from "../src/types.ts";

const W = 96, H = 144;
const grey = (colorSpace: "srgb" | "linear"): ImageF32 => ({ width: W, height: H, channels: 3, data: new Float32Array(W * H * 3).fill(0.25), colorSpace });
// An eyes map of one code (200, 100, 50) everywhere.
const eyes = { width: 32, height: 48, codes: Uint8Array.from({ length: 32 * 48 * 3 }, (_, i) => [200, 100, 50][i % 3]) };

/** The texel at the centre of slot `slot`. */
function slotCentre(slot: 0 | 2 | 4): number {
  const [u, v] = rowSlot(slot, [0.5, 0.5]);
  return Math.floor(v * H) * W + Math.floor(u * W);
}

describe("albedoWithEyes", () => {
  it("writes the eyes' codes into both eye slots of an sRGB albedo and leaves the middle slot and the face alone", () => {
    const out = albedoWithEyes(grey("srgb"), eyes);
    for (const slot of [0, 4] as const) {
      const p = slotCentre(slot);
      expect(Array.from(out.data.subarray(3 * p, 3 * p + 3))).toEqual([200 / 255, 100 / 255, 50 / 255].map(Math.fround));
    }
    const mid = slotCentre(2);
    expect(out.data[3 * mid]).toBeCloseTo(0.25, 6);
    expect(out.data[3 * (W * 10 + W / 2)]).toBeCloseTo(0.25, 6);
  });

  it("decodes the codes for a linear albedo", () => {
    const out = albedoWithEyes(grey("linear"), eyes);
    const p = slotCentre(0);
    expect(out.data[3 * p]).toBeCloseTo(srgbToLinear(200 / 255), 5);
    expect(out.data[3 * p + 2]).toBeCloseTo(srgbToLinear(50 / 255), 5);
    expect(out.colorSpace).toBe("linear");
  });

  it("rejects a map that is not colour", () => {
    expect(() => albedoWithEyes({ ...grey("srgb"), colorSpace: "data" }, eyes)).toThrow(/sRGB or linear/);
  });
});
