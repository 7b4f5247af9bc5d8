/**
 * Manifest shape shared by the built-in graph estimators (δ per-texel part, ψ, ρ, σ): per-texel
 * (scale 1), NCHW (see graph-kit.ts), tiles of 1536 input pixels, overlap 2 × receptive field + a blend ramp.
 */
import type { EstimatorManifest, EstimatorStage, TensorSpec } from "../types.ts";

/** Inference tile of the built-in graphs, texels (docs/design.md §1). */
export const BUILTIN_INFERENCE_PATCH = 1536;
/** Width of the cross-fade in each tile overlap, texels. */
export const BUILTIN_BLEND = 16;

export function builtinManifest(
  name: string,
  stage: EstimatorStage,
  inputs: TensorSpec[],
  outputs: TensorSpec[],
  receptiveField: number,
): EstimatorManifest {
  return {
    version: 1,
    name,
    stage,
    model: `builtin:${name}`,
    inputs,
    outputs,
    scale: 1,
    // Not trained; the field is informational. The training patch of docs/design.md §1 for drop-in models.
    trainingPatch: 512,
    inferencePatch: BUILTIN_INFERENCE_PATCH,
    overlap: 2 * receptiveField + BUILTIN_BLEND,
    receptiveField,
    layout: "nchw",
  };
}

/** Rounds a parameter so that nearby jobs share one built graph (and one cached session). */
export function quantise(value: number, significantDigits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(significantDigits));
}
