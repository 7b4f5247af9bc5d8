/**
 * Photo pixels of the in-photo references of known reflectance (the sclera, capture/sclera.ts, and
 * the teeth, capture/teeth.ts): the pixels inside a landmark outline as linear RGB, ranked, and
 * their robust colour.
 */
import { luminance, srgbToLinear } from "../../primitives/color.ts";
import { upperMedian } from "../../primitives/statistics.ts";
import { fillPolygon } from "../../raster/polygon.ts";
import type { ImageF32 } from "../../types.ts";

/** A photo pixel inside a reference's outline: linear RGB, its rank (smallest channel), whether a channel clipped, and its index (y·width + x). */
export interface ReferencePixel {
  rgb: number[];
  rank: number;
  clipped: boolean;
  index: number;
}

/** A disc left out of a polygon (pixels). */
export interface Disc {
  x: number;
  y: number;
  r: number;
}

/**
 * The pixels of an sRGB image inside a polygon (flat x, y pairs, pixels), but for those inside
 * `exclude` (a disc) or inside `hole` (a second polygon), as linear RGB ranked by their smallest
 * channel: a near-neutral light surface ranks high, anything saturated or dark low.
 */
export function polygonPixels(image: ImageF32, polygon: number[], clipLevel: number, exclude: Disc | null = null, hole: number[] | null = null): ReferencePixel[] {
  const { width: w, height: h, channels } = image;
  const xs = polygon.filter((_, i) => i % 2 === 0);
  const ys = polygon.filter((_, i) => i % 2 === 1);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(...ys)));
  if (x1 < x0 || y1 < y0) return [];
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const inside = new Uint8Array(bw * bh);
  fillPolygon(inside, bw, bh, polygon, x0, y0);
  const holeMask = hole ? new Uint8Array(bw * bh) : null;
  if (holeMask && hole) fillPolygon(holeMask, bw, bh, hole, x0, y0);
  const out: ReferencePixel[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const b = (y - y0) * bw + (x - x0);
      if (!inside[b] || holeMask?.[b]) continue;
      if (exclude && Math.hypot(x + 0.5 - exclude.x, y + 0.5 - exclude.y) < exclude.r) continue;
      const p = (y * w + x) * channels;
      const s = [image.data[p], image.data[p + 1], image.data[p + 2]];
      const rgb = s.map(srgbToLinear);
      out.push({ rgb, rank: Math.min(rgb[0], rgb[1], rgb[2]), clipped: s.some((v) => v >= clipLevel), index: y * w + x });
    }
  }
  return out;
}

/** The pixels whose rank lies between the given quantiles of all ranks. */
export function keepQuantiles(pixels: ReferencePixel[], quantiles: [number, number]): ReferencePixel[] {
  if (pixels.length === 0) return [];
  const sorted = pixels.map((e) => e.rank).sort((a, b) => a - b);
  const lo = sorted[Math.floor(sorted.length * quantiles[0])];
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * quantiles[1]))];
  return pixels.filter((e) => e.rank >= lo && e.rank <= hi);
}

/** Per-channel median colour and robust spread (1.4826 × MAD of ln luminance) of linear RGB samples. */
export function robustColour(samples: number[][]): { rgb: [number, number, number]; spread: number } {
  const rgb = [0, 1, 2].map((c) => median(samples.map((k) => k[c]))) as [number, number, number];
  const logs = samples.map((k) => lnLuminance(k));
  const m = median(logs);
  return { rgb, spread: 1.4826 * median(logs.map((v) => Math.abs(v - m))) };
}

/** ln of the luminance of a linear RGB colour (floored at 1e-6). */
export const lnLuminance = (k: ArrayLike<number>): number => Math.log(Math.max(luminance(k[0], k[1], k[2]), 1e-6));

/** The median of a list (the upper one of an even count; 0 when empty). */
export const median = upperMedian;

/**
 * Pixels one independent sample of a reference's reading spans: neighbouring pixels share the lens's
 * blur, the demosaic and JPEG's blocks (its chroma at half resolution), so a few hundred pixels are
 * a few tens of samples. Assumed, not measured: a tenth.
 */
export const PIXELS_PER_SAMPLE = 10;

/**
 * The fewest effective samples whose mean has a finite doubt when their spread is read from them too:
 * the mean's error over its estimated standard error follows Student's t with n − 1 degrees of
 * freedom, whose variance ν / (ν − 2) is finite only for ν > 2.
 */
export const MIN_EFFECTIVE_SAMPLES = 3;

/**
 * σ of the mean of `pixels` readings of robust spread `spread` (ln units): the spread over √ of the
 * effective samples n = pixels / `pixelsPerSample`, widened by the t variance √(ν / (ν − 2)), ν = n − 1,
 * for a spread estimated from the same few samples. Infinite at n ≤ MIN_EFFECTIVE_SAMPLES.
 *
 * The variance, not the t's information about the location ((ν + 1) / ((ν + 3) σ²), finite down to
 * one sample): the cues are joined linearly, by inverse variance, the least-variance linear mean, and
 * there a reading's weight is 1 / its variance, which falls without a step to 0 as ν → 2 (31 pixels:
 * the sampling term × 4.6; 30.1: × 14). The information is the weight of a maximum-likelihood join,
 * which lets readings of two or three samples in; measured, they are wrong by far more than their
 * pixels' spread says (alex-lacamoire.png, obama.jpg, rose-leslie img1: identity set within ΔE00
 * 3.12 → 5.14; docs/evaluation.md, tone14).
 */
export function meanDoubt(spread: number, pixels: number, pixelsPerSample = PIXELS_PER_SAMPLE): number {
  const n = pixels / pixelsPerSample;
  if (!(n > MIN_EFFECTIVE_SAMPLES)) return Infinity;
  const nu = n - 1;
  return (spread / Math.sqrt(n)) * Math.sqrt(nu / (nu - 2));
}
