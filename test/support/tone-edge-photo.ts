/**
 * A synthetic scene photo with colour edges for the camera-response tests (test/tone*.test.ts): a
 * wall of uniform colour tiles and discs of many hues and lightnesses in linear radiance, blurred
 * by the lens (a Gaussian, in linear light: edge pixels are true mixtures), then written by the
 * given camera (radiance → encoded value per channel), with a little sensor noise and 8-bit
 * quantisation.
 */
import type { ImageF32 } from "../../src/types.ts";
import { prng } from "./synthetic-skin.ts";

export function edgePhoto(camera: (radiance: number, channel: number) => number, opts: { width?: number; height?: number; blurSigma?: number; seed?: number } = {}): ImageF32 {
  const W = opts.width ?? 240;
  const H = opts.height ?? 180;
  const sigma = opts.blurSigma ?? 1.5;
  const rand = prng(opts.seed ?? 7);
  const colour = () => [0, 1, 2].map(() => 0.02 + 0.6 * rand() ** 1.5);
  const tiles = Array.from({ length: 6 * 4 }, colour);
  const discs = Array.from({ length: 10 }, () => ({ x: rand() * W, y: rand() * H, r: 8 + 14 * rand(), c: colour() }));
  const lin = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c = tiles[Math.floor((y / H) * 4) * 6 + Math.floor((x / W) * 6)];
      for (const d of discs) if (Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y) < d.r) c = d.c;
      lin.set(c, (y * W + x) * 3);
    }
  }
  const blurred = blur(lin, W, H, sigma);
  const data = Float32Array.from(blurred, (v, i) => {
    const noisy = camera(v, i % 3) + (rand() - 0.5) * (2 / 255);
    return Math.round(Math.min(1, Math.max(0, noisy)) * 255) / 255;
  });
  return { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
}

/** Separable Gaussian blur of an RGB image (edges clamped). */
function blur(src: Float32Array, W: number, H: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const pass = (a: Float32Array, dx: number, dy: number) =>
    Float32Array.from(a, (_, i) => {
      const p = Math.floor(i / 3);
      const ch = i % 3;
      const x = p % W;
      const y = Math.floor(p / W);
      let s = 0;
      for (let t = -r; t <= r; t++) {
        const xx = Math.min(W - 1, Math.max(0, x + t * dx));
        const yy = Math.min(H - 1, Math.max(0, y + t * dy));
        s += k[t + r] * a[(yy * W + xx) * 3 + ch];
      }
      return s / sum;
    });
  return pass(pass(src, 1, 0), 0, 1);
}
