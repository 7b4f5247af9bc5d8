/**
 * complete: turn the partly seen UV texture into a full one (docs/design.md §1). Mirror fill through the
 * atlas' left/right symmetry with exposure matching, then smooth hole filling toward a skin prior
 * (the lips', the lid skin's and the lid margins' each from its own seen texels, complete/part-fill.ts;
 * the share of a texel's skin the photo did not see from its part's fully seen texels), then the gutters (texels outside every UV island): an averaged dilation of their own island for
 * the first rings, a smooth interpolation farther out (src/image/gutter.ts, method "smooth").
 */
import { FACE_REGIONS, type FaceRegion, type ImageF32, type RegionMaps } from "../types.ts";
import { fillGutters } from "../image/gutter.ts";
import { loggerOf, withDefaults, type StageContext } from "./stage.ts";
import type { Grid } from "./complete/grid.ts";
import { holeFill } from "./complete/hole-fill.ts";
import { fillPartFromItself, lidSkinMask, selfFilledParts, shareFillPart, unseenShareFill } from "./complete/part-fill.ts";
import { flipUMirror, mirrorExposureGain, mirrorFill } from "./complete/mirror.ts";
import { rejectOutliers, seenSkinPrior, seenWeights } from "./complete/seen.ts";
import { blendRimTone, obliqueRim } from "./complete/rim-tone.ts";
import { regionSum } from "./delight/maps.ts";
import { addSkinTexture } from "./complete/skin-texture.ts";
import { continueHeadTone } from "./complete/head-tone.ts";
import { f32Of, mapF32 } from "../primitives/typed-array.ts";

export interface CompleteInput {
  /** Texture to complete (any channel count; linear RGB for the photo texture T). */
  texture: ImageF32;
  /** 1 channel, 0..1: trust in each texel of `texture` (unwrap's confidence); 0 = not seen. */
  confidence: ImageF32;
  /** 1 channel: 1 inside UV islands, 0 in the gutters. Absent: every texel is inside an island. */
  coverage?: ImageF32;
  /** Per texel, the index of its mirror texel (−1 = none). Absent: u → 1 − u, the template atlas' symmetry. */
  mirrorTexel?: Int32Array;
  /** Region maps; the skin prior is taken from seen skin outside lips, brows, eyelids and scalp. */
  regions?: RegionMaps;
  /**
   * 1 channel, 0..1: the share of the skin a texel stands for that the photo saw (unwrap's
   * closedLidShare: the pretarsal skin an open eye tucks under the fold). The rest of such a texel
   * comes from the fully seen texels of its part (complete/part-fill.ts unseenShareFill). Absent:
   * every texel's share is 1.
   */
  seenShare?: ImageF32;
  /** 1 channel, 0/1: texels that keep their share but are no sample of the lid skin for the unseen share (unwrap's upperLidSkin). Absent: none. */
  notLidSample?: ImageF32;
}

export interface CompleteOptions {
  /** Confidence below which a texel counts as not seen, 0..1. */
  minConfidence?: number;
  /** Standard deviation of the low-pass used to match exposure between a region and its mirror, as a fraction of the map width. */
  gainSigma?: number;
  /** Blurred confidence both a texel and its mirror need for their gain to be measured, 0..1. */
  gainMinSupport?: number;
  /** Exposure gains are clamped to [1/maxGain, maxGain]. */
  maxGain?: number;
  /** Strength of the skin prior in the hole fill: it wins where less than this fraction of an area is seen. */
  priorWeight?: number;
  /** Gauss–Seidel sweeps of membrane smoothing over filled texels (removes the pyramid's kinks). */
  smoothIterations?: number;
  /** Gaussian σ, texels, of the final smoothing of filled texels (removes the pyramid's directional artefacts); 0 = none. */
  fillSmoothSigma?: number;
  /** Gaussian σ, texels, over which mirror-filled colour and its weight are smoothed (no hatching along island rims). */
  mirrorSmoothSigma?: number;
  /** Smoothed confidence at which a texel's own data is kept whole (below it, its mirror is blended in). */
  mirrorTrust?: number;
  /** Neighbourhood confidence (σ ≈ 1.4 texels) over which an unseen texel turns from mirror-filled to neighbour-filled (a small hole). */
  smallHoleSupport?: [number, number];
  /** Regions where seen texels far from the skin prior's colour are dropped as not skin (clothing, hair). */
  outlierRegions?: FaceRegion[];
  /** Luminance range, relative to the skin prior's, outside which such a texel is dropped. */
  outlierLuminance?: [number, number];
  /** Chromaticity distance |rgb/Y − prior/Y_prior| beyond which such a texel is dropped (about 0.2 separates light from dark skin). */
  outlierChromaticity?: number;
  /** Confidence from which a texel counts as well seen: for the skin prior, the seen/mirrored fractions and the small-hole test, 0..1. */
  seenLevel?: number;
  /** Gaussian σ, texels, of the confidence smoothing the mirror-blend weights are read from (blurPlane units; ≈ 1.4 texels at 1.5). */
  mirrorTrustSigma?: number;
  /** Push-pull trust fraction: a pyramid level's accumulated weight from which its own value is kept over the coarser level's, 0..1. */
  pushPullTrust?: number;
  /** Confidence below which filled texels get the final smoothing (fully at 0, none at this value), 0..1. */
  fillSmoothBelow?: number;
  /**
   * Width, texels, of the rim of the seen region dropped (treated as unseen) along large unseen areas: the photo's
   * samples there straddle what hid the rest (hair edge, hair shadow, an occluder's soft edge, the
   * silhouette), and a rim of such colour becomes a visible line once the rest is filled; 0 = none.
   */
  rimWidth?: number;
  /** Unseen structures narrower than about twice this, texels (specks, glasses frames, strands), are holes, not areas whose rim is dropped. */
  rimOpening?: number;
  /** Lattice spacing, texels, of the skin texture synthesised into filled texels from the seen skin (complete/synthesis.ts); 0 = a smooth fill only. */
  synthesisCell?: number;
  /** Gaussian σ, texels, of the local mean the seen skin's texture is measured against (its detail is what varies within about this distance). */
  synthesisSigma?: number;
  /** Confidence from which a seen skin texel may lend its texture, 0..1. */
  synthesisMinConfidence?: number;
  /** Take the oblique rim's tone (seen below seenLevel, joined to a broad unseen area) from the rest of the face, keeping its detail (complete/rim-tone.ts); for an albedo: off for a photo texture, whose rim is darker by real shading. */
  rimTone?: boolean;
  /** Gaussian σ, texels, from which a seen texel's variation counts as tone (taken from the well-seen texels) rather than detail (kept). */
  rimToneSigma?: number;
  /** Pull the unseen head's tone, with distance from the seen face, to the person's measured skin plus each region's measured relative offset (complete/head-tone.ts); for an albedo: off for a photo texture, whose unseen tone delight divides out. */
  headTone?: boolean;
  /** Surface distance, mm, from the well-seen face over which the fill's tone turns from continuing the border to the person's skin (smoothstep). */
  headToneBandMm?: number;
  /** Surface distance, mm, from the unseen head within which the seen skin gives the tone the head continues (its median). */
  headToneRingMm?: number;
}

export const COMPLETE_DEFAULTS: Required<CompleteOptions> = {
  minConfidence: 0.05,
  gainSigma: 0.03,
  gainMinSupport: 0.3,
  maxGain: 4,
  priorWeight: 0.05,
  smoothIterations: 30,
  fillSmoothSigma: 3,
  mirrorSmoothSigma: 1,
  mirrorTrust: 0.5,
  smallHoleSupport: [0.45, 0.75],
  outlierRegions: ["neck", "ears"],
  outlierLuminance: [0.25, 4],
  outlierChromaticity: 0.6,
  seenLevel: 0.5,
  mirrorTrustSigma: 1.5,
  pushPullTrust: 0.5,
  fillSmoothBelow: 0.25,
  rimWidth: 3,
  rimOpening: 3,
  // Only the stationary, isotropic part of the cheeks' texture is copied, at the atlas's scale in mm,
  // box-filtered over a square as wide as the target texel's longer side (complete/synthesis.ts):
  // the creases on the back of the head (hrn-00034, 3ddfa-JianzhuGuo) and the streaks along the
  // neck's long, thin texels (d3dfr-000002) are gone.
  synthesisCell: 8,
  synthesisSigma: 3,
  synthesisMinConfidence: 0.7,
  // Off by default: a photo texture's rim is darker by real shading, which delight must see; delight's albedo completion turns it on.
  rimTone: false,
  // The skin texture's scale, as synthesisSigma: what varies within it is the rim's own detail.
  rimToneSigma: 3,
  // Off by default, as rimTone: delight's albedo completion turns it on.
  headTone: false,
  // Xiao 2017's forehead and cheek differ by ≈ 2.4 ΔE on the same people over ≈ 50 mm of face
  // (complete/head-tone.ts): a band as wide keeps the fill's change of tone no steeper than that.
  headToneBandMm: 50,
  // The face's edge, not its centre (the nose and the cheeks' blush lie farther in on an adult face):
  // the skin the first 2 cm of fill continue anyway.
  headToneRingMm: 20,
};

export interface CompleteResult {
  /** The completed texture: same size, channels and colour space as the input, finite everywhere. */
  texture: ImageF32;
  /** 1 channel, 0..1: how much of each texel comes from the photo, directly or through its mirror (0 = filled). */
  confidence: ImageF32;
  /** 1 channel, 0..1: the input confidence of the texels whose own data was kept (0 where dropped as not skin or not seen); delight's `confidence`. */
  sourceConfidence: ImageF32;
  /**
   * 1 channel, 0..1: sourceConfidence where the texel's own tone was kept, 0 in the oblique rim whose
   * tone rimTone took from the well-seen face (there the result is not the input's tone: a division
   * that trusts the input there undoes the correction).
   */
  toneConfidence: ImageF32;
  /** Per-channel skin prior the hole fill tends to, in the texture's units. */
  skinPrior: number[];
  /** Fraction of covered texels seen directly / after mirror fill (confidence ≥ 0.5). */
  seenFraction: number;
  mirroredFraction: number;
}

/** The mirror fill, then the hole fill (`parts`, selfFilledParts' masks, each from its own seen texels), from the seen weights `c`: the completed texture and its confidence. */
function fillFrom(T: Float32Array, c: Float32Array, skinPrior: number[], mirror: Int32Array, grid: Grid, coverage: Float32Array | undefined, parts: Float32Array[], o: Required<CompleteOptions>, share?: ShareFill) {
  const gainFill = mirrorExposureGain(T, c, mirror, grid, o);
  const { mixed, c1, mirrored } = mirrorFill(T, c, mirror, gainFill, grid, o);
  const filled = holeFill(mixed, c1, skinPrior, grid, coverage, o);
  for (const part of parts) fillPartFromItself(filled, mixed, c1, part, grid, o);
  if (share) unseenShareFill(filled, mixed, c1, share.share, share.part, grid, o, share.notSample);
  return { filled, c1, mirrored };
}

/** The seen-share map and the part its unseen share is filled from (complete/part-fill.ts unseenShareFill). */
interface ShareFill {
  share: Float32Array;
  part: Float32Array;
  notSample?: Float32Array;
}

/** Regions whose own tone is kept whatever their confidence: segmenters do not call them skin, so they are seen below seenLevel without being oblique. */
const RIM_TONE_KEPT: FaceRegion[] = ["lips", "brows", "eyelids"];

/** The completion `withRim` with the oblique rim's tone taken from a completion without it (complete/rim-tone.ts). */
function toneFromWellSeen(withRim: Float32Array, T: Float32Array, c: Float32Array, skinPrior: number[], mirror: Int32Array, grid: Grid, coverage: Float32Array | undefined, regions: RegionMaps | undefined, parts: Float32Array[], o: Required<CompleteOptions>, share?: ShareFill): { filled: Float32Array; rim: Uint8Array | null } {
  const n = grid.width * grid.height;
  const rim = obliqueRim(c, grid, regionSum(regions, RIM_TONE_KEPT, n), o);
  const withoutRim = mapF32(c, (v, p) => (rim[p] ? 0 : v));
  if (!rim.some((r) => r) || !withoutRim.some((v) => v > 0)) return { filled: withRim, rim: null };
  const fromCore = fillFrom(T, withoutRim, skinPrior, mirror, grid, coverage, parts, o, share).filled;
  const inside = f32Of(n, (p) => (grid.covered(p) ? 1 : 0));
  return { filled: blendRimTone(withRim, fromCore, c, rim, inside, grid.width, grid.height, grid.channels, o), rim };
}

function checkInput(input: CompleteInput): void {
  const { texture, confidence, coverage, mirrorTexel, regions } = input;
  const n = texture.width * texture.height;
  if (texture.data.length !== n * texture.channels) throw new Error(`complete: texture data length ${texture.data.length} ≠ ${texture.width}×${texture.height}×${texture.channels}`);
  for (const [name, img, ch] of [["confidence", confidence, 1], ["coverage", coverage, 1], ["regions", regions?.weights, FACE_REGIONS.length], ["seenShare", input.seenShare, 1], ["notLidSample", input.notLidSample, 1]] as const) {
    if (!img) continue;
    if (img.width !== texture.width || img.height !== texture.height || img.channels !== ch) {
      throw new Error(`complete: ${name} is ${img.width}×${img.height}×${img.channels}, expected ${texture.width}×${texture.height}×${ch} to match the texture`);
    }
  }
  if (mirrorTexel && mirrorTexel.length !== n) throw new Error(`complete: mirrorTexel has ${mirrorTexel.length} entries, expected ${n}`);
}

/**
 * Completes a UV texture: every texel of the result is finite and plausible, seen texels are kept,
 * unseen ones come from their mirror (gain-matched to the local exposure) or, failing that, from a
 * smooth fill that tends to the median seen skin colour far from any data. Gutters average their
 * own island's border, then blend smoothly (no nearest-texel streaks). Throws when no texel is seen
 * at all. Synchronous; `context` lends the logger.
 *
 * @example
 *   const { texture } = complete({ texture: unwrap.texture, confidence: unwrap.confidence, coverage: unwrap.coverage });
 */
export function complete(input: CompleteInput, options: CompleteOptions = {}, context: StageContext = {}): CompleteResult {
  const o = withDefaults(COMPLETE_DEFAULTS, options);
  checkInput(input);
  const { texture } = input;
  const { width, height, channels } = texture;
  const grid: Grid = { width, height, channels, covered: (p) => !input.coverage || input.coverage.data[p] > 0.5 };
  const mirror = input.mirrorTexel ?? flipUMirror(width, height);
  const T = texture.data;

  const seen = seenWeights(input.texture, input.confidence, grid, o, input.regions);
  const skinPrior = seenSkinPrior(T, seen.c, grid, input.regions, o.seenLevel);
  // Seen texels of regions where the photo often shows something else (collars, hair over the
  // ears) whose colour is far from the skin prior are not skin: treat them as unseen.
  const rejected = rejectOutliers(seen.c, T, channels, skinPrior, input.regions, o.outlierRegions, o.outlierLuminance, o.outlierChromaticity);
  const lid = lidSkinMask(input.regions, width * height);
  const parts = selfFilledParts(input.regions, width * height, lid);
  const share = input.seenShare ? { share: input.seenShare.data, part: shareFillPart(input.seenShare.data, lid), ...(input.notLidSample ? { notSample: input.notLidSample.data } : {}) } : undefined;
  const { filled: withRim, c1, mirrored } = fillFrom(T, seen.c, skinPrior, mirror, grid, input.coverage?.data, parts, o, share);
  const rimTone = o.rimTone ? toneFromWellSeen(withRim, T, seen.c, skinPrior, mirror, grid, input.coverage?.data, input.regions, parts, o, share) : { filled: withRim, rim: null };
  const filled = rimTone.filled;
  const toned = o.headTone && continueHeadTone(filled, T, seen.c, c1, skinPrior, grid, input.regions, o);
  const synthesised = addSkinTexture(filled, T, seen.c, c1, grid, input.regions, o);
  // Gutters: averaged dilation of their own island near it, a smooth interpolation farther out.
  if (input.coverage) {
    fillGutters(filled, width, height, channels, grid.covered);
    fillGutters(c1, width, height, 1, grid.covered);
  }

  const log = loggerOf(context);
  const denom = Math.max(1, seen.coveredCount);
  if (o.headTone && !toned) log.debug("complete: no 3-channel texture or no texel scale in mm; the unseen head's tone is the fill's");
  if (!synthesised) log.debug("complete: too little seen skin to lend texture; filled texels stay smooth");
  if (rejected > 0) log.debug(`complete: ${rejected} seen texels of ${o.outlierRegions.join("/")} are not skin-coloured; filled instead`);
  log.debug(`complete: seen ${((100 * seen.seenCount) / denom).toFixed(1)} %, after mirror ${((100 * mirrored) / denom).toFixed(1)} %, prior ${skinPrior.map((v) => v.toFixed(3)).join(",")}`);
  return {
    texture: { width, height, channels, data: filled, colorSpace: texture.colorSpace },
    confidence: { width, height, channels: 1, data: c1, colorSpace: "data" },
    sourceConfidence: { width, height, channels: 1, data: seen.c, colorSpace: "data" },
    toneConfidence: { width, height, channels: 1, data: rimTone.rim ? mapF32(seen.c, (v, p) => (rimTone.rim![p] ? 0 : v)) : seen.c, colorSpace: "data" },
    skinPrior,
    seenFraction: seen.seenCount / denom,
    mirroredFraction: mirrored / denom,
  };
}

