/**
 * Where does A_D lose the photo's fine detail? Step by step through delight on the identity mode's
 * cached inputs (`npm run eval -- --identities … ` writes <out>/cache/<person>/<photo>.v8): the RMS of
 * log luminance high-passed at σ 4 mm (over the seen face skin, base size) after each step, over
 * T̂'s (the upscaled texture's), for the face and for its features (brows, lids, lips). The cache has
 * no tangents and no smile folds, so neither the relief nor the fold removal runs here
 * (eval/relief-check.ts measures those on whole jobs).
 *   node --import tsx eval/delight-detail.ts <identity out>/cache [person/photo.jpg,…]
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import v8 from "node:v8";
import { delight, DELIGHT_DEFAULTS, type DelightInput, type DelightOptions } from "../src/pipeline/delight.ts";
import { absoluteScale, completeAlbedo, seenAlbedo } from "../src/pipeline/delight/albedo.ts";
import { divisionShading, fitSkinLighting, unitShading } from "../src/pipeline/delight/shading.ts";
import { lumAt, regionSum } from "../src/pipeline/delight/maps.ts";
import { evaluateShImage } from "../src/render/sh.ts";
import { weightedBlur } from "../src/image/box-blur.ts";
import { blockLogLum } from "./relief-check.ts";
import type { ImageF32 } from "../src/types.ts";
import { delightInputOf, type CachedStages } from "./tone-consistency.ts";

/** Log luminance per base texel of a full-size map (linear average over the texel's block). */
const baseLogLum = (m: ImageF32, W: number, H: number) => Float32Array.from({ length: W * H }, (_, p) => blockLogLum(m, W, H, p % W, Math.floor(p / W)));

const logLumOf = (rgb: Float32Array) => Float32Array.from({ length: rgb.length / 3 }, (_, p) => Math.log(Math.max(lumAt(rgb, p), 1e-4)));

export interface DetailSteps {
  texels: number;
  /** Per step, [face, features, plain skin] ratios of high-pass RMS over T̂'s. */
  ratios: Record<string, [number, number, number]>;
}

/** The steps' detail ratios for one cached delight input; `variants` are extra delight option sets whose final A_D is measured too. */
export async function detailSteps(input: DelightInput, baseTexelMm: number, variants: Record<string, DelightOptions> = {}): Promise<DetailSteps> {
  const o = { ...DELIGHT_DEFAULTS, shapeFromShading: null };
  const { width: W, height: H } = input.textureBase;
  const n = W * H;
  const { fit, fitWeight } = fitSkinLighting(input, o);
  const E = evaluateShImage(fit.irradiance, input.normalsObject.data, n);
  const AO = input.ambientOcclusion.data;
  const model = Float32Array.from({ length: n * 3 }, (_, i) => (AO[Math.floor(i / 3)] * E[i]) / Math.PI);
  const shading = unitShading(input, fit, fitWeight, o);
  const seen = seenAlbedo(input, shading, fit, o);
  const T = input.textureBase.data;
  const { albedo: albedoRel, toneWeight } = completeAlbedo(input, seen, {});
  const scale = absoluteScale(input, albedoRel, seen.skinWeight, o, shading);
  const divisor = divisionShading(input, shading, toneWeight, albedoRel, scale.fs);
  const conf = input.confidence.data, cov = input.coverage?.data;
  const features = regionSum(input.regions, ["brows", "eyelids", "lips"], n);
  const notFace = regionSum(input.regions, ["scalp", "ears", "neck"], n);
  const mask = Float32Array.from({ length: n }, (_, p) => ((!cov || cov[p] > 0.5) && conf[p] >= 0.3 && seen.seen[p] > 0 && notFace[p] < 0.5 ? 1 : 0));
  const ratio = (a: Float32Array, b: Float32Array) => Float32Array.from({ length: n * 3 }, (_, i) => a[i] / Math.max(b[i], 1e-6));
  const steps: Record<string, Float32Array> = {
    "T̂ (upscale)": baseLogLum(input.texture, W, H),
    "T (complete, base)": logLumOf(T),
    "T / model shading (no deep shade, no chroma)": logLumOf(ratio(T, model)),
    "T / unit shading (2)": logLumOf(ratio(T, shading)),
    "J, highlights removed (3)": logLumOf(seen.J),
    "completed albedo (4)": logLumOf(albedoRel),
    "T / division shading (6)": logLumOf(ratio(T, divisor)),
    "division shading (6), itself": logLumOf(divisor),
  };
  steps["A_D (7)"] = baseLogLum((await delight(input, { shapeFromShading: null })).albedo, W, H);
  for (const [name, v] of Object.entries(variants)) steps[`A_D, ${name}`] = baseLogLum((await delight(input, { shapeFromShading: null, ...v })).albedo, W, H);
  const sigma = 4 / baseTexelMm;
  const hp = (v: Float32Array) => {
    const low = weightedBlur(v, 1, mask, W, H, sigma).values;
    return Float32Array.from(v, (q, p) => (mask[p] ? q - low[p] : 0));
  };
  const rms = (h: Float32Array, w: (p: number) => number) => {
    let s = 0, k = 0;
    for (let p = 0; p < n; p++) if (mask[p]) (s += w(p) * h[p] * h[p]), (k += w(p));
    return Math.sqrt(s / Math.max(k, 1e-9));
  };
  const parts = [(_: number) => 1, (p: number) => Math.min(1, features[p]), (p: number) => Math.max(0, 1 - features[p])];
  const ref = hp(steps["T̂ (upscale)"]);
  const refRms = parts.map((w) => rms(ref, w));
  const ratios: Record<string, [number, number, number]> = {};
  for (const [name, v] of Object.entries(steps)) {
    const h = hp(v);
    ratios[name] = parts.map((w, k) => rms(h, w) / refRms[k]) as [number, number, number];
  }
  return { texels: mask.reduce((s, v) => s + v, 0), ratios };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [cacheDir, only, variantsJson] = process.argv.slice(2);
  if (!cacheDir) {
    process.stderr.write("usage: node --import tsx eval/delight-detail.ts <identity out>/cache [person/photo.jpg,…] ['{\"name\":{delight options}}']\n");
    process.exit(2);
  }
  const names = only ? only.split(",") : (await Promise.all((await readdir(cacheDir)).map(async (p) => (await readdir(path.join(cacheDir, p))).map((f) => `${p}/${f.replace(/\.v8$/, "")}`)))).flat();
  const variants = variantsJson ? (JSON.parse(variantsJson) as Record<string, DelightOptions>) : {};
  for (const name of names) {
    const cached = v8.deserialize(await readFile(path.join(cacheDir, `${name}.v8`))) as CachedStages;
    const r = await detailSteps(delightInputOf(cached), cached.unwrap.medianTexelSizeMm, variants);
    process.stdout.write(`${name} (${r.texels} texels): face / features / plain skin\n`);
    for (const [step, [a, b, c]] of Object.entries(r.ratios)) process.stdout.write(`  ${step.padEnd(48)} ${a.toFixed(3)} ${b.toFixed(3)} ${c.toFixed(3)}\n`);
  }
}
