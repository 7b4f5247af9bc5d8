/**
 * The producer side of a queued build: one BullMQ job per photo whose outputs are not up to date.
 * The job id is derived from the output name and the build key, so a photo already waiting or
 * running is not queued twice, and a re-run of an unchanged build queues nothing at all.
 */
import type { Queue } from "bullmq";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { buildKey, upToDate } from "../io/build-record.ts";
import { loadPhoto } from "../io/head-files.ts";
import { serializeError, type SerializedError } from "../daemon/http-error.ts";
import type { ReconstructOptions } from "../types.ts";
import { JOB_FORMAT_VERSION, MAX_ATTEMPTS, type QueueJobData } from "./job-format.ts";
import { sha256Hex, stageInput, stagedInputName } from "./shared-dir.ts";

export interface EnqueueOptions {
  /** The shared output directory, as mounted on the producer. */
  outRoot: string;
  options: ReconstructOptions;
  /** Largest accepted photo, decoded pixels. */
  maxPixels: number;
  /** Queue even photos whose outputs are up to date. */
  force?: boolean;
  /** Called after each photo is decided (progress for the person waiting). */
  onPhoto?: (entry: EnqueuedPhoto) => void;
}

export interface EnqueuedPhoto {
  photo: string;
  name: string;
  jobId: string | null;
  /** queued: added now; pending: already waiting or running; skipped: up to date; rejected: unreadable here. */
  status: "queued" | "pending" | "skipped" | "rejected";
  error?: SerializedError;
}

const LIVE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

/** Readable and unique per (output, build): the same photo into the same place is the same job. */
export function queueJobId(name: string, key: string): string {
  return `${name.slice(0, 64)}~${createHash("sha256").update(`${name}\0${key}`).digest("hex").slice(0, 20)}`;
}

/**
 * Decides and queues each photo in turn (`names`: output directory name per photo path).
 *
 *   const entries = await enqueuePhotos(queue, photos, outputNames(photos), { outRoot, options, maxPixels });
 */
export async function enqueuePhotos(queue: Queue, photos: string[], names: Map<string, string>, opts: EnqueueOptions): Promise<EnqueuedPhoto[]> {
  const entries: EnqueuedPhoto[] = [];
  for (const photo of photos) {
    const name = names.get(photo)!;
    const entry = await enqueueOne(queue, photo, name, opts);
    entries.push(entry);
    opts.onPhoto?.(entry);
  }
  return entries;
}

async function enqueueOne(queue: Queue, photo: string, name: string, opts: EnqueueOptions): Promise<EnqueuedPhoto> {
  let png: Uint8Array;
  try {
    png = (await loadPhoto(photo, opts.maxPixels)).accepted.png;
  } catch (err) {
    // A photo this machine cannot read would fail on every worker too: report it, queue nothing.
    return { photo, name, jobId: null, status: "rejected", error: serializeError(err) };
  }
  const key = await buildKey(png, opts.options);
  const jobId = queueJobId(name, key);
  if (!opts.force && (await upToDate(join(opts.outRoot, name), key))) return { photo, name, jobId, status: "skipped" };
  const existing = await queue.getJob(jobId);
  if (existing) {
    if (LIVE_STATES.has(await existing.getState())) return { photo, name, jobId, status: "pending" };
    // Finished before, yet not up to date (failed, outputs since removed, or --force): run it again.
    await existing.remove();
  }
  const file = stagedInputName(jobId);
  await stageInput(opts.outRoot, file, png);
  const data: QueueJobData = {
    format: JOB_FORMAT_VERSION,
    name,
    photo,
    input: { file, sha256: sha256Hex(png), bytes: png.byteLength },
    options: opts.options,
    key,
    producerOut: opts.outRoot,
    ...(opts.force ? { rebuild: true } : {}),
  };
  await queue.add("reconstruct", data, {
    jobId,
    attempts: MAX_ATTEMPTS,
    backoff: { type: "exponential", delay: 2000 },
    // Finished jobs stay a week for `--wait` and `queue status`; the outputs' build records are the lasting truth.
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  return { photo, name, jobId, status: "queued" };
}
