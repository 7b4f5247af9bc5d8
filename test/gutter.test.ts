/**
 * The gutter filler's two methods on hand-made atlases: "nearest" copies the chessboard-nearest
 * island texel (and so streaks), "smooth" averages its own island near it and leaves no streak.
 */
import { describe, expect, it } from "vitest";
import { fillGutters, GUTTER_FILL_DEFAULTS } from "../src/image/gutter.ts";

const W = 24, H = 24;
/** A 4 × 4 island at x, y 10..13 whose value is its column index (a gradient across it). */
const inIsland = (p: number) => {
  const x = p % W, y = Math.floor(p / W);
  return x >= 10 && x <= 13 && y >= 10 && y <= 13;
};
function atlas(): Float32Array {
  const v = new Float32Array(W * H); // gutters 0, as stages leave them
  for (let p = 0; p < W * H; p++) if (inIsland(p)) v[p] = p % W;
  return v;
}

describe("fillGutters", () => {
  it("nearest: every gutter texel copies an island texel at the smallest chessboard distance", () => {
    const v = atlas();
    fillGutters(v, W, H, 1, inIsland, { ...GUTTER_FILL_DEFAULTS, method: "nearest" });
    const gap = (t: number) => Math.max(0, 10 - t, t - 13); // distance to the island's span 10..13
    for (let p = 0; p < W * H; p++) {
      const x = p % W, y = Math.floor(p / W);
      const nearest = Math.max(gap(x), gap(y));
      // The copied value is a column c of the island, and that column is among the nearest texels.
      expect(v[p] >= 10 && v[p] <= 13 && Number.isInteger(v[p])).toBe(true);
      expect(Math.max(Math.abs(x - v[p]), gap(y))).toBe(nearest);
    }
    // The streak the smooth method avoids: the whole row to the right repeats the border texel.
    expect(new Set(Array.from({ length: 10 }, (_, i) => v[12 * W + 14 + i])).size).toBe(1);
  });

  it("smooth: islands untouched, the first ring averages its island neighbours, every gutter texel written", () => {
    const v = atlas();
    fillGutters(v, W, H, 1, inIsland);
    for (let p = 0; p < W * H; p++) {
      expect(Number.isFinite(v[p])).toBe(true);
      if (inIsland(p)) expect(v[p]).toBe(p % W);
    }
    // (9, 11) touches island texels (10, 10..12): mean of column 10 = 10. (14, 11) touches column 13.
    expect(v[11 * W + 9]).toBeCloseTo(10, 6);
    expect(v[11 * W + 14]).toBeCloseTo(13, 6);
    // A diagonal corner texel (9, 9) sees one island texel only.
    expect(v[9 * W + 9]).toBeCloseTo(10, 6);
    // All values stay within the island's range (averages and convex fills).
    for (const x of v) expect(x >= 10 - 1e-4 && x <= 13 + 1e-4).toBe(true);
  });

  it("leaves the image as it is when nothing is covered", () => {
    for (const method of ["smooth", "nearest"] as const) {
      const v = new Float32Array(W * H).fill(7);
      fillGutters(v, W, H, 1, () => false, { ...GUTTER_FILL_DEFAULTS, method });
      expect(v.every((x) => x === 7)).toBe(true);
    }
  });
});
