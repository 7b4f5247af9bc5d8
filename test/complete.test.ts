import { describe, expect, it } from "vitest";
import { complete } from "../src/pipeline/complete.ts";
import { flipUMirror } from "../src/pipeline/complete/mirror.ts";
import { weightedMedian } from "../src/primitives/statistics.ts";
import { FACE_REGIONS, type ImageF32 } from "../src/types.ts";

const W = 48;
const H = 72;

function image(channels: number, f: (x: number, y: number, c: number) => number): ImageF32 {
  const data = new Float32Array(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < channels; c++) data[(y * W + x) * channels + c] = f(x, y, c);
  return { width: W, height: H, channels, data, colorSpace: "linear" };
}

/** A symmetric "albedo" pattern (left/right mirror images through u → 1 − u). */
const pattern = (x: number, y: number, c: number) => {
  const xs = Math.min(x, W - 1 - x);
  return (0.3 + 0.1 * Math.sin(xs * 0.7) * Math.cos(y * 0.4)) * [1, 0.6, 0.45][c];
};

describe("complete", () => {
  it("fills the unseen side from its mirror, matched to that side's exposure", () => {
    // Truth: the right half (x ≥ W/2) is lit 1.6× brighter than the left. Only x < 30 is seen.
    const gain = (x: number) => (x >= W / 2 ? 1.6 : 1);
    const truth = image(3, (x, y, c) => pattern(x, y, c) * gain(x));
    const texture = image(3, (x, y, c) => (x < 30 ? truth.data[(y * W + x) * 3 + c] : 0));
    const confidence = image(1, (x) => (x < 30 ? 1 : 0));
    // Exposure matching alone: no rim fading of the seen edge (tested below).
    const out = complete({ texture, confidence }, { rimWidth: 0 });
    let err = 0;
    let errNoGain = 0;
    let count = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 34; x < W; x++) {
        for (let c = 0; c < 3; c++) {
          const i = (y * W + x) * 3 + c;
          err += Math.abs(out.texture.data[i] - truth.data[i]) / truth.data[i];
          errNoGain += Math.abs(pattern(x, y, c) - truth.data[i]) / truth.data[i];
          count++;
        }
      }
    }
    // Mean relative error: a plain mirror copy is off by 1 − 1/1.6 = 37.5 %; the gain measured in the
    // band seen on both sides (blurred across the midline step, hence not exact) removes most of it.
    expect(errNoGain / count).toBeGreaterThan(0.3);
    expect(err / count).toBeLessThan(0.1);
    // Seen texels are kept exactly.
    expect(out.texture.data[(10 * W + 5) * 3]).toBe(texture.data[(10 * W + 5) * 3]);
    expect(out.confidence.data[10 * W + 40]).toBe(1);
  });

  it("keeps a seen texture with speckled confidence whole: no squares from an unlike mirror side", () => {
    // Left half brown (hair), right half pale (skin): an asymmetric hairline. Confidence is a soft
    // 0.6 with specks of 0.1 and 0 (occluder specks, the hair floor) on the left.
    const left = [0.25, 0.15, 0.08];
    const right = [0.6, 0.45, 0.38];
    const texture = image(3, (x, _y, c) => (x < W / 2 ? left[c] : right[c]));
    const speck = (x: number, y: number) => (x * 7 + y * 13) % 11 === 0;
    const hole = (x: number, y: number) => (x * 5 + y * 3) % 17 === 0;
    const confidence = image(1, (x, y) => (x >= W / 2 ? 0.6 : hole(x, y) ? 0 : speck(x, y) ? 0.1 : 0.6));
    const out = complete({ texture: { ...texture, data: texture.data.map((v, i) => (hole(Math.floor(i / 3) % W, Math.floor(i / 3 / W)) && Math.floor(i / 3) % W < W / 2 ? 0 : v)) }, confidence });
    let worst = 0;
    for (let y = 2; y < H - 2; y++) {
      // Away from the midline, where the fill's final smoothing (σ 3 texels) would reach across it.
      for (let x = 2; x < W / 2 - 10; x++) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out.texture.data[(y * W + x) * 3 + c] - left[c]) / left[c]);
      }
    }
    // Texel-by-texel weights gave each speck ≈ 90 % of the pale mirror (≈ +130 % in red).
    expect(worst).toBeLessThan(0.05);
  });

  it("does not carry a dark rim of the seen region (hair edge, hair shadow) into the fill", () => {
    // Seen: the top 20 rows, skin with its last 2 rows darkened (a hairline's shadow); no mirror.
    const skin = [0.5, 0.35, 0.28];
    const texture = image(3, (_x, y, c) => (y < 18 ? skin[c] : y < 20 ? 0.4 * skin[c] : 0));
    const confidence = image(1, (_x, y) => (y < 20 ? 1 : 0));
    const args = { texture, confidence, mirrorTexel: new Int32Array(W * H).fill(-1) };
    const faded = complete(args);
    const kept = complete(args, { rimWidth: 0 });
    const below = (out: typeof faded) => out.texture.data[(24 * W + 20) * 3] / skin[0];
    // Without fading the fill just below the rim starts from the shadow's colour; with it, from the skin's.
    expect(below(kept)).toBeLessThan(0.85);
    expect(below(faded)).toBeGreaterThan(0.97);
    // The rim along the broad unseen area is dropped; along a thin unseen line (a glasses frame,
    // 2 texels wide at x = 30–31) nothing is: the frame is a hole its neighbours fill.
    expect(faded.sourceConfidence.data[19 * W + 10]).toBe(0);
    const framed = complete({ ...args, confidence: image(1, (x, y) => (y < 20 && (x < 30 || x > 31) ? 1 : 0)) });
    expect(framed.sourceConfidence.data[10 * W + 28]).toBe(1);
    expect(framed.sourceConfidence.data[10 * W + 33]).toBe(1);
  });

  it("takes an obliquely seen rim's tone from the well-seen face and keeps its detail (rimTone)", () => {
    // Seen: rows 0–29. Rows 0–17 well seen (confidence 0.9); rows 18–29 the oblique rim (0.3), whose
    // albedo reads 25 % dark (the bias at grazing angles). Fine skin detail everywhere; no mirror.
    const skin = [0.5, 0.35, 0.28];
    const detail = (x: number, y: number) => 1 + 0.06 * Math.sin(2.1 * x) * Math.sin(1.9 * y);
    const texture = image(3, (x, y, c) => (y < 18 ? skin[c] * detail(x, y) : y < 30 ? 0.75 * skin[c] * detail(x, y) : 0));
    const confidence = image(1, (_x, y) => (y < 18 ? 0.9 : y < 30 ? 0.3 : 0));
    const args = { texture, confidence, mirrorTexel: new Int32Array(W * H).fill(-1) };
    const toned = complete(args, { rimWidth: 0, rimTone: true });
    const own = complete(args, { rimWidth: 0, rimTone: false });
    // Mean red over rows [y0, y1), x 4..43, relative to the skin's.
    const tone = (out: typeof toned, y0: number, y1: number) => {
      let s = 0, n = 0;
      for (let y = y0; y < y1; y++) for (let x = 4; x < W - 4; x++) (s += out.texture.data[(y * W + x) * 3]), n++;
      return s / n / skin[0];
    };
    // Without it the rim and the fill beyond it keep the rim's dark tone; with it both are within a few % of the face's.
    expect(tone(own, 24, 30)).toBeLessThan(0.8);
    expect(tone(own, 34, 44)).toBeLessThan(0.9);
    expect(tone(toned, 24, 30)).toBeGreaterThan(0.92);
    expect(tone(toned, 34, 44)).toBeGreaterThan(0.97);
    // The well-seen face 12 texels and more from the rim moves by at most the blend's halo (a sharp
    // 25 % step here; the real bias grows smoothly), and the rim keeps its own detail.
    expect(Math.abs(tone(toned, 0, 6) / tone(own, 0, 6) - 1)).toBeLessThan(0.02);
    let sxy = 0, sxx = 0, syy = 0;
    for (let y = 22; y < 30; y++) for (let x = 4; x < W - 4; x++) {
      const a = toned.texture.data[(y * W + x) * 3] - toned.texture.data[(y * W + x + 1) * 3];
      const b = detail(x, y) - detail(x + 1, y);
      (sxy += a * b), (sxx += a * a), (syy += b * b);
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.9);
    // The rim's own tone was not kept: its tone weight is 0 (a division trusting it would bring the
    // dark tone back), the well-seen face's is its confidence; without rimTone it is sourceConfidence.
    expect(toned.toneConfidence.data[26 * W + 20]).toBe(0);
    expect(toned.toneConfidence.data[5 * W + 20]).toBeCloseTo(0.9, 5);
    expect(own.toneConfidence.data[26 * W + 20]).toBeCloseTo(0.3, 5);
    // A dark patch seen at 0.3 inside the well-seen face (a brow: low skin mask, not obliqueness) is
    // not joined to the unseen area: it keeps its own tone (0.4 of the skin's), up to the blend's halo.
    const brow = (x: number, y: number) => x >= 16 && x < 32 && y >= 6 && y < 10;
    const browArgs = {
      ...args,
      texture: image(3, (x, y, c) => texture.data[(y * W + x) * 3 + c] * (brow(x, y) ? 0.4 : 1)),
      confidence: image(1, (x, y) => (brow(x, y) ? 0.3 : confidence.data[y * W + x])),
    };
    const browTone = (out: typeof toned) => out.texture.data[(8 * W + 24) * 3];
    const browOwn = browTone(complete(browArgs, { rimWidth: 0, rimTone: false }));
    expect(Math.abs(browTone(complete(browArgs, { rimWidth: 0, rimTone: true })) / browOwn - 1)).toBeLessThan(0.05);
  });

  it("fills a hole with no mirror data smoothly, tending to the skin prior far from data", () => {
    // Seen: only the top 12 rows, with a colour gradient; everything else is unseen on both sides.
    const texture = image(3, (x, y, c) => (y < 12 ? (0.2 + 0.004 * x) * [1, 0.7, 0.5][c] : 0));
    const confidence = image(1, (_x, y) => (y < 12 ? 1 : 0));
    const out = complete({ texture, confidence });
    const d = out.texture.data;
    for (const v of d) expect(Number.isFinite(v) && v > 0).toBe(true);
    // Smooth: neighbouring filled texels differ by little compared with the colour scale.
    let maxStep = 0;
    for (let y = 13; y < H - 1; y++) for (let x = 0; x < W - 1; x++) {
      const p = (y * W + x) * 3;
      maxStep = Math.max(maxStep, Math.abs(d[p] - d[p + 3]), Math.abs(d[p] - d[p + W * 3]));
    }
    expect(maxStep).toBeLessThan(0.01);
    // Far away (bottom rows) the fill is close to the prior (the median seen colour).
    const bottom = ((H - 1) * W + W / 2) * 3;
    for (let c = 0; c < 3; c++) expect(Math.abs(d[bottom + c] - out.skinPrior[c]) / out.skinPrior[c]).toBeLessThan(0.05);
    expect(out.skinPrior[0]).toBeCloseTo(weightedMedian(Array.from({ length: W }, (_, x) => 0.2 + 0.004 * x), new Array(W).fill(1)), 2);
  });

  it("gives gutter texels their own island's colour, never a neighbouring island's", () => {
    // Two islands (columns 0–19 red-ish, 28–47 blue-ish) with a gutter between them.
    const coverage = image(1, (x) => (x < 20 || x >= 28 ? 1 : 0));
    const texture = image(3, (x, _y, c) => (x < 20 ? [0.6, 0.2, 0.1][c] : x >= 28 ? [0.1, 0.2, 0.6][c] : 0));
    const out = complete({ texture, confidence: coverage, coverage, mirrorTexel: new Int32Array(W * H).fill(-1) });
    const at = (x: number, y: number) => Array.from(out.texture.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
    expect(at(21, 30)[0]).toBeCloseTo(0.6, 5); // next to the left island
    expect(at(26, 30)[2]).toBeCloseTo(0.6, 5); // next to the right island
  });

  it("drops a dark collar seen over the neck (not skin) and fills it with skin", () => {
    const neck = FACE_REGIONS.indexOf("neck");
    const skin = [0.4, 0.25, 0.18];
    // Bottom quarter is neck; a black collar covers its middle columns on both sides.
    const collar = (x: number, y: number) => y >= 60 && x >= 16 && x < 32;
    const texture = image(3, (x, y, c) => (collar(x, y) ? 0.02 : skin[c] * (1 + 0.05 * Math.sin(x + y))));
    const confidence = image(1, () => 1);
    const regions = { weights: image(FACE_REGIONS.length, (_x, y, c) => (y >= 54 && c === neck ? 1 : 0)) };
    const out = complete({ texture, confidence, regions });
    const p = 66 * W + 24;
    for (let c = 0; c < 3; c++) expect(out.texture.data[p * 3 + c]).toBeCloseTo(skin[c], 1);
    expect(out.sourceConfidence.data[p]).toBe(0);
    // Without region maps nothing is dropped: the collar stays (it is what the photo shows).
    expect(complete({ texture, confidence }).texture.data[p * 3]).toBeCloseTo(0.02, 5);
  });

  it("fills the unseen lens between open lips from the lips alone, not the skin around them", () => {
    const lipsRegion = FACE_REGIONS.indexOf("lips");
    const skin = [0.45, 0.3, 0.22], upperLip = [0.3, 0.1, 0.09], lowerLip = [0.36, 0.13, 0.11];
    // Lips rows 28–43, columns 10–37 (symmetric: the lens' mirror is the lens); the lens, rows
    // 34–37 between them, is unseen (unwrap's mouth opening), with the photo's teeth in its data.
    const inLips = (x: number, y: number) => y >= 28 && y <= 43 && x >= 10 && x <= 37;
    const inLens = (x: number, y: number) => y >= 34 && y <= 37 && x >= 14 && x <= 33;
    const texture = image(3, (x, y, c) => (inLens(x, y) ? 0.8 : !inLips(x, y) ? skin[c] : y < 36 ? upperLip[c] : lowerLip[c]));
    const confidence = image(1, (x, y) => (inLens(x, y) ? 0 : 1));
    const regions = { weights: image(FACE_REGIONS.length, (x, y, c) => (c === lipsRegion && inLips(x, y) ? 1 : 0)) };
    const out = complete({ texture, confidence, regions }).texture.data;
    for (let y = 34; y <= 37; y++) {
      for (let x = 14; x <= 33; x++) {
        const p = (y * W + x) * 3;
        // A blend of the two lips alone has a green/red between theirs (0.333, 0.361) and a red
        // between theirs; the skin (0.67) pulled the general fill to 0.40.
        expect(out[p + 1] / out[p]).toBeGreaterThanOrEqual(upperLip[1] / upperLip[0] - 1e-6);
        expect(out[p + 1] / out[p]).toBeLessThanOrEqual(lowerLip[1] / lowerLip[0] + 1e-6);
        expect(out[p]).toBeGreaterThanOrEqual(upperLip[0] - 1e-6);
        expect(out[p]).toBeLessThanOrEqual(lowerLip[0] + 1e-6);
      }
    }
  });

  it("fills the lid skin beside the margin from lid skin and a gap in the margin from the lash line", () => {
    const eyelids = FACE_REGIONS.indexOf("eyelids");
    const skin = [0.45, 0.3, 0.22], lid = [0.4, 0.27, 0.21], lash = [0.03, 0.025, 0.02];
    // Eyelids rows 20–40, columns 6–41 (symmetric: each hole's mirror is itself); the margin is row
    // 30, columns 10–37, seen but for columns 20–27; the lid skin two rows either side of it is
    // unseen (unwrap's footprint test), with the photo's lashes in its data.
    const inLids = (x: number, y: number) => y >= 20 && y <= 40 && x >= 6 && x <= 41;
    const onMargin = (x: number, y: number) => y === 30 && x >= 10 && x <= 37;
    const inStrip = (x: number, y: number) => Math.abs(y - 30) <= 2 && y !== 30 && x >= 10 && x <= 37;
    const inGap = (x: number, y: number) => onMargin(x, y) && x >= 20 && x <= 27;
    const texture = image(3, (x, y, c) => (onMargin(x, y) || inStrip(x, y) ? lash[c] : inLids(x, y) ? lid[c] : skin[c]));
    const confidence = image(1, (x, y) => (inStrip(x, y) || inGap(x, y) ? 0 : 1));
    const weights = image(FACE_REGIONS.length, (x, y, c) => (c === eyelids && inLids(x, y) ? 1 : 0));
    const lidMargin = image(1, (x, y) => (onMargin(x, y) ? 1 : 0));
    const out = complete({ texture, confidence, regions: { weights, lidMargin } }).texture.data;
    for (let x = 10; x <= 37; x++) {
      for (const y of [28, 29, 31, 32]) {
        // Lid skin: within 10 % of the lid's colour (the general fill mixed the margin's dark in).
        for (let c = 0; c < 3; c++) expect(Math.abs(out[(y * W + x) * 3 + c] / lid[c] - 1)).toBeLessThan(0.1);
      }
      // The lash line stays dark along the whole margin.
      if (x >= 20 && x <= 27) for (let c = 0; c < 3; c++) expect(out[(30 * W + x) * 3 + c]).toBeLessThan(2 * lash[c]);
    }
  });

  it("keeps what the margins' loop encloses (the eyeball's own texels) out of the lid skin's fill", () => {
    const eyelids = FACE_REGIONS.indexOf("eyelids");
    const lid = [0.4, 0.27, 0.21], iris = [0.05, 0.1, 0.2];
    // A margin loop: the rectangle rows 26–34 × columns 14–33; inside it, seen iris-blue texels (an
    // eyeball island in the eyelids region); outside it, lid skin, unseen two rows above the loop.
    const onLoop = (x: number, y: number) => ((y === 26 || y === 34) && x >= 14 && x <= 33) || ((x === 14 || x === 33) && y >= 26 && y <= 34);
    const inside = (x: number, y: number) => y > 26 && y < 34 && x > 14 && x < 33;
    const inStrip = (x: number, y: number) => (y === 24 || y === 25) && x >= 14 && x <= 33;
    const texture = image(3, (x, y, c) => (inside(x, y) ? iris[c] : lid[c]));
    const confidence = image(1, (x, y) => (inStrip(x, y) ? 0 : 1));
    const weights = image(FACE_REGIONS.length, (x, y, c) => (c === eyelids && y >= 14 && y <= 46 && x >= 6 && x <= 41 ? 1 : 0));
    const lidMargin = image(1, (x, y) => (onLoop(x, y) ? 1 : 0));
    const out = complete({ texture, confidence, regions: { weights, lidMargin } }).texture.data;
    for (let x = 14; x <= 33; x++) {
      for (const y of [24, 25]) {
        // Without the loop the blue's pull reached the strip: its blue over red rose toward the iris'.
        const p = (y * W + x) * 3;
        expect(Math.abs(out[p + 2] / out[p] - lid[2] / lid[0])).toBeLessThan(0.03);
      }
    }
  });

  it("takes the share of a lid texel the photo did not see from the lid skin it saw fully (seenShare)", () => {
    const eyelids = FACE_REGIONS.indexOf("eyelids");
    const skin = [0.45, 0.3, 0.22], lid = [0.4, 0.27, 0.21], fold = [0.12, 0.09, 0.05];
    // Eyelids rows 14–40, columns 6–41; a band rows 22–27 that the photo saw through the fold (dark,
    // yellower, fully confident) and of whose skin it saw 40 % (share 0.4; ramping to 1 over row 21 and 28).
    const inLids = (x: number, y: number) => y >= 14 && y <= 40 && x >= 6 && x <= 41;
    const inBand = (x: number, y: number) => y >= 22 && y <= 27 && x >= 10 && x <= 37;
    const texture = image(3, (x, y, c) => (inBand(x, y) ? fold[c] : inLids(x, y) ? lid[c] : skin[c]));
    const confidence = image(1, () => 1);
    const weights = image(FACE_REGIONS.length, (x, y, c) => (c === eyelids && inLids(x, y) ? 1 : 0));
    const seenShare = image(1, (x, y) => (inBand(x, y) ? 0.4 : inBand(x, y - 1) || inBand(x, y + 1) ? 0.7 : 1));
    const plain = complete({ texture, confidence, regions: { weights } }).texture.data;
    const out = complete({ texture, confidence, regions: { weights }, seenShare }).texture.data;
    for (let x = 12; x <= 35; x++) {
      for (let y = 22; y <= 27; y++) {
        const p = (y * W + x) * 3;
        // 0.4 of the photo's colour, 0.6 of the lid's (within 5 % of the lid's share: the fill sees only lid).
        for (let c = 0; c < 3; c++) expect(Math.abs(out[p + c] - (0.4 * fold[c] + 0.6 * lid[c])) / lid[c]).toBeLessThan(0.05);
        for (let c = 0; c < 3; c++) expect(plain[p + c]).toBeCloseTo(fold[c], 5);
      }
    }
    // Fully seen texels keep their colour.
    for (const [x, y] of [[20, 16], [20, 34], [3, 3]]) for (let c = 0; c < 3; c++) expect(out[(y * W + x) * 3 + c]).toBe(plain[(y * W + x) * 3 + c]);
  });

  it("keeps the upper lid's colour where its share is 1 but leaves it out of the share's fill (notLidSample)", () => {
    const eyelids = FACE_REGIONS.indexOf("eyelids");
    const lid = [0.4, 0.27, 0.21], fold = [0.12, 0.09, 0.05], lash = [0.04, 0.03, 0.03];
    // As above, with a dark show (lashes, the fold's shade) rows 28–31 right below the band: fully
    // seen, share 1. As data it pulls the band's fill toward it; marked as the show it does not.
    const inLids = (x: number, y: number) => y >= 14 && y <= 40 && x >= 6 && x <= 41;
    const inBand = (x: number, y: number) => y >= 22 && y <= 27 && x >= 10 && x <= 37;
    const inShow = (x: number, y: number) => y >= 28 && y <= 31 && x >= 10 && x <= 37;
    const texture = image(3, (x, y, c) => (inBand(x, y) ? fold[c] : inShow(x, y) ? lash[c] : lid[c]));
    const confidence = image(1, () => 1);
    const weights = image(FACE_REGIONS.length, (x, y, c) => (c === eyelids && inLids(x, y) ? 1 : 0));
    const seenShare = image(1, (x, y) => (inBand(x, y) ? 0.4 : 1));
    const notLidSample = image(1, (x, y) => (inShow(x, y) ? 1 : 0));
    const asData = complete({ texture, confidence, regions: { weights }, seenShare }).texture.data;
    const out = complete({ texture, confidence, regions: { weights }, seenShare, notLidSample }).texture.data;
    const expected = (c: number) => 0.4 * fold[c] + 0.6 * lid[c];
    for (let x = 14; x <= 33; x++) {
      const p = (27 * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(out[p + c] - expected(c)) / lid[c]).toBeLessThan(0.05);
        expect(asData[p + c]).toBeLessThan(expected(c) - 0.05 * lid[c]);
        // The show keeps its colour.
        expect(out[(29 * W + x) * 3 + c]).toBeCloseTo(lash[c], 5);
      }
    }
  });

  it("rejects inputs that cannot be completed, naming the problem", () => {
    const texture = image(3, () => 0.5);
    expect(() => complete({ texture, confidence: image(1, () => 0) })).toThrow(/no texel is seen/);
    expect(() => complete({ texture, confidence: { ...image(1, () => 1), width: 10 } })).toThrow(/confidence/);
  });

  it("uses u → 1 − u as the default mirror", () => {
    const m = flipUMirror(4, 2);
    expect(Array.from(m)).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
  });
});

describe("complete: no streaks", () => {
  // A 96×96 atlas: one disc island (r = 34) in a gutter; the seen part (x < 40) is noisy skin, the
  // rest of the island is a hole with no mirror data. Nearest-texel gutter copies and pyramid fills
  // turn the noisy border into straight streaks: neighbouring texels far from data then differ by
  // the noise amplitude, while a smooth fill differs from its local median by almost nothing.
  const S = 96;
  const inDisc = (x: number, y: number) => (x - 48) ** 2 + (y - 48) ** 2 <= 34 * 34;
  const hash = (x: number, y: number) => {
    const s = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
    return s - Math.floor(s);
  };
  const img = (ch: number, f: (x: number, y: number, c: number) => number): ImageF32 => {
    const data = new Float32Array(S * S * ch);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < ch; c++) data[(y * S + x) * ch + c] = f(x, y, c);
    return { width: S, height: S, channels: ch, data, colorSpace: "linear" };
  };
  const seen = (x: number, y: number) => inDisc(x, y) && x < 40;
  const texture = img(3, (x, y, c) => (seen(x, y) ? (0.3 + 0.25 * hash(x, y + 97 * c)) * [1, 0.65, 0.5][c] : 0));
  const confidence = img(1, (x, y) => (seen(x, y) ? 1 : 0));
  const coverage = img(1, (x, y) => (inDisc(x, y) ? 1 : 0));
  // The smooth fill underneath; the synthesised skin texture on top is tested below.
  const out = complete({ texture, confidence, coverage, mirrorTexel: new Int32Array(S * S).fill(-1) }, { synthesisCell: 0 });
  /** Largest |texel − median of its 3×3 neighbourhood| over texels `where` says, any channel. */
  const worstMedianDeviation = (where: (x: number, y: number) => boolean) => {
    let worst = 0;
    for (let y = 1; y < S - 1; y++) {
      for (let x = 1; x < S - 1; x++) {
        if (!where(x, y)) continue;
        for (let c = 0; c < 3; c++) {
          const nb: number[] = [];
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) nb.push(out.texture.data[((y + dy) * S + x + dx) * 3 + c]);
          nb.sort((a, b) => a - b);
          worst = Math.max(worst, Math.abs(out.texture.data[(y * S + x) * 3 + c] - nb[4]));
        }
      }
    }
    return worst;
  };
  const distToDisc = (x: number, y: number) => Math.hypot(x - 48, y - 48) - 34;

  it("gives the filled hole the seen skin's texture: its spread, its tone, the same bytes every run", () => {
    const withTexture = { synthesisCell: 8 }; // off by default (see COMPLETE_DEFAULTS.synthesisCell)
    const textured = complete({ texture, confidence, coverage, mirrorTexel: new Int32Array(S * S).fill(-1) }, withTexture);
    const again = complete({ texture, confidence, coverage, mirrorTexel: new Int32Array(S * S).fill(-1) }, withTexture);
    expect(Buffer.from(again.texture.data.buffer).equals(Buffer.from(textured.texture.data.buffer))).toBe(true);
    // Spread of log(texel / smooth fill) deep in the hole vs log(texel / its 9×9 mean) in the seen part.
    const logSpread = (data: Float32Array, ref: (x: number, y: number, c: number) => number, where: (x: number, y: number) => boolean) => {
      const v: number[] = [];
      for (let y = 5; y < S - 5; y++) for (let x = 5; x < S - 5; x++) if (where(x, y)) v.push(Math.log(data[(y * S + x) * 3 + 1] / ref(x, y, 1)));
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
    };
    const localMean = (x: number, y: number, c: number) => {
      let s = 0, k = 0;
      for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) if (seen(x + dx, y + dy)) (s += texture.data[((y + dy) * S + x + dx) * 3 + c]), k++;
      return s / k;
    };
    const deepHole = (x: number, y: number) => inDisc(x, y) && x >= 52 && distToDisc(x, y) < -4;
    const seenSpread = logSpread(texture.data, localMean, (x, y) => seen(x, y) && x < 34 && distToDisc(x, y) < -6);
    const holeSpread = logSpread(textured.texture.data, (x, y, c) => out.texture.data[(y * S + x) * 3 + c], deepHole);
    expect(seenSpread.sd).toBeGreaterThan(0.1);
    expect(holeSpread.sd).toBeGreaterThan(0.6 * seenSpread.sd);
    expect(holeSpread.sd).toBeLessThan(1.3 * seenSpread.sd);
    expect(Math.abs(holeSpread.mean)).toBeLessThan(0.05); // texture, not a tone change
    // The seen texels are the photo's, untouched.
    expect(textured.texture.data[(48 * S + 20) * 3]).toBe(texture.data[(48 * S + 20) * 3]);
  });

  it("fills island holes smoothly away from the seen data", () => {
    // Noise amplitude is 0.25; a streaky fill deviates by a good fraction of it.
    const dev = worstMedianDeviation((x, y) => inDisc(x, y) && x >= 43 && distToDisc(x, y) < -2);
    expect(dev).toBeLessThan(0.0015); // the pyramid's kinks without the final smoothing: ≈ 0.002
  });

  it("fills the gutters smoothly beyond the first rings (no streaks for mipmaps to pick up)", () => {
    const dev = worstMedianDeviation((x, y) => distToDisc(x, y) > 6);
    expect(dev).toBeLessThan(0.03); // nearest-texel copies: ≈ 0.17
    // …and the ring next to the island carries the island's colour, not the prior's.
    const p = 48 * S + 48 - 36;
    const border = 48 * S + 48 - 34;
    expect(Math.abs(out.texture.data[p * 3] - out.texture.data[border * 3])).toBeLessThan(0.1);
  });
});

describe("weightedMedian", () => {
  it("float32 values (sorted as keys) give what plain numbers give: negatives, ties, ±0, zero weights", () => {
    const values = [3, -1.5, 0, -0, 2, -1.5, 7, -20, 0.25, 2];
    const cases = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], // half the weight reached exactly at the 5th: −0 (index 3, after the 0 at index 2)
      [0, 5, 0, 0, 1, 0, 1, 0.5, 0, 0], // heavy negative
      [0.1, 0, 0.2, 0.3, 0, 0.4, 0, 0, 0.9, 0.05],
      [0, 0, 0, 0, 0, 0, 2, 1, 0, 0],
    ];
    const expected = [-0, -1.5, 0.25, 7];
    cases.forEach((weights, k) => {
      expect(weightedMedian(values, weights)).toBe(expected[k]);
      expect(weightedMedian(Float32Array.from(values), weights)).toBe(expected[k]);
    });
    expect(weightedMedian(Float32Array.from(values), new Array(10).fill(0))).toBeNaN();
  });
});
