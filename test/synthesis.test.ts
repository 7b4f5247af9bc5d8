import { describe, expect, it } from "vitest";
import { orientedEnergy, synthesiseSkinDetail } from "../src/pipeline/complete/synthesis.ts";

// A 128×128 texture: the left half is the example (seen skin), the right half is to be synthesised.
const S = 128;
const hash = (x: number, y: number, c = 0) => {
  const s = Math.sin(x * 12.9898 + y * 78.233 + c * 37.719) * 43758.5453;
  return s - Math.floor(s);
};
/** Noise box-smoothed over (2k+1)² texels: mottling with a correlation length of about k texels. */
const mottle = (x: number, y: number, k: number) => {
  let s = 0;
  for (let dy = -k; dy <= k; dy++) for (let dx = -k; dx <= k; dx++) s += hash(x + dx, y + dy) - 0.5;
  return s / (2 * k + 1);
};
const inExample = (x: number) => x < S / 2;
const options = { cell: 8, sigma: 3, minConfidence: 0.7, minSources: 16 };

function build(f: (x: number, y: number) => number): { texture: Float32Array; example: Float32Array } {
  const texture = new Float32Array(S * S * 3);
  const example = new Float32Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const p = y * S + x;
    example[p] = inExample(x) ? 1 : 0;
    const v = inExample(x) ? 0.4 * Math.exp(f(x, y)) : 0;
    texture.set([v, 0.7 * v, 0.5 * v], 3 * p);
  }
  return { texture, example };
}

/** Mean of the synthesised luminance detail's oriented energy over the target half, and the share above `limit`. */
function targetEnergy(detail: Float32Array, limit: number): { mean: number; above: number } {
  const ok = Uint8Array.from({ length: S * S }, (_, p) => (inExample(p % S) ? 0 : 1));
  const e = orientedEnergy(detail, 3, ok, S, S, 4);
  let sum = 0, n = 0, above = 0;
  for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) {
    const v = e[y * S + x];
    sum += v;
    n++;
    if (v > limit) above++;
  }
  return { mean: sum / n, above: above / n };
}

describe("skin detail synthesis", () => {
  it("does not copy folds: a strong vertical crease in the example does not reach the synthesised skin", () => {
    const plain = build((x, y) => 0.6 * mottle(x, y, 1));
    // A crease (a fold's shading): a 2-texel-wide dark line down the middle of the example.
    const creased = build((x, y) => 0.6 * mottle(x, y, 1) - (x === 30 || x === 31 ? 0.5 : 0));
    const fromPlain = synthesiseSkinDetail(plain.texture, 3, plain.example, S, S, options)!;
    const fromCreased = synthesiseSkinDetail(creased.texture, 3, creased.example, S, S, options)!;
    expect(fromPlain).not.toBeNull();
    expect(fromCreased).not.toBeNull();
    // What plain mottling gives, and the creased example's own oriented energy for scale.
    const reference = targetEnergy(fromPlain, Infinity).mean;
    const exampleOk = Uint8Array.from({ length: S * S }, (_, p) => (inExample(p % S) ? 1 : 0));
    const creasedDetail = new Float32Array(S * S * 3);
    for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) creasedDetail[3 * p + c] = inExample(p % S) ? Math.log(creased.texture[3 * p + c] / 0.4 / [1, 0.7, 0.5][c]) : 0;
    const eCreased = orientedEnergy(creasedDetail, 3, exampleOk, S, S, 4);
    let onCrease = 0, n = 0;
    for (let y = 8; y < S - 8; y++) for (let x = 28; x < 34; x++) (onCrease += eCreased[y * S + x]), n++;
    expect(onCrease / n).toBeGreaterThan(5 * reference); // the crease is strongly oriented
    const synthesised = targetEnergy(fromCreased, 3 * reference);
    expect(synthesised.mean).toBeLessThan(1.5 * reference);
    expect(synthesised.above).toBeLessThan(0.05);
  });

  it("keeps the texture's size in mm where the atlas is stretched", () => {
    const { texture, example } = build((x, y) => mottle(x, y, 3));
    // Target texels cover 2 mm across (x) and 1 mm along (y); example texels 1 mm both ways.
    const axes = new Float32Array(S * S * 2);
    for (let p = 0; p < S * S; p++) axes.set(inExample(p % S) ? [1, 1] : [2, 1], 2 * p);
    const correlation = (d: Float32Array, dx: number, dy: number) => {
      let sab = 0, saa = 0, sbb = 0;
      for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) {
        const a = d[3 * (y * S + x)], b = d[3 * ((y + dy) * S + x + dx)];
        sab += a * b;
        saa += a * a;
        sbb += b * b;
      }
      return sab / Math.sqrt(saa * sbb);
    };
    const same = synthesiseSkinDetail(texture, 3, example, S, S, options)!;
    const scaled = synthesiseSkinDetail(texture, 3, example, S, S, options, axes)!;
    // Without the atlas's scale the texture is as wide as tall in texels…
    expect(Math.abs(correlation(same, 2, 0) - correlation(same, 0, 2))).toBeLessThan(0.15);
    // …with it, a mottle spans half as many texels across as along: lag 2 across ≈ lag 4 along.
    expect(correlation(scaled, 2, 0)).toBeLessThan(correlation(scaled, 0, 2) - 0.15);
    expect(Math.abs(correlation(scaled, 2, 0) - correlation(scaled, 0, 4))).toBeLessThan(0.15);
  });

  it("shows the average of the skin a large texel covers, not one fine grain of it", () => {
    const { texture, example } = build((x, y) => 0.6 * mottle(x, y, 0));
    // Target texels 4 mm a side, example texels 1 mm: each target texel spans 16 example texels.
    const axes = new Float32Array(S * S * 2);
    for (let p = 0; p < S * S; p++) axes.set(inExample(p % S) ? [1, 1] : [4, 4], 2 * p);
    const spread = (d: Float32Array) => {
      let s2 = 0, n = 0;
      for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) (s2 += d[3 * (y * S + x)] ** 2), n++;
      return Math.sqrt(s2 / n);
    };
    const fine = spread(synthesiseSkinDetail(texture, 3, example, S, S, options)!);
    const coarse = spread(synthesiseSkinDetail(texture, 3, example, S, S, options, axes)!);
    // Per-texel grain averaged over 4 × 4: a quarter of the spread (half, allowing for the high-pass's own correlation).
    expect(coarse).toBeLessThan(0.5 * fine);
    expect(coarse).toBeGreaterThan(0);
  });

  it("draws no streaks where the atlas's texels are long and thin: detail is as coarse across as along", () => {
    const { texture, example } = build((x, y) => 0.6 * mottle(x, y, 0));
    // Target texels 1 mm across (x), 3 mm along (y): the surface can show no detail finer than
    // 3 mm along; finer detail kept across only would read as streaks along y.
    const axes = new Float32Array(S * S * 2);
    for (let p = 0; p < S * S; p++) axes.set(inExample(p % S) ? [1, 1] : [1, 3], 2 * p);
    const d = synthesiseSkinDetail(texture, 3, example, S, S, options, axes)!;
    let sab = 0, saa = 0, sbb = 0;
    for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) {
      const a = d[3 * (y * S + x)], b = d[3 * (y * S + x + 1)];
      (sab += a * b), (saa += a * a), (sbb += b * b);
    }
    // Neighbours 1 mm apart across share most of their 3 mm footprint (a 1-mm box would share none).
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.4);
  });

  // A nasolabial-like fold: a dark band (Gaussian, σ 3 texels) with a lit ridge beside it. Its
  // oriented energy peaks on the band's flanks, so a patch centred a few texels off the band has
  // little energy at its centre and still spans the fold's edge.
  const band = (x: number, c: number, a: number) => a * Math.exp(-((x - c) ** 2) / 18);
  const folded = build((x, y) => 0.2 * (hash(x, y) - 0.5) - band(x, 30, 0.6) + band(x, 37.5, 0.3));
  /** Share of target texels on a copied fold edge: a straight 7-texel run along x or y (the copies' rotations keep strokes on the axes) whose mean lies 1.5 SD below the detail's; white noise alone makes almost none. */
  const strokeShare = (detail: Float32Array) => {
    let s2 = 0, n = 0;
    for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) (s2 += detail[3 * (y * S + x)] ** 2), n++;
    const sd = Math.sqrt(s2 / n);
    let strokes = 0;
    for (let y = 8; y < S - 8; y++) for (let x = S / 2 + 8; x < S - 8; x++) {
      let along = 0, across = 0;
      for (let k = -3; k <= 3; k++) (along += detail[3 * (y * S + x + k)]), (across += detail[3 * ((y + k) * S + x)]);
      if (Math.min(along, across) / 7 < -1.5 * sd) strokes++;
    }
    return strokes / n;
  };

  it("copies no part of a fold: a patch that reaches a wide fold is no source, even one centred beside it", () => {
    expect(strokeShare(synthesiseSkinDetail(folded.texture, 3, folded.example, S, S, options)!)).toBeLessThan(0.003);
  });

});
