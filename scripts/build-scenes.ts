/**
 * Builds the sample scenes into `sample-scenes/dist/` (served by the daemon at /scenes/): one
 * esbuild bundle of Babylon.js and materials/ (no CDN), the HTML pages, and the environments
 * (scripts/build-environments.ts). Runs on `npm ci` through `prepare`; ~10 s.
 *
 *   node --import tsx scripts/build-scenes.ts
 */
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildEnvironments } from "./build-environments.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SCENES_DIST = path.join(ROOT, "sample-scenes", "dist");

export async function buildScenes(outDir = SCENES_DIST): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, "sample-scenes", "src", "main.ts")],
    outfile: path.join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });
  const pages = path.join(ROOT, "sample-scenes", "src", "pages");
  for (const name of (await readdir(pages)).sort()) await copyFile(path.join(pages, name), path.join(outDir, name));
  await buildEnvironments(path.join(outDir, "environments"));
  // head.glb's decoders, served with the scenes (Babylon's defaults are a CDN): meshopt, and the
  // Basis Universal transcoder for KHR_texture_basisu (materials/ktx2-decoder-babylon.ts).
  await mkdir(path.join(outDir, "decoders"), { recursive: true });
  const assets = path.join(ROOT, "node_modules", "@babylonjs", "core", "assets");
  for (const file of ["meshopt/meshopt_decoder.js", "Basis/basis_transcoder.js", "Basis/basis_transcoder.wasm"]) await copyFile(path.join(assets, file), path.join(outDir, "decoders", path.basename(file)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  await buildScenes();
  process.stdout.write(`build-scenes: ${path.relative(ROOT, SCENES_DIST)} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
