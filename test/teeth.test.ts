/**
 * The teeth's window (capture/teeth.ts): enamel found where the mouth shows it, between the lips,
 * whatever share of the opening the dark oral cavity takes, and nothing on soft tissue alone.
 */
import { describe, expect, it } from "vitest";
import { measureTeeth, upperClass } from "../src/pipeline/capture/teeth.ts";
import { srgbToLinear } from "../src/primitives/color.ts";
import { LIPS_OUTER, MOUTH_INNER, MOUTH_LEFT, MOUTH_RIGHT } from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

const SKIN = [0.75, 0.55, 0.45];
const LIPS = [0.7, 0.35, 0.35];
const CAVITY = [0.08, 0.03, 0.03];
const TONGUE = [0.6, 0.3, 0.3];
const ENAMEL = [0.86, 0.8, 0.62];

/**
 * A mouth drawn in sRGB: inner lip contour an ellipse of half-height `inner`, outer one of `outer`,
 * both 40 px half-wide. `paint(v)` colours a pixel between the lips by its signed height v (px,
 * negative up) over the local half-height of the inner contour; lips between the contours, skin beyond.
 */
function mouth(inner: number, outer: number, paint: (v: number, halfHeight: number) => number[]) {
  const W = 160;
  const H = 120;
  const cx = 80;
  const cy = 60;
  const a = 40;
  const lm = new Float32Array(478 * 3);
  MOUTH_INNER.forEach((i, k) => {
    const t = k <= 10 ? Math.PI - (k * Math.PI) / 10 : (-(k - 10) * Math.PI) / 10;
    lm.set([cx + a * Math.cos(t), cy + inner * Math.sin(t), 0], i * 3);
    lm.set([cx + (a + 4) * Math.cos(t), cy + outer * Math.sin(t), 0], LIPS_OUTER[k] * 3);
  });
  lm.set([cx - a - 4, cy, 0], MOUTH_RIGHT * 3);
  lm.set([cx + a + 4, cy, 0], MOUTH_LEFT * 3);
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = (x + 0.5 - cx) / a;
      const dy = y + 0.5 - cy;
      const across = Math.sqrt(Math.max(0, 1 - u * u));
      let c = SKIN;
      if (Math.abs(u) < 1 && Math.abs(dy) < outer * across) c = LIPS;
      const half = inner * across;
      if (Math.abs(u) < 1 && half > 0 && Math.abs(dy) < half + 6 * across) c = paint(dy, half);
      data.set(c, (y * W + x) * 3);
    }
  }
  return { image: { width: W, height: H, channels: 3, data, colorSpace: "srgb" } as ImageF32, lm };
}

const close = (rgb: number[] | null, srgb: number[]) => rgb !== null && srgb.every((s, c) => Math.abs(rgb[c] - srgbToLinear(s)) / srgbToLinear(s) < 0.03);

describe("measureTeeth's window", () => {
  it("finds the upper teeth in a smile whose inner lip contour lies on the teeth's edge", () => {
    // The mesh's inner contour runs along the dark gap between the arches; the teeth show above
    // and below it, under the lips' edge, outside the contour.
    const { image, lm } = mouth(4, 16, (v, half) => (Math.abs(v) < half ? CAVITY : v < 0 ? ENAMEL : LIPS));
    const m = measureTeeth(image, lm);
    expect(m.reliable).toBe(true);
    expect(close(m.rgb, ENAMEL)).toBe(true);
  });

  it("finds a narrow row of teeth in a wide, dark mouth", () => {
    // Open wide: a band of upper incisors under the lip, then the dark cavity and the tongue; the
    // enamel is a small share of the opening.
    const { image, lm } = mouth(18, 28, (v, half) => (v < -0.75 * half ? ENAMEL : v < 0.5 * half ? CAVITY : TONGUE));
    const m = measureTeeth(image, lm);
    expect(m.reliable).toBe(true);
    expect(close(m.rgb, ENAMEL)).toBe(true);
  });

  it("reads the teeth's colour in an open mouth, leaving out the cavity, the tongue and the lips", () => {
    const { image, lm } = mouth(14, 22, (v, half) => (v < 0.1 * half ? ENAMEL : v < 0.5 * half ? CAVITY : TONGUE));
    const m = measureTeeth(image, lm);
    expect(m.reliable).toBe(true);
    expect(close(m.rgb, ENAMEL)).toBe(true);
  });

  it("does not look between closed lips", () => {
    const { image, lm } = mouth(1.2, 9, (v, half) => (Math.abs(v) < half ? CAVITY : ENAMEL));
    expect(measureTeeth(image, lm).reason).toMatch(/closed/);
  });

  it("finds no enamel in an open mouth of cavity, tongue and lips", () => {
    const { image, lm } = mouth(18, 28, (v, half) => (v < 0.3 * half ? CAVITY : TONGUE));
    const m = measureTeeth(image, lm);
    expect(m.reliable).toBe(false);
    expect(m.reason).toMatch(/enamel/);
  });
});

describe("upperClass", () => {
  it("splits two populations at the gap between them, whatever their sizes", () => {
    const values = [...Array.from({ length: 90 }, (_, i) => -4 + 0.01 * i), ...Array.from({ length: 10 }, (_, i) => -1 + 0.01 * i)];
    expect(upperClass(values, (v) => v)).toEqual(values.slice(90));
    expect(upperClass([1, 1, 1, 1], (v) => v)).toHaveLength(4);
  });
});
