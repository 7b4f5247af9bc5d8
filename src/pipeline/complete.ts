/**
 * complete: turn the partly seen UV texture into a full one (DESIGN §1). Mirror fill through the
 * atlas' left/right symmetry with exposure matching, then smooth hole filling toward a skin prior,
 * then the gutters (texels outside every UV island) copy their nearest island texel.
 */
import { luminance } from "../primitives/color.ts";
import { FACE_REGIONS, SILENT_LOGGER, type FaceRegion, type ImageF32, type Logger, type RegionMaps } from "../types.ts";
import { blurPlane, weightedBlur } from "./fill/box-blur.ts";
import { fillGutters } from "./fill/gutter.ts";
import { pushPullFill, relaxMembrane } from "./fill/push-pull.ts";

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
  /** Logger for debug messages. */
  logger?: Logger;
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
  logger: SILENT_LOGGER,
};

export interface CompleteResult {
  /** The completed texture: same size, channels and colour space as the input, finite everywhere. */
  texture: ImageF32;
  /** 1 channel, 0..1: how much of each texel comes from the photo, directly or through its mirror (0 = filled). */
  confidence: ImageF32;
  /** 1 channel, 0..1: the input confidence of the texels whose own data was kept (0 where dropped as not skin or not seen); delight's `confidence`. */
  sourceConfidence: ImageF32;
  /** Per-channel skin prior the hole fill tends to, in the texture's units. */
  skinPrior: number[];
  /** Fraction of covered texels seen directly / after mirror fill (confidence ≥ 0.5). */
  seenFraction: number;
  mirroredFraction: number;
}

/** Regions whose colour is not the skin tone the prior should hold. */
const NOT_SKIN_PRIOR: FaceRegion[] = ["lips", "brows", "eyelids", "scalp"];

/** The default mirror: texel (x, y) ↔ (W − 1 − x, y), i.e. u → 1 − u. */
export function flipUMirror(width: number, height: number): Int32Array {
  const m = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) m[y * width + x] = y * width + (width - 1 - x);
  return m;
}

/** Weighted median of `values` with non-negative `weights` (entries with weight 0 ignored). */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  const idx: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) if (weights[i] > 0) (idx.push(i), (total += weights[i]));
  if (idx.length === 0) return Number.NaN;
  idx.sort((a, b) => values[a] - values[b] || a - b);
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= total / 2) return values[i];
  }
  return values[idx[idx.length - 1]];
}

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

function checkInput(input: CompleteInput): void {
  const { texture, confidence, coverage, mirrorTexel, regions } = input;
  const n = texture.width * texture.height;
  if (texture.data.length !== n * texture.channels) throw new Error(`complete: texture data length ${texture.data.length} ≠ ${texture.width}×${texture.height}×${texture.channels}`);
  for (const [name, img, ch] of [["confidence", confidence, 1], ["coverage", coverage, 1], ["regions", regions?.weights, FACE_REGIONS.length]] as const) {
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
 * smooth fill that tends to the median seen skin colour far from any data. Gutters copy the
 * nearest island texel. Throws when no texel is seen at all.
 *
 * @example
 *   const { texture } = complete({ texture: unwrap.texture, confidence: unwrap.confidence, coverage: unwrap.coverage });
 */
export function complete(input: CompleteInput, options: CompleteOptions = {}): CompleteResult {
  const o = { ...COMPLETE_DEFAULTS, ...options };
  checkInput(input);
  const { texture } = input;
  const { width, height, channels } = texture;
  const n = width * height;
  const T = texture.data;
  const covered = (p: number) => !input.coverage || input.coverage.data[p] > 0.5;
  const mirror = input.mirrorTexel ?? flipUMirror(width, height);

  // Seen weight per texel.
  const c = new Float32Array(n);
  let seen = 0;
  let coveredCount = 0;
  for (let p = 0; p < n; p++) {
    const v = input.confidence.data[p];
    let finite = Number.isFinite(v);
    for (let k = 0; k < channels && finite; k++) finite = Number.isFinite(T[p * channels + k]);
    c[p] = finite && covered(p) && v >= o.minConfidence ? Math.min(1, v) : 0;
    if (covered(p)) coveredCount++;
    if (c[p] >= 0.5) seen++;
  }
  if (!c.some((v) => v > 0)) throw new Error(`complete: no texel is seen (every confidence is below ${o.minConfidence}); is the face visible in the photo?`);

  // Skin prior: weighted median of seen skin texels per channel.
  const skinMask = skinPriorMask(input.regions, n);
  const priorWeights = new Float32Array(n);
  for (let p = 0; p < n; p++) priorWeights[p] = c[p] >= 0.5 ? c[p] * skinMask[p] : 0;
  if (!priorWeights.some((v) => v > 0)) for (let p = 0; p < n; p++) priorWeights[p] = c[p];
  const skinPrior: number[] = [];
  const channel = new Float32Array(n);
  for (let k = 0; k < channels; k++) {
    for (let p = 0; p < n; p++) channel[p] = T[p * channels + k];
    skinPrior.push(weightedMedian(channel, priorWeights));
  }

  // Seen texels of regions where the photo often shows something else (collars, hair over the
  // ears) whose colour is far from the skin prior are not skin: treat them as unseen.
  const rejected = rejectOutliers(c, T, channels, skinPrior, input.regions, o.outlierRegions, o.outlierLuminance);

  // Exposure matching: low-frequency log gain between each texel's neighbourhood and its mirror's,
  // measured where both are seen. The field is antisymmetric (gain(m) = 1/gain(p)), so it is stored
  // and extrapolated on one side of each pair only (p < m); otherwise the coarse levels of the fill
  // would average the two signs to zero.
  const sigma = Math.max(1, o.gainSigma * width);
  const { values: local, support } = weightedBlur(T, channels, c, width, height, sigma);
  const logGain = new Float32Array(n * channels);
  const gainWeight = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const m = mirror[p];
    if (m <= p || !covered(p) || !covered(m)) continue;
    const s = Math.min(support[p], support[m]);
    if (s < o.gainMinSupport) continue;
    gainWeight[p] = s;
    for (let k = 0; k < channels; k++) {
      const a = local[p * channels + k];
      const b = local[m * channels + k];
      const g = a > 1e-6 && b > 1e-6 ? Math.log(a / b) : 0;
      logGain[p * channels + k] = Math.max(-Math.log(o.maxGain), Math.min(Math.log(o.maxGain), g));
    }
  }
  const gainFill = pushPullFill(logGain, gainWeight, width, height, channels, { prior: null, priorWeight: 0, trustFraction: 0.5 });

  // Mirror fill: blend the gain-matched mirror texel into texels that are not well seen. The blend
  // weights come from the confidence smoothed over a couple of texels, not texel by texel: confidence
  // is speckled (occluder specks, the hair floor), and per-texel weights mixed each texel with its
  // mirror in a different ratio, a patchwork of squares wherever the two sides differ (an
  // asymmetric hairline). A small hole inside seen texture is left to the fill from its own
  // neighbours for the same reason.
  const { selfTrust, smallHole } = mirrorBlendWeights(c, width, height, o.mirrorTrust, o.smallHoleSupport);
  // The gain-matched mirror colour and how much each texel wants it, then both smoothed over a
  // texel or so: along an island's rim the mirror texel falls in and out of its own island every
  // other texel, and an unsmoothed blend turned that into a hatch.
  const mirrorColor = new Float32Array(n * channels);
  const mirrorWant = new Float32Array(n);
  const wSelf = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const m = mirror[p];
    wSelf[p] = c[p] > 0 ? selfTrust[p] : 0;
    if (m < 0 || !covered(p) || c[m] <= 0) continue;
    mirrorWant[p] = (1 - wSelf[p]) * selfTrust[m] * (1 - smallHole[p]);
    for (let k = 0; k < channels; k++) {
      const logG = m > p ? gainFill[p * channels + k] : m < p ? -gainFill[m * channels + k] : 0;
      mirrorColor[p * channels + k] = Math.exp(logG) * T[m * channels + k];
    }
  }
  const mirrorSmooth = weightedBlur(mirrorColor, channels, mirrorWant, width, height, o.mirrorSmoothSigma);
  const mixed = new Float32Array(n * channels);
  const c1 = new Float32Array(n);
  let mirrored = 0;
  for (let p = 0; p < n; p++) {
    const wMirror = covered(p) ? Math.min(1 - wSelf[p], mirrorSmooth.support[p]) : 0;
    c1[p] = wSelf[p] + wMirror;
    if (c1[p] >= 0.5 && covered(p)) mirrored++;
    for (let k = 0; k < channels; k++) {
      const own = wSelf[p] > 0 ? T[p * channels + k] : 0;
      const other = wMirror > 0 ? mirrorSmooth.values[p * channels + k] : 0;
      mixed[p * channels + k] = c1[p] > 0 ? (wSelf[p] * own + wMirror * other) / c1[p] : 0;
    }
  }

  // Hole fill toward the prior, then membrane smoothing of the filled texels inside the islands.
  const filled = pushPullFill(mixed, c1, width, height, channels, { prior: skinPrior, priorWeight: o.priorWeight, trustFraction: 0.5 });
  relaxMembrane(mixed, filled, c1, width, height, channels, o.smoothIterations, input.coverage?.data);
  for (let i = 0; i < filled.length; i++) if (!(filled[i] >= 0)) filled[i] = 0; // negatives/NaN cannot arise from convex blends; guard anyway

  smoothFilled(filled, c1, width, height, channels, o.fillSmoothSigma, input.coverage?.data);

  // Gutters: averaged dilation of their own island near it, a smooth interpolation farther out.
  if (input.coverage) {
    fillGutters(filled, width, height, channels, covered);
    fillGutters(c1, width, height, 1, covered);
  }

  const denom = Math.max(1, coveredCount);
  if (rejected > 0) o.logger.debug(`complete: ${rejected} seen texels of ${o.outlierRegions.join("/")} are not skin-coloured; filled instead`);
  o.logger.debug(`complete: seen ${((100 * seen) / denom).toFixed(1)} %, after mirror ${((100 * mirrored) / denom).toFixed(1)} %, prior ${skinPrior.map((v) => v.toFixed(3)).join(",")}`);
  return {
    texture: { width, height, channels, data: filled, colorSpace: texture.colorSpace },
    confidence: { width, height, channels: 1, data: c1, colorSpace: "data" },
    sourceConfidence: { width, height, channels: 1, data: c, colorSpace: "data" },
    skinPrior,
    seenFraction: seen / denom,
    mirroredFraction: mirrored / denom,
  };
}

/**
 * Mirror-blend weights from the confidence smoothed at σ ≈ 1.4 texels. `selfTrust`: how far a
 * texel's own data is kept, ramping to 1 at a smoothed confidence of `trust`. `smallHole`: how much
 * an unseen texel is a small hole (its neighbourhood well seen, ramped over `support`), which its
 * neighbours fill better than its mirror; the inside and the rim of a large unseen area score 0.
 */
function mirrorBlendWeights(conf: Float32Array, width: number, height: number, trust: number, support: [number, number]): { selfTrust: Float32Array; smallHole: Float32Array } {
  const plane = Float64Array.from(conf);
  blurPlane(plane, width, height, 1.5);
  const [lo, hi] = support;
  const selfTrust = Float32Array.from(plane, (v, p) => Math.min(1, Math.max(conf[p], v) / trust));
  const smallHole = Float32Array.from(plane, (v, p) => (conf[p] >= 0.5 ? 0 : Math.min(1, Math.max(0, (v - lo) / (hi - lo)))));
  return { selfTrust, smallHole };
}

/**
 * Blends texels that are mostly fill (confidence < 0.25) toward a coverage-weighted Gaussian blur
 * of the result, in place: the push-pull pyramid leaves block-aligned kinks and the mirror
 * fill's edges leave steps that a 30-sweep membrane cannot reach across; seen texels keep their data.
 */
function smoothFilled(filled: Float32Array, conf: Float32Array, width: number, height: number, channels: number, sigma: number, coverage?: Float32Array): void {
  if (!(sigma > 0)) return;
  const inside = coverage ? Float32Array.from(coverage, (v) => (v > 0.5 ? 1 : 0)) : new Float32Array(conf.length).fill(1);
  const { values } = weightedBlur(filled, channels, inside, width, height, sigma);
  for (let p = 0; p < conf.length; p++) {
    // Confidence is a soft trust (facing ratio): only texels mostly filled are smoothed, so seen detail stays sharp.
    const t = inside[p] ? Math.max(0, 1 - 4 * conf[p]) : 0;
    if (t <= 0) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] += t * (values[p * channels + k] - filled[p * channels + k]);
  }
}

/**
 * Zeroes the weight of seen texels in `regions` (by majority membership) whose luminance, relative
 * to the prior's, is outside `range`, or whose chromaticity is far from the prior's. Returns how many.
 */
function rejectOutliers(
  c: Float32Array,
  T: Float32Array,
  channels: number,
  prior: number[],
  regions: RegionMaps | undefined,
  names: FaceRegion[],
  range: [number, number],
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
    if (ratio < range[0] || ratio > range[1] || d > 0.6) {
      c[p] = 0;
      count++;
    }
  }
  return count;
}
