/**
 * The closed-lid share by distance above the upper margin (issue 16): on the template head, the
 * share of each upper-lid texel's closed skin the open head shows (unwrap/lid-share.ts; the tucked
 * skin only, or the template's whole stretch with `--uniform`), per band of one base texel above
 * the margin (upper-lid weight ≥ 0.05, as scripts/lid-strip-colour.ts), with the band's distance
 * from the margin open and closed (mm); given jobs, also the mean L* of each job's completed photo
 * texture and A_D over the band, to compare runs band by band.
 *
 *   node --import tsx scripts/lid-share-bands.ts [--uniform] [/tmp/jobs-a/obama /tmp/jobs-b/obama …]
 */
import sharp from "sharp";
import { restRig } from "../src/geometry/blendshape-rig.ts";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { closedLidShare, closedUpperLids, lidZones, upperMargins } from "../src/pipeline/unwrap/lid-share.ts";
import { linearSrgbToLab, srgbToLinear } from "../src/primitives/color.ts";
import { vertexSegmentDistance } from "../src/primitives/vec3.ts";
import { sharedTemplateHead } from "../src/pipeline/reconstruct.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { BASE_MAP_SIZE } from "../src/types.ts";
import { upperMarginDistance } from "./lid-margin-distance.ts";

const BANDS = 14;
const args = process.argv.slice(2);
const uniform = args.includes("--uniform");
const jobs = args.filter((a) => a !== "--uniform");

const head = sharedTemplateHead();
const rig = restRig(head);
const { uvs, indices, positions } = head.mesh;
const { width: W, height: H } = BASE_MAP_SIZE;
const skin = head.parts.find((p) => p.part === "skin");
if (!skin) throw new Error("lid-share-bands: the template has no skin part");
const ids = rasterizeUv(uvs, indices, W, H, [{ first: skin.firstIndex / 3, count: skin.indexCount / 3 }]);
const shapes = evaluateBlendshapes(positions, head);
const closed = closedUpperLids(positions, { weights: new Float64Array(shapes.length), blendshapes: shapes }, rig.upperLid);
if (!closed) throw new Error("lid-share-bands: the template has no blink shapes");
const margins = upperMargins([head.rig.lidRight, head.rig.lidLeft]);
const vertexShare = closedLidShare(positions, closed, indices, skin.firstIndex / 3, (skin.firstIndex + skin.indexCount) / 3, uniform ? undefined : lidZones(positions, closed, margins));
const marginMm = (p: Float32Array) => Float32Array.from({ length: p.length / 3 }, (_, v) => 1000 * Math.min(...margins.flatMap((line) => line.slice(1).map((b, k) => vertexSegmentDistance(p, v, line[k], b)))));

/** A per-vertex value interpolated over the skin's texels (NaN off the skin). */
function overTexels(perVertex: ArrayLike<number>): Float32Array {
  const out = new Float32Array(W * H).fill(NaN);
  for (let p = 0; p < W * H; p++) {
    const t = ids.triangle[p];
    if (t < 0) continue;
    const b1 = ids.b1[p], b2 = ids.b2[p];
    out[p] = (1 - b1 - b2) * perVertex[indices[3 * t]] + b1 * perVertex[indices[3 * t + 1]] + b2 * perVertex[indices[3 * t + 2]];
  }
  return out;
}
const share = overTexels(vertexShare), openMm = overTexels(marginMm(positions)), closedMm = overTexels(marginMm(closed));

/** Base texels above the upper margin in the atlas, NaN off the upper lid. */
const margin = upperMarginDistance(head, rig, ids, W, H, 0.05);
const band = Float32Array.from(margin.distance, (d, p) => (margin.above[p] ? Math.floor(d) : NaN));

async function lightness(file: string): Promise<Float32Array> {
  const rgb = await sharp(file).removeAlpha().resize(W, H, { kernel: "cubic" }).raw().toBuffer();
  return Float32Array.from({ length: W * H }, (_, p) => linearSrgbToLab(srgbToLinear(rgb[3 * p] / 255), srgbToLinear(rgb[3 * p + 1] / 255), srgbToLinear(rgb[3 * p + 2] / 255))[0]);
}
const maps = await Promise.all(jobs.flatMap((j) => ["texture", "albedo_diffuse"].map((m) => lightness(`${j}/maps/${m}.png`))));
const below = [...share].filter((s, p) => s < 0.999 && Number.isNaN(band[p])).length;
console.log(`${uniform ? "template's whole stretch" : "tucked skin only"}: ${[...share].filter((s) => s < 0.999).length} texels of share < 0.999, ${below} of them off the upper lid's bands`);
console.log(`| band | texels | share mean | min | open mm | closed mm |${jobs.map((j) => ` ${j} texture L* | A_D L* |`).join("")}`);
for (let b = 0; b < BANDS; b++) {
  const at = [...band.keys()].filter((p) => band[p] === b);
  const mean = (a: Float32Array) => at.reduce((s, p) => s + a[p], 0) / at.length;
  console.log(`| ${b} | ${at.length} | ${mean(share).toFixed(3)} | ${Math.min(...at.map((p) => share[p])).toFixed(3)} | ${mean(openMm).toFixed(1)} | ${mean(closedMm).toFixed(1)} |${maps.map((m) => ` ${mean(m).toFixed(1)} |`).join("")}`);
}
