/**
 * The smooth fill of what neither the photo nor the mirror gives: push-pull toward the skin prior,
 * membrane relaxation, then a final smoothing of the texels that are mostly fill.
 */
import { weightedBlur } from "../../image/box-blur.ts";
import { pushPullFill, relaxMembrane } from "../../image/push-pull.ts";
import type { Grid } from "./grid.ts";
import { mapF32 } from "../../primitives/typed-array.ts";

/** The options the hole fill reads (CompleteOptions' fields of the same names). */
export interface HoleFillOptions {
  priorWeight: number;
  pushPullTrust: number;
  smoothIterations: number;
  fillSmoothSigma: number;
  fillSmoothBelow: number;
}

/** Hole fill toward the prior, then membrane smoothing and a final Gaussian smoothing of the filled texels inside the islands. */
export function holeFill(mixed: Float32Array, c1: Float32Array, skinPrior: number[], grid: Grid, coverage: Float32Array | undefined, o: HoleFillOptions): Float32Array {
  const { width, height, channels } = grid;
  const filled = pushPullFill(mixed, c1, width, height, channels, { prior: skinPrior, priorWeight: o.priorWeight, trustFraction: o.pushPullTrust });
  relaxMembrane(mixed, filled, c1, width, height, channels, o.smoothIterations, coverage);
  for (let i = 0; i < filled.length; i++) if (!(filled[i] >= 0)) filled[i] = 0; // negatives/NaN cannot arise from convex blends; guard anyway
  smoothFilled(filled, c1, width, height, channels, o.fillSmoothSigma, o.fillSmoothBelow, coverage);
  return filled;
}

/**
 * Blends texels that are mostly fill (confidence < `below`) toward a coverage-weighted Gaussian blur
 * of the result, in place: the push-pull pyramid leaves block-aligned kinks and the mirror
 * fill's edges leave steps that a 30-sweep membrane cannot reach across; seen texels keep their data.
 */
function smoothFilled(filled: Float32Array, conf: Float32Array, width: number, height: number, channels: number, sigma: number, below: number, coverage?: Float32Array): void {
  if (!(sigma > 0)) return;
  const inside = coverage ? mapF32(coverage, (v) => (v > 0.5 ? 1 : 0)) : new Float32Array(conf.length).fill(1);
  const { values } = weightedBlur(filled, channels, inside, width, height, sigma);
  for (let p = 0; p < conf.length; p++) {
    // Confidence is a soft trust (facing ratio): only texels mostly filled are smoothed, so seen detail stays sharp.
    // conf / below is exactly 4·conf at the default 0.25 (a power of two).
    const t = inside[p] ? Math.max(0, 1 - conf[p] / below) : 0;
    if (t <= 0) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] += t * (values[p * channels + k] - filled[p * channels + k]);
  }
}
