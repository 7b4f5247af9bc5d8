/**
 * porelight's own keys beside BullMQ's (same `bull:<queue>:` prefix, so `obliterate` clears them
 * too): the job format the queue was created with, and per-worker done/failed counters that
 * `queue status` shows after the jobs themselves have been trimmed.
 */
import type { Redis } from "ioredis";
import { JOB_FORMAT_VERSION } from "./job-format.ts";
import { QueueConfigError } from "./redis.ts";

const formatKey = (queueName: string) => `bull:${queueName}:porelight:format`;
export const workerStatsKey = (queueName: string) => `bull:${queueName}:porelight:workers`;

/**
 * Refuses a queue created by a porelight with another job format. The producer claims an unused
 * queue (`claim`); a worker only checks, so starting workers first on an empty Redis is fine.
 */
export async function checkQueueFormat(redis: Redis, queueName: string, display: string, claim: boolean): Promise<void> {
  if (claim) await redis.set(formatKey(queueName), String(JOB_FORMAT_VERSION), "NX");
  const found = await redis.get(formatKey(queueName));
  if (found !== null && found !== String(JOB_FORMAT_VERSION)) {
    throw new QueueConfigError(
      `the queue "${queueName}" on ${display} holds jobs in format ${found}, this porelight reads format ${JOB_FORMAT_VERSION}: ` +
        `run the same porelight release on every machine, or use another queue database (redis://host:6379/<db>)`,
    );
  }
}

/** Counts one finished job for `worker` ("done" or "failed"). */
export async function countFinished(redis: Redis, queueName: string, worker: string, outcome: "done" | "failed"): Promise<void> {
  await redis.hincrby(workerStatsKey(queueName), `${worker}|${outcome}`, 1);
}

/** Per worker name: finished jobs by outcome. */
export async function finishedByWorker(redis: Redis, queueName: string): Promise<Map<string, { done: number; failed: number }>> {
  const raw = await redis.hgetall(workerStatsKey(queueName));
  const byWorker = new Map<string, { done: number; failed: number }>();
  for (const [field, value] of Object.entries(raw)) {
    const cut = field.lastIndexOf("|");
    const name = field.slice(0, cut);
    const entry = byWorker.get(name) ?? { done: 0, failed: 0 };
    if (field.slice(cut + 1) === "done") entry.done += Number(value);
    else entry.failed += Number(value);
    byWorker.set(name, entry);
  }
  return byWorker;
}
