import { describe, expect, it } from "vitest";
import { complete } from "../src/pipeline/complete.ts";
import { REGION_TONE_OFFSETS, regionalTone } from "../src/pipeline/complete/head-tone.ts";
import { surfaceDistanceMm } from "../src/image/chamfer-distance.ts";
import { ciede2000, linearSrgbToLab } from "../src/primitives/color.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32 } from "../src/types.ts";

// A head laid out flat at 1 mm per texel: a seen face (x 30–129, y 80–169) of a greenish-olive skin,
// pinker in its centre (nose, the cheeks' blush), with red lips and dark brows; the forehead region
// runs on up into the unseen scalp, the neck below the face is unseen too.
const W = 160;
const H = 260;
const SKIN = [0.2, 0.19, 0.11];
const BLUSH = [0.3, 0.17, 0.12];
const LIPS = [0.35, 0.1, 0.09];
const BROWS = [0.04, 0.035, 0.03];
const inFace = (x: number, y: number) => x >= 30 && x < 130 && y >= 80 && y < 170;
const inBlush = (x: number, y: number) => x >= 60 && x < 100 && y >= 110 && y < 140;
const inLips = (x: number, y: number) => x >= 65 && x < 95 && y >= 145 && y < 152;
const inBrows = (x: number, y: number) => (x >= 45 && x < 72 || x >= 88 && x < 115) && y >= 100 && y < 105;
function regionOf(x: number, y: number): FaceRegion | null {
  if (inLips(x, y)) return "lips";
  if (inBrows(x, y)) return "brows";
  if (x >= 30 && x < 130 && y < 100) return "forehead";
  if (y < 100) return "scalp";
  if (y >= 170) return "neck";
  return inFace(x, y) ? "cheeks" : null;
}

function image(channels: number, f: (x: number, y: number, c: number) => number): ImageF32 {
  const data = new Float32Array(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < channels; c++) data[(y * W + x) * channels + c] = f(x, y, c);
  return { width: W, height: H, channels, data, colorSpace: "linear" };
}

const lab = (rgb: ArrayLike<number>) => linearSrgbToLab(rgb[0], rgb[1], rgb[2]);

/** Mean linear RGB of the result over the texels `pick` selects. */
function meanOver(data: Float32Array, pick: (x: number, y: number) => boolean): number[] {
  const s = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (pick(x, y)) (n++, [0, 1, 2].forEach((c) => (s[c] += data[(y * W + x) * 3 + c])));
  if (n === 0) throw new Error("no texel picked");
  return s.map((v) => v / n);
}

describe("head tone (complete/head-tone.ts)", () => {
  const texture = image(3, (x, y, c) => (!inFace(x, y) ? 0 : inLips(x, y) ? LIPS[c] : inBrows(x, y) ? BROWS[c] : inBlush(x, y) ? BLUSH[c] : SKIN[c]));
  const confidence = image(1, (x, y) => (inFace(x, y) ? 1 : 0));
  const regions = {
    weights: image(FACE_REGIONS.length, (x, y, c) => (regionOf(x, y) === FACE_REGIONS[c] ? 1 : 0)),
    texelAxesMm: image(2, () => 1),
  };
  const mirrorTexel = new Int32Array(W * H).fill(-1);
  const out = complete({ texture, confidence, regions, mirrorTexel }, { rimWidth: 0, headTone: true }).texture.data;
  const toFace = surfaceDistanceMm(W, H, (p) => inFace(p % W, Math.floor(p / W)), () => true, regions.texelAxesMm.data);
  const d = (x: number, y: number) => toFace[y * W + x];

  it("continues the face border's tone over the first 2 cm of the fill (< 1 ΔE00)", () => {
    const border = meanOver(out, (x, y) => inFace(x, y) && !inLips(x, y) && !inBrows(x, y) && (x < 33 || x >= 127 || y < 83 || y >= 167));
    const near = meanOver(out, (x, y) => d(x, y) > 0 && d(x, y) <= 20);
    expect(ciede2000(lab(near), lab(border))).toBeLessThan(1);
  });

  it("far from the face, the scalp and neck take the skin of the face's edge and the forehead its measured offset, not the mean of blush, lips and brows", () => {
    const far = (x: number, y: number) => d(x, y) >= 60;
    const scalp = meanOver(out, (x, y) => far(x, y) && regionOf(x, y) === "scalp");
    const neck = meanOver(out, (x, y) => far(x, y) && regionOf(x, y) === "neck");
    const forehead = meanOver(out, (x, y) => far(x, y) && regionOf(x, y) === "forehead");
    expect(ciede2000(lab(scalp), lab(SKIN))).toBeLessThan(0.3);
    expect(ciede2000(lab(neck), lab(SKIN))).toBeLessThan(0.3);
    // The forehead's target: the skin moved by Xiao 2017's forehead offset, at this skin's own lightness.
    const foreheadWeights = { weights: image(FACE_REGIONS.length, (_x, _y, c) => (FACE_REGIONS[c] === "forehead" ? 1 : 0)) };
    const expected = regionalTone(SKIN, foreheadWeights, 1);
    expect(ciede2000(lab(forehead), lab(expected))).toBeLessThan(0.3);
    // The offset is there and is what was measured: lighter by less than ΔL* 1.1 at this skin's lightness, yellower.
    const [dL, , db] = [0, 1, 2].map((k) => lab(forehead)[k] - lab(SKIN)[k]);
    expect(REGION_TONE_OFFSETS.forehead![0]).toBeLessThan(0);
    expect(dL).toBeLessThan(-0.3);
    expect(db).toBeGreaterThan(0.1);
  });

  it("measures the surface in mm: a texel twice as long takes twice as long to cross", () => {
    const axes = new Float32Array(2 * 8 * 1).map((_, i) => (i % 2 === 0 ? 2 : 1));
    const dist = surfaceDistanceMm(8, 1, (p) => p === 0, () => true, axes);
    expect(dist[7]).toBeCloseTo(14, 5);
    // Unreachable texels (another island) are infinitely far.
    const blocked = surfaceDistanceMm(8, 1, (p) => p === 0, (p) => p !== 3, axes);
    expect(blocked[7]).toBe(Infinity);
  });
});
