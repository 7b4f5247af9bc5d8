/**
 * How much of the face-mesh detector's landmark error a contour shares (fit/expression-noise.ts):
 * capture each photo and its mirror image, map the mirror's landmarks back (x flipped, left/right
 * partners swapped), take out the whole face's 2D similarity (pose, not contour error), then split
 * each contour's disagreement into its mean offset and the points' scatter about it. With the
 * detector's error on each pass = shared offset (SD τ per axis) + own error (SD σ), the
 * disagreement's scatter has per-axis variance 2σ²(n−1)/n and its mean offset 2τ² + 2σ²/n.
 * Errors the detector repeats on the mirror image cancel, so τ is a lower bound.
 *   node --import tsx eval/landmark-noise.ts <out.json> photo …
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LANDMARK_MIRROR } from "../src/geometry/data/canonical-face.ts";
import { decodeImage } from "../src/image/decode.ts";
import { capture } from "../src/pipeline/capture.ts";
import { IRIS_CONTOURS, LANDMARK_CONTOURS } from "../src/pipeline/fit/expression-noise.ts";
import { LEFT_IRIS_START, MESH_LANDMARK_COUNT, RIGHT_IRIS_START } from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

/** Sums over photos per contour: scatter (Σ|e|², Σ(n − 1)) and mean offsets (Σ|m|², Σ 1, Σ 1/n), in IOD units. */
interface ContourSums {
  scatter: number;
  scatterDof: number;
  offset: number;
  offsetCount: number;
  invN: number;
}

function mirrored(image: ImageF32): ImageF32 {
  const { width, height, channels, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = (y * width + x) * channels, b = (y * width + (width - 1 - x)) * channels;
      for (let c = 0; c < channels; c++) out[a + c] = data[b + c];
    }
  }
  return { ...image, data: out };
}

/** The mirror pass's landmarks in the photo's frame and numbering. */
function unmirrored(lm: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(lm.length);
  for (let i = 0; i < lm.length / 3; i++) {
    const j = LANDMARK_MIRROR[i];
    out[3 * i] = width - lm[3 * j];
    out[3 * i + 1] = lm[3 * j + 1];
  }
  return out;
}

/** b aligned onto a by the 2D similarity over the mesh landmarks (complex least squares), then a − b per landmark (x, y pairs). */
export function disagreement(a: ArrayLike<number>, b: Float64Array): Float64Array {
  const n = MESH_LANDMARK_COUNT;
  let [ax, ay, bx, by] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) [ax, ay, bx, by] = [ax + a[3 * i] / n, ay + a[3 * i + 1] / n, bx + b[3 * i] / n, by + b[3 * i + 1] / n];
  let [re, im, nb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [px, py, qx, qy] = [a[3 * i] - ax, a[3 * i + 1] - ay, b[3 * i] - bx, b[3 * i + 1] - by];
    re += px * qx + py * qy;
    im += py * qx - px * qy;
    nb += qx * qx + qy * qy;
  }
  const [sr, si] = [re / nb, im / nb];
  const out = new Float64Array((a.length / 3) * 2);
  for (let i = 0; i < a.length / 3; i++) {
    const [qx, qy] = [b[3 * i] - bx, b[3 * i + 1] - by];
    out[2 * i] = a[3 * i] - (ax + sr * qx - si * qy);
    out[2 * i + 1] = a[3 * i + 1] - (ay + si * qx + sr * qy);
  }
  return out;
}

async function main(): Promise<void> {
  const [out, ...photos] = process.argv.slice(2);
  if (!out || photos.length === 0) {
    process.stderr.write("usage: landmark-noise.ts <out.json> photo …\n");
    process.exitCode = 2;
    return;
  }
  const sums = new Map<string, ContourSums>([...LANDMARK_CONTOURS, ...IRIS_CONTOURS].map((c) => [c.name, { scatter: 0, scatterDof: 0, offset: 0, offsetCount: 0, invN: 0 }]));
  for (const photo of photos) {
    const { image } = await decodeImage(photo);
    const [direct, mirror] = [await capture({ image }), await capture({ image: mirrored(image) })];
    const lm = direct.landmarks;
    const iod = Math.hypot(lm[3 * RIGHT_IRIS_START] - lm[3 * LEFT_IRIS_START], lm[3 * RIGHT_IRIS_START + 1] - lm[3 * LEFT_IRIS_START + 1]);
    const d = disagreement(lm, unmirrored(mirror.landmarks, image.width)).map((x) => x / iod);
    for (const contour of [...LANDMARK_CONTOURS, ...IRIS_CONTOURS]) {
      const s = sums.get(contour.name)!, n = contour.ids.length;
      const m = [0, 1].map((a) => contour.ids.reduce((t, i) => t + d[2 * i + a], 0) / n);
      for (const i of contour.ids) s.scatter += (d[2 * i] - m[0]) ** 2 + (d[2 * i + 1] - m[1]) ** 2;
      s.scatterDof += 2 * (n - 1);
      s.offset += m[0] ** 2 + m[1] ** 2;
      s.offsetCount += 2;
      s.invN += 2 / n;
    }
    process.stdout.write(`${path.basename(photo)} captured twice\n`);
  }
  const rows = [...LANDMARK_CONTOURS, ...IRIS_CONTOURS].map((c) => estimate(c.name, [sums.get(c.name)!]));
  const pooled = estimate("pooled", [...sums.values()]);
  for (const r of [...rows, pooled]) process.stdout.write(`${r.name}: σ ${(100 * r.sigma).toFixed(2)} % IOD, τ ${(100 * r.tau).toFixed(2)} % IOD, shared variance ${r.shared.toFixed(2)}\n`);
  await writeFile(out, JSON.stringify({ photos: photos.map((p) => path.basename(p)), rows, pooled }, null, 2) + "\n");
}

/** σ, τ (per axis, IOD units) and τ² / (σ² + τ²) from the summed disagreements (each pass's variance is half the disagreement's). */
function estimate(name: string, parts: ContourSums[]): { name: string; sigma: number; tau: number; shared: number } {
  const t = parts.reduce((a, s) => ({ scatter: a.scatter + s.scatter, scatterDof: a.scatterDof + s.scatterDof, offset: a.offset + s.offset, offsetCount: a.offsetCount + s.offsetCount, invN: a.invN + s.invN }));
  const sigma2 = t.scatter / t.scatterDof / 2;
  const tau2 = Math.max(0, (t.offset - 2 * sigma2 * t.invN) / t.offsetCount / 2);
  return { name, sigma: Math.sqrt(sigma2), tau: Math.sqrt(tau2), shared: tau2 / (sigma2 + tau2) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
