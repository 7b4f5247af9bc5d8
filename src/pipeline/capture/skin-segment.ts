/**
 * Skin vs. whatever lies on it, per photo, GrabCut-style (Rother, Kolmogorov, Blake 2004): two
 * colour models (Gaussian mixtures over the face's YCC) seeded from pixels capture is already sure
 * about (the face's own skin; the hair above the forehead and clear non-skin inside the oval),
 * then a minimum graph cut that trades each pixel's likelihood ratio against a contrast-sensitive
 * smoothness term, and a second round with the mixtures re-fitted to the cut. A lone threshold on a
 * skin model misses dark strands whose chroma is skin's; the second model and the contrast term
 * find them where their edges are.
 */
import { solveSpd } from "../../render/sh.ts";
import { gridCut } from "./grid-cut.ts";
import { growMixedPixels } from "./mixed-pixels.ts";

export interface SkinSegmentOptions {
  /** Gaussian components per colour model. */
  components?: number;
  /** Weight of the contrast-sensitive smoothness term (GrabCut's γ = 50). */
  smoothness?: number;
  /** GrabCut rounds: fit the mixtures, cut, re-fit to the cut. */
  rounds?: number;
  /** Seed pixels per model at most (an even subsample beyond). */
  maxSamples?: number;
  /** Cells across the working grid's long side at most (larger windows are box-averaged; 512 was tried: see docs/evaluation.md, clean skin third pass). */
  maxGrid?: number;
  /** Also label not skin the mixed hair/skin cells joined to the hair (mixed-pixels.ts); needs `fixedOther`. */
  growMixed?: boolean;
}

export const SKIN_SEGMENT_DEFAULTS: Required<SkinSegmentOptions> = {
  components: 4,
  smoothness: 50,
  rounds: 2,
  maxSamples: 6000,
  maxGrid: 256,
  growMixed: true,
};

export interface SkinSegmentInput {
  /** Window colours, 3 per pixel (YCC-like: luma and two chroma differences). */
  ycc: Float32Array;
  width: number;
  height: number;
  /** 1 where the label is decided (the face oval minus eyes, brows, mouth); elsewhere ignored. */
  domain: Uint8Array;
  /** Pixels (window indices) known to be skin. */
  skinSeeds: number[];
  /**
   * Skin seeds where scalp hair seldom lies (the mid-face), the reference a hair/skin mixture is
   * told from (mixed-pixels.ts); default `skinSeeds`. Seeds next to a fringe include its tips and
   * its shadow, which widen the skin's spread until no mixture is found.
   */
  cleanSkinSeeds?: number[];
  /** Pixels known not to be skin (hair above the forehead, clear occluders). */
  otherSeeds: number[];
  /**
   * Pixels the cut must label not skin whatever their colour (GrabCut's hard background: the hair
   * above the forehead). Through the contrast term they carry the label along weak edges, so a
   * fringe joined to the hair is cut where it meets the forehead's skin, not where the face oval
   * happens to end.
   */
  fixedOther?: number[];
  /**
   * Optional per-pixel texture planes (e.g. local relative contrast, strand orientation), further
   * features of both mixtures after colour: hair is oriented strands and gaps, skin is smooth and
   * isotropic, where their colours are alike (blonde strands, light or mixed tips over a forehead).
   */
  textures?: Float32Array[];
}

/** One Gaussian: weight, mean, inverse covariance, log normaliser. */
interface Gauss {
  w: number;
  mean: number[];
  inv: number[];
  logNorm: number;
}

/** A unary cost no sum of smoothness terms can outweigh (a hard label). */
const HARD = 1e9;
const REG = 1e-4; // covariance ridge (colour units²): a flat patch would otherwise give a singular Gaussian

function fitGauss(x: Float32Array, D: number, idx: number[], total: number): Gauss | null {
  if (idx.length < D + 1) return null;
  const m = new Array(D).fill(0);
  for (const i of idx) for (let c = 0; c < D; c++) m[c] += x[D * i + c];
  for (let c = 0; c < D; c++) m[c] /= idx.length;
  const cov = new Float64Array(D * D);
  const d = new Float64Array(D);
  for (const i of idx) {
    for (let c = 0; c < D; c++) d[c] = x[D * i + c] - m[c];
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) cov[D * a + b] += d[a] * d[b];
  }
  for (let k = 0; k < D * D; k++) cov[k] = cov[k] / idx.length + (k % (D + 1) === 0 ? REG : 0);
  // Inverse column by column; the first solve leaves the Cholesky factor, whose diagonal gives log det.
  const inv = new Array(D * D).fill(0);
  let logDet = 0;
  try {
    for (let c = 0; c < D; c++) {
      const factor = Float64Array.from(cov);
      const col = solveSpd(factor, Float64Array.from({ length: D }, (_, k) => (k === c ? 1 : 0)), D);
      for (let r = 0; r < D; r++) inv[D * r + c] = col[r];
      if (c === 0) for (let j = 0; j < D; j++) logDet += 2 * Math.log(factor[j * D + j]);
    }
  } catch {
    return null;
  }
  return { w: idx.length / total, mean: m, inv, logNorm: -0.5 * logDet - (D / 2) * Math.log(2 * Math.PI) };
}

function logDensity(model: Gauss[], x: Float32Array, D: number, i: number): number {
  let best = -Infinity;
  const terms: number[] = [];
  for (const g of model) {
    let q = 0;
    for (let a = 0; a < D; a++) {
      const da = x[D * i + a] - g.mean[a];
      let row = 0;
      for (let b = 0; b < D; b++) row += g.inv[D * a + b] * (x[D * i + b] - g.mean[b]);
      q += da * row;
    }
    const t = Math.log(g.w) + g.logNorm - 0.5 * q;
    terms.push(t);
    if (t > best) best = t;
  }
  let s = 0;
  for (const t of terms) s += Math.exp(t - best);
  return best + Math.log(s);
}

/**
 * A K-component mixture of the pixels `idx`: deterministic k-means from luma quantiles, then one
 * Gaussian per cluster (GrabCut's hard-assignment fit).
 */
function fitMixture(x: Float32Array, D: number, idx: number[], K: number): Gauss[] {
  const byLuma = [...idx].sort((a, b) => x[D * a] - x[D * b] || a - b);
  let centres = Array.from({ length: K }, (_, k) => {
    const i = byLuma[Math.floor(((k + 0.5) / K) * byLuma.length)];
    return Array.from(x.subarray(D * i, D * i + D));
  });
  let assign = new Int32Array(idx.length);
  const dist2 = (i: number, c: number[]) => {
    let s = 0;
    for (let k = 0; k < D; k++) s += (x[D * i + k] - c[k]) ** 2;
    return s;
  };
  for (let iter = 0; iter < 6; iter++) {
    assign = Int32Array.from(idx, (i) => {
      let best = 0, bd = Infinity;
      centres.forEach((c, k) => {
        const d = dist2(i, c);
        if (d < bd) (bd = d), (best = k);
      });
      return best;
    });
    centres = centres.map((c, k) => {
      const s = new Array(D).fill(0);
      let n = 0;
      idx.forEach((i, j) => {
        if (assign[j] !== k) return;
        for (let ch = 0; ch < D; ch++) s[ch] += x[D * i + ch];
        n++;
      });
      return n ? s.map((v) => v / n) : c;
    });
  }
  const model: Gauss[] = [];
  for (let k = 0; k < K; k++) {
    const g = fitGauss(x, D, idx.filter((_, j) => assign[j] === k), idx.length);
    if (g) model.push(g);
  }
  if (model.length === 0) {
    const g = fitGauss(x, D, idx, idx.length);
    if (g) model.push(g);
  }
  return model;
}

const subsample = (idx: number[], max: number) => {
  const step = Math.max(1, Math.ceil(idx.length / max));
  return step === 1 ? idx : idx.filter((_, k) => k % step === 0);
};

/**
 * Per window pixel: 1 where the cut says "not skin" inside the domain, 0 elsewhere. Returns null
 * when either model has too few seeds to be fitted (nothing to tell skin from).
 *
 *   const notSkin = segmentSkin({ ycc, width, height, domain, skinSeeds, otherSeeds });
 */
export function segmentSkin(input: SkinSegmentInput, options: SkinSegmentOptions = {}): Float32Array | null {
  const o = { ...SKIN_SEGMENT_DEFAULTS, ...options };
  const { width: w, height: h, ycc, domain } = input;
  if (input.skinSeeds.length < 30 || input.otherSeeds.length < 30) return null;

  // Working grid: box-averaged cells when the window is large.
  const f = Math.max(1, Math.ceil(Math.max(w, h) / o.maxGrid));
  const gw = Math.ceil(w / f), gh = Math.ceil(h / f), gn = gw * gh;
  // Per cell the mean colour and, when given, the mean textures: the mixtures' features (D of them).
  const textures = input.textures ?? [];
  const D = 3 + textures.length;
  const feat = new Float32Array(gn * D);
  const g = new Float32Array(gn * 3);
  const gDomain = new Uint8Array(gn);
  const count = new Float32Array(gn), inDomain = new Float32Array(gn);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x, c = Math.floor(y / f) * gw + Math.floor(x / f);
    for (let k = 0; k < 3; k++) g[3 * c + k] += ycc[3 * i + k];
    for (let t = 0; t < textures.length; t++) feat[D * c + 3 + t] += textures[t][i];
    count[c]++;
    inDomain[c] += domain[i];
  }
  for (let c = 0; c < gn; c++) {
    for (let k = 0; k < 3; k++) g[3 * c + k] /= Math.max(1, count[c]);
    for (let k = 0; k < 3; k++) feat[D * c + k] = g[3 * c + k];
    for (let k = 3; k < D; k++) feat[D * c + k] /= Math.max(1, count[c]);
    gDomain[c] = inDomain[c] * 2 > count[c] ? 1 : 0;
  }
  const cellOf = (i: number) => Math.floor(Math.floor(i / w) / f) * gw + Math.floor((i % w) / f);
  const dedupe = (a: number[]) => [...new Set(a.map(cellOf))].sort((p, q) => p - q);
  let skinIdx = subsample(dedupe(input.skinSeeds), o.maxSamples);
  const otherFixed = subsample(dedupe(input.otherSeeds), o.maxSamples);
  let otherIdx = otherFixed;
  const hard = new Uint8Array(gn);
  for (const i of input.fixedOther ?? []) if (gDomain[cellOf(i)]) hard[cellOf(i)] = 1;

  // Contrast scale β = 1 / (2 ⟨|Δx|²⟩) over the domain's neighbour pairs.
  let sum = 0, pairs = 0;
  const diff2 = (a: number, b: number) => (g[3 * a] - g[3 * b]) ** 2 + (g[3 * a + 1] - g[3 * b + 1]) ** 2 + (g[3 * a + 2] - g[3 * b + 2]) ** 2;
  for (let c = 0; c < gn; c++) {
    if (!gDomain[c]) continue;
    if ((c % gw) + 1 < gw && gDomain[c + 1]) (sum += diff2(c, c + 1)), pairs++;
    if (c + gw < gn && gDomain[c + gw]) (sum += diff2(c, c + gw)), pairs++;
  }
  const beta = pairs > 0 && sum > 0 ? pairs / (2 * sum) : 0;
  const right = new Float64Array(gn), down = new Float64Array(gn);
  for (let c = 0; c < gn; c++) {
    if (!gDomain[c]) continue;
    if ((c % gw) + 1 < gw && gDomain[c + 1]) right[c] = o.smoothness * Math.exp(-beta * diff2(c, c + 1));
    if (c + gw < gn && gDomain[c + gw]) down[c] = o.smoothness * Math.exp(-beta * diff2(c, c + gw));
  }

  let labels: Uint8Array = new Uint8Array(gn);
  for (let round = 0; round < o.rounds; round++) {
    const skinModel = fitMixture(feat, D, skinIdx, o.components);
    const otherModel = fitMixture(feat, D, otherIdx, o.components);
    if (skinModel.length === 0 || otherModel.length === 0) return null;
    const costOne = new Float64Array(gn), costZero = new Float64Array(gn);
    for (let c = 0; c < gn; c++) {
      if (!gDomain[c]) continue;
      // Label 1 = not skin costs −log p(x | other), label 0 −log p(x | skin); only their
      // difference matters to the cut, so the smaller is taken as 0.
      const ls = logDensity(skinModel, feat, D, c), lo = logDensity(otherModel, feat, D, c);
      costOne[c] = Math.max(0, ls - lo);
      costZero[c] = hard[c] ? HARD : Math.max(0, lo - ls);
    }
    labels = gridCut({ width: gw, height: gh, costOne, costZero, right, down });
    // Re-fit: skin from the cut's skin, the other model from its non-skin plus the fixed seeds.
    const cutSkin: number[] = [], cutOther: number[] = [];
    for (let c = 0; c < gn; c++) if (gDomain[c]) (labels[c] ? cutOther : cutSkin).push(c);
    if (cutSkin.length >= 30) skinIdx = subsample(cutSkin, o.maxSamples);
    otherIdx = subsample([...new Set([...otherFixed, ...cutOther])].sort((p, q) => p - q), o.maxSamples);
  }
  const hairCells = [...new Set((input.fixedOther ?? []).map(cellOf))].filter((c) => gDomain[c]);
  if (o.growMixed) growMixedPixels({ feat, D, width: gw, height: gh, domain: gDomain, labels, skinCells: dedupe(input.cleanSkinSeeds ?? input.skinSeeds), hairCells });
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) if (domain[i]) out[i] = labels[cellOf(i)] && gDomain[cellOf(i)] ? 1 : 0;
  return out;
}
