/**
 * What a closed lid shows (issue 16): copies a job folder and replaces its A_D with a debug
 * atlas: skin grey (the job's A_D, mean of R, G, B), the lid margins red (unwrap/lid-margin.ts),
 * what the margins' loops enclose blue (pale/dark by distance from the margin), the eyelid region
 * outside the loops coloured by Chebyshev distance from the margin, 1 … 8 base texels (yellow,
 * green, orange, mint, brown, blue, white, dark grey), and the eyes' map magenta. Render the copy
 * with its blendshapes (scripts/expression-turntable.ts) to read off which texels each pixel
 * of a blink shows, and whether the eyeball shows anywhere.
 *
 *   node --import tsx scripts/lid-debug-albedo.ts /tmp/jobs/hrn-00521 /tmp/lid-debug/hrn-00521
 *
 * The job is a `porelight reconstruct … --formats babylon` output folder; the copy also gets
 * lid-debug-atlas.png (the base-size atlas, unscaled).
 */
import { cp, rename } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { sharedTemplateHead } from "../src/pipeline/reconstruct.ts";
import { outsideLoops } from "../src/pipeline/complete/part-fill.ts";
import { lidMarginTexels } from "../src/pipeline/unwrap/lid-margin.ts";
import { vertexRegionWeights } from "../src/pipeline/unwrap/regions.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { BASE_MAP_SIZE, FACE_REGIONS } from "../src/types.ts";

/** Distance colours outside the loops, index = base texels from the margin (0 unused). */
const OUTSIDE_COLOURS = [[0, 0, 0], [255, 255, 0], [0, 160, 0], [255, 160, 0], [0, 255, 160], [160, 80, 0], [0, 120, 255], [255, 255, 255], [80, 80, 80]];
const MARGIN_COLOUR = [255, 0, 0];
const INSIDE_COLOURS = [[140, 200, 255], [40, 40, 255]];
/** Eyelid-region weight from which a texel counts as lid (the region maps' majority). */
const LID_INSIDE = 0.5;

/** Chebyshev (8-connected) distance in texels from the nearest margin texel, up to `limit`; −1 beyond. */
function marginDistance(margin: Float32Array, width: number, height: number, limit: number): Int32Array {
  const distance = new Int32Array(width * height).fill(-1);
  const queue: number[] = [];
  for (let p = 0; p < margin.length; p++) if (margin[p] > 0) (distance[p] = 0), queue.push(p);
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i], x = p % width, y = (p - x) / width;
    if (distance[p] >= limit) continue;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const X = x + dx, Y = y + dy;
      if (X < 0 || Y < 0 || X >= width || Y >= height) continue;
      const q = Y * width + X;
      if (distance[q] < 0) (distance[q] = distance[p] + 1), queue.push(q);
    }
  }
  return distance;
}

/** The debug atlas (base size, sRGB bytes) over the job's A_D resized to the base size. */
export function lidDebugAtlas(albedo: Buffer): Buffer {
  const head = sharedTemplateHead();
  const { uvs, indices, positions } = head.mesh;
  const { width: W, height: H } = BASE_MAP_SIZE;
  const skin = head.parts.find((p) => p.part === "skin");
  if (!skin) throw new Error("lid-debug-albedo: the template has no skin part");
  const ids = rasterizeUv(uvs, indices, W, H, [{ first: skin.firstIndex / 3, count: skin.indexCount / 3 }]);
  const margin = lidMarginTexels(uvs, head.landmarkVertices, W, H, (p) => ids.triangle[p] >= 0).data;
  const outside = outsideLoops(margin, W, H);
  const distance = marginDistance(margin, W, H, OUTSIDE_COLOURS.length - 1);
  const weights = vertexRegionWeights(positions, head.landmarkVertices);
  const R = FACE_REGIONS.length, lid = FACE_REGIONS.indexOf("eyelids");
  const out = Buffer.alloc(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const grey = Math.round((albedo[3 * p] + albedo[3 * p + 1] + albedo[3 * p + 2]) / 3);
    let colour = [grey, grey, grey];
    const t = ids.triangle[p];
    if (t >= 0) {
      const b1 = ids.b1[p], b2 = ids.b2[p];
      const lidWeight = (1 - b1 - b2) * weights[indices[3 * t] * R + lid] + b1 * weights[indices[3 * t + 1] * R + lid] + b2 * weights[indices[3 * t + 2] * R + lid];
      if (margin[p] > 0) colour = MARGIN_COLOUR;
      else if (!outside[p]) colour = INSIDE_COLOURS[Math.max(0, distance[p]) % 2];
      else if (lidWeight >= LID_INSIDE && distance[p] >= 1) colour = OUTSIDE_COLOURS[distance[p]];
    }
    out.set(colour, 3 * p);
  }
  return out;
}

async function main(): Promise<void> {
  const [job, copy] = process.argv.slice(2);
  if (!job || !copy) throw new Error("usage: lid-debug-albedo.ts <jobDir> <copyDir>");
  const maps = path.join(job, "maps", "albedo_diffuse.png");
  if (!existsSync(maps)) throw new Error(`lid-debug-albedo: ${job} holds no maps/albedo_diffuse.png`);
  if (existsSync(copy)) throw new Error(`lid-debug-albedo: ${copy} exists; give a new folder`);
  const { width: W, height: H } = BASE_MAP_SIZE;
  const meta = await sharp(maps).metadata();
  const albedo = await sharp(maps).removeAlpha().resize(W, H, { kernel: "nearest" }).raw().toBuffer();
  const atlas = lidDebugAtlas(albedo);
  await cp(job, copy, { recursive: true });
  const write = async (file: string, image: Sharp) => (await image.png().toFile(`${file}.tmp.png`), rename(`${file}.tmp.png`, file));
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  await write(path.join(copy, "maps", "albedo_diffuse.png"), sharp(atlas, raw).resize(meta.width, meta.height, { kernel: "nearest" }));
  await write(path.join(copy, "maps", "eyes.png"), sharp({ create: { width: meta.width!, height: meta.height!, channels: 3, background: "#ff00ff" } }));
  await write(path.join(copy, "lid-debug-atlas.png"), sharp(atlas, raw));
  process.stdout.write(`${copy}\n`);
}

await main();
