/**
 * Build-time environment lighting: decodes the CC0 HDRIs of @pmndrs/assets (OpenEXR with DWAB
 * compression, which Babylon's own EXR reader does not decode) with three's EXRLoader and writes
 * them as Radiance RGBE `.hdr` panoramas, which Babylon's `HDRCubeTexture` reads and prefilters
 * for PBR on load. Output is deterministic (same input bytes ⇒ same file bytes).
 *
 *   node --import tsx scripts/build-environments.ts [outDir]
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FloatType } from "three";
import { EXRLoader } from "three/examples/jsm/loaders/EXRLoader.js";
import { ENVIRONMENTS } from "../materials/presets.ts";

const require = createRequire(import.meta.url);

/** A decoded panorama: RGB float, row 0 at the top (the sky). */
export interface Panorama {
  width: number;
  height: number;
  /** RGB per pixel, linear light. */
  rgb: Float32Array;
}

/** Reads one `@pmndrs/assets/hdri/<name>.exr.js` module (a base64 data URL) into a float panorama. */
export async function decodePmndrsHdri(name: string, rowsBottomUp: boolean): Promise<Panorama> {
  const modulePath = require.resolve(`@pmndrs/assets/hdri/${name}.exr.js`);
  const source = await readFile(modulePath, "utf8");
  const match = /data:application\/exr;base64,([A-Za-z0-9+/=]+)/.exec(source);
  if (!match) throw new Error(`build-environments: ${modulePath} holds no base64 EXR data URL`);
  const bytes = Buffer.from(match[1], "base64");
  const loader = new EXRLoader().setDataType(FloatType);
  const exr = loader.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const width = exr.width as number;
  const height = exr.height as number;
  const data = exr.data as Float32Array;
  const channels = data.length / (width * height);
  if (channels !== 4 && channels !== 3) throw new Error(`build-environments: ${name}: ${channels} channels`);
  // Sky on top (row 0), as Radiance files and Babylon's panorama reader expect.
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = rowsBottomUp ? height - 1 - y : y;
    for (let x = 0; x < width; x++) {
      const s = (srcRow * width + x) * channels;
      const d = (y * width + x) * 3;
      // The decoded sun of some assets has one channel only (b = 11800, r = g ≈ 0 in "park": a
      // lossy-compression artefact); non-finite values likewise. Such very bright, single-channel or
      // broken pixels become neutral white at their brightest finite channel.
      let finiteMax = 0, finiteMin = Infinity, broken = false;
      for (let c = 0; c < 3; c++) {
        const v = data[s + c];
        if (Number.isFinite(v)) { finiteMax = Math.max(finiteMax, v); finiteMin = Math.min(finiteMin, v); }
        else broken = true;
      }
      if (finiteMax > 50 && finiteMin < 0.01 * finiteMax) broken = true;
      for (let c = 0; c < 3; c++) {
        const v = data[s + c];
        rgb[d + c] = broken ? finiteMax : v > 0 ? v : 0;
      }
    }
  }
  return { width, height, rgb };
}

/** Encodes a panorama as a flat (not run-length encoded) Radiance RGBE file. */
export function encodeRgbe(pano: Panorama): Uint8Array {
  const header = `#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${pano.height} +X ${pano.width}\n`;
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + pano.width * pano.height * 4);
  out.set(head, 0);
  let o = head.length;
  for (let i = 0; i < pano.width * pano.height; i++) {
    const r = pano.rgb[i * 3], g = pano.rgb[i * 3 + 1], b = pano.rgb[i * 3 + 2];
    const m = Math.max(r, g, b);
    if (m < 1e-32) {
      o += 4; // all zero
      continue;
    }
    const e = Math.ceil(Math.log2(m) + 1e-9);
    const scale = 256 / 2 ** e;
    out[o++] = Math.min(255, Math.floor(r * scale));
    out[o++] = Math.min(255, Math.floor(g * scale));
    out[o++] = Math.min(255, Math.floor(b * scale));
    out[o++] = e + 128;
  }
  return out;
}

/** Writes every environment of `ENVIRONMENTS` into `outDir` as `<id>.hdr`; returns the file names. */
export async function buildEnvironments(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const env of Object.values(ENVIRONMENTS)) {
    const pano = await decodePmndrsHdri(env.source, env.rowsBottomUp);
    const file = path.join(outDir, env.file);
    await writeFile(file + ".tmp", encodeRgbe(pano));
    await rename(file + ".tmp", file);
    written.push(env.file);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "sample-scenes", "dist", "environments");
  const files = await buildEnvironments(outDir);
  process.stdout.write(`build-environments: ${files.join(", ")} → ${outDir}\n`);
}
