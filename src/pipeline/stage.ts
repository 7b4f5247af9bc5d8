/**
 * The one shape every pipeline stage has: `stage(input, options, context)`.
 *
 * - `input`: the data the stage transforms (named fields, types from src/types.ts);
 * - `options`: the stage's documented tunables, merged with its `Required<>` defaults by
 *   `withDefaults` (the preset table only picks option values);
 * - `context`: what the edges lend the stage for one run — logger, abort signal, progress, and the
 *   estimators it may use. Nothing in `context` but the estimators (and capture's model runner,
 *   CaptureContext) changes what the stage computes; those are edges, not tunables, so they are
 *   lent here rather than picked by a preset. A per-texel stage runs `stageEstimator(context, stage)`
 *   (user manifests first), or its built-in graph when the context lends no registry.
 *
 *   export async function specular(input: SpecularInput, options: SpecularOptions = {}, context: StageContext = {}) {
 *     const o = withDefaults(SPECULAR_DEFAULTS, options);
 *     const log = loggerOf(context);
 *     const [out] = await runTiled(session, manifest, [input.albedo], tiledOf(context));
 */
import type { Estimator, EstimatorRegistry } from "../models/estimators.ts";
import type { EnsureModelOptions } from "../models/cache.ts";
import type { EstimatorStage, Logger } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";

/** What one run of a stage gets from its caller besides input and options. */
export interface StageContext {
  /** Debug and info messages; silent when absent (no console output from inside the pipeline). */
  logger?: Logger;
  /** Checked between steps (and between tiles); when aborted the stage rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Fraction of this stage done, 0..1, with an optional short message. */
  onProgress?: (fraction: number, message?: string) => void;
  /** The estimators the stage may run (user manifests override the built-ins). */
  estimators?: EstimatorRegistry;
  /** Passed to the model cache: a cold cache converts models on first use. */
  onModelProgress?: EnsureModelOptions["onProgress"];
}

/** The caller's options over the stage's defaults, `undefined` fields keeping theirs (src/options.ts). */
export { withDefaults } from "../options.ts";

/** The context's logger, or the silent one. */
export function loggerOf(context: StageContext | undefined): Logger {
  return context?.logger ?? SILENT_LOGGER;
}

/** Throws the signal's reason when it has been aborted. */
export function throwIfAborted(context: StageContext | undefined): void {
  context?.signal?.throwIfAborted();
}

/**
 * The estimator a per-texel stage runs: the registry's first for `stage` (user manifests override
 * the built-ins), or null — the stage's built-in graph — when the context lends no registry.
 */
export function stageEstimator(context: StageContext | undefined, stage: EstimatorStage): Estimator | null {
  return context?.estimators?.list(stage)[0] ?? null;
}

/** The context's signal and progress in the tiled engine's shape, progress mapped to `offset + share × f`. */
export function tiledOf(context: StageContext | undefined, offset = 0, share = 1): { signal?: AbortSignal; onProgress?: (fraction: number) => void } {
  const onProgress = context?.onProgress;
  return { signal: context?.signal, onProgress: onProgress ? (f) => onProgress(offset + share * f) : undefined };
}
