/**
 * Runs the stages of one job in order: progress events (stage fraction and overall fraction
 * weighted by each stage's typical cost), cancellation between stages, per-stage wall time and
 * peak memory, and errors that name the stage they came from.
 *
 * Time and memory come from an injected `StageMeter`: the stage functions themselves never read a
 * clock, and what the meter measures goes only to timings.json, never into the deterministic outputs.
 */
import type { ProgressEvent, ReconstructHooks, StageName, StageTiming } from "../../types.ts";
import { STAGES } from "../../types.ts";

/** Wall clock and memory, read between stages only. */
export interface StageMeter {
  /** Milliseconds from an arbitrary origin. */
  now(): number;
  /** Peak resident set size of the process so far, bytes. */
  peakRssBytes(): number;
  /** CPU time of the process (user + system, all threads) from an arbitrary origin, milliseconds. */
  cpuMs?(): number;
}

/** A failure inside one stage: `stage` names it, `cause` is the original error. */
export class StageError extends Error {
  readonly code = "stage_failed";
  constructor(
    readonly stage: StageName,
    override readonly cause: unknown,
  ) {
    super(`${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "StageError";
  }
}

/** True for the error an aborted AbortSignal throws. */
export function isAbort(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === "AbortError";
}

/**
 * Errors the caller must see as they are (their class and `code` carry meaning: no face found,
 * invalid image...): they only get `stage` attached. Everything else is wrapped in StageError.
 */
function isTypedInputError(err: unknown): boolean {
  const e = err as { code?: unknown; exitCode?: unknown } | null;
  return typeof e?.code === "string" && typeof e?.exitCode === "number";
}

/** Reports progress within the running stage: fraction 0..1 and an optional message. */
export type StageProgress = (fraction: number, message?: string) => void;

export class StageRunner {
  private readonly total: number;
  private done = 0;
  readonly timings: StageTiming[] = [];

  /**
   * @param weights typical relative cost of each stage (any unit); stages not run count as 0
   * @param hooks the job's progress callback and abort signal
   * @param meter where time and memory come from
   */
  constructor(
    private readonly weights: Partial<Record<StageName, number>>,
    private readonly hooks: ReconstructHooks,
    private readonly meter: StageMeter,
  ) {
    this.total = STAGES.reduce((s, stage) => s + Math.max(0, weights[stage] ?? 0), 0) || 1;
  }

  private emit(stage: StageName, stageFraction: number, message?: string): void {
    if (!this.hooks.onProgress) return;
    const f = Math.min(1, Math.max(0, Number.isFinite(stageFraction) ? stageFraction : 0));
    const w = Math.max(0, this.weights[stage] ?? 0);
    const event: ProgressEvent = { stage, stageFraction: f, overallFraction: Math.min(1, (this.done + f * w) / this.total) };
    if (message) event.message = message;
    this.hooks.onProgress(event);
  }

  /**
   * Runs one stage: checks the signal first, reports 0 and 1, records time and peak memory, and
   * names the stage in any error (AbortErrors pass through untouched).
   */
  async run<T>(stage: StageName, work: (progress: StageProgress) => Promise<T> | T): Promise<T> {
    this.hooks.signal?.throwIfAborted();
    const start = this.meter.now();
    const cpuStart = this.meter.cpuMs?.();
    this.emit(stage, 0);
    let result: T;
    try {
      result = await work((fraction, message) => this.emit(stage, fraction, message));
    } catch (err) {
      if (isAbort(err) || err instanceof StageError) throw err;
      if (isTypedInputError(err)) {
        (err as { stage?: StageName }).stage ??= stage;
        throw err;
      }
      throw new StageError(stage, err);
    }
    const timing: StageTiming = { stage, ms: this.meter.now() - start, peakRssBytes: this.meter.peakRssBytes() };
    if (cpuStart !== undefined && this.meter.cpuMs) timing.cpuMs = this.meter.cpuMs() - cpuStart;
    this.timings.push(timing);
    this.emit(stage, 1);
    this.done += Math.max(0, this.weights[stage] ?? 0);
    return result;
  }
}
