/**
 * Hair over the forehead is not skin (issue 13): a synthetic frontal photo with a fringe of thin
 * strands hanging from the hair onto a mottled forehead, once dark and once pale (blonde, the
 * skin's own lightness and nearly its chroma, told only by its strands), through the whole mask
 * stage. Strand pixels inside the face oval must come out occluded, bare skin must not.
 */
import { describe, expect, it } from "vitest";
import { faceMasks, SELFIE_INPUT, toYcc } from "../src/pipeline/capture/masks.ts";
import { strandOrientation } from "../src/pipeline/capture/strand-texture.ts";
import { frontalLandmarksPx } from "./support/frontal-landmarks.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

/** A small deterministic pseudo-random sequence (tests only). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const W = 320, H = 320;
const SKIN = [0.8, 0.6, 0.5];

interface Hair {
  /** Base colour of a strand, sRGB. */
  rgb: number[];
  /** Lightness swing along a strand's cross-section (highlight to shadow), sRGB units. */
  swing: number;
}

/**
 * The photo: skin everywhere below the hairline with a pore-scale mottle, hair above it (strands
 * every 4 px drawn as stripes), and a fringe: strands 2 px wide every 6 px, leaning, hanging from
 * the hair down to `fringeBottom`, over the middle of the forehead.
 */
function fringePhoto(hair: Hair) {
  const pxPerM = 200 / 0.14;
  const lm = frontalLandmarksPx(W, H, pxPerM);
  const top = lm[T.FOREHEAD_TOP * 3 + 1];
  const hairline = top - 6;
  const browTop = Math.min(...T.RIGHT_BROW.map((k) => lm[k * 3 + 1]));
  const fringeBottom = top + 0.45 * (browTop - top);
  const rnd = lcg(11);
  const data = new Float32Array(W * H * 3);
  // Strand coordinate across the strands: they lean by 0.25 px per px downward.
  const across = (x: number, y: number) => x - 0.25 * (y - hairline);
  const isFringeStrand = (x: number, y: number) => y >= hairline && y < fringeBottom && Math.abs(x - W / 2) < 45 && ((across(x, y) % 6) + 6) % 6 < 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const mottle = 0.025 * Math.sin(x * 0.9 + 1.3 * Math.sin(y * 0.7)) * Math.sin(y * 1.1 + x * 0.3) + 0.03 * (rnd() - 0.5);
      // Blood and melanin move the channels unequally: the mottle has chroma as well as lightness.
      let rgb = SKIN.map((v, c) => v + mottle * [1, 1.3, 1.2][c] + 0.008 * (rnd() - 0.5));
      // The hair above the hairline is striped (highlight and shadow across its strands); a lone
      // strand over the forehead is its base colour, a thin line against the skin.
      if (y < hairline) rgb = hair.rgb.map((v) => v + hair.swing * Math.cos((2 * Math.PI * across(x, y)) / 4) + 0.01 * (rnd() - 0.5));
      else if (isFringeStrand(x, y)) rgb = hair.rgb.map((v) => v + 0.01 * (rnd() - 0.5));
      data.set(rgb, (y * W + x) * 3);
    }
  }
  const image: ImageF32 = { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
  const roi = { cx: W / 2, cy: (top + lm[T.CHIN * 3 + 1]) / 2, size: 260, theta: 0 };
  const oval = new Uint8Array(W * H);
  fillPolygon(oval, W, H, T.FACE_OVAL.flatMap((k) => [lm[k * 3], lm[k * 3 + 1]]), 0, 0);
  return { image, lm, roi, oval, isFringeStrand, fringeBottom };
}

const allPerson = async () => ({ activation_10: new Float32Array(SELFIE_INPUT * SELFIE_INPUT).fill(1) });

async function scoreFringe(hair: Hair) {
  const { image, lm, roi, oval, isFringeStrand, fringeBottom } = fringePhoto(hair);
  const { masks } = await faceMasks({ image, landmarks: lm, roi }, allPerson);
  let strands = 0, hit = 0, bare = 0, falseAlarm = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!oval[i]) continue;
      const notSkin = masks.occluder.data[i] >= 0.5 ? 1 : 0;
      if (isFringeStrand(x, y)) (strands++, (hit += notSkin));
      // Bare skin: clear of the fringe by 6 px (a mixed edge may go either way).
      else if (y > fringeBottom + 6) (bare++, (falseAlarm += notSkin));
    }
  }
  return { strandShare: hit / strands, falseShare: falseAlarm / bare, strands };
}

describe("hair strands over the forehead", () => {
  it("masks thin dark strands of a fringe and leaves bare skin", async () => {
    const r = await scoreFringe({ rgb: [0.2, 0.14, 0.1], swing: 0.04 });
    expect(r.strands).toBeGreaterThan(300);
    expect(r.strandShare).toBeGreaterThanOrEqual(0.9);
    expect(r.falseShare).toBeLessThanOrEqual(0.02);
  });

  it("masks pale low-contrast (blonde) strands whose colour is nearly the skin's", async () => {
    // Blonde: the skin's lightness, a little yellower; only the strand stripes tell it from skin.
    const r = await scoreFringe({ rgb: [0.73, 0.57, 0.425], swing: 0.07 });
    expect(r.strands).toBeGreaterThan(300);
    expect(r.strandShare).toBeGreaterThanOrEqual(0.9);
    expect(r.falseShare).toBeLessThanOrEqual(0.02);
  });
});

describe("strandOrientation", () => {
  /** Median orientation over the middle of a 64 × 64 patch drawn by `rgb(x, y)`. */
  function medianOrientation(rgb: (x: number, y: number) => number[]): number {
    const n = 64;
    const ycc = new Float32Array(n * n * 3);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) toYcc(rgb(x, y), 0, ycc, (y * n + x) * 3);
    const o = strandOrientation(ycc, n, n, 2);
    const v: number[] = [];
    for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) v.push(o[y * n + x]);
    return v.sort((a, b) => a - b)[v.length >> 1];
  }

  it("is high on parallel strands, low on isotropic mottle and on a smooth shading ramp", () => {
    const rnd = lcg(5);
    const strands = medianOrientation((x, y) => SKIN.map((v) => v + 0.05 * Math.cos((2 * Math.PI * (x + 0.3 * y)) / 5)));
    const mottle = medianOrientation(() => SKIN.map((v) => v + 0.05 * (rnd() - 0.5)));
    const ramp = medianOrientation((x, y) => SKIN.map((v) => v * (0.5 + y / 128)));
    expect(strands).toBeGreaterThan(0.8);
    expect(mottle).toBeLessThan(0.35);
    expect(ramp).toBeLessThan(0.35);
  });

  it("sees strands that differ from the skin in chroma only", () => {
    // Equal luma, a blue-yellow swing across the strands: no lightness edge at all.
    const strands = medianOrientation((x, y) => {
      const s = 0.04 * Math.cos((2 * Math.PI * (x - 0.2 * y)) / 5);
      return [SKIN[0] + s, SKIN[1] - (0.299 * s + 0.114 * -s * 2) / 0.587, SKIN[2] - 2 * s];
    });
    expect(strands).toBeGreaterThan(0.8);
  });
});
