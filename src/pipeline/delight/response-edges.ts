/**
 * The second cue to the camera's response (issue 14): edge colour mixtures over the whole photo
 * (capture/edge-patches.ts; Lin, Gu, Yamazaki & Shum 2004, "Radiometric calibration from a single
 * image", CVPR). An edge pixel's irradiance is a linear mixture of its two sides', so under the
 * right inverse curve the linearised mixed pixels lie on the segment between the linearised sides.
 *
 * For each curve k of the grid, every crossing is linearised, each mixed pixel projected onto its
 * segment (its mixing share α, clamped to 0..1), and the projection put back through the curve:
 * the misfit is the distance to the photo's pixel in the photo's own units, so that a curve which
 * merely squeezes the colours together does not win (the shading cue's rule, response.ts). Edges
 * between two colours of one chromaticity fit every curve (the segment passes through black
 * either way) and weigh nothing; edges between different hues decide.
 *
 * Crossings that no curve of the family makes a mixture (three colours, texture, a shadow's
 * penumbra over a coloured surface) are left out: their best misfit is more than the photo's
 * noise allows. The rest give a profile likelihood, as the shading cue's: −(N/2)·ln J(k), J the
 * mean misfit over crossings and N the distinct edges (crossings of one edge share its departures
 * from the model: texture beside it, the chroma subsampling of JPEG), not the crossings.
 */
import { distinctEdges, type EdgeMixtures } from "../capture/edge-patches.ts";
import { photoValueOfRadiance, radianceOfPhotoValue } from "./response-curve.ts";

/**
 * A crossing is kept when its best misfit (mean over its mixed pixels of the squared RGB distance)
 * is within this many noise variances: three channels at 3 σ each is 27 σ², the pixel and the
 * side means both noisy.
 */
const MAX_BEST_MISFIT_NOISE = 27;

/** What the edges say of the curve, on the caller's grid of ln k. */
export interface EdgeLikelihood {
  /** Log-likelihood per grid point (0 everywhere when no crossing was kept). */
  logLikelihood: number[];
  /** Crossings kept, and the distinct edges they are (the likelihood's sample count). */
  patches: number;
  edges: number;
}

/** The curve k as two lookup tables (an edge evaluation reads it tens of thousands of times): encoded → radiance, and √radiance → encoded. */
interface CurveTables {
  inverse: Float32Array;
  forward: Float32Array;
}

const TABLE_SIZE = 4096;

function curveTables(k: number): CurveTables {
  const inverse = Float32Array.from({ length: TABLE_SIZE + 1 }, (_, i) => radianceOfPhotoValue(i / TABLE_SIZE, k));
  const forward = Float32Array.from({ length: TABLE_SIZE + 1 }, (_, i) => photoValueOfRadiance((i / TABLE_SIZE) ** 2, k));
  return { inverse, forward };
}

/** Linear interpolation in a table over 0..1. */
function lookup(table: Float32Array, x: number): number {
  const f = Math.min(1, Math.max(0, x)) * TABLE_SIZE;
  const i = Math.min(TABLE_SIZE - 1, Math.floor(f));
  return table[i] + (f - i) * (table[i + 1] - table[i]);
}

/** Mean over a crossing's mixed pixels of the squared distance (photo units) from its segment, linearised under the curve. */
function crossingMisfit(a: number[], b: number[], mixed: number[], curve: CurveTables): number {
  const { inverse, forward } = curve;
  const B0 = lookup(inverse, b[0]);
  const B1 = lookup(inverse, b[1]);
  const B2 = lookup(inverse, b[2]);
  const d0 = lookup(inverse, a[0]) - B0;
  const d1 = lookup(inverse, a[1]) - B1;
  const d2 = lookup(inverse, a[2]) - B2;
  const dd = d0 * d0 + d1 * d1 + d2 * d2;
  if (!(dd > 0)) return 0;
  let sum = 0;
  const m = mixed.length / 3;
  for (let i = 0; i < m; i++) {
    const x0 = mixed[i * 3];
    const x1 = mixed[i * 3 + 1];
    const x2 = mixed[i * 3 + 2];
    const t = ((lookup(inverse, x0) - B0) * d0 + (lookup(inverse, x1) - B1) * d1 + (lookup(inverse, x2) - B2) * d2) / dd;
    const alpha = Math.min(1, Math.max(0, t));
    sum += (lookup(forward, Math.sqrt(Math.max(0, B0 + alpha * d0))) - x0) ** 2;
    sum += (lookup(forward, Math.sqrt(Math.max(0, B1 + alpha * d1))) - x1) ** 2;
    sum += (lookup(forward, Math.sqrt(Math.max(0, B2 + alpha * d2))) - x2) ** 2;
  }
  return sum / Math.max(1, m);
}

/**
 * The edge cue's log-likelihood over `lnKGrid` (ln of the contrast k, response-curve.ts). Null
 * input or no usable crossing: a flat likelihood (the cue says nothing).
 */
export function edgeLikelihood(edges: EdgeMixtures | undefined, lnKGrid: number[]): EdgeLikelihood {
  const flat = { logLikelihood: lnKGrid.map(() => 0), patches: 0, edges: 0 };
  if (!edges || edges.patches.length === 0) return flat;
  const curves = lnKGrid.map((lnK) => curveTables(Math.exp(lnK)));
  const misfits = edges.patches.map((p) => curves.map((curve) => crossingMisfit(p.a, p.b, p.mixed, curve)));
  const limit = MAX_BEST_MISFIT_NOISE * edges.noise ** 2;
  const keptIdx = misfits.flatMap((m, i) => (Math.min(...m) <= limit ? [i] : []));
  if (keptIdx.length === 0) return flat;
  const distinct = distinctEdges(keptIdx.map((i) => edges.patches[i]));
  const logLikelihood = lnKGrid.map((_, g) => {
    const J = keptIdx.reduce((s, i) => s + misfits[i][g], 0) / keptIdx.length;
    return -(distinct / 2) * Math.log(Math.max(J, 1e-12));
  });
  return { logLikelihood, patches: keptIdx.length, edges: distinct };
}
