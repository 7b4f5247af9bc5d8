/** Polygon scan conversion (src/raster/polygon.ts): pixel centres, even-odd, window offset. */
import { describe, expect, it } from "vitest";
import { fillPolygon } from "../src/raster/polygon.ts";

describe("fillPolygon", () => {
  it("sets the pixels whose centres are inside, in window coordinates, and ORs into the mask", () => {
    const mask = new Uint8Array(10 * 10);
    mask[0] = 1;
    // Square (12, 22)–(16, 26) in photo pixels, window at (10, 20): centres 2.5..5.5 in x and y.
    fillPolygon(mask, 10, 10, [12, 22, 16, 22, 16, 26, 12, 26], 10, 20);
    const set: number[] = [];
    mask.forEach((v, p) => v && set.push(p));
    const square = [2, 3, 4, 5].flatMap((y) => [2, 3, 4, 5].map((x) => y * 10 + x));
    expect(set).toEqual([0, ...square]);
  });

  it("leaves a hole where a self-overlapping outline winds twice (even-odd)", () => {
    const mask = new Float32Array(8 * 8);
    // An outer square 0..8 and an inner one 2..6 traced as one polygon: the inner one is a hole.
    fillPolygon(mask, 8, 8, [0, 0, 8, 0, 8, 8, 0, 8, 0, 0, 2, 2, 2, 6, 6, 6, 6, 2, 2, 2, 0, 0]);
    expect(mask[0]).toBe(1);
    expect(mask[4 * 8 + 4]).toBe(0);
    expect(mask[1 * 8 + 4]).toBe(1);
  });
});
