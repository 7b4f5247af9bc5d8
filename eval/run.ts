/**
 * The evaluation run: every photo of a directory through the real pipeline (in this process, one
 * at a time), measured by eval/photo.ts, then the totals and the reports written to the output
 * directory. Per-photo peak memory: the kernel's high-water mark is reset before each photo
 * (/proc/self/clear_refs, Linux) and read after it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { decodeImage } from "../src/image/decode.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { reconstruct } from "../src/pipeline/reconstruct.ts";
import type { Logger, Preset, StageName, StageResults } from "../src/types.ts";
import { evaluatePhoto, failurePanels, PANEL_SIZE, type CollectedStages } from "./photo.ts";
import { stripPng } from "./strip.ts";
import { fillImpostors, indexHtml, summaryMarkdown, totals, type PhotoRecord, type Totals } from "./summary.ts";

export interface EvalOptions {
  /** Directory of photos (JPEG/PNG/WebP/AVIF/HEIC files; README and other files are skipped). */
  photosDir: string;
  /** Pipeline quality preset. */
  preset: Preset;
  /** Output directory (created). */
  outDir: string;
  /** Only these file names (all photos when empty). */
  only: string[];
  /** One line per photo; silent when absent. */
  log?: (line: string) => void;
  /** Pipeline logger (debug/info from the stages). */
  logger?: Logger;
}

export interface EvalSummary {
  version: 1;
  photosDir: string;
  preset: Preset;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  wallMs: number;
  totals: Totals;
  photos: PhotoRecord[];
}

const PHOTO_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif", ".tif", ".tiff"]);

/** The photo files of a directory, sorted by name. */
export async function listPhotos(dir: string, only: string[] = []): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => PHOTO_EXTENSIONS.has(path.extname(n).toLowerCase())).sort();
  if (only.length === 0) return names;
  const missing = only.filter((n) => !names.includes(n));
  if (missing.length) throw new Error(`not found in ${dir}: ${missing.join(", ")}`);
  return names.filter((n) => only.includes(n));
}

/**
 * A full garbage collection, so each photo's memory figures start from live data only (V8 frees
 * lazily; without it one photo's garbage shows up in the next one's peak).
 */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return () => {};
  }
})();

/** Resets the process's peak-RSS mark; false where the kernel does not allow it. */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function peakRssBytes(): number {
  try {
    const m = readFileSync("/proc/self/status", "utf8").match(/VmHWM:\s+(\d+)\s+kB/);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: the process-wide maximum is the best there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const FLAG_NAMES = ["extremePose", "lowResolution", "partialFace", "occluded", "blurry"] as const;

function describeError(err: unknown, fallbackStage: string): { stage: string; code: string; message: string } {
  const e = err as { stage?: string; code?: string; message?: string } | null;
  return { stage: e?.stage ?? fallbackStage, code: typeof e?.code === "string" ? e.code : "error", message: e?.message ?? String(err) };
}

/** Evaluates one photo; never throws for the photo's own problems (they become the record's failure). */
async function evaluateOne(file: string, name: string, options: EvalOptions, embeddings: Map<string, Float32Array>): Promise<PhotoRecord> {
  collectGarbage();
  const canReset = resetPeakRss();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stages: CollectedStages = {};
  const stagesMs: Partial<Record<StageName, number>> = {};
  const started = new Map<StageName, number>();
  const record: PhotoRecord = {
    name,
    ok: false,
    failure: null,
    pose: null,
    flags: [],
    measures: null,
    impostor: null,
    timing: { stagesMs, reconstructMs: 0, evalMs: 0, totalMs: 0, cpuMs: 0 },
    peakRssBytes: 0,
    rssAfterBytes: 0,
    strip: `strips/${name.replace(/[^A-Za-z0-9._-]/g, "_")}.png`,
  };
  let tEval = t0;
  let panels;
  try {
    const bytes = await readFile(file);
    try {
      await reconstruct(new Uint8Array(bytes), { preset: options.preset, face: 0, formats: ["glb"] }, {
        logger: options.logger,
        onProgress: (e) => {
          if (e.stageFraction === 0 && !started.has(e.stage)) started.set(e.stage, performance.now());
          if (e.stageFraction === 1 && started.has(e.stage)) stagesMs[e.stage] = performance.now() - started.get(e.stage)!;
        },
        onStageResult: <S extends keyof StageResults>(stage: S, value: StageResults[S]) => {
          stages[stage] = value;
        },
      });
    } catch (err) {
      record.failure = describeError(err, "reconstruct");
    }
    tEval = performance.now();
    record.timing.reconstructMs = tEval - t0;
    if (stages.capture) {
      record.pose = { ...stages.capture.pose };
      record.flags = FLAG_NAMES.filter((k) => stages.capture!.flags[k]);
    }
    if (!record.failure) {
      try {
        const result = await evaluatePhoto(stages);
        record.measures = result.measures;
        record.ok = true;
        embeddings.set(name, result.photoEmbedding);
        panels = result.panels;
      } catch (err) {
        record.failure = describeError(err, "eval");
        record.failure.stage = "eval";
      }
    }
    if (!panels) {
      let photo = null;
      if (!stages.capture) photo = await decodeImage(new Uint8Array(bytes)).then((d) => d.image).catch(() => null);
      panels = await failurePanels(photo, stages);
    }
    const caption = record.ok
      ? `${name} · identity ${record.measures!.identity.ours.toFixed(3)} (baseline ${record.measures!.identity.baseline.toFixed(3)}) · PSNR ${record.measures!.psnr.ours.toFixed(2)} dB (baseline ${record.measures!.psnr.baseline.toFixed(2)})`
      : `${name} · FAILED in ${record.failure!.stage}: ${record.failure!.message}`;
    await writeFileAtomic(path.join(options.outDir, record.strip), await stripPng(panels, caption.slice(0, 200), PANEL_SIZE), { durable: false });
  } catch (err) {
    record.failure ??= describeError(err, "eval");
    record.ok = false;
  }
  const t1 = performance.now();
  record.timing.evalMs = t1 - tEval;
  record.timing.totalMs = t1 - t0;
  const cpu = process.cpuUsage(cpu0);
  record.timing.cpuMs = (cpu.user + cpu.system) / 1000;
  record.peakRssBytes = peakRssBytes();
  collectGarbage();
  record.rssAfterBytes = process.memoryUsage.rss();
  if (!canReset) record.flags.push("peak RSS is the process maximum (reset not available)");
  return record;
}

/**
 * Runs the evaluation and writes summary.json, summary.md, index.html and strips/*.png under
 * options.outDir. Returns the summary.
 *
 *   const summary = await runEvaluation({ photosDir: "../shared/photos", preset: "draft", outDir: "eval-out", only: [] });
 */
export async function runEvaluation(options: EvalOptions): Promise<EvalSummary> {
  const names = await listPhotos(options.photosDir, options.only);
  if (names.length === 0) throw new Error(`no photos in ${options.photosDir}`);
  await mkdir(path.join(options.outDir, "strips"), { recursive: true });
  const wall0 = performance.now();
  const loadAverageStart = os.loadavg();
  const records: PhotoRecord[] = [];
  const embeddings = new Map<string, Float32Array>();
  for (const [i, name] of names.entries()) {
    const r = await evaluateOne(path.join(options.photosDir, name), name, options, embeddings);
    records.push(r);
    const m = r.measures;
    options.log?.(
      `[${i + 1}/${names.length}] ${name.padEnd(36)} ` +
        (m
          ? `identity ${m.identity.ours.toFixed(3)} (base ${m.identity.baseline.toFixed(3)})  PSNR ${m.psnr.ours.toFixed(2)} (base ${m.psnr.baseline.toFixed(2)})  SSIM ${m.ssim.ours.toFixed(3)}`
          : `FAILED in ${r.failure?.stage}: ${r.failure?.message}`) +
        `  ${(r.timing.totalMs / 1000).toFixed(1)} s  ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  fillImpostors(records, embeddings);
  const cpus = os.cpus();
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
  };
  const wallMs = performance.now() - wall0;
  const t = totals(records);
  const summary: EvalSummary = { version: 1, photosDir: options.photosDir, preset: options.preset, machine, wallMs, totals: t, photos: records };
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join("/");
  const machineLine = `${machine.cpus}-core ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node} (load average 1/5/15 min: ${load(loadAverageStart)} at the start, ${load(machine.loadAverageEnd)} at the end)`;
  const md = summaryMarkdown(t, records, { photosDir: options.photosDir, preset: options.preset, machine: machineLine, wallMs });
  await writeFileAtomic(path.join(options.outDir, "summary.json"), JSON.stringify(summary, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n", { durable: false });
  await writeFileAtomic(path.join(options.outDir, "summary.md"), md, { durable: false });
  await writeFileAtomic(path.join(options.outDir, "index.html"), indexHtml(md, records), { durable: false });
  return summary;
}
