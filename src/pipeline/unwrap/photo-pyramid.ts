/**
 * The photo as a linear-light mip pyramid, so that a texel covering many photo pixels averages
 * them (trilinear filtering) instead of aliasing, while a texel smaller than a pixel is bilinear.
 */
import { srgbToLinearFast } from "../../primitives/color.ts";
import type { Box, ImageF32 } from "../../types.ts";

/** One level: linear RGB, interleaved, `scale` photo pixels per level pixel. */
interface Level {
  width: number;
  height: number;
  data: Float32Array;
}

export interface PhotoPyramid {
  /** Crop origin in photo pixels; level 0 pixel (0,0) is photo pixel (x0, y0). */
  x0: number;
  y0: number;
  levels: Level[];
}

/**
 * Builds the pyramid over `crop` (clamped to the photo), converting sRGB to linear first so that
 * averaging happens in light, not in gamma-encoded values.
 */
export function buildPhotoPyramid(photo: ImageF32, crop: Box, maxLevels = 12): PhotoPyramid {
  if (photo.channels < 3) throw new Error(`unwrap: the photo has ${photo.channels} channels, 3 expected`);
  const x0 = Math.max(0, Math.floor(crop.x));
  const y0 = Math.max(0, Math.floor(crop.y));
  const x1 = Math.min(photo.width, Math.ceil(crop.x + crop.width));
  const y1 = Math.min(photo.height, Math.ceil(crop.y + crop.height));
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const base = new Float32Array(width * height * 3);
  const linear = photo.colorSpace !== "srgb";
  for (let y = 0; y < height; y++) {
    const sy = Math.min(photo.height - 1, y0 + y);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(photo.width - 1, x0 + x);
      const s = (sy * photo.width + sx) * photo.channels;
      const d = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = photo.data[s + c];
        base[d + c] = linear ? v : srgbToLinearFast(v);
      }
    }
  }
  const levels: Level[] = [{ width, height, data: base }];
  while (levels.length < maxLevels) {
    const prev = levels[levels.length - 1];
    if (prev.width === 1 && prev.height === 1) break;
    levels.push(halve(prev));
  }
  return { x0, y0, levels };
}

/** 2×2 box reduction (edge pixels repeated when a size is odd). */
function halve(src: Level): Level {
  const width = Math.max(1, Math.ceil(src.width / 2));
  const height = Math.max(1, Math.ceil(src.height / 2));
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const ya = Math.min(src.height - 1, 2 * y);
    const yb = Math.min(src.height - 1, 2 * y + 1);
    for (let x = 0; x < width; x++) {
      const xa = Math.min(src.width - 1, 2 * x);
      const xb = Math.min(src.width - 1, 2 * x + 1);
      const a = (ya * src.width + xa) * 3;
      const b = (ya * src.width + xb) * 3;
      const c = (yb * src.width + xa) * 3;
      const d = (yb * src.width + xb) * 3;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) data[o + k] = 0.25 * (src.data[a + k] + src.data[b + k] + src.data[c + k] + src.data[d + k]);
    }
  }
  return { width, height, data };
}

/** Bilinear sample of one level at continuous level coordinates (pixel centres at +0.5), clamped at the edges. */
function sampleLevel(level: Level, x: number, y: number, out: Float32Array, weight: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  let ix = Math.floor(fx);
  let iy = Math.floor(fy);
  const tx = fx - ix;
  const ty = fy - iy;
  const w = level.width;
  const h = level.height;
  const ix1 = ix + 1 < w ? (ix + 1 < 0 ? 0 : ix + 1) : w - 1;
  const iy1 = iy + 1 < h ? (iy + 1 < 0 ? 0 : iy + 1) : h - 1;
  ix = ix < 0 ? 0 : ix >= w ? w - 1 : ix;
  iy = iy < 0 ? 0 : iy >= h ? h - 1 : iy;
  const a = (iy * w + ix) * 3;
  const b = (iy * w + ix1) * 3;
  const c = (iy1 * w + ix) * 3;
  const d = (iy1 * w + ix1) * 3;
  const d0 = level.data;
  for (let k = 0; k < 3; k++) {
    const top = d0[a + k] * (1 - tx) + d0[b + k] * tx;
    const bottom = d0[c + k] * (1 - tx) + d0[d + k] * tx;
    out[k] += weight * (top * (1 - ty) + bottom * ty);
  }
}

/**
 * Trilinear sample at photo pixel (x, y) for a footprint of `footprintPx` photo pixels per texel;
 * writes linear RGB into `out` (length ≥ 3).
 */
export function samplePhoto(pyramid: PhotoPyramid, x: number, y: number, footprintPx: number, out: Float32Array): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  const maxLod = pyramid.levels.length - 1;
  const lod = footprintPx > 1 ? Math.min(maxLod, Math.log2(footprintPx)) : 0;
  const l0 = Math.floor(lod);
  const f = lod - l0;
  const lx = x - pyramid.x0;
  const ly = y - pyramid.y0;
  const s0 = 1 / (1 << l0);
  sampleLevel(pyramid.levels[l0], lx * s0, ly * s0, out, 1 - f);
  if (f > 0 && l0 < maxLod) sampleLevel(pyramid.levels[l0 + 1], lx * s0 * 0.5, ly * s0 * 0.5, out, f);
}
