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

import { solveSpd } from "../../render/sh.ts";
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

/** Tukey biweight constant in robust σ (95 % efficiency at the normal). */
const TUKEY_C = 4.685;
/** IRLS rounds of the forehead's shading fit. */
const FIT_ROUNDS = 8;

/**
 * The forehead's own shading: a quadratic in the window's coordinates fitted to the domain's log
 * luma by iteratively reweighted least squares with Tukey weights, so strands and a shadow's strip
 * (a minority, far below) and highlights do not pull it. Over the forehead (one facing, between the
 * brows' outer ends) a light's shading is smooth; a fringe's strands and its shadow are not.
 * σ is the spread of the residuals above the fit only: a shadow or hair only darkens skin, so the
 * lit half measures skin's own texture (a half-normal: σ = 1.4826 × its median); it is floored at
 * the clean skin's pixel-to-pixel spread. Null with fewer than MIN_REFERENCE domain pixels.
 */
function foreheadShading(logL: (i: number) => number, w: number, domain: Uint8Array, floor: number): { centre: (i: number) => number; sigma: number } | null {
  const idx: number[] = [];
  for (let i = 0; i < domain.length; i++) if (domain[i]) idx.push(i);
  const n = idx.length;
  if (n < MIN_REFERENCE) return null;
  let cx = 0, cy = 0;
  for (const i of idx) (cx += i % w), (cy += Math.floor(i / w));
  cx /= n;
  cy /= n;
  const scale = Math.max(1, Math.sqrt(n));
  const K = 6;
  const basisAt = (i: number, out: Float64Array, o: number) => {
    const u = ((i % w) - cx) / scale, v = (Math.floor(i / w) - cy) / scale;
    out[o] = 1;
    out[o + 1] = u;
    out[o + 2] = v;
    out[o + 3] = u * u;
    out[o + 4] = u * v;
    out[o + 5] = v * v;
  };
  const rows = new Float64Array(n * K);
  idx.forEach((i, k) => basisAt(i, rows, k * K));
  const values = Float64Array.from(idx, logL);
  let coef: Float64Array = new Float64Array(K);
  const residuals = new Float64Array(n);
  const updateResiduals = () => {
    for (let k = 0; k < n; k++) {
      let f = 0;
      for (let c = 0; c < K; c++) f += rows[k * K + c] * coef[c];
      residuals[k] = values[k] - f;
    }
  };
  // Start from the lighter half (a fringe's strands and its shadow may be a large minority), then
  // Tukey weights in the lit half's spread.
  const half = median(values);
  const weights = Float64Array.from(values, (v) => (v >= half ? 1 : 0));
  for (let round = 0; round < FIT_ROUNDS; round++) {
    const ata = new Float64Array(K * K), atb = new Float64Array(K);
    for (let k = 0; k < n; k++) {
      const wk = weights[k];
      if (wk <= 0) continue;
      for (let r = 0; r < K; r++) {
        const br = wk * rows[k * K + r];
        atb[r] += br * values[k];
        for (let c = 0; c < K; c++) ata[r * K + c] += br * rows[k * K + c];
      }
    }
    for (let r = 0; r < K; r++) ata[r * K + r] += 1e-6;
    try {
      coef = solveSpd(ata, atb, K);
    } catch {
      return null;
    }
    updateResiduals();
    const c = TUKEY_C * litSpread(residuals, floor);
    for (let k = 0; k < n; k++) weights[k] = Math.abs(residuals[k]) < c ? (1 - (residuals[k] / c) ** 2) ** 2 : 0;
  }
  const b = new Float64Array(K);
  const centre = (i: number) => {
    basisAt(i, b, 0);
    let f = 0;
    for (let c = 0; c < K; c++) f += b[c] * coef[c];
    return f;
  };
  return { centre, sigma: litSpread(residuals, floor) };
}

/** Spread of residuals from their lit side alone (a half-normal's σ = 1.4826 × its median), floored. */
function litSpread(residuals: Float64Array, floor: number): number {
  const above = residuals.filter((r) => r > 0);
  return Math.max(floor, above.length > 0 ? MAD_TO_SIGMA * median(above) : 0);
}

/**
 * Clean skin's pixel-to-pixel spread of log luma (horizontal neighbours among the reference:
 * differences remove smooth shading, and a difference of two pixels has √2 times one's spread).
 */
function fineSpread(logL: (i: number) => number, w: number, reference: number[]): number {
  const inRef = new Uint8Array(reference.reduce((m, i) => Math.max(m, i + 2), 0));
  for (const i of reference) inRef[i] = 1;
  const diffs: number[] = [];
  for (const i of reference) if (i % w + 1 < w && inRef[i + 1]) diffs.push(Math.abs(logL(i + 1) - logL(i)));
  return diffs.length > 0 ? (MAD_TO_SIGMA * median(diffs)) / Math.SQRT2 : 0;
}

/**
 * 1 where a domain pixel is 4-connected to not-skin through domain pixels all darker than the
 * clean skin's lightness range, and, from those, through darker-than-skin pixels likelier under the
 * shadow's lightness model than the skin's; null when there are too few reference pixels.
 * Skin's range is read two ways and either labels: the mid-face's clean skin (its median and
 * spread: a shadow over the whole forehead), and the forehead's own lit shading (foreheadShading: a
 * strip or strands darker than the forehead beside them, which the mid-face's spread, widened by
 * the nose's and cheeks' shading, takes in).
 */
export function castShadow(input: CastShadowInput): Uint8Array | null {
  const { width: w, domain } = input;
  if (input.reference.length < MIN_REFERENCE) return null;
  const logL = (i: number) => Math.log(Math.max(LUMA_FLOOR, input.luma(i)));
  const ref = input.reference.map(logL);
  const mid = median(ref);
  const sigma = MAD_TO_SIGMA * median(ref.map((v) => Math.abs(v - mid)));
  const zOf = (f: (i: number) => number) => {
    const z = new Float32Array(domain.length);
    for (let i = 0; i < domain.length; i++) if (domain[i]) z[i] = f(i);
    return z;
  };
  const out = grownShadow(input, zOf((i) => (logL(i) - mid) / sigma));
  const local = foreheadShading(logL, w, domain, fineSpread(logL, w, input.reference));
  if (local) {
    const byForehead = grownShadow(input, zOf((i) => (logL(i) - local.centre(i)) / local.sigma));
    for (let i = 0; i < out.length; i++) out[i] |= byForehead[i];
  }
  return out;
}

/**
 * The growth in one skin model's units (z: a pixel's log-luma distance from skin's expected value
 * in skin σ): from not-skin through domain pixels beyond SKIN_SIGMAS below, then on through pixels
 * below skin's centre likelier under the core's own model than under skin's (two Gaussian classes
 * in z, equal priors, the shadow's spread floored at skin's).
 */
function grownShadow(input: CastShadowInput, z: Float32Array): Uint8Array {
  const { width: w, height: h, domain, notSkin } = input;
  const out = new Uint8Array(w * h);
  const queue: number[] = [];
  const neighbours = (p: number): number[] => {
    const x = p % w, y = (p - x) / w;
    return [x > 0 ? p - 1 : -1, x + 1 < w ? p + 1 : -1, y > 0 ? p - w : -1, y + 1 < h ? p + w : -1];
  };
  const grow = (dark: (zi: number) => boolean) => {
    for (let k = 0; k < queue.length; k++) {
      for (const q of neighbours(queue[k])) {
        if (q < 0 || out[q] || !domain[q] || notSkin[q] >= 0.5 || !dark(z[q])) continue;
        out[q] = 1;
        queue.push(q);
      }
    }
  };
  const beyondSkin = (zi: number) => zi < -SKIN_SIGMAS;
  // Start from domain pixels that touch not-skin.
  for (let p = 0; p < w * h; p++) {
    if (!domain[p] || notSkin[p] >= 0.5 || !beyondSkin(z[p])) continue;
    if (neighbours(p).some((q) => q >= 0 && notSkin[q] >= 0.5)) (out[p] = 1), queue.push(p);
  }
  grow(beyondSkin);
  // The shadow's penumbra and thinner hair mixtures: from the core found beyond the skin's range, on
  // through pixels likelier under the shadow's own lightness model than under the clean skin's.
  if (queue.length >= MIN_SHADOW) {
    const core = queue.map((i) => z[i]);
    const shadowMid = median(core);
    const shadowSigma = Math.max(1, MAD_TO_SIGMA * median(core.map((v) => Math.abs(v - shadowMid))));
    const logLik = (zi: number, m: number, s: number) => -0.5 * ((zi - m) / s) ** 2 - Math.log(s);
    grow((zi) => zi < 0 && logLik(zi, shadowMid, shadowSigma) > logLik(zi, 0, 1));
  }
  return out;
}
