/** The eye's anatomy and optics that tell the sclera from what lies beside it (capture/sclera-geometry.ts). */
import { describe, expect, it } from "vitest";
import { CARUNCLE_SHARE, diffuseTurn, largestBlob, maxGlintDiameter, TEAR_FILM_FRESNEL } from "../src/pipeline/capture/sclera-geometry.ts";

describe("sclera geometry", () => {
  it("puts the caruncle in the fissure's medial eighth and the tear film's mirror at 2 %", () => {
    expect(CARUNCLE_SHARE).toBeCloseTo(0.124, 3);
    expect(TEAR_FILM_FRESNEL).toBeCloseTo(0.0208, 4);
  });

  it("bounds a glint's size by its excess over the sclera: four times the excess, half the diameter", () => {
    // On an iris of radius 10 px, a glint doubling the sclera's radiance (albedo 0.7) spans at most ≈ 3.5 px.
    expect(maxGlintDiameter(1, 10, 0.7)).toBeCloseTo(3.53, 1);
    expect(maxGlintDiameter(4, 10, 0.7) / maxGlintDiameter(1, 10, 0.7)).toBeCloseTo(0.5, 6);
    expect(maxGlintDiameter(0, 10, 0.7)).toBe(Infinity);
    // A patch as wide as the iris (radius 5 px on an iris of 10 px: 5.9 mm across) turns the normal by 5.9 / 12.1 rad.
    expect(diffuseTurn(Math.PI * 25, 10)).toBeCloseTo((10 / 10) * (5.9 / 12.1), 2);
  });

  it("counts the largest 8-connected group, not joined across the image's edge", () => {
    const w = 10;
    // A 2 × 2 block, a diagonal pair touching it at a corner (one group of 6), a lone pixel, and a pixel at the row's end beside the next row's start.
    const group = [15, 16, 25, 26, 37, 48];
    expect(largestBlob([...group, 70, 19, 20], w)).toBe(6);
    expect(largestBlob([19, 20], w)).toBe(1);
    expect(largestBlob([], w)).toBe(0);
  });
});
