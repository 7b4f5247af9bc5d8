/**
 * Parts of the face filled from themselves. The general hole fill interpolates whatever is seen
 * around a hole and tends to the skin prior; where a part's unseen texels are a few texels across
 * and lie against other parts, its pyramid's coarse levels and final smoothing reach beyond the
 * part. Here the same fill runs with only the part's seen texels as data, their median as the
 * prior and the part as the domain of its smoothing, and replaces the general fill there:
 * - the lips: the lens between open lips (unseen since unwrap's footprint test, issue 16) came
 *   out flat, paler and greyer than the lips; now it continues the upper lip from above and the
 *   lower from below and never reaches skin, teeth or the mouth;
 * - the lid skin (eyelids outside their margins' loops): the strip beside an open eye's margin
 *   whose footprint reaches into the eye is what a blink stretches over the closed eye; it
 *   continues the seen lid skin above and below, not the lashes, the brow, or what the loops
 *   enclose in the atlas (the skin that turns in toward the globe, and the eyeballs' own texels:
 *   sclera and iris);
 * - the lid margins (unwrap/lid-margin.ts): the lash line continues the seen lash line, so it
 *   stays dark at the margin only, open or closed.
 */
import { FACE_REGIONS, type RegionMaps } from "../../types.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { Grid } from "./grid.ts";
import { holeFill, type HoleFillOptions } from "./hole-fill.ts";

/** Region membership from which a texel is inside a part: the region maps' majority, as everywhere else (eval's lip measures, seen.ts' outliers). */
const PART_INSIDE = 0.5;

/**
 * The parts filled from themselves, each a 0/1 mask over the texels: the lips, the lid skin and
 * the lid margins (those present in `regions`); empty without region maps. `lid`: the lid skin's
 * mask when the caller has it (lidSkinMask).
 */
export function selfFilledParts(regions: RegionMaps | undefined, texels: number, lid = lidSkinMask(regions, texels)): Float32Array[] {
  if (!regions) return [];
  const w = regions.weights, margin = regions.lidMargin?.data;
  const lips = FACE_REGIONS.indexOf("lips");
  const parts = [
    mask(texels, (p) => w.data[p * w.channels + lips] >= PART_INSIDE),
    lid,
    mask(texels, (p) => margin !== undefined && margin[p] > 0),
  ];
  return parts.filter((m): m is Float32Array => m !== null);
}

/** The lid skin as a 0/1 mask: eyelids outside the margins' loops, the margins excluded; null without region maps or lid skin. */
export function lidSkinMask(regions: RegionMaps | undefined, texels: number): Float32Array | null {
  if (!regions) return null;
  const w = regions.weights, margin = regions.lidMargin?.data;
  const eyelids = FACE_REGIONS.indexOf("eyelids");
  const outside = margin ? outsideLoops(margin, w.width, w.height) : null;
  return mask(texels, (p) => w.data[p * w.channels + eyelids] >= PART_INSIDE && !(margin !== undefined && margin[p] > 0) && (!outside || outside[p] === 1));
}

/** Share from which a texel counts as fully seen (1 up to the interpolation's rounding). */
const FULLY_SEEN_SHARE = 0.999;

/**
 * The part whose fully seen texels give the unseen share of the others: the lid skin (`lid`,
 * lidSkinMask) and every texel whose share is below 1 (the upper lid's skin up to the brow that the blink stretches).
 */
export function shareFillPart(share: Float32Array, lid: Float32Array | null): Float32Array {
  return Float32Array.from(share, (s, p) => (s < FULLY_SEEN_SHARE || (lid !== null && lid[p] > 0) ? 1 : 0));
}

/**
 * A texel that stands for more skin than the photo saw (`share` < 1: the pretarsal skin an open eye
 * tucks under the fold, which a blink unrolls) keeps `share` of its colour and takes the rest from
 * the hole fill of `part`'s fully seen texels, in `filled`: the photo's colour there is the fold's
 * shaded underside, the crease and the lashes over a strip of the lid, not the lid's skin. Texels
 * where `notSample` is 1 (the upper lid's skin: in the fold's and the brow's shade, under the
 * lashes) keep their colour but are not part of that fill's data.
 */
export function unseenShareFill(filled: Float32Array, mixed: Float32Array, c1: Float32Array, share: Float32Array, part: Float32Array, grid: Grid, o: HoleFillOptions & { seenLevel: number }, notSample?: Float32Array): void {
  const fullySeen = Float32Array.from(c1, (c, p) => (share[p] >= FULLY_SEEN_SHARE && !(notSample && notSample[p] > 0) ? c : 0));
  const fromSeen = Float32Array.from(filled);
  fillPartFromItself(fromSeen, mixed, fullySeen, part, grid, o);
  const { channels } = grid;
  for (let p = 0; p < share.length; p++) {
    const s = share[p];
    if (!(s < FULLY_SEEN_SHARE) || !part[p]) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] = s * filled[p * channels + k] + (1 - s) * fromSeen[p * channels + k];
  }
}

/**
 * 1 on the texels reachable from the atlas's border without crossing a margin texel (4-connected
 * steps: the margins' 8-connected loops are closed to them), 0 on the margins and what their
 * loops enclose.
 */
export function outsideLoops(margin: Float32Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const queue: number[] = [];
  const visit = (p: number) => {
    if (out[p] || margin[p] > 0) return;
    out[p] = 1;
    queue.push(p);
  };
  for (let x = 0; x < width; x++) visit(x), visit((height - 1) * width + x);
  for (let y = 0; y < height; y++) visit(y * width), visit(y * width + width - 1);
  while (queue.length) {
    const p = queue.pop()!, x = p % width;
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < (height - 1) * width) visit(p + width);
  }
  return out;
}

/** 1 where `inside`, else 0; null where no texel is. */
function mask(texels: number, inside: (p: number) => boolean): Float32Array | null {
  const out = new Float32Array(texels);
  let any = false;
  for (let p = 0; p < texels; p++) if (inside(p)) (out[p] = 1), (any = true);
  return any ? out : null;
}

/**
 * Replaces, in `filled`, a part's not-fully-seen texels by the hole fill run on the part's seen
 * texels only: `mixed` and `c1` are the mirror fill's colour and confidence, `part` one of
 * selfFilledParts' masks. The fill keeps c1·mixed as the general one does, so seen texels keep
 * their data. No change when fewer of the part's texels than `minSeen` (a 4 × 4 patch: a median,
 * not a few stray texels) reach `seenLevel`: nothing to continue (a beard or a hand over the
 * mouth), and the general fill stands.
 */
export function fillPartFromItself(filled: Float32Array, mixed: Float32Array, c1: Float32Array, part: Float32Array, grid: Grid, o: HoleFillOptions & { seenLevel: number }, minSeen = 16): void {
  const { width, channels } = grid;
  // The fill runs on the part's bounding box only: nothing outside the part is data or domain.
  let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1, seen = 0, unseen = 0;
  for (let p = 0; p < part.length; p++) {
    if (!part[p]) continue;
    const x = p % width, y = (p - x) / width;
    (x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)), (y0 = Math.min(y0, y)), (y1 = Math.max(y1, y));
    if (c1[p] >= o.seenLevel) seen++;
    if (c1[p] < 1) unseen++;
  }
  if (seen < minSeen || unseen === 0) return;
  const box: Grid = { width: x1 - x0 + 1, height: y1 - y0 + 1, channels, covered: () => true };
  const m = box.width * box.height;
  const at = (q: number) => (y0 + Math.floor(q / box.width)) * width + x0 + (q % box.width);
  const boxPart = new Float32Array(m), partWeight = new Float32Array(m), boxMixed = new Float32Array(m * channels);
  for (let q = 0; q < m; q++) {
    const p = at(q);
    boxPart[q] = part[p];
    partWeight[q] = part[p] ? c1[p] : 0;
    for (let k = 0; k < channels; k++) boxMixed[q * channels + k] = mixed[p * channels + k];
  }
  const prior: number[] = [];
  const channel = new Float32Array(m);
  const priorWeights = Float32Array.from(partWeight, (v) => (v >= o.seenLevel ? v : 0));
  for (let k = 0; k < channels; k++) {
    for (let q = 0; q < m; q++) channel[q] = boxMixed[q * channels + k];
    prior.push(weightedMedian(channel, priorWeights));
  }
  const fromPart = holeFill(boxMixed, partWeight, prior, box, boxPart, o);
  for (let q = 0; q < m; q++) {
    const p = at(q);
    if (!boxPart[q] || c1[p] >= 1) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] = fromPart[q * channels + k];
  }
}
