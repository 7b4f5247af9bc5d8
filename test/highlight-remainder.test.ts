import { describe, expect, it } from "vitest";
import { DELIGHT_DEFAULTS } from "../src/pipeline/delight.ts";
import { seenAlbedo } from "../src/pipeline/delight/albedo.ts";
import { offPlane } from "../src/pipeline/delight/dichromatic.ts";
import { MODEL_REGIONS, type LightingFit } from "../src/pipeline/delight/fit.ts";
import type { DelightMaps } from "../src/pipeline/delight/maps.ts";
import type { ImageF32 } from "../src/types.ts";

// Skin's body colour and a white light (grey in J): a highlight is body·α + κ·(1, 1, 1).
const body = [0.45, 0.25, 0.17];
const bodyLum = 0.2126 * body[0] + 0.7152 * body[1] + 0.0722 * body[2];
// A unit direction off the dichromatic plane: body × (1, 1, 1), normalised.
const cross = [body[1] - body[2], body[2] - body[0], body[0] - body[1]];
const off = cross.map((v) => v / Math.hypot(...cross));
/** A texel of unit body part, a highlight of κ per channel and an off-plane remainder of `residue` × the body's luminance. */
const texel = (kappa: number, residue: number) => body.map((v, c) => v + kappa + residue * bodyLum * off[c]);

describe("a highlight's off-colour remainder, read against its diffuse part", () => {
  it("measures the remainder against the body part, whatever the highlight on top", () => {
    expect(offPlane(texel(0.6, 0), body)).toBeLessThan(1e-6);
    // The same remainder under a dim and a bright highlight: the same share of the body part.
    expect(offPlane(texel(0.05, 0.12), body)).toBeCloseTo(0.12, 3);
    expect(offPlane(texel(0.6, 0.12), body)).toBeCloseTo(0.12, 3);
    // Nothing of the body left: all highlight, no albedo to read.
    expect(offPlane([0.5, 0.5, 0.5], body)).toBe(Infinity);
  });

  it("completes a bright highlight whose remainder is off skin's colour, keeps one that is skin plus the light", () => {
    // 32×32 texels of skin (±5 % in level), unit shading; two 6×6 highlights of κ 0.4 (1.4 times
    // the body's luminance, in grey; below the clip level): one skin plus the light, one with a
    // remainder 0.12 of the body off the plane (past twice the removal's tolerance of its diffuse
    // part, a twentieth of the whole).
    const w = 32, n = w * w;
    const T = new Float32Array(n * 3);
    const inBlock = (p: number, x0: number) => p % w >= x0 && p % w < x0 + 6 && Math.floor(p / w) >= 13 && Math.floor(p / w) < 19;
    for (let p = 0; p < n; p++) {
      const level = 1 + 0.05 * Math.sin(p * 1.3);
      const rgb = inBlock(p, 5) ? texel(0.4, 0) : inBlock(p, 21) ? texel(0.4, 0.12) : body;
      for (let c = 0; c < 3; c++) T[p * 3 + c] = level * rgb[c];
    }
    const img = (data: Float32Array, channels: number): ImageF32 => ({ width: w, height: w, channels, data, colorSpace: "linear" });
    const input = { textureBase: img(T, 3), confidence: img(new Float32Array(n).fill(1), 1), normalsObject: img(new Float32Array(n * 3), 3), ambientOcclusion: img(new Float32Array(n).fill(1), 1) } as DelightMaps;
    const fit = { regionAlbedo: Float64Array.from({ length: MODEL_REGIONS * 3 }, (_, i) => body[i % 3]) } as unknown as LightingFit;
    const seen = seenAlbedo(input, new Float32Array(n * 3).fill(1), fit, DELIGHT_DEFAULTS).seen;
    const centre = (x0: number) => (16 * w + x0 + 3);
    expect(seen[centre(5)]).toBeGreaterThan(0);
    expect(seen[centre(21)]).toBe(0);
    // Read against the whole texel it passed.
    expect((0.12 * bodyLum) / (bodyLum + 0.4)).toBeLessThan(2 * DELIGHT_DEFAULTS.specularTolerance);
    // Plain skin stays seen.
    expect(seen[2 * w + 2]).toBeGreaterThan(0);
  });
});
