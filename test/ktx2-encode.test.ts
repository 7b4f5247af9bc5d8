/**
 * KTX2 encoding (materials/ktx2-encode.ts) and the Babylon decoder's format choice
 * (materials/ktx2-decoder-babylon.ts): a hand-made image goes through basisu and back through
 * Binomial's transcoder; the container says what KHR_texture_basisu needs (Basis Universal, base
 * size a multiple of 4, full mip chain, sRGB only for colour), the pixels come back close, the
 * bytes are the same twice.
 */
import { describe, expect, it } from "vitest";
import { read } from "ktx-parse";
import sharp from "sharp";
import { encodeKtx2, encoderFailure } from "../materials/ktx2-encode.ts";
import { chooseTranscodeTarget } from "../materials/ktx2-decoder-babylon.ts";
import { decodeKtx2 } from "./support/ktx2-decode.ts";

/** KTX2 data format descriptor values (Khronos Data Format spec). */
const MODEL = { ETC1S: 163, UASTC: 166 };
const TRANSFER = { LINEAR: 1, SRGB: 2 };

/** 70×102 RGB: a smooth gradient with a few hard edges (sizes not multiples of 4 on purpose). */
async function testImage(width = 70, height = 102): Promise<{ png: Buffer; rgb: Uint8Array }> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = 3 * (y * width + x);
    const edge = (x > 30 && x < 40) || y % 25 < 3 ? 80 : 0;
    rgb.set([Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 128 + edge - (edge ? 120 : 0)], i);
  }
  return { png: await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer(), rgb };
}

/** Mean absolute difference of RGB between the decoded RGBA and the source resized to the same size. */
async function meanError(png: Buffer, decoded: { width: number; height: number; rgba: Uint8Array }): Promise<number> {
  const ref = await sharp(png).resize(decoded.width, decoded.height, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer();
  let sum = 0;
  for (let p = 0; p < decoded.width * decoded.height; p++) for (let c = 0; c < 3; c++) sum += Math.abs(decoded.rgba[4 * p + c] - ref[3 * p + c]);
  return sum / (decoded.width * decoded.height * 3);
}

describe("encodeKtx2", () => {
  it("UASTC: 4-aligned base, full mip chain, linear or sRGB as asked, near-lossless, deterministic", async () => {
    const { png } = await testImage();
    const linear = await encodeKtx2(png, { mode: "uastc", colourSpace: "linear" });
    const srgb = await encodeKtx2(png, { mode: "uastc", colourSpace: "srgb" });
    const k = read(linear);
    expect([k.pixelWidth, k.pixelHeight]).toEqual([68, 100]);
    expect(k.levels.length).toBe(Math.floor(Math.log2(100)) + 1);
    expect(k.dataFormatDescriptor[0].colorModel).toBe(MODEL.UASTC);
    expect(k.dataFormatDescriptor[0].transferFunction).toBe(TRANSFER.LINEAR);
    expect(read(srgb).dataFormatDescriptor[0].transferFunction).toBe(TRANSFER.SRGB);
    const decoded = await decodeKtx2(linear);
    expect(await meanError(png, decoded)).toBeLessThan(2.5);
    expect(Buffer.from(await encodeKtx2(png, { mode: "uastc", colourSpace: "linear" })).equals(Buffer.from(linear))).toBe(true);
  });

  it("ETC1S: smaller than UASTC, still close; maxSize shrinks keeping 4-aligned sides", async () => {
    const { png } = await testImage(200, 300);
    const uastc = await encodeKtx2(png, { mode: "uastc" });
    const etc1s = await encodeKtx2(png, { mode: "etc1s" });
    expect(read(etc1s).dataFormatDescriptor[0].colorModel).toBe(MODEL.ETC1S);
    expect(etc1s.byteLength).toBeLessThan(uastc.byteLength);
    expect(await meanError(png, await decodeKtx2(etc1s))).toBeLessThan(8);
    const small = read(await encodeKtx2(png, { mode: "etc1s", maxSize: 150 }));
    expect([small.pixelWidth, small.pixelHeight]).toEqual([100, 148]);
  });

  it("normal maps keep unit vectors through the mips (renormalised)", async () => {
    // A bumpy tangent-space normal map: n = normalize(sin x, cos y, 1), stored as 0.5 n + 0.5.
    const w = 64, h = 64, rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const n = [Math.sin(x * 0.9), Math.cos(y * 0.7), 1];
      const len = Math.hypot(...n);
      rgb.set(n.map((v) => Math.round((v / len) * 127.5 + 127.5)), 3 * (y * w + x));
    }
    const png = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const ktx = await encodeKtx2(png, { mode: "uastc", colourSpace: "linear", normalMap: true });
    const mip = await decodeKtx2(ktx, 2); // 16×16: each texel averages 16 bumpy normals
    let error = 0;
    for (let p = 0; p < mip.width * mip.height; p++) {
      const len = Math.hypot(...[0, 1, 2].map((c) => mip.rgba[4 * p + c] / 127.5 - 1));
      error += Math.abs(len - 1) / (mip.width * mip.height);
    }
    // Renormalised: 0.035 (8-bit and UASTC error on a texel-rate pattern); averaged without it, 0.20.
    expect(error).toBeLessThan(0.08);
  });

  it("says which image failed when the input is not an image", async () => {
    await expect(encodeKtx2(new Uint8Array([1, 2, 3]), { mode: "uastc" })).rejects.toThrow(/KTX2 encode \(uastc/);
  });
});

describe("Babylon KTX2 decoder: transcode target", () => {
  it("passes the encoder's own words on (a full disk must not read as a bare 'Command failed')", () => {
    const fromStderr = Object.assign(new Error("Command failed: basisu -file in.png\n"), { stderr: "basisu: warning\nError: Failed writing to output file out.ktx2\n", stdout: "" });
    expect(encoderFailure(fromStderr)).toContain("Failed writing to output file");
    const fromStdout = Object.assign(new Error("Command failed: basisu"), { stderr: "", stdout: "Processing 1 file\nError: Unable to load image in.png\n" });
    expect(encoderFailure(fromStdout)).toContain("Unable to load image");
    expect(encoderFailure(new Error("spawn ENOENT"))).toBe("spawn ENOENT");
  });

  it("keeps UASTC in ASTC or BC7, never BC1/ETC1; ETC1S takes the GPU's block formats; RGBA8 otherwise", () => {
    expect(chooseTranscodeTarget({ astc: {} }, true, false).name).toBe("ASTC 4x4");
    expect(chooseTranscodeTarget({ bptc: {}, s3tc: {} }, true, false).name).toBe("BC7");
    expect(chooseTranscodeTarget({ s3tc: {}, etc2: {} }, true, false).name).toBe("RGBA8");
    expect(chooseTranscodeTarget({ s3tc: {} }, false, false).name).toBe("BC1");
    expect(chooseTranscodeTarget({ s3tc: {} }, false, true).name).toBe("BC3");
    expect(chooseTranscodeTarget({ etc2: {} }, false, true).name).toBe("ETC2 RGBA");
    expect(chooseTranscodeTarget({}, false, false).name).toBe("RGBA8");
  });
});
