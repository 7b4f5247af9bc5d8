/**
 * The face mesh's test-time views (src/pipeline/capture/mesh-views.ts) measured on photos:
 *   node --import tsx eval/landmark-views.ts <out.json> photo …
 * - bias: is the mirror view's prediction offset from the plain view's (2D similarity taken out), landmark by landmark,
 *   beyond its scatter over photos? (mean offset / its standard error; pooled RMS of the mean
 *   offset against the RMS scatter), the depth's agreement and the presence scores;
 * - noise: how far two disjoint sets of k views disagree (2D similarity taken out, % of the
 *   eye-centre distance per axis): with independent errors each set's error is that / √2, and the
 *   k-view sets shrink it as 1/√k; views the errors share do not shrink;
 * - the ROIs: how far the refined ROI moved from the detection's (the range the jitters stay in).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeImage } from "../src/image/decode.ts";
import { onnxRunner } from "../src/pipeline/capture.ts";
import { detectFaces } from "../src/pipeline/capture/detect.ts";
import { meshViews } from "../src/pipeline/capture/mesh.ts";
import { meanOfViews, ROI_VIEWS } from "../src/pipeline/capture/mesh-views.ts";
import * as T from "../src/primitives/face-topology.ts";
import { disagreement } from "./landmark-noise.ts";

const N = T.MESH_LANDMARK_COUNT;
/** Disjoint view sets compared for the noise, by size k (indices into ROI_VIEWS). */
const SPLITS: [number, number[], number[]][] = [
  [1, [0], [2]],
  [1, [0], [1]],
  [2, [0, 1], [2, 3]],
  [4, [0, 1, 2, 3], [4, 5, 6, 7]],
  [5, [0, 1, 2, 3, 8], [4, 5, 6, 7, 9]],
];

const eyeCentre = (p: Float32Array, a: number, b: number) => [(p[a * 3] + p[b * 3]) / 2, (p[a * 3 + 1] + p[b * 3 + 1]) / 2];
/** 25th, 50th and 90th percentiles. */
const quartiles = (v: number[]) => [0.25, 0.5, 0.9].map((q) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]);
const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0) / v.length);

async function main(): Promise<void> {
  const [out, ...photos] = process.argv.slice(2);
  if (!out || photos.length === 0) {
    process.stderr.write("usage: landmark-views.ts <out.json> photo …\n");
    process.exitCode = 2;
    return;
  }
  const run = onnxRunner();
  const offsets: Float64Array[] = []; // per photo: mirror − plain, x y per landmark, IOD units
  const splits = SPLITS.map(() => [] as number[]);
  const rois: { shift: number; scale: number; turnDeg: number }[] = [];
  const scores: number[][] = [];
  const depth: { corr: number; meanDiff: number; sd: number }[] = [];
  for (const photo of photos) {
    const { image } = await decodeImage(photo);
    const [det] = await detectFaces(image, run("blazeface"), { minScore: 0.6, iouThreshold: 0.3 });
    if (!det) {
      process.stdout.write(`${path.basename(photo)}: no face\n`);
      continue;
    }
    const { detectionRoi: d, roi, passes } = await meshViews(image, det, run("facemesh"), ROI_VIEWS.length);
    const [plain, mirror] = passes.map((p) => p.points);
    const [r, l] = [eyeCentre(plain, T.RIGHT_EYE_OUTER, T.RIGHT_EYE_INNER), eyeCentre(plain, T.LEFT_EYE_OUTER, T.LEFT_EYE_INNER)];
    const iod = Math.hypot(r[0] - l[0], r[1] - l[1]);
    // mirror − plain with the 2D similarity between them taken out (a pose or ROI difference, not shape).
    offsets.push(disagreement(plain, Float64Array.from(mirror)).map((x) => -x / iod));
    const za = Array.from({ length: N }, (_, i) => plain[3 * i + 2] / iod);
    const zb = Array.from({ length: N }, (_, i) => mirror[3 * i + 2] / iod);
    const [ma, mb] = [za, zb].map((z) => z.reduce((s, x) => s + x, 0) / N);
    let [sab, saa, sbb] = [0, 0, 0];
    for (let i = 0; i < N; i++) [sab, saa, sbb] = [sab + (za[i] - ma) * (zb[i] - mb), saa + (za[i] - ma) ** 2, sbb + (zb[i] - mb) ** 2];
    depth.push({ corr: sab / Math.sqrt(saa * sbb), meanDiff: mb - ma, sd: Math.sqrt(saa / N) });
    scores.push(passes.map((p) => p.score));
    SPLITS.forEach(([, a, b], s) => {
      const [ma3, mb3] = [a, b].map((set) => meanOfViews(set.map((i) => passes[i])));
      splits[s].push(rms(disagreement(ma3, Float64Array.from(mb3)).map((x) => x / iod)));
    });
    const c = Math.cos(roi.theta), sn = Math.sin(roi.theta);
    const [dx, dy] = [(d.cx - roi.cx) / roi.size, (d.cy - roi.cy) / roi.size];
    rois.push({ shift: Math.hypot(dx * c + dy * sn, -dx * sn + dy * c), scale: d.size / roi.size, turnDeg: ((d.theta - roi.theta) * 180) / Math.PI });
    process.stdout.write(`${path.basename(photo)}: mirror−plain ${(100 * rms(offsets[offsets.length - 1])).toFixed(2)} % IOD, depth r ${depth[depth.length - 1].corr.toFixed(3)}, scores ${passes[0].score.toFixed(3)}/${passes[1].score.toFixed(3)}\n`);
  }
  const P = offsets.length;
  // Per landmark and axis: mean offset over photos, its SD and t = mean / (SD / √P).
  const mean = new Float64Array(N * 2), sd = new Float64Array(N * 2), t = new Float64Array(N * 2);
  for (let k = 0; k < N * 2; k++) {
    mean[k] = offsets.reduce((s, o) => s + o[k], 0) / P;
    sd[k] = Math.sqrt(offsets.reduce((s, o) => s + (o[k] - mean[k]) ** 2, 0) / (P - 1));
    t[k] = mean[k] / (sd[k] / Math.sqrt(P));
  }
  const worst = Array.from({ length: N }, (_, i) => ({ landmark: i, t: Math.hypot(t[2 * i], t[2 * i + 1]), meanXYPct: [100 * mean[2 * i], 100 * mean[2 * i + 1]], meanPct: 100 * Math.hypot(mean[2 * i], mean[2 * i + 1]), sdPct: 100 * Math.hypot(sd[2 * i], sd[2 * i + 1]) / Math.SQRT2 }))
    .sort((a, b) => b.t - a.t)
    .slice(0, 12);
  const tAbove = (v: number) => Array.from(t).filter((x) => Math.abs(x) > v).length;
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const summary = {
    photos: P,
    bias: {
      meanOffsetRmsPct: 100 * rms(mean),
      scatterRmsPct: 100 * rms(sd),
      axesOverT3: tAbove(3),
      axesOverT4: tAbove(4),
      expectedOverT3ByChance: 2 * N * 0.0027,
      worst,
    },
    depth: { medianCorr: med(depth.map((d) => d.corr)), medianMeanDiffIod: med(depth.map((d) => d.meanDiff)), medianSdIod: med(depth.map((d) => d.sd)) },
    scores: ROI_VIEWS.map((_, v) => ({ view: v, mirror: ROI_VIEWS[v].mirror, median: med(scores.map((s) => s[v])), min: Math.min(...scores.map((s) => s[v])) })),
    noise: SPLITS.map(([k, a, b], s) => ({ views: k, a, b, medianPctPerAxis: (100 * med(splits[s])) , meanPctPerAxis: (100 * splits[s].reduce((x, y) => x + y, 0)) / splits[s].length })),
    roiChange: { shift: quartiles(rois.map((r) => r.shift)), absLnScale: quartiles(rois.map((r) => Math.abs(Math.log(r.scale)))), absTurnDeg: quartiles(rois.map((r) => Math.abs(r.turnDeg))) },
  };
  process.stdout.write(JSON.stringify(summary, null, 1) + "\n");
  await writeFile(out, JSON.stringify(summary, null, 2) + "\n");
}

await main();
