/**
 * `npm run eval -- --ladder <dir>`: does the fitted shape change with the photo's size alone?
 * `<dir>` holds one frame at several resolutions (../shared/photos/resolution-ladder/: 240p to
 * 1080p). Every photo runs through the whole pipeline; reported are the similarity-aligned RMS
 * between every pair of fitted heads (all skin and the face alone, mm in the template's metric
 * frame: eval/shape-consistency.ts), each head against the largest photo's, and the FaceRes cosine
 * of each head's canonical renders against the largest photo's head (mean of the views). Writes
 * ladder.json, ladder.md and ladder.html with the renders under images/.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import type { Logger, Preset } from "../src/types.ts";
import { CANONICAL_TURNS_DEG } from "./canonical-view.ts";
import { headMeasures, reconstructStages, requireStages, safeName, writeHeadImages, type HeadShape } from "./head-measures.ts";
import { pageHtml, personRowHtml, type IdentitySetPhoto } from "./identity-report.ts";
import { listPhotos } from "./run.ts";
import { rmsMatrixMm } from "./shape-consistency.ts";
import { pairScore } from "./verification.ts";

interface LadderHead {
  name: string;
  pixels: number;
  interocularPx: number;
  shape: HeadShape;
  viewDescriptors: Float32Array[];
}

const f = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(d));

/** Mean of the off-diagonal entries of a symmetric matrix and its largest entry. */
function offDiagonal(m: number[][]): { mean: number | null; max: number | null } {
  const v = m.flatMap((row, i) => row.filter((_, j) => j > i));
  return { mean: v.length ? v.reduce((s, x) => s + x, 0) / v.length : null, max: v.length ? Math.max(...v) : null };
}

/** Runs every photo of `dir`; writes ladder.json, ladder.md and ladder.html to outDir. */
export async function evaluateLadder(dir: string, preset: Preset, outDir: string, log: (line: string) => void, logger?: Logger) {
  const names = await listPhotos(dir);
  if (names.length < 2) throw new Error(`--ladder needs at least two photos in ${dir}`);
  await mkdir(path.join(outDir, "images"), { recursive: true });
  const heads: LadderHead[] = [];
  const rows: IdentitySetPhoto[] = [];
  for (const name of names) {
    const { stages, failure } = await reconstructStages(new Uint8Array(await readFile(path.join(dir, name))), preset, logger);
    const row: IdentitySetPhoto = { person: "ladder", name, failure, images: null, fitErrorOfInterocularPct: stages.fit ? (100 * stages.fit.reprojectionErrorPx) / stages.fit.interocularPx : null, tone: { lab: null, ita: null, seenLab: null, cues: null, response: null } };
    if (!failure) {
      const s = requireStages(stages);
      const m = await headMeasures(s);
      row.images = await writeHeadImages(outDir, path.join("images", safeName(path.parse(name).name)), m);
      heads.push({ name, pixels: s.capture.image.width * s.capture.image.height, interocularPx: s.fit.interocularPx, shape: m.shape, viewDescriptors: m.viewDescriptors });
    }
    rows.push(row);
    log(`${name.padEnd(24)} ${failure ? `FAILED: ${failure}` : `${Math.sqrt(heads[heads.length - 1].pixels).toFixed(0)} px (√area), inter-ocular ${heads[heads.length - 1].interocularPx.toFixed(1)} px`}`);
  }
  if (heads.length < 2) throw new Error("--ladder: fewer than two photos were reconstructed");
  const skin = rmsMatrixMm(heads.map((h) => h.shape), heads[0].shape.sets.skin);
  const face = rmsMatrixMm(heads.map((h) => h.shape), heads[0].shape.sets.face);
  const ref = heads.reduce((best, h, i) => (h.pixels > heads[best].pixels ? i : best), 0);
  const perPhoto = heads.map((h, i) => ({
    name: h.name,
    pixels: h.pixels,
    interocularPx: h.interocularPx,
    skinRmsToLargestMm: skin[i][ref],
    faceRmsToLargestMm: face[i][ref],
    renderCosineToLargest: i === ref ? 1 : pairScore({ person: "", descriptors: h.viewDescriptors }, { person: "", descriptors: heads[ref].viewDescriptors }),
  }));
  const summary = {
    version: 1,
    dir,
    preset,
    largest: heads[ref].name,
    units: "millimetres in the fitted mesh's (the template's) metric frame, after a similarity alignment with scale, surface-area weighted",
    skinRmsMm: offDiagonal(skin),
    faceRmsMm: offDiagonal(face),
    skinMatrixMm: skin,
    faceMatrixMm: face,
    perPhoto,
  };
  const md = [
    `# porelight resolution ladder`,
    ``,
    `${heads.length} sizes of one frame from \`${dir}\`, preset \`${preset}\`. Aligned RMS between the fitted heads, mm: all skin mean ${f(summary.skinRmsMm.mean)} (largest pair ${f(summary.skinRmsMm.max)}), face mean ${f(summary.faceRmsMm.mean)} (largest pair ${f(summary.faceRmsMm.max)}).`,
    ``,
    `| photo | √pixels | inter-ocular px | skin RMS to ${heads[ref].name}, mm | face RMS, mm | render cosine (mean of ${CANONICAL_TURNS_DEG.join("°, ")}°) |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...perPhoto.map((p) => `| ${p.name} | ${Math.sqrt(p.pixels).toFixed(0)} | ${f(p.interocularPx, 1)} | ${f(p.skinRmsToLargestMm)} | ${f(p.faceRmsToLargestMm)} | ${f(p.renderCosineToLargest, 3)} |`),
  ].join("\n") + "\n";
  log("");
  log(md);
  await writeFileAtomic(path.join(outDir, "ladder.json"), JSON.stringify(summary, null, 2) + "\n", { durable: false });
  await writeFileAtomic(path.join(outDir, "ladder.md"), md, { durable: false });
  await writeFileAtomic(path.join(outDir, "ladder.html"), pageHtml("porelight resolution ladder", md, [personRowHtml(dir, "each photo: photo | frontal render | 30° render", rows)]), { durable: false });
  return summary;
}
