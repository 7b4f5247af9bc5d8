/**
 * head.babylon's number text (materials/json-number-text.ts): every float32 reads back as the same
 * float32 and every fixed-point value as the very double "ke-5" would give, in no more characters
 * than JSON.stringify's form; values at the awkward places (powers of ten, binade edges, tiny,
 * large, integers, −0) included.
 */
import { describe, expect, it } from "vitest";
import { AsciiJsonWriter } from "../materials/json-number-text.ts";

/** A deterministic spread of float32 values: random mantissas over many magnitudes, and edge cases. */
function float32Samples(): Float32Array {
  const out: number[] = [0, -0, 1, -1, 0.1, 0.5, 2, 10, 100, 123.456, 1e-7, 3.4e-20, 1e7, 16777216, 0.99999994, 1.0000001, 9.999999e-3, 0.001];
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 20000; i++) out.push((next() - 0.5) * 10 ** Math.floor(next() * 8 - 6));
  for (let k = -8; k <= 4; k++) out.push(10 ** k, Math.fround(10 ** k) * (1 + 2 ** -23), Math.fround(10 ** k) * (1 - 2 ** -24));
  return Float32Array.from(out);
}

function written(write: (w: AsciiJsonWriter) => void): string {
  const w = new AsciiJsonWriter();
  write(w);
  return w.text();
}

describe("AsciiJsonWriter", () => {
  it("writes float32 arrays that read back bit for bit, shorter than JSON.stringify", () => {
    const values = float32Samples();
    const text = written((w) => w.float32Array(values));
    const back = JSON.parse(text) as number[];
    expect(back.length).toBe(values.length);
    const mismatches = back.filter((v, i) => !Object.is(Math.fround(v), values[i]));
    expect(mismatches).toEqual([]);
    expect(text.length).toBeLessThan(0.65 * JSON.stringify(Array.from(values)).length);
    const longer = Array.from(values).filter((v) => written((w) => w.float32Array([v])).length - 2 > JSON.stringify(v).length + (Object.is(v, -0) ? 1 : 0));
    expect(longer).toEqual([]);
  });

  it("writes k·10⁻ᵉ as the same double as \"ke-e\", in its shortest exact form", () => {
    const ks = [0, 1, -1, 10, 100000, -100000, 12345, -12345, 8543, 543, -7, 120000, 99999, 100001, 2 ** 40 + 1];
    for (const e of [0, 1, 5, 9, 12]) {
      const text = written((w) => w.fixedPointArray(ks, e));
      const back = JSON.parse(text) as number[];
      ks.forEach((k, i) => expect(back[i], `${k}e-${e} written as ${text}`).toBe(Number(`${k}e-${e}`)));
      const items = text.slice(1, -1).split(",");
      expect(items.filter((item, i) => item.length > `${ks[i]}e-${e}`.length)).toEqual([]);
    }
    expect(written((w) => w.fixedPointArray([12345, 8543, 543, 120000, -50], 5))).toBe("[0.12345,0.08543,543e-5,1.2,-5e-4]");
  });

  it("writes integers and UTF-8 text as given", () => {
    expect(written((w) => { w.raw('{"name":"µ ü",'); w.integerArray([0, 7, 65535, 4294967295]); w.raw("}"); })).toBe('{"name":"µ ü",[0,7,65535,4294967295]}');
  });
});
