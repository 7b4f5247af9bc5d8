/**
 * A queue worker: takes photos off the BullMQ queue and runs each through the pipeline in a
 * worker process, exactly as the daemon does (one process per concurrent job, models loaded once
 * per process), then publishes the outputs into the shared `--out` in one rename.
 *
 * Failure policy: bad input (no face, undecodable photo, bad options, a job from another format)
 * fails at once, since another machine would fail the same way; anything else (a crashed
 * pipeline process, a lost worker) is retried, at most MAX_ATTEMPTS runs in all.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { join } from "node:path";
import { buildKey, upToDate } from "../io/build-record.ts";
import { exitCodeForCode, serializeError } from "../daemon/http-error.ts";
import type { ChildProcessReconstruct } from "../daemon/pipeline-process.ts";
import type { Logger, StageName } from "../types.ts";
import { parseJobData, MAX_ATTEMPTS, DEFAULT_QUEUE_NAME, type QueueJobData } from "./job-format.ts";
import { countFinished } from "./queue-meta.ts";
import { publishOutputs, readStagedInput, removeStagedInput, sweepStaging } from "./shared-dir.ts";

export interface QueueWorkerOptions {
  /** A connected client (see connectRedis); BullMQ duplicates it for its blocking reads. */
  redis: Redis;
  /** BullMQ queue name. Default "porelight". */
  queueName?: string;
  /** The shared output directory (the producer's `--out`, as mounted on this machine). */
  outRoot: string;
  /** Jobs computed at once, each in its own pipeline process. */
  concurrency: number;
  /** This worker's name in job records and `queue status`, e.g. "render-07:4242". */
  name: string;
  /** Starts one pipeline process (the daemon's `reconstructInChildProcess`, or a test double). */
  startPipeline: () => ChildProcessReconstruct;
  /** How long a job's lock lives without renewal: a dead worker's job is taken over within 1–3× this, ms. Default 30000. */
  stalledAfterMs?: number;
  logger: Logger;
}

/** What a completed job returns (stored by BullMQ as the job's return value). */
export interface QueueJobResult {
  name: string;
  /** False when an earlier attempt had already published the outputs. */
  built: boolean;
  files: number;
  bytes: number;
  /** Compute and publish time on the worker, ms. */
  ms: number;
  worker: string;
}

export interface RunningQueueWorker {
  /** Stops taking jobs; waits for running ones unless `force` (they are then retried elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** Progress as stored on the job: the stage and the fraction of the whole job, 0..1. */
export interface QueueJobProgress {
  stage: StageName;
  fraction: number;
}

/** `${code}: ${message}`: BullMQ keeps only a message, and the producer's table wants the code back. */
function jobFailure(err: unknown): Error {
  const e = serializeError(err);
  const text = `${e.code}: ${e.message}${e.stage ? ` (stage ${e.stage})` : ""}`;
  return exitCodeForCode(e.code) !== 1 || e.code === "invalid_input" || e.code === "bad_job" ? new UnrecoverableError(text) : new Error(text);
}

/**
 * Starts taking jobs at once.
 *
 *   const worker = startQueueWorker({ redis, outRoot: "/mnt/heads", concurrency: 1, name, startPipeline, logger });
 *   process.once("SIGTERM", () => worker.close());
 */
export function startQueueWorker(options: QueueWorkerOptions): RunningQueueWorker {
  const { outRoot, logger, name } = options;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const stalledAfterMs = options.stalledAfterMs ?? 30_000;
  const idle: ChildProcessReconstruct[] = [];
  const lanes: ChildProcessReconstruct[] = [];

  const run = async (job: Job, data: QueueJobData): Promise<QueueJobResult> => {
    const started = Date.now();
    const jobId = job.id!;
    await sweepStaging(outRoot, jobId);
    const outDir = join(outRoot, data.name);
    // An earlier attempt published the outputs (and removed the staged photo) but died before
    // telling Redis: nothing to redo. Its key was checked against this job's when it ran.
    if (!data.rebuild && (await upToDate(outDir, data.key))) {
      await removeStagedInput(outRoot, data.input.file);
      return { name: data.name, built: false, files: 0, bytes: 0, ms: Date.now() - started, worker: name };
    }
    const photo = await readStagedInput(outRoot, data.input, data.producerOut);
    const key = await buildKey(photo, data.options);
    if (key !== data.key) {
      throw Object.assign(new Error("this worker runs different pipeline code from the producer (build keys differ): run the same porelight on every machine"), { code: "bad_job" });
    }
    let lane = idle.pop();
    if (!lane) lanes.push((lane = options.startPipeline()));
    try {
      let stage = "";
      const result = await lane(photo, data.options, {
        onProgress: (e) => {
          // One Redis write per stage, not per tile: progress is for people, round trips are for jobs.
          if (e.stage === stage) return;
          stage = e.stage;
          void job.updateProgress({ stage: e.stage, fraction: e.overallFraction } satisfies QueueJobProgress).catch(() => {});
        },
      });
      const files = await publishOutputs(outRoot, data.name, jobId, result, { key, photo: data.photo, options: data.options, builtAt: new Date().toISOString(), jobId, worker: name });
      await removeStagedInput(outRoot, data.input.file);
      return { name: data.name, built: true, files: files.length, bytes: files.reduce((a, f) => a + f.bytes, 0), ms: Date.now() - started, worker: name };
    } finally {
      idle.push(lane);
    }
  };

  const worker = new Worker(
    queueName,
    async (job: Job) => {
      try {
        return await run(job, parseJobData(job.data));
      } catch (err) {
        throw jobFailure(err);
      }
    },
    {
      connection: options.redis,
      name,
      concurrency: options.concurrency,
      lockDuration: stalledAfterMs,
      stalledInterval: stalledAfterMs,
      // Crashes (attempts) and lost workers (stalls) share one budget: MAX_ATTEMPTS runs in all.
      maxStalledCount: MAX_ATTEMPTS - 1,
      maxStartedAttempts: MAX_ATTEMPTS,
    },
  );

  worker.on("completed", (job, result: QueueJobResult) => {
    logger.info(`done ${job.id} → ${result.name}/ in ${(result.ms / 1000).toFixed(1)} s${result.built ? "" : " (already published by an earlier attempt)"}`);
    void countFinished(options.redis, queueName, name, "done").catch(() => {});
  });
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
    logger.warn(`${final ? "failed" : "will retry"} ${job.id} (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}): ${err.message}`);
    if (final) void countFinished(options.redis, queueName, name, "failed").catch(() => {});
  });
  worker.on("stalled", (jobId) => logger.warn(`job ${jobId} lost its worker; back in the queue`));
  // Connection errors repeat every retry while Redis is down: say so once per outage.
  let outage = false;
  worker.on("error", (err) => {
    if (outage) return;
    outage = true;
    logger.warn(`Redis error (${err.message}); jobs pause until it is back`);
  });
  options.redis.on("ready", () => {
    if (outage) logger.info("Redis is back; resuming");
    outage = false;
  });

  return {
    async close(force = false) {
      // Killing the pipeline processes first is what makes a forced stop immediate.
      if (force) await Promise.all(lanes.map((l) => l.close()));
      await worker.close(force);
      await Promise.all(lanes.map((l) => l.close()));
    },
  };
}
