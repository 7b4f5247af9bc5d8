/**
 * Joint estimate of the photo's lighting (2nd-order SH irradiance) and a smooth albedo (one colour
 * per facial region, blended by the soft region weights) from the seen texels of a UV texture.
 *
 * Model per texel x and channel c: I_c(x) = Ā_c(x) · AO(x) · E_c(n(x)) / π, with
 * E_c(n) = Σ_k e_ck Y_k(n) and Ā_c(x) = Σ_r w_r(x) a_rc. Bilinear in (e, a), so it alternates two
 * weighted least-squares solves, with Tukey (IRLS) weights on the relative residual so highlights,
 * cast shadows and hair are ignored. Each round also strips specular highlights from the data by
 * the dichromatic model with the texel's own smooth-albedo chroma (as estimators/delight.ts), so
 * a highlight's flanks, too faint for the robust weights, do not tint the light. The per-channel scale between albedo and light is ambiguous;
 * it is fixed by making the light's mean (band 0) colour neutral, i.e. assuming a white-balanced
 * photo; the absolute scale is left to the caller (mean albedo luminance 1 over the fitted texels).
 */
import { FACE_REGIONS } from "../../types.ts";
import { LUMA_709 } from "../../primitives/color.ts";
import { upperMedian } from "../../primitives/statistics.ts";
import { SH_BAND, SH_COUNT, shBasis, solveSpd } from "../../render/sh.ts";
import { toleranceRamp, unitLuminanceColour } from "../../estimators/delight.ts";

export interface LightingFitInput {
  width: number;
  height: number;
  /** Linear RGB, 3 channels, HWC. */
  texture: Float32Array;
  /** Unit object-space normals, 3 channels. */
  normals: Float32Array;
  /** Ambient occlusion 0..1, 1 channel. */
  occlusion: Float32Array;
  /** Per-texel fit weight 0..1 (confidence × skin); 0 = not used. */
  weight: Float32Array;
  /** Region weights (FACE_REGIONS.length channels) or null for a single albedo colour. */
  regions: Float32Array | null;
}

export interface LightingFitOptions {
  /** Alternation rounds (each: light solve, albedo solve, robust reweighting). */
  iterations: number;
  /** Tukey biweight constant, in robust standard deviations of the relative residual. */
  tukeyC: number;
  /** Ridge on band-1 / band-2 coefficients relative to the band-0 diagonal (keeps unseen directions near zero). */
  ridgeBand1: number;
  ridgeBand2: number;
  /** Ridge pulling each region's albedo toward the regions' data-weighted mean, relative to the region's own data weight. */
  regionRidge: number;
  /** Penalty on the light's colour varying with direction, relative to the band-0 data weight (large = one colour). */
  lightColorCoupling: number;
  /** At most this many texels (a regular subsample of the weighted ones) enter the fit. */
  maxSamples: number;
  /** Specular separation: tolerance (fraction of luminance) and brightness gate, as in DelightGraphParams. */
  specularTolerance: number;
  specularGate: number;
  /**
   * The highlight's colour in J = I/shade (any scale; absent: grey). A white surface under the light
   * reads 1/lightFs in J, so a warm light's highlight is warm in J; stripping it as grey leaves the
   * difference in the data the light and the regional albedo are fitted to.
   */
  highlightColour?: readonly number[];
}

export interface LightingFit {
  /** Irradiance coefficients e (27, k·3+c): E_c(n) = Σ_k e[k·3+c]·Y_k(n). */
  irradiance: Float64Array;
  /** Albedo per region (FACE_REGIONS then "other"), RGB, relative scale (mean luminance 1 over the fit). */
  regionAlbedo: Float64Array;
  /** Robust standard deviation of the relative residual at the end. */
  residualSigma: number;
  /** Fraction of the fit weight kept by the robust weights at the end. */
  inlierFraction: number;
  /** Number of texels with non-zero weight. */
  texelsUsed: number;
}

/** Number of albedo regions in the model: the named ones plus "other skin". */
export const MODEL_REGIONS = FACE_REGIONS.length + 1;

/** The fit's smooth albedo Ā at texel p (RGB into `out`), from the region colours and weights. */
export function smoothAlbedoAt(fit: Pick<LightingFit, "regionAlbedo">, regions: Float32Array | null, p: number, out: Float64Array | number[]): void {
  const w = new Float64Array(MODEL_REGIONS);
  regionWeights(regions, p, w);
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let r = 0; r < MODEL_REGIONS; r++) s += w[r] * fit.regionAlbedo[r * 3 + c];
    out[c] = s;
  }
}

/** Region weights of texel p, FACE_REGIONS then "other" (sums to 1). */
function regionWeights(regions: Float32Array | null, p: number, out: Float64Array): void {
  if (!regions) {
    out.fill(0);
    out[MODEL_REGIONS - 1] = 1;
    return;
  }
  let s = 0;
  for (let r = 0; r < FACE_REGIONS.length; r++) {
    const w = Math.max(0, regions[p * FACE_REGIONS.length + r]);
    out[r] = w;
    s += w;
  }
  if (s > 1) for (let r = 0; r < FACE_REGIONS.length; r++) out[r] /= s;
  out[MODEL_REGIONS - 1] = Math.max(0, 1 - s);
}

const median = upperMedian;

/**
 * Fits lighting and regional albedo; see the file header for the model. Each round: light solve,
 * albedo solve, gauge, specular strip, robust reweighting.
 * @throws when fewer than 50 texels carry weight (nothing to fit).
 */
export function fitLighting(input: LightingFitInput, options: LightingFitOptions): LightingFit {
  const s = initialState(input, sampleTexels(input, options.maxSamples));
  let best: LightingFit | null = null;
  for (let it = 0; it < options.iterations; it++) {
    updateAbar(s);
    solveLight(s, input.weight, options);
    updateShade(s);
    solveAlbedo(s, input.weight, options);
    fixGauge(s, input.weight);
    stripSpecular(s, input.texture, options);
    reweight(s, input.weight, options.tukeyC);
    if (lightsTheFittedSkin(s) && (!best || s.sigma < best.residualSigma)) best = snapshot(s);
  }
  // Alternating the two solves with Tukey reweighting does not always lower the robust scale of the
  // residual (a hard one-sided light, most of the face in deep shade: each round explains the data
  // worse, until the light turns negative). The estimate is the round that explained the data best,
  // as robust estimators select by their scale; a light that leaves the typical fitted texel unlit in
  // some channel is no light (irradiance is a non-negative integral) and never chosen.
  return best ?? snapshot(s);
}

function snapshot(s: FitState): LightingFit {
  return { irradiance: s.e.slice(), regionAlbedo: s.albedo.slice(), residualSigma: s.sigma, inlierFraction: s.inliers, texelsUsed: s.m };
}

/** Whether the current light's shading is positive in every channel at the median fitted texel. */
function lightsTheFittedSkin(s: FitState): boolean {
  const ch = new Float64Array(s.m);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < s.m; i++) ch[i] = s.shade[i * 3 + c];
    if (!(median(ch) > 0)) return false;
  }
  return true;
}

/** The fit's working state; i indexes the used texels. */
interface FitState {
  /** Texel index of each used texel. */
  used: Int32Array;
  m: number;
  /** Per used texel: SH basis × AO / π (SH_COUNT values). */
  basis: Float64Array;
  /** Per used texel: region weights (MODEL_REGIONS values). */
  rw: Float64Array;
  /** Albedo per region, RGB. */
  albedo: Float64Array;
  /** The data the solves see: the texture minus the specular found so far, RGB per used texel. */
  data: Float64Array;
  /** Irradiance coefficients, k·3 + c. */
  e: Float64Array;
  /** Tukey weight per used texel. */
  robust: Float64Array;
  /** Ā per used texel, RGB. */
  abar: Float64Array;
  /** AO·E/π per used texel, RGB. */
  shade: Float64Array;
  sigma: number;
  inliers: number;
}

/** The texels that enter the fit: a regular subsample of those with weight, at most `maxSamples`. */
function sampleTexels(input: LightingFitInput, maxSamples: number): Int32Array {
  const { width, height, weight } = input;
  const n = width * height;
  const candidates: number[] = [];
  for (let p = 0; p < n; p++) if (weight[p] > 0) candidates.push(p);
  if (candidates.length < 50) throw new Error(`delight: only ${candidates.length} seen skin texels to fit the lighting to (need ≥ 50)`);
  // Nine light coefficients and a few region colours need far fewer texels than a map has: a
  // regular subsample keeps the fit fast at any map size.
  const stride = Math.max(1, Math.ceil(candidates.length / maxSamples));
  return Int32Array.from(candidates.filter((_, i) => i % stride === 0));
}

/** Per used texel: SH basis × AO / π and region weights, computed once; albedo 1, no light yet. */
function initialState(input: LightingFitInput, used: Int32Array): FitState {
  const { texture, normals, occlusion, regions } = input;
  const m = used.length;
  const basis = new Float64Array(m * SH_COUNT);
  const rw = new Float64Array(m * MODEL_REGIONS);
  const tmp = new Float64Array(MODEL_REGIONS);
  for (let i = 0; i < m; i++) {
    const p = used[i];
    shBasis(normals[p * 3], normals[p * 3 + 1], normals[p * 3 + 2], basis, i * SH_COUNT);
    const ao = occlusion[p] / Math.PI;
    for (let k = 0; k < SH_COUNT; k++) basis[i * SH_COUNT + k] *= ao;
    regionWeights(regions, p, tmp);
    rw.set(tmp, i * MODEL_REGIONS);
  }
  const data = new Float64Array(m * 3);
  for (let i = 0; i < m; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = texture[used[i] * 3 + c];
  return {
    used,
    m,
    basis,
    rw,
    albedo: new Float64Array(MODEL_REGIONS * 3).fill(1),
    data,
    e: new Float64Array(27),
    robust: new Float64Array(m).fill(1),
    abar: new Float64Array(m * 3),
    shade: new Float64Array(m * 3),
    sigma: 0,
    inliers: 1,
  };
}

function updateAbar(s: FitState): void {
  const { m, rw, albedo, abar } = s;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let r = 0; r < MODEL_REGIONS; r++) sum += rw[i * MODEL_REGIONS + r] * albedo[r * 3 + c];
      abar[i * 3 + c] = sum;
    }
  }
}

function updateShade(s: FitState): void {
  const { m, e, basis, shade } = s;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < SH_COUNT; k++) sum += e[k * 3 + c] * basis[i * SH_COUNT + k];
      shade[i * 3 + c] = sum;
    }
  }
}

/**
 * Light: rows Ā_c·AO·Y/π per channel, solved jointly (27 unknowns) with a coupling penalty
 * λ·Σ_c |e_c − ē|² that keeps the light's colour near uniform across directions.
 */
function solveLight(s: FitState, weight: Float32Array, options: LightingFitOptions): void {
  const { m, used, robust, abar, data, basis, e } = s;
  const NN = 27;
  const A = new Float64Array(NN * NN);
  const b = new Float64Array(NN);
  for (let c = 0; c < 3; c++) {
    const o = c * SH_COUNT;
    for (let i = 0; i < m; i++) {
      const w = weight[used[i]] * robust[i];
      if (w <= 0) continue;
      const a = abar[i * 3 + c];
      const I = data[i * 3 + c];
      for (let k = 0; k < SH_COUNT; k++) {
        const fk = a * basis[i * SH_COUNT + k];
        b[o + k] += w * fk * I;
        for (let l = 0; l <= k; l++) A[(o + k) * NN + o + l] += w * fk * a * basis[i * SH_COUNT + l];
      }
    }
  }
  for (let k = 0; k < NN; k++) for (let l = 0; l < k; l++) A[l * NN + k] = A[k * NN + l];
  const d0 = (A[0] + A[SH_COUNT * NN + SH_COUNT] + A[2 * SH_COUNT * NN + 2 * SH_COUNT]) / 3 || 1;
  for (let c = 0; c < 3; c++) {
    for (let k = 1; k < SH_COUNT; k++) A[(c * SH_COUNT + k) * NN + c * SH_COUNT + k] += d0 * (SH_BAND[k] === 1 ? options.ridgeBand1 : options.ridgeBand2);
  }
  const lambda = d0 * options.lightColorCoupling;
  for (let c = 0; c < 3; c++) {
    for (let d = 0; d < 3; d++) {
      for (let k = 0; k < SH_COUNT; k++) A[(c * SH_COUNT + k) * NN + d * SH_COUNT + k] += lambda * ((c === d ? 1 : 0) - 1 / 3);
    }
  }
  const x = solveSpd(A, b, NN);
  for (let c = 0; c < 3; c++) for (let k = 0; k < SH_COUNT; k++) e[k * 3 + c] = x[c * SH_COUNT + k];
}

/** Albedo: per channel, rows w_r·AO·E/π, ridge toward the weighted mean. */
function solveAlbedo(s: FitState, weight: Float32Array, options: LightingFitOptions): void {
  const { m, used, robust, shade, data, rw, albedo } = s;
  for (let c = 0; c < 3; c++) {
    const A = new Float64Array(MODEL_REGIONS * MODEL_REGIONS);
    const b = new Float64Array(MODEL_REGIONS);
    let mean = 0;
    let total = 0;
    for (let r = 0; r < MODEL_REGIONS; r++) (mean += albedo[r * 3 + c]), total++;
    mean /= total;
    // A texel lies in a few regions: only its non-zero region weights add to A (a zero one adds ±0).
    const nonZero = new Int32Array(MODEL_REGIONS);
    for (let i = 0; i < m; i++) {
      const w = weight[used[i]] * robust[i];
      if (w <= 0) continue;
      const sh = shade[i * 3 + c];
      const I = data[i * 3 + c];
      let count = 0;
      for (let r = 0; r < MODEL_REGIONS; r++) if (rw[i * MODEL_REGIONS + r] !== 0) nonZero[count++] = r;
      for (let j = 0; j < count; j++) {
        const r = nonZero[j];
        const fr = rw[i * MODEL_REGIONS + r] * sh;
        if (fr === 0) continue;
        b[r] += w * fr * I;
        for (let k = 0; k < count; k++) {
          const q = nonZero[k];
          A[r * MODEL_REGIONS + q] += w * fr * rw[i * MODEL_REGIONS + q] * sh;
        }
      }
    }
    let trace = 0;
    let seenMean = 0;
    for (let r = 0; r < MODEL_REGIONS; r++) {
      trace += A[r * MODEL_REGIONS + r];
      seenMean += A[r * MODEL_REGIONS + r] * albedo[r * 3 + c];
    }
    // Each region's pull is relative to its own data weight, toward the mean weighted by the data
    // (the skin's, not an average over unseen regions). Scaled by the average region's weight
    // instead, a small region far from the mean (the lips of dark skin, 4–5 × its albedo) was
    // pulled toward it and the light bent to fit the lips' residual, which the camera-response
    // estimate read as an S-curve. A region nothing sees keeps the mean (a millionth of the
    // average weight is all its ridge has).
    if (trace > 0) mean = seenMean / trace;
    for (let r = 0; r < MODEL_REGIONS; r++) {
      const mu = options.regionRidge * A[r * MODEL_REGIONS + r] + 1e-6 * (trace / MODEL_REGIONS) + 1e-12;
      A[r * MODEL_REGIONS + r] += mu;
      b[r] += mu * mean;
    }
    const x = solveSpd(A, b, MODEL_REGIONS);
    for (let r = 0; r < MODEL_REGIONS; r++) albedo[r * 3 + c] = Math.max(1e-4, x[r]);
  }
}

/**
 * Gauge: neutral light (equal band-0 irradiance in every channel: a white-balanced photo), so the
 * albedo carries the colour; and mean albedo luminance 1 over the fit. Leaves Ā and the shade current.
 */
function fixGauge(s: FitState, weight: Float32Array): void {
  const { m, used, e, albedo, abar } = s;
  const dc = LUMA_709[0] * e[0] + LUMA_709[1] * e[1] + LUMA_709[2] * e[2];
  for (let c = 0; c < 3; c++) {
    const k = e[c] > 1e-9 ? dc / e[c] : 1;
    for (let j = 0; j < SH_COUNT; j++) e[j * 3 + c] *= k;
    for (let r = 0; r < MODEL_REGIONS; r++) albedo[r * 3 + c] /= k;
  }
  updateAbar(s);
  let sw = 0;
  let sa = 0;
  for (let i = 0; i < m; i++) {
    const w = weight[used[i]];
    sw += w;
    sa += w * (LUMA_709[0] * abar[i * 3] + LUMA_709[1] * abar[i * 3 + 1] + LUMA_709[2] * abar[i * 3 + 2]);
  }
  const g = sa / sw;
  for (let r = 0; r < MODEL_REGIONS * 3; r++) albedo[r] /= g;
  for (let j = 0; j < 27; j++) e[j] *= g;
  updateAbar(s);
  updateShade(s);
}

/** Specular: κ in J = I/shade against the texel's own smooth albedo chroma, gated by brightness; the data loses it. */
function stripSpecular(s: FitState, texture: Float32Array, options: LightingFitOptions): void {
  const { m, used, abar, shade, data } = s;
  // In the light's frame J/ĥ the highlight is grey: the test runs there and removes κ·ĥ.
  const h = options.highlightColour ? unitLuminanceColour(options.highlightColour) : [1, 1, 1];
  for (let i = 0; i < m; i++) {
    // dichromaticWeights(Ā) inlined (hot loop): u = Ā/|Ā|, w_c = (1 − (u·1)·u_c)/(3 − (u·1)²).
    const a0 = abar[i * 3] / h[0];
    const a1 = abar[i * 3 + 1] / h[1];
    const a2 = abar[i * 3 + 2] / h[2];
    const len = Math.hypot(a0, a1, a2);
    if (!(len > 0)) continue;
    const u0 = a0 / len;
    const u1 = a1 / len;
    const u2 = a2 / len;
    const uv = u0 + u1 + u2;
    const det = 3 - uv * uv;
    if (det < 1e-3) continue; // albedo too close to white to separate: leave the texel as it is
    const p = used[i];
    const J0 = texture[p * 3] / Math.max(shade[i * 3], 1e-4) / h[0];
    const J1 = texture[p * 3 + 1] / Math.max(shade[i * 3 + 1], 1e-4) / h[1];
    const J2 = texture[p * 3 + 2] / Math.max(shade[i * 3 + 2], 1e-4) / h[2];
    const kappa = ((1 - uv * u0) * J0 + (1 - uv * u1) * J1 + (1 - uv * u2) * J2) / det;
    const lumJ = LUMA_709[0] * J0 + LUMA_709[1] * J1 + LUMA_709[2] * J2;
    const lumA = LUMA_709[0] * a0 + LUMA_709[1] * a1 + LUMA_709[2] * a2;
    const gate = Math.min(1, Math.max(0, (lumJ / Math.max(lumA, 1e-4) - 1) / options.specularGate));
    const excess = kappa * toleranceRamp(kappa, options.specularTolerance * lumJ) * gate;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.max(0, texture[p * 3 + c] - excess * h[c] * shade[i * 3 + c]);
  }
}

/** Robust (Tukey) weights from the luminance of the relative residual; sets sigma and the inlier share. */
function reweight(s: FitState, weight: Float32Array, tukeyC: number): void {
  const { m, used, abar, shade, data, robust } = s;
  const rel = new Float64Array(m);
  const abs = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let num = 0;
    let den = 0;
    for (let c = 0; c < 3; c++) {
      const pred = abar[i * 3 + c] * shade[i * 3 + c];
      num += LUMA_709[c] * (data[i * 3 + c] - pred);
      den += LUMA_709[c] * pred;
    }
    rel[i] = num / Math.max(den, 1e-4);
    abs[i] = Math.abs(rel[i]);
  }
  s.sigma = Math.max(1.4826 * median(abs), 1e-3);
  const cut = tukeyC * s.sigma;
  let kept = 0;
  let all = 0;
  for (let i = 0; i < m; i++) {
    const u = rel[i] / cut;
    robust[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    kept += weight[used[i]] * robust[i];
    all += weight[used[i]];
  }
  s.inliers = kept / all;
}
