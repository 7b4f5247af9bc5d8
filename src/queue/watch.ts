/**
 * Following a queued build from the producer's side (`batch --queue --wait`): polls the build's
 * own jobs until each has completed or failed. Polling rather than BullMQ's event stream, because
 * a poll simply resumes after a Redis restart and cannot miss an event trimmed from a stream.
 */
import type { Job, Queue } from "bullmq";
import { setTimeout as sleep } from "node:timers/promises";
import type { SerializedError } from "../daemon/http-error.ts";
import type { StageName } from "../types.ts";
import type { QueueJobProgress, QueueJobResult } from "./worker.ts";

export interface FinishedJob {
  jobId: string;
  state: "completed" | "failed";
  result?: QueueJobResult;
  error?: SerializedError;
  /** Worker that finished it. */
  worker?: string;
  /** Runs started (more than 1 after a lost worker or a retried crash). */
  attempts: number;
}

export interface WatchHooks {
  onFinished?: (job: FinishedJob) => void;
  /** After each poll: jobs finished, and the sum of the running jobs' fractions (0..1 each). */
  onProgress?: (finished: number, runningFraction: number, active: { jobId: string; stage: StageName | null }[]) => void;
  signal?: AbortSignal;
}

/** "no_face_found: no face … (stage capture)" → its parts; anything else is an internal error. */
export function parseFailure(reason: string | undefined): SerializedError {
  const m = /^([a-z][a-z0-9_]*): ([\s\S]*?)(?: \(stage (\w+)\))?$/.exec(reason ?? "");
  if (!m) return { name: "Error", code: "internal", message: reason || "failed without a reason" };
  return m[3] ? { name: "Error", code: m[1], message: m[2], stage: m[3] as StageName } : { name: "Error", code: m[1], message: m[2] };
}

function finished(job: Job): FinishedJob | null {
  // Unfinished, or failed once and waiting for its retry (failedReason set, no finishedOn).
  if (!job.finishedOn) return null;
  const base = { jobId: job.id!, worker: job.processedBy, attempts: job.attemptsStarted || job.attemptsMade };
  // A job that failed, was retried and then completed keeps its old failedReason: the return value decides.
  if (job.returnvalue !== null && job.returnvalue !== undefined) return { ...base, state: "completed", result: job.returnvalue as QueueJobResult };
  return { ...base, state: "failed", error: parseFailure(job.failedReason) };
}

/**
 * Resolves when every job in `jobIds` has finished (or the signal aborts: then with those that did).
 * A job removed from Redis under the producer's feet counts as failed.
 */
export async function watchJobs(queue: Queue, jobIds: string[], hooks: WatchHooks = {}): Promise<Map<string, FinishedJob>> {
  const done = new Map<string, FinishedJob>();
  const missing = new Map<string, number>();
  let pending = [...jobIds];
  while (pending.length > 0 && !hooks.signal?.aborted) {
    const jobs = await Promise.all(pending.map((id) => queue.getJob(id)));
    let runningFraction = 0;
    const active: { jobId: string; stage: StageName | null }[] = [];
    jobs.forEach((job, i) => {
      const id = pending[i];
      if (!job) {
        // Three polls in a row: a restarting Redis replays its log before it answers, so one miss is not proof.
        missing.set(id, (missing.get(id) ?? 0) + 1);
        if (missing.get(id)! >= 3) done.set(id, { jobId: id, state: "failed", attempts: 0, error: { name: "Error", code: "job_vanished", message: "the job was removed from the queue before it finished" } });
      } else {
        missing.delete(id);
        const end = finished(job);
        if (end) done.set(id, end);
        else if (job.processedOn) {
          const p = job.progress as Partial<QueueJobProgress> | number;
          runningFraction += typeof p === "object" && typeof p.fraction === "number" ? p.fraction : 0;
          active.push({ jobId: id, stage: typeof p === "object" ? (p.stage ?? null) : null });
        }
      }
      if (done.has(id)) hooks.onFinished?.(done.get(id)!);
    });
    pending = pending.filter((id) => !done.has(id));
    hooks.onProgress?.(done.size, runningFraction, active);
    // Poll less often for big builds (every pending job is one HGETALL per poll): at most ~500 reads/s.
    if (pending.length > 0) await sleep(Math.max(500, pending.length * 2), undefined, { signal: hooks.signal }).catch(() => {});
  }
  return done;
}
