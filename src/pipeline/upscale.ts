/**
 * upscale ζ: super-resolution of the completed UV texture (docs/design.md §1) by an ESRGAN upscaler (or a
 * user estimator registered for the "upscale" stage) run through the tiled engine, then an exact
 * resample to the preset's map size where the network's factor does not land on it (ultra: ×8 =
 * 3072×4608, then Lanczos-3 to 4096×6144, our own separable filter with
 * pixel centres aligned: libvips' enlargement shifts by half an output pixel).
 */
import type { Estimator, EstimatorRegistry } from "../models/estimators.ts";
import { runTiled } from "../models/tiled.ts";
import { srgbToLinearFast } from "../primitives/color.ts";
import type { ImageF32 } from "../types.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";

/** The built-in ESRGAN sizes (UpscalerJS): more residual blocks = slower and sharper. */
export type EsrganSize = "slim" | "medium" | "thick";

export interface UpscaleOptions {
  /** Built-in ESRGAN size; ignored when a user estimator overrides the stage. */
  size?: EsrganSize;
  /** Network factor, 2, 4 or 8. */
  scale?: 2 | 4 | 8;
  /** Output width, texels; 0 = input width × the estimator's scale (no resample). */
  width?: number;
  /** Output height, texels; 0 = input height × the estimator's scale. */
  height?: number;
}

export const UPSCALE_DEFAULTS: Required<UpscaleOptions> = {
  size: "medium",
  scale: 4,
  width: 0,
  height: 0,
};

/** Share of the stage's progress given to the final resample when there is one (the tiles get the rest): progress only, no effect on the result. */
const RESAMPLE_PROGRESS_SHARE = 0.1;

/** What upscale reads: the completed base-size texture. */
export interface UpscaleInput {
  /** Texture T, 3 channels, linear or sRGB (complete's output). */
  texture: ImageF32;
}

/**
 * The estimator the stage will run: a user's "upscale" estimator when one is registered (it
 * overrides the built-ins; the preset's scale still picks among several), else the built-in ESRGAN
 * of the requested size and scale.
 */
export function pickUpscaler(registry: EstimatorRegistry, options: Pick<UpscaleOptions, "size" | "scale"> = {}): Estimator {
  const { size, scale } = withDefaults(UPSCALE_DEFAULTS, options);
  const user = registry.list("upscale").some((e) => e.origin !== "built-in");
  return user ? registry.resolve("upscale", { scale }) : registry.resolve("upscale", { name: `esrgan-${size}-x${scale}` });
}

/**
 * Upscales a texture (3 channels, linear or sRGB) with the chosen estimator through the tiled
 * engine; the result is linear RGB, clamped to 0..1, at the requested size. The estimator comes
 * from `context.estimators` (required: the built-in upscalers are registry entries too).
 *
 *   const hires = await upscale({ texture: completed.texture }, { size: "thick", scale: 8 }, { estimators });
 *   const ultra = await upscale({ texture: completed.texture }, { scale: 8, width: 4096, height: 6144 }, { estimators });
 */
export async function upscale(input: UpscaleInput, options: UpscaleOptions = {}, context: StageContext = {}): Promise<ImageF32> {
  const o = withDefaults(UPSCALE_DEFAULTS, options);
  const { texture } = input;
  if (texture.channels !== 3) throw new Error(`upscale: the texture has ${texture.channels} channels, 3 expected`);
  if (!context.estimators) throw new Error("upscale: context.estimators is required (the registry the upscaler is picked from)");
  const estimator = pickUpscaler(context.estimators, o);
  const { manifest } = estimator;
  loggerOf(context).debug(`upscale: ${manifest.name} (${estimator.origin}), ×${manifest.scale}, ${texture.width}×${texture.height}`);
  const session = await estimator.session();
  const resampleShare = o.width || o.height ? RESAMPLE_PROGRESS_SHARE : 0;
  const [raw] = await runTiled(session, manifest, [texture], {
    signal: context.signal,
    onProgress: (f) => context.onProgress?.(f * (1 - resampleShare)),
  });
  const upscaled = toLinearClamped(raw);
  const width = o.width || upscaled.width;
  const height = o.height || upscaled.height;
  if (width === upscaled.width && height === upscaled.height) {
    context.onProgress?.(1);
    return upscaled;
  }
  throwIfAborted(context);
  const resampled = resampleLanczos(upscaled, width, height);
  clamp01(resampled.data);
  context.onProgress?.(1);
  return resampled;
}

function clamp01(d: Float32Array): void {
  for (let i = 0; i < d.length; i++) d[i] = d[i] > 0 ? (d[i] < 1 ? d[i] : 1) : 0;
}

/** The estimator's output in linear light, clamped to 0..1 (GAN upscalers overshoot a little at edges). */
function toLinearClamped(image: ImageF32): ImageF32 {
  const d = image.data;
  const srgb = image.colorSpace === "srgb";
  for (let i = 0; i < d.length; i++) {
    const v = d[i] > 0 ? (d[i] < 1 ? d[i] : 1) : 0;
    d[i] = srgb ? srgbToLinearFast(v) : v;
  }
  return { ...image, colorSpace: image.colorSpace === "data" ? "data" : "linear" };
}

/** Lanczos kernel of radius 3. */
function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Taps of a 1-D Lanczos-3 resample from `src` to `dst` samples, pixel centres aligned, edges clamped. */
function lanczosTaps(src: number, dst: number): { first: Int32Array; weights: Float32Array; taps: number } {
  const scale = src / dst;
  // Widen the kernel when minifying so it also low-passes (no aliasing).
  const support = 3 * Math.max(1, scale);
  const taps = Math.ceil(2 * support) + 1;
  const first = new Int32Array(dst);
  const weights = new Float32Array(dst * taps);
  const stretch = Math.max(1, scale);
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    const start = Math.floor(centre - support) + 1;
    first[i] = start;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const w = lanczos3((start + k - centre) / stretch);
      weights[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < taps; k++) weights[i * taps + k] /= sum;
  }
  return { first, weights, taps };
}

/**
 * Separable Lanczos-3 resample of a float image (any channel count), pixel centres aligned so the
 * map stays registered with the mesh's UVs, edges clamped. Values are not clamped.
 */
export function resampleLanczos(image: ImageF32, width: number, height: number): ImageF32 {
  const { width: sw, height: sh, channels: C, data: src } = image;
  const h = lanczosTaps(sw, width);
  const v = lanczosTaps(sh, height);
  // Horizontal pass: sh rows × width columns.
  const mid = new Float32Array(sh * width * C);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * C;
      for (let k = 0; k < h.taps; k++) {
        const w = h.weights[x * h.taps + k];
        if (w === 0) continue;
        const sx = Math.min(sw - 1, Math.max(0, h.first[x] + k));
        const s = (row + sx) * C;
        for (let c = 0; c < C; c++) mid[o + c] += w * src[s + c];
      }
    }
  }
  // Vertical pass.
  const out = new Float32Array(width * height * C);
  const rowLen = width * C;
  for (let y = 0; y < height; y++) {
    const o = y * rowLen;
    for (let k = 0; k < v.taps; k++) {
      const w = v.weights[y * v.taps + k];
      if (w === 0) continue;
      const s = Math.min(sh - 1, Math.max(0, v.first[y] + k)) * rowLen;
      for (let i = 0; i < rowLen; i++) out[o + i] += w * mid[s + i];
    }
  }
  return { width, height, channels: C, data: out, colorSpace: image.colorSpace };
}
