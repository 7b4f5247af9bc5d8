/**
 * `porelight batch <dir|glob|file...> --out <dir> [--jobs N]`: every photo, each into
 * `<out>/<name>/`. A photo whose outputs were built from the same bytes, options and pipeline
 * code is skipped (a content hash is kept in `<out>/<name>/.porelight-build.json`). Failures do
 * not stop the batch; the exit code is 1 if any photo failed.
 */
import type { Command } from "commander";
import { basename, join, relative, resolve } from "node:path";
import type { ReconstructFn } from "../../daemon/pipeline-loader.ts";
import { writeJsonAtomic } from "../../io/write-atomic.ts";
import { CliError } from "../errors.ts";
import { BUILD_RECORD, buildKey, upToDate } from "../../io/build-record.ts";
import { expandInputs, outputNames, PHOTO_EXTENSIONS, table } from "../batch-build.ts";
import { createProgressDisplay } from "../progress.ts";
import { loadPhoto } from "../../io/head-files.ts";
import { runPhotoJob, type PhotoJobOutcome } from "../photo-job.ts";
import { addJobOptions, DEFAULT_DEPS, interruptSignal, maxPixelsFromFlags, optionsFromFlags, type JobCommandDeps, type JobFlags } from "./reconstruct.ts";

export type BatchFlags = JobFlags & { jobs?: string; force?: boolean; queue?: string; wait?: boolean };

/** `porelight batch`: the whole command, minus argument parsing. Throws CliError(1) if any photo failed. */
export async function batchCommand(inputs: string[], flags: BatchFlags, deps: JobCommandDeps = DEFAULT_DEPS): Promise<PhotoJobOutcome[]> {
  if (flags.queue !== undefined) return (await import("../queue-batch.ts")).queueBatchCommand(inputs, flags, deps);
  if (flags.wait) throw new CliError("--wait only means something with --queue", 2);
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
      .option("--queue <url>", "enqueue the photos on redis://host:6379[/db] for `porelight worker`s instead of running them (docs/queue.md)")
      .option("--wait", "with --queue: one progress bar for the build, then the table and exit code of a local batch")
      .addHelpText("after", "\nExit codes: 0 all done or skipped, 1 any photo failed, 2 bad usage."),
  ).action(async (inputs: string[], flags: BatchFlags) => {
    await batchCommand(inputs, flags);
  });
}
