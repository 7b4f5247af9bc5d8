/**
 * A cap's brim shades the forehead down to the brows and, between them, the glabella (issue 13,
 * d3dfr-015259): a synthetic frontal photo with a dark brim over the forehead's top, the strip
 * below it at 75 % of the skin's light down to the nose's root, and lit skin below, through the
 * whole mask stage. The shadowed glabella must come out occluded (unseen, filled) but not hidden
 * from the fit, the lit cheeks neither.
 */
import { describe, expect, it } from "vitest";
import { faceMasks, SELFIE_INPUT } from "../src/pipeline/capture/masks.ts";
import { frontalLandmarksPx } from "./support/frontal-landmarks.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

const W = 320, H = 320;
const SKIN = [0.8, 0.6, 0.5];
const BRIM = [0.12, 0.09, 0.08];
// The shadow's light: darker than skin's own spread by far, but inside the colour model's wide lightness band (shading).
const SHADE = 0.75;

describe("the brim's shadow between the brows", () => {
  it("labels the shadowed glabella an occluder and leaves the lit cheeks skin", async () => {
    const lm = frontalLandmarksPx(W, H, 200 / 0.14);
    const y = (k: number) => lm[k * 3 + 1], x = (k: number) => lm[k * 3];
    const browTop = Math.min(...[...T.RIGHT_BROW, ...T.LEFT_BROW].map(y));
    const brimBottom = y(T.FOREHEAD_TOP) + 0.3 * (browTop - y(T.FOREHEAD_TOP));
    const shadowBottom = y(T.NOSE_ROOT);
    const data = new Float32Array(W * H * 3);
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        // Skin's own lightness varies (pores, blood): ±3 % in a deterministic pattern.
        const mottle = 1 + 0.03 * Math.sin(i * 0.9 + 1.3 * Math.sin(j * 0.7)) * Math.sin(j * 1.1 + i * 0.3);
        const light = j < shadowBottom ? SHADE : 1;
        data.set(j < brimBottom ? BRIM : SKIN.map((v) => v * mottle * light), (j * W + i) * 3);
      }
    }
    const image: ImageF32 = { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
    const roi = { cx: W / 2, cy: (y(T.FOREHEAD_TOP) + y(T.CHIN)) / 2, size: 260, theta: 0 };
    const allPerson = async () => ({ activation_10: new Float32Array(SELFIE_INPUT * SELFIE_INPUT).fill(1) });
    const { masks, hidden } = await faceMasks({ image, landmarks: lm, roi }, allPerson);
    // The glabella: between the brows' inner ends, below their top, above the nose's root, clear of
    // the brow and eye zones (the brow polygons grown by a third, as masks.ts keeps them).
    const zone = new Uint8Array(W * H);
    const grown = (part: number[]) => {
      const cx = part.reduce((a, k) => a + x(k), 0) / part.length, cy = part.reduce((a, k) => a + y(k), 0) / part.length;
      return part.flatMap((k) => [cx + 1.35 * (x(k) - cx), cy + 1.35 * (y(k) - cy)]);
    };
    for (const part of [T.RIGHT_BROW, T.LEFT_BROW, T.RIGHT_EYE_RING, T.LEFT_EYE_RING]) fillPolygon(zone, W, H, grown(part), 0, 0);
    const [innerR, innerL] = [Math.max(...T.RIGHT_BROW.map(x)), Math.min(...T.LEFT_BROW.map(x))].sort((a, b) => a - b);
    let glabella = 0, occluded = 0, seenForFit = 0, cheeks = 0, falseAlarm = 0;
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const p = j * W + i;
        if (!zone[p] && j > browTop && j < shadowBottom - 1 && i > innerR + 1 && i < innerL - 1) (glabella++, (occluded += masks.occluder.data[p] >= 0.5 ? 1 : 0), (seenForFit += hidden.data[p] < 0.5 ? 1 : 0));
        if (j > y(T.SUBNASALE) && j < y(T.MOUTH_RIGHT) && (i < x(T.MOUTH_RIGHT) || i > x(T.MOUTH_LEFT))) (cheeks++, (falseAlarm += masks.occluder.data[p] >= 0.5 ? 1 : 0));
      }
    }
    expect(glabella).toBeGreaterThan(20);
    expect(occluded / glabella).toBeGreaterThan(0.9);
    // The shadow is not albedo, but it hides nothing: the landmarks under it keep their confidence.
    expect(seenForFit / glabella).toBeGreaterThan(0.9);
    expect(falseAlarm / cheeks).toBeLessThan(0.01);
  });
});
