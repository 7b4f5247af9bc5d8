/**
 * Rotated square crops of a photo, the way face models want their input, and the mapping of
 * crop coordinates back to the photo.
 *
 * A crop is a square of side `size` photo pixels centred at (cx, cy) whose x axis points along
 * angle `theta` (radians, image coordinates: x right, y down; θ > 0 turns clockwise on screen).
 * Crop coordinates (u, v) in [0, n] map to the photo by
 *   p = c + size · R(θ) · (u/n − ½, v/n − ½),
 * so a model's output points (in its input pixels) come back to the photo with `cropToImage`.
 */
import type { ImageF32 } from "../../types.ts";

export interface CropFrame {
  cx: number;
  cy: number;
  /** Side of the square, photo pixels. */
  size: number;
  /** Rotation of the crop's x axis in the photo, radians. */
  theta: number;
  /** Mirror the crop left-right (the iris model wants one eye mirrored). */
  mirror?: boolean;
}

/** Photo coordinates of crop point (u, v) for a crop of n pixels. */
export function cropToImage(f: CropFrame, n: number, u: number, v: number): [number, number] {
  const a = (f.mirror ? 1 - u / n : u / n) - 0.5;
  const b = v / n - 0.5;
  const c = Math.cos(f.theta);
  const s = Math.sin(f.theta);
  return [f.cx + f.size * (a * c - b * s), f.cy + f.size * (a * s + b * c)];
}

/** Crop coordinates (in [0, n]) of photo point (x, y): the inverse of cropToImage. */
export function imageToCrop(f: CropFrame, n: number, x: number, y: number): [number, number] {
  const c = Math.cos(f.theta);
  const s = Math.sin(f.theta);
  const dx = (x - f.cx) / f.size;
  const dy = (y - f.cy) / f.size;
  const a = dx * c + dy * s;
  const b = -dx * s + dy * c;
  return [(f.mirror ? 0.5 - a : a + 0.5) * n, (b + 0.5) * n];
}

/**
 * Samples an n×n×3 crop (NHWC, values mapped by `scale`·v + `offset`) from an RGB photo with
 * bilinear taps; outside the photo reads 0 (like TF's cropAndResize). Downscaling averages k×k
 * taps per pixel (k ≈ photo pixels per crop pixel, ≤ 4) so a large face is not aliased.
 */
export function sampleCrop(img: ImageF32, f: CropFrame, n: number, scale = 1, offset = 0): Float32Array {
  const { width: w, height: h, channels: ch, data } = img;
  const out = new Float32Array(n * n * 3);
  const k = Math.max(1, Math.min(4, Math.round(f.size / n)));
  const weight = 1 / (k * k);
  const c = Math.cos(f.theta);
  const s = Math.sin(f.theta);
  const step = f.size / n;
  const sign = f.mirror ? -1 : 1;
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const at = (v * n + u) * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        const bb = (v + (j + 0.5) / k) * step - f.size / 2;
        for (let i = 0; i < k; i++) {
          const aa = sign * ((u + (i + 0.5) / k) * step - f.size / 2);
          // Photo coordinates of the tap, shifted so pixel centres sit on integers.
          const fx = f.cx + aa * c - bb * s - 0.5;
          const fy = f.cy + aa * s + bb * c - 0.5;
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const tx = fx - x0;
          const ty = fy - y0;
          for (let dy = 0; dy < 2; dy++) {
            const yy = y0 + dy;
            if (yy < 0 || yy >= h) continue;
            const wy = dy ? ty : 1 - ty;
            for (let dx = 0; dx < 2; dx++) {
              const xx = x0 + dx;
              if (xx < 0 || xx >= w) continue;
              const wt = wy * (dx ? tx : 1 - tx);
              const src = (yy * w + xx) * ch;
              r += data[src] * wt;
              g += data[src + (ch > 1 ? 1 : 0)] * wt;
              b += data[src + (ch > 2 ? 2 : 0)] * wt;
            }
          }
        }
      }
      out[at] = r * weight * scale + offset;
      out[at + 1] = g * weight * scale + offset;
      out[at + 2] = b * weight * scale + offset;
    }
  }
  return out;
}
