/**
 * The camera's response (issue 14): a photo is not linear in the light. Cameras and phones encode
 * the sensor's radiance with a tone curve on top of (or instead of) the sRGB transfer function —
 * an S-shaped curve that raises mid-tone contrast, or a flatter one that lifts the shadows — and
 * de-lighting with the plain sRGB decoding turns that curve into a wrong albedo scale: a reference
 * near white (sclera, teeth) and skin in the mid-tones are compared through different slopes.
 *
 * The family. Real response curves occupy a small, smooth part of the space of monotonic curves
 * (Grossberg & Nayar 2004, "Modeling the space of camera response functions", IEEE PAMI
 * 26(10):1272–1282: the DoRF database of 201 measured curves and its low-parameter model EMoR; the
 * polynomial inverse responses of Mitsunaga & Nayar 1999, CVPR, are another such family). A face
 * photo gives one mid-tone level to read a curve on, so we keep one parameter: the photo's value x
 * is the sRGB encoding u of the radiance after a logit-linear contrast curve,
 *   logit(x) = k · logit(u),
 * pivoting at mid-grey with x(0) = 0 and x(1) = 1; k = 1 is plain sRGB, k > 1 an S-curve (toe and
 * shoulder, more mid-tone contrast), k < 1 a flat curve (lifted shadows, compressed highlights). It
 * is a sigmoid in log-odds, the shape of a film's characteristic curve and of the S-curves cameras
 * apply; near black it is the power x ≈ u^k, so it also covers a gamma off sRGB's.
 *
 * The estimate: shading consistency. One albedo under a smooth (2nd-order SH) irradiance gives
 * radiance ∝ irradiance; photographed through a curve the fit leaves a residual that grows with the
 * curve's deviation (a power of the shading is not a shading of the same light). For each k of a
 * grid the photo is linearised, the light and regional albedo are fitted (delight/fit.ts), and the
 * model is put back through the curve and compared with the photo in the photo's own units, so
 * that a curve which merely compresses the data (where the template misfits: deep shade,
 * highlights) does not win. The misfits become a profile likelihood, times a prior on ln k around
 * sRGB; the posterior mean and σ of ln k are reported.
 * Where the shading is weak (flat light) the data barely move the prior: sRGB decides, and says so.
 *
 * The second cue: edge colour mixtures over the whole photo, background included
 * (delight/response-edges.ts), independent of the face's geometry and of the template's misfit.
 * Both are likelihoods over the same k; the posterior is their product with the prior, on a grid
 * four times finer than the shading's (the shading's log-likelihood interpolated between its fits:
 * each costs a lighting fit, an edge evaluation costs little). Each cue's share of the posterior
 * precision says which decided.
 */
import { LUMA_709, linearToSrgb } from "../../primitives/color.ts";
import { evaluateShImage } from "../../render/sh.ts";
import type { CameraResponseEstimate } from "../../types.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import { fitLighting, smoothAlbedoAt, type LightingFitOptions } from "./fit.ts";
import { baseTexels, type DelightMaps } from "./maps.ts";
import { photoValueOfRadiance, relinearise } from "./response-curve.ts";
import { edgeLikelihood } from "./response-edges.ts";

export { photoValueOfRadiance, radianceOfPhotoValue, relinearise } from "./response-curve.ts";

/**
 * σ of ln k of the prior: how far a camera's mid-tone contrast strays from sRGB's. An assumption,
 * not a measured spread: the DoRF curves [Grossberg & Nayar 2004] span roughly gamma 0.6…1.6
 * around the sRGB-like mean; ±0.2 in ln k is ±22 % of contrast.
 */
export const RESPONSE_PRIOR_SIGMA_LN = 0.2;
/** The contrast grid searched, ln k from −0.5 to 0.5 (k 0.61…1.65), in steps of 0.1. */
const LN_K_GRID = Array.from({ length: 11 }, (_, i) => -0.5 + 0.1 * i);
/** The posterior's grid: ln k in steps of 0.025 over the shading grid's range. */
const LN_K_FINE = Array.from({ length: 41 }, (_, i) => -0.5 + 0.025 * i);
/** A cue whose share of the posterior precision is at least this decided (with the others that pass). */
const DECIDING_SHARE = 0.25;
/** The grid's fits are lighter than delight's own (a shape of the residual is wanted, not the light): at most this many texels, this many rounds. */
const GRID_FIT = { maxSamples: 2048, iterations: 4 };

/**
 * How far the lighting model, fitted on the photo linearised under contrast k, misses the photo in
 * the photo's own units: the model's radiance is put back through the curve and compared with the
 * photo value, a robust (MAD) variance over the fitted texels. Measured in photo units, a curve
 * that compresses the data's ends does not shrink the misfit there by itself.
 */
function photoMisfit(input: DelightMaps, weight: Float32Array, k: number, fitOptions: LightingFitOptions): { variance: number; samples: number } {
  const { width, height, n, AO } = baseTexels(input);
  const T = relinearise(input.textureBase.data, k, true);
  const fit = fitLighting({ width, height, texture: T, normals: input.normalsObject.data, occlusion: AO, weight, regions: input.regions?.weights.data ?? null }, fitOptions);
  const E = evaluateShImage(fit.irradiance, input.normalsObject.data, n);
  const regions = input.regions?.weights.data ?? null;
  const photo = input.textureBase.data;
  const smooth = [0, 0, 0];
  const resid: number[] = [];
  const w: number[] = [];
  const map = new Float32Array(n).fill(NaN);
  for (let p = 0; p < n; p++) {
    if (weight[p] <= 0) continue;
    smoothAlbedoAt(fit, regions, p, smooth);
    let d = 0;
    for (let c = 0; c < 3; c++) {
      const model = (smooth[c] * AO[p] * E[p * 3 + c]) / Math.PI;
      d += LUMA_709[c] * (photoValueOfRadiance(model, k) - linearToSrgb(photo[p * 3 + c]));
    }
    resid.push(d);
    w.push(weight[p]);
    map[p] = d;
  }
  const m = weightedMedian(resid, w);
  const mad = weightedMedian(resid.map((x) => Math.abs(x - m)), w);
  return { variance: Math.max(mad ** 2, 1e-12), samples: effectiveSamples(map, width, height, m, mad, resid.length) };
}

/**
 * Independent residuals among `count` correlated ones: neighbouring texels share the upscaled
 * photo's pixels and the template's geometry error, so the residual is a correlated field. With
 * lag-one autocorrelations ρx, ρy (residuals clipped at 3 robust σ), a first-order autoregressive
 * field's variance of the mean is that of count · Π (1 − ρ) / (1 + ρ) independent samples.
 */
function effectiveSamples(map: Float32Array, width: number, height: number, centre: number, mad: number, count: number): number {
  const cap = 3 * 1.4826 * Math.max(mad, 1e-9);
  const at = (x: number, y: number) => {
    const v = map[y * width + x];
    return Number.isNaN(v) ? NaN : Math.max(-cap, Math.min(cap, v - centre));
  };
  const lagOne = (dx: number, dy: number) => {
    let num = 0;
    let den = 0;
    for (let y = 0; y + dy < height; y++) {
      for (let x = 0; x + dx < width; x++) {
        const a = at(x, y);
        const b = at(x + dx, y + dy);
        if (Number.isNaN(a) || Number.isNaN(b)) continue;
        num += a * b;
        den += 0.5 * (a * a + b * b);
      }
    }
    return den > 0 ? Math.min(0.999, Math.max(0, num / den)) : 0;
  };
  const inflation = [lagOne(1, 0), lagOne(0, 1)].reduce((f, r) => f * ((1 - r) / (1 + r)), 1);
  return Math.max(1, count * inflation);
}

/**
 * Estimates the camera's contrast k: the posterior over a grid of the shading-consistency profile
 * likelihood on the fitted skin texels (`weight`, the lighting fit's weight map), the edge-mixture
 * likelihood of the photo's edges (`input.edgeMixtures`, where given) and the prior.
 */
export function estimateResponse(input: DelightMaps, weight: Float32Array, fitOptions: LightingFitOptions): CameraResponseEstimate {
  const gridOptions = { ...fitOptions, maxSamples: Math.min(fitOptions.maxSamples, GRID_FIT.maxSamples), iterations: Math.min(fitOptions.iterations, GRID_FIT.iterations) };
  const misfits = LN_K_GRID.map((lnK) => photoMisfit(input, weight, Math.exp(lnK), gridOptions));
  const shares = misfits.map((m) => m.variance);
  // The residual's correlation read at plain sRGB (the grid's centre), the same count for every k.
  const samples = misfits[5].samples;
  // Gaussian residuals: the profile log-likelihood of a residual variance J is −(N/2)·ln J.
  const shadingCoarse = shares.map((J) => -(samples / 2) * Math.log(J));
  const shading = LN_K_FINE.map((lnK) => interpolate(LN_K_GRID, shadingCoarse, lnK));
  const edges = edgeLikelihood(input.edgeMixtures, LN_K_FINE);
  const prior = LN_K_FINE.map((lnK) => -(lnK * lnK) / (2 * RESPONSE_PRIOR_SIGMA_LN ** 2));
  const all = posterior(LN_K_FINE.map((_, i) => shading[i] + edges.logLikelihood[i] + prior[i]));
  const alone = { shading: posterior(shading.map((v, i) => v + prior[i])), edges: posterior(edges.logLikelihood.map((v, i) => v + prior[i])) };
  // A cue's share of the posterior precision: what it adds to the prior's, over the whole.
  const precision = (sigma: number) => 1 / Math.max(sigma, 1e-3) ** 2;
  const priorPrecision = precision(RESPONSE_PRIOR_SIGMA_LN);
  const shareOf = (sigma: number) => Math.min(1, Math.max(0, precision(sigma) - priorPrecision) / precision(all.sigma));
  const cueShares = { shading: shareOf(alone.shading.sigma), edges: edges.patches ? shareOf(alone.edges.sigma) : 0 };
  const names = { shading: "shading consistency", edges: "edge mixtures" } as const;
  const deciding = (["shading", "edges"] as const).filter((c) => cueShares[c] >= DECIDING_SHARE).map((c) => names[c]);
  const best = shares.indexOf(Math.min(...shares));
  return {
    family: "logit-contrast on sRGB",
    contrast: Math.exp(all.mean),
    sigmaLn: all.sigma,
    decided: deciding.length ? deciding.join(" + ") : "prior (sRGB)",
    bestContrastByShading: Math.exp(LN_K_GRID[best]),
    photoMisfit: { atSrgb: shares[5], atEstimate: Math.min(...shares) },
    cues: {
      shading: { contrast: Math.exp(alone.shading.mean), sigmaLn: alone.shading.sigma, share: cueShares.shading },
      edges: { contrast: Math.exp(alone.edges.mean), sigmaLn: alone.edges.sigma, share: cueShares.edges, crossings: edges.patches, edges: edges.edges },
    },
  };
}

/** Mean and σ of ln k of a log-posterior on LN_K_FINE. */
function posterior(logPost: number[]): { mean: number; sigma: number } {
  const top = Math.max(...logPost);
  const p = logPost.map((v) => Math.exp(v - top));
  const z = p.reduce((s, v) => s + v, 0);
  const mean = LN_K_FINE.reduce((s, v, i) => s + (v * p[i]) / z, 0);
  const sigma = Math.sqrt(LN_K_FINE.reduce((s, v, i) => s + ((v - mean) ** 2 * p[i]) / z, 0));
  return { mean, sigma };
}

/** Linear interpolation of y over the increasing grid xs at x (held at the ends). */
function interpolate(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  for (let i = 1; i < xs.length; i++) {
    if (x <= xs[i]) return ys[i - 1] + ((x - xs[i - 1]) / (xs[i] - xs[i - 1])) * (ys[i] - ys[i - 1]);
  }
  return ys[ys.length - 1];
}

/** The response taken as given (a fixed contrast k, 1 = plain sRGB): no estimate. */
export function fixedResponse(k: number): CameraResponseEstimate {
  return { family: "logit-contrast on sRGB", contrast: k, sigmaLn: 0, decided: "fixed", bestContrastByShading: null, photoMisfit: null, cues: null };
}
