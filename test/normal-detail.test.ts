import { describe, expect, it } from "vitest";
import { normalDetail } from "../eval/normal-detail.ts";
import { FACE_REGIONS, type ImageF32, type RegionMaps } from "../src/types.ts";

function maps(slope: (x: number, y: number) => number, w = 64, h = 96) {
  const ns = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const s = slope(x, y), l = Math.hypot(s, 1), p = 3 * (y * w + x);
    ns[p] = -s / l; ns[p + 2] = 1 / l;
  }
  const nt: ImageF32 = { width: 16, height: 24, channels: 3, data: new Float32Array(16 * 24 * 3).map((_, i) => (i % 3 === 2 ? 1 : 0)), colorSpace: "data" };
  const weights = new Float32Array(16 * 24 * FACE_REGIONS.length);
  for (let p = 0; p < 16 * 24; p++) weights[p * FACE_REGIONS.length + FACE_REGIONS.indexOf("cheeks")] = 1;
  const regions: RegionMaps = { weights: { width: 16, height: 24, channels: FACE_REGIONS.length, data: weights, colorSpace: "data" } };
  return { ns: { width: w, height: h, channels: 3, data: ns, colorSpace: "data" } as ImageF32, nt, regions };
}

describe("eval normal detail", () => {
  it("is 0 for N_S = N_T and the RMS slope of a known pattern, with its power at the pattern's frequency", () => {
    const flat = maps(() => 0);
    expect(normalDetail(flat.ns, flat.nt, flat.regions, 0.1, 1).regions.cheeks!.slopeRms).toBeCloseTo(0, 6);
    // A sinusoid of amplitude 0.2 and period 8 texels at 0.1 mm/texel: 1.25 cycles/mm, RMS 0.2/√2.
    const wave = maps((x) => 0.2 * Math.sin((2 * Math.PI * x) / 8));
    const d = normalDetail(wave.ns, wave.nt, wave.regions, 0.1, 1);
    expect(d.regions.cheeks!.slopeRms).toBeCloseTo(0.2 / Math.SQRT2, 2);
    const peak = d.regions.cheeks!.spectrum.indexOf(Math.max(...d.regions.cheeks!.spectrum));
    expect(d.bandsCyclesPerMm[peak]).toBeLessThanOrEqual(1.25);
    expect(d.bandsCyclesPerMm[peak + 1]).toBeGreaterThan(1.25);
    expect(d.regions.forehead).toBeUndefined();
  });
});
