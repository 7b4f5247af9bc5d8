/**
 * The camera response family (delight/response.ts): the photo's value x is the sRGB encoding u of
 * the radiance through the logit-linear contrast curve logit(x) = k · logit(u), k = 1 plain sRGB.
 * Its forward and inverse maps, and the re-linearisation of a whole image. Apart from response.ts
 * so that both cues to k (shading consistency there, edge mixtures in response-edges.ts) read it.
 */
import { linearToSrgb, srgbToLinear } from "../../primitives/color.ts";

/** Radiance (linear, up to the exposure) of a photo value x (sRGB-encoded, 0..1) under contrast k. */
export function radianceOfPhotoValue(x: number, k: number): number {
  if (k === 1) return srgbToLinear(x);
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const u = 1 / (1 + Math.exp(-Math.log(x / (1 - x)) / k));
  return srgbToLinear(u);
}

/** The photo value the camera writes for radiance E (linear, 0..1) under contrast k: the forward curve. */
export function photoValueOfRadiance(E: number, k: number): number {
  const u = linearToSrgb(Math.min(1, Math.max(0, E)));
  if (k === 1 || u <= 0 || u >= 1) return u;
  return 1 / (1 + Math.exp(-k * Math.log(u / (1 - u))));
}

/** Re-linearises an image that was decoded with plain sRGB (`linear` true) or is still sRGB-encoded, under contrast k; a new array, same layout. */
export function relinearise(data: Float32Array, k: number, linear: boolean): Float32Array {
  if (k === 1 && linear) return data;
  // A 4096-entry table over the encoded value: the full-size texture has millions of values.
  const N = 4096;
  const table = Float32Array.from({ length: N + 1 }, (_, i) => radianceOfPhotoValue(i / N, k));
  return Float32Array.from(data, (v) => {
    const x = Math.min(1, Math.max(0, linear ? linearToSrgb(v) : v));
    const f = x * N;
    const i = Math.min(N - 1, Math.floor(f));
    return table[i] + (f - i) * (table[i + 1] - table[i]);
  });
}
