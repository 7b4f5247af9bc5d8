/** The grid min-cut against brute force, and the GrabCut-style skin segmentation on a drawn face patch. */
import { describe, expect, it } from "vitest";
import { gridCut, type GridCutProblem } from "../src/pipeline/capture/grid-cut.ts";
import { segmentSkin } from "../src/pipeline/capture/skin-segment.ts";

/** A small deterministic pseudo-random sequence (tests only). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function energy(p: GridCutProblem, labels: ArrayLike<number>): number {
  let e = 0;
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    e += labels[i] ? p.costOne[i] : p.costZero[i];
    if ((i % p.width) + 1 < p.width && labels[i] !== labels[i + 1]) e += p.right[i];
    if (i + p.width < n && labels[i] !== labels[i + p.width]) e += p.down[i];
  }
  return e;
}

describe("gridCut", () => {
  it("finds the minimum energy that brute force finds, on 60 random 3×4 grids", () => {
    const rnd = lcg(7);
    for (let trial = 0; trial < 60; trial++) {
      const [width, height] = [3, 4];
      const n = width * height;
      const arr = (scale: number) => Float64Array.from({ length: n }, () => (rnd() < 0.3 ? 0 : rnd() * scale));
      const p: GridCutProblem = { width, height, costOne: arr(5), costZero: arr(5), right: arr(3), down: arr(3) };
      let best = Infinity;
      for (let m = 0; m < 1 << n; m++) best = Math.min(best, energy(p, Array.from({ length: n }, (_, i) => (m >> i) & 1)));
      expect(energy(p, gridCut(p))).toBeCloseTo(best, 9);
    }
  });

  it("keeps a thin line with strong evidence and removes a lone speck against strong smoothness", () => {
    const width = 20, height = 20, n = width * height;
    const costOne = new Float64Array(n).fill(1), costZero = new Float64Array(n);
    for (let y = 0; y < height; y++) (costOne[y * width + 10] = 0), (costZero[y * width + 10] = 4); // a strand, column 10
    (costOne[5 * width + 3] = 0), (costZero[5 * width + 3] = 1.5); // a speck
    const labels = gridCut({ width, height, costOne, costZero, right: new Float64Array(n).fill(1), down: new Float64Array(n).fill(1) });
    for (let y = 0; y < height; y++) expect(labels[y * width + 10]).toBe(1);
    expect(labels[5 * width + 3]).toBe(0);
    expect(labels.reduce((s, v) => s + v, 0)).toBe(height);
  });
});

describe("segmentSkin", () => {
  it("finds dark strands of skin-like chroma across a mottled skin patch, seeded only from a band above it", () => {
    const width = 64, height = 64, n = width * height;
    const rnd = lcg(3);
    const ycc = new Float32Array(n * 3);
    const strand = (x: number, y: number) => Math.abs(x - (20 + 0.4 * y)) < 1.2 || Math.abs(x - (44 - 0.3 * y)) < 0.8;
    const domain = new Uint8Array(n);
    const skinSeeds: number[] = [], otherSeeds: number[] = [];
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const band = y < 8;
      const hair = band || strand(x, y);
      // Hair: darker, same chroma direction as skin (brown), a little less saturated.
      const [l, cb, cr] = hair ? [0.22, -0.03, 0.05] : [0.62, -0.06, 0.09];
      ycc[3 * i] = l + (rnd() - 0.5) * 0.08;
      ycc[3 * i + 1] = cb + (rnd() - 0.5) * 0.02;
      ycc[3 * i + 2] = cr + (rnd() - 0.5) * 0.02;
      if (band) otherSeeds.push(i);
      else domain[i] = 1;
      // Skin seeds: every pixel of the lower face, strands included (seeds are never clean).
      if (y > 40) skinSeeds.push(i);
    }
    const notSkin = segmentSkin({ ycc, width, height, domain, skinSeeds, otherSeeds })!;
    let hit = 0, strands = 0, falseAlarm = 0, skin = 0;
    for (let y = 8; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (strand(x, y)) (strands++, (hit += notSkin[i]));
      else (skin++, (falseAlarm += notSkin[i]));
    }
    expect(hit / strands).toBeGreaterThan(0.9);
    expect(falseAlarm / skin).toBeLessThan(0.01);
    // Outside the domain nothing is labelled.
    expect(notSkin[2 * width + 5]).toBe(0);
  });

  it("says nothing (null) without seeds for both models", () => {
    const ycc = new Float32Array(16 * 16 * 3);
    expect(segmentSkin({ ycc, width: 16, height: 16, domain: new Uint8Array(256).fill(1), skinSeeds: [1, 2, 3], otherSeeds: [] })).toBeNull();
  });
});
