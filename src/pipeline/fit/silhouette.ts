/**
 * fit's silhouette term: the head's occluding contour, as the camera sees it, held to the head's
 * outline in the photo (jaw, cheeks, chin; the neck only with `neck`; not the ears or the scalp:
 * see templateInfo) where that outline is the head's own.
 *
 * Each round: warp the template with the current warp; find its occluding contour (points on mesh
 * edges where the normal turns perpendicular to the view ray) on the outer boundary of its
 * projection; pair each contour point with the photo's outline along its 2D normal
 * (photo-contour.ts); move the point, in the plane perpendicular to its ray and only along the
 * contour's normal (a silhouette fixes one degree of freedom), by the pixel offset; re-fit the warp
 * through the landmark and anchor targets plus these. The other two directions keep the current
 * warp's displacement, so the contour does not drag the surface along itself or in depth.
 */
import { computeNormals, weldMap } from "../../geometry/mesh-utils.ts";
import { FACE_OVAL, LEFT_BROW_CORE, LOWER_LIP_BOTTOM, MESH_LANDMARK_COUNT, RIGHT_BROW_CORE } from "../../primitives/face-topology.ts";
import { ATLAS } from "../../geometry/uv-atlas.ts";
import { headFrame } from "../../geometry/head-shape.ts";
import { createFragments, rasterize } from "../../raster/rasterize.ts";
import { cameraCentre, projectToScreen } from "../../render/camera.ts";
import type { Camera, FaceMasks, ImageF32, TemplateHead } from "../../types.ts";
import { matchOutline, outlineColours, type ContourSearch, type ContourSource, type OutlineColours } from "./photo-contour.ts";
import { FACE_CLEARANCE_M } from "./anchors.ts";
import { borderedWarp, fitFactoredWarp, warpAt, type Warp, type WarpTargets } from "./warp.ts";

export interface SilhouetteOptions {
  /** Rounds of pairing and re-warping (0 turns the term off). */
  iterations?: number;
  /** Farthest the photo's outline may lie from the head's contour along its normal, as a share of the inter-ocular distance. */
  searchRange?: number;
  /** Depth of the band inside and outside the outline that decides what borders it, share of the inter-ocular distance. */
  band?: number;
  /** How far the mask's boundary may snap to a colour edge, share of the inter-ocular distance. */
  snap?: number;
  /** Least distance between two silhouette constraints on the template, metres. */
  spacingM?: number;
  /** Warp smoothing at a silhouette constraint of weight 1, metres (divided by the weight). */
  smoothingM?: number;
  /** Constraints weighted below this (trust × robust weight, 0..1) are dropped. */
  minWeight?: number;
  /** Long side of the raster the head's own coverage and depth are drawn at, pixels. */
  rasterSize?: number;
  /** A prior target (input.priors) within this distance of a silhouette constraint on the template gives way to it, metres. */
  releaseM?: number;
  /** Hold the neck's outline too (contour points below the chin on the template); false leaves the neck to the predicted head and the head's outline (fit/head-outline.ts reads its girth). */
  neck?: boolean;
  /**
   * Shrink each reading toward the landmark warp's contour by its posterior weight: prior SD the jaw's
   * half-breadth SD (JAW_HALF_BREADTH_SD_M), reading SD the mask's snap reach over √trust (a soft mask
   * or a weak skin edge reads wider); false moves each point by the whole offset.
   */
  shrink?: boolean;
  /** Hold the jaw's outline behind the face too (contour points farther than one oval spacing from every landmark); false keeps the contour beside the face oval. */
  behindFace?: boolean;
}

/** SD of the jaw's half-breadth: bigonial breadth SD 10.7 mm (M) / 9.3 mm (F) [S3 NIOSH, reference/head-anthropometry.md §1] halved, the larger. */
export const JAW_HALF_BREADTH_SD_M = 10.7e-3 / 2;

/**
 * The search range: 3 SD of the jaw's half-breadth, bigonial breadth 120.7 ± 10.7 mm (M) / 111.6 ±
 * 9.3 mm (F) [S3 NIOSH, reference/head-anthropometry.md §1] → 3 × 5.35 ≈ 16 mm, over the
 * interpupillary distance 64.0 mm (M) / 61.7 mm (F) [S1 ANSUR II, §1.5] ≈ 0.25.
 */
export const SILHOUETTE_DEFAULTS: Required<SilhouetteOptions> = {
  iterations: 3,
  searchRange: 0.25,
  // ≈ 3 mm: a few cells of the 256² person segmentation over a head-and-shoulders crop.
  band: 0.05,
  snap: 0.04,
  spacingM: 0.01,
  smoothingM: 5e-3,
  minWeight: 0.05,
  rasterSize: 512,
  // The clearance the head anchors keep from the face's landmarks (fit/anchors.ts), for the same reason:
  // a prior target nearer than that to measured data holds the surface against it.
  releaseM: FACE_CLEARANCE_M,
  // Off: the neck's outline in a photo follows the neck's turn and tilt under the head (not modelled:
  // the fitted neck turns with the head) and the collar; on the identity set its sideways pull was
  // photo-to-photo noise with no person in it (docs/evaluation.md, "The neck's outline left to the head's outline").
  neck: false,
  shrink: false,
  behindFace: true,
};

export interface SilhouetteInput {
  head: TemplateHead;
  camera: Camera;
  image: ImageF32;
  /** Capture's masks; without them (or without the person mask) the term does nothing. */
  masks?: FaceMasks;
  /** Eye-centre distance in the photo, pixels: the unit of every reach in the photo. */
  interocularPx: number;
  /** The landmark and anchor targets fit already has (template centres, displacements, smoothing). */
  base: WarpTargets;
  /** Base targets [first, first + count) that are priors (the predicted head), released near silhouette constraints. */
  priors?: { first: number; count: number };
  /** The photo's expression as a displacement per vertex (metres, fit/expression.ts): the contour is the head's as photographed, the warp's targets stay neutral. */
  expression?: Float32Array;
}

/** One point of the head's occluding contour. */
export interface ContourPoint {
  /** Template position (the warp's domain), metres. */
  template: [number, number, number];
  /** Warped position (with the expression, when one is given), metres. */
  world: [number, number, number];
  /** The expression's displacement at this point, metres (zeros without one). */
  expression: [number, number, number];
  /** Projection, photo pixels. */
  pixel: [number, number];
  /** Outward 2D normal (unit, y down). */
  normal: [number, number];
  /** Distance along the view axis, metres. */
  depth: number;
  /** Below the lower lip on the template: facial hair there is the head's outline. */
  beardZone: boolean;
  /** Farther than one oval spacing from every landmark on the template (the jaw behind the face). */
  behindFace: boolean;
}

export interface SilhouetteReport {
  /** Trust-weighted mean |offset| between the head's contour and the photo's outline, share of the inter-ocular distance: with the landmark warp alone, and at the last round's start (the final warp is not measured: that would cost another contour). */
  beforeIod: number;
  lastIod: number;
  /** Paired contour points then. */
  pairsBefore: number;
  pairsLast: number;
  /** Constraints per round. */
  constraints: number[];
  /** Prior targets released per round (within releaseM of a constraint). */
  released: number[];
}

/**
 * Re-fits fit's warp with silhouette constraints; returns the warp and what the term did. With no
 * person mask, or no skin to model the outline's colour from, the base warp comes back unchanged.
 *
 *   const { warp } = silhouetteWarp({ head, camera, image, masks, interocularPx, base: { centres, displacements, lambda } });
 */
export function silhouetteWarp(input: SilhouetteInput, options: SilhouetteOptions = {}): { warp: Warp; report: SilhouetteReport } {
  const o = { ...SILHOUETTE_DEFAULTS, ...options };
  const { head, camera, base } = input;
  const factored = fitFactoredWarp(base);
  let warp = factored.warp;
  const report: SilhouetteReport = { beforeIod: NaN, lastIod: NaN, pairsBefore: 0, pairsLast: 0, constraints: [], released: [] };
  const masks = input.masks;
  const colours = masks?.person ? outlineColours({ image: input.image, masks }) : undefined;
  if (!masks || !colours || o.iterations <= 0) return { warp, report };
  const src = { image: input.image, masks };
  let current = { key: "", factored };
  const search = searchOf(input.interocularPx, o);
  const neckTopY = headFrame().chinY;
  for (let round = 0; round < o.iterations; round++) {
    const contour = occludingContour(head, warpedPositions(head, warp, input.expression), camera, o, input.expression).filter((p) => (o.neck || p.template[1] >= neckTopY) && (o.behindFace || !p.behindFace));
    const pairs = pairContour(src, colours, contour, search);
    const residual = meanResidual(pairs) / input.interocularPx;
    if (round === 0) [report.beforeIod, report.pairsBefore] = [residual, pairs.length];
    [report.lastIod, report.pairsLast] = [residual, pairs.length];
    const extra = constraints(o.shrink ? shrunk(pairs, camera, search.snapPx) : pairs, camera, search.rangePx, o);
    report.constraints.push(extra.lambda.length);
    const kept = keptTargets(base, input.priors, extra.centres, o.releaseM);
    report.released.push(base.lambda.length - kept.targets.lambda.length);
    // The base is re-factored only when the released set changes.
    if (kept.key !== current.key) current = { key: kept.key, factored: fitFactoredWarp(kept.targets) };
    warp = borderedWarp(current.factored, extra);
  }
  return { warp, report };
}

/**
 * The base targets without the priors that lie within `reach` of a silhouette constraint (the
 * measured outline supersedes the predicted head there), and the released priors as a key ("" when none).
 */
function keptTargets(base: WarpTargets, priors: SilhouetteInput["priors"], extra: Float64Array, reach: number): { targets: WarpTargets; key: string } {
  if (!priors || extra.length === 0) return { targets: base, key: "" };
  const c = base.centres, n = base.lambda.length;
  const near = (i: number) => {
    for (let j = 0; j < extra.length; j += 3) if (Math.hypot(c[3 * i] - extra[j], c[3 * i + 1] - extra[j + 1], c[3 * i + 2] - extra[j + 2]) < reach) return true;
    return false;
  };
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i < priors.first || i >= priors.first + priors.count || !near(i));
  if (keep.length === n) return { targets: base, key: "" };
  const released = Array.from({ length: priors.count }, (_, i) => priors.first + i).filter((i) => !keep.includes(i));
  const targets = {
    centres: Float64Array.from(keep.flatMap((i) => [c[3 * i], c[3 * i + 1], c[3 * i + 2]])),
    displacements: Float64Array.from(keep.flatMap((i) => [base.displacements[3 * i], base.displacements[3 * i + 1], base.displacements[3 * i + 2]])),
    lambda: Float64Array.from(keep, (i) => base.lambda[i]),
  };
  return { targets, key: released.join(",") };
}

/** The photo-side reaches in pixels, from the face's size in the photo. */
export function searchOf(interocularPx: number, o: Required<SilhouetteOptions>): Omit<ContourSearch, "beardZone"> {
  return { rangePx: o.searchRange * interocularPx, bandPx: Math.max(1, o.band * interocularPx), snapPx: Math.max(1, o.snap * interocularPx) };
}

export interface ContourPair {
  point: ContourPoint;
  offsetPx: number;
  trust: number;
}

/** Each contour point with its match on the photo's outline (unmatched points dropped). */
export function pairContour(src: ContourSource, colours: OutlineColours, contour: ContourPoint[], search: Omit<ContourSearch, "beardZone">): ContourPair[] {
  const out: ContourPair[] = [];
  for (const point of contour) {
    const m = matchOutline(src, colours, point.pixel[0], point.pixel[1], point.normal[0], point.normal[1], { ...search, beardZone: point.beardZone });
    if (m) out.push({ point, offsetPx: m.offsetPx, trust: m.trust });
  }
  return out;
}

/**
 * Each offset times its posterior weight σp² / (σp² + σm²): σp the jaw's half-breadth SD projected at
 * the point's depth, σm the snap reach (the mask's own uncertainty) over √trust.
 */
export function shrunk(pairs: ContourPair[], camera: Camera, snapPx: number): ContourPair[] {
  const f = (camera.fx + camera.fy) / 2;
  return pairs.map((p) => {
    const priorPx = (JAW_HALF_BREADTH_SD_M * f) / p.point.depth;
    const readingVar = (snapPx * snapPx) / Math.max(p.trust, 1e-6);
    return { ...p, offsetPx: (p.offsetPx * priorPx * priorPx) / (priorPx * priorPx + readingVar) };
  });
}

/** Trust-weighted mean |offset| of the pairs, pixels (NaN with none). */
export function meanResidual(pairs: ContourPair[]): number {
  let s = 0, w = 0;
  for (const p of pairs) (s += p.trust * Math.abs(p.offsetPx)), (w += p.trust);
  return w > 0 ? s / w : NaN;
}

/**
 * Warp targets that move each paired point by its offset along its 2D normal, in the plane
 * perpendicular to its ray; weight = trust × Tukey's biweight of the offset over the search range.
 */
function constraints(pairs: ContourPair[], camera: Camera, rangePx: number, o: Required<SilhouetteOptions>): WarpTargets {
  const R = camera.rotation, t = camera.translation;
  const kept: { pair: ContourPair; weight: number }[] = [];
  for (const pair of pairs) {
    const u = pair.offsetPx / rangePx;
    const weight = pair.trust * (Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0);
    if (weight >= o.minWeight) kept.push({ pair, weight });
  }
  const centres = new Float64Array(kept.length * 3), displacements = new Float64Array(kept.length * 3), lambda = new Float64Array(kept.length);
  kept.forEach(({ pair, weight }, k) => {
    const { world, template, normal, depth, expression } = pair.point;
    // The contour normal in camera space (x right, y up), made perpendicular to the ray.
    const pc = [0, 1, 2].map((r) => R[3 * r] * world[0] + R[3 * r + 1] * world[1] + R[3 * r + 2] * world[2] + t[r]);
    const ray = normalise(pc);
    const dir = [normal[0], -normal[1], 0];
    const along = dir[0] * ray[0] + dir[1] * ray[1];
    const move = normalise(dir.map((v, c) => v - along * ray[c]));
    // A move of d metres perpendicular to the ray at this depth shifts the projection by d·f/depth pixels.
    const metres = (pair.offsetPx * depth) / ((camera.fx + camera.fy) / 2);
    for (let c = 0; c < 3; c++) {
      // Camera → world: Rᵀ.
      const w = R[c] * move[0] + R[3 + c] * move[1] + R[6 + c] * move[2];
      centres[3 * k + c] = template[c];
      displacements[3 * k + c] = world[c] - expression[c] - template[c] + metres * w;
    }
    lambda[k] = o.smoothingM / weight;
  });
  return { centres, displacements, lambda };
}

/** Skin vertices warped, plus the expression's displacement when given (eyeballs stay: the contour is the skin's). */
export function warpedPositions(head: TemplateHead, warp: Warp, expression?: Float32Array): Float32Array {
  const pos = head.mesh.positions;
  const out = Float32Array.from(pos);
  const d = new Float64Array(3);
  for (const v of templateInfo(head).skin) {
    warpAt(warp, pos[3 * v], pos[3 * v + 1], pos[3 * v + 2], d);
    for (let c = 0; c < 3; c++) out[3 * v + c] = pos[3 * v + c] + d[c] + (expression ? expression[3 * v + c] : 0);
  }
  return out;
}

/**
 * The head's occluding contour seen by `camera`: on each skin edge between eligible vertices where
 * the normal's facing (n · view direction) changes sign, the zero crossing; kept where it is on the
 * outer boundary of the head's projection (not over the neck or the other cheek) and not hidden,
 * thinned to `spacingM` apart on the template. `region` "face" is where the silhouette term
 * constrains (see templateInfo); "head" is all skin off the face mesh and the ears (scalp, jaw, neck),
 * for the head's proportions (fit/head-outline.ts).
 */
export function occludingContour(head: TemplateHead, positions: Float32Array, camera: Camera, options: SilhouetteOptions = {}, expression?: Float32Array, region: ContourRegion = "face"): ContourPoint[] {
  const o = { ...SILHOUETTE_DEFAULTS, ...options };
  const info = templateInfo(head);
  const eligible = region === "face" ? info.eligible : info.offFace;
  const normals = computeNormals(positions, head.mesh.indices, info.weld);
  const eye = cameraCentre(camera);
  const nv = positions.length / 3;
  const facing = new Float64Array(nv);
  for (const v of info.skin) {
    const view = [eye[0] - positions[3 * v], eye[1] - positions[3 * v + 1], eye[2] - positions[3 * v + 2]];
    facing[v] = (normals[3 * v] * view[0] + normals[3 * v + 1] * view[1] + normals[3 * v + 2] * view[2]) / Math.hypot(view[0], view[1], view[2]);
  }
  const raster = headRaster(head, positions, camera, o.rasterSize);
  const tpl = head.mesh.positions, idx = head.mesh.indices;
  const seen = new Set<number>();
  const found: ContourPoint[] = [];
  const R = camera.rotation, tr = camera.translation;
  for (let tri = info.skinTriangles.first; tri < info.skinTriangles.first + info.skinTriangles.count; tri++) {
    for (let e = 0; e < 3; e++) {
      const a0 = idx[3 * tri + e], b0 = idx[3 * tri + ((e + 1) % 3)];
      if (!eligible[a0] || !eligible[b0] || facing[a0] > 0 === facing[b0] > 0) continue;
      const a = Math.min(a0, b0), b = Math.max(a0, b0);
      const key = a * nv + b;
      if (seen.has(key)) continue;
      seen.add(key);
      const s = facing[a] / (facing[a] - facing[b]);
      const lerp = (arr: ArrayLike<number>, c: number) => arr[3 * a + c] + s * (arr[3 * b + c] - arr[3 * a + c]);
      const world: [number, number, number] = [lerp(positions, 0), lerp(positions, 1), lerp(positions, 2)];
      const n = [lerp(normals, 0), lerp(normals, 1), lerp(normals, 2)];
      const nc = [0, 1, 2].map((r) => R[3 * r] * n[0] + R[3 * r + 1] * n[1] + R[3 * r + 2] * n[2]);
      const nl = Math.hypot(nc[0], nc[1]);
      if (!(nl > 1e-6)) continue;
      const normal: [number, number] = [nc[0] / nl, -nc[1] / nl];
      const pc = [0, 1, 2].map((r) => R[3 * r] * world[0] + R[3 * r + 1] * world[1] + R[3 * r + 2] * world[2] + tr[r]);
      const depth = -pc[2];
      if (!(depth > 0)) continue;
      const pixel: [number, number] = [camera.cx + (camera.fx * pc[0]) / depth, camera.cy - (camera.fy * pc[1]) / depth];
      if (!raster.onOuterBoundary(pixel, normal)) continue;
      const template: [number, number, number] = [lerp(tpl, 0), lerp(tpl, 1), lerp(tpl, 2)];
      const offset: [number, number, number] = expression ? [lerp(expression, 0), lerp(expression, 1), lerp(expression, 2)] : [0, 0, 0];
      found.push({ template, world, expression: offset, pixel, normal, depth, beardZone: template[1] < info.lowerLipY, behindFace: info.farFromLandmarks[a] + info.farFromLandmarks[b] === 2 });
    }
  }
  return thin(found, o.spacingM);
}

/** Greedy thinning: a point is kept when no kept point lies within `spacing` of it on the template. */
function thin(points: ContourPoint[], spacing: number): ContourPoint[] {
  const grid = new Map<string, ContourPoint[]>();
  const cell = (p: number[]) => p.map((v) => Math.floor(v / spacing));
  const kept: ContourPoint[] = [];
  for (const p of points) {
    const [i, j, k] = cell(p.template);
    let near = false;
    for (let di = -1; di <= 1 && !near; di++) for (let dj = -1; dj <= 1 && !near; dj++) for (let dk = -1; dk <= 1 && !near; dk++) {
      for (const q of grid.get(`${i + di},${j + dj},${k + dk}`) ?? []) {
        if (Math.hypot(q.template[0] - p.template[0], q.template[1] - p.template[1], q.template[2] - p.template[2]) < spacing) near = true;
      }
    }
    if (near) continue;
    kept.push(p);
    const key = `${i},${j},${k}`;
    grid.set(key, [...(grid.get(key) ?? []), p]);
  }
  return kept;
}

/**
 * The skin drawn into a raster framing the head's projection, to tell the contour points on its
 * outer boundary from those over the head's own surface (the jaw over the neck, the far cheek behind
 * the nose).
 */
function headRaster(head: TemplateHead, positions: Float32Array, camera: Camera, size: number) {
  const info = templateInfo(head);
  const full = projectToScreen(camera, positions);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const v of info.skin) {
    const x = full[3 * v], y = full[3 * v + 1];
    if (!Number.isFinite(x)) continue;
    x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
  }
  const k = size / Math.max(x1 - x0, y1 - y0, 1e-9);
  const pad = 8;
  const W = Math.ceil((x1 - x0) * k) + 2 * pad, H = Math.ceil((y1 - y0) * k) + 2 * pad;
  const cam: Camera = { ...camera, width: W, height: H, fx: camera.fx * k, fy: camera.fy * k, cx: (camera.cx - x0) * k + pad, cy: (camera.cy - y0) * k + pad };
  const frags = createFragments(W, H);
  rasterize(frags, projectToScreen(cam, positions), head.mesh.indices, { cull: "back", firstTriangle: info.skinTriangles.first, triangleCount: info.skinTriangles.count });
  const toRaster = (p: [number, number]) => [(p[0] - x0) * k + pad, (p[1] - y0) * k + pad];
  const covered = (x: number, y: number) => {
    const i = Math.floor(x), j = Math.floor(y);
    return i >= 0 && j >= 0 && i < W && j < H && frags.triangle[j * W + i] >= 0;
  };
  return {
    /**
     * Nothing of the head a few raster pixels out along the normal, the head drawn just inside. No
     * depth test: beside a contour the surface recedes steeply (√(2·r·d): 1 cm at 0.5 mm in on a
     * 10 cm radius), and a contour hidden behind another part has that part beyond it, so fails here.
     */
    onOuterBoundary(pixel: [number, number], normal: [number, number]): boolean {
      const [x, y] = toRaster(pixel);
      for (let step = 2; step <= 4; step++) if (covered(x + step * normal[0], y + step * normal[1])) return false;
      return covered(x - normal[0], y - normal[1]) || covered(x - 2 * normal[0], y - 2 * normal[1]);
    },
  };
}

/** Which part of the skin a contour is sought on (see occludingContour). */
export type ContourRegion = "face" | "head";

interface TemplateInfo {
  skin: number[];
  /** 1 on skin off the face mesh (no landmark within the oval's spacing) and off the ears. */
  offFace: Uint8Array;
  skinTriangles: { first: number; count: number };
  /** 1 where a contour may constrain: the face outline and everything off the face mesh's interior. */
  eligible: Uint8Array;
  /** 1 where a skin vertex lies farther than one oval spacing from every landmark. */
  farFromLandmarks: Uint8Array;
  weld: Int32Array;
  /** Template height of the lower lip's bottom, metres: below it facial hair is the outline. */
  lowerLipY: number;
}

const infoCache = new WeakMap<TemplateHead, TemplateInfo>();

/**
 * Per template: the skin, and where a contour may constrain. The face mesh's interior (eyes, nose,
 * mouth, the cheeks inside the oval) is held by the landmarks: a vertex is eligible when its nearest
 * landmark is on the face oval, or no landmark lies within the oval's own spacing of it; not within
 * half that spacing of any landmark; below the brows; not on the ears.
 */
function templateInfo(head: TemplateHead): TemplateInfo {
  const cached = infoCache.get(head);
  if (cached) return cached;
  const pos = head.mesh.positions, lv = head.landmarkVertices;
  const skinPart = head.parts.find((p) => p.part === "skin")!;
  const nv = pos.length / 3;
  const isSkin = new Uint8Array(nv);
  for (let i = skinPart.firstIndex; i < skinPart.firstIndex + skinPart.indexCount; i++) isSkin[head.mesh.indices[i]] = 1;
  const skin: number[] = [];
  for (let v = 0; v < nv; v++) if (isSkin[v]) skin.push(v);
  const oval = new Set(FACE_OVAL);
  const dist2 = (v: number, w: number) => (pos[3 * v] - pos[3 * w]) ** 2 + (pos[3 * v + 1] - pos[3 * w + 1]) ** 2 + (pos[3 * v + 2] - pos[3 * w + 2]) ** 2;
  // The oval's mean spacing between neighbouring landmarks.
  let spacing = 0;
  for (let k = 0; k < FACE_OVAL.length; k++) spacing += Math.sqrt(dist2(lv[FACE_OVAL[k]], lv[FACE_OVAL[(k + 1) % FACE_OVAL.length]])) / FACE_OVAL.length;
  const eligible = new Uint8Array(nv), offFace = new Uint8Array(nv), farFromLandmarks = new Uint8Array(nv);
  const browY = Math.min(...[...RIGHT_BROW_CORE, ...LEFT_BROW_CORE].map((i) => pos[3 * lv[i] + 1]));
  for (const v of skin) {
    let best = Infinity, nearest = -1;
    for (let i = 0; i < MESH_LANDMARK_COUNT; i++) {
      const d = dist2(v, lv[i]);
      if (d < best) (best = d), (nearest = i);
    }
    // Off the landmarks themselves (two targets a few mm apart make the thin-plate warp overshoot), and
    // below the brows: the scalp's outline in a photo is nearly always hair's.
    const offLandmarks = best > (spacing / 2) ** 2 && (oval.has(nearest) || best > spacing * spacing);
    // Not on the ears (the atlas's bottom row): their rims pull the thin-plate warp into folds.
    const offEars = head.mesh.uvs[2 * v + 1] < ATLAS.row.v0;
    eligible[v] = offLandmarks && pos[3 * v + 1] < browY && offEars ? 1 : 0;
    offFace[v] = best > spacing * spacing && offEars ? 1 : 0;
    farFromLandmarks[v] = best > spacing * spacing ? 1 : 0;
  }
  const info: TemplateInfo = {
    skin,
    offFace,
    skinTriangles: { first: skinPart.firstIndex / 3, count: skinPart.indexCount / 3 },
    eligible,
    farFromLandmarks,
    weld: weldMap(pos),
    lowerLipY: pos[3 * lv[LOWER_LIP_BOTTOM] + 1],
  };
  infoCache.set(head, info);
  return info;
}

function normalise(v: number[]): number[] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
