/** Mixed hair/skin pixels grown from the hair: a fringe's thin tips go, an unconnected shadow and shaded skin stay. */
import { describe, expect, it } from "vitest";
import { growMixedPixels } from "../src/pipeline/capture/mixed-pixels.ts";
import { segmentSkin } from "../src/pipeline/capture/skin-segment.ts";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SKIN = [0.62, -0.06, 0.09];
const HAIR = [0.22, -0.03, 0.05];
const mix = (a: number) => SKIN.map((s, c) => (1 - a) * s + a * HAIR[c]);

describe("growMixedPixels", () => {
  it("labels a half-hair fringe joined to the hair, not an equal patch elsewhere nor shaded skin", () => {
    const width = 40, height = 40, n = width * height, D = 3;
    const rnd = lcg(5);
    const feat = new Float32Array(n * D);
    const labels = new Uint8Array(n);
    const domain = new Uint8Array(n).fill(1);
    const skinCells: number[] = [], hairCells: number[] = [];
    const fringe = (x: number, y: number) => y >= 8 && y < 16 && x >= 10 && x < 20;
    const patch = (x: number, y: number) => y >= 28 && y < 32 && x >= 28 && x < 34; // a crease, as dark as the fringe
    const shade = (x: number, y: number) => y >= 8 && y < 20 && x >= 24 && x < 34; // skin 1σ darker, touching the hair
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const a = y < 8 ? 1 : fringe(x, y) || patch(x, y) ? 0.5 : 0;
      const c = mix(a);
      if (shade(x, y)) c[0] -= 0.02;
      for (let k = 0; k < D; k++) feat[D * i + k] = c[k] + (rnd() - 0.5) * 0.04 * (k === 0 ? 1 : 0.25);
      if (y < 8) (labels[i] = 1), hairCells.push(i);
      else if (!fringe(x, y) && !patch(x, y)) skinCells.push(i);
    }
    const added = growMixedPixels({ feat, D, width, height, domain, labels, skinCells, hairCells });
    let fringeHit = 0, fringeN = 0;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (fringe(x, y)) (fringeN++, (fringeHit += labels[i]));
      else if (y >= 8) expect(labels[i], `cell ${x},${y}`).toBe(0);
    }
    expect(fringeHit).toBe(fringeN);
    expect(added).toBe(fringeN);
  });

  it("grows nothing when skin and hair do not separate", () => {
    const width = 10, height = 10, n = 100, D = 3;
    const feat = new Float32Array(n * D).fill(0.5);
    const labels = new Uint8Array(n);
    const cells = Array.from({ length: 50 }, (_, i) => i);
    for (const i of cells) labels[i] = 1;
    expect(growMixedPixels({ feat, D, width, height, domain: new Uint8Array(n).fill(1), labels, skinCells: cells.map((i) => i + 50), hairCells: cells })).toBe(0);
  });
});

describe("segmentSkin with hard hair labels and strand texture", () => {
  it("cuts light strands, closer to skin than to the hair by colour, by their texture", () => {
    const width = 48, height = 48, n = width * height;
    const rnd = lcg(11);
    const ycc = new Float32Array(n * 3), texture = new Float32Array(n);
    const domain = new Uint8Array(n).fill(1);
    const skinSeeds: number[] = [], otherSeeds: number[] = [], fixedOther: number[] = [];
    // Hair band (rows < 6) and a light fringe below it (rows 6..17, columns 12..35): its colour
    // nearer skin's than the band's (30 % hair), but strands (texture −0.5 against skin's −3.5).
    const fringe = (x: number, y: number) => y >= 6 && y < 18 && x >= 12 && x < 36;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = y < 6 ? HAIR : fringe(x, y) ? mix(0.3) : SKIN;
      for (let k = 0; k < 3; k++) ycc[3 * i + k] = c[k] + (rnd() - 0.5) * 0.03;
      texture[i] = (y < 6 || fringe(x, y) ? -0.5 : -3.5) + (rnd() - 0.5) * 0.4;
      if (y < 6) otherSeeds.push(i), fixedOther.push(i);
      else if (!fringe(x, y)) skinSeeds.push(i); // clean seeds: what is tested is the texture feature, not the seeding
    }
    const withTexture = segmentSkin({ ycc, width, height, domain, skinSeeds, otherSeeds, fixedOther, textures: [texture] }, { growMixed: false })!;
    const colourOnly = segmentSkin({ ycc, width, height, domain, skinSeeds, otherSeeds, fixedOther }, { growMixed: false })!;
    let hit = 0, fringeN = 0, falseAlarm = 0, colourHit = 0;
    for (let y = 6; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (fringe(x, y)) (fringeN++, (hit += withTexture[i]), (colourHit += colourOnly[i]));
      else falseAlarm += withTexture[i];
    }
    expect(hit / fringeN).toBeGreaterThan(0.9);
    expect(colourHit / fringeN).toBeLessThan(0.5);
    expect(falseAlarm).toBeLessThan(0.02 * (n - fringeN));
  });
});

describe("segmentSkin with a clean (mid-face) skin reference", () => {
  it("labels a fringe's mixed tips that the skin seeds themselves include, and only with the clean reference", () => {
    const width = 40, height = 48, n = width * height;
    const rnd = lcg(23);
    const ycc = new Float32Array(n * 3);
    const domain = new Uint8Array(n).fill(1);
    const skinSeeds: number[] = [], cleanSkinSeeds: number[] = [], otherSeeds: number[] = [], fixedOther: number[] = [];
    // Hair (rows < 6), a fringe's tips below it (rows 6..21: 40 % hair), skin below. The skin seeds
    // are the upper rows and take the tips in, most of them (a skin model widened by a fringe, as
    // over a whole face oval); the clean seeds are the skin far from the hair (rows ≥ 36: the mid-face).
    const tips = (y: number) => y >= 6 && y < 22;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = y < 6 ? HAIR : tips(y) ? mix(0.4) : SKIN;
      for (let k = 0; k < 3; k++) ycc[3 * i + k] = c[k] + (rnd() - 0.5) * 0.03 * (k === 0 ? 1 : 0.25);
      if (y < 6) otherSeeds.push(i), fixedOther.push(i);
      else if (y < 32) skinSeeds.push(i);
      else if (y >= 36) cleanSkinSeeds.push(i);
    }
    const share = (cut: Float32Array, rows: (y: number) => boolean) => {
      let hit = 0, count = 0;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (rows(y)) (count++, (hit += cut[y * width + x]));
      return hit / count;
    };
    const clean = segmentSkin({ ycc, width, height, domain, skinSeeds, cleanSkinSeeds, otherSeeds, fixedOther })!;
    const wide = segmentSkin({ ycc, width, height, domain, skinSeeds, otherSeeds, fixedOther })!;
    expect(share(clean, tips)).toBeGreaterThan(0.9);
    expect(share(wide, tips)).toBeLessThan(0.5);
    expect(share(clean, (y) => y >= 22)).toBeLessThan(0.01);
  });
});
