/**
 * Gutter filling without streaks. Copying each gutter texel from its nearest island texel (a
 * chessboard flood) smears one border texel along straight lines for tens of texels, and those
 * streaks show in the atlas and bleed into coarse mip levels. Here the first rings around the
 * islands are dilated by averaging (each ring texel = mean of its already-filled 8-neighbours, so
 * bilinear and the first mip levels see the texel's own island), and the rest of the gutter is a
 * smooth (push-pull + membrane) interpolation of those rings.
 */
import { pushPullFill, relaxMembrane } from "./push-pull.ts";

export interface GutterFillOptions {
  /** Rings (texels) around the islands filled by averaged dilation from their own island. */
  dilationRings: number;
  /** Membrane sweeps over the far gutter after the push-pull (removes the pyramid's kinks). */
  smoothIterations: number;
}

export const GUTTER_FILL_DEFAULTS: GutterFillOptions = { dilationRings: 4, smoothIterations: 20 };

/**
 * Fills, in place, every texel of the interleaved image `values` with `covered[p]` false; island
 * texels are left untouched. Does nothing when no texel is covered.
 */
export function fillGutters(values: Float32Array, width: number, height: number, channels: number, covered: (p: number) => boolean, options: GutterFillOptions = GUTTER_FILL_DEFAULTS): void {
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
  const weight = Float32Array.from(ring, (r) => (r >= 0 ? 1 : 0));
  if (weight.every((w) => w === 1)) return;
  const smooth = pushPullFill(values, weight, width, height, channels, { prior: null, priorWeight: 0, trustFraction: 0.5 });
  relaxMembrane(values, smooth, weight, width, height, channels, options.smoothIterations);
  for (let p = 0; p < n; p++) if (ring[p] < 0) for (let k = 0; k < channels; k++) values[p * channels + k] = smooth[p * channels + k];
}

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

function hasNeighbourInRing(ring: Int32Array, p: number, width: number, height: number, r: number): boolean {
  let found = false;
  forNeighbours(p, width, height, (q) => { if (ring[q] === r) found = true; });
  return found;
}
