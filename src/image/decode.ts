/**
 * Photo decoding at the edge (sharp): EXIF orientation applied, colour converted to sRGB through
 * the embedded ICC profile (CMYK included), alpha flattened onto white, 8- and 16-bit inputs kept
 * at their precision, and a pixel-count limit checked from the header before any pixel is
 * decoded (decompression bombs). The result is the sRGB float image capture works on.
 */
import sharp from "sharp";
import { ImageTooLarge, InvalidImage } from "../errors.ts";
import type { ImageF32, LensHint } from "../types.ts";
import { readExifLens } from "./exif.ts";
import { withDefaults } from "../options.ts";

export interface DecodeOptions {
  /** Largest accepted image, width × height in pixels (after nothing is decoded). Default 50 MP. */
  maxPixels?: number;
}

export const DECODE_DEFAULTS: Required<DecodeOptions> = { maxPixels: 50_000_000 };

/** What decoding found out about the file, for the job report. */
export interface DecodeInfo {
  /** Container format as sharp names it (jpeg, png, webp, tiff, ...). */
  format: string;
  /** EXIF orientation tag that was applied (1 = none). */
  orientation: number;
  /** Colour space of the file before conversion (srgb, cmyk, b-w, rgb16, ...). */
  sourceSpace: string;
  /** 8 or 16 bits per channel in the file. */
  bitDepth: 8 | 16;
  /** The file carried an ICC profile (used for the conversion to sRGB). */
  hadIccProfile: boolean;
  /** The file had an alpha channel (flattened onto white). */
  hadAlpha: boolean;
  /** What the EXIF block says about the lens (null: no EXIF); fit reads the focal length from it. */
  lens: LensHint | null;
}

/**
 * Decodes a photo to an sRGB float image, 3 channels, values 0..1, row 0 at the top.
 * @throws InvalidImage when the bytes are not a decodable image; ImageTooLarge above `maxPixels`.
 */
export async function decodeImage(input: Uint8Array | string, options: DecodeOptions = {}): Promise<{ image: ImageF32; info: DecodeInfo }> {
  const { maxPixels } = withDefaults(DECODE_DEFAULTS, options);
  const source = typeof input === "string" ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const what = typeof input === "string" ? input : "the image";
  const meta = await sharp(source, { limitInputPixels: false })
    .metadata()
    .catch((err: Error) => {
      throw new InvalidImage(`${what} is not a readable image: ${err.message}`);
    });
  if (!meta.width || !meta.height) throw new InvalidImage(`${what} has no pixel dimensions`);
  if (meta.width * meta.height > maxPixels) throw new ImageTooLarge(meta.width, meta.height, maxPixels);

  const sixteen = meta.depth === "ushort" || meta.depth === "short";
  let pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: "error" }).autoOrient();
  if (meta.hasAlpha) pipeline = pipeline.flatten({ background: { r: 255, g: 255, b: 255 } });
  // sharp converts through the embedded ICC profile (or its CMYK default) into sRGB.
  pipeline = pipeline.toColourspace(sixteen ? "rgb16" : "srgb");
  const raw = await pipeline
    .raw(sixteen ? { depth: "ushort" } : {})
    .toBuffer({ resolveWithObject: true })
    .catch((err: Error) => {
      throw new InvalidImage(`${what} cannot be decoded (truncated or corrupt?): ${err.message}`);
    });
  const { width, height, channels } = raw.info;
  const count = width * height;
  const data = new Float32Array(count * 3);
  const src = sixteen ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2) : raw.data;
  const scale = 1 / (sixteen ? 65535 : 255);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = src[i * channels + (channels >= 3 ? c : 0)] * scale;
  }
  return {
    image: { width, height, channels: 3, data, colorSpace: "srgb" },
    info: {
      format: meta.format ?? "unknown",
      orientation: meta.orientation ?? 1,
      sourceSpace: meta.space ?? "unknown",
      bitDepth: sixteen ? 16 : 8,
      hadIccProfile: Boolean(meta.icc),
      hadAlpha: Boolean(meta.hasAlpha),
      lens: readExifLens(meta.exif),
    },
  };
}
