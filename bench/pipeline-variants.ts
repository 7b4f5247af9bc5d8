/**
 * `npm run bench -- pipeline --variants`: the upscaler choice per preset. For each of the nine
 * ESRGAN models: wall time through the tiled engine on a 384×576 texture (the base map size, as
 * the pipeline runs it, session already loaded; wall and process CPU time, whose ratio shows how
 * much of the machine the run had), and quality on face photos: each photo's centre
 * is the ground truth, downsampled by the model's factor (area average), upscaled back, and
 * compared — PSNR (fidelity) and the gradient-energy ratio (sharpness: 1 = as detailed as the
 * truth, lower = blurrier). A Lanczos-3 resample is the baseline.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { BUILTIN_PROVIDERS } from "../src/estimators/builtin.ts";
import { createEstimatorRegistry } from "../src/models/estimators.ts";
import { runTiled } from "../src/models/tiled.ts";
import { luminance } from "../src/primitives/color.ts";
import { resampleLanczos } from "../src/pipeline/upscale.ts";
import type { ImageF32 } from "../src/types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const PHOTOS = path.join(here, "../../shared/photos");
const QUALITY_PHOTOS = ["hrn-00016.png", "hrn-00133.png", "hrn-00437.png"];
/** Ground-truth crop, pixels (768: ×8 needs a 96-pixel input). */
const TRUTH = 768;

async function rgb(file: string, size: number, left: number, top: number, crop: number): Promise<ImageF32> {
  const { data } = await sharp(file).extract({ left, top, width: crop, height: crop }).resize(size, size, { kernel: "lanczos3" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: size, height: size, channels: 3, colorSpace: "srgb", data: Float32Array.from(data, (v) => v / 255) };
}

/** Box (area) downsample by an integer factor, in the image's own encoding (as a camera would). */
function downsample(img: ImageF32, k: number): ImageF32 {
  const w = img.width / k, h = img.height / k;
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) s += img.data[((y * k + dy) * img.width + x * k + dx) * 3 + c];
    data[(y * w + x) * 3 + c] = s / (k * k);
  }
  return { ...img, width: w, height: h, data };
}

function psnr(a: ImageF32, b: ImageF32): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (Math.min(1, Math.max(0, a.data[i])) - b.data[i]) ** 2;
  return 10 * Math.log10(1 / (s / a.data.length));
}

/** Mean squared gradient (x and y differences) of the luma. */
function gradientEnergy(img: ImageF32): number {
  const luma = (x: number, y: number) => {
    const i = (y * img.width + x) * 3;
    return luminance(img.data[i], img.data[i + 1], img.data[i + 2]);
  };
  let s = 0;
  for (let y = 0; y < img.height - 1; y++) for (let x = 0; x < img.width - 1; x++) s += (luma(x + 1, y) - luma(x, y)) ** 2 + (luma(x, y + 1) - luma(x, y)) ** 2;
  return s / ((img.width - 1) * (img.height - 1));
}

export async function runVariantsBench(): Promise<void> {
  const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
  const photos = QUALITY_PHOTOS.map((f) => path.join(PHOTOS, f)).filter(existsSync);
  if (photos.length === 0) console.log(`(quality skipped: ${PHOTOS} not found)`);
  const truths = await Promise.all(photos.map((f) => rgb(f, TRUTH, 128, 96, 768)));
  // The base-size timing input: a face photo at 384×576 (content does not change the time).
  const fixture = path.join(here, "../test/fixtures/astronaut-nasa-public-domain.png");
  const { data } = await sharp(fixture).resize(384, 576, { fit: "fill" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const base: ImageF32 = { width: 384, height: 576, channels: 3, colorSpace: "srgb", data: Float32Array.from(data, (v) => v / 255) };

  console.log("model               384×576 tiled: wall, CPU   PSNR dB (Lanczos)   sharpness (Lanczos)");
  for (const scale of [2, 4, 8] as const) {
    for (const size of ["slim", "medium", "thick"] as const) {
      const estimator = registry.resolve("upscale", { name: `esrgan-${size}-x${scale}` });
      const session = await estimator.session();
      await runTiled(session, estimator.manifest, [downsample(base, 4)]); // warm-up allocations
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await runTiled(session, estimator.manifest, [base]);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      let p = 0, pl = 0, g = 0, gl = 0;
      for (const truth of truths) {
        const small = downsample(truth, scale);
        const [sr] = await runTiled(session, estimator.manifest, [small]);
        const lanczos = resampleLanczos(small, TRUTH, TRUTH);
        const gt = gradientEnergy(truth);
        p += psnr(sr, truth) / truths.length;
        pl += psnr(lanczos, truth) / truths.length;
        g += gradientEnergy(sr) / gt / truths.length;
        gl += gradientEnergy(lanczos) / gt / truths.length;
      }
      const quality = truths.length ? `${p.toFixed(2).padStart(6)} (${pl.toFixed(2)})      ${g.toFixed(2).padStart(5)} (${gl.toFixed(2)})` : "-";
      console.log(`${estimator.manifest.name.padEnd(19)} ${seconds.toFixed(1).padStart(8)} s ${cpuSeconds.toFixed(1).padStart(7)} s   ${quality}`);
    }
  }
}
