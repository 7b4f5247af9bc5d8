/**
 * Skin vs. whatever lies on it, per photo, GrabCut-style (Rother, Kolmogorov, Blake 2004): two
 * colour models (Gaussian mixtures over the face's YCC) seeded from pixels capture is already sure
 * about (the face's own skin; the hair above the forehead and clear non-skin inside the oval),
 * then a minimum graph cut that trades each pixel's likelihood ratio against a contrast-sensitive
 * smoothness term, and a second round with the mixtures re-fitted to the cut. A lone threshold on a
 * skin model misses dark strands whose chroma is skin's; the second model and the contrast term
 * find them where their edges are.
 */
import { gridCut } from "./grid-cut.ts";

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
}

export const SKIN_SEGMENT_DEFAULTS: Required<SkinSegmentOptions> = {
  components: 4,
  smoothness: 50,
  rounds: 2,
  maxSamples: 6000,
  maxGrid: 256,
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
  /** Pixels known not to be skin (hair above the forehead, clear occluders). */
  otherSeeds: number[];
}

/** One Gaussian: weight, mean, inverse covariance, log normaliser. */
interface Gauss {
  w: number;
  mean: number[];
  inv: number[];
  logNorm: number;
}

const REG = 1e-4; // covariance ridge (colour units²): a flat patch would otherwise give a singular Gaussian

function fitGauss(x: Float32Array, idx: number[], total: number): Gauss | null {
  if (idx.length < 4) return null;
  const m = [0, 0, 0];
  for (const i of idx) for (let c = 0; c < 3; c++) m[c] += x[3 * i + c];
  for (let c = 0; c < 3; c++) m[c] /= idx.length;
  const s = new Array(9).fill(0);
  for (const i of idx) {
    const d = [x[3 * i] - m[0], x[3 * i + 1] - m[1], x[3 * i + 2] - m[2]];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s[3 * a + b] += d[a] * d[b];
  }
  for (let k = 0; k < 9; k++) s[k] = s[k] / idx.length + (k % 4 === 0 ? REG : 0);
  const [a, b, c, d, e, f, g, h, i] = s;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(det > 0)) return null;
  const inv = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((v) => v / det);
  return { w: idx.length / total, mean: m, inv, logNorm: -0.5 * Math.log(det) - 1.5 * Math.log(2 * Math.PI) };
}

function logDensity(model: Gauss[], x: Float32Array, i: number): number {
  let best = -Infinity;
  const terms: number[] = [];
  for (const g of model) {
    const d0 = x[3 * i] - g.mean[0], d1 = x[3 * i + 1] - g.mean[1], d2 = x[3 * i + 2] - g.mean[2];
    const q = d0 * (g.inv[0] * d0 + g.inv[1] * d1 + g.inv[2] * d2) + d1 * (g.inv[3] * d0 + g.inv[4] * d1 + g.inv[5] * d2) + d2 * (g.inv[6] * d0 + g.inv[7] * d1 + g.inv[8] * d2);
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
function fitMixture(x: Float32Array, idx: number[], K: number): Gauss[] {
  const byLuma = [...idx].sort((a, b) => x[3 * a] - x[3 * b] || a - b);
  let centres = Array.from({ length: K }, (_, k) => {
    const i = byLuma[Math.floor(((k + 0.5) / K) * byLuma.length)];
    return [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
  });
  let assign = new Int32Array(idx.length);
  for (let iter = 0; iter < 6; iter++) {
    assign = Int32Array.from(idx, (i) => {
      let best = 0, bd = Infinity;
      centres.forEach((c, k) => {
        const d = (x[3 * i] - c[0]) ** 2 + (x[3 * i + 1] - c[1]) ** 2 + (x[3 * i + 2] - c[2]) ** 2;
        if (d < bd) (bd = d), (best = k);
      });
      return best;
    });
    centres = centres.map((c, k) => {
      const s = [0, 0, 0];
      let n = 0;
      idx.forEach((i, j) => {
        if (assign[j] !== k) return;
        for (let ch = 0; ch < 3; ch++) s[ch] += x[3 * i + ch];
        n++;
      });
      return n ? s.map((v) => v / n) : c;
    });
  }
  const model: Gauss[] = [];
  for (let k = 0; k < K; k++) {
    const g = fitGauss(x, idx.filter((_, j) => assign[j] === k), idx.length);
    if (g) model.push(g);
  }
  if (model.length === 0) {
    const g = fitGauss(x, idx, idx.length);
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
  const g = new Float32Array(gn * 3);
  const gDomain = new Uint8Array(gn);
  const count = new Float32Array(gn), inDomain = new Float32Array(gn);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x, c = Math.floor(y / f) * gw + Math.floor(x / f);
    for (let k = 0; k < 3; k++) g[3 * c + k] += ycc[3 * i + k];
    count[c]++;
    inDomain[c] += domain[i];
  }
  for (let c = 0; c < gn; c++) {
    for (let k = 0; k < 3; k++) g[3 * c + k] /= Math.max(1, count[c]);
    gDomain[c] = inDomain[c] * 2 > count[c] ? 1 : 0;
  }
  const cellOf = (i: number) => Math.floor(Math.floor(i / w) / f) * gw + Math.floor((i % w) / f);
  const dedupe = (a: number[]) => [...new Set(a.map(cellOf))].sort((p, q) => p - q);
  let skinIdx = subsample(dedupe(input.skinSeeds), o.maxSamples);
  const otherFixed = subsample(dedupe(input.otherSeeds), o.maxSamples);
  let otherIdx = otherFixed;

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
    const skinModel = fitMixture(g, skinIdx, o.components);
    const otherModel = fitMixture(g, otherIdx, o.components);
    if (skinModel.length === 0 || otherModel.length === 0) return null;
    const costOne = new Float64Array(gn), costZero = new Float64Array(gn);
    for (let c = 0; c < gn; c++) {
      if (!gDomain[c]) continue;
      // Label 1 = not skin costs −log p(x | other), label 0 −log p(x | skin); only their
      // difference matters to the cut, so the smaller is taken as 0.
      const ls = logDensity(skinModel, g, c), lo = logDensity(otherModel, g, c);
      costOne[c] = Math.max(0, ls - lo);
      costZero[c] = Math.max(0, lo - ls);
    }
    labels = gridCut({ width: gw, height: gh, costOne, costZero, right, down });
    // Re-fit: skin from the cut's skin, the other model from its non-skin plus the fixed seeds.
    const cutSkin: number[] = [], cutOther: number[] = [];
    for (let c = 0; c < gn; c++) if (gDomain[c]) (labels[c] ? cutOther : cutSkin).push(c);
    if (cutSkin.length >= 30) skinIdx = subsample(cutSkin, o.maxSamples);
    otherIdx = subsample([...new Set([...otherFixed, ...cutOther])].sort((p, q) => p - q), o.maxSamples);
  }
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) if (domain[i]) out[i] = labels[cellOf(i)] && gDomain[cellOf(i)] ? 1 : 0;
  return out;
}
