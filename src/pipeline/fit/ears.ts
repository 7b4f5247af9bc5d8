/**
 * The ears from the photo: their length (top of the helix to the lobe), how far they stand off the
 * head, and their height against the eye line, read where the photo shows them against the
 * background, held against the survey's prediction from the face, and put on the fitted head by a
 * smooth deformation of the template's pinnae.
 *
 * Evidence: along image rows through the ears' height (and a margin above and below), the
 * person's outline beside the head (photo-contour.ts `readScalpOutline`) against the head's own
 * projected extent in that row, which is the larger of the rest of the head (skull, cheek, fixed)
 * and the pinna (moved by the parameters). Seen from the front the rim stands beyond the skull, so
 * the rows the bump spans tell the ear's length and height and its width tells the protrusion; in
 * a turned view the far ear does the same where it reaches the outline, and an ear inside the
 * head's outline (the near one) leaves every row flat in the parameters, i.e. no evidence. Skin
 * bordering the outline: the head's extent is there (Gaussian, with a share of rows that are
 * something else, see EARS_DEFAULTS.outlierShare); hair: the head's extent is anywhere inside it
 * (one-sided, as over the vault in head-outline.ts). No person mask, or no skin model: no readings.
 *
 * Prior: ANSUR II ear length and ear protrusion conditioned on the face's proportions
 * (geometry/head-prediction.ts, [S1]), and the ear's height against the eye line (EARS_DEFAULTS.heightSdM).
 * The posterior mean over a grid of the three is applied: the template's ear is taken as the mean
 * ear (length 61.8 mm [S1 S2 S5], src/geometry/ear.ts; its rim stands 21.0 mm off the head surface
 * against ANSUR II's 21.6 mm mean protrusion [S1]).
 *
 * Deformation (template frame, left ear; the right mirrors it): the pinna turns about its hinge
 * (the front margin, along the ear's long axis) by the angle that gives the protrusion, the turn
 * fading in with the pinna's height off the head so its root stays on the scalp; then the pinna and
 * its footprint scale about the tragion by the length ratio and move up or down by the height
 * shift, with the scalp round the footprint following by a Gaussian of its distance from it. One
 * displacement per welded position, so the seam between the pinna and the scalp cannot open.
 */
import { earFrame, footprintEllipse, footprintRadius, HINGE_LIFT, toEar, type EarFrame } from "../../geometry/ear.ts";
import { gradient } from "../../geometry/ear-attach.ts";
import { frankfortPitch, headFrame, headImplicit } from "../../geometry/head-shape.ts";
import { HEAD_INDEX, type HeadPrediction } from "../../geometry/head-prediction.ts";
import { weldMap } from "../../geometry/mesh-utils.ts";
import { ATLAS } from "../../geometry/uv-atlas.ts";
import { createFragments, rasterize } from "../../raster/rasterize.ts";
import { projectToScreen } from "../../render/camera.ts";
import type { Camera, FaceMasks, ImageF32, TemplateHead } from "../../types.ts";
import { skinVertices } from "./anchors.ts";
import { normalCdf } from "../../primitives/statistics.ts";
import { maskAt, outlineColours, readScalpOutline, type ContourSource, type OutlineColours } from "./photo-contour.ts";
import { project } from "./pose.ts";

export interface EarsOptions {
  /** Read the ears and move them (false leaves the template's ears). */
  enabled?: boolean;
  /** Height of the image row band the outline is read in, share of the inter-ocular distance. */
  rowBand?: number;
  /** Farthest the photo's outline may lie from the head's extent along a row, share of the inter-ocular distance. */
  searchRange?: number;
  /** SD of the outline's position (segmentation and edge snap), share of the inter-ocular distance. */
  outlineSd?: number;
  /** Probability that a row's skin outline is not the head's extent (a strand, a shadow, an earring, a hand), spread evenly over the search range. */
  outlierShare?: number;
  /** Read the ears' length from the outline too (false: the length stays at the survey's prediction; on our synthetic renders the frontal outline trades it against protrusion and height). */
  readLength?: boolean;
  /** Depth of the band inside the outline that decides whether skin or hair borders it, share of the inter-ocular distance. */
  rimBand?: number;
  /** Half-width over which the person mask must step from inside to outside for a row to count, share of the inter-ocular distance (the segmentation is soft across an ear). */
  stepBand?: number;
  /** Prior SD of the ears' height against the eye line, metres. */
  heightSdM?: number;
  /** Half-width of the posterior grid, prior SDs. */
  gridSds?: number;
  /** Grid points per parameter (length, protrusion, height); odd, so the prior mean is on it. */
  gridPoints?: number;
  /** Fewest rows with skin at the outline (both sides together) for the outline to count; fewer and the prior stands. */
  minSkinRows?: number;
}

/**
 * rowBand ≈ 2.5 mm over the 63 mm inter-pupillary distance [S1], a few pinna vertices high. The
 * search range: 3 prior SD of the protrusion (3.2 mm [S1]) and of the head's half-breadth (2.8 mm
 * [S1]) plus the ear's length SD (4.9 mm [S1]) ≈ 22 mm ≈ 0.35 IOD. outlineSd as the head outline's
 * (≈ 3 mm, a few cells of the 256² person segmentation). heightSdM: the eye level above the tragion,
 * 17.4 ± 8.1 mm (M) / 17.5 ± 7.8 mm (F), derived from ANSUR II [S1 D] (head-anthropometry.md §3.2);
 * its SD carries two sitting measurements' noise, so it is wide rather than tight. outlierShare is an
 * assumption (one row in ten), so one odd row cannot carry the fit.
 */
export const EARS_DEFAULTS: Required<EarsOptions> = {
  // Off until the length is told from the protrusion (see docs/evaluation.md, "The ears from the photo").
  enabled: false,
  rowBand: 0.04,
  searchRange: 0.35,
  outlineSd: 0.05,
  outlierShare: 0.1,
  readLength: false,
  // ≈ 13 mm: on a frontal portrait (Obama, 910 px) the person mask falls from 0.9 to 0.2 over ≈ 25 px across the ear.
  stepBand: 0.2,
  // ≈ 1.3 mm: the helix rim seen from the front is a few millimetres across (shape of src/geometry/ear.ts).
  rimBand: 0.02,
  heightSdM: 0.008,
  gridSds: 3,
  gridPoints: 7,
  minSkinRows: 4,
};

/** What was read and what the ears became. */
export interface EarsReport {
  /** Rows read per side (subject's left, right): skin at the outline, hair at the outline. */
  rows: { left: { skin: number; hair: number }; right: { skin: number; hair: number } };
  /** Whether the outline counted (else the prior mean was applied). */
  evidence: boolean;
  /** ln(ear ÷ template ear) of the length and of the protrusion, and the height shift (metres, up): prior and posterior mean and SD. */
  length: EarParameter;
  protrusion: EarParameter;
  height: EarParameter;
  /** The ears' length and protrusion at the template's size, millimetres. */
  lengthMm: number;
  protrusionMm: number;
}

type EarKey = "length" | "protrusion" | "height";

export interface EarParameter {
  priorMean: number;
  priorSd: number;
  mean: number;
  sd: number;
}

export interface EarsInput {
  head: TemplateHead;
  camera: Camera;
  image: ImageF32;
  masks?: FaceMasks;
  /** The fitted head (template frame and size), the camera's pose applies. */
  positions: Float32Array;
  interocularPx: number;
  /** The survey's prediction from the face (ear length and protrusion are its prior). */
  prediction: HeadPrediction;
}

/**
 * The fitted head with its ears read from the photo (or at the prior's mean when the photo shows
 * none); the report says what was read. Positions come back as a new array.
 */
export function fitEars(input: EarsInput, options: EarsOptions = {}): { positions: Float32Array; report: EarsReport } {
  const o = { ...EARS_DEFAULTS, ...options };
  const model = earModel(input.head);
  const p = input.prediction;
  const priors = {
    length: { mean: p.logRatio[HEAD_INDEX.earlength], sd: p.logSd[HEAD_INDEX.earlength] },
    protrusion: { mean: p.logRatio[HEAD_INDEX.earprotrusion], sd: p.logSd[HEAD_INDEX.earprotrusion] },
    height: { mean: 0, sd: o.heightSdM },
  };
  const masks = input.masks;
  const colours = masks?.person ? outlineColours({ image: input.image, masks }) : undefined;
  const sides = masks && colours ? readRows({ image: input.image, masks }, colours, model, input, o) : [];
  const rows = sides.flatMap((s) => s.rows);
  const count = (side: number, skin: boolean) => rows.filter((r) => r.side === side && r.skin === skin).length;
  const skinRows = rows.filter((r) => r.skin).length;
  const evidence = skinRows >= o.minSkinRows;
  const post = evidence ? gridPosterior(model, sides, priors, input, o) : { length: { mean: priors.length.mean, sd: priors.length.sd }, protrusion: { mean: priors.protrusion.mean, sd: priors.protrusion.sd }, height: { mean: 0, sd: o.heightSdM } };
  const positions = Float32Array.from(input.positions);
  const shape = earShape(model, post.length.mean, post.protrusion.mean, post.height.mean);
  for (const e of model.vertices) for (let c = 0; c < 3; c++) positions[3 * e.v + c] += shape.displacement[3 * e.k + c];
  const param = (k: EarKey): EarParameter => ({ priorMean: priors[k].mean, priorSd: priors[k].sd, mean: post[k].mean, sd: post[k].sd });
  return {
    positions,
    report: {
      rows: { left: { skin: count(1, true), hair: count(1, false) }, right: { skin: count(-1, true), hair: count(-1, false) } },
      evidence,
      length: param("length"),
      protrusion: param("protrusion"),
      height: param("height"),
      lengthMm: 1000 * model.lengthM * Math.exp(post.length.mean),
      protrusionMm: 1000 * model.rimOutM * Math.exp(post.protrusion.mean),
    },
  };
}

/** One line for the log: what was read and what the ears became. */
export function earsSummary(r: EarsReport): string {
  const pct = (p: EarParameter) => `${(100 * p.mean).toFixed(1)} % (prior ${(100 * p.priorMean).toFixed(1)} ± ${(100 * p.priorSd).toFixed(1)}, SD → ${(100 * p.sd).toFixed(1)})`;
  const rows = `rows left ${r.rows.left.skin} skin / ${r.rows.left.hair} hair, right ${r.rows.right.skin} / ${r.rows.right.hair}`;
  return `ears (${rows}${r.evidence ? "" : ": prior only"}): length ${pct(r.length)}, protrusion ${pct(r.protrusion)}, height ${(1000 * r.height.mean).toFixed(1)} mm (SD ${(1000 * r.height.sd).toFixed(1)}); ${r.lengthMm.toFixed(1)} mm long, standing ${r.protrusionMm.toFixed(1)} mm off the head`;
}

/** A template vertex the ear deformation moves. */
interface EarVertex {
  v: number;
  /** Index into the model's per-vertex arrays. */
  k: number;
  /** +1 subject's left (template +x), −1 right. */
  side: number;
  /** Ear coordinates (back, up, out) in the left ear's frame, the right ear mirrored onto it. */
  local: [number, number, number];
  /** On the pinna (its own UV island) rather than the scalp. */
  pinna: boolean;
  /** How much of the scale and height shift applies (1 on the pinna and footprint, fading over the scalp). */
  attach: number;
  /** How much of the protrusion turn applies (0 at the pinna's root, 1 where it stands off the head). */
  turn: number;
}

interface EarModel {
  frame: EarFrame;
  vertices: EarVertex[];
  /** Template ear length (top of the helix to the lobe, along its long axis), metres. */
  lengthM: number;
  /** Template protrusion: farthest the pinna stands off the head surface, metres. */
  rimOutM: number;
  /** The pinna's largest `out` coordinate after a turn of TURN_TABLE[i] radians, ÷ unturned. */
  turnTable: Float64Array;
}

/** The scalp round the footprint follows the ear by a Gaussian of its distance from the footprint of this SD, metres (shape choice: about two scalp grid steps). */
const SCALP_BLEND_M = 0.008;
/** The protrusion turn fades in over this height of the pinna above the head surface, metres (the root rings, hinge lift 2.5 mm: src/geometry/ear.ts). */
const TURN_FADE_M: [number, number] = [0.0015, 0.007];
/** Pinna points this far behind the hinge measure its stand-off, metres (the back half of its 34.65 mm breadth, src/geometry/ear.ts). */
const REAR_RIM_M = 0.017;
/** Turns tabulated for the protrusion, radians (±34°: beyond any grid the priors allow). */
const TURN_RANGE = 0.6;
const TURN_STEPS = 121;

let cached: { head: TemplateHead; model: EarModel } | undefined;

/** The template's ears as the deformation and the evidence need them (computed once per template head). */
function earModel(head: TemplateHead): EarModel {
  if (cached?.head === head) return cached.model;
  const frame0 = headFrame(), implicit = headImplicit(frame0);
  const tragion = frame0.tragion as [number, number, number];
  const frame = earFrame(tragion, gradient(implicit, tragion), frankfortPitch());
  const p = head.mesh.positions, uv = head.mesh.uvs;
  const weld = weldMap(p);
  const pinnaGroup = new Set<number>();
  const near = skinVertices(head).filter((v) => Math.hypot(Math.abs(p[3 * v]) - tragion[0], p[3 * v + 1] - tragion[1], p[3 * v + 2] - tragion[2]) < 0.09);
  // The pinna's own UV island (the row of discs); the neck base's disc there is far from the ears.
  for (const v of near) if (uv[2 * v + 1] >= ATLAS.row.v0) pinnaGroup.add(weld[v]);
  const vertices: EarVertex[] = [];
  for (const v of near) {
    const side = p[3 * v] >= 0 ? 1 : -1;
    const q: [number, number, number] = [side * p[3 * v], p[3 * v + 1], p[3 * v + 2]];
    const local = toEar(frame, q);
    const pinna = pinnaGroup.has(weld[v]);
    const rho = footprintRadius(frame, q);
    // Off the footprint: its distance from the ellipse's centre times the share beyond the border.
    const { cb, ch } = footprintEllipse();
    const outside = rho > 1 ? Math.hypot(local[0] - cb, local[1] - ch) * (1 - 1 / rho) : 0;
    const attach = pinna ? 1 : Math.exp(-0.5 * (outside / SCALP_BLEND_M) ** 2);
    if (attach < 1e-3) continue;
    const turn = pinna ? smoothstep(TURN_FADE_M[0], TURN_FADE_M[1], implicit(...q)) : 0;
    vertices.push({ v, k: vertices.length, side, local, pinna, attach, turn });
  }
  const pinna = vertices.filter((e) => e.pinna);
  const along = pinna.map((e) => e.local[1]);
  const lengthM = Math.max(...along) - Math.min(...along);
  const rimOutM = Math.max(...pinna.map((e) => implicit(...toTemplate(frame, e.local, 1))));
  // The stand-off is the rim's behind the hinge (the tragus in front of it swings the other way).
  const rim = pinna.filter((e) => e.local[0] > REAR_RIM_M);
  const outAt = (phi: number) => Math.max(...rim.map((e) => turned(e.local, e.turn * phi)[2]));
  const base = outAt(0);
  const turnTable = Float64Array.from({ length: TURN_STEPS }, (_, i) => outAt(-TURN_RANGE + (2 * TURN_RANGE * i) / (TURN_STEPS - 1)) / base);
  const model = { frame, vertices, lengthM, rimOutM, turnTable };
  cached = { head, model };
  return model;
}

/** Ear coordinates (left ear's frame) → template position on the given side. */
function toTemplate(frame: EarFrame, l: ArrayLike<number>, side: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) out[c] = frame.origin[c] + frame.back[c] * l[0] + frame.up[c] * l[1] + frame.normal[c] * l[2];
  out[0] *= side;
  return out;
}

/** Ear coordinates turned by phi about the hinge (the front margin: b = 0, out = HINGE_LIFT, along the long axis); positive swings the back of the pinna out. */
function turned(l: ArrayLike<number>, phi: number): [number, number, number] {
  const c = Math.cos(phi), s = Math.sin(phi), ob = l[2] - HINGE_LIFT;
  return [l[0] * c - ob * s, l[1], l[0] * s + ob * c + HINGE_LIFT];
}

/** The turn (radians) that makes the unscaled pinna stand off `ratio` × as far (table inverse, clamped). */
function turnFor(model: EarModel, ratio: number): number {
  const t = model.turnTable;
  if (ratio <= t[0]) return -TURN_RANGE;
  for (let i = 1; i < t.length; i++) {
    if (t[i] >= ratio) {
      const f = (ratio - t[i - 1]) / Math.max(1e-12, t[i] - t[i - 1]);
      return -TURN_RANGE + ((2 * TURN_RANGE) / (t.length - 1)) * (i - 1 + f);
    }
  }
  return TURN_RANGE;
}

/**
 * Displacement (template frame, metres, xyz per model vertex) for ln length ratio `a`, ln
 * protrusion ratio `b` (the rim's stand-off after the scale) and height shift `c` (metres, up).
 */
function earShape(model: EarModel, a: number, b: number, c: number): { displacement: Float64Array } {
  const phi = turnFor(model, Math.exp(b - a));
  const out = new Float64Array(model.vertices.length * 3);
  for (const e of model.vertices) {
    const t = turned(e.local, e.turn * phi);
    const k = Math.exp(e.attach * a);
    const moved = toTemplate(model.frame, [k * t[0], k * t[1], k * t[2]], e.side);
    const from = toTemplate(model.frame, e.local, e.side);
    for (let q = 0; q < 3; q++) out[3 * e.k + q] = moved[q] - from[q];
    out[3 * e.k + 1] += e.attach * c;
  }
  return { displacement: out };
}

/** One image row's reading beside the head. */
interface Row {
  side: number;
  /** Row band index from the side's first band (rows are `band` pixels apart from `top`). */
  bin: number;
  /** The rest of the head's extent in the row, outward pixels (outward axis: `outward`·x). */
  fixed: number;
  /** The photo's outline, outward pixels. */
  outline: number;
  /** Skin borders the outline inside (else hair). */
  skin: boolean;
}

/** The rows read beside one ear. */
interface SideRows {
  side: number;
  /** Image x direction pointing away from the head on this side (±1). */
  outward: number;
  /** Centre of the first row band (photo pixels, y down) and the bands' height. */
  top: number;
  band: number;
  bins: number;
  rows: Row[];
}

/** The outline beside each ear, row band by row band from above the ear to below it. */
function readRows(src: ContourSource, colours: OutlineColours, model: EarModel, input: EarsInput, o: Required<EarsOptions>): SideRows[] {
  const { camera, positions, head } = input;
  const iod = input.interocularPx;
  const band = Math.max(1, o.rowBand * iod);
  // What borders the outline is read in a band no deeper than the rim seen edge-on (its top and lobe are a few millimetres across).
  // At least 3 pixels: the skin test reads a 3 × 3 neighbourhood.
  const search = { rangePx: o.searchRange * iod, bandPx: Math.max(3, o.rimBand * iod), snapPx: Math.max(1, 0.04 * iod), reachPx: Math.max(3, o.rimBand * iod), outermost: true, stepBandPx: Math.max(3, o.stepBand * iod) };
  const q = new Float64Array(2);
  const projected = (ids: number[]) => {
    const px = new Float64Array(ids.length * 2);
    ids.forEach((v, i) => {
      project(camera, positions, q, 3 * v);
      px.set(q, 2 * i);
    });
    return px;
  };
  // The rest of the head, projected once.
  const pinnaVertex = new Uint8Array(positions.length / 3);
  for (const e of model.vertices) if (e.pinna) pinnaVertex[e.v] = 1;
  const others = projected(skinVertices(head).filter((v) => !pinnaVertex[v]));
  let cx = 0;
  for (let i = 0; i < others.length; i += 2) cx += (2 * others[i]) / others.length;
  const rest = restOfHead(head, positions, camera, pinnaVertex, others);
  const out: SideRows[] = [];
  for (const side of [1, -1]) {
    const pinna = projected(model.vertices.filter((e) => e.pinna && e.side === side).map((e) => e.v));
    let x = 0, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < pinna.length; i += 2) {
      x += (2 * pinna[i]) / pinna.length;
      y0 = Math.min(y0, pinna[i + 1]);
      y1 = Math.max(y1, pinna[i + 1]);
    }
    const outward = x >= cx ? 1 : -1;
    const margin = 0.4 * (y1 - y0);
    const top = y0 - margin, bins = Math.ceil((y1 - y0 + 2 * margin) / band) + 1;
    const extent = (px: Float64Array) => {
      const e = new Float64Array(bins).fill(-Infinity);
      for (let i = 0; i < px.length; i += 2) {
        const b = Math.round((px[i + 1] - top) / band);
        if (b >= 0 && b < bins) e[b] = Math.max(e[b], outward * px[i]);
      }
      return e;
    };
    const fixed = Float64Array.from({ length: bins }, (_, b) => Math.max(...[-0.5, 0, 0.5].map((f) => rest.extent(top + (b + f) * band, outward)))), ear = extent(pinna);
    const rows: Row[] = [];
    for (let b = 0; b < bins; b++) {
      // The band's outermost outline, as the model's extent is the band's outermost vertex: three lines across it.
      const start = Math.max(fixed[b], ear[b]);
      if (!Number.isFinite(start)) continue;
      let best: { outline: number; skin: boolean } | undefined;
      for (const dy of [-band / 3, 0, band / 3]) {
        const y = top + b * band + dy;
        const read = readScalpOutline(src, colours, outward * start, y, outward, 0, search);
        if (!read || read.certainty < 0.5) continue;
        const outline = start + read.offsetPx, skin = read.hairBandPx === 0;
        // Hair only where the hair mask says so: the ear's rim is thin, and strands' texture read across it and the gap behind it is the rim's edges.
        if (!skin && maskAt(src.masks.hair, src.image.width, src.image.height, outward * (outline - search.bandPx / 2), y) < 0.5) continue;
        if (!best || outline > best.outline) best = { outline, skin };
      }
      if (best) rows.push({ side, bin: b, fixed: fixed[b], ...best });
    }
    if (rows.length) out.push({ side, outward, top, band, bins, rows });
  }
  return out;
}

/** Long side of the raster the rest of the head's extent is read from, pixels. */
const REST_RASTER = 1024;

/**
 * The head without its pinnae, rasterised over its own box in the photo: `extent(y, outward)` is
 * its outermost covered point on photo row y toward `outward` (photo pixels; −Infinity off it).
 * Its vertices are too sparse over the scalp to stand for its outline themselves.
 */
function restOfHead(head: TemplateHead, positions: Float32Array, camera: Camera, pinnaVertex: Uint8Array, projectedPx: Float64Array): { extent: (y: number, outward: number) => number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < projectedPx.length; i += 2) {
    x0 = Math.min(x0, projectedPx[i]), x1 = Math.max(x1, projectedPx[i]);
    y0 = Math.min(y0, projectedPx[i + 1]), y1 = Math.max(y1, projectedPx[i + 1]);
  }
  [x0, y0] = [Math.floor(x0) - 2, Math.floor(y0) - 2];
  const k = Math.min(1, REST_RASTER / Math.max(x1 - x0 + 4, y1 - y0 + 4));
  const W = Math.max(1, Math.ceil((x1 - x0 + 4) * k)), H = Math.max(1, Math.ceil((y1 - y0 + 4) * k));
  const crop: Camera = { ...camera, width: W, height: H, fx: camera.fx * k, fy: camera.fy * k, cx: (camera.cx - x0) * k, cy: (camera.cy - y0) * k };
  const skin = head.parts.find((q) => q.part === "skin")!;
  const tris: number[] = [];
  const ids = head.mesh.indices;
  for (let i = skin.firstIndex; i < skin.firstIndex + skin.indexCount; i += 3) if (!pinnaVertex[ids[i]] && !pinnaVertex[ids[i + 1]] && !pinnaVertex[ids[i + 2]]) tris.push(ids[i], ids[i + 1], ids[i + 2]);
  const frags = createFragments(W, H);
  rasterize(frags, projectToScreen(crop, positions), Uint32Array.from(tris), { cull: "none" });
  return {
    extent: (y, outward) => {
      const r = Math.floor((y - y0) * k);
      if (r < 0 || r >= H) return -Infinity;
      for (let j = 0; j < W; j++) {
        const x = outward > 0 ? W - 1 - j : j;
        // The covered pixel's outer edge, back in photo pixels.
        if (frags.triangle[r * W + x] >= 0) return outward * (x0 + (x + (outward > 0 ? 1 : 0)) / k);
      }
      return -Infinity;
    },
  };
}

/** Posterior mean and SD of the three ear parameters on a grid (prior × the rows' likelihood). */
function gridPosterior(model: EarModel, sides: SideRows[], priors: Record<EarKey, { mean: number; sd: number }>, input: EarsInput, o: Required<EarsOptions>): Record<EarKey, { mean: number; sd: number }> {
  const coarse = gridPass(model, sides, priors, input, o, Object.fromEntries(KEYS.map((k) => [k, { centre: priors[k].mean, half: o.gridSds * priors[k].sd }])) as GridSpan);
  // A posterior narrower than the coarse grid's step is read again on a grid one step either side of its best point.
  const step = (k: EarKey) => (2 * o.gridSds * priors[k].sd) / (o.gridPoints - 1);
  if (KEYS.every((k) => coarse.stats[k].sd > step(k) || (k === "length" && !o.readLength))) return coarse.stats;
  return gridPass(model, sides, priors, input, o, Object.fromEntries(KEYS.map((k) => [k, { centre: coarse.best[k], half: step(k) }])) as GridSpan).stats;
}

const KEYS: EarKey[] = ["length", "protrusion", "height"];
type GridSpan = Record<EarKey, { centre: number; half: number }>;

/** One grid pass over `span`: the posterior's mean and SD on it, and its best point. */
function gridPass(model: EarModel, sides: SideRows[], priors: Record<EarKey, { mean: number; sd: number }>, input: EarsInput, o: Required<EarsOptions>, span: GridSpan): { stats: Record<EarKey, { mean: number; sd: number }>; best: Record<EarKey, number> } {
  const n = o.gridPoints, iod = input.interocularPx;
  const value = (k: EarKey, i: number) => span[k].centre + span[k].half * ((2 * i) / (n - 1) - 1);
  // Without `readLength` the length stays at the prior's mean (one grid point).
  const lengths = o.readLength ? n : 1;
  const pinna = model.vertices.filter((e) => e.pinna && sides.some((s) => s.side === e.side));
  const bySide = sides.map((s) => pinna.map((e, i) => (e.side === s.side ? i : -1)).filter((i) => i >= 0));
  // Each pinna vertex's place on the fitted head minus its place on the template: what the fit's warp added, kept as the ear changes.
  const warped = new Float64Array(pinna.length * 3);
  pinna.forEach((e, i) => {
    const from = toTemplate(model.frame, e.local, e.side);
    for (let c = 0; c < 3; c++) warped[3 * i + c] = input.positions[3 * e.v + c] - from[c];
  });
  const { rotation: R, translation: t, fx, fy, cx, cy } = input.camera;
  const { origin: O, back: B, up: U, normal: N } = model.frame;
  const range = o.searchRange * iod, sigmaPx = o.outlineSd * iod;
  const moved = new Float64Array(pinna.length * 3);
  const grid: { logP: number; a: number; b: number; c: number }[] = [];
  const ear = sides.map((s) => new Float64Array(s.bins));
  for (let i = 0; i < lengths; i++) for (let j = 0; j < n; j++) {
    const a = o.readLength ? value("length", i) : priors.length.mean, b = value("protrusion", j);
    // The pinna turned for the protrusion and scaled for the length (the shape of earShape, pinna only, in bulk).
    const phi = turnFor(model, Math.exp(b - a)), k = Math.exp(a);
    pinna.forEach((e, v) => {
      const ang = e.turn * phi, cs = Math.cos(ang), sn = Math.sin(ang), ob = e.local[2] - HINGE_LIFT;
      const lb = k * (e.local[0] * cs - ob * sn), lh = k * e.local[1], lo = k * (e.local[0] * sn + ob * cs + HINGE_LIFT);
      for (let q = 0; q < 3; q++) moved[3 * v + q] = (O[q] + B[q] * lb + U[q] * lh + N[q] * lo) * (q === 0 ? e.side : 1) + warped[3 * v + q];
    });
    for (let m = 0; m < n; m++) {
      const c = value("height", m);
      let logP = -0.5 * (((a - priors.length.mean) / priors.length.sd) ** 2 + ((b - priors.protrusion.mean) / priors.protrusion.sd) ** 2 + ((c - priors.height.mean) / priors.height.sd) ** 2);
      sides.forEach((s, si) => {
        // The moved pinna's extent per row band of this side (the camera's projection, inlined).
        const extent = ear[si].fill(-Infinity);
        for (const v of bySide[si]) {
          const x = moved[3 * v], y = moved[3 * v + 1] + c, z = moved[3 * v + 2];
          const X = R[0] * x + R[1] * y + R[2] * z + t[0], Y = R[3] * x + R[4] * y + R[5] * z + t[1], Z = R[6] * x + R[7] * y + R[8] * z + t[2];
          const r = Math.round((cy - (fy * Y) / -Z - s.top) / s.band);
          if (r >= 0 && r < s.bins) extent[r] = Math.max(extent[r], s.outward * (cx + (fx * X) / -Z));
        }
        for (const row of s.rows) logP += Math.log(rowLikelihood(row.outline - Math.max(row.fixed, extent[row.bin]), row.skin, sigmaPx, range, o.outlierShare));
      });
      grid.push({ logP, a, b, c });
    }
  }
  const best = Math.max(...grid.map((g) => g.logP));
  const w = grid.map((g) => Math.exp(g.logP - best));
  const total = w.reduce((s, x) => s + x, 0);
  const stat = (pick: (g: (typeof grid)[number]) => number) => {
    const mean = grid.reduce((s, g, i) => s + w[i] * pick(g), 0) / total;
    const second = grid.reduce((s, g, i) => s + w[i] * pick(g) ** 2, 0) / total;
    return { mean, sd: Math.sqrt(Math.max(0, second - mean * mean)) };
  };
  const top = grid.find((g) => g.logP === best)!;
  return { stats: { length: stat((g) => g.a), protrusion: stat((g) => g.b), height: stat((g) => g.c) }, best: { length: top.a, protrusion: top.b, height: top.c } };
}

/**
 * Likelihood of a row's gap h (pixels, > 0: the outline lies beyond the head's extent): skin at the
 * outline → the extent is on it (N(0, σ)), or the row is something else (even over the search
 * range) in the odds `outlier`; hair → the extent is anywhere inside it (h ≥ 0, edge softened by σ).
 */
function rowLikelihood(h: number, skin: boolean, sigma: number, range: number, outlier: number): number {
  if (!skin) return Math.max(1e-300, (1 - outlier) * normalCdf(h / sigma) + outlier);
  return Math.max(1e-300, ((1 - outlier) * Math.exp(-0.5 * (h / sigma) ** 2)) / (sigma * Math.sqrt(2 * Math.PI)) + outlier / (2 * range));
}

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}
