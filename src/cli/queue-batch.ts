/**
 * `porelight batch … --queue redis://…`: the same photos, names, options and up-to-date check as
 * a local batch, but each photo that needs building becomes a job for `porelight worker`s. With
 * `--wait` it follows the build to the end and finishes like a local batch: the same table, the
 * same exit codes (1 if any photo failed). See docs/queue.md.
 */
import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { exitCodeForCode } from "../daemon/http-error.ts";
import { enqueuePhotos, type EnqueuedPhoto } from "../queue/producer.ts";
import { openQueue } from "../queue/open-queue.ts";
import { QueueConfigError } from "../queue/redis.ts";
import { assertWritableDir } from "../queue/shared-dir.ts";
import { watchJobs, type FinishedJob } from "../queue/watch.ts";
import { BUILD_RECORD } from "../io/build-record.ts";
import { expandInputs, outputNames, PHOTO_EXTENSIONS, table } from "./batch-build.ts";
import { createBuildProgress } from "./build-progress.ts";
import { interruptSignal, maxPixelsFromFlags, optionsFromFlags, type JobCommandDeps, type JobFlags } from "./commands/reconstruct.ts";
import { CliError } from "./errors.ts";
import type { PhotoJobOutcome } from "./photo-job.ts";

/** QueueConfigError → CliError: same message, exit 2. */
export async function asCliError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof QueueConfigError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** The files a worker published, from its build record (a table row's `files`). */
async function publishedFiles(outDir: string): Promise<{ name: string; bytes: number }[]> {
  try {
    return (JSON.parse(await readFile(join(outDir, BUILD_RECORD), "utf8")) as { files: { name: string; bytes: number }[] }).files;
  } catch {
    return [];
  }
}

async function outcomeOf(entry: EnqueuedPhoto, end: FinishedJob | undefined, outDir: string): Promise<PhotoJobOutcome | null> {
  const base = { photo: entry.photo, out: outDir };
  if (entry.status === "skipped") return { ...base, status: "skipped", ms: 0, files: [] };
  if (entry.status === "rejected") return { ...base, status: "failed", ms: 0, files: [], error: { ...entry.error!, exitCode: 2 } };
  if (!end) return null; // interrupted before it finished
  if (end.state === "completed") return { ...base, status: "done", ms: end.result?.ms ?? 0, files: await publishedFiles(outDir) };
  const error = end.error!;
  return { ...base, status: "failed", ms: 0, files: [], error: { ...error, exitCode: error.code === "invalid_input" ? 2 : exitCodeForCode(error.code) } };
}

/** `batch`'s flags (declared here too: commands/batch.ts imports this file). */
export type QueueBatchFlags = JobFlags & { jobs?: string; force?: boolean; queue?: string; wait?: boolean };

export async function queueBatchCommand(inputs: string[], flags: QueueBatchFlags, deps: JobCommandDeps): Promise<PhotoJobOutcome[]> {
  if (flags.jobs !== undefined && flags.jobs !== "1") throw new CliError("--jobs runs photos in parallel on this machine; with --queue start more workers instead (porelight worker --concurrency N)", 2);
  const options = optionsFromFlags(flags);
  const maxPixels = maxPixelsFromFlags(flags);
  const photos = await expandInputs(inputs);
  if (photos.length === 0) throw new CliError(`no photos found in ${inputs.join(" ")} (looked for ${[...PHOTO_EXTENSIONS].join(" ")})`, 2);
  const outRoot = resolve(flags.out);
  await asCliError(assertWritableDir(outRoot, "this producer"));
  const names = outputNames(photos);
  const q = await asCliError(openQueue(flags.queue!, { claim: true, connectionName: "porelight-producer" }));
  const interrupt = interruptSignal();
  let outage = false;
  q.redis.on("error", (err: Error) => {
    if (!outage) deps.stderr.write(`Redis at ${q.target.display} unreachable (${err.message}); waiting for it\n`);
    outage = true;
  });
  q.redis.on("ready", () => {
    if (outage) deps.stderr.write("Redis is back\n");
    outage = false;
  });
  try {
    const entries = await enqueuePhotos(q.queue, photos, names, { outRoot, options, maxPixels, force: flags.force });
    const count = (s: EnqueuedPhoto["status"]) => entries.filter((e) => e.status === s).length;
    deps.stderr.write(`${count("queued")} queued, ${count("pending")} already in the queue, ${count("skipped")} up to date, ${count("rejected")} unreadable → ${q.target.display} (queue "${q.queueName}")\n`);
    const watched = entries.filter((e) => e.status === "queued" || e.status === "pending");
    let ends = new Map<string, FinishedJob>();
    if (flags.wait && watched.length > 0) {
      const byId = new Map(watched.map((e) => [e.jobId!, e]));
      const bar = createBuildProgress(watched.length, deps.stderr, flags.json);
      try {
        ends = await watchJobs(q.queue, [...byId.keys()], {
          signal: interrupt.signal,
          onFinished: (end) => bar.finished(relative(process.cwd(), byId.get(end.jobId)!.photo), end.state === "completed" ? `done (${end.worker ?? "?"})` : `failed: ${end.error?.code}`),
          onProgress: (finished, running, active) => bar.update(finished, running, active.length ? `${active.length} running` : "waiting for workers"),
        });
      } finally {
        bar.stop();
      }
      if (interrupt.signal.aborted) deps.stderr.write("stopped waiting; the workers carry on (porelight queue status)\n");
    }
    if (!flags.wait) {
      for (const e of entries.filter((x) => x.status === "rejected")) deps.stderr.write(`${e.photo}: ${e.error!.message} [${e.error!.code}]\n`);
      if (count("rejected") > 0) throw new CliError(`${count("rejected")} of ${photos.length} photos cannot be read; the others are queued`, 1);
      return [];
    }
    const rows = await Promise.all(entries.map((e) => outcomeOf(e, e.jobId ? ends.get(e.jobId) : undefined, join(outRoot, e.name))));
    const done = rows.filter((r): r is PhotoJobOutcome => r !== null);
    const failed = done.filter((o) => o.status === "failed");
    if (flags.json) {
      deps.stdout.write(`${JSON.stringify({ out: outRoot, options, queue: q.target.display, photos: done }, null, 2)}\n`);
    } else {
      deps.stdout.write(`${table(done, process.cwd())}\n`);
      const n = (s: string) => done.filter((o) => o.status === s).length;
      deps.stdout.write(`${n("done")} built, ${n("skipped")} skipped, ${failed.length} failed${done.length < photos.length ? `, ${photos.length - done.length} still in the queue (stopped waiting)` : ""}\n`);
    }
    if (failed.length > 0 || done.length < photos.length) throw new CliError(`${failed.length} of ${photos.length} photos failed`, 1);
    return done;
  } finally {
    interrupt.dispose();
    await q.close();
  }
}
