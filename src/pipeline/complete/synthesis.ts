/**
 * Example-based skin texture for the parts of the head the photo did not see. A smooth fill carries
 * the tone but none of the skin's mottling, so a filled scalp or neck reads as a flat patch next to
 * the seen face. Skin at this scale is a stochastic texture, and for those Heitz & Neyret's
 * "tiling and blending" (HPG 2018) is the by-example method with a statistical reason: copy
 * patches of the example at random (here hashed, so deterministic) offsets on a lattice, blend the
 * overlapping copies with weights w and divide by √Σw², which keeps the example's mean and
 * variance instead of washing the texture out where copies overlap.
 *
 * The example is the seen skin's detail: log(T) minus its local mean, per channel, clipped at
 * 3 robust σ, over the texels the caller names (complete: well-seen cheeks).
 */
import { weightedBlur } from "../../image/box-blur.ts";

export interface SkinDetailOptions {
  /** Lattice spacing, texels; each copied patch reaches one spacing around its lattice vertex. */
  cell: number;
  /** Gaussian σ, texels, of the local mean the detail is measured against. */
  sigma: number;
  /** Confidence from which a texel may serve as example. */
  minConfidence: number;
  /** Source positions needed (fewer: the face is too small to lend texture, none is synthesised). */
  minSources: number;
}

/** A 32-bit integer hash of a lattice vertex (deterministic placement of the copies). */
function hash2(i: number, j: number): number {
  let h = Math.imul(i, 0x27d4eb2d) ^ Math.imul(j + 0x165667b1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Per texel and channel, synthesised log-detail (zero mean, the example's spread), or null when
 * the example is too small. `example` weights (0..1) say which texels may be copied from.
 */
export function synthesiseSkinDetail(
  texture: Float32Array,
  channels: number,
  example: Float32Array,
  width: number,
  height: number,
  o: SkinDetailOptions,
): Float32Array | null {
  const n = width * height;
  if (channels > 4 || !(o.cell >= 1)) return null;
  // Detail of the example: log T − log (local weighted mean of T).
  const { values: mean, support } = weightedBlur(texture, channels, example, width, height, o.sigma);
  const detail = new Float32Array(n * channels);
  const ok = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (!(example[p] >= o.minConfidence) || support[p] < 0.5) continue;
    let good = true;
    for (let c = 0; c < channels; c++) {
      const v = texture[p * channels + c], m = mean[p * channels + c];
      if (!(v > 0 && m > 0)) good = false;
      else detail[p * channels + c] = Math.log(v / m);
    }
    ok[p] = good ? 1 : 0;
  }
  // A mole, a scar or a stray hair is not texture: clip each channel's detail at 3 robust σ.
  for (let c = 0; c < channels; c++) {
    const v: number[] = [];
    for (let p = 0; p < n; p++) if (ok[p]) v.push(Math.abs(detail[p * channels + c]));
    if (v.length === 0) break;
    v.sort((a, b) => a - b);
    const limit = 3 * 1.4826 * v[Math.floor(v.length / 2)];
    for (let p = 0; p < n; p++) if (ok[p]) detail[p * channels + c] = Math.max(-limit, Math.min(limit, detail[p * channels + c]));
  }
  // Source positions: texels whose whole patch (radius = cell) is example.
  const r = o.cell;
  const rowRun = new Int32Array(n); // consecutive ok texels ending at p, along the row
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const p = y * width + x;
    rowRun[p] = ok[p] ? (x > 0 ? rowRun[p - 1] : 0) + 1 : 0;
  }
  const sources: number[] = [];
  for (let y = r; y < height - r; y++) {
    for (let x = r; x < width - r; x++) {
      let full = true;
      for (let dy = -r; dy <= r && full; dy++) full = rowRun[(y + dy) * width + x + r] >= 2 * r + 1;
      if (full) sources.push(y * width + x);
    }
  }
  if (sources.length < o.minSources) return null;
  const out = new Float32Array(n * channels);
  for (let y = 0; y < height; y++) {
    const gy = y / r, j0 = Math.floor(gy), ty = gy - j0;
    for (let x = 0; x < width; x++) {
      const gx = x / r, i0 = Math.floor(gx), tx = gx - i0;
      let w2 = 0;
      const acc = [0, 0, 0, 0];
      for (let dj = 0; dj <= 1; dj++) {
        for (let di = 0; di <= 1; di++) {
          // Bilinear weights over the cell's four vertices (each copy fades out one cell from its vertex).
          const w = (di ? tx : 1 - tx) * (dj ? ty : 1 - ty);
          if (w <= 0) continue;
          const s = sources[hash2(i0 + di, j0 + dj) % sources.length];
          // Vertex (i, j) sits at texel ((i0+di)·r, (j0+dj)·r); this texel is offset from it by < r.
          const sx = (s % width) + x - (i0 + di) * r;
          const sy = Math.floor(s / width) + y - (j0 + dj) * r;
          const q = sy * width + sx;
          for (let c = 0; c < channels; c++) acc[c] += w * detail[q * channels + c];
          w2 += w * w;
        }
      }
      const norm = w2 > 0 ? 1 / Math.sqrt(w2) : 0;
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = acc[c] * norm;
    }
  }
  return out;
}
