/**
 * The foreshortening cue of the focal length (src/pipeline/fit/intrinsics.ts) where the truth is
 * known (docs/evaluation.md, "The foreshortening cue calibrated on renders"):
 *
 *   node --import tsx eval/focal-calibration.ts renders <photos-dir> <out-dir> a.jpg,b.png [--focals 18,35,85,200] [--turns 0,30] [--share 0.16]
 *   node --import tsx eval/focal-calibration.ts exif <photos-dir> [a.jpg,b.png] [--all]
 *
 * `renders`: each photo is reconstructed (draft; kept under <out>/cache/ for the next run) and its
 * head drawn by our skin renderer with its A_D under the studio light at each 35 mm-equivalent
 * focal length (on the render's diagonal) and turn, from the distance that keeps the eye centres
 * `share` of the image apart; capture's landmarks are read off each render and the focal length
 * estimated from them with no EXIF, by the raw cue (no calibration, no distance prior, the grid
 * widened to 6000 mm) and by fit's defaults. Prints per render and the regression of ln f_est on
 * ln f_true (gain, offset, residual SD), and of the perspective 1 / f_est on 1 / f_true.
 * `exif`: every photo whose EXIF names a focal length, estimated with its EXIF, without (fit's
 * defaults, and the uncalibrated cue with the distance prior as before), and by the raw cue;
 * `--all`: every photo, EXIF or not.
 * `summary <focal-calibration.json>`: the regressions again from an earlier run's rows.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import v8 from "node:v8";
import path from "node:path";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { decodeImage } from "../src/image/decode.ts";
import { capture } from "../src/pipeline/capture.ts";
import { fit, type FitOptions } from "../src/pipeline/fit.ts";
import { FULL_FRAME_DIAGONAL_MM, INTRINSICS_DEFAULTS } from "../src/pipeline/fit/intrinsics.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { shownPerspective, type PerspectiveResponse } from "../src/pipeline/fit/perspective-cue.ts";
import { disposeSessions } from "../src/models/session.ts";
import type { CaptureResult, ImageF32, LensHint, Mesh, TemplateHead } from "../src/types.ts";
import { canonicalCamera, faceFrame } from "./canonical-view.ts";
import { headSkinMaps, reconstructStages, requireStages } from "./head-measures.ts";
import { compositeOver, renderSkin, studioLighting, type SkinMaps } from "./shade-skin.ts";
import { stripPng } from "./strip.ts";
import { listPhotos } from "./run.ts";
import { linearFit } from "./metrics.ts";

/** The cue alone: no calibration, no distance prior, a grid long enough to see where it peaks. */
const RAW_CUE: FitOptions = { intrinsics: { ...INTRINSICS_DEFAULTS, perspectiveResponse: null, distancePriorSdLn: 100, maxFocal35mm: 6000, gridSteps: 40 } };

interface Estimates {
  /** fit's defaults (calibrated cue + distance prior), 35 mm-eq. */
  defaultMm: number;
  defaultSdLn: number;
  /** The raw cue's posterior mean and SD (no prior). */
  rawMm: number;
  rawSdLn: number;
  /** The raw cue's misfit minimum on its grid. */
  rawBestMm: number;
  /** The raw cue's camera-to-head distance, metres. */
  rawDistanceM: number;
}

function estimates(cap: CaptureResult, head: TemplateHead, lens: LensHint | null, options: FitOptions = {}): Estimates {
  const def = fit({ capture: cap, head, lens }, options).cameraEstimate;
  const raw = fit({ capture: cap, head, lens: null }, RAW_CUE).cameraEstimate;
  return { defaultMm: def.focal35mm, defaultSdLn: def.focalSdLn, rawMm: raw.focal35mm, rawSdLn: raw.focalSdLn, rawBestMm: raw.cues.foreshortening?.apparentFocal35mm ?? NaN, rawDistanceM: raw.distanceM };
}

/** The head of one photo as the renders need it. */
export interface RenderableHead {
  mesh: Mesh;
  landmarkVertices: Int32Array | number[];
  maps: SkinMaps;
}

export async function renderableHead(dir: string, name: string, cacheDir: string): Promise<RenderableHead> {
  const file = path.join(cacheDir, `${name}.head.v8`);
  try {
    return v8.deserialize(await readFile(file)) as RenderableHead;
  } catch {
    const { stages, failure } = await reconstructStages(new Uint8Array(await readFile(path.join(dir, name))), "draft");
    if (failure) throw new Error(`${name}: ${failure}`);
    const s = requireStages(stages);
    const head: RenderableHead = { mesh: s.fit.mesh, landmarkVertices: Array.from(s.fit.head.landmarkVertices), maps: headSkinMaps(s) };
    await writeFileAtomic(file, v8.serialize(head), { durable: false });
    return head;
  }
}

/** Least squares y = a + b x (metrics.ts linearFit): gain b, offset a, residual SD; NaN with too few pairs. */
function regression(xs: number[], ys: number[]): { gain: number; offset: number; residualSd: number } {
  const line = linearFit(xs, ys);
  if (!line) return { gain: NaN, offset: NaN, residualSd: NaN };
  const rss = xs.reduce((s, x, i) => s + (ys[i] - line.intercept - line.slope * x) ** 2, 0);
  return { gain: line.slope, offset: line.intercept, residualSd: Math.sqrt(rss / Math.max(1, xs.length - 2)) };
}

interface RenderRow extends Estimates {
  name: string;
  turnDeg: number;
  trueMm: number;
  /** The render camera's distance to the face centre, metres of the reconstructed head. */
  trueDistanceM: number;
}

/** The head drawn under a `trueMm` 35 mm-equivalent lens (on the square render's diagonal), turned `turnDeg`, the eye centres `share` of the side apart; and the camera's distance to the face centre. */
export function renderAt(head: RenderableHead, turnDeg: number, trueMm: number, share: number, size = 512): { image: ImageF32; trueDistanceM: number } {
  const frame = faceFrame(head.mesh.positions, head.landmarkVertices);
  const focalPx = (trueMm / FULL_FRAME_DIAGONAL_MM) * Math.SQRT2 * size;
  const fovYDeg = (2 * Math.atan(size / 2 / focalPx) * 180) / Math.PI;
  const camera = canonicalCamera(frame, turnDeg, { size, fovYDeg, interocularShare: share });
  const render = renderSkin(head.mesh, camera, head.maps, studioLighting(camera.rotation), { supersample: 2 });
  const background: ImageF32 = { width: size, height: size, channels: 3, data: new Float32Array(size * size * 3).fill(0.35), colorSpace: "srgb" };
  return { image: compositeOver(render, background), trueDistanceM: (frame.interocularM * focalPx) / (share * size) };
}

async function renders(dir: string, outDir: string, only: string[], focals: number[], turns: number[], share: number): Promise<void> {
  const size = 512;
  const cacheDir = path.join(outDir, "cache");
  await mkdir(cacheDir, { recursive: true });
  const template = buildTemplateHead();
  const rows: RenderRow[] = [];
  for (const name of await listPhotos(dir, only)) {
    const head = await renderableHead(dir, name, cacheDir);
    const panels = [];
    for (const turnDeg of turns) {
      for (const trueMm of focals) {
        const { image, trueDistanceM } = renderAt(head, turnDeg, trueMm, share, size);
        if (turnDeg === turns[0]) panels.push({ label: `${trueMm} mm`, image });
        let cap: CaptureResult;
        try {
          cap = await capture({ image });
        } catch (err) {
          process.stdout.write(`${name} turn ${turnDeg}° ${trueMm} mm: ${(err as Error).message}\n`);
          continue;
        }
        const row = { name, turnDeg, trueMm, trueDistanceM, ...estimates(cap, template, null) };
        rows.push(row);
        process.stdout.write(`${name} turn ${turnDeg}° true ${trueMm} mm: raw cue ${row.rawMm.toFixed(0)} mm ± ${(100 * row.rawSdLn).toFixed(0)} % (grid min ${row.rawBestMm.toFixed(0)}) · default ${row.defaultMm.toFixed(0)} mm ± ${(100 * row.defaultSdLn).toFixed(0)} %\n`);
      }
    }
    await writeFile(path.join(outDir, name.replace(/\.[a-z]+$/i, ".png")), await stripPng(panels, `${name}: renders at known focal lengths (turn ${turns[0]}°)`, size));
    await writeFile(path.join(outDir, "focal-calibration.json"), JSON.stringify(rows, null, 1));
  }
  summarise(rows);
}

/**
 * The perspective a camera at distance D puts on a face is first order in 1 / D (a point δz nearer
 * is magnified by 1 + δz / D), so the raw cue's reading is compared in that unit: u = 1 / D, per
 * metre, true against shown (u_true · f_true / f_est, the same framing).
 */
export function summarise(rows: RenderRow[]): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const groups: [string, RenderRow[]][] = [["all", rows], ...[...new Set(rows.map((r) => r.turnDeg))].map((t) => [`turn ${t}°`, rows.filter((r) => r.turnDeg === t)] as [string, RenderRow[]])];
  for (const [label, rs] of groups) {
    const ln = regression(rs.map((r) => Math.log(r.trueMm)), rs.map((r) => Math.log(r.rawMm)));
    const uTrue = rs.map((r) => 1 / r.trueDistanceM), uShown = rs.map((r, i) => (uTrue[i] * r.trueMm) / r.rawMm);
    const u = regression(uTrue, uShown);
    out(`${label} (${rs.length} renders): ln f_est = ${ln.offset.toFixed(3)} + ${ln.gain.toFixed(3)} ln f_true (residual SD ${ln.residualSd.toFixed(3)}); shown 1/D = ${u.offset.toFixed(3)} + ${u.gain.toFixed(3)} × true 1/D per m (residual SD ${u.residualSd.toFixed(3)} per m)`);
  }
  const fitted = fitResponse(rows);
  const r = fitted.response;
  out(`response fitted on ${fitted.used} renders whose raw SD < ${INFORMATIVE_SD_LN}: gain ${r.gain.toFixed(3)}, offset ${r.offsetPerM.toFixed(3)} + ${r.turnOffsetPerM.toFixed(2)} sin²θ per m, sd ${r.sdPerM.toFixed(3)} per m`);
  const defErr = rows.map((r) => Math.log(r.defaultMm / r.trueMm));
  const z = rows.map((r, i) => defErr[i] / Math.max(r.defaultSdLn, 1e-6));
  const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  out(`defaults: ln(f / f_true) mean ${(defErr.reduce((s, v) => s + v, 0) / defErr.length).toFixed(3)}, RMS ${rms(defErr).toFixed(3)}; the error in claimed SDs, RMS ${rms(z).toFixed(2)}`);
}

/** Renders whose raw cue is narrower than this (ln f) enter the response's fit: on wider ones its posterior mean is pulled by the grid's long end. */
const INFORMATIVE_SD_LN = 0.4;

/**
 * The response of fit/perspective-cue.ts fitted to the renders: offset, turnOffset and gain by
 * least squares of u_shown = offset + turnOffset sin²θ + gain u_true; sd the residual SD.
 */
export function fitResponse(rows: RenderRow[]): { response: PerspectiveResponse; used: number } {
  const rs = rows.filter((r) => r.rawSdLn < INFORMATIVE_SD_LN);
  const u = rs.map((r) => 1 / r.trueDistanceM), y = rs.map((r, i) => (u[i] * r.trueMm) / r.rawMm);
  const s2 = rs.map((r) => Math.sin((r.turnDeg * Math.PI) / 180) ** 2);
  // Normal equations of y = a + b s² + g u.
  const X = rs.map((_, i) => [1, s2[i], u[i]]);
  const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => X.reduce((acc, x) => acc + x[a] * x[b], 0)));
  const v = [0, 1, 2].map((a) => X.reduce((acc, x, i) => acc + x[a] * y[i], 0));
  const [offset, turnOffset, gain] = solve3(A, v);
  const rss = rs.reduce((acc, _, i) => acc + (y[i] - offset - turnOffset * s2[i] - gain * u[i]) ** 2, 0);
  const sd = Math.sqrt(rss / Math.max(1, rs.length - 3));
  return { response: { gain, offsetPerM: offset, turnOffsetPerM: turnOffset, sdPerM: sd }, used: rs.length };
}

/** Solves a 3 × 3 linear system by Cramer's rule. */
function solve3(A: number[][], b: number[]): number[] {
  const det = (m: number[][]) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const d = det(A);
  return [0, 1, 2].map((c) => det(A.map((row, i) => row.map((x, j) => (j === c ? b[i] : x)))) / d);
}

async function exif(dir: string, only: string[], all: boolean): Promise<void> {
  const template = buildTemplateHead();
  const names = only.length ? only : await listPhotosDeep(dir);
  for (const name of names) {
    const { image, info } = await decodeImage(path.join(dir, name));
    const lens = info.lens;
    if (!all && (!lens || (!lens.focalLength35mm && !(lens.focalLengthMm && lens.focalPlanePxPerMm)))) continue;
    const cap = await capture({ image });
    const yaw = `yaw ${cap.pose.yawDeg.toFixed(0)}°`;
    const withExif = fit({ capture: cap, head: template, lens }).cameraEstimate;
    const e = estimates(cap, template, null);
    const uncalibrated = fit({ capture: cap, head: template, lens: null }, { intrinsics: { perspectiveResponse: null } }).cameraEstimate;
    const said = withExif.cues.exif ? `${withExif.cues.exif.kind === "bound" ? "≤ " : ""}${withExif.cues.exif.focal35mm.toFixed(0)} mm` : "nothing usable";
    process.stdout.write(`${name} (${lens?.camera ?? "?"}, ${yaw}): EXIF ${said} → with EXIF ${withExif.focal35mm.toFixed(0)} mm · without: default ${e.defaultMm.toFixed(0)} mm ± ${(100 * e.defaultSdLn).toFixed(0)} % (uncalibrated cue + prior ${uncalibrated.focal35mm.toFixed(0)} mm ± ${(100 * uncalibrated.focalSdLn).toFixed(0)} %), raw cue ${e.rawMm.toFixed(0)} mm ± ${(100 * e.rawSdLn).toFixed(0)} % (grid min ${e.rawBestMm.toFixed(0)})\n`);
  }
}

/** Photos in `dir` and one level of sub-folders (the identity sets), relative paths. */
async function listPhotosDeep(dir: string): Promise<string[]> {
  const { readdir, stat } = await import("node:fs/promises");
  const out = [...(await listPhotos(dir, []))];
  for (const sub of await readdir(dir)) {
    const p = path.join(dir, sub);
    if (!(await stat(p)).isDirectory()) continue;
    for (const inner of await readdir(p)) {
      const q = path.join(p, inner);
      if ((await stat(q)).isDirectory()) for (const n of await listPhotos(q, [])) out.push(path.join(sub, inner, n));
      else if (/\.(jpe?g|png)$/i.test(inner)) out.push(path.join(sub, inner));
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const args = process.argv.slice(2);
  const flag = (k: string) => {
    const i = args.indexOf(k);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const focals = (flag("--focals") ?? "18,28,50,85,135,300").split(",").map(Number);
  const turns = (flag("--turns") ?? "0,30").split(",").map(Number);
  const share = Number(flag("--share") ?? "0.16");
  const allFlag = args.includes("--all");
  if (allFlag) args.splice(args.indexOf("--all"), 1);
  const [mode, dir, a, b] = args;
  if (mode === "summary" && dir) summarise(JSON.parse(await readFile(dir, "utf8")) as RenderRow[]);
  else if (mode === "renders" && dir && a) await renders(dir, a, b ? b.split(",") : [], focals, turns, share);
  else if (mode === "exif" && dir) await exif(dir, a ? a.split(",") : [], allFlag);
  else {
    process.stderr.write("usage: eval/focal-calibration.ts renders <photos-dir> <out-dir> [a.jpg,…] [--focals …] [--turns …] [--share s] | exif <photos-dir> [a.jpg,…]\n");
    process.exit(2);
  }
  await disposeSessions();
}
