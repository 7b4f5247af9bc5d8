import { describe, expect, it } from "vitest";
import { applyMicrogeometry, MicroSynthesis, type MicrogeometryOptions } from "../src/pipeline/normals/microgeometry.ts";
import { seedFromSha256 } from "../src/pipeline/normals/noise.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32, type RegionMaps } from "../src/types.ts";

/** Region maps of a small atlas that is all one region (weight 1). */
function oneRegion(region: FaceRegion, w = 24, h = 36): RegionMaps {
  const data = new Float32Array(w * h * FACE_REGIONS.length);
  const r = FACE_REGIONS.indexOf(region);
  for (let p = 0; p < w * h; p++) data[p * FACE_REGIONS.length + r] = 1;
  return { weights: { width: w, height: h, channels: FACE_REGIONS.length, data, colorSpace: "data" } };
}

function flat(w: number, h: number): { ns: ImageF32; as: ImageF32 } {
  const ns = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) ns[3 * p + 2] = 1;
  return { ns: { width: w, height: h, channels: 3, data: ns, colorSpace: "data" }, as: { width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(0.5), colorSpace: "linear" } };
}

/**
 * The same region maps with the atlas stretched by (sx, sy): surface mm per atlas mm along x and
 * y (texelAxesMm = stretch × the median base texel, which the synthesis takes as texelMm × full/base).
 */
function stretched(maps: RegionMaps, sx: number, sy: number, baseTexelMm: number): RegionMaps {
  const { width, height } = maps.weights;
  const data = new Float32Array(width * height * 2);
  for (let p = 0; p < width * height; p++) (data[2 * p] = sx * baseTexelMm), (data[2 * p + 1] = sy * baseTexelMm);
  return { ...maps, texelAxesMm: { width, height, channels: 2, data, colorSpace: "data" } };
}

/** RMS slope of N_S against +Z (and of its x and y components) and mean A_S after one pass. */
function run(region: FaceRegion, size: number, texelMm: number, options: MicrogeometryOptions = {}, seed = 7, stretch: [number, number] = [1, 1]) {
  const w = size, h = Math.round(size * 1.5);
  const { ns, as } = flat(w, h);
  const regions = stretch[0] === 1 && stretch[1] === 1 ? oneRegion(region) : stretched(oneRegion(region), stretch[0], stretch[1], (texelMm * w) / 24);
  applyMicrogeometry({ normalsSpecular: ns, specularAlbedo: as }, new MicroSynthesis(w, h, texelMm, { regions, seed }, options));
  let sx2 = 0, sy2 = 0, a = 0;
  for (let p = 0; p < w * h; p++) {
    const z = ns.data[3 * p + 2];
    sx2 += (ns.data[3 * p] / z) ** 2;
    sy2 += (ns.data[3 * p + 1] / z) ** 2;
    a += as.data[p];
  }
  return { ns, as, slopeRms: Math.sqrt((sx2 + sy2) / (w * h)), slopeRmsX: Math.sqrt(sx2 / (w * h)), slopeRmsY: Math.sqrt(sy2 / (w * h)), meanAs: a / (w * h) };
}

describe("microgeometry", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = run("cheeks", 256, 0.07), b = run("cheeks", 256, 0.07), c = run("cheeks", 256, 0.07, {}, 8);
    expect(Buffer.from(a.ns.data.buffer).equals(Buffer.from(b.ns.data.buffer))).toBe(true);
    expect(Buffer.from(a.as.data.buffer).equals(Buffer.from(c.as.data.buffer))).toBe(false);
  });

  it("does not depend on the band size (no seams between streamed bands)", () => {
    const a = run("forehead", 192, 0.07, { bandRows: 96 }), b = run("forehead", 192, 0.07, { bandRows: 13 });
    expect(Buffer.from(a.ns.data.buffer).equals(Buffer.from(b.ns.data.buffer))).toBe(true);
    expect(Buffer.from(a.as.data.buffer).equals(Buffer.from(b.as.data.buffer))).toBe(true);
  });

  it("tilts skin normals by slopes in the measured range and darkens A_S only in cavities", () => {
    const r = run("cheeks", 384, 0.065);
    // Resolved pores, primary lines and fine lines: clearly not flat, and below skin's total
    // Beckmann roughness m 0.23–0.31 (Weyrich 2006), which also holds the unresolved scales.
    expect(r.slopeRms).toBeGreaterThan(0.03);
    expect(r.slopeRms).toBeLessThan(0.31);
    expect(r.meanAs).toBeLessThan(0.5);
    expect(r.meanAs).toBeGreaterThan(0.45);
    expect(r.as.data.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(0.5);
  });

  it("puts no pores or relief on the lips' vermilion, only lip lines", () => {
    const lips = run("lips", 256, 0.065, { lineStrength: 0 });
    expect(lips.slopeRms).toBe(0);
    expect(run("lips", 256, 0.065).slopeRms).toBeGreaterThan(0.005);
    expect(run("chin", 256, 0.065, { lineStrength: 0 }).slopeRms).toBeGreaterThan(0.02);
  });

  it("is milder on the ears and scalp than on the nose", () => {
    const nose = run("nose", 256, 0.065).slopeRms;
    expect(run("ears", 256, 0.065).slopeRms).toBeLessThan(nose);
    expect(run("scalp", 256, 0.065).slopeRms).toBeLessThan(nose);
  });

  it("keeps the millimetre scale across map sizes: a coarser map resolves less but loses the same specular", () => {
    // The same 18 mm × 27 mm patch at ultra-like and standard-like texel sizes.
    const fine = run("forehead", 256, 0.07), coarse = run("forehead", 64, 0.28);
    expect(coarse.slopeRms).toBeLessThan(fine.slopeRms);
    const lossFine = 0.5 - fine.meanAs, lossCoarse = 0.5 - coarse.meanAs;
    expect(lossCoarse).toBeGreaterThan(0.4 * lossFine);
    expect(lossCoarse).toBeLessThan(1.6 * lossFine);
  });

  it("draws pores in mm of surface where the atlas is stretched: narrower along the stretched axis", () => {
    // Pores only, on a nose whose atlas holds 2 mm of surface per mm along x: each funnel is half
    // as wide in x as in y, so its x slopes are about twice its y slopes; unstretched they match.
    const only = { reliefStrength: 0, lineStrength: 0 };
    const plain = run("nose", 384, 0.03, only), wide = run("nose", 384, 0.03, only, 7, [2, 1]);
    expect(plain.slopeRmsX / plain.slopeRmsY).toBeGreaterThan(0.8);
    expect(plain.slopeRmsX / plain.slopeRmsY).toBeLessThan(1.25);
    expect(wide.slopeRmsX / wide.slopeRmsY).toBeGreaterThan(1.5);
    // Twice the surface per atlas area holds twice the pores: their specular loss per atlas texel
    // (area × depth, each funnel half the atlas area) stays about the same.
    expect((0.5 - wide.meanAs) / (0.5 - plain.meanAs)).toBeGreaterThan(0.75);
    expect((0.5 - wide.meanAs) / (0.5 - plain.meanAs)).toBeLessThan(1.33);
  });

  it("leaves the furrow network to A_S where the atlas is stretched past its fade (the lofted scalp and neck)", () => {
    const network = { poreStrength: 0, lineStrength: 0 };
    const plain = run("forehead", 256, 0.065, network), loft = run("forehead", 256, 0.065, network, 7, [8, 8]);
    expect(plain.slopeRms).toBeGreaterThan(0.01);
    expect(loft.slopeRms).toBe(0);
    // Its cavities' mean loss stays in A_S (the analytic mean vs the drawn grooves).
    expect((0.5 - loft.meanAs) / (0.5 - plain.meanAs)).toBeGreaterThan(0.5);
    expect((0.5 - loft.meanAs) / (0.5 - plain.meanAs)).toBeLessThan(2);
  });

  it("leaves gutters (coverage 0) untouched", () => {
    const w = 64, h = 96;
    const { ns, as } = flat(w, h);
    const coverage: ImageF32 = { width: 24, height: 36, channels: 1, data: new Float32Array(24 * 36), colorSpace: "data" };
    applyMicrogeometry({ normalsSpecular: ns, specularAlbedo: as }, new MicroSynthesis(w, h, 0.065, { regions: oneRegion("nose"), coverage, seed: 1 }));
    expect(as.data.every((v) => v === 0.5)).toBe(true);
    expect(ns.data.every((v, i) => v === (i % 3 === 2 ? 1 : 0))).toBe(true);
  });

  it("puts none on the eye opening inside the eyelid region", () => {
    // Eyelid region: a disc of 16 mm radius (base texels of 0.8 mm); the region reaches 7 mm past
    // the eye's contour, so the inner ≈ 8 mm are the eye.
    const bw = 48, bh = 72, w = 192, h = 288, texelMm = 0.2;
    const data = new Float32Array(bw * bh * FACE_REGIONS.length);
    const lid = FACE_REGIONS.indexOf("eyelids"), cheek = FACE_REGIONS.indexOf("cheeks");
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) data[(y * bw + x) * FACE_REGIONS.length + (Math.hypot(x + 0.5 - 24, y + 0.5 - 36) < 20 ? lid : cheek)] = 1;
    const { ns, as } = flat(w, h);
    applyMicrogeometry({ normalsSpecular: ns, specularAlbedo: as }, new MicroSynthesis(w, h, texelMm, { regions: { weights: { width: bw, height: bh, channels: FACE_REGIONS.length, data, colorSpace: "data" } }, seed: 3 }));
    let inEye = 0, onCheek = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const r = Math.hypot(x + 0.5 - 96, y + 0.5 - 144) * texelMm;
      const tilt = Math.hypot(ns.data[3 * (y * w + x)], ns.data[3 * (y * w + x) + 1]);
      if (r < 6) inEye = Math.max(inEye, tilt, 0.5 - as.data[y * w + x]);
      if (r > 20) onCheek = Math.max(onCheek, tilt);
    }
    expect(inEye).toBe(0);
    expect(onCheek).toBeGreaterThan(0.05);
  });

  it("turns the photo's SHA-256 into a 32-bit seed", () => {
    expect(seedFromSha256("ffffffff00")).toBe(0xffffffff);
    expect(() => seedFromSha256("xyz")).toThrow(/SHA-256/);
  });
});

describe("microgeometry: one synthesis for both maps, at atlas scale", () => {
  it("makes A_S follow N_S texel for texel: both come from the same height field and its cavities", () => {
    const w = 160, h = 240, t = 0.065;
    const synth = new MicroSynthesis(w, h, t, { regions: oneRegion("nose"), seed: 11 });
    const band = synth.band(0, h, 1);
    const { ns, as } = flat(w, h);
    applyMicrogeometry({ normalsSpecular: ns, specularAlbedo: as }, new MicroSynthesis(w, h, t, { regions: oneRegion("nose"), seed: 11 }));
    let cavities = 0, normalError = 0, albedoError = 0, lossOutsideCavity = 0;
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
      const r = (y + 1) * w + x;
      const hx = (band.height[r + 1] - band.height[r - 1]) / (2 * t), hy = (band.height[r + w] - band.height[r - w]) / (2 * t);
      const l = Math.hypot(hx, hy, 1);
      const p = y * w + x;
      // N_S is the height field's normal (glTF tangent space, +Y up the image)...
      normalError = Math.max(normalError, Math.abs(ns.data[3 * p] + hx / l), Math.abs(ns.data[3 * p + 1] - hy / l));
      // ...and A_S is darkened exactly where that field has a cavity, by its occlusion.
      albedoError = Math.max(albedoError, Math.abs(as.data[p] - 0.5 * Math.max(synth.o.minCavityFactor, 1 - band.loss[r])));
      if (band.loss[r] > 0) {
        if (!(band.height[r] < 0)) lossOutsideCavity++;
        cavities++;
      }
    }
    expect(normalError).toBeLessThan(1e-5);
    expect(albedoError).toBeLessThan(1e-6);
    expect(lossOutsideCavity).toBe(0);
    expect(cavities).toBeGreaterThan(0.05 * w * h);
  });

  it("does not repeat across a 4096×6144 atlas: far-apart windows do not match at any shift", () => {
    const W = 4096, H = 6144, t = 0.065, n = 48, shift = 12;
    const synth = new MicroSynthesis(W, H, t, { regions: oneRegion("cheeks", 64, 96), seed: 5 });
    const top = synth.band(0, n + 2 * shift, 0).height.slice(0, (n + 2 * shift) * W);
    const bottom = synth.band(H - n, H, 0).height.slice(0, n * W);
    const window = (src: Float32Array, x0: number, y0: number, size: number) => {
      const out = new Float64Array(size * size);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = src[(y0 + y) * W + x0 + x];
      const mean = out.reduce((s, v) => s + v, 0) / out.length;
      const sd = Math.sqrt(out.reduce((s, v) => s + (v - mean) ** 2, 0) / out.length);
      return out.map((v) => (v - mean) / sd);
    };
    const far = window(bottom, W - n, 0, n);
    let best = -1;
    for (let dy = 0; dy <= 2 * shift; dy++) for (let dx = 0; dx <= 2 * shift; dx++) {
      const near = window(top, dx, dy, n);
      best = Math.max(best, near.reduce((s, v, i) => s + v * far[i], 0) / near.length);
    }
    expect(best).toBeLessThan(0.5);
  });

  /** Pore centres (local minima of the pores' own depth) of a nose patch, and how many lie in a furrow. */
  function pores(w: number, h: number, t: number, seed = 4) {
    const relief = new MicroSynthesis(w, h, t, { regions: oneRegion("nose"), seed }, { poreStrength: 0, lineStrength: 0, secondaryDepthMm: 0 }).band(0, h, 0).height.slice(0, w * h);
    const all = new MicroSynthesis(w, h, t, { regions: oneRegion("nose"), seed }, { lineStrength: 0, secondaryDepthMm: 0 }).band(0, h, 0).height.slice(0, w * h);
    let count = 0, onFurrow = 0;
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
      const p = y * w + x, d = all[p] - relief[p];
      if (d > -0.01 || [p - 1, p + 1, p - w, p + w].some((q) => all[q] - relief[q] < d)) continue;
      count++;
      // Deeper than the shallowest primary furrow's bottom could be at half its depth.
      if (relief[p] < -0.5 * 0.04 * 0.4 * 0.65) onFurrow++;
    }
    return { count, onFurrow, areaMm2: (w - 2) * (h - 2) * t * t };
  }

  it("puts the pores on the furrow network's crossings", () => {
    const r = pores(200, 300, 0.03);
    expect(r.count).toBeGreaterThan(5);
    expect(r.onFurrow / r.count).toBeGreaterThan(0.9);
  });

  it("keeps the pores per mm² at the region's density whatever the texel size", () => {
    // The same 9 × 13.5 mm of nose at 0.03 and 0.065 mm texels (both resolve its pores).
    const fine = pores(300, 450, 0.03), coarse = pores(138, 207, 0.065);
    const perCm2 = (r: { count: number; areaMm2: number }) => (100 * r.count) / r.areaMm2;
    expect(perCm2(coarse) / perCm2(fine)).toBeGreaterThan(0.8);
    expect(perCm2(coarse) / perCm2(fine)).toBeLessThan(1.25);
    // The nose's 80 per cm² (skin-statistics.ts), within the sampling spread of one patch.
    expect(perCm2(fine)).toBeGreaterThan(55);
    expect(perCm2(fine)).toBeLessThan(105);
  });
});
