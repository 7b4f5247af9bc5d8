// scratch (not committed): A_D with and without the cast-shadow term on an identity cache
import { readFile } from "node:fs/promises";
import v8 from "node:v8";
import sharp from "sharp";
import { delight } from "./src/pipeline/delight.ts";
import { delightInputOf, type CachedStages } from "./eval/tone-consistency.ts";
import type { ImageF32 } from "./src/types.ts";

const toRgb8 = (img: ImageF32) => Buffer.from(Uint8Array.from(img.data, (v) => Math.round(255 * Math.min(1, Math.max(0, v)))));
const [file, out, extra] = process.argv.slice(2);
const cached = v8.deserialize(await readFile(file)) as CachedStages;
const input = delightInputOf(cached);
const variants: Record<string, object> = { ao: { castShadows: false }, shadows: {}, ...(extra ? JSON.parse(extra) : {}) };
const imgs: Buffer[] = [];
let w = 0, h = 0;
for (const [name, o] of Object.entries(variants)) {
  const t = performance.now();
  const r = await delight(input, { shapeFromShading: null, ...o });
  console.log(name, "delight ms", (performance.now() - t).toFixed(0), r.lighting.fit.residualSigma.toFixed(3), r.lighting.dominantDirection.map((v) => v.toFixed(2)).join(","));
  w = r.albedo.width; h = r.albedo.height;
  imgs.push(await sharp(toRgb8(r.albedo), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
  if (r.lightOcclusion && name === "shadows") {
    const lo = r.lightOcclusion;
    const ao = input.ambientOcclusion;
    const g = Buffer.from(Uint8Array.from({ length: lo.width * lo.height * 3 }, (_, i) => Math.round(255 * (i % 3 === 0 ? ao.data[Math.floor(i / 3)] : lo.data[Math.floor(i / 3)]))));
    await sharp(g, { raw: { width: lo.width, height: lo.height, channels: 3 } }).png().toFile(out.replace(/\.png$/, "-visibility.png"));
  }
}
const raws = await Promise.all(imgs.map((b) => sharp(b).raw().toBuffer()));
const diff = Buffer.alloc(w * h * 3);
for (let p = 0; p < w * h; p++) {
  const l = (b: Buffer) => Math.max(1, b[3 * p] * 0.2126 + b[3 * p + 1] * 0.7152 + b[3 * p + 2] * 0.0722);
  const d = Math.log(l(raws[1]) / l(raws[0]));
  diff[3 * p] = Math.max(0, Math.min(255, 128 + 600 * d)); diff[3 * p + 1] = 128; diff[3 * p + 2] = Math.max(0, Math.min(255, 128 - 600 * d));
}
await sharp(diff, { raw: { width: w, height: h, channels: 3 } }).resize(Math.round(w / 2)).png().toFile(out.replace(/\.png$/, "-diff.png"));
await sharp({ create: { width: w * imgs.length, height: h, channels: 3, background: "#000" } }).composite(imgs.map((input, i) => ({ input, left: i * w, top: 0 }))).png().toBuffer().then((b) => sharp(b).resize(Math.round((w * imgs.length) / 2)).png().toFile(out.replace(/\.png$/, "-whole.png")));
// face part of the atlas: the upper-middle half
const cw = Math.round(w * 0.5), ch = Math.round(h * 0.42), cl = Math.round(w * 0.25), ct = Math.round(h * 0.05);
const crops = await Promise.all(imgs.map((b) => sharp(b).extract({ left: cl, top: ct, width: cw, height: ch }).png().toBuffer()));
await sharp({ create: { width: cw * crops.length, height: ch, channels: 3, background: "#000" } }).composite(crops.map((input, i) => ({ input, left: i * cw, top: 0 }))).png().toFile(out);
