/**
 * Hair's cast shadow and hair-darkened skin on the forehead. A fringe or a cap's brim shades the
 * strip of forehead under it: under one light a shadow scales the skin's colour (darker, the same
 * chromaticity), and dark hair mixed into a pixel adds little chroma of its own, so neither a
 * colour model nor a two-class cut tells them from shaded skin, and both reach A_D as a dark band
 * de-lighting's smooth shading cannot explain (its shading follows the surface normal, not an
 * occluder's shadow). A pixel joined to the hair (through pixels of the same kind) that is darker
 * than the clean skin's own lightness range (3 robust σ of log luma below its median, measured on
 * the mid-face, where no fringe reaches) is not clean skin: it is treated as unseen and filled.
 * A shadow's edge is soft (a penumbra; thin strand tips the same): from the core found that way
 * the label goes on through joined pixels whose lightness the shadow's own model (the core's
 * median and spread) explains better than the clean skin's, so a shallow shadow whose middle lies
 * inside skin's 3σ is not cut off at an arbitrary depth, and a deep one does not spread into lit skin.
 * Log luma: a shadow multiplies the light, so its darkening is a shift in log luma whatever the skin.
 */

import { median } from "./reference-pixels.ts";

/** Robust σ per normal spread: MAD × 1.4826 (consistent for a Gaussian). */
const MAD_TO_SIGMA = 1.4826;
/** Skin σ below the median from which a pixel is darker than the skin's own shading range (3σ: 0.13 % of clean skin one-sided). */
const SKIN_SIGMAS = 3;
/** Reference pixels needed to trust the skin's lightness model. */
const MIN_REFERENCE = 30;
/** Core shadow pixels needed to model the shadow's own lightness (as the reference's minimum). */
const MIN_SHADOW = 30;
/** Luma floor for the log (sRGB-coded 0..1): a black pixel stays finite. */
const LUMA_FLOOR = 1e-3;

export interface CastShadowInput {
  /** Luma per window pixel (sRGB-coded, 0..1). */
  luma: (i: number) => number;
  width: number;
  height: number;
  /** 1 where a pixel may be labelled (the forehead above the brows, inside the oval). */
  domain: Uint8Array;
  /** 1 (or ≥ 0.5) where the pixel is already not skin (hair, the cut's label): where the growth starts. */
  notSkin: ArrayLike<number>;
  /** Clean skin pixels (the mid-face's skin seeds): the lightness reference. */
  reference: number[];
}

/**
 * 1 where a domain pixel is 4-connected to not-skin through domain pixels all darker than the
 * clean skin's lightness range, and, from those, through darker-than-skin pixels likelier under the
 * shadow's lightness model than the skin's; null when there are too few reference pixels.
 */
export function castShadow(input: CastShadowInput): Uint8Array | null {
  const { width: w, height: h, domain, notSkin } = input;
  if (input.reference.length < MIN_REFERENCE) return null;
  const logL = (i: number) => Math.log(Math.max(LUMA_FLOOR, input.luma(i)));
  const ref = input.reference.map(logL);
  const mid = median(ref);
  const sigma = MAD_TO_SIGMA * median(ref.map((v) => Math.abs(v - mid)));
  const limit = mid - SKIN_SIGMAS * sigma;
  const out = new Uint8Array(w * h);
  const queue: number[] = [];
  const neighbours = (p: number): number[] => {
    const x = p % w, y = (p - x) / w;
    return [x > 0 ? p - 1 : -1, x + 1 < w ? p + 1 : -1, y > 0 ? p - w : -1, y + 1 < h ? p + w : -1];
  };
  const grow = (dark: (l: number) => boolean) => {
    for (let k = 0; k < queue.length; k++) {
      for (const q of neighbours(queue[k])) {
        if (q < 0 || out[q] || !domain[q] || notSkin[q] >= 0.5 || !dark(logL(q))) continue;
        out[q] = 1;
        queue.push(q);
      }
    }
  };
  const beyondSkin = (l: number) => l < limit;
  // Start from domain pixels that touch not-skin.
  for (let p = 0; p < w * h; p++) {
    if (!domain[p] || notSkin[p] >= 0.5 || !beyondSkin(logL(p))) continue;
    if (neighbours(p).some((q) => q >= 0 && notSkin[q] >= 0.5)) (out[p] = 1), queue.push(p);
  }
  grow(beyondSkin);
  // The shadow's penumbra and thinner hair mixtures: from the core found beyond the skin's range, on
  // through pixels likelier under the shadow's own lightness model than under the clean skin's
  // (two Gaussian classes in log luma, equal priors), still darker than the skin's median.
  if (queue.length >= MIN_SHADOW) {
    const core = queue.map(logL);
    const shadowMid = median(core);
    const shadowSigma = Math.max(sigma, MAD_TO_SIGMA * median(core.map((v) => Math.abs(v - shadowMid))));
    const logLik = (l: number, m: number, s: number) => -0.5 * ((l - m) / s) ** 2 - Math.log(s);
    const shadowLikelier = (l: number) => l < mid && logLik(l, shadowMid, shadowSigma) > logLik(l, mid, sigma);
    grow(shadowLikelier);
  }
  return out;
}
