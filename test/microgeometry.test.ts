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

/** RMS slope of N_S against +Z and mean A_S after one pass. */
function run(region: FaceRegion, size: number, texelMm: number, options: MicrogeometryOptions = {}, seed = 7) {
  const w = size, h = Math.round(size * 1.5);
  const { ns, as } = flat(w, h);
  applyMicrogeometry({ normalsSpecular: ns, specularAlbedo: as }, new MicroSynthesis(w, h, texelMm, { regions: oneRegion(region), seed }, options));
  let s2 = 0, a = 0;
  for (let p = 0; p < w * h; p++) {
    const z = ns.data[3 * p + 2];
    s2 += (ns.data[3 * p] ** 2 + ns.data[3 * p + 1] ** 2) / (z * z);
    a += as.data[p];
  }
  return { ns, as, slopeRms: Math.sqrt(s2 / (w * h)), meanAs: a / (w * h) };
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
