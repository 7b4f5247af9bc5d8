/**
 * The unseen head's tone from the person's own measured skin (issue 13, one skin over the whole head).
 * The hole fill extrapolates whatever it is given: far from the seen face, its push-pull pyramid
 * tends to the confidence-weighted mean of every seen texel (lips, brows, the eye openings' edges and
 * the blush of the cheeks included) and the fill follows the nearest seen colours, so the scalp,
 * neck and back of the head come out in a tone the face's skin does not have (a pinker head around
 * a greyer face at 45°, hrn-00437; lighter and darker patches where different seen parts of the
 * neck's rim are extrapolated side by side, d3dfr-000002).
 *
 * Here the fill's tone is pulled, with distance from the seen face along the surface, toward a
 * target made of the person's measured skin where the face meets the unseen head (borderSkinTone)
 * plus each region's measured difference from the face, as a RELATIVE offset in CIELAB (regional
 * differences are measured on the same people: they hold for any skin tone, unlike an absolute
 * population colour). Near the seen face the fill keeps continuing the border's own tone; the pull
 * grows as a smoothstep over `headToneBandMm` of surface (the atlas's mm per texel, not texels), so
 * the change of tone is a gradient no steeper than the face's own regional differences.
 */
import { surfaceDistanceMm } from "../../image/chamfer-distance.ts";
import { labToLinearSrgb, linearSrgbToLab, linearSrgbToXyz } from "../../primitives/color.ts";
import { FACE_REGIONS, type FaceRegion, type RegionMaps } from "../../types.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { Grid } from "./grid.ts";
import { skinPriorMask } from "./seen.ts";
import { mapF32 } from "../../primitives/typed-array.ts";

/** The options the head tone reads (CompleteOptions' fields of the same names). */
export interface HeadToneOptions {
  seenLevel: number;
  headToneBandMm: number;
  headToneRingMm: number;
}

/**
 * Mean CIELAB difference of a region's skin from the face's (the mean of forehead and cheek),
 * [ΔL*, Δa*, Δb*]. Xiao et al. 2017 [S7] (skin-reflectance.md §2.1, the `Lab_Xiao2017` table)
 * measured the forehead and the cheek of the same subjects in four groups (Caucasian, Chinese,
 * Kurdish, Thai); cheek − forehead per group is (0.4, 0.2, −0.5), (2.5, −0.3, −2.1),
 * (1.9, 0.4, −0.6), (3.9, −1.1, −0.5), mean (2.18, −0.20, −0.93); each site is half of that from
 * their mean. Neck, ears, scalp, nose and chin: no same-subject measurement was found (the CIE
 * skin database's summary, CIE x050-OP065-2023, says body sites differ mainly in a* but gives no
 * per-site numbers), so they keep the person's own tone (offset 0) rather than a guessed tint.
 */
export const REGION_TONE_OFFSETS: Partial<Record<FaceRegion, [number, number, number]>> = {
  forehead: [-1.09, 0.1, 0.46],
  cheeks: [1.09, -0.1, -0.46],
};

/**
 * Mean L* of the face sites the offsets were measured against (Xiao 2017 [S7]: the eight forehead
 * and cheek means, 58.2). The offsets are applied to the person's colour brought to this lightness
 * and the result scaled back, so they act as the same relative change at any exposure or albedo
 * scale (complete works on relative albedo, whose absolute level delight sets later).
 */
const OFFSET_REFERENCE_L = 58.2;

/** Per texel, the target tone (linear RGB): the person's skin `base` moved by its regions' offsets in CIELAB. */
export function regionalTone(base: number[], regions: RegionMaps | undefined, texels: number): Float32Array {
  const [, yBase] = linearSrgbToXyz(base[0], base[1], base[2]);
  const scale = ((OFFSET_REFERENCE_L + 16) / 116) ** 3 / Math.max(yBase, 1e-9);
  const lab = linearSrgbToLab(base[0] * scale, base[1] * scale, base[2] * scale);
  const out = new Float32Array(texels * 3);
  const offsets = Object.entries(REGION_TONE_OFFSETS).map(([r, d]) => [FACE_REGIONS.indexOf(r as FaceRegion), d] as const);
  const w = regions?.weights;
  const toneOf = (t: number[], p: number) => {
    const rgb = labToLinearSrgb(t[0], t[1], t[2]);
    for (let k = 0; k < 3; k++) out[p * 3 + k] = Math.max(1e-4 * base[k], rgb[k] / scale);
  };
  // Most texels lie in no offset region: their target is the base tone's, converted once.
  const plain = new Float32Array(3);
  toneOf(lab, 0);
  plain.set(out.subarray(0, 3));
  for (let p = 0; p < texels; p++) {
    if (!w || offsets.every(([i]) => w.data[p * w.channels + i] === 0)) {
      out.set(plain, p * 3);
      continue;
    }
    const t = [lab[0], lab[1], lab[2]];
    for (const [i, d] of offsets) for (let k = 0; k < 3; k++) t[k] += w.data[p * w.channels + i] * d[k];
    toneOf(t, p);
  }
  return out;
}

/** 0 at 0, 1 from 1 on, with zero slope at both ends. */
function smoothstep(t: number): number {
  const s = Math.min(1, Math.max(0, t));
  return s * s * (3 - 2 * s);
}

/**
 * The face's skin where it meets the unseen head: per channel, the weighted median of the well-seen
 * skin texels (outside lips, brows, eyelids, scalp) within headToneRingMm of surface of the texels left to
 * fill; `fallback` (the median of all seen skin) when there are none. This, not the whole face's
 * median, is what the scalp, neck and ears continue: the face's centre (nose, the cheeks' blush) is
 * redder than its edges, and a head in the median's tone is pinker than the temples and jaw it meets.
 */
export function borderSkinTone(T: Float32Array, c: Float32Array, c1: Float32Array, grid: Grid, regions: RegionMaps | undefined, axes: ArrayLike<number>, fallback: number[], o: HeadToneOptions): number[] {
  const { width: W, height: H, covered } = grid;
  const n = W * H;
  const toUnseen = surfaceDistanceMm(W, H, (p) => covered(p) && c1[p] < o.seenLevel, covered, axes);
  const skin = skinPriorMask(regions, n);
  const weights = mapF32(c, (v, p) => (v >= o.seenLevel && toUnseen[p] <= o.headToneBandMm ? v * skin[p] : 0));
  if (!weights.some((v) => v > 0)) return fallback;
  const channel = new Float32Array(n);
  return [0, 1, 2].map((k) => {
    for (let p = 0; p < n; p++) channel[p] = T[p * 3 + k];
    return weightedMedian(channel, weights);
  });
}

/**
 * Pulls the filled texels' tone (linear RGB, 3 channels, smooth: before the skin texture) toward
 * the regional target, in place: per channel a geometric blend F^(1−w)·target^w, w the smoothstep
 * of the surface distance from the well-seen face (c1 ≥ seenLevel) over headToneBandMm, times the
 * texel's share of fill (1 − c1), on texels without data of their own (c = 0). The target is the face's border skin (borderSkinTone, from the
 * photo texture `T` and its seen weights `c`) moved by each region's offset. Texels that cannot
 * reach the face along the surface (an ear's own island) take the target whole. Returns false
 * (nothing done) without 3 channels or the atlas's scale.
 */
export function continueHeadTone(filled: Float32Array, T: Float32Array, c: Float32Array, c1: Float32Array, skinPrior: number[], grid: Grid, regions: RegionMaps | undefined, o: HeadToneOptions): boolean {
  const { width: W, height: H, channels, covered } = grid;
  const axes = regions?.texelAxesMm?.data;
  if (channels !== 3 || !axes) return false;
  const base = borderSkinTone(T, c, c1, grid, regions, axes, skinPrior, o);
  if (!base.every((v) => v > 0)) return false;
  const n = W * H;
  const distance = surfaceDistanceMm(W, H, (p) => covered(p) && c1[p] >= o.seenLevel, covered, axes);
  const target = regionalTone(base, regions, n);
  for (let p = 0; p < n; p++) {
    // Only texels without data of their own (as the skin texture): a partly seen texel keeps its tone, which delight's division relies on.
    if (!covered(p) || c[p] > 0) continue;
    const w = smoothstep(distance[p] / o.headToneBandMm) * (1 - Math.min(1, c1[p]));
    if (w <= 0) continue;
    for (let k = 0; k < 3; k++) {
      const i = p * 3 + k;
      filled[i] = Math.exp((1 - w) * Math.log(Math.max(filled[i], 1e-4)) + w * Math.log(target[i]));
    }
  }
  return true;
}
