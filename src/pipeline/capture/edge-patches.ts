/**
 * Edge colour mixtures of the whole photo (issue 14), the data of the second cue to the camera's
 * response (delight/response-edges.ts): radiometric calibration from a single image, after Lin, Gu,
 * Yamazaki & Shum 2004 ("Radiometric calibration from a single image", CVPR, vol. 2, 938–945).
 *
 * Where two uniform colour regions meet, a pixel straddling the edge integrates both: its
 * irradiance is a linear mixture α·A + (1 − α)·B of theirs (the lens blur and the pixel's area act
 * on the light, before the camera's curve). In the linear image those pixels lie on the segment
 * between A and B; through a nonlinear response they bend off it. The curve that puts them back on
 * their segments, over many edges of different colours, is the inverse response.
 *
 * What is kept here is what delight needs to weigh curves: per edge crossing, the two sides' mean
 * colours and the mixed pixels between them, as the camera wrote them (sRGB-encoded 0..1, not
 * linearised). Crossings are read along rows and columns (the photo's own pixels, no resampling:
 * interpolating would itself mix in the encoded values). A crossing is kept when:
 * - both sides are flat runs (every channel within the photo's noise tolerance), neither clipped
 *   nor black (their colour is then not the light's);
 * - the transition is at least `minMixed` pixels wide: a web photo is resized and sharpened in its
 *   encoded values, which makes a one-pixel edge a mixture in the encoded space, not the light's;
 *   over a wider, optically blurred ramp that resampling is nearly linear in either space;
 * - no mixed pixel leaves the two sides' range in any channel (sharpening's overshoot, a third
 *   colour): a monotonic curve keeps a mixture between its ends, whatever the curve.
 */
import { withDefaults } from "../../options.ts";
import type { ImageF32 } from "../../types.ts";

export interface EdgePatchOptions {
  /** Scanlines (rows and columns) read are this many px apart at most, so that ~`scanlines` of each are read. */
  scanlines?: number;
  /** Shortest flat run, px, that counts as a uniform side of an edge. */
  minRun?: number;
  /** At most this many px of a side nearest the edge are averaged into its colour (the one next to the edge is left out). */
  sideLength?: number;
  /** Fewest mixed pixels between the two sides (see the header: resampling in the encoded values). */
  minMixed?: number;
  /** Most mixed pixels between the two sides (wider: a gradient, not an edge). */
  maxMixed?: number;
  /** Least difference between the two sides, encoded units (largest channel): smaller edges carry only noise. */
  minContrast?: number;
  /** Flatness tolerance in multiples of the photo's noise σ (encoded units). */
  noiseMultiple?: number;
  /** sRGB level at or above which a side counts as clipped. */
  clipLevel?: number;
  /** sRGB level below which a side is too dark to carry colour. */
  darkLevel?: number;
  /** At most this many crossings are kept (evenly over those found). */
  maxPatches?: number;
}

export const EDGE_PATCH_DEFAULTS: Required<EdgePatchOptions> = {
  scanlines: 400,
  minRun: 4,
  sideLength: 8,
  minMixed: 2,
  maxMixed: 10,
  minContrast: 0.12,
  noiseMultiple: 3,
  clipLevel: 0.98,
  darkLevel: 0.03,
  maxPatches: 3000,
};

/** One edge crossing: the two sides and the pixels between, sRGB-encoded 0..1 as the camera wrote them. */
export interface EdgePatch {
  a: [number, number, number];
  b: [number, number, number];
  /** The mixed pixels, flat RGB triplets. */
  mixed: number[];
}

/** The photo's edge crossings (see the header). */
export interface EdgeMixtures {
  patches: EdgePatch[];
  /** Distinct edges among them (crossings of the same two colours, to 0.05 encoded, count once): the independent samples. */
  edges: number;
  /** The photo's pixel noise σ, encoded units (from neighbouring pixels' differences). */
  noise: number;
}

/** One 8-bit step: the noise floor of an 8-bit photo's quantiser. */
const CODE = 1 / 255;

/**
 * Finds the edge crossings of an sRGB photo (3+ channels, 0..1). Deterministic.
 *
 *   const edges = measureEdgePatches(capture.image);
 *   // edges.patches.length crossings of edges.edges distinct edges
 */
export function measureEdgePatches(image: ImageF32, options: EdgePatchOptions = {}): EdgeMixtures {
  const o = withDefaults(EDGE_PATCH_DEFAULTS, options);
  if (image.colorSpace !== "srgb" || image.channels < 3) throw new Error("measureEdgePatches: expects an sRGB photo with 3 channels");
  const { width: W, height: H, channels: C, data } = image;
  const noise = photoNoise(image);
  const tolerance = Math.max(2 * CODE, o.noiseMultiple * noise);
  const found: EdgePatch[] = [];
  const line = new Float32Array(Math.max(W, H) * 3);
  const scan = (count: number, length: number, offsetOf: (i: number, t: number) => number) => {
    const stride = Math.max(1, Math.floor(count / o.scanlines));
    for (let i = Math.floor(stride / 2); i < count; i += stride) {
      for (let t = 0; t < length; t++) {
        const p = offsetOf(i, t) * C;
        line[t * 3] = data[p];
        line[t * 3 + 1] = data[p + 1];
        line[t * 3 + 2] = data[p + 2];
      }
      crossingsOf(line, length, tolerance, o, found);
    }
  };
  scan(H, W, (y, x) => y * W + x);
  scan(W, H, (x, y) => y * W + x);
  const step = Math.max(1, found.length / o.maxPatches);
  const patches: EdgePatch[] = [];
  for (let f = 0; Math.floor(f) < found.length; f += step) patches.push(found[Math.floor(f)]);
  return { patches, edges: distinctEdges(patches), noise };
}

/** The photo's noise σ (encoded units): 1.4826 × MAD of horizontal neighbour differences of green, / √2, floored at the quantiser's. */
function photoNoise(image: ImageF32): number {
  const { width: W, height: H, channels: C, data } = image;
  const diffs: number[] = [];
  const stride = Math.max(1, Math.floor((W * H) / 200000));
  for (let p = 0; p + 1 < W * H; p += stride) {
    if ((p + 1) % W === 0) continue;
    diffs.push(Math.abs(data[(p + 1) * C + 1] - data[p * C + 1]));
  }
  diffs.sort((a, b) => a - b);
  const mad = diffs.length ? diffs[Math.floor(diffs.length / 2)] : 0;
  return Math.max(CODE / Math.sqrt(12), (1.4826 * mad) / Math.SQRT2);
}

/** A flat run of a scanline: [start, end] inclusive. */
interface Run {
  start: number;
  end: number;
}

/** The scanline's flat runs: maximal stretches where every channel stays within `tolerance`, at least minRun long. */
function flatRuns(line: Float32Array, length: number, tolerance: number, minRun: number): Run[] {
  const runs: Run[] = [];
  let start = 0;
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  const reset = (t: number) => {
    start = t;
    for (let c = 0; c < 3; c++) lo[c] = hi[c] = line[t * 3 + c];
  };
  reset(0);
  for (let t = 1; t <= length; t++) {
    let fits = t < length;
    for (let c = 0; c < 3 && fits; c++) {
      const v = line[t * 3 + c];
      if (Math.max(hi[c], v) - Math.min(lo[c], v) > tolerance) fits = false;
    }
    if (fits) {
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c], line[t * 3 + c]);
        hi[c] = Math.max(hi[c], line[t * 3 + c]);
      }
      continue;
    }
    if (t - start >= minRun) runs.push({ start, end: t - 1 });
    if (t < length) reset(t);
  }
  return runs;
}

/** Mean colour of a run's pixels nearest the edge at `edgeEnd` (the run's end toward the edge), the adjacent one left out. */
function sideColour(line: Float32Array, run: Run, towardEnd: boolean, sideLength: number): [number, number, number] {
  const n = Math.min(sideLength, run.end - run.start);
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 1; k <= n; k++) {
    const t = towardEnd ? run.end - k : run.start + k;
    for (let c = 0; c < 3; c++) out[c] += line[t * 3 + c] / n;
  }
  return out;
}

/** Appends the scanline's edge crossings that pass every test of the header to `out`. */
function crossingsOf(line: Float32Array, length: number, tolerance: number, o: Required<EdgePatchOptions>, out: EdgePatch[]): void {
  const runs = flatRuns(line, length, tolerance, o.minRun);
  const usable = (v: number[]) => v.every((x) => x > o.darkLevel && x < o.clipLevel);
  for (let r = 1; r < runs.length; r++) {
    const A = runs[r - 1];
    const B = runs[r];
    const mixedCount = B.start - A.end - 1;
    if (mixedCount < o.minMixed || mixedCount > o.maxMixed) continue;
    const a = sideColour(line, A, true, o.sideLength);
    const b = sideColour(line, B, false, o.sideLength);
    if (!usable(a) || !usable(b)) continue;
    if (Math.max(...a.map((v, c) => Math.abs(v - b[c]))) < o.minContrast) continue;
    const mixed: number[] = [];
    let inside = true;
    for (let t = A.end + 1; t < B.start && inside; t++) {
      for (let c = 0; c < 3; c++) {
        const v = line[t * 3 + c];
        if (v < Math.min(a[c], b[c]) - tolerance || v > Math.max(a[c], b[c]) + tolerance) inside = false;
        mixed.push(v);
      }
    }
    if (inside) out.push({ a, b, mixed });
  }
}

/** Crossings of the same two colours (either order, to 0.05 encoded) are one edge: the count of distinct ones. */
export function distinctEdges(patches: EdgePatch[]): number {
  const key = (v: number[]) => v.map((x) => Math.round(x / 0.05)).join(",");
  const keys = new Set(patches.map((p) => [key(p.a), key(p.b)].sort().join("|")));
  return keys.size;
}
