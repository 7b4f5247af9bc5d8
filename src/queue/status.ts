/** `porelight queue status`: the queue's counts and, per worker, what it runs and has finished. */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { finishedByWorker } from "./queue-meta.ts";
import type { QueueJobProgress } from "./worker.ts";

export interface WorkerStatus {
  name: string;
  /** Connected to Redis now (false: only known from its counters). */
  connected: boolean;
  /** Client address as Redis sees it. */
  addr?: string;
  /** Jobs it is running: id, stage. */
  running: { jobId: string; stage: string | null }[];
  done: number;
  failed: number;
}

export interface QueueStatus {
  counts: { waiting: number; active: number; done: number; failed: number; delayed: number };
  workers: WorkerStatus[];
}

export async function queueStatus(queue: Queue, redis: Redis, queueName: string): Promise<QueueStatus> {
  const c = await queue.getJobCounts("waiting", "prioritized", "active", "completed", "failed", "delayed");
  const clients = await queue.getWorkers();
  const active = await queue.getActive();
  const finished = await finishedByWorker(redis, queueName);
  const byName = new Map<string, WorkerStatus>();
  const entry = (name: string) => {
    let w = byName.get(name);
    if (!w) byName.set(name, (w = { name, connected: false, running: [], done: 0, failed: 0 }));
    return w;
  };
  for (const client of clients) {
    // BullMQ names a named worker's connections "<queue client name>:w:<worker name>".
    const raw = client.rawname ?? "";
    const at = raw.indexOf(":w:");
    const w = entry(at >= 0 ? raw.slice(at + 3) : raw);
    w.connected = true;
    w.addr = client.addr;
  }
  for (const job of active) {
    const p = job.progress as Partial<QueueJobProgress> | number;
    entry(job.processedBy ?? "(unnamed)").running.push({ jobId: job.id!, stage: typeof p === "object" ? (p.stage ?? null) : null });
  }
  for (const [name, n] of finished) Object.assign(entry(name), n);
  return {
    counts: { waiting: c.waiting + c.prioritized, active: c.active, done: c.completed, failed: c.failed, delayed: c.delayed },
    workers: [...byName.values()].sort((a, b) => Number(b.connected) - Number(a.connected) || a.name.localeCompare(b.name)),
  };
}
