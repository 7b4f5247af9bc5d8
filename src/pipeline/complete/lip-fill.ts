/**
 * The lips' unseen texels filled from the lips alone. The general hole fill interpolates whatever
 * is seen around a hole and tends to the skin prior; the lens between the lips of an open mouth
 * (unseen since unwrap's footprint test, issue 16) is a few texels tall, its rim is dropped as the
 * edge of a broad unseen area (seen.ts erodeRim), and the pyramid's coarse levels and the final
 * smoothing reach the skin beyond the vermilion: the lens came out flat, paler and greyer than the
 * lips. Here the same fill runs with only the seen lip texels as data, the lips' own median as the
 * prior and the lip region as the domain of its smoothing, so the lens continues the upper lip's
 * colour from above and the lower lip's from below and never reaches skin, teeth or the mouth.
 */
import { FACE_REGIONS, type RegionMaps } from "../../types.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { Grid } from "./grid.ts";
import { holeFill, type HoleFillOptions } from "./hole-fill.ts";

/** Lip membership from which a texel is inside the lips: the region maps' majority, as everywhere else (eval's lip measures, seen.ts' outliers). */
const LIPS_INSIDE = 0.5;

/** 1 inside the lips (region "lips" ≥ LIPS_INSIDE), else 0; null without region maps or lips. */
export function lipsInside(regions: RegionMaps | undefined, texels: number): Float32Array | null {
  if (!regions) return null;
  const w = regions.weights, ch = FACE_REGIONS.indexOf("lips");
  const inside = new Float32Array(texels);
  let any = false;
  for (let p = 0; p < texels; p++) if (w.data[p * w.channels + ch] >= LIPS_INSIDE) (inside[p] = 1), (any = true);
  return any ? inside : null;
}

/**
 * Replaces, in `filled`, the lips' not-fully-seen texels by the hole fill run on the seen lips only:
 * `mixed` and `c1` are the mirror fill's colour and confidence, `lips` lipsInside's mask. The fill
 * keeps c1·mixed as the general one does, so seen lips keep their data. No change when fewer lip
 * texels than `minSeen` (a 4 × 4 patch: a median, not a few stray texels) reach `seenLevel`: no lips
 * to continue (a beard or a hand over the mouth), and the general fill stands.
 */
export function fillLipsFromLips(filled: Float32Array, mixed: Float32Array, c1: Float32Array, lips: Float32Array, grid: Grid, o: HoleFillOptions & { seenLevel: number }, minSeen = 16): void {
  const { width, channels } = grid;
  // The fill runs on the lips' bounding box only: nothing outside the lips is data or domain.
  let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1, seen = 0, unseen = 0;
  for (let p = 0; p < lips.length; p++) {
    if (!lips[p]) continue;
    const x = p % width, y = (p - x) / width;
    (x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)), (y0 = Math.min(y0, y)), (y1 = Math.max(y1, y));
    if (c1[p] >= o.seenLevel) seen++;
    if (c1[p] < 1) unseen++;
  }
  if (seen < minSeen || unseen === 0) return;
  const box: Grid = { width: x1 - x0 + 1, height: y1 - y0 + 1, channels, covered: () => true };
  const m = box.width * box.height;
  const at = (q: number) => (y0 + Math.floor(q / box.width)) * width + x0 + (q % box.width);
  const boxLips = new Float32Array(m), lipWeight = new Float32Array(m), boxMixed = new Float32Array(m * channels);
  for (let q = 0; q < m; q++) {
    const p = at(q);
    boxLips[q] = lips[p];
    lipWeight[q] = lips[p] ? c1[p] : 0;
    for (let k = 0; k < channels; k++) boxMixed[q * channels + k] = mixed[p * channels + k];
  }
  const prior: number[] = [];
  const channel = new Float32Array(m);
  const priorWeights = Float32Array.from(lipWeight, (v) => (v >= o.seenLevel ? v : 0));
  for (let k = 0; k < channels; k++) {
    for (let q = 0; q < m; q++) channel[q] = boxMixed[q * channels + k];
    prior.push(weightedMedian(channel, priorWeights));
  }
  const fromLips = holeFill(boxMixed, lipWeight, prior, box, boxLips, o);
  for (let q = 0; q < m; q++) {
    const p = at(q);
    if (!boxLips[q] || c1[p] >= 1) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] = fromLips[q * channels + k];
  }
}
