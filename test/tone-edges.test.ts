/**
 * The edge-mixture cue to the camera's response (capture/edge-patches.ts, delight/response-edges.ts):
 * a synthetic photo of colour edges, blurred in linear light and written through a known curve,
 * must give that curve back; a photo written with plain sRGB must give k ≈ 1.
 */
import { describe, expect, it } from "vitest";
import { measureEdgePatches } from "../src/pipeline/capture/edge-patches.ts";
import { edgeLikelihood } from "../src/pipeline/delight/response-edges.ts";
import { photoValueOfRadiance } from "../src/pipeline/delight/response-curve.ts";
import { edgePhoto } from "./support/tone-edge-photo.ts";

const GRID = Array.from({ length: 41 }, (_, i) => -0.5 + 0.025 * i);
const bestK = (l: number[]) => Math.exp(GRID[l.indexOf(Math.max(...l))]);

describe("edge colour mixtures", () => {
  it("finds crossings with uniform sides and mixed pixels between them, and none in a flat photo", () => {
    const photo = edgePhoto((E) => photoValueOfRadiance(E, 1));
    const m = measureEdgePatches(photo);
    expect(m.patches.length).toBeGreaterThan(100);
    expect(m.edges).toBeGreaterThan(20);
    for (const p of m.patches.slice(0, 50)) expect(p.mixed.length / 3).toBeGreaterThanOrEqual(2);
    const flat = { ...photo, data: photo.data.map((_, i) => [0.5, 0.4, 0.3][i % 3]) };
    expect(measureEdgePatches(flat).patches.length).toBe(0);
  });

  for (const k of [0.75, 1, 1.35]) {
    it(`gives back the curve a photo was written with (k ${k})`, () => {
      const photo = edgePhoto((E) => photoValueOfRadiance(0.9 * E, k));
      const l = edgeLikelihood(measureEdgePatches(photo), GRID);
      expect(l.patches).toBeGreaterThan(50);
      expect(Math.abs(Math.log(bestK(l.logLikelihood) / k))).toBeLessThan(0.05);
    });
  }

  it("a mixture made in the encoded values (a one-pixel edge resized in sRGB) is not read: the crossing needs mixed pixels", () => {
    const sharp = edgePhoto((E) => photoValueOfRadiance(E, 1), { blurSigma: 0.2 });
    expect(measureEdgePatches(sharp).patches.length).toBeLessThan(10);
  });

  it("says nothing without edges", () => {
    const l = edgeLikelihood(undefined, GRID);
    expect(l.patches).toBe(0);
    expect(l.logLikelihood.every((v) => v === 0)).toBe(true);
  });
});
