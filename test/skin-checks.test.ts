import { describe, expect, it } from "vitest";
import { contaminationShare } from "../eval/skin-checks.ts";
import { labToLinearSrgb } from "../src/primitives/color.ts";

/**
 * 3000 face texels in three regions (forehead 0–999, nose 1000–1499, cheeks 1500–2999) of mottled
 * skin (L* ± 1.5, a* ± 1, b* ± 1), drawn per texel from a colour function in Lab.
 */
const N = 3000;
const region = Uint8Array.from({ length: N }, (_, p) => (p < 1000 ? 0 : p < 1500 ? 1 : 2));
const face = new Uint8Array(N).fill(1);
function albedo(lab: (p: number) => [number, number, number]): Float32Array {
  const out = new Float32Array(3 * N);
  for (let p = 0; p < N; p++) {
    const [L, a, b] = lab(p);
    out.set(labToLinearSrgb(L + 1.5 * Math.sin(p * 0.7), a + Math.sin(p * 1.3), b + Math.cos(p * 0.9)), 3 * p);
  }
  return out;
}
const SKIN: [number, number, number] = [60, 12, 16];

describe("contamination, redness centred per region", () => {
  it("does not count a nose redder than the forehead, which one model does", () => {
    // The nose 8 a* redder than the rest: blood perfusion, not contamination.
    const redNose = albedo((p) => (region[p] === 1 ? [SKIN[0], SKIN[1] + 8, SKIN[2]] : SKIN));
    expect(contaminationShare(redNose, face)!).toBeGreaterThan(0.05);
    expect(contaminationShare(redNose, face, region)!).toBe(0);
  });

  it("still counts a dark fringe over most of the forehead", () => {
    // 600 of the 1000 forehead texels hair-dark and less red: lightness keeps one centre, so they count.
    const fringe = albedo((p) => (p < 600 ? [35, 6, 10] : SKIN));
    expect(contaminationShare(fringe, face, region)!).toBeCloseTo(600 / N, 3);
  });
});
