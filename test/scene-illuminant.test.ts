import { describe, expect, it } from "vitest";
import { sceneIlluminant } from "../src/pipeline/capture/scene-illuminant.ts";
import type { ImageF32 } from "../src/types.ts";
import { prng } from "./support/synthetic-skin.ts";

const toSrgb = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);

/**
 * A Mondrian: random grey-ish patches (reflectances 0.05..0.6, mildly coloured, grey on average)
 * under a light of colour `light` (linear), as an sRGB photo; the middle square is "face skin".
 */
function mondrian(light: [number, number, number], options: { size?: number; backdrop?: [number, number, number] } = {}): { image: ImageF32; skin: ImageF32 } {
  const size = options.size ?? 320;
  const rand = prng(7);
  const patches = Array.from({ length: 120 }, () => {
    const base = 0.05 + 0.55 * rand();
    const tint = [0, 1, 2].map(() => 0.75 + 0.5 * rand());
    return { x: rand() * size, y: rand() * size, w: 10 + rand() * 60, h: 10 + rand() * 60, rgb: tint.map((t) => base * t) };
  });
  const image: ImageF32 = { width: size, height: size, channels: 3, data: new Float32Array(size * size * 3), colorSpace: "srgb" };
  const skin: ImageF32 = { width: size, height: size, channels: 1, data: new Float32Array(size * size), colorSpace: "data" };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rgb: readonly number[] = options.backdrop ?? [0.3, 0.3, 0.3];
      for (const p of patches) if (x >= p.x && x < p.x + p.w && y >= p.y && y < p.y + p.h) rgb = p.rgb;
      const face = Math.abs(x - size / 2) < size / 6 && Math.abs(y - size / 2) < size / 5;
      if (face) rgb = [0.45, 0.25, 0.18];
      skin.data[y * size + x] = face ? 1 : 0;
      for (let c = 0; c < 3; c++) image.data[(y * size + x) * 3 + c] = toSrgb(Math.min(1, rgb[c] * light[c]));
    }
  }
  return { image, skin };
}

describe("scene illuminant (grey-world ∧ grey-edge)", () => {
  it("finds a warm light's colour from the scene around the face", () => {
    const warm: [number, number, number] = [1, 0.62, 0.4];
    const { image, skin } = mondrian(warm);
    const e = sceneIlluminant(image, skin);
    expect(e.rgb[0]).toBe(1);
    // Each statistic sees the warm light; the estimate keeps the smaller of the two shifts, so it
    // lies between neutral and the truth, and at least halfway there (in log).
    for (const c of [1, 2]) {
      for (const est of [e.greyWorld, e.greyEdge]) expect(Math.abs(Math.log(est[c] / warm[c]))).toBeLessThan(0.2);
      const share = Math.log(e.rgb[c]) / Math.log(warm[c]);
      expect(share).toBeGreaterThan(0.5);
      expect(share).toBeLessThan(1.1);
    }
    expect(e.pixels).toBeGreaterThan(2000);
  });

  it("stays neutral under a white light, and ignores the face itself", () => {
    const { image, skin } = mondrian([1, 1, 1]);
    const e = sceneIlluminant(image, skin);
    for (const v of e.rgb) expect(Math.abs(Math.log(v))).toBeLessThan(0.1);
    // The face (strongly red) is excluded: an all-face mask leaves no scene to measure, hence neutral.
    const all = { ...skin, data: skin.data.map(() => 1) };
    expect(sceneIlluminant(image, all).rgb).toEqual([1, 1, 1]);
  });

  it("takes no cool shift: a blue backdrop does not make the skin darker", () => {
    const { image, skin } = mondrian([1, 1, 1], { backdrop: [0.2, 0.35, 0.6] });
    const e = sceneIlluminant(image, skin);
    expect(e.greyWorld[2]).toBeGreaterThan(1.2); // grey-world is fooled…
    expect(e.rgb[2]).toBe(1); // …the estimate is not
  });

  it("names a photo that is not sRGB or a mask of another size", () => {
    const { image, skin } = mondrian([1, 1, 1], { size: 64 });
    expect(() => sceneIlluminant({ ...image, colorSpace: "linear" }, skin)).toThrow(/sRGB/);
    expect(() => sceneIlluminant(image, { ...skin, width: 32 })).toThrow(/sizes differ/);
  });
});
