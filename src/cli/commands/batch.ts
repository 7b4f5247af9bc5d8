/**
 * `porelight batch <dir|glob|file...> --out <dir> [--jobs N]`: every photo, each into
 * `<out>/<name>/`. A photo whose outputs were built from the same bytes, options and pipeline
 * code is skipped (a content hash is kept in `<out>/<name>/.porelight-build.json`). Failures do
 * not stop the batch; the exit code is 1 if any photo failed.
 */
import type { Command } from "commander";
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReconstructFn } from "../../daemon/pipeline-loader.ts";
import { writeJsonAtomic } from "../../io/write-atomic.ts";
import type { ReconstructOptions } from "../../types.ts";
import { CliError } from "../errors.ts";
import { createProgressDisplay } from "../progress.ts";
import { loadPhoto, runPhotoJob, type PhotoJobOutcome } from "../photo-job.ts";
import { addJobOptions, DEFAULT_DEPS, interruptSignal, maxPixelsFromFlags, optionsFromFlags, type JobCommandDeps, type JobFlags } from "./reconstruct.ts";

const PHOTO_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif"]);
const BUILD_RECORD = ".porelight-build.json";

/** `*`, `?` and `**` in a path pattern → RegExp over "/"-separated relative paths. */
function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

/** Photos named by the arguments: directories (their photos, not recursive), globs, or files. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    if (/[*?]/.test(input)) {
      const parts = input.split("/");
      const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
      const root = parts.slice(0, firstGlob).join("/") || ".";
      const matcher = globToRegExp(parts.slice(firstGlob).join("/"));
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!e.isFile()) continue;
        const full = join(e.parentPath, e.name);
        if (matcher.test(relative(root, full).split("\\").join("/"))) found.add(resolve(full));
      }
      continue;
    }
    const info = await stat(input).catch(() => null);
    if (!info) throw new CliError(`${input}: no such file or directory`, 2);
    if (info.isDirectory()) {
      for (const name of await readdir(input)) if (PHOTO_EXTENSIONS.has(extname(name).toLowerCase())) found.add(resolve(input, name));
    } else found.add(resolve(input));
  }
  return [...found].sort();
}

/** Output directory names: the file stem, or stem-ext when two photos share a stem. */
export function outputNames(photos: string[]): Map<string, string> {
  const stem = (p: string) => basename(p, extname(p));
  const counts = new Map<string, number>();
  for (const p of photos) counts.set(stem(p), (counts.get(stem(p)) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const p of photos) {
    let name = counts.get(stem(p))! > 1 ? `${stem(p)}-${extname(p).slice(1)}` : stem(p);
    if (!/^[A-Za-z0-9]/.test(name)) name = `photo-${name}`;
    let unique = name;
    for (let i = 2; [...names.values()].includes(unique); i++) unique = `${name}-${i}`;
    names.set(p, unique);
  }
  return names;
}

let codeFingerprint: Promise<string> | null = null;

/** sha256 over porelight's own source: a new pipeline invalidates earlier builds even without a version bump. */
function pipelineFingerprint(): Promise<string> {
  codeFingerprint ??= (async () => {
    const srcDir = fileURLToPath(new URL("../../", import.meta.url));
    const files = (await readdir(srcDir, { recursive: true }))
      .filter((f) => f.endsWith(".ts") && !/^(cli|daemon)[/\\]/.test(f) && f !== "client.ts")
      .sort();
    const h = createHash("sha256");
    for (const f of files) h.update(`${f}\0`).update(await readFile(join(srcDir, f)));
    return h.digest("hex");
  })();
  return codeFingerprint;
}

/** The build key of one photo: its decoded content, the options, and the pipeline code. */
async function buildKey(photoPng: Uint8Array, options: ReconstructOptions): Promise<string> {
  return createHash("sha256")
    .update(photoPng)
    .update(JSON.stringify(options))
    .update(await pipelineFingerprint())
    .digest("hex");
}

/** True when `outDir` holds a complete build with this key. */
async function upToDate(outDir: string, key: string): Promise<boolean> {
  try {
    const record = JSON.parse(await readFile(join(outDir, BUILD_RECORD), "utf8")) as { key: string; files: { name: string; bytes: number }[] };
    if (record.key !== key) return false;
    for (const f of record.files) if ((await stat(join(outDir, f.name))).size !== f.bytes) return false;
    return true;
  } catch {
    return false;
  }
}

function table(rows: PhotoJobOutcome[], cwd: string): string {
  const cells = rows.map((r) => [relative(cwd, r.photo) || r.photo, r.status, r.status === "skipped" ? "-" : `${(r.ms / 1000).toFixed(1)} s`, r.error ? `${r.error.code}: ${r.error.message}` : relative(cwd, r.out) || r.out]);
  const head = ["photo", "status", "time", "output / error"];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const fmt = (c: string[]) => c.map((v, i) => (i < 3 ? v.padEnd(widths[i]) : v)).join("  ");
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...cells.map(fmt)].join("\n");
}

export type BatchFlags = JobFlags & { jobs?: string; force?: boolean };

/** `porelight batch`: the whole command, minus argument parsing. Throws CliError(1) if any photo failed. */
export async function batchCommand(inputs: string[], flags: BatchFlags, deps: JobCommandDeps = DEFAULT_DEPS): Promise<PhotoJobOutcome[]> {
  const options = optionsFromFlags(flags);
  const maxPixels = maxPixelsFromFlags(flags);
  const jobs = Number(flags.jobs ?? 1);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new CliError(`--jobs must be a whole number 1..16 (got ${flags.jobs})`, 2);
  const photos = await expandInputs(inputs);
  if (photos.length === 0) throw new CliError(`no photos found in ${inputs.join(" ")} (looked for ${[...PHOTO_EXTENSIONS].join(" ")})`, 2);
  const outRoot = resolve(flags.out);
  const names = outputNames(photos);

  // One job: in this process. More: one worker process per lane, so they really run in parallel.
  const workers = jobs > 1 ? Array.from({ length: Math.min(jobs, photos.length) }, () => deps.startWorker()) : [];
  const lanes: ReconstructFn[] = workers.length ? workers : [await deps.loadPipeline()];
  const display = createProgressDisplay({ plain: flags.json, stream: deps.stderr });
  const interrupt = interruptSignal();
  const outcomes: PhotoJobOutcome[] = new Array(photos.length);
  let next = 0;
  const lane = async (reconstruct: ReconstructFn) => {
    while (next < photos.length && !interrupt.signal.aborted) {
      const i = next++;
      const photoPath = photos[i];
      const outDir = join(outRoot, names.get(photoPath)!);
      const line = display.line(relative(process.cwd(), photoPath) || basename(photoPath));
      let key: string | null = null;
      let loaded;
      try {
        loaded = (await loadPhoto(photoPath, maxPixels)).accepted;
        key = await buildKey(loaded.png, options);
      } catch {
        /* runPhotoJob reports the problem with the photo */
      }
      if (key && !flags.force && (await upToDate(outDir, key))) {
        line.finish("skipped (up to date)");
        outcomes[i] = { photo: photoPath, out: outDir, status: "skipped", ms: 0, files: [] };
        continue;
      }
      const outcome = await runPhotoJob({ photoPath, outDir, options, reconstruct, maxPixels, line, signal: interrupt.signal, photo: loaded });
      if (outcome.status === "done" && key) {
        await writeJsonAtomic(join(outDir, BUILD_RECORD), { key, photo: photoPath, options, builtAt: new Date().toISOString(), files: outcome.files });
      }
      outcomes[i] = outcome;
    }
  };
  try {
    await Promise.all(lanes.map(lane));
  } finally {
    display.stop();
    interrupt.dispose();
    await Promise.all(workers.map((w) => w.close()));
  }
  const done = outcomes.filter(Boolean);
  const failed = done.filter((o) => o.status === "failed");
  if (flags.json) {
    deps.stdout.write(`${JSON.stringify({ out: outRoot, options, photos: done }, null, 2)}\n`);
  } else {
    deps.stdout.write(`${table(done, process.cwd())}\n`);
    const count = (s: string) => done.filter((o) => o.status === s).length;
    deps.stdout.write(`${count("done")} built, ${count("skipped")} skipped, ${failed.length} failed${done.length < photos.length ? `, ${photos.length - done.length} not started (interrupted)` : ""}\n`);
  }
  if (failed.length > 0 || done.length < photos.length) throw new CliError(`${failed.length} of ${photos.length} photos failed`, 1);
  return done;
}

export function register(program: Command): void {
  addJobOptions(
    program
      .command("batch <inputs...>")
      .description("reconstruct every photo in directories / globs / files, into <out>/<photo name>/; skips unchanged ones")
      .option("--jobs <n>", "photos computed at once (each extra one in its own process; default 1)", "1")
      .option("--force", "rebuild even when the outputs are up to date")
      .addHelpText("after", "\nExit codes: 0 all done or skipped, 1 any photo failed, 2 bad usage."),
  ).action(async (inputs: string[], flags: BatchFlags) => {
    await batchCommand(inputs, flags);
  });
}
