/**
 * `porelight worker --queue redis://… --out <shared dir> [--concurrency N]`: takes photos queued by
 * `batch --queue` until stopped. Ctrl-C / SIGTERM lets running jobs finish; a second one stops at
 * once (those jobs go back to the queue for another worker). Exit 2 on bad configuration.
 */
import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { PIPELINE_MODULE } from "../../daemon/config.ts";
import { reconstructInChildProcess, type ChildProcessReconstruct } from "../../daemon/pipeline-process.ts";
import { openQueue } from "../../queue/open-queue.ts";
import { assertWritableDir } from "../../queue/shared-dir.ts";
import { startQueueWorker } from "../../queue/worker.ts";
import type { Logger } from "../../types.ts";
import { CliError } from "../errors.ts";
import { asCliError } from "../queue-batch.ts";

export interface WorkerFlags {
  queue: string;
  out: string;
  concurrency?: string;
  stalledAfter?: string;
  name?: string;
}

export interface WorkerDeps {
  /** One pipeline process (default: src/pipeline/reconstruct.ts, as the daemon runs it). */
  startPipeline: () => ChildProcessReconstruct;
  /** Resolves with "graceful" or "now" when the worker should stop (default: SIGINT/SIGTERM). */
  stopRequests: (onStop: (how: "graceful" | "now") => void) => void;
  stdout: { write(text: string): unknown };
}

/** Pipeline processes run this much nicer than the worker, so lock renewals are never starved into false "stalled" jobs. */
const PIPELINE_NICE = 5;

export const DEFAULT_WORKER_DEPS: WorkerDeps = {
  startPipeline: () => reconstructInChildProcess({ module: PIPELINE_MODULE, nice: PIPELINE_NICE }),
  stopRequests(onStop) {
    let asked = false;
    const handler = () => {
      onStop(asked ? "now" : "graceful");
      asked = true;
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  },
  stdout: process.stdout,
};

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} must be a whole number ${min}..${max} (got ${text})`, 2);
  return n;
}

/** Runs until stopped; throws CliError(2) on bad configuration before taking any job. */
export async function workerCommand(flags: WorkerFlags, deps: WorkerDeps = DEFAULT_WORKER_DEPS): Promise<void> {
  const concurrency = wholeNumber("--concurrency", flags.concurrency, 1, 1, 16);
  const stalledAfterS = wholeNumber("--stalled-after", flags.stalledAfter, 30, 1, 3600);
  const outRoot = resolve(flags.out);
  // A missing --out usually means the share is not mounted: creating it would fill the local disk.
  const info = await stat(outRoot).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`--out ${outRoot} is not an existing directory: is the shared storage mounted on this machine?`, 2);
  await asCliError(assertWritableDir(outRoot, "this worker"));
  const name = flags.name ?? `${hostname()}:${process.pid}`;
  const q = await asCliError(openQueue(flags.queue, { claim: false, connectionName: `porelight-worker:${name}` }));
  const say = (level: string) => (message: string) => void deps.stdout.write(`${new Date().toISOString()} ${level} ${message}\n`);
  const logger: Logger = { debug() {}, info: say("info"), warn: say("warn") };
  await q.queue.close(); // the worker opens its own BullMQ connections
  const worker = startQueueWorker({ redis: q.redis, queueName: q.queueName, outRoot, concurrency, name, startPipeline: deps.startPipeline, stalledAfterMs: stalledAfterS * 1000, logger });
  deps.stdout.write(`porelight worker ${name}: taking jobs from ${q.target.display} (queue "${q.queueName}"), writing to ${outRoot}, concurrency ${concurrency}\n`);
  await new Promise<void>((done) => {
    deps.stopRequests((how) => {
      logger.info(how === "graceful" ? "stopping after the running jobs (again to stop now)" : "stopping now; running jobs go back to the queue");
      void worker.close(how === "now").then(done, done);
    });
  });
  q.redis.disconnect();
}

export function register(program: Command): void {
  program
    .command("worker")
    .description("take photos queued by `batch --queue` and build them into the shared --out (docs/queue.md)")
    .requiredOption("--queue <url>", "the Redis holding the queue: redis://host:6379[/db]")
    .requiredOption("--out <dir>", "the shared output directory, as mounted on this machine (the producer's --out)")
    .option("--concurrency <n>", "jobs computed at once, each in its own pipeline process (default 1)")
    .option("--stalled-after <s>", "seconds without a sign of life before a job is given to another worker (default 30)")
    .option("--name <name>", "this worker's name in `queue status` (default host:pid)")
    .addHelpText("after", "\nExit codes: 0 stopped, 2 bad configuration (URL, Redis unreachable, --out not writable, incompatible queue).")
    .action(async (flags: WorkerFlags) => {
      await workerCommand(flags);
    });
}
