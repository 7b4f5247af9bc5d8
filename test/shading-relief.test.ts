import { describe, expect, it } from "vitest";
import { shadingRelief, type ShadingReliefInput, type ShadingReliefOptions } from "../src/pipeline/delight/shading-relief.ts";
import { SHADING_RELIEF_DEFAULTS } from "../src/pipeline/delight/shading-relief.ts";
import { flipUMirror } from "../src/pipeline/complete/mirror.ts";
import { applyReliefSlopes } from "../src/pipeline/normals/shading-detail.ts";
import { directionalLightSh, evaluateShImage, radianceToIrradiance } from "../src/render/sh.ts";

/**
 * A flat patch of skin in UV (N = +z, T = +x along +u, B = +y up the image), texels of 0.5 mm,
 * with a known height field rendered under a known SH light with a known albedo.
 */
const W = 128, H = 192, TEXEL = 0.5;
const LIGHT = directionalLightSh([-0.7, 0.1, 0.7], [2.5, 2.5, 2.5], [0.4, 0.4, 0.4]);
const IRRADIANCE = radianceToIrradiance(LIGHT);
const SKIN: [number, number, number] = [0.45, 0.3, 0.24];

/** A valley (negative Gaussian across a segment) of depth `depth` mm and σ `sigmaMm` from (x0, y0) to (x1, y1) in texels. */
function fold(x: number, y: number, seg: [number, number, number, number], depth: number, sigmaMm: number): number {
  const [x0, y0, x1, y1] = seg;
  const dx = x1 - x0, dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  const d = Math.hypot(x - x0 - t * dx, y - y0 - t * dy) * TEXEL;
  return -depth * Math.exp(-(d * d) / (2 * sigmaMm * sigmaMm));
}

interface Scene {
  input: ShadingReliefInput;
  truth: Float32Array;
}

/** Renders the scene: heights from `heightAt`, albedo from `albedoAt`, trust from `trustAt`. */
function scene(heightAt: (x: number, y: number) => number, albedoAt: (x: number, y: number) => [number, number, number], trustAt: (x: number, y: number) => number, noise = 0): Scene {
  const n = W * H;
  const truth = new Float32Array(n);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) truth[y * W + x] = heightAt(x, y);
  const normals = new Float32Array(n * 3);
  const flatNormals = new Float32Array(n * 3);
  const tangents = new Float32Array(n * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const h = (xx: number, yy: number) => heightAt(xx, yy);
      const st = (h(x + 1, y) - h(x - 1, y)) / (2 * TEXEL);
      const sb = (h(x, y - 1) - h(x, y + 1)) / (2 * TEXEL); // up the image = −rows = +y object
      const l = Math.hypot(st, sb, 1);
      normals.set([-st / l, -sb / l, 1 / l], p * 3);
      flatNormals.set([0, 0, 1], p * 3);
      tangents.set([1, 0, 0, 1], p * 4);
    }
  }
  const E = evaluateShImage(IRRADIANCE, normals, n);
  const texture = new Float32Array(n * 3);
  const smoothAlbedo = new Float32Array(n * 3);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const trust = new Float32Array(n);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const A = albedoAt(x, y);
      const k = 1 + noise * rnd();
      for (let c = 0; c < 3; c++) {
        texture[p * 3 + c] = (A[c] * k * E[p * 3 + c]) / Math.PI;
        smoothAlbedo[p * 3 + c] = SKIN[c];
      }
      trust[p] = trustAt(x, y);
    }
  }
  return {
    truth,
    input: {
      width: W,
      height: H,
      texture,
      normals: flatNormals,
      tangents,
      occlusion: new Float32Array(n).fill(1),
      trust,
      covered: new Uint8Array(n).fill(1),
      smoothAlbedo,
      irradiance: IRRADIANCE,
      texelMm: TEXEL,
    },
  };
}

function correlation(a: Float32Array, b: Float32Array, use: (p: number) => boolean): number {
  let n = 0, sa = 0, sb = 0;
  for (let p = 0; p < a.length; p++) if (use(p)) (n++, (sa += a[p]), (sb += b[p]));
  const ma = sa / n, mb = sb / n;
  let ab = 0, aa = 0, bb = 0;
  for (let p = 0; p < a.length; p++) {
    if (!use(p)) continue;
    ab += (a[p] - ma) * (b[p] - mb);
    aa += (a[p] - ma) ** 2;
    bb += (b[p] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const OPTIONS: ShadingReliefOptions = SHADING_RELIEF_DEFAULTS;
const FOLD_SEEN: [number, number, number, number] = [30, 40, 55, 150];
const FOLD_HIDDEN: [number, number, number, number] = [112, 40, 112, 150];

describe("shape from shading", () => {
  it("recovers a Gaussian fold under a side light (r > 0.8) and stays flat where the data weight is zero", () => {
    const { input, truth } = scene(
      (x, y) => fold(x, y, FOLD_SEEN, 1.5, 2.5) + fold(x, y, FOLD_HIDDEN, 1.5, 2.5),
      () => SKIN,
      (x) => (x < 88 ? 1 : 0),
    );
    const relief = shadingRelief(input, OPTIONS);
    const h = relief.heightMm.data;

    const seen = (p: number) => p % W >= 8 && p % W < 80 && Math.floor(p / W) >= 8 && Math.floor(p / W) < H - 8;
    expect(correlation(h, truth, seen)).toBeGreaterThan(0.8);
    // The fold's depth comes out in millimetres, not just its shape.
    const deepest = Math.min(...h.filter((_, p) => seen(p)));
    expect(deepest).toBeLessThan(-0.5);
    expect(deepest).toBeGreaterThan(-3);
    // The hidden fold (no data) is not invented.
    let hiddenMax = 0;
    for (let p = 0; p < W * H; p++) if (p % W >= 104 && relief.dataWeight.data[p] === 0) hiddenMax = Math.max(hiddenMax, Math.abs(h[p]));
    expect(hiddenMax).toBeLessThan(0.05);
    // The tilted normals reproduce the photo's shading better than the flat ones.
    const flatErr = normalError(input.normals, truth, seen);
    const tiltedErr = normalError(relief.normalsObject.data, truth, seen);
    expect(tiltedErr).toBeLessThan(0.6 * flatErr);
  });

  it("gives the unseen side its mirror's relief", () => {
    const seenFold: [number, number, number, number] = [30, 40, 40, 150];
    const { input, truth } = scene((x, y) => fold(x, y, seenFold, 1.5, 2.5) + fold(W - 1 - x, y, seenFold, 1.5, 2.5), () => SKIN, (x) => (x < 56 ? 1 : 0));
    const relief = shadingRelief({ ...input, mirrorTexel: flipUMirror(W, H) }, OPTIONS);
    const h = relief.heightMm.data;
    const mirrored = (p: number) => p % W >= W - 52 && p % W < W - 8 && Math.floor(p / W) >= 8 && Math.floor(p / W) < H - 8;
    expect(correlation(h, truth, mirrored)).toBeGreaterThan(0.8);
    const without = shadingRelief(input, OPTIONS).heightMm.data;
    expect(Math.max(...without.filter((_, p) => mirrored(p)).map(Math.abs))).toBeLessThan(0.05);
  });

  it("puts the relief's slopes into N_S with their orientation (detail normal (−s_u, −s_up, 1) on a flat N_S)", () => {
    const ns = { width: 2, height: 1, channels: 3, data: Float32Array.from([0, 0, 1, 0.6, 0, 0.8]), colorSpace: "data" as const };
    applyReliefSlopes(ns, { width: 2, height: 1, channels: 2, data: Float32Array.from([0.3, -0.4, 0, 0]), colorSpace: "data" });
    const l = Math.hypot(0.3, 0.4, 1);
    expect(ns.data[0]).toBeCloseTo(-0.3 / l, 5);
    expect(ns.data[1]).toBeCloseTo(0.4 / l, 5);
    expect(ns.data[2]).toBeCloseTo(1 / l, 5);
    expect(Array.from(ns.data.slice(3))).toEqual([0.6, 0, 0.8].map((v) => Math.fround(v)));
    // Base-size slopes are sampled at N_S's size: a uniform slope stays uniform, a 2×1 ramp interpolates.
    const big = { width: 4, height: 2, channels: 3, data: new Float32Array(24).map((_, i) => (i % 3 === 2 ? 1 : 0)), colorSpace: "data" as const };
    applyReliefSlopes(big, { width: 2, height: 1, channels: 2, data: Float32Array.from([0, 0, 0.4, 0]), colorSpace: "data" });
    const xs = [0, 1, 2, 3].map((x) => -big.data[x * 3] / big.data[x * 3 + 2]);
    expect(xs.map((v) => Number(v.toFixed(4)))).toEqual([0, 0.1, 0.3, 0.4]);
  });

  it("returns ~0 on a flat, evenly lit patch with albedo noise", () => {
    const { input } = scene(() => 0, () => SKIN, () => 1, 0.04);
    const relief = shadingRelief(input, OPTIONS);
    const h = relief.heightMm.data;
    let rms = 0;
    for (const v of h) rms += v * v;
    expect(Math.sqrt(rms / h.length)).toBeLessThan(0.05);
  });

  it("gives no weight to an albedo edge of another colour and does not turn the patch into relief", () => {
    const brow = (x: number, y: number) => x >= 20 && x < 70 && y >= 150 && y < 175;
    const { input } = scene(
      () => 0,
      (x, y) => (brow(x, y) ? [0.12, 0.07, 0.04] : SKIN),
      () => 1,
    );
    const relief = shadingRelief(input, OPTIONS);
    // On the patch's border the weight is (almost) zero.
    const w = relief.dataWeight.data;
    expect(w[150 * W + 45]).toBeLessThan(0.05);
    expect(w[162 * W + 20]).toBeLessThan(0.05);
    const h = relief.heightMm.data;
    let worst = 0;
    for (let p = 0; p < W * H; p++) worst = Math.max(worst, Math.abs(h[p]));
    expect(worst).toBeLessThan(0.3);
  });
});

/** RMS angle (rad) between `normals` and the truth's normals over `use`. */
function normalError(normals: Float32Array, truth: Float32Array, use: (p: number) => boolean): number {
  let s = 0, n = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!use(p)) continue;
      const st = (truth[p + 1] - truth[p - 1]) / (2 * TEXEL);
      const sb = (truth[p - W] - truth[p + W]) / (2 * TEXEL);
      const l = Math.hypot(st, sb, 1);
      const dot = (-st * normals[p * 3] - sb * normals[p * 3 + 1] + normals[p * 3 + 2]) / l;
      s += Math.acos(Math.min(1, dot)) ** 2;
      n++;
    }
  }
  return Math.sqrt(s / n);
}
