/**
 * What a camera in front of the open mouth sees (issue 16, the lower arch on show): the template
 * head posed through MOUTH_POSES, drawn by the one rasteriser from a camera level with the lips'
 * seam (0.5 m away, a conversation's distance; `--above DEG` raises it about the mouth). Per pose:
 *   - the incisors' display at the midline, mm: the run of upper teeth under the upper lip and of
 *     lower teeth above the lower lip (lip = skin or the lips' inner surface of that side), as
 *     orthodontists measure it from the front;
 *   - the area each part shows inside the opening, mm² at the teeth's depth: upper teeth, lower
 *     teeth (front six, premolars and molars apart), gums, tongue, the rest of the cavity.
 *
 * With `--png F`, the poses' label images side by side (skin pale, lower lip darker, cavity dark
 * red, upper teeth white, lower teeth yellow, tongue pink).
 *
 *   node --import tsx scripts/mouth-display.ts [--above 0] [--png /tmp/mouth-display.png]
 */
import { rename } from "node:fs/promises";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { restRig } from "../src/geometry/blendshape-rig.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { createFragments, rasterize } from "../src/raster/rasterize.ts";
import { lookAtCamera, projectToScreen } from "../src/render/camera.ts";
import { MOUTH_POSES } from "./mouth-poses.ts";

const { values } = parseArgs({ options: { above: { type: "string", default: "0" }, png: { type: "string" } } });
const above = (Number(values.above) * Math.PI) / 180;
/** Camera distance and pixel size at the teeth, metres. */
const DISTANCE_M = 0.5, PIXEL_M = 0.0001, HALF_FRAME_M = 0.045;

const head = buildTemplateHead();
const rig = restRig(head);
const shapes = evaluateBlendshapes(head.mesh.positions, head);
const P = head.mesh.positions, n = P.length / 3;
const seamMid = head.rig.upperSeam[(head.rig.upperSeam.length - 1) >> 1];
// The lower canine's distal end in x: teeth further out are premolars and molars.
let lowerFront = -Infinity;
for (let v = 0; v < n; v++) if (rig.kind[v] === 3) lowerFront = Math.max(lowerFront, P[3 * v + 2]);

/** Label per vertex: 0 skin upper, 1 skin lower, 2 inner lip / cavity upper, 3 cavity lower, 4 upper teeth, 5 lower teeth, 6 tongue. */
function labels(): Uint8Array {
  const out = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const k = rig.kind[v], lower = rig.jaw[v] > 0.5 || rig.lipSide[v] < 0;
    out[v] = k === 0 ? (rig.lipSide[v] < 0 ? 1 : 0) : k === 2 ? (lower ? 3 : 2) : k === 3 ? (rig.jaw[v] > 0.5 ? 5 : 4) : k === 4 ? 6 : 7;
  }
  return out;
}
const label = labels();
const NAMES = ["upper lip/skin", "lower lip/skin", "cavity upper", "cavity lower", "upper teeth", "lower teeth", "tongue", "eye"];

const rows: string[] = [];
/** Colours of the labels in the --png images (sRGB), index = label, last = background. */
const PALETTE = [[225, 190, 170], [200, 150, 140], [90, 15, 15], [60, 10, 10], [250, 250, 245], [235, 215, 90], [200, 90, 110], [80, 80, 200], [40, 40, 40]];
const images: Buffer[] = [];
let imageSize = 0;
for (const [pose, weights] of MOUTH_POSES) {
  const X = Float32Array.from(P);
  for (const [name, w] of Object.entries(weights)) {
    const d = shapes.find((s) => s.name === name)!.delta;
    for (let i = 0; i < X.length; i++) X[i] += w * d[i];
  }
  const target: [number, number, number] = [0, P[3 * seamMid + 1], P[3 * seamMid + 2]];
  const eye: [number, number, number] = [0, target[1] + DISTANCE_M * Math.sin(above), target[2] + DISTANCE_M * Math.cos(above)];
  const size = Math.round((2 * HALF_FRAME_M) / PIXEL_M);
  const fovYDeg = (2 * Math.atan(HALF_FRAME_M / DISTANCE_M) * 180) / Math.PI;
  const camera = lookAtCamera({ eye, target, fovYDeg, width: size, height: size });
  const frags = createFragments(size, size);
  rasterize(frags, projectToScreen(camera, X), head.mesh.indices, { cull: "back" });
  const pixelLabel = (i: number) => {
    const t = frags.triangle[i];
    return t < 0 ? -1 : label[head.mesh.indices[3 * t]];
  };
  if (values.png) {
    const rgb = Buffer.alloc(size * size * 3);
    for (let i = 0; i < size * size; i++) rgb.set(PALETTE[pixelLabel(i) < 0 ? 8 : pixelLabel(i)], 3 * i);
    images.push(rgb);
    imageSize = size;
  }
  // Areas: every pixel of a mouth part (whatever the lips hide is not drawn).
  const area = new Map<string, number>();
  const add = (k: string) => area.set(k, (area.get(k) ?? 0) + PIXEL_M * PIXEL_M * 1e6);
  for (let i = 0; i < size * size; i++) {
    const l = pixelLabel(i);
    if (l < 2 || l === 7) continue;
    if (l === 5) {
      const t = frags.triangle[i], v = head.mesh.indices[3 * t];
      add(Math.abs(P[3 * v]) < 0.019 && P[3 * v + 2] > lowerFront - 0.012 ? "lower front" : "lower back");
    } else add(NAMES[l]);
  }
  // The midline column: runs of labels from the top.
  const col = size >> 1, runs: [number, number][] = [];
  for (let j = 0; j < size; j++) {
    const l = pixelLabel(j * size + col);
    if (runs.length && runs[runs.length - 1][0] === l) runs[runs.length - 1][1]++;
    else runs.push([l, 1]);
  }
  const mm = (px: number) => (px * PIXEL_M * 1000).toFixed(1);
  let upper = 0, lower = 0;
  for (let r = 1; r < runs.length; r++) {
    if (runs[r][0] === 4 && (runs[r - 1][0] === 0 || runs[r - 1][0] === 2)) upper = runs[r][1];
    if (runs[r][0] === 5 && r + 1 < runs.length && (runs[r + 1][0] === 1 || runs[r + 1][0] === 3)) lower = runs[r][1];
  }
  const a = (k: string) => (area.get(k) ?? 0).toFixed(0);
  rows.push(`| ${pose} | ${mm(upper)} | ${mm(lower)} | ${a("upper teeth")} | ${a("lower front")} | ${a("lower back")} | ${a("tongue")} | ${a("cavity upper")} + ${a("cavity lower")} | ${runs.filter(([l]) => l >= 0).map(([l, c]) => `${NAMES[l]} ${mm(c)}`).join(", ")} |`);
}
process.stdout.write(`camera ${values.above}° above the seam, ${DISTANCE_M} m\n| pose | upper incisor display mm | lower incisor display mm | upper teeth mm² | lower front six mm² | lower premolars+molars mm² | tongue mm² | cavity mm² (upper + lower) | midline column, top → bottom |\n|---|---|---|---|---|---|---|---|---|\n${rows.join("\n")}\n`);
if (values.png) {
  // The middle of each frame (the mouth), side by side.
  const crop = { left: Math.round(imageSize * 0.1), top: Math.round(imageSize * 0.3), width: Math.round(imageSize * 0.8), height: Math.round(imageSize * 0.65) };
  const tiles = await Promise.all(images.map((rgb) => sharp(rgb, { raw: { width: imageSize, height: imageSize, channels: 3 } }).extract(crop).png().toBuffer()));
  await sharp({ create: { width: crop.width * tiles.length, height: crop.height, channels: 3, background: "black" } })
    .composite(tiles.map((t, i) => ({ input: t, left: i * crop.width, top: 0 })))
    .png()
    .toFile(`${values.png}.tmp.png`);
  await rename(`${values.png}.tmp.png`, values.png);
}
