import { describe, expect, it } from "vitest";
import { smileCompression, smileFoldMap } from "../src/pipeline/fit/expression-folds.ts";
import { LARGEST_PORE_MM, neutralExpressionAlbedo, splitReliefSlopes } from "../src/pipeline/delight/expression-shading.ts";
import { linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import type { Blendshape, ImageF32 } from "../src/types.ts";

/** A flat n × n grid of 1 mm squares in the xy plane (metres), UVs over the unit square, two triangles per square. */
function grid(n: number): { positions: Float32Array; uvs: Float32Array; indices: Uint32Array } {
  const positions = new Float32Array((n + 1) * (n + 1) * 3), uvs = new Float32Array((n + 1) * (n + 1) * 2), idx: number[] = [];
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const v = j * (n + 1) + i;
      positions.set([i * 0.001, j * 0.001, 0], 3 * v);
      uvs.set([i / n, j / n], 2 * v);
      if (i < n && j < n) idx.push(v, v + 1, v + n + 1, v + 1, v + n + 2, v + n + 1);
    }
  }
  return { positions, uvs, indices: Uint32Array.from(idx) };
}

/** A "smile" that pushes the grid's left half toward its middle column (x shrinks by `squeeze` of the distance), the right half unmoved. */
function squeezeLeft(mesh: { positions: Float32Array }, n: number, squeeze: number, name = "mouthSmileLeft"): Blendshape {
  const delta = new Float32Array(mesh.positions.length);
  const mid = (n / 2) * 0.001;
  for (let v = 0; v < delta.length / 3; v++) {
    const x = mesh.positions[3 * v];
    if (x < mid) delta[3 * v] = squeeze * (mid - x);
  }
  return { name, delta };
}

describe("where the smile folds the skin", () => {
  const n = 20, mesh = grid(n);
  const triangles = { first: 0, count: mesh.indices.length / 3 };

  it("is the compressed half, in proportion to the squeeze, and nothing where the skin does not shrink", () => {
    const shapes = [squeezeLeft(mesh, n, 0.4)];
    const c = smileCompression(mesh.positions, mesh.indices, triangles, shapes, [1]);
    const left = 5 * (n + 1) + 2, right = 5 * (n + 1) + 17;
    expect(c[left]).toBeCloseTo(0.4, 5);
    expect(c[right]).toBe(0);
    expect(smileCompression(mesh.positions, mesh.indices, triangles, shapes, [0.5])[left]).toBeCloseTo(0.2, 5);
  });

  it("ignores shapes that are not a smile's, and a head without a smile keeps every fold", () => {
    const frown = [squeezeLeft(mesh, n, 0.4, "mouthFrownLeft")];
    expect(smileCompression(mesh.positions, mesh.indices, triangles, frown, [1]).every((v) => v === 0)).toBe(true);
    const head = { parts: [{ part: "skin" as const, firstIndex: 0, indexCount: mesh.indices.length }] };
    const smile = [squeezeLeft(mesh, n, 0.4)];
    const none = smileFoldMap(head, mesh, smile, [0], 16, 16, 0.5);
    expect(none.data.every((v) => v === 0)).toBe(true);
    // At the prior's mean intensity the fold is whole; at a fifth of it, a fifth.
    const ordinary = smileFoldMap(head, mesh, smile, [0.5], 16, 16, 0.5);
    const faint = smileFoldMap(head, mesh, smile, [0.1], 16, 16, 0.5);
    const p = 8 * 16 + 2;
    expect(ordinary.data[p]).toBeCloseTo(1, 3);
    expect(faint.data[p]).toBeCloseTo(0.2, 2);
    // The fold's reach (a 2.5 mm Gaussian beyond the compression) fades over a few mm of the unmoved half.
    expect(ordinary.data[8 * 16 + 11]).toBeGreaterThan(0);
    expect(ordinary.data[8 * 16 + 15]).toBeLessThan(0.05);
  });
});

describe("the smile's fold shading out of A_D", () => {
  // 0.25 mm texels; skin of a known colour with pore-scale noise; a 1.5 mm (σ) fold darkening it by 40 % across the middle.
  const W = 96, H = 96, TEXEL = 0.25, SKIN = [0.45, 0.3, 0.24];
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1;
  const albedo: ImageF32 = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3), colorSpace: "srgb" };
  const folds: ImageF32 = { width: W, height: H, channels: 1, data: new Float32Array(W * H), colorSpace: "data" };
  const pores = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x, d = (x - W / 2) * TEXEL;
      pores[p] = noise();
      const shade = 1 - 0.4 * Math.exp(-(d * d) / (2 * 1.5 * 1.5));
      for (let c = 0; c < 3; c++) albedo.data[3 * p + c] = linearToSrgb(SKIN[c] * shade * (1 + pores[p]));
      folds.data[p] = Math.abs(d) < 5 ? 1 : Math.abs(d) < 8 ? (8 - Math.abs(d)) / 3 : 0;
    }
  }
  const skin: ImageF32 = { width: W, height: H, channels: 1, data: new Float32Array(W * H).fill(1), colorSpace: "data" };
  const SETTINGS = { fineMm: LARGEST_PORE_MM, neighbourMm: 8 };
  const out = neutralExpressionAlbedo({ albedo, folds, skin, texelMm: TEXEL }, SETTINGS);
  const column = (img: ImageF32, x: number, c: number) => {
    let s = 0;
    for (let y = 8; y < H - 8; y++) s += srgbToLinear(img.data[3 * (y * W + x) + c]);
    return s / (H - 16);
  };

  it("gives the fold the neighbouring skin's colour", () => {
    for (let c = 0; c < 3; c++) {
      expect(column(albedo, W / 2, c) / SKIN[c]).toBeLessThan(0.65);
      expect(Math.abs(column(out, W / 2, c) / SKIN[c] - 1)).toBeLessThan(0.04);
    }
  });

  it("keeps the pores (not a blur) and leaves unfolded skin alone", () => {
    let before = 0, after = 0, k = 0;
    for (let y = 8; y < H - 8; y++) {
      const p = y * W + W / 2, q = p + 1;
      before += (pores[p] - pores[q]) ** 2;
      after += (Math.log(srgbToLinear(out.data[3 * p + 1])) - Math.log(srgbToLinear(out.data[3 * q + 1]))) ** 2;
      k++;
    }
    expect(Math.sqrt(after / k)).toBeGreaterThan(0.5 * Math.sqrt(before / k));
    for (const x of [0, 5, W - 6]) for (let c = 0; c < 3; c++) expect(out.data[3 * (40 * W + x) + c]).toBe(albedo.data[3 * (40 * W + x) + c]);
  });

  it("splits the relief into the neutral head's and the smile's wrinkles, which add up to it", () => {
    const slopes: ImageF32 = { width: 48, height: 48, channels: 2, data: new Float32Array(48 * 48 * 2).map((_, i) => Math.sin(i)), colorSpace: "data" };
    const { neutral, wrinkles } = splitReliefSlopes(slopes, folds);
    for (let i = 0; i < slopes.data.length; i++) expect(neutral.data[i] + wrinkles.data[i]).toBeCloseTo(slopes.data[i], 6);
    expect(neutral.data[2 * (24 * 48 + 24)]).toBe(0);
    expect(wrinkles.data[2 * (24 * 48 + 2)]).toBe(0);
  });

  it("reads a fold map of a smaller size with the same aspect (the pipeline's base size) alike", () => {
    const half: ImageF32 = { width: W / 2, height: H / 2, channels: 1, data: new Float32Array((W / 2) * (H / 2)), colorSpace: "data" };
    for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) half.data[y * (W / 2) + x] = folds.data[2 * y * W + 2 * x];
    const fromHalf = neutralExpressionAlbedo({ albedo, folds: half, skin, texelMm: TEXEL }, SETTINGS);
    for (let c = 0; c < 3; c++) expect(Math.abs(column(fromHalf, W / 2, c) / SKIN[c] - 1)).toBeLessThan(0.04);
  });

  it("refuses a fold map of another aspect", () => {
    expect(() => neutralExpressionAlbedo({ albedo, folds: { ...folds, width: 48 }, skin, texelMm: TEXEL }, SETTINGS)).toThrow(/folds/);
  });
});
