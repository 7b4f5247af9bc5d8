/**
 * Mixed hair/skin pixels next to hair. Where a fringe thins out, each pixel holds strands and the
 * skin between them; its colour lies between the skin's and the hair's (alpha matting's
 * compositing model, I = αH + (1 − α)S), closer to skin the thinner the strands, so a two-class cut
 * calls it skin. Any hair fraction clearly above 0 is not clean skin: a pixel joined to the hair
 * whose projection on the skin → hair axis lies beyond the skin's own spread (3 robust σ) is a
 * mixture and is labelled not skin, growing the hair label down the fringe's strands. Skin that is
 * merely shaded stays unless it touches the hair, and there its colour is hair-shadowed anyway.
 */
import { weightedMedian } from "../../primitives/statistics.ts";

/** Robust σ per normal spread: MAD × 1.4826 (consistent for a Gaussian). */
const MAD_TO_SIGMA = 1.4826;
/** Skin spreads beyond which a pixel's pull toward hair is not skin's own variation (3σ: 0.13 % of pure skin one-sided). */
const SKIN_SIGMAS = 3;

function medianAndSigma(values: number[]): { mid: number; sigma: number } {
  const ones = values.map(() => 1);
  const mid = weightedMedian(values, ones);
  return { mid, sigma: MAD_TO_SIGMA * weightedMedian(values.map((v) => Math.abs(v - mid)), ones) };
}

export interface MixedGrowthInput {
  /** Features per cell (D per cell; colour first). */
  feat: Float32Array;
  D: number;
  width: number;
  height: number;
  /** 1 where a cell is labelled. */
  domain: Uint8Array;
  /** The cut's labels (1 = not skin); grown in place. */
  labels: Uint8Array;
  /** Cells known to be skin (the face's core). */
  skinCells: number[];
  /** Cells known to be hair (the band above the forehead). */
  hairCells: number[];
}

/**
 * Labels not skin every domain cell 4-connected to the hair cells (through not-skin cells and) through cells whose
 * projection on the skin → hair axis (each feature scaled by the two classes' pooled robust
 * variance, a diagonal Fisher direction) lies beyond 3 skin σ toward the hair. Returns the number
 * of cells added (0 when skin and hair do not separate along the axis).
 */
export function growMixedPixels(g: MixedGrowthInput): number {
  const { feat, D, width, height, domain, labels } = g;
  if (g.skinCells.length < 30 || g.hairCells.length < 30) return 0;
  const weights: number[] = [];
  for (let c = 0; c < D; c++) {
    const s = medianAndSigma(g.skinCells.map((i) => feat[D * i + c]));
    const h = medianAndSigma(g.hairCells.map((i) => feat[D * i + c]));
    const pooled2 = Math.max(1e-8, s.sigma ** 2 + h.sigma ** 2);
    weights.push((h.mid - s.mid) / pooled2);
  }
  const project = (i: number) => {
    let t = 0;
    for (let c = 0; c < D; c++) t += weights[c] * feat[D * i + c];
    return t;
  };
  const skinT = medianAndSigma(g.skinCells.map(project));
  const hairT = weightedMedian(g.hairCells.map(project), g.hairCells.map(() => 1));
  const threshold = skinT.mid + SKIN_SIGMAS * skinT.sigma;
  if (!(threshold < hairT)) return 0;
  // From the hair, through what the cut already calls not skin and through mixtures: a dark
  // patch the cut found elsewhere (lashes, a nostril) does not start a growth of its own.
  const seen = new Uint8Array(width * height);
  const queue = g.hairCells.filter((i) => domain[i]);
  for (const i of queue) seen[i] = 1;
  let added = 0;
  for (let k = 0; k < queue.length; k++) {
    const p = queue[k], x = p % width;
    for (const q of [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, p - width, p + width]) {
      if (q < 0 || q >= width * height || !domain[q] || seen[q]) continue;
      if (!labels[q] && project(q) <= threshold) continue;
      seen[q] = 1;
      if (!labels[q]) (labels[q] = 1), added++;
      queue.push(q);
    }
  }
  return added;
}
