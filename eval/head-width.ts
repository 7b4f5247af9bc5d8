/**
 * The fitted head's projected width against the photo's person outline, row by row
 * (`node --import tsx eval/head-width.ts <photos-dir> <out-dir> a.jpg,b.png [--no-outline] [--focal35=N] [--ears]`):
 * capture and fit only. Rows: the temples (brow level), the eyes, the tragion (ears), the mouth,
 * and the neck (chin + 0.4 inter-ocular distances); `--focal35=N` fixes the lens, `--ears` turns on the ears' fit from the outline (fit/ears.ts, off by default). At each row the head's width is the span of its
 * projected skin vertices (ears included), the photo's the span of the person mask (≥ ½) around the
 * face centre: hair counts there, so above the ears the photo's width is an upper bound of the
 * skull's. Widths are given as a share of the inter-ocular distance and in millimetres at the
 * head's depth (the fit's metric scale). Per photo one PNG: the photo, the person outline (red),
 * the head's projected skin (magenta tint) and the measured rows (head span yellow, photo span cyan);
 * and `head-width.json` with the figures and the fit's debug lines (focal length, metric size, the
 * head outline's readings and shifts, the ears).
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { headFrame } from "../src/geometry/head-shape.ts";
import { decodeImage } from "../src/image/decode.ts";
import { encodePng } from "../src/image/encode.ts";
import { capture } from "../src/pipeline/capture.ts";
import { fit, FIT_DEFAULTS } from "../src/pipeline/fit.ts";
import { project } from "../src/pipeline/fit/pose.ts";
import { disposeSessions } from "../src/models/session.ts";
import type { CaptureResult, FitResult, ImageF32, TemplateHead } from "../src/types.ts";

interface RowFigures {
  row: string;
  y: number;
  headIod: number;
  photoIod: number;
  headMm: number;
  photoMm: number;
  /** Head − photo on each side (left, right), share of the inter-ocular distance: > 0 the head sticks out. */
  overhangIod: [number, number];
}

const ROWS = ["temples", "eyes", "tragion", "mouth", "neck"] as const;

/** The rows' image y: brow (landmarks 105/334), eye centres (33/133, 362/263), tragion (the head frame's, projected), mouth corners (61/291), chin 152 + 0.4 IOD. */
function rowYs(cap: CaptureResult, r: FitResult, head: TemplateHead): Record<(typeof ROWS)[number], number> {
  const lm = cap.landmarks, y = (i: number) => lm[3 * i + 1];
  const iod = r.interocularPx;
  // The tragion of the fitted head: the template vertex nearest the frame's tragion, on each side, as fitted.
  const f = headFrame(), pos = head.mesh.positions, out = r.photographed?.positions ?? r.mesh.positions;
  const q = new Float64Array(2);
  let tragionY = 0;
  for (const side of [-1, 1]) {
    let best = -1, bd = Infinity;
    for (let v = 0; v < pos.length / 3; v++) {
      const d = (pos[3 * v] - side * f.tragion[0]) ** 2 + (pos[3 * v + 1] - f.tragion[1]) ** 2 + (pos[3 * v + 2] - f.tragion[2]) ** 2;
      if (d < bd) [bd, best] = [d, v];
    }
    project(r.camera, out, q, 3 * best);
    tragionY += q[1] / 2;
  }
  return { temples: (y(105) + y(334)) / 2, eyes: (y(33) + y(133) + y(362) + y(263)) / 4, tragion: tragionY, mouth: (y(61) + y(291)) / 2, neck: y(152) + 0.4 * iod };
}

/** Per vertex of the skin, its projection (NaN for eyeballs, mouth parts). */
function projectedSkin(head: TemplateHead, r: FitResult): Float64Array {
  const positions = r.photographed?.positions ?? r.mesh.positions;
  const nv = positions.length / 3, out = new Float64Array(2 * nv).fill(NaN), q = new Float64Array(2);
  const skin = new Uint8Array(nv);
  for (const p of head.parts) if (p.part === "skin") for (let i = p.firstIndex; i < p.firstIndex + p.indexCount; i++) skin[head.mesh.indices[i]] = 1;
  for (let v = 0; v < nv; v++) if (skin[v]) {
    project(r.camera, positions, q, 3 * v);
    out[2 * v] = q[0];
    out[2 * v + 1] = q[1];
  }
  return out;
}

/** The span of the projected skin at row y (vertices within half a band of it). */
function headSpan(px: Float64Array, y: number, band: number): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (let v = 0; v < px.length / 2; v++) if (Math.abs(px[2 * v + 1] - y) <= band / 2) {
    lo = Math.min(lo, px[2 * v]);
    hi = Math.max(hi, px[2 * v]);
  }
  return lo < hi ? [lo, hi] : null;
}

/** The person mask's span at row y outward from x0 (≥ ½), or null without a mask. */
function personSpan(cap: CaptureResult, x0: number, y: number): [number, number] | null {
  const m = cap.masks?.person;
  if (!m) return null;
  const j = Math.round(y);
  if (j < 0 || j >= m.height) return null;
  const at = (i: number) => m.data[j * m.width + i];
  let lo = Math.round(x0), hi = Math.round(x0);
  while (lo > 0 && at(lo - 1) >= 0.5) lo--;
  while (hi < m.width - 1 && at(hi + 1) >= 0.5) hi++;
  return [lo, hi + 1];
}

function measure(cap: CaptureResult, r: FitResult, head: TemplateHead): { rows: RowFigures[]; px: Float64Array; ys: Record<string, number>; spans: Record<string, [[number, number] | null, [number, number] | null]> } {
  const px = projectedSkin(head, r);
  const ys = rowYs(cap, r, head);
  const iod = r.interocularPx, lm = cap.landmarks;
  const x0 = (lm[3 * 1] + lm[3 * 168]) / 2; // nose tip and the nasal bridge: the face's centre line
  const depth = r.cameraEstimate.distanceM, mmPerPx = (1000 * depth) / r.camera.fx;
  const rows: RowFigures[] = [];
  const spans: Record<string, [[number, number] | null, [number, number] | null]> = {};
  for (const name of ROWS) {
    const y = ys[name];
    const h = headSpan(px, y, Math.max(1.5, 0.02 * iod)), p = personSpan(cap, x0, y);
    spans[name] = [h, p];
    if (!h || !p) continue;
    rows.push({ row: name, y, headIod: (h[1] - h[0]) / iod, photoIod: (p[1] - p[0]) / iod, headMm: (h[1] - h[0]) * mmPerPx, photoMm: (p[1] - p[0]) * mmPerPx, overhangIod: [(p[0] - h[0]) / iod, (h[1] - p[1]) / iod] });
  }
  return { rows, px, ys, spans };
}

/** The photo with the person outline, the head's projected skin and the measured spans. */
function picture(cap: CaptureResult, m: ReturnType<typeof measure>): ImageF32 {
  const { width, height } = cap.image;
  const img = cap.image, out = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = img.data[img.channels * i + c];
  const cover = new Uint8Array(width * height);
  for (let v = 0; v < m.px.length / 2; v++) {
    const x = Math.round(m.px[2 * v]), y = Math.round(m.px[2 * v + 1]);
    if (x >= 0 && y >= 0 && x < width && y < height) cover[y * width + x] = 1;
  }
  const set = (x: number, y: number, c: number[], a = 1) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    for (let k = 0; k < 3; k++) out[3 * (y * width + x) + k] = (1 - a) * out[3 * (y * width + x) + k] + a * c[k];
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (cover[y * width + x]) set(x, y, [1, 0, 1], 0.35);
  const person = cap.masks?.person;
  if (person) for (let y = 1; y < height - 1; y++) for (let x = 1; x < width - 1; x++) {
    const inside = person.data[y * width + x] >= 0.5;
    if (inside && (person.data[y * width + x - 1] < 0.5 || person.data[y * width + x + 1] < 0.5 || person.data[(y - 1) * width + x] < 0.5 || person.data[(y + 1) * width + x] < 0.5)) set(x, y, [1, 0, 0]);
  }
  for (const name of Object.keys(m.spans)) {
    const [h, p] = m.spans[name], y = Math.round(m.ys[name]);
    if (p) for (let x = Math.round(p[0]); x <= Math.round(p[1]); x++) set(x, y + 1, [0, 1, 1]);
    if (h) for (let x = Math.round(h[0]); x <= Math.round(h[1]); x++) set(x, y - 1, [1, 1, 0]);
  }
  return { width, height, channels: 3, data: out, colorSpace: img.colorSpace };
}

async function main(): Promise<void> {
  const [dir, outDir, list, ...flags] = process.argv.slice(2);
  if (!dir || !outDir || !list) throw new Error("usage: node --import tsx eval/head-width.ts <photos-dir> <out-dir> a.jpg,b.png [--no-outline] [--focal35=N] [--ears]");
  const head = buildTemplateHead();
  await mkdir(outDir, { recursive: true });
  const focal35 = Number(flags.find((f) => f.startsWith("--focal35="))?.slice(10) ?? 0);
  const all: Record<string, unknown> = {};
  for (const name of list.split(",")) {
    const { image, info } = await decodeImage(path.join(dir, name));
    const cap = await capture({ image });
    const lines: string[] = [];
    // A fixed 35 mm-equivalent focal length (on the photo's diagonal) instead of the estimate, to see what the lens does to the widths.
    const focalLengthFactor = focal35 > 0 ? ((focal35 / Math.hypot(36, 24)) * Math.hypot(image.width, image.height)) / Math.max(image.width, image.height) : 0;
    const options = { ...(flags.includes("--no-outline") ? { headOutline: { ...FIT_DEFAULTS.headOutline, enabled: false } } : {}), ...(focalLengthFactor ? { intrinsics: { focalLengthFactor } } : {}), ...(flags.includes("--ears") ? { ears: { ...FIT_DEFAULTS.ears, enabled: true } } : {}) };
    const r = fit({ capture: cap, head, lens: info.lens }, options, { logger: { debug: (s) => lines.push(s), info: (s) => lines.push(s), warn: (s) => lines.push(s) } });
    const m = measure(cap, r, head);
    const e = r.cameraEstimate;
    all[name] = { size: [image.width, image.height], iodPx: r.interocularPx, focal35mm: e.focal35mm, focalDecidedBy: e.focalDecidedBy, focalSdLn: e.focalSdLn, cues: e.cues, metricScale: e.metricScale, scaleDecidedBy: e.scaleDecidedBy, distanceM: e.distanceM, apparentSex: cap.apparentSex ?? null, rows: m.rows, log: lines };
    process.stdout.write(`${name}: focal ${e.focal35mm.toFixed(0)} mm (${e.focalDecidedBy}, ±${(100 * e.focalSdLn).toFixed(0)} %, foreshortening alone ${e.cues.foreshortening?.bestFocal35mm.toFixed(0) ?? "–"} mm, share ${e.cues.foreshortening?.share.toFixed(2) ?? "–"}), scale ${e.metricScale.toFixed(3)} (${e.scaleDecidedBy}), ${e.distanceM.toFixed(2)} m, IOD ${r.interocularPx.toFixed(1)} px\n`);
    for (const row of m.rows) process.stdout.write(`  ${row.row.padEnd(8)} head ${row.headIod.toFixed(2)} vs photo ${row.photoIod.toFixed(2)} IOD (${row.headMm.toFixed(0)} vs ${row.photoMm.toFixed(0)} mm), overhang L ${row.overhangIod[0].toFixed(2)} R ${row.overhangIod[1].toFixed(2)}\n`);
    for (const l of lines.filter((l) => /outline|ears \(|neck|chin/.test(l))) process.stdout.write(`  ${l}\n`);
    const file = path.join(outDir, name.replace(/\.[a-z]+$/i, ".png"));
    await writeFile(`${file}.tmp`, await encodePng(picture(cap, m), { bitDepth: 8 }));
    await rename(`${file}.tmp`, file);
  }
  const json = path.join(outDir, "head-width.json");
  await writeFile(`${json}.tmp`, JSON.stringify(all, null, 1));
  await rename(`${json}.tmp`, json);
}

try {
  await main();
} finally {
  await disposeSessions();
}
