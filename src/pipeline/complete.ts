/**
 * complete: turn the partly seen UV texture into a full one (docs/design.md §1). Mirror fill through the
 * atlas' left/right symmetry with exposure matching, then smooth hole filling toward a skin prior,
 * then the gutters (texels outside every UV island): an averaged dilation of their own island for
 * the first rings, a smooth interpolation farther out (src/image/gutter.ts, method "smooth").
 */
import { luminance } from "../primitives/color.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32, type RegionMaps } from "../types.ts";
import { blurPlane, weightedBlur } from "../image/box-blur.ts";
import { fillGutters } from "../image/gutter.ts";
import { pushPullFill, relaxMembrane } from "../image/push-pull.ts";
import { loggerOf, withDefaults, type StageContext } from "./stage.ts";
import { synthesiseSkinDetail } from "./complete/synthesis.ts";

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
  // Off by default: only the stationary, isotropic part of the cheeks' texture is copied now, at the
  // atlas's scale in mm (complete/synthesis.ts), and the creases on the back of the head are gone
  // (hrn-00034, 3ddfa-JianzhuGuo, d3dfr-015384, d3dfr-000037), but d3dfr-000002's neck still shows
  // wrinkle-like wavy lines; 8 turns it on.
  synthesisCell: 0,
  synthesisSigma: 3,
  synthesisMinConfidence: 0.7,
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

/**
 * Weighted median of `values` with non-negative `weights` (entries with weight 0 ignored): in
 * ascending order of value (ties by index), the first value at which the running weight reaches
 * half the total.
 */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  if (values instanceof Float32Array && LITTLE_ENDIAN) return weightedMedianF32(values, weights);
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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The same order and the same sums for float32 values, sorted natively instead of through a
 * comparator (a per-texel median over a base-size map is a sort of ~10⁵ entries): each entry is one
 * 64-bit key, its value's bits made to sort as numbers (−0 as +0) above its index.
 */
function weightedMedianF32(values: Float32Array, weights: ArrayLike<number>): number {
  let count = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) if (weights[i] > 0) (count++, (total += weights[i]));
  if (count === 0) return Number.NaN;
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const keys = new BigUint64Array(count);
  const words = new Uint32Array(keys.buffer); // little-endian: [low, high] per key
  for (let i = 0, k = 0; i < values.length; i++) {
    if (!(weights[i] > 0)) continue;
    const u = bits[i] === 0x80000000 ? 0 : bits[i];
    words[2 * k] = i;
    words[2 * k + 1] = u & 0x80000000 ? ~u : u | 0x80000000;
    k++;
  }
  keys.sort();
  let acc = 0;
  for (let k = 0; k < count; k++) {
    const i = words[2 * k];
    acc += weights[i];
    if (acc >= total / 2) return values[i];
  }
  return values[words[2 * count - 2]];
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

  const seen = seenWeights(input, grid, o);
  const skinPrior = seenSkinPrior(T, seen.c, grid, input.regions, o.seenLevel);
  // Seen texels of regions where the photo often shows something else (collars, hair over the
  // ears) whose colour is far from the skin prior are not skin: treat them as unseen.
  const rejected = rejectOutliers(seen.c, T, channels, skinPrior, input.regions, o.outlierRegions, o.outlierLuminance, o.outlierChromaticity);
  const gainFill = mirrorExposureGain(T, seen.c, mirror, grid, o);
  const { mixed, c1, mirrored } = mirrorFill(T, seen.c, mirror, gainFill, grid, o);
  const filled = holeFill(mixed, c1, skinPrior, grid, input.coverage?.data, o);
  const synthesised = addSkinTexture(filled, T, seen.c, c1, grid, input.regions, o);
  // Gutters: averaged dilation of their own island near it, a smooth interpolation farther out.
  if (input.coverage) {
    fillGutters(filled, width, height, channels, grid.covered);
    fillGutters(c1, width, height, 1, grid.covered);
  }

  const log = loggerOf(context);
  const denom = Math.max(1, seen.coveredCount);
  if (!synthesised) log.debug("complete: too little seen skin to lend texture; filled texels stay smooth");
  if (rejected > 0) log.debug(`complete: ${rejected} seen texels of ${o.outlierRegions.join("/")} are not skin-coloured; filled instead`);
  log.debug(`complete: seen ${((100 * seen.seenCount) / denom).toFixed(1)} %, after mirror ${((100 * mirrored) / denom).toFixed(1)} %, prior ${skinPrior.map((v) => v.toFixed(3)).join(",")}`);
  return {
    texture: { width, height, channels, data: filled, colorSpace: texture.colorSpace },
    confidence: { width, height, channels: 1, data: c1, colorSpace: "data" },
    sourceConfidence: { width, height, channels: 1, data: seen.c, colorSpace: "data" },
    skinPrior,
    seenFraction: seen.seenCount / denom,
    mirroredFraction: mirrored / denom,
  };
}

/** The texture's grid: size, channels, and which texels lie inside a UV island. */
interface Grid {
  width: number;
  height: number;
  channels: number;
  covered: (p: number) => boolean;
}

/**
 * Seen weight per texel (the confidence where it and the texel are finite, inside an island and
 * at least minConfidence), with the counts of covered and well-seen texels. Throws when none is seen.
 */
function seenWeights(input: CompleteInput, grid: Grid, o: Required<CompleteOptions>): { c: Float32Array; seenCount: number; coveredCount: number } {
  const { channels, covered } = grid;
  const n = grid.width * grid.height;
  const T = input.texture.data;
  const c = new Float32Array(n);
  let seenCount = 0;
  let coveredCount = 0;
  for (let p = 0; p < n; p++) {
    const v = input.confidence.data[p];
    let finite = Number.isFinite(v);
    for (let k = 0; k < channels && finite; k++) finite = Number.isFinite(T[p * channels + k]);
    c[p] = finite && covered(p) && v >= o.minConfidence ? Math.min(1, v) : 0;
    if (covered(p)) coveredCount++;
    if (c[p] >= o.seenLevel) seenCount++;
  }
  if (o.rimWidth > 0) erodeRim(c, grid, o.rimWidth, o.rimOpening);
  if (!c.some((v) => v > 0)) throw new Error(`complete: no texel is seen (every confidence is below ${o.minConfidence}); is the face visible in the photo?`);
  return { c, seenCount, coveredCount };
}

/**
 * Drops (weight 0) each seen texel within `width` texels of a broad unseen area, in place: the seen
 * region is eroded along occlusion edges. Broad means what survives a morphological opening of
 * the unseen texels by `opening` texels: a speck, a glasses frame or a thin strand is a small hole
 * its neighbours fill, not an edge to cut back. Gutters are not unseen (an island's own edge is not
 * an occlusion edge).
 */
function erodeRim(c: Float32Array, grid: Grid, width: number, opening: number): void {
  const { width: W, height: H, covered } = grid;
  const toSeen = chamferDistance(W, H, (p) => c[p] > 0);
  const toCore = chamferDistance(W, H, (p) => covered(p) && c[p] === 0 && toSeen[p] >= opening);
  // A seen texel's distance to the opened area is its distance to the area's core minus `opening`.
  for (let p = 0; p < W * H; p++) if (c[p] > 0 && toCore[p] <= opening + width) c[p] = 0;
}

/** Chamfer distance (1, √2 steps), texels, from every texel to the nearest where `source` holds (1e9 when none). */
function chamferDistance(W: number, H: number, source: (p: number) => boolean): Float32Array {
  const d = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) d[p] = source(p) ? 0 : 1e9;
  const step = (p: number, q: number, w: number) => {
    if (d[q] + w < d[p]) d[p] = d[q] + w;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    if (x > 0) step(p, p - 1, 1);
    if (y > 0) {
      step(p, p - W, 1);
      if (x > 0) step(p, p - W - 1, Math.SQRT2);
      if (x < W - 1) step(p, p - W + 1, Math.SQRT2);
    }
  }
  for (let y = H - 1; y >= 0; y--) for (let x = W - 1; x >= 0; x--) {
    const p = y * W + x;
    if (x < W - 1) step(p, p + 1, 1);
    if (y < H - 1) {
      step(p, p + W, 1);
      if (x < W - 1) step(p, p + W + 1, Math.SQRT2);
      if (x > 0) step(p, p + W - 1, Math.SQRT2);
    }
  }
  return d;
}

/** Skin prior: per channel, the weighted median of the well-seen skin texels (of every seen texel when no skin is seen). */
function seenSkinPrior(T: Float32Array, c: Float32Array, grid: Grid, regions: RegionMaps | undefined, seenLevel: number): number[] {
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
 * Exposure matching: low-frequency log gain between each texel's neighbourhood and its mirror's,
 * measured where both are seen, then extrapolated by push-pull. The field is antisymmetric
 * (gain(m) = 1/gain(p)), so it is stored and extrapolated on one side of each pair only (p < m);
 * otherwise the coarse levels of the fill would average the two signs to zero.
 */
function mirrorExposureGain(T: Float32Array, c: Float32Array, mirror: Int32Array, grid: Grid, o: Required<CompleteOptions>): Float32Array {
  const { width, height, channels, covered } = grid;
  const n = width * height;
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
  return pushPullFill(logGain, gainWeight, width, height, channels, { prior: null, priorWeight: 0, trustFraction: o.pushPullTrust });
}

/**
 * Mirror fill: blends the gain-matched mirror texel into texels that are not well seen. The blend
 * weights come from the confidence smoothed over a couple of texels, not texel by texel: confidence
 * is speckled (occluder specks, the hair floor), and per-texel weights mixed each texel with its
 * mirror in a different ratio, a patchwork of squares wherever the two sides differ (an
 * asymmetric hairline). A small hole inside seen texture is left to the fill from its own
 * neighbours for the same reason. Returns the blend, its confidence c1, and how many covered texels reach seenLevel.
 */
function mirrorFill(T: Float32Array, c: Float32Array, mirror: Int32Array, gainFill: Float32Array, grid: Grid, o: Required<CompleteOptions>): { mixed: Float32Array; c1: Float32Array; mirrored: number } {
  const { width, height, channels, covered } = grid;
  const n = width * height;
  const { selfTrust, smallHole } = mirrorBlendWeights(c, width, height, o.mirrorTrust, o.smallHoleSupport, o.mirrorTrustSigma, o.seenLevel);
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
    if (c1[p] >= o.seenLevel && covered(p)) mirrored++;
    for (let k = 0; k < channels; k++) {
      const own = wSelf[p] > 0 ? T[p * channels + k] : 0;
      const other = wMirror > 0 ? mirrorSmooth.values[p * channels + k] : 0;
      mixed[p * channels + k] = c1[p] > 0 ? (wSelf[p] * own + wMirror * other) / c1[p] : 0;
    }
  }
  return { mixed, c1, mirrored };
}

/**
 * Multiplies the texels without photo data of their own (by how much each is fill, 1 − c1; a
 * mirrored texel already has the mirror's texture) by skin texture synthesised from the
 * well-seen skin, in place; false when too little skin is seen to lend it.
 */
function addSkinTexture(filled: Float32Array, T: Float32Array, c: Float32Array, c1: Float32Array, grid: Grid, regions: RegionMaps | undefined, o: Required<CompleteOptions>): boolean {
  const { width, height, channels, covered } = grid;
  const n = width * height;
  // The example: the cheeks, where skin shows its mottling with the fewest folds and wrinkles
  // (forehead lines and the nasolabial fold are shading, and copied they read as creases); all
  // skin when the cheeks lend too little.
  const skin = skinPriorMask(regions, n);
  const cheeks = regions ? FACE_REGIONS.indexOf("cheeks") : -1;
  const options = { cell: o.synthesisCell, sigma: o.synthesisSigma, minConfidence: o.synthesisMinConfidence, minSources: 16 };
  const fromCheeks = Float32Array.from(c, (v, p) => (cheeks >= 0 && regions!.weights.data[p * regions!.weights.channels + cheeks] >= 0.5 ? v : 0));
  const axes = regions?.texelAxesMm?.data;
  const detail =
    synthesiseSkinDetail(T, channels, fromCheeks, width, height, options, axes) ??
    synthesiseSkinDetail(T, channels, Float32Array.from(c, (v, p) => (skin[p] >= 0.9 ? v : 0)), width, height, options, axes);
  if (!detail) return false;
  for (let p = 0; p < n; p++) {
    // Only texels without data of their own: a partly seen texel keeps its photo colour (later
    // stages fit the light to those), however little of it there is.
    const t = covered(p) && c[p] === 0 ? 1 - Math.min(1, c1[p]) : 0;
    if (t <= 0) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] *= Math.exp(t * detail[p * channels + k]);
  }
  return true;
}

/** Hole fill toward the prior, then membrane smoothing and a final Gaussian smoothing of the filled texels inside the islands. */
function holeFill(mixed: Float32Array, c1: Float32Array, skinPrior: number[], grid: Grid, coverage: Float32Array | undefined, o: Required<CompleteOptions>): Float32Array {
  const { width, height, channels } = grid;
  const filled = pushPullFill(mixed, c1, width, height, channels, { prior: skinPrior, priorWeight: o.priorWeight, trustFraction: o.pushPullTrust });
  relaxMembrane(mixed, filled, c1, width, height, channels, o.smoothIterations, coverage);
  for (let i = 0; i < filled.length; i++) if (!(filled[i] >= 0)) filled[i] = 0; // negatives/NaN cannot arise from convex blends; guard anyway
  smoothFilled(filled, c1, width, height, channels, o.fillSmoothSigma, o.fillSmoothBelow, coverage);
  return filled;
}

/**
 * Mirror-blend weights from the confidence smoothed by blurPlane at `sigma` (σ ≈ 1.4 texels at 1.5).
 * `selfTrust`: how far a texel's own data is kept, ramping to 1 at a smoothed confidence of `trust`.
 * `smallHole`: how much an unseen texel (below `seenLevel`) is a small hole (its neighbourhood well
 * seen, ramped over `support`), which its neighbours fill better than its mirror; the inside and
 * the rim of a large unseen area score 0.
 */
function mirrorBlendWeights(conf: Float32Array, width: number, height: number, trust: number, support: [number, number], sigma: number, seenLevel: number): { selfTrust: Float32Array; smallHole: Float32Array } {
  const plane = Float64Array.from(conf);
  blurPlane(plane, width, height, sigma);
  const [lo, hi] = support;
  const selfTrust = Float32Array.from(plane, (v, p) => Math.min(1, Math.max(conf[p], v) / trust));
  const smallHole = Float32Array.from(plane, (v, p) => (conf[p] >= seenLevel ? 0 : Math.min(1, Math.max(0, (v - lo) / (hi - lo)))));
  return { selfTrust, smallHole };
}

/**
 * Blends texels that are mostly fill (confidence < `below`) toward a coverage-weighted Gaussian blur
 * of the result, in place: the push-pull pyramid leaves block-aligned kinks and the mirror
 * fill's edges leave steps that a 30-sweep membrane cannot reach across; seen texels keep their data.
 */
function smoothFilled(filled: Float32Array, conf: Float32Array, width: number, height: number, channels: number, sigma: number, below: number, coverage?: Float32Array): void {
  if (!(sigma > 0)) return;
  const inside = coverage ? Float32Array.from(coverage, (v) => (v > 0.5 ? 1 : 0)) : new Float32Array(conf.length).fill(1);
  const { values } = weightedBlur(filled, channels, inside, width, height, sigma);
  for (let p = 0; p < conf.length; p++) {
    // Confidence is a soft trust (facing ratio): only texels mostly filled are smoothed, so seen detail stays sharp.
    // conf / below is exactly 4·conf at the default 0.25 (a power of two).
    const t = inside[p] ? Math.max(0, 1 - conf[p] / below) : 0;
    if (t <= 0) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] += t * (values[p * channels + k] - filled[p * channels + k]);
  }
}

/**
 * Zeroes the weight of seen texels in `regions` (by majority membership) whose luminance, relative
 * to the prior's, is outside `range`, or whose chromaticity is farther than `maxChroma` from the
 * prior's. Returns how many.
 */
function rejectOutliers(
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
