/**
 * Example-based skin texture for the parts of the head the photo did not see. A smooth fill carries
 * the tone but none of the skin's mottling, so a filled scalp or neck reads as a flat patch next to
 * the seen face. Skin at this scale is a stochastic texture, and for those Heitz & Neyret's
 * "tiling and blending" (HPG 2018) is the by-example method with a statistical reason: copy
 * patches of the example at random (here hashed, so deterministic) offsets on a lattice, blend the
 * overlapping copies with weights w and divide by √Σw², which keeps the example's mean and
 * variance instead of washing the texture out where copies overlap.
 *
 * Only the stationary part of the skin is copied, since only that can be repeated anywhere:
 * - the example is the seen skin's detail, log(T) minus its local mean, per channel, clipped at 3
 *   robust σ (moles, scars, stray hairs are not texture);
 * - patches that touch directional structure are not sources: a fold or wrinkle is an outlier of
 *   the detail's oriented energy (the structure tensor's λ₁ − λ₂), and copied elsewhere it reads
 *   as a crease; what remains is made isotropic by copying each patch under one of the
 *   8 rotations and mirrorings of the square, hashed per lattice vertex;
 * - the copy is resampled for the atlas's local scale on both sides (RegionMaps.texelAxesMm), so
 *   that a mottle keeps its size in mm on a stretched scalp or neck instead of being drawn out.
 */
import { blurPlane, weightedBlur } from "../../image/box-blur.ts";
import { luminance } from "../../primitives/color.ts";
import { mapF64, mapU8 } from "../../primitives/typed-array.ts";

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

/**
 * The atlas's local scale, 2 channels (mm per texel along x, along y; 0 = unknown), for
 * scale-preserving copies; absent: every texel is taken to have the same size.
 */
export type TexelAxes = Float32Array | undefined;

/** A 32-bit integer hash of a lattice vertex (deterministic placement of the copies). */
function hash2(i: number, j: number): number {
  let h = Math.imul(i, 0x27d4eb2d) ^ Math.imul(j + 0x165667b1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Median and 1.4826·MAD of `v` (sorted in place; a typed array sorts natively, without a comparator). */
function robust(v: Float64Array): { mid: number; spread: number } {
  v.sort();
  const mid = v[Math.floor(v.length / 2)] ?? 0;
  const dev = v.map((x) => Math.abs(x - mid)).sort();
  return { mid, spread: 1.4826 * (dev[Math.floor(dev.length / 2)] ?? 0) };
}

/** The entries of `values` where `ok` is set, as a Float64Array (for robust). */
function okValues(values: ArrayLike<number>, ok: Uint8Array, stride = 1, offset = 0): Float64Array {
  let count = 0;
  for (let p = 0; p < ok.length; p++) if (ok[p]) count++;
  const out = new Float64Array(count);
  for (let p = 0, i = 0; p < ok.length; p++) if (ok[p]) out[i++] = values[p * stride + offset];
  return out;
}

/** log T − log(local weighted mean), per channel, at example texels; `ok` marks where it is defined. */
function exampleDetail(texture: Float32Array, channels: number, example: Float32Array, width: number, height: number, o: SkinDetailOptions): { detail: Float32Array; ok: Uint8Array } {
  const n = width * height;
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
  for (let c = 0; c < channels; c++) {
    const v = okValues(detail, ok, channels, c).map(Math.abs).sort();
    if (v.length === 0) break;
    const limit = 3 * 1.4826 * v[Math.floor(v.length / 2)];
    for (let p = 0; p < n; p++) if (ok[p]) detail[p * channels + c] = Math.max(-limit, Math.min(limit, detail[p * channels + c]));
  }
  return { detail, ok };
}

/**
 * Per texel, the oriented energy λ₁ − λ₂ of the structure tensor of the detail's luminance,
 * integrated over a Gaussian of σ = `window` texels: large along a fold or a wrinkle, small in
 * isotropic mottling however strong.
 */
export function orientedEnergy(detail: Float32Array, channels: number, ok: Uint8Array, width: number, height: number, window: number): Float64Array {
  const n = width * height;
  const lum = new Float64Array(n);
  for (let p = 0; p < n; p++) lum[p] = channels >= 3 ? luminance(detail[p * channels], detail[p * channels + 1], detail[p * channels + 2]) : detail[p * channels];
  const jxx = new Float64Array(n), jyy = new Float64Array(n), jxy = new Float64Array(n);
  for (let y = 1; y < height - 1; y++) for (let x = 1; x < width - 1; x++) {
    const p = y * width + x;
    if (!ok[p] || !ok[p - 1] || !ok[p + 1] || !ok[p - width] || !ok[p + width]) continue;
    const gx = (lum[p + 1] - lum[p - 1]) / 2, gy = (lum[p + width] - lum[p - width]) / 2;
    jxx[p] = gx * gx;
    jyy[p] = gy * gy;
    jxy[p] = gx * gy;
  }
  for (const plane of [jxx, jyy, jxy]) blurPlane(plane, width, height, window);
  return mapF64(jxx, (a, p) => Math.hypot(a - jyy[p], 2 * jxy[p]));
}

/**
 * Source positions (and the fold-free texels every read must stay in): example texels whose
 * whole patch (radius `r`) is example and free of folds. A
 * texel is on a fold where the oriented energy around it (σ = r/2) is an outlier of the example's
 * (beyond median + 3 robust σ). A copy shows all of its patch, so the test is on every texel of
 * the patch, not on its centre: a patch centred a few texels beside a smile's nasolabial fold
 * carried the fold's edge, and under the 8 rotations those edges drew a network of short dark
 * strokes over the filled neck. Where the example is too small to hold a fold-free patch, the
 * patches whose centre alone is fold-free serve.
 */
function isotropicSources(detail: Float32Array, channels: number, ok: Uint8Array, width: number, height: number, r: number, minSources: number): { sources: number[]; foldFree: Uint8Array } {
  const energy = orientedEnergy(detail, channels, ok, width, height, r / 2);
  const { mid, spread } = robust(okValues(energy, ok));
  const limit = mid + 3 * spread;
  const foldFree = mapU8(ok, (v, p) => (v && energy[p] <= limit ? 1 : 0));
  const clean = patchesWithin(foldFree, width, height, r);
  if (clean.length >= minSources) return { sources: clean, foldFree };
  return { sources: patchesWithin(ok, width, height, r).filter((p) => foldFree[p]), foldFree };
}

/** Texels whose whole patch (radius `r`) lies in `inside`. */
function patchesWithin(inside: Uint8Array, width: number, height: number, r: number): number[] {
  const rowRun = new Int32Array(width * height); // consecutive texels inside, ending at p, along the row
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const p = y * width + x;
    rowRun[p] = inside[p] ? (x > 0 ? rowRun[p - 1] : 0) + 1 : 0;
  }
  const found: number[] = [];
  for (let y = r; y < height - r; y++) {
    for (let x = r; x < width - r; x++) {
      let full = true;
      for (let dy = -r; dy <= r && full; dy++) full = rowRun[(y + dy) * width + x + r] >= 2 * r + 1;
      if (full) found.push(y * width + x);
    }
  }
  return found;
}

/** The example's typical texel size, mm, per axis (median over the example texels); null when unknown. */
function exampleAxes(axes: Float32Array, ok: Uint8Array): [number, number] | null {
  const known = mapU8(ok, (v, p) => (v && axes[2 * p] > 0 && axes[2 * p + 1] > 0 ? 1 : 0));
  const ax = okValues(axes, known, 2, 0), ay = okValues(axes, known, 2, 1);
  if (ax.length === 0) return null;
  return [robust(ax).mid, robust(ay).mid];
}

/**
 * Per texel and channel, synthesised log-detail (zero mean, the example's spread), or null when
 * the example is too small. `example` weights (0..1) say which texels may be copied from; `axes`
 * (2 channels, mm per texel along x and y) makes the copies keep their size in mm. `wanted`, when
 * given, marks the texels whose detail the caller reads: the others are left 0 (each texel's
 * detail depends only on its own position, so skipping them changes no other texel).
 */
export function synthesiseSkinDetail(
  texture: Float32Array,
  channels: number,
  example: Float32Array,
  width: number,
  height: number,
  o: SkinDetailOptions,
  axes?: TexelAxes,
  wanted?: Uint8Array,
): Float32Array | null {
  const n = width * height;
  if (channels > 4 || !(o.cell >= 1)) return null;
  const { detail, ok } = exampleDetail(texture, channels, example, width, height, o);
  const r = o.cell;
  const { sources, foldFree } = isotropicSources(detail, channels, ok, width, height, r, o.minSources);
  if (sources.length < o.minSources) return null;
  const ref = axes ? exampleAxes(axes, ok) : null;
  // Reads stay off folds too: where the target's texels are larger in mm than the example's, a
  // copy reaches beyond its patch.
  const table = new BoxSampler(detail, foldFree, channels, width, height);
  const out = new Float32Array(n * channels);
  const acc = [0, 0, 0, 0];
  for (let y = 0; y < height; y++) {
    const gy = y / r, j0 = Math.floor(gy), ty = gy - j0;
    for (let x = 0; x < width; x++) {
      const gx = x / r, i0 = Math.floor(gx), tx = gx - i0;
      const p = y * width + x;
      if (wanted && !wanted[p]) continue;
      // Source texels per target texel along each axis (1 where the scale is unknown).
      const kx = ref && axes![2 * p] > 0 ? axes![2 * p] / ref[0] : 1;
      const ky = ref && axes![2 * p + 1] > 0 ? axes![2 * p + 1] / ref[1] : 1;
      let w2 = 0;
      acc.fill(0);
      for (let dj = 0; dj <= 1; dj++) {
        for (let di = 0; di <= 1; di++) {
          // Bilinear weights over the cell's four vertices (each copy fades out one cell from its vertex).
          const w = (di ? tx : 1 - tx) * (dj ? ty : 1 - ty);
          if (w <= 0) continue;
          const h = hash2(i0 + di, j0 + dj);
          const s = sources[h % sources.length];
          // This texel's offset from the vertex and its footprint, in mm-true source texels, under
          // the vertex's rotation/mirroring (3 hash bits: swap axes, negate x, negate y).
          let ox = (x - (i0 + di) * r) * kx, oy = (y - (j0 + dj) * r) * ky;
          let fx = kx, fy = ky;
          const t = (h >>> 24) & 7;
          if (t & 1) ([ox, oy] = [oy, ox]), ([fx, fy] = [fy, fx]);
          if (t & 2) ox = -ox;
          if (t & 4) oy = -oy;
          if (!table.add((s % width) + ox, Math.floor(s / width) + oy, fx, fy, w, acc)) continue;
          w2 += w * w;
        }
      }
      const norm = w2 > 0 ? 1 / Math.sqrt(w2) : 0;
      for (let c = 0; c < channels; c++) out[p * channels + c] = acc[c] * norm;
    }
  }
  return out;
}

/**
 * Box-filtered reads of the example's detail through summed-area tables. A target texel that
 * covers k source texels must show their average, not one of them: point samples put the
 * example's finest grain into texels several times larger, where it renders as streaks. The box
 * is square, as wide as the target texel's longer side: a texel three times taller than wide,
 * averaged over its own footprint only, keeps detail three times finer across than along, which
 * the surface shows as streaks along its long axis. Corners are read at fractional positions
 * (the tables interpolated bilinearly), so a box of one source texel or less interpolates
 * instead of repeating a texel in blocks.
 */
class BoxSampler {
  private readonly sums: Float64Array;
  private readonly stride: number;
  private readonly corner: number[];
  constructor(detail: Float32Array, ok: Uint8Array, private readonly channels: number, private readonly width: number, private readonly height: number) {
    const W1 = width + 1;
    this.stride = W1;
    // Channel `channels` of each table entry holds the count of example texels.
    const k = channels + 1;
    this.sums = new Float64Array(W1 * (height + 1) * k);
    this.corner = new Array(k).fill(0);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const p = y * width + x, q = (y + 1) * W1 + x + 1;
      for (let c = 0; c < k; c++) {
        const v = c === channels ? ok[p] : ok[p] ? detail[p * channels + c] : 0;
        this.sums[q * k + c] = v + this.sums[(q - 1) * k + c] + this.sums[(q - W1) * k + c] - this.sums[(q - W1 - 1) * k + c];
      }
    }
  }

  /** Adds sign × the tables' values at the real corner (x, y), 0 ≤ x ≤ width, 0 ≤ y ≤ height, into `into`. */
  private addCorner(x: number, y: number, sign: number, into: number[]): void {
    const x0 = Math.min(this.width - 1, Math.floor(x)), y0 = Math.min(this.height - 1, Math.floor(y));
    const ax = x - x0, ay = y - y0, W1 = this.stride, k = this.channels + 1;
    const q = y0 * W1 + x0;
    const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
    for (let c = 0; c < k; c++) {
      into[c] += sign * (w00 * this.sums[q * k + c] + w10 * this.sums[(q + 1) * k + c] + w01 * this.sums[(q + W1) * k + c] + w11 * this.sums[(q + W1 + 1) * k + c]);
    }
  }

  /**
   * Adds w × the mean detail over the square box of max(fx, fy, 1) texels centred on the point
   * (sx, sy) in texel coordinates (texel x spans x − ½ … x + ½) to `acc`; false (nothing added)
   * when the box leaves the example.
   */
  add(sx: number, sy: number, fx: number, fy: number, w: number, acc: number[]): boolean {
    const half = Math.max(1, fx, fy) / 2;
    // Texel (x, y) covers [x, x+1) in table coordinates.
    const x0 = sx + 0.5 - half, y0 = sy + 0.5 - half, x1 = sx + 0.5 + half, y1 = sy + 0.5 + half;
    if (x0 < 0 || y0 < 0 || x1 > this.width || y1 > this.height) return false;
    const sum = this.corner.fill(0);
    this.addCorner(x1, y1, 1, sum);
    this.addCorner(x0, y1, -1, sum);
    this.addCorner(x1, y0, -1, sum);
    this.addCorner(x0, y0, 1, sum);
    const area = (x1 - x0) * (y1 - y0);
    // Every texel the box touches must be example (a fractional edge still reads its texel).
    if (sum[this.channels] < area * (1 - 1e-6)) return false;
    for (let ch = 0; ch < this.channels; ch++) acc[ch] += (w * sum[ch]) / area;
    return true;
  }
}
