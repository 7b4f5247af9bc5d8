/**
 * Gutter filling: every texel outside the UV islands gets a value, so that bilinear filtering,
 * mipmaps and the upscaler near island borders never see empty texels. The one gutter filler of
 * the project, with two methods:
 *
 * - "smooth" (the default, used by complete): no streaks. Copying each gutter texel from its
 *   nearest island texel (a chessboard flood) smears one border texel along straight lines for tens
 *   of texels, and those streaks show in the atlas and bleed into coarse mip levels. Here the first
 *   rings around the islands are dilated by averaging (each ring texel = mean of its already-filled
 *   8-neighbours, so bilinear and the first mip levels see the texel's own island), and the rest of
 *   the gutter is a smooth (push-pull + membrane) interpolation of those rings.
 * - "nearest": that nearest-texel copy, streaks and all. Unwrap's geometry maps and the thickness
 *   map still use it (`nearestCoveredTexel` + `fillFromSource`, one flood shared by all the maps):
 *   moving them to "smooth" changes their gutter bytes, so it is a decision of its own, not a
 *   refactor.
 */
import type { ImageF32 } from "../types.ts";
import { pushPullFill, relaxMembrane } from "./push-pull.ts";
import { mapF32 } from "../primitives/typed-array.ts";

export interface GutterFillOptions {
  /** "smooth" (averaged dilation, then push-pull) or "nearest" (copy of the nearest island texel; see the header). */
  method: "smooth" | "nearest";
  /** Rings (texels) around the islands filled by averaged dilation from their own island ("smooth" only). */
  dilationRings: number;
  /** Membrane sweeps over the far gutter after the push-pull (removes the pyramid's kinks; "smooth" only). */
  smoothIterations: number;
}

export const GUTTER_FILL_DEFAULTS: GutterFillOptions = { method: "smooth", dilationRings: 4, smoothIterations: 20 };

/**
 * Fills, in place, every texel of the interleaved image `values` with `covered[p]` false; island
 * texels are left untouched. Does nothing when no texel is covered.
 */
export function fillGutters(values: Float32Array, width: number, height: number, channels: number, covered: (p: number) => boolean, options: GutterFillOptions = GUTTER_FILL_DEFAULTS): void {
  if (options.method === "nearest") {
    copyFromSource(values, channels, nearestCoveredTexel(width, height, covered));
    return;
  }
  const n = width * height;
  const ring = new Int32Array(n).fill(-1);
  let front: number[] = [];
  for (let p = 0; p < n; p++) if (covered(p)) ring[p] = 0;
  for (let p = 0; p < n; p++) if (ring[p] === -1 && hasNeighbourInRing(ring, p, width, height, 0)) front.push(p);
  if (front.length === 0) return;
  const sum = new Float64Array(channels);
  for (let r = 1; r <= options.dilationRings && front.length > 0; r++) {
    // Values first, then mark: a ring averages only texels of earlier rings (order-independent).
    const next = new Float32Array(front.length * channels);
    front.forEach((p, i) => {
      sum.fill(0);
      let count = 0;
      forNeighbours(p, width, height, (q) => {
        if (ring[q] < 0 || ring[q] >= r) return;
        count++;
        for (let k = 0; k < channels; k++) sum[k] += values[q * channels + k];
      });
      for (let k = 0; k < channels; k++) next[i * channels + k] = sum[k] / count;
    });
    front.forEach((p, i) => {
      ring[p] = r;
      for (let k = 0; k < channels; k++) values[p * channels + k] = next[i * channels + k];
    });
    const after: number[] = [];
    for (const p of front) forNeighbours(p, width, height, (q) => { if (ring[q] === -1) (ring[q] = -2), after.push(q); });
    for (const q of after) ring[q] = -1;
    front = after;
  }
  // The far gutter: smooth interpolation of the islands and their dilated rings.
  const weight = mapF32(ring, (r) => (r >= 0 ? 1 : 0));
  if (weight.every((w) => w === 1)) return;
  const smooth = pushPullFill(values, weight, width, height, channels, { prior: null, priorWeight: 0, trustFraction: 0.5 });
  relaxMembrane(values, smooth, weight, width, height, channels, options.smoothIterations);
  for (let p = 0; p < n; p++) if (ring[p] < 0) for (let k = 0; k < channels; k++) values[p * channels + k] = smooth[p * channels + k];
}

/**
 * The "nearest" method's first half, exported so that several maps over the same islands share one
 * flood (unwrap fills seven). For each texel, the index of the island texel it copies (itself when covered), found by a
 * breadth-first flood from all covered texels at once (8-connected, so distances are in the
 * chessboard metric). −1 only when nothing at all is covered.
 */
export function nearestCoveredTexel(width: number, height: number, covered: (texel: number) => boolean): Int32Array {
  const n = width * height;
  const source = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let p = 0; p < n; p++) {
    if (covered(p)) {
      source[p] = p;
      queue[tail++] = p;
    }
  }
  while (head < tail) {
    const p = queue[head++];
    forNeighbours(p, width, height, (q) => {
      if (source[q] !== -1) return;
      source[q] = source[p];
      queue[tail++] = q;
    });
  }
  return source;
}

/** Copies each texel's channels from its source texel (in place). */
export function fillFromSource(image: ImageF32, source: Int32Array): void {
  copyFromSource(image.data, image.channels, source);
}

function copyFromSource(d: Float32Array, c: number, source: Int32Array): void {
  for (let p = 0; p < source.length; p++) {
    const s = source[p];
    if (s === p || s < 0) continue;
    for (let k = 0; k < c; k++) d[p * c + k] = d[s * c + k];
  }
}

/** Visits the 8-neighbours of texel p that lie inside the image, row by row. */
function forNeighbours(p: number, width: number, height: number, visit: (q: number) => void): void {
  const x = p % width;
  const y = (p - x) / width;
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if ((dx || dy) && xx >= 0 && xx < width) visit(yy * width + xx);
    }
  }
}

/** Whether an 8-neighbour of texel p is in ring r (a loop rather than forNeighbours: it runs for every texel). */
function hasNeighbourInRing(ring: Int32Array, p: number, width: number, height: number, r: number): boolean {
  const x = p % width;
  const y = (p - x) / width;
  for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
      const q = yy * width + xx;
      if (q !== p && ring[q] === r) return true;
    }
  }
  return false;
}
