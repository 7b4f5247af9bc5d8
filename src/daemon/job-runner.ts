/**
 * The queue: jobs wait in submission order, one computes at a time, at most `queueLimit` wait.
 * The runner calls the pipeline through the injected `ReconstructFn`, turns its progress into
 * job state and events, and stores the outputs. Cancelling aborts the hook's AbortSignal.
 */
import { EventEmitter } from "node:events";
import type { Logger, ProgressEvent, StageName } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";
import type { JobState, ProgressPayload } from "./api.ts";
import { isFinalState } from "./api.ts";
import { HttpError, jobErrorInfo, serializeError, isAbortError } from "./http-error.ts";
import type { JobRecord, JobStore } from "./job-store.ts";
import type { ReconstructFn } from "./pipeline-loader.ts";

export type JobEvent = { type: "job"; record: JobRecord } | { type: "progress"; progress: ProgressPayload } | { type: "end"; record: JobRecord };

export interface JobRunnerOptions {
  queueLimit: number;
  logger?: Logger;
  /** Minimum interval between two progress events of one job, ms (stage changes always go out). */
  progressIntervalMs?: number;
}

/** Why a running job was aborted: the user cancelled it, or the daemon is shutting down. */
type AbortReason = "cancel" | "shutdown";

/** Used for Retry-After until some jobs have finished. */
const DEFAULT_JOB_SECONDS = 30;
/** How often a running job's record is rewritten between stage changes, so a crash can tell when it was last seen. */
const HEARTBEAT_MS = 10_000;

export class JobRunner {
  private readonly queue: string[] = [];
  private current: { id: string; controller: AbortController; done: Promise<void> } | null = null;
  private readonly events = new EventEmitter();
  private readonly recentRunMs: number[] = [];
  private closed = false;
  private readonly logger: Logger;
  private readonly progressIntervalMs: number;

  constructor(
    private readonly store: JobStore,
    private readonly reconstruct: ReconstructFn,
    private readonly options: JobRunnerOptions,
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.events.setMaxListeners(0);
  }

  /** Re-queues jobs that were waiting when the daemon last stopped (oldest first). */
  resume(): void {
    for (const record of this.store.list()) if (record.state === "queued") this.queue.push(record.id);
    this.pump();
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  get runningCount(): number {
    return this.current ? 1 : 0;
  }

  /** Position of a queued job (0 = next), or null. */
  queuePosition(id: string): number | null {
    const i = this.queue.indexOf(id);
    return i < 0 ? null : i;
  }

  /** Seconds a client should wait before retrying a refused submission. */
  retryAfterSeconds(): number {
    const avgMs = this.recentRunMs.length ? this.recentRunMs.reduce((a, b) => a + b, 0) / this.recentRunMs.length : DEFAULT_JOB_SECONDS * 1000;
    return Math.min(3600, Math.max(1, Math.ceil(avgMs / 1000)));
  }

  /** Submissions accepted by `reserve` but not yet enqueued (their record is being written: milliseconds). */
  private reserved = 0;

  /**
   * Throws 429 when no job can be added now. Cheap: call it before reading an upload, and again
   * (through `reserve`) once the photo is in. Only jobs count, never uploads still arriving: a
   * slow client must not hold a place it may never use (uploads have their own cap, UploadGate).
   */
  assertCapacity(): void {
    if (this.closed) throw new HttpError(503, "shutting_down", "the daemon is shutting down");
    const waiting = this.queue.length + this.reserved;
    if (this.runningCount + waiting >= this.options.queueLimit + 1) {
      throw new HttpError(429, "queue_full", `${waiting} jobs are already waiting (limit ${this.options.queueLimit}); retry later`, {
        "Retry-After": String(this.retryAfterSeconds()),
      });
    }
  }

  /**
   * Holds a place in the queue while a checked submission is being stored, so concurrent stores
   * cannot overfill it. Returns `enqueue(id)` (uses the place) and `release()` (gives it back); call one.
   */
  reserve(): { enqueue(id: string): void; release(): void } {
    this.assertCapacity();
    this.reserved++;
    let held = true;
    const release = () => {
      if (held) this.reserved--;
      held = false;
    };
    return {
      enqueue: (id) => {
        release();
        this.queue.push(id);
        this.pump();
      },
      release,
    };
  }

  /** Listens to one job's events; returns the function that stops listening. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  private emit(id: string, event: JobEvent): void {
    this.events.emit(id, event);
  }

  /**
   * Cancels a job: a queued one leaves the queue, a running one is aborted and awaited.
   * Returns the record afterwards (unchanged when the job had already finished).
   */
  async cancel(id: string): Promise<JobRecord | undefined> {
    const record = this.store.get(id);
    if (!record) return undefined;
    const at = this.queue.indexOf(id);
    if (at >= 0) {
      this.queue.splice(at, 1);
      await this.finish(id, { state: "cancelled" });
    } else if (this.current?.id === id) {
      this.current.controller.abort("cancel" satisfies AbortReason);
      await this.current.done;
    }
    return this.store.get(id);
  }

  /** Stops taking jobs; a running job is aborted and recorded as interrupted. Queued jobs stay queued on disk. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    if (this.current) {
      this.current.controller.abort("shutdown" satisfies AbortReason);
      await this.current.done;
    }
    await this.store.flush();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const id = this.queue.shift();
    if (!id) return;
    const controller = new AbortController();
    const done = this.run(id, controller)
      // run() records its own failures; this only catches the store itself failing (disk full...).
      .catch((err) => this.logger.warn(`job ${id}: cannot record the outcome: ${(err as Error).message}`))
      .finally(() => {
        this.current = null;
        this.pump();
      });
    this.current = { id, controller, done };
  }

  private async run(id: string, controller: AbortController): Promise<void> {
    const started = Date.now();
    let stage: StageName | null = null;
    let stageStarted = started;
    let lastProgressAt = 0;
    const stageMs: JobRecord["stageMs"] = {};
    let persistedAt = started;
    const closeStage = (now: number) => {
      if (stage) stageMs[stage] = (stageMs[stage] ?? 0) + (now - stageStarted);
    };
    try {
      const startedAt = new Date(started).toISOString();
      const record = await this.store.update(id, { state: "running", startedAt, lastSeenAt: startedAt, stage: null, percent: 0 });
      this.emit(id, { type: "job", record });
      const photo = await this.store.readPhoto(id);
      const onProgress = (event: ProgressEvent) => {
        if (controller.signal.aborted) return;
        const now = Date.now();
        const percent = Math.round(Math.min(1, Math.max(0, event.overallFraction)) * 1000) / 10;
        const lastSeenAt = new Date(now).toISOString();
        if (event.stage !== stage) {
          closeStage(now);
          stage = event.stage;
          stageStarted = now;
          persistedAt = now;
          void this.store.update(id, { stage, percent, stageMs: { ...stageMs }, lastSeenAt }).then((r) => this.emit(id, { type: "job", record: r }), () => {});
        } else if (now - persistedAt >= HEARTBEAT_MS) {
          persistedAt = now;
          void this.store.update(id, { percent, lastSeenAt }).catch(() => {});
        } else {
          this.store.touch(id, { percent });
        }
        if (now - lastProgressAt >= this.progressIntervalMs || event.stageFraction >= 1) {
          lastProgressAt = now;
          const progress: ProgressPayload = { stage: event.stage, stageFraction: event.stageFraction, overallFraction: event.overallFraction, percent };
          if (event.message) progress.message = event.message;
          this.emit(id, { type: "progress", progress });
        }
      };
      const result = await this.reconstruct(new Uint8Array(photo.buffer, photo.byteOffset, photo.byteLength), record.options, {
        onProgress,
        signal: controller.signal,
        logger: this.logger,
      });
      controller.signal.throwIfAborted();
      const files = await this.store.writeOutputs(id, result.files);
      closeStage(Date.now());
      this.recentRunMs.push(Date.now() - started);
      if (this.recentRunMs.length > 10) this.recentRunMs.shift();
      await this.finish(id, { state: "done", percent: 100, files, stageMs });
    } catch (err) {
      closeStage(Date.now());
      const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : null;
      if (reason === "shutdown") {
        await this.finish(id, { state: "interrupted", stageMs, error: { code: "interrupted", message: "the daemon was shut down while this job was computing; submit it again", status: 503 } });
      } else if (reason === "cancel" || isAbortError(err)) {
        await this.finish(id, { state: "cancelled", stageMs });
      } else {
        const error = serializeError(err);
        if (!error.stage && stage) error.stage = stage;
        this.logger.warn(`job ${id} failed${error.stage ? ` in ${error.stage}` : ""}: ${error.code}: ${error.message}`);
        await this.finish(id, { state: "failed", stageMs, error: jobErrorInfo(error) });
      }
    }
  }

  private async finish(id: string, patch: Partial<JobRecord> & { state: JobState }): Promise<void> {
    if (!isFinalState(patch.state)) throw new Error(`finish() with non-final state ${patch.state}`);
    const record = await this.store.update(id, { ...patch, finishedAt: new Date().toISOString() });
    this.emit(id, { type: "end", record });
  }
}
