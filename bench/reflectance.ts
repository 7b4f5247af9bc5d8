/**
 * `npm run bench -- reflectance [--texel-mm 0.6] [--presets draft,standard,high,ultra]`: the
 * full-resolution, per-texel part of the reflectance stages on synthetic maps of each preset's
 * size — base→full resampling, the δ graph (division + highlight removal), ψ (specular), ρ and σ
 * (normals), and the microgeometry pass between ρ and σ (typed-array code, not tiled) — each through the tiled engine. Wall and CPU time per step, the process's peak RSS
 * after each preset (presets run smallest first, so each peak belongs to its preset or a smaller
 * one), and texels per second. The base-size TS work (lighting fit, completion) is not here.
 */
import os from "node:os";
import { resizeImage } from "../src/estimators/resize.ts";
import { builtinDelightEstimator, builtinNormalsDiffuseEstimator, builtinNormalsSpecularEstimator, builtinSpecularEstimator } from "../src/estimators/builtin.ts";
import { runTiled } from "../src/models/tiled.ts";
import { disposeSessions } from "../src/models/session.ts";
import { BASE_MAP_SIZE, PRESET_MAP_SIZE, type ImageF32, type Preset } from "../src/types.ts";
import { applyMicrogeometry, MicroSynthesis } from "../src/pipeline/normals/microgeometry.ts";

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

/** Deterministic base-size maps: skin-like sRGB albedo with texture, smooth shading, flat N_T, regional level. */
function baseMaps() {
  const { width: W, height: H } = BASE_MAP_SIZE;
  const n = W * H;
  const albedo = new Float32Array(n * 3);
  const shading = new Float32Array(n * 3);
  const nt = new Float32Array(n * 3);
  const level = new Float32Array(n).fill(0.5);
  const ones = new Float32Array(n).fill(1);
  let seed = 1;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let p = 0; p < n; p++) {
    const x = p % W;
    const y = (p - x) / W;
    const t = 1 + 0.15 * (rand() - 0.5);
    [0.72, 0.55, 0.47].forEach((v, c) => (albedo[p * 3 + c] = v * t));
    const s = 0.6 + 0.3 * Math.sin(x / 40) * Math.cos(y / 60);
    shading.fill(s, p * 3, p * 3 + 3);
    nt[p * 3 + 2] = 1;
  }
  const img = (data: Float32Array, channels: number, colorSpace: ImageF32["colorSpace"]): ImageF32 => ({ width: W, height: H, channels, data, colorSpace });
  return { albedo: img(albedo, 3, "srgb"), shading: img(shading, 3, "linear"), nt: img(nt, 3, "data"), level: img(level, 1, "data"), weight: img(ones, 1, "data") };
}

async function timed<T>(label: string, texels: number, f: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const out = await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu);
  const cpuMs = (c.user + c.system) / 1000;
  console.log(`  ${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s wall ${(cpuMs / 1000).toFixed(2).padStart(7)} s cpu  ${((texels / ms) * 1e3 / 1e6).toFixed(1).padStart(6)} Mtexel/s`);
  return out;
}

export async function runReflectanceBench(args: string[]): Promise<void> {
  const baseTexelMm = Number(arg(args, "--texel-mm", "0.6"));
  const presets = arg(args, "--presets", "draft,standard,high,ultra").split(",") as Preset[];
  console.log(`base texel ${baseTexelMm} mm (the fitted mesh's median; unwrap reports it), ${os.availableParallelism()} threads`);
  const base = baseMaps();
  for (const preset of presets) {
    const size = PRESET_MAP_SIZE[preset];
    if (!size) throw new Error(`unknown preset ${preset}`);
    const { width, height } = size;
    const texels = width * height;
    const texelMm = (baseTexelMm * BASE_MAP_SIZE.width) / width;
    console.log(`${preset}: ${width}×${height} (${(texels / 1e6).toFixed(1)} Mtexel), ${texelMm.toFixed(3)} mm/texel`);
    const albedo = await timed("resize albedo (stand-in for T̂)", texels, () => resizeImage(base.albedo, width, height));
    const shading = await timed("resize shading base→full", texels, () => resizeImage(base.shading, width, height));
    const weight = await resizeImage(base.weight, width, height);
    const delight = builtinDelightEstimator({ texelSizeMm: texelMm });
    const [ad] = await timed(`δ graph (rf ${delight.manifest.receptiveField})`, texels, async () => runTiled(await delight.session(), delight.manifest, [albedo, shading, weight]));
    const level = await resizeImage(base.level, width, height);
    const spec = builtinSpecularEstimator({ texelSizeMm: texelMm });
    await timed(`ψ graph (rf ${spec.manifest.receptiveField})`, texels, async () => runTiled(await spec.session(), spec.manifest, [ad, level]));
    const nt = await resizeImage(base.nt, width, height);
    const rho = builtinNormalsSpecularEstimator({ texelSizeMm: texelMm });
    const [ns] = await timed(`ρ graph (rf ${rho.manifest.receptiveField})`, texels, async () => runTiled(await rho.session(), rho.manifest, [ad, nt]));
    // No region maps: every texel is "other skin" with relief, pores and lines (the worst case; a
    // real atlas has gutters, lips and eyes without them).
    const as: ImageF32 = { width, height, channels: 1, data: new Float32Array(texels).fill(0.5), colorSpace: "linear" };
    await timed("microgeometry into N_S and A_S", texels, async () => applyMicrogeometry({ normalsSpecular: ns, normalsTangent: nt, specularAlbedo: as }, new MicroSynthesis(width, height, texelMm, { regions: null, seed: 1 })));
    const sigma = builtinNormalsDiffuseEstimator({ texelSizeMm: texelMm });
    await timed(`σ graph (rf ${sigma.manifest.receptiveField})`, texels, async () => runTiled(await sigma.session(), sigma.manifest, [ns]));
    console.log(`  peak RSS so far ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`);
  }
  await disposeSessions();
}
