import { describe, expect, it } from "vitest";
import { DELIGHT_DEFAULTS } from "../src/pipeline/delight.ts";
import { seenAlbedo } from "../src/pipeline/delight/albedo.ts";
import { MODEL_REGIONS, type LightingFit } from "../src/pipeline/delight/fit.ts";
import type { DelightMaps } from "../src/pipeline/delight/maps.ts";
import { FACE_REGIONS, type ImageF32 } from "../src/types.ts";

// Skin and the lips' body colours (linear, unit shading: J = T) and a white light (grey in J).
const SKIN = [0.45, 0.3, 0.22], LIP = [0.38, 0.16, 0.15];
const W = 32, N = W * W, LIPS = FACE_REGIONS.indexOf("lips"), CHEEKS = FACE_REGIONS.indexOf("cheeks");
/** Lips in rows 10–21; in them a 4×4 glint of κ 0.15 (grey) at rows 16–19, columns 8–11, and rows 10–11 the skin above a vermilion border the region takes in. */
const inGlint = (x: number, y: number) => y >= 16 && y < 20 && x >= 8 && x < 12;
const isLips = (y: number) => y >= 10 && y < 22;

function scene() {
  const T = new Float32Array(N * 3), weights = new Float32Array(N * FACE_REGIONS.length);
  for (let p = 0; p < N; p++) {
    const x = p % W, y = Math.floor(p / W);
    const level = 1 + 0.03 * Math.sin(p * 1.3);
    const rgb = isLips(y) && y >= 12 ? LIP.map((v) => v + (inGlint(x, y) ? 0.15 : 0)) : SKIN;
    for (let c = 0; c < 3; c++) T[p * 3 + c] = level * rgb[c];
    weights[p * FACE_REGIONS.length + (isLips(y) ? LIPS : CHEEKS)] = 1;
  }
  const img = (data: Float32Array, channels: number): ImageF32 => ({ width: W, height: W, channels, data, colorSpace: channels === 3 ? "linear" : "data" });
  const input = {
    textureBase: img(T, 3), confidence: img(new Float32Array(N).fill(1), 1), normalsObject: img(new Float32Array(N * 3), 3),
    ambientOcclusion: img(new Float32Array(N).fill(1), 1), regions: { weights: img(weights, FACE_REGIONS.length) },
  } as DelightMaps;
  // The lighting fit's regional albedo: the lips' own colour for the lips, skin's for the rest.
  const fit = { regionAlbedo: Float64Array.from({ length: MODEL_REGIONS * 3 }, (_, i) => (Math.floor(i / 3) === LIPS ? LIP : SKIN)[i % 3]) } as unknown as LightingFit;
  return { input, T, fit };
}

describe("the lips' highlights, read against the lips' own colour", () => {
  const { input, T, fit } = scene();
  const seen = seenAlbedo(input, new Float32Array(N * 3).fill(1), fit, DELIGHT_DEFAULTS);
  const at = (x: number, y: number) => [0, 1, 2].map((c) => seen.J[(y * W + x) * 3 + c]);
  const photo = (x: number, y: number) => [0, 1, 2].map((c) => T[(y * W + x) * 3 + c]);

  it("takes a glint on the lips out of J down to the lips' colour, and hands it to the division", () => {
    const p = 17 * W + 9, level = 1 + 0.03 * Math.sin(p * 1.3);
    at(9, 17).forEach((v, c) => expect(v).toBeCloseTo(level * LIP[c], 1));
    expect(Math.abs(at(9, 17)[0] - level * LIP[0]) / LIP[0]).toBeLessThan(0.05);
    expect(seen.seen[p]).toBeGreaterThan(0);
    expect(seen.ownRemoval[p]).toBe(1);
    expect(seen.specWeight[p]).toBe(0);
  });

  it("leaves the lips' own colour and the skin the lip region takes in above the border", () => {
    expect(at(20, 14)).toEqual(photo(20, 14));
    expect(at(20, 10)).toEqual(photo(20, 10));
    expect(seen.ownRemoval[10 * W + 20]).toBe(0);
    expect(seen.ownRemoval[14 * W + 20]).toBe(0);
    // Neither is the graph's: the lips' own texel is read here, the skin in the region as before (its share of skin).
    expect(seen.specWeight[10 * W + 20]).toBe(0);
    expect(seen.specWeight[14 * W + 20]).toBe(0);
  });
});
