/**
 * The head beyond the face read from the photo's outline, as evidence on the head's proportions:
 * the vault's breadth, height and length from the outline of the person above the ears (hair
 * included), the neck's girth from its outline where skin borders it. Ratios in the image need no
 * metric size: the posed head was placed by the face's landmarks, so the distance from its
 * projected contour to the photo's outline measures the head against the face.
 *
 * Each proportion's prior is the survey prediction from the face (fit/head-targets.ts: ANSUR II's
 * conditional spread); each outline reading multiplies it by a likelihood, and the posterior mean
 * replaces the prediction. Over the scalp the outline is the skull plus hair: the skull lies inside
 * it (one-sided), and no deeper than the first skin seen inward along the same line (the hair
 * band; a bald scalp has skin at the outline, so the skull is on it). Between those bounds nothing
 * says where: a hair-thickness prior with a mode would pull the skull toward any outline, long hair
 * included, so the likelihood is flat there (see HAIR_NOTE). The neck counts only where skin
 * borders its outline (collars, hair and beards do not). Where no reading survives, the prior is
 * left as it was.
 */
import { headFrame } from "../../geometry/head-shape.ts";
import { HEAD_INDEX, type HeadDimension, type HeadPrediction } from "../../geometry/head-prediction.ts";
import { headProportionField, type HeadProportions } from "../../geometry/head-proportions.ts";
import type { Camera, FaceMasks, ImageF32, TemplateHead } from "../../types.ts";
import { outlineColours, readScalpOutline, matchOutline, type ContourSource, type OutlineColours } from "./photo-contour.ts";
import { project } from "./pose.ts";
import { occludingContour, SILHOUETTE_DEFAULTS, type ContourPoint } from "./silhouette.ts";
import { normalCdf } from "../../primitives/statistics.ts";

/**
 * HAIR_NOTE: no published thickness of the hair layer over the scalp was found (searched: 3D head
 * scans with and without wig caps, helmet fitting). Cited neighbours give its order: 223 (175–300)
 * terminal hairs per cm² (Barman et al. 1965, J Invest Dermatol 44:233, via BioNumbers 116431) of
 * 77 ± 12 µm diameter (caliper, e-aaps.org hair-diameter study, 2023) cover ≈ 1.0 % of the scalp in
 * cross-section, so 5 cm hair lying flat is ≈ 0.5 mm of solid keratin, and millimetres once its
 * loose packing (not found) is counted. Assumption, stated: the layer is anywhere between 0 and the
 * hair band the photo shows; nothing else is assumed about it.
 */
export interface HeadOutlineOptions {
  /** Read the outline at all (false leaves the predicted proportions alone). */
  enabled?: boolean;
  /** Farthest the photo's outline may lie from the head's contour along its normal, share of the inter-ocular distance (hair stands off the scalp). */
  searchRange?: number;
  /** Farthest the inward walk to the first skin goes from the outline, share of the inter-ocular distance. */
  hairReach?: number;
  /** SD of the outline's position (segmentation and edge snap), share of the inter-ocular distance. */
  outlineSd?: number;
  /** Fewest readings a side of the head needs to count. */
  minReadings?: number;
  /** Half-width of the posterior grid, in prior SDs. */
  gridSds?: number;
  /** Points on the posterior grid. */
  gridPoints?: number;
  /**
   * Probability that skin at the scalp's outline is scalp rather than hair of skin's colour and
   * smoothness (grey, blonde, red hair in the skin mask); the rest reads as hair of unknown
   * thickness up to `hairReach`. Assumption: even odds, since the masks cannot tell them apart.
   */
  scalpSkinShare?: number;
}

/**
 * The search range: hair ≲ 3 cm off the scalp plus 3 prior SD of the half-breadth (5.5 mm of the
 * head breadth [S1 ANSUR II], §1.1 of reference/head-anthropometry.md) ≈ 40 mm over the
 * inter-pupillary distance 63 mm [S1] ≈ 0.6. The outline SD is the silhouette term's band (≈ 3 mm,
 * a few cells of the 256² person segmentation).
 */
export const HEAD_OUTLINE_DEFAULTS: Required<HeadOutlineOptions> = {
  enabled: true,
  searchRange: 0.6,
  hairReach: 0.6,
  outlineSd: 0.05,
  minReadings: 3,
  gridSds: 4,
  gridPoints: 161,
  scalpSkinShare: 0.5,
};

/** The proportions the outline speaks to, the survey dimension whose spread is each one's prior, and the field ratios it scales. */
const DIMENSIONS: { name: OutlineDimension; survey: HeadDimension; scales: (keyof HeadProportions)[]; part: "vault" | "neck" }[] = [
  { name: "breadth", survey: "headbreadth", scales: ["breadth"], part: "vault" },
  { name: "height", survey: "tragiontopofhead", scales: ["height"], part: "vault" },
  { name: "length", survey: "headlength", scales: ["length"], part: "vault" },
  { name: "neck", survey: "neckcircumference", scales: ["neck", "neckBase"], part: "neck" },
];
export type OutlineDimension = "breadth" | "height" | "length" | "neck";

/** One side's summary of the outline readings of a dimension, metres at the template's size. */
export interface OutlineGroup {
  dimension: OutlineDimension;
  /** Readings in the group. */
  readings: number;
  /** Median outline offset beyond the head's contour, metres. */
  offsetM: number;
  /** Median contour movement per unit ln ratio of the dimension, metres. */
  slopeM: number;
  /** Median hair band (0: skin at the outline; Infinity: no skin within reach), metres. */
  hairBandM: number;
  /** SD of the outline's position, metres. */
  sigmaM: number;
  /** For skin at the outline: how far hair could reach instead, metres (0: skin is sure, as on the neck). */
  reachM: number;
}

export interface HeadOutlineReport {
  groups: OutlineGroup[];
  /** Per dimension with evidence: the ln-ratio change from the prediction, and the prior and posterior SDs. */
  shifts: Partial<Record<OutlineDimension, { shift: number; priorSd: number; posteriorSd: number }>>;
}

export interface HeadOutlineInput {
  head: TemplateHead;
  camera: Camera;
  image: ImageF32;
  masks?: FaceMasks;
  /** The head as currently warped and photographed (template-size metres). */
  positions: Float32Array;
  /** The expression's displacement per vertex, when one was fitted (fit/expression.ts). */
  expression?: Float32Array;
  interocularPx: number;
  /** The prediction from the face (its spreads are the priors) and the proportions it gave. */
  prediction: HeadPrediction;
  proportions: HeadProportions;
}

/**
 * The head's proportions with the outline's evidence; the report says what was read. Without
 * masks, a person mask or skin to model, the proportions come back unchanged.
 */
export function headOutlineProportions(input: HeadOutlineInput, options: HeadOutlineOptions = {}): { proportions: HeadProportions; report: HeadOutlineReport } {
  const o = { ...HEAD_OUTLINE_DEFAULTS, ...options };
  const report: HeadOutlineReport = { groups: [], shifts: {} };
  const masks = input.masks;
  const colours = o.enabled && masks?.person ? outlineColours({ image: input.image, masks }) : undefined;
  if (!masks || !colours) return { proportions: input.proportions, report };
  const contour = occludingContour(input.head, input.positions, input.camera, {}, input.expression, "head");
  report.groups = readGroups({ image: input.image, masks }, colours, contour, input, o);
  const proportions = { ...input.proportions };
  for (const d of DIMENSIONS) {
    const groups = report.groups.filter((g) => g.dimension === d.name);
    if (groups.length === 0) continue;
    const priorSd = input.prediction.logSd[HEAD_INDEX[d.survey]];
    const post = posterior(groups, priorSd, o);
    report.shifts[d.name] = { shift: post.mean, priorSd, posteriorSd: post.sd };
    for (const k of d.scales) proportions[k] *= Math.exp(post.mean);
  }
  return { proportions, report };
}

interface Reading {
  dimension: OutlineDimension;
  side: number;
  offsetM: number;
  slopeM: number;
  hairBandM: number;
  sigmaM: number;
  reachM: number;
}

/** Reads the outline at each contour point of the vault and neck, assigns it to the dimension that moves it most, and summarises each side. */
function readGroups(src: ContourSource, colours: OutlineColours, contour: ContourPoint[], input: HeadOutlineInput, o: Required<HeadOutlineOptions>): OutlineGroup[] {
  const frame = headFrame();
  const iod = input.interocularPx;
  const search = { rangePx: o.searchRange * iod, bandPx: Math.max(1, SILHOUETTE_DEFAULTS.band * iod), snapPx: Math.max(1, SILHOUETTE_DEFAULTS.snap * iod), reachPx: o.hairReach * iod };
  const cam = input.camera, f = (cam.fx + cam.fy) / 2;
  const readings: Reading[] = [];
  for (const point of contour) {
    const y = point.template[1];
    const part = y >= frame.tragion[1] ? "vault" : y <= frame.chinY - 0.03 && y >= frame.neckBottomY + 0.01 ? "neck" : undefined;
    if (!part) continue;
    const metresPerPx = point.depth / f;
    // Pixels the contour moves along its normal per unit ln ratio of each candidate dimension.
    const candidates = DIMENSIONS.filter((d) => d.part === part).map((d) => {
      const slopePx = contourSlope(point, input.proportions, d.scales, cam);
      return { d, slopePx, score: Math.abs(slopePx) * input.prediction.logSd[HEAD_INDEX[d.survey]] };
    });
    const total = candidates.reduce((s, c) => s + c.score ** 2, 0);
    const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
    // A point that several dimensions move alike (the vault's diagonal) says little about any one of them; one no dimension moves says nothing.
    if (best.score < 0.5 || best.score ** 2 < 0.6 * total || best.slopePx <= 0) continue;
    const [x0, y0] = point.pixel, [nx, ny] = point.normal;
    if (part === "vault") {
      const read = readScalpOutline(src, colours, x0, y0, nx, ny, search);
      if (!read || read.certainty < 0.5) continue;
      readings.push({ dimension: best.d.name, side: Math.sign(nx), offsetM: read.offsetPx * metresPerPx, slopeM: best.slopePx * metresPerPx, hairBandM: read.hairBandPx * metresPerPx, sigmaM: o.outlineSd * iod * metresPerPx, reachM: search.reachPx * metresPerPx });
    } else {
      const read = matchOutline(src, colours, x0, y0, nx, ny, { ...search, rangePx: 0.25 * iod, beardZone: false });
      if (!read || read.trust < 0.5) continue;
      readings.push({ dimension: best.d.name, side: Math.sign(nx), offsetM: read.offsetPx * metresPerPx, slopeM: best.slopePx * metresPerPx, hairBandM: 0, sigmaM: o.outlineSd * iod * metresPerPx, reachM: 0 });
    }
  }
  const groups: OutlineGroup[] = [];
  for (const d of DIMENSIONS) {
    // Breadth and neck read each side on its own (each its own hair); height and length are one side of the head.
    const sides = d.name === "breadth" || d.name === "neck" ? [-1, 1] : [0];
    for (const side of sides) {
      const mine = readings.filter((r) => r.dimension === d.name && (side === 0 || r.side === side));
      if (mine.length < o.minReadings) continue;
      groups.push({ dimension: d.name, readings: mine.length, offsetM: median(mine.map((r) => r.offsetM)), slopeM: median(mine.map((r) => r.slopeM)), hairBandM: median(mine.map((r) => r.hairBandM)), sigmaM: median(mine.map((r) => r.sigmaM)), reachM: median(mine.map((r) => r.reachM)) });
    }
  }
  return groups;
}

/** d(projected contour position along its normal) / d(ln ratio) for the given field ratios, pixels (central difference). */
function contourSlope(point: ContourPoint, k: HeadProportions, scales: (keyof HeadProportions)[], camera: Camera): number {
  const eps = 1e-3;
  const field = (s: number) => {
    const q = { ...k };
    for (const name of scales) q[name] *= Math.exp(s);
    const out = [0, 0, 0];
    headProportionField(headFrame(), q)(point.template[0], point.template[1], point.template[2], out);
    return out;
  };
  const [a, b] = [field(-eps), field(eps)];
  const px = new Float64Array(2), qx = new Float64Array(2);
  const w = point.world;
  project(camera, [w[0] + a[0], w[1] + a[1], w[2] + a[2]], px);
  project(camera, [w[0] + b[0], w[1] + b[1], w[2] + b[2]], qx);
  return ((qx[0] - px[0]) * point.normal[0] + (qx[1] - px[1]) * point.normal[1]) / (2 * eps);
}

/**
 * Posterior mean and SD of the ln-ratio change δ on a grid: prior N(0, priorSd) times each
 * group's likelihood of the gap h(δ) = offset − slope·δ between the outline and the surface
 * (metres, SD σ = the group's sigmaM): sure skin (the neck) → h ~ N(0, σ); skin at the scalp's
 * outline → that, or skin-coloured hair (0 ≤ h ≤ reach), in the odds `scalpSkinShare`; hair → 0 ≤ h ≤
 * hair band, edges softened by σ.
 */
export function posterior(groups: OutlineGroup[], priorSd: number, o: Pick<Required<HeadOutlineOptions>, "gridSds" | "gridPoints" | "scalpSkinShare">): { mean: number; sd: number } {
  let s0 = 0, s1 = 0, s2 = 0;
  for (let g = 0; g < o.gridPoints; g++) {
    const delta = priorSd * o.gridSds * ((2 * g) / (o.gridPoints - 1) - 1);
    let logP = -0.5 * (delta / priorSd) ** 2;
    for (const grp of groups) {
      const h = grp.offsetM - grp.slopeM * delta;
      const sigma = grp.sigmaM;
      if (grp.hairBandM === 0 && grp.reachM === 0) logP += -0.5 * (h / sigma) ** 2;
      else if (grp.hairBandM === 0) {
        // Scalp (on the outline) or skin-coloured hair (anywhere up to the reach inside it), densities per metre.
        const scalp = Math.exp(-0.5 * (h / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
        const hair = (normalCdf(h / sigma) * normalCdf((grp.reachM - h) / sigma)) / grp.reachM;
        logP += Math.log(Math.max(1e-300, o.scalpSkinShare * scalp + (1 - o.scalpSkinShare) * hair));
      }
      else logP += Math.log(Math.max(1e-300, normalCdf(h / sigma) * (Number.isFinite(grp.hairBandM) ? normalCdf((grp.hairBandM - h) / sigma) : 1)));
    }
    const p = Math.exp(logP);
    s0 += p;
    s1 += p * delta;
    s2 += p * delta * delta;
  }
  if (!(s0 > 0)) return { mean: 0, sd: priorSd };
  const mean = s1 / s0;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / s0 - mean * mean)) };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
