/**
 * Checks an uploaded photo before anything is stored or queued, and normalises it:
 * the type is sniffed from the bytes (never from the name or Content-Type), the decoded size is
 * checked from the header before any pixel is decoded, the whole image is decoded once (catching
 * truncated files), and what is kept is a lossless PNG of the upright sRGB pixels with no
 * metadata (EXIF, GPS, XMP, ICC all dropped). The CLI uses the same path so that the daemon and
 * the CLI feed the pipeline identical bytes (docs/design.md §5: same input ⇒ same outputs).
 */
import sharp from "sharp";
import { HttpError, oneLine } from "./http-error.ts";

export interface SniffedType {
  mediaType: "image/jpeg" | "image/png" | "image/webp" | "image/avif" | "image/heic";
  label: string;
}

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** The image type from its magic bytes, or null when it is none of the formats the pipeline reads. */
export function sniffImageType(bytes: Uint8Array): SniffedType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mediaType: "image/jpeg", label: "JPEG" };
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return { mediaType: "image/png", label: "PNG" };
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return { mediaType: "image/webp", label: "WebP" };
  // ISO-BMFF: a box of type "ftyp" first, major brand then compatible brands.
  if (bytes.length >= 16 && ascii(bytes, 4, 8) === "ftyp") {
    const boxSize = Math.min(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0, bytes.length, 256);
    const brands: string[] = [ascii(bytes, 8, 12)];
    for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4));
    if (brands.some((b) => b === "avif" || b === "avis")) return { mediaType: "image/avif", label: "AVIF" };
    if (brands.some((b) => ["heic", "heix", "heim", "heis", "mif1", "msf1"].includes(b))) return { mediaType: "image/heic", label: "HEIC" };
  }
  return null;
}

export interface IntakeOptions {
  /** Largest accepted width × height, after EXIF rotation. */
  maxPixels: number;
}

export interface AcceptedPhoto {
  /** Lossless PNG, upright (EXIF orientation applied), sRGB, no metadata. */
  png: Uint8Array;
  width: number;
  height: number;
  /** What the upload was, sniffed from its bytes. */
  mediaType: SniffedType["mediaType"];
  /** Size of the upload, bytes. */
  uploadBytes: number;
}

const megapixels = (pixels: number) => `${(pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0)} MP`;

/**
 * Validates an uploaded photo and returns it as a clean PNG, or throws an `HttpError` whose code
 * names the problem: empty_upload (400), unsupported_media_type (415), image_too_large (413),
 * invalid_image (422).
 *
 *   const photo = await acceptPhoto(bytes, { maxPixels: 50e6 });
 */
export async function acceptPhoto(bytes: Uint8Array, options: IntakeOptions): Promise<AcceptedPhoto> {
  if (bytes.length === 0) throw new HttpError(400, "empty_upload", "the photo is empty (0 bytes)");
  const type = sniffImageType(bytes);
  if (!type) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "the upload is not a JPEG, PNG, WebP, AVIF or HEIC image (judged from its first bytes, not from its name or Content-Type)",
    );
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    // Reads the header only: a file that declares 60000×60000 is refused before any pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new HttpError(422, "invalid_image", `the ${type.label} header cannot be read: ${oneLine((err as Error).message)}`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) throw new HttpError(422, "invalid_image", `the ${type.label} declares no image size`);
  if (width * height > options.maxPixels) {
    throw new HttpError(
      413,
      "image_too_large",
      `the photo is ${width}×${height} (${megapixels(width * height)}); the limit is ${megapixels(options.maxPixels)}: downscale it first`,
    );
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: options.maxPixels, failOn: "warning" })
      .rotate() // apply EXIF orientation before the EXIF block is dropped
      .toColourspace("srgb")
      .png({ compressionLevel: 3, adaptiveFiltering: false })
      .toBuffer({ resolveWithObject: true });
    return { png: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, mediaType: type.mediaType, uploadBytes: bytes.length };
  } catch (err) {
    const detail = oneLine((err as Error).message);
    // sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC (patents): say so plainly.
    const hint = type.mediaType === "image/heic" ? "; HEIC decoding needs a libvips with HEVC support, so convert the photo to JPEG" : "";
    throw new HttpError(422, "invalid_image", `the ${type.label} cannot be decoded (truncated or corrupt?): ${detail}${hint}`);
  }
}
