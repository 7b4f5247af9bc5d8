/**
 * What completion trusts of the photo texture: the seen weight per texel (its rim along broad
 * unseen areas dropped), the skin prior the fill tends to, and the seen texels of regions that
 * often show something else (collars, hair over the ears) that are not skin-coloured.
 */
import { chamferDistance } from "../../image/chamfer-distance.ts";
import { luminance } from "../../primitives/color.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32, type RegionMaps } from "../../types.ts";
import type { Grid } from "./grid.ts";

/** The options the seen weights read (CompleteOptions' fields of the same names). */
export interface SeenOptions {
  minConfidence: number;
  seenLevel: number;
  rimWidth: number;
  rimOpening: number;
}

/**
 * Regions whose unseen texels are not occlusion edges: the eye openings, which unwrap cuts at
 * each texel's footprint and the lid line's error (unwrap/photo-openings.ts), so the seen lid
 * skin and margins beside them hold no straddling samples and keep their rim.
 */
const CUT_BY_FOOTPRINT: FaceRegion[] = ["eyelids"];

/** Regions whose colour is not the skin tone the prior should hold. */
const NOT_SKIN_PRIOR: FaceRegion[] = ["lips", "brows", "eyelids", "scalp"];

/** Per texel, how much it is skin usable for the prior (1 − memberships of NOT_SKIN_PRIOR regions). */
export function skinPriorMask(regions: RegionMaps | undefined, texels: number): Float32Array {
  const mask = new Float32Array(texels).fill(1);
  if (!regions) return mask;
  const w = regions.weights;
  const chans = NOT_SKIN_PRIOR.map((r) => FACE_REGIONS.indexOf(r));
  for (let p = 0; p < texels; p++) {
    let s = 0;
    for (const c of chans) s += w.data[p * w.channels + c];
    mask[p] = Math.max(0, 1 - s);
  }
  return mask;
}

/**
 * Seen weight per texel (the confidence where it and the texel are finite, inside an island and
 * at least minConfidence), with the counts of covered and well-seen texels. Throws when none is seen.
 * The rim is dropped along broad unseen areas other than the CUT_BY_FOOTPRINT regions'.
 */
export function seenWeights(texture: ImageF32, confidence: ImageF32, grid: Grid, o: SeenOptions, regions?: RegionMaps): { c: Float32Array; seenCount: number; coveredCount: number } {
  const { channels, covered } = grid;
  const n = grid.width * grid.height;
  const T = texture.data;
  const c = new Float32Array(n);
  let seenCount = 0;
  let coveredCount = 0;
  for (let p = 0; p < n; p++) {
    const v = confidence.data[p];
    let finite = Number.isFinite(v);
    for (let k = 0; k < channels && finite; k++) finite = Number.isFinite(T[p * channels + k]);
    c[p] = finite && covered(p) && v >= o.minConfidence ? Math.min(1, v) : 0;
    if (covered(p)) coveredCount++;
    if (c[p] >= o.seenLevel) seenCount++;
  }
  if (o.rimWidth > 0) erodeRim(c, grid, o.rimWidth, o.rimOpening, cutByFootprint(regions, n));
  if (!c.some((v) => v > 0)) throw new Error(`complete: no texel is seen (every confidence is below ${o.minConfidence}); is the face visible in the photo?`);
  return { c, seenCount, coveredCount };
}

/** 1 where a texel's majority region is one of CUT_BY_FOOTPRINT, else 0; null without region maps. */
function cutByFootprint(regions: RegionMaps | undefined, texels: number): Uint8Array | null {
  if (!regions) return null;
  const w = regions.weights, chans = CUT_BY_FOOTPRINT.map((r) => FACE_REGIONS.indexOf(r));
  return Uint8Array.from({ length: texels }, (_, p) => (chans.reduce((s, k) => s + w.data[p * w.channels + k], 0) >= 0.5 ? 1 : 0));
}

/**
 * Drops (weight 0) each seen texel within `width` texels of a broad unseen area, in place: the seen
 * region is eroded along occlusion edges. Broad means what survives a morphological opening of
 * the unseen texels by `opening` texels: a speck, a glasses frame or a thin strand is a small hole
 * its neighbours fill, not an edge to cut back. Gutters are not unseen (an island's own edge is not
 * an occlusion edge), nor are the texels `notEdge` marks.
 */
function erodeRim(c: Float32Array, grid: Grid, width: number, opening: number, notEdge: Uint8Array | null): void {
  const { width: W, height: H, covered } = grid;
  const toSeen = chamferDistance(W, H, (p) => c[p] > 0);
  const toCore = chamferDistance(W, H, (p) => covered(p) && c[p] === 0 && toSeen[p] >= opening && !notEdge?.[p]);
  // A seen texel's distance to the opened area is its distance to the area's core minus `opening`.
  for (let p = 0; p < W * H; p++) if (c[p] > 0 && toCore[p] <= opening + width) c[p] = 0;
}

/** Skin prior: per channel, the weighted median of the well-seen skin texels (of every seen texel when no skin is seen). */
export function seenSkinPrior(T: Float32Array, c: Float32Array, grid: Grid, regions: RegionMaps | undefined, seenLevel: number): number[] {
  const { channels } = grid;
  const n = grid.width * grid.height;
  const skinMask = skinPriorMask(regions, n);
  const priorWeights = new Float32Array(n);
  for (let p = 0; p < n; p++) priorWeights[p] = c[p] >= seenLevel ? c[p] * skinMask[p] : 0;
  if (!priorWeights.some((v) => v > 0)) for (let p = 0; p < n; p++) priorWeights[p] = c[p];
  const skinPrior: number[] = [];
  const channel = new Float32Array(n);
  for (let k = 0; k < channels; k++) {
    for (let p = 0; p < n; p++) channel[p] = T[p * channels + k];
    skinPrior.push(weightedMedian(channel, priorWeights));
  }
  return skinPrior;
}

/**
 * Zeroes the weight of seen texels in `regions` (by majority membership) whose luminance, relative
 * to the prior's, is outside `range`, or whose chromaticity is farther than `maxChroma` from the
 * prior's. Returns how many.
 */
export function rejectOutliers(
  c: Float32Array,
  T: Float32Array,
  channels: number,
  prior: number[],
  regions: RegionMaps | undefined,
  names: FaceRegion[],
  range: [number, number],
  maxChroma: number,
): number {
  if (!regions || names.length === 0 || channels !== 3) return 0;
  const w = regions.weights;
  const idx = names.map((r) => FACE_REGIONS.indexOf(r));
  const lum = luminance;
  const pl = lum(prior[0], prior[1], prior[2]);
  if (!(pl > 0)) return 0;
  let count = 0;
  for (let p = 0; p < c.length; p++) {
    if (c[p] === 0) continue;
    let m = 0;
    for (const i of idx) m += w.data[p * w.channels + i];
    if (m < 0.5) continue;
    const r = T[p * 3], g = T[p * 3 + 1], b = T[p * 3 + 2];
    const l = lum(r, g, b);
    const ratio = l / pl;
    // Chromaticity distance: |rgb/lum − prior/lum_prior|, about 0.2 between light and dark skin.
    const d = l > 0 ? Math.hypot(r / l - prior[0] / pl, g / l - prior[1] / pl, b / l - prior[2] / pl) : Infinity;
    if (ratio < range[0] || ratio > range[1] || d > maxChroma) {
      c[p] = 0;
      count++;
    }
  }
  return count;
}
