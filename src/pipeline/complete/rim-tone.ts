/**
 * The seen rim's tone from the well-seen face (issue 13, the temple line). Toward the silhouette the
 * photo sees the skin ever more obliquely, and what is read off it there is biased (darker and
 * yellower albedo at grazing angles: the shading model explains less of the fall-off than the photo
 * shows; docs/evaluation.md). Confidence fades with the facing ratio, but the fills normalise their
 * weights, so wherever nothing better is near, the rim's colour wins anyway: the fill beside it
 * continues it, and a band of the rim's tone runs along the temples between the face and the fill.
 *
 * Multi-band blending (Burt & Adelson 1983, "A multiresolution spline with application to image
 * mosaics"): the completion with the rim (A) and the completion from the well-seen texels only (B)
 * are split into Laplacian bands, and each band is blended with a mask blurred to that band's own
 * scale, so a low-frequency difference is spread over a width as large as its wavelength (no step
 * at any scale). Bands finer than `toneSigma` (the skin's texture) take A where the texel is seen at
 * all (confidence ramp minConfidence → seenLevel): the rim's pores and mottling stay. Coarser bands,
 * the tone, take A only where the texel is well seen (confidence ≥ seenLevel): the rim's tone is the
 * well-seen face's, extrapolated by the same mirror and hole fills as every other unseen texel.
 * Written as B + Σ_k M_k · band_k(A − B): the bands of the difference only, which is 0 over the
 * well-seen face and far out in the fill.
 */
import { blurPlane, weightedBlur } from "../../image/box-blur.ts";

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
}

/**
 * Blends `withRim` (A) into `fromCore` (B) band by band, returning a new array: detail bands weighted
 * by the seen ramp, tone bands by the well-seen mask, each mask blurred to its band's scale. `seen`
 * is the own-data weight per texel; `inside` (1 = inside a UV island) keeps the blurs off the gutters.
 */
export function blendRimTone(withRim: Float32Array, fromCore: Float32Array, seen: Float32Array, inside: Float32Array, width: number, height: number, channels: number, o: RimToneOptions): Float32Array {
  const n = width * height;
  const diff = Float32Array.from(withRim, (v, i) => v - fromCore[i]);
  const detailMask = Float64Array.from(seen, (c) => Math.min(1, Math.max(0, (c - o.minConfidence) / (o.seenLevel - o.minConfidence))));
  const toneMask = Float64Array.from(seen, (c) => (c >= o.seenLevel ? 1 : 0));
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
