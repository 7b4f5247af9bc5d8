/**
 * The seen rim's tone from the well-seen face (issue 13, the temple line). Toward the silhouette the
 * photo sees the skin ever more obliquely, and what is read off it there is biased (darker and
 * yellower albedo at grazing angles: the shading model explains less of the fall-off than the photo
 * shows; docs/evaluation.md). Confidence fades with the facing ratio, but the fills normalise their
 * weights, so wherever nothing better is near, the rim's colour wins anyway: the fill beside it
 * continues it, and a band of the rim's tone runs along the temples between the face and the fill.
 *
 * Multi-band blending (Burt & Adelson 1983, "A multiresolution spline with application to image
 * mosaics"): the completion with the rim (A) and the completion without it (B) are split into
 * Laplacian bands, and each band is blended with a mask blurred to that band's own scale, so a
 * low-frequency difference is spread over a width as large as its wavelength (no step at any
 * scale). Bands finer than `rimToneSigma` (the skin's texture) take A where the texel is seen at
 * all (in the rim, ramped over its confidence minConfidence → seenLevel): the rim's pores and
 * mottling stay. Coarser bands, the tone, take A only where it is seen outside the rim: the rim's
 * tone is the rest of the face's, extrapolated by the same mirror and hole fills as every unseen
 * texel. The rim is the band seen below seenLevel that runs into a broad unseen area (obliqueRim);
 * lips, brows, eyelids and whatever else is seen below seenLevel inside the face keep their tone (a
 * first version that took every texel below seenLevel as rim lightened 3ddfa-JianzhuGuo's brows
 * and moved its identity 0.765 → 0.728). Written as B + Σ_k M_k · band_k(A − B): the bands of the
 * difference only, which is 0 over the face outside the rim and far out in the fill.
 */
import { blurPlane, weightedBlur } from "../../image/box-blur.ts";
import { chamferDistance } from "../../image/chamfer-distance.ts";
import type { Grid } from "./grid.ts";
import { mapF32, mapF64 } from "../../primitives/typed-array.ts";

/**
 * σ of the Laplacian stack's Gaussians, texels: octaves from the texel up to about the width of the
 * obliquely seen band at the temples at base size. A 32-texel octave spans the whole face and let a
 * sharp rim step move the well-seen face 12 texels in by 2.6 % (1 % without it; test/complete.test.ts).
 */
const BAND_SIGMAS = [1, 2, 4, 8, 16];

/** The options the rim-tone blend reads (CompleteOptions' fields of the same names). */
export interface RimToneOptions {
  minConfidence: number;
  seenLevel: number;
  rimToneSigma: number;
  rimOpening: number;
}

/** Membership (0..1) per texel of the regions whose low confidence is not obliqueness: lips, brows, eyelids, which segmenters do not call skin. */
export type FeatureMembership = ArrayLike<number>;

/**
 * The oblique rim: texels seen below seenLevel that are joined, through such texels, to a broad
 * unseen area (what survives an opening by rimOpening texels: beyond the silhouette, under the hair).
 * That is the band where the facing ratio falls toward the silhouette. Texels seen below seenLevel
 * for another reason, inside the well-seen face (lips, brows and eyelids, whose skin mask is
 * low; a glasses frame), are not reached, and features stop the flood (a mouth opening is unseen).
 */
export function obliqueRim(c: Float32Array, grid: Grid, features: FeatureMembership, o: RimToneOptions): Uint8Array {
  const { width: W, height: H, covered } = grid;
  const n = W * H;
  const toSeen = chamferDistance(W, H, (p) => c[p] > 0);
  const rim = new Uint8Array(n);
  const reached = new Uint8Array(n);
  const queue: number[] = [];
  for (let p = 0; p < n; p++) if (covered(p) && c[p] === 0 && toSeen[p] >= o.rimOpening) (reached[p] = 1), queue.push(p);
  for (let head = 0; head < queue.length; head++) {
    const p = queue[head];
    const x = p % W;
    for (const q of [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, p - W, p + W]) {
      if (q < 0 || q >= n || reached[q] || !covered(q) || c[q] >= o.seenLevel || features[q] >= 0.5) continue;
      reached[q] = 1;
      if (c[q] > 0) rim[q] = 1;
      queue.push(q);
    }
  }
  return rim;
}

/**
 * Blends `withRim` (A) into `fromCore` (B, completed without the `rim` texels) band by band,
 * returning a new array: detail bands weighted by the seen ramp in the rim, tone bands by "seen
 * and not rim", each mask blurred to its band's scale. `seen` is the own-data weight per texel; `inside`
 * (1 = inside a UV island) keeps the blurs off the gutters.
 */
export function blendRimTone(withRim: Float32Array, fromCore: Float32Array, seen: Float32Array, rim: Uint8Array, inside: Float32Array, width: number, height: number, channels: number, o: RimToneOptions): Float32Array {
  const n = width * height;
  const diff = mapF32(withRim, (v, i) => v - fromCore[i]);
  // Unseen texels take B in every band; the rim its own detail (fading with its confidence), B's tone.
  const detailMask = mapF64(seen, (c, p) => (c <= 0 ? 0 : rim[p] ? Math.min(1, Math.max(0, (c - o.minConfidence) / (o.seenLevel - o.minConfidence))) : 1));
  const toneMask = mapF64(seen, (c, p) => (c > 0 && !rim[p] ? 1 : 0));
  const out = Float32Array.from(fromCore);
  // Level 0 is the difference itself; level k + 1 its blur at BAND_SIGMAS[k]; band k = level k − level k + 1.
  let finer: Float32Array = diff;
  for (let k = 0; k <= BAND_SIGMAS.length; k++) {
    const coarser = k < BAND_SIGMAS.length ? weightedBlur(diff, channels, inside, width, height, BAND_SIGMAS[k]).values : null;
    // A band spans the scales between its two Gaussians; its mask is blurred to the finer one.
    const scale = k === 0 ? 0 : BAND_SIGMAS[k - 1];
    const mask = Float64Array.from(scale < o.rimToneSigma ? detailMask : toneMask);
    if (scale > 0) blurPlane(mask, width, height, scale);
    for (let p = 0; p < n; p++) {
      if (!inside[p]) continue;
      for (let c = 0; c < channels; c++) {
        const i = p * channels + c;
        out[i] += mask[p] * (finer[i] - (coarser ? coarser[i] : 0));
      }
    }
    if (coarser) finer = coarser;
  }
  return out;
}
