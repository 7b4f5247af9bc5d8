/**
 * The speed-ups that must not change a bit (perf3): the typed-array mapping loops store what
 * TypedArray.from stores, fit's warp reuses its factors only for the same system, and the skin
 * detail synthesised for the wanted texels alone equals the whole map's there.
 */
import { describe, expect, it } from "vitest";
import { f32Of, f64Of, mapF32, mapF64, mapU8, u8Of } from "../src/primitives/typed-array.ts";
import { fitFactoredWarp, fitWarp } from "../src/pipeline/fit/warp.ts";
import { synthesiseSkinDetail } from "../src/pipeline/complete/synthesis.ts";

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe("typed-array mapping", () => {
  // Values that round differently in float32, wrap in uint8, and NaN/−0/Infinity.
  const source = Float64Array.from([0.1, 1 / 3, -0, NaN, Infinity, -2.5, 255.7, 256, 1e-46, 3.4e39]);
  const fn = (v: number, i: number) => v * 1.000001 + i;

  it("stores what TypedArray.from stores", () => {
    expect(sameBits(mapF32(source, fn), Float32Array.from(source, fn))).toBe(true);
    expect(sameBits(mapF64(source, fn), Float64Array.from(source, fn))).toBe(true);
    expect(sameBits(mapU8(source, fn), Uint8Array.from(source, fn))).toBe(true);
    const byIndex = (i: number) => source[i] / 7;
    expect(sameBits(f32Of(source.length, byIndex), Float32Array.from({ length: source.length }, (_, i) => byIndex(i)))).toBe(true);
    expect(sameBits(f64Of(source.length, byIndex), Float64Array.from({ length: source.length }, (_, i) => byIndex(i)))).toBe(true);
    expect(sameBits(u8Of(source.length, byIndex), Uint8Array.from({ length: source.length }, (_, i) => byIndex(i)))).toBe(true);
  });
});

describe("fitFactoredWarp's reused factors", () => {
  const centres = Float64Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i * 1.7) * 0.1);
  const lambda = Float64Array.from({ length: 40 }, (_, i) => (i % 3) * 1e-3);
  const disp = (s: number) => Float64Array.from({ length: 3 * 40 }, (_, i) => Math.cos(i * s) * 1e-3);

  it("solve the same system as a fresh factorisation, bit for bit", () => {
    fitFactoredWarp({ centres, displacements: disp(0.3), lambda }); // leaves its factors behind
    const reused = fitFactoredWarp({ centres, displacements: disp(0.9), lambda });
    expect(sameBits(reused.warp.coefficients, fitWarp(centres, disp(0.9), lambda).coefficients)).toBe(true);
  });

  it("are not reused when the smoothing differs", () => {
    fitFactoredWarp({ centres, displacements: disp(0.3), lambda });
    const other = lambda.map((v) => v + 2e-3);
    const warp = fitFactoredWarp({ centres, displacements: disp(0.3), lambda: other });
    expect(sameBits(warp.warp.coefficients, fitWarp(centres, disp(0.3), other).coefficients)).toBe(true);
    expect(sameBits(warp.warp.coefficients, fitWarp(centres, disp(0.3), lambda).coefficients)).toBe(false);
  });
});

describe("skin detail for the wanted texels only", () => {
  it("equals the whole map's detail there and is 0 elsewhere", () => {
    const S = 96;
    const texture = new Float32Array(S * S * 3);
    const example = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const p = y * S + x;
      for (let c = 0; c < 3; c++) texture[3 * p + c] = 0.4 + 0.1 * Math.sin(x * 0.9 + c) * Math.cos(y * 1.3);
      example[p] = x < S / 2 ? 1 : 0;
    }
    const options = { cell: 8, sigma: 3, minConfidence: 0.7, minSources: 16 };
    const wanted = Uint8Array.from({ length: S * S }, (_, p) => (p % S >= S / 2 && (p >> 3) % 2 === 0 ? 1 : 0));
    const whole = synthesiseSkinDetail(texture, 3, example, S, S, options)!;
    const part = synthesiseSkinDetail(texture, 3, example, S, S, options, undefined, wanted)!;
    let checked = 0, wrong = 0;
    for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) {
      if (wanted[p]) (checked++, (wrong += Object.is(part[3 * p + c], whole[3 * p + c]) ? 0 : 1));
      else wrong += part[3 * p + c] === 0 ? 0 : 1;
    }
    expect(wrong).toBe(0);
    expect(checked).toBeGreaterThan(1000);
    expect(whole.some((v, i) => v !== 0 && !wanted[Math.floor(i / 3)])).toBe(true);
  });
});
