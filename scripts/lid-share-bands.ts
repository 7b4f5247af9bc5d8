// Diagnostic (not shipped): template closed-lid share per texel by distance above the upper margin,
// and texture.png L* difference between two jobs (on vs off) per band.
import sharp from "sharp";
import { restRig } from "../src/geometry/blendshape-rig.ts";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { closedUpperLids, closedLidShare, lidZones, upperMargins } from "../src/pipeline/unwrap/lid-share.ts";
import { linearSrgbToLab, srgbToLinear } from "../src/primitives/color.ts";
import { sharedTemplateHead } from "../src/pipeline/reconstruct.ts";
import { segmentDistance } from "../src/raster/polygon.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { BASE_MAP_SIZE } from "../src/types.ts";
const [onJob, offJob] = process.argv.slice(2);
const head = sharedTemplateHead();
const rig = restRig(head);
const { uvs, indices, positions } = head.mesh;
const { width: W, height: H } = BASE_MAP_SIZE;
const skin = head.parts.find((p) => p.part === "skin")!;
const ids = rasterizeUv(uvs, indices, W, H, [{ first: skin.firstIndex / 3, count: skin.indexCount / 3 }]);
const shapes = evaluateBlendshapes(positions, head);
const closed = closedUpperLids(positions, { weights: new Float64Array(shapes.length), blendshapes: shapes }, rig.upperLid)!;
const uniform = process.env.UNIFORM === "1";
const vs = closedLidShare(positions, closed, indices, skin.firstIndex / 3, (skin.firstIndex + skin.indexCount) / 3, uniform ? undefined : lidZones(positions, closed, upperMargins([head.rig.lidRight, head.rig.lidLeft])));
const share = new Float32Array(W * H).fill(1);
const dist = new Float32Array(W * H).fill(NaN);
for (let p = 0; p < W * H; p++) {
  const t = ids.triangle[p]; if (t < 0) continue;
  const b1 = ids.b1[p], b2 = ids.b2[p];
  share[p] = (1 - b1 - b2) * vs[indices[3 * t]] + b1 * vs[indices[3 * t + 1]] + b2 * vs[indices[3 * t + 2]];
}
[head.rig.lidRight, head.rig.lidLeft].forEach((loop, side) => {
  const line = [...loop.subarray(loop.length / 2), loop[0]];
  const weight = rig.upperLid[side];
  for (let p = 0; p < W * H; p++) {
    const t = ids.triangle[p]; if (t < 0) continue;
    const b1 = ids.b1[p], b2 = ids.b2[p];
    const w = (1 - b1 - b2) * weight[indices[3 * t]] + b1 * weight[indices[3 * t + 1]] + b2 * weight[indices[3 * t + 2]];
    if (w < 0.05) continue;
    const x = (p % W) + 0.5, y = Math.floor(p / W) + 0.5;
    let d = Infinity, above = false;
    for (let k = 0; k + 1 < line.length; k++) {
      const [a, b] = [line[k], line[k + 1]];
      const dd = segmentDistance(uvs[2 * a] * W, uvs[2 * a + 1] * H, uvs[2 * b] * W, uvs[2 * b + 1] * H, x, y);
      if (dd < d) [d, above] = [dd, y < ((uvs[2 * a + 1] + uvs[2 * b + 1]) / 2) * H];
    }
    if (above) dist[p] = d;
  }
});
const marginIds = [head.rig.lidRight, head.rig.lidLeft].flatMap((loop) => [...loop.subarray(loop.length / 2), loop[0]]);
const closedMm = new Float32Array(positions.length / 3).map((_, v) => 1000 * Math.min(...marginIds.map((m) => Math.hypot(closed[3 * v] - closed[3 * m], closed[3 * v + 1] - closed[3 * m + 1], closed[3 * v + 2] - closed[3 * m + 2]))));
const openMm = new Float32Array(positions.length / 3).map((_, v) => 1000 * Math.min(...marginIds.map((m) => Math.hypot(positions[3 * v] - positions[3 * m], positions[3 * v + 1] - positions[3 * m + 1], positions[3 * v + 2] - positions[3 * m + 2]))));
const texelOf = (a: Float32Array) => { const o = new Float32Array(W * H).fill(NaN); for (let p = 0; p < W * H; p++) { const t = ids.triangle[p]; if (t < 0) continue; const b1 = ids.b1[p], b2 = ids.b2[p]; o[p] = (1 - b1 - b2) * a[indices[3 * t]] + b1 * a[indices[3 * t + 1]] + b2 * a[indices[3 * t + 2]]; } return o; };
const cT = texelOf(closedMm), oT = texelOf(openMm);
let low = 0; for (let p = 0; p < W * H; p++) if (share[p] < 0.999) low++;
console.log(`texels share<0.999: ${low}; not in the upper-lid band (w≥0.05, above margin): ${[...share].filter((s, p) => s < 0.999 && Number.isNaN(dist[p])).length}`);
async function L(file: string) {
  const rgb = await sharp(file).removeAlpha().resize(W, H, { kernel: "cubic" }).raw().toBuffer();
  return Float32Array.from({ length: W * H }, (_, p) => linearSrgbToLab(srgbToLinear(rgb[3 * p] / 255), srgbToLinear(rgb[3 * p + 1] / 255), srgbToLinear(rgb[3 * p + 2] / 255))[0]);
}
const maps = onJob ? await Promise.all(["texture", "albedo_diffuse"].flatMap((m) => [L(`${onJob}/maps/${m}.png`), L(`${offJob}/maps/${m}.png`)])) : [];
console.log("band | n | share mean | min | open mm | closed mm | texture L* on/off | A_D L* on/off");
for (let b = 0; b < 14; b++) {
  let n = 0, s = 0, mn = 1, cm = 0, om = 0; const acc = [0, 0, 0, 0];
  for (let p = 0; p < W * H; p++) if (dist[p] >= b && dist[p] < b + 1) { n++; s += share[p]; cm += cT[p]; om += oT[p]; mn = Math.min(mn, share[p]); maps.forEach((m, i) => (acc[i] += m[p])); }
  console.log(`${b} | ${n} | ${(s / n).toFixed(3)} | ${mn.toFixed(3)} | ${(om / n).toFixed(1)} | ${(cm / n).toFixed(1)} | ${maps.length ? `${(acc[0] / n).toFixed(1)}/${(acc[1] / n).toFixed(1)} | ${(acc[2] / n).toFixed(1)}/${(acc[3] / n).toFixed(1)}` : ""}`);
}
// share map image
const img = Buffer.alloc(W * H);
for (let p = 0; p < W * H; p++) img[p] = Math.round(255 * share[p]);
await sharp(img, { raw: { width: W, height: H, channels: 1 } }).png().toFile("/tmp/crease/share-template.png");
