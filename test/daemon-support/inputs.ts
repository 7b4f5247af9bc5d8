/** Hand-made bad and good uploads for the daemon tests. */
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import sharp from "sharp";

export const ASTRONAUT = readFileSync(new URL("../fixtures/astronaut-nasa-public-domain.png", import.meta.url));

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header declares width × height RGB pixels, with a token IDAT (a decompression bomb's header). */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A small JPEG with EXIF (camera make, GPS-like comment) and orientation 6 (rotate 90° clockwise). */
export async function jpegWithExif(): Promise<Buffer> {
  return sharp(ASTRONAUT)
    .resize(96, 64)
    .withExif({ IFD0: { Make: "SecretCam", Software: "leaky" } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The first half of a valid JPEG: the header parses, the scan data stops short. */
export async function truncatedJpeg(): Promise<Buffer> {
  const full = await sharp(ASTRONAUT).jpeg({ quality: 90 }).toBuffer();
  return full.subarray(0, Math.floor(full.length / 2));
}
