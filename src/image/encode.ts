/**
 * PNG encoding of float images, deterministic: fixed zlib settings, no metadata, no timestamps,
 * so identical pixels always give identical bytes (game builds cache on the output, docs/design.md §5).
 */
import sharp from "sharp";
import { linearToSrgb } from "../primitives/color.ts";
import type { ImageF32 } from "../types.ts";
import { withDefaults } from "../options.ts";

export interface EncodePngOptions {
  /** Bits per channel in the file: 8 or 16. */
  bitDepth?: 8 | 16;
  /**
   * How float values map to stored codes: "unit" stores 0..1 as 0..max; "signed" stores −1..1 as
   * 0..max (normal maps: n·0.5 + 0.5). Values outside the range are clamped; NaN is stored as 0.
   */
  range?: "unit" | "signed";
  /** "srgb": the values are linear light and are stored sRGB-encoded (no float copy is made); "none": stored as they are. */
  transfer?: "none" | "srgb";
}

export const ENCODE_PNG_DEFAULTS: Required<EncodePngOptions> = { bitDepth: 8, range: "unit", transfer: "none" };

/** linearToSrgb tabulated over 0..1 (linear interpolation, measured |error| < 10⁻⁶, below half a 16-bit code): ultra maps hold 75 M values. */
const SRGB_TABLE_SIZE = 1 << 16;
let srgbTable: Float32Array | undefined;
function linearToSrgbFast(c: number): number {
  srgbTable ??= Float32Array.from({ length: SRGB_TABLE_SIZE + 1 }, (_, i) => linearToSrgb(i / SRGB_TABLE_SIZE));
  const x = c * SRGB_TABLE_SIZE;
  const i = Math.floor(x);
  if (i >= SRGB_TABLE_SIZE) return 1;
  const f = x - i;
  return srgbTable[i] * (1 - f) + srgbTable[i + 1] * f;
}

/**
 * zlib level 3 without adaptive filtering: fixed, so bytes are reproducible. On a 3072×4608 16-bit
 * normal map level 3 took 1.3 s CPU for 42.1 MiB, level 6 1.6 s for 41.9 MiB, level 1 0.7 s but 55 MiB.
 */
const PNG_SETTINGS = { compressionLevel: 3, adaptiveFiltering: false, palette: false } as const;

/** Quantises a float image to 8- or 16-bit codes (round half up), clamping to the range. */
export function quantize(image: ImageF32, options: EncodePngOptions = {}): Uint8Array | Uint16Array {
  const { bitDepth, range, transfer } = withDefaults(ENCODE_PNG_DEFAULTS, options);
  const toSrgb = transfer === "srgb";
  const max = bitDepth === 16 ? 65535 : 255;
  const src = image.data;
  const out = bitDepth === 16 ? new Uint16Array(src.length) : new Uint8Array(src.length);
  const signed = range === "signed";
  for (let i = 0; i < src.length; i++) {
    let v = src[i];
    if (signed) v = v * 0.5 + 0.5;
    // NaN fails both comparisons and would become 0 through `| 0`; make that explicit.
    v = v > 0 ? (v < 1 ? v : 1) : 0;
    if (toSrgb) v = linearToSrgbFast(v);
    out[i] = Math.floor(v * max + 0.5);
  }
  return out;
}

/**
 * Encodes a float image (1, 2, 3 or 4 channels) as PNG bytes. The values are written as they are:
 * the caller chooses what the numbers mean (sRGB for A_D, linear for A_S, normals for N_*).
 *
 *   const png = await encodePng(albedo, { bitDepth: 8 });
 *   const nrm = await encodePng(normals, { bitDepth: 16, range: "signed" });
 */
export async function encodePng(image: ImageF32, options: EncodePngOptions = {}): Promise<Uint8Array> {
  const { bitDepth } = withDefaults(ENCODE_PNG_DEFAULTS, options);
  const { width, height, channels } = image;
  if (!(channels >= 1 && channels <= 4)) throw new Error(`encodePng: ${channels} channels; PNG holds 1 to 4`);
  if (image.data.length !== width * height * channels) {
    throw new Error(`encodePng: data length ${image.data.length} ≠ ${width}×${height}×${channels}`);
  }
  return encodePngCodes(quantize(image, options), width, height, channels);
}

/**
 * PNG bytes of codes already quantised (interleaved, 1 to 4 channels; Uint16Array = 16-bit),
 * with the same fixed settings as encodePng. For callers that build 8-bit maps from a lookup
 * table and need no float image (memory at ultra size).
 */
export async function encodePngCodes(codes: Uint8Array | Uint16Array, width: number, height: number, channels: number): Promise<Uint8Array> {
  if (!(channels >= 1 && channels <= 4)) throw new Error(`encodePngCodes: ${channels} channels; PNG holds 1 to 4`);
  if (codes.length !== width * height * channels) throw new Error(`encodePngCodes: ${codes.length} codes ≠ ${width}×${height}×${channels}`);
  let pipeline = sharp(codes, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  if (codes instanceof Uint16Array) pipeline = pipeline.toColourspace(channels <= 2 ? "grey16" : "rgb16");
  else pipeline = pipeline.toColourspace(channels <= 2 ? "b-w" : "srgb");
  const buffer = await pipeline.png(PNG_SETTINGS).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
