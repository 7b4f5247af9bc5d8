/** The checks every queue command starts with, in order: the URL, Redis answering, the job format. */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { DEFAULT_QUEUE_NAME } from "./job-format.ts";
import { checkQueueFormat } from "./queue-meta.ts";
import { connectRedis, parseQueueUrl, type QueueTarget } from "./redis.ts";

export interface OpenQueue {
  target: QueueTarget;
  redis: Redis;
  queue: Queue;
  queueName: string;
  close(): Promise<void>;
}

export interface OpenQueueOptions {
  /** Producers claim an unused queue for this job format; workers and status only check. */
  claim: boolean;
  connectionName: string;
  queueName?: string;
  timeoutMs?: number;
}

/** Throws QueueConfigError (exit 2) for a bad URL, an unreachable Redis or a foreign job format. */
export async function openQueue(url: string, options: OpenQueueOptions): Promise<OpenQueue> {
  const target = parseQueueUrl(url);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const redis = await connectRedis(target, { connectionName: options.connectionName, timeoutMs: options.timeoutMs });
  try {
    await checkQueueFormat(redis, queueName, target.display, options.claim);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queue = new Queue(queueName, { connection: redis });
  // After the first contact, commands wait through an outage (ioredis reconnects); callers that
  // want to say so listen on `redis` themselves. Unlistened, these would print a stack per retry.
  redis.on("error", () => {});
  queue.on("error", () => {});
  return {
    target,
    redis,
    queue,
    queueName,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
