/**
 * What a blink shows of A_D: per job, the mean CIELAB L* of maps/albedo_diffuse.png over the
 * template's upper-lid texels (the skin the eyeBlink shapes turn down over the globe, upper-lid
 * weight ≥ 0.05), by distance above the lid margin in the atlas (base texels, 0 = the margin's own
 * row). The band 1–4 texels above the margin is what the blink stretches over the closed eye: the
 * lash line or a liner there becomes a dark band across the closed lid, a fill paler than the lid
 * a pale one.
 *
 *   node --import tsx scripts/lid-band.ts /tmp/jobs/obama /tmp/jobs/astronaut
 *
 * The jobs are `porelight reconstruct` output folders (maps/albedo_diffuse.png, any size: read at
 * the base atlas size).
 */
import path from "node:path";
import sharp from "sharp";
import { restRig } from "../src/geometry/blendshape-rig.ts";
import { linearSrgbToLab, srgbToLinear } from "../src/primitives/color.ts";
import { sharedTemplateHead } from "../src/pipeline/reconstruct.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { BASE_MAP_SIZE } from "../src/types.ts";
import { upperMarginDistance } from "./lid-margin-distance.ts";

/** Distance bands reported, base texels above the margin: 0 … BANDS − 1 (the last takes everything beyond). */
const BANDS = 10;
/** Upper-lid weight from which a texel moves with the blink. */
const MOVES = 0.05;

const jobs = process.argv.slice(2);
if (!jobs.length) throw new Error("lid-band: give one or more reconstruct output folders");

const head = sharedTemplateHead();
const rig = restRig(head);
const { uvs, indices } = head.mesh;
const { width: W, height: H } = BASE_MAP_SIZE;
const skin = head.parts.find((p) => p.part === "skin");
if (!skin) throw new Error("lid-band: the template has no skin part");
const ids = rasterizeUv(uvs, indices, W, H, [{ first: skin.firstIndex / 3, count: skin.indexCount / 3 }]);

/** Per texel: its band above the upper margin of either eye, or −1 (not upper lid, or below the margin). */
const margin = upperMarginDistance(head, rig, ids, W, H, MOVES);
const band = Int8Array.from(margin.distance, (d, p) => (margin.above[p] || d < 0.5 ? Math.min(BANDS - 1, Math.floor(d)) : -1));

console.log(`| job | ${Array.from({ length: BANDS }, (_, i) => (i === BANDS - 1 ? `${i}+` : `${i}`)).join(" | ")} | 1–4 |`);
console.log(`|---|${"---|".repeat(BANDS + 1)}`);
for (const job of jobs) {
  const albedo = await sharp(path.join(job, "maps", "albedo_diffuse.png")).removeAlpha().resize(W, H, { kernel: "cubic" }).raw().toBuffer();
  const sum = new Float64Array(BANDS), count = new Float64Array(BANDS);
  for (let p = 0; p < W * H; p++) {
    if (band[p] < 0) continue;
    const [L] = linearSrgbToLab(srgbToLinear(albedo[3 * p] / 255), srgbToLinear(albedo[3 * p + 1] / 255), srgbToLinear(albedo[3 * p + 2] / 255));
    sum[band[p]] += L;
    count[band[p]]++;
  }
  const mean = (from: number, to: number) => sum.slice(from, to).reduce((s, v) => s + v, 0) / Math.max(1, count.slice(from, to).reduce((s, v) => s + v, 0));
  console.log(`| ${job} | ${Array.from({ length: BANDS }, (_, i) => mean(i, i + 1).toFixed(1)).join(" | ")} | ${mean(1, 5).toFixed(1)} |`);
}
