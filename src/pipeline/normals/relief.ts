/**
 * The polygonal microrelief: skin's primary and secondary lines. Dermatology describes them as a
 * network of straight-ish furrows between nodes that divides the surface into triangles and
 * rhombi ("lozenges") of varied size (mananatomy.com, "Lines and ridges of skin"; Menard,
 * 皮丘 "rhombic or triangular"; gurubi.jp 皮溝: "triangles and irregular polygons of various
 * sizes"), with the hair follicles (the visible pores) where furrows cross and sweat pores on the
 * plateaus (cosmetics-suhadabizin.com 皮丘/毛孔), and a dominant direction: roughness depends on the
 * direction of a profile relative to the major grooves (Barbenel & Makki; "Quantification of the
 * skin's topography by skin profilometry"), which follow the skin's tension lines (Langer lines,
 * tension-line references in skin-statistics.ts).
 *
 * Model: a triangulated lattice of jittered nodes (rows a·√3/2 apart, odd rows offset by a/2,
 * each node moved by up to ±0.3 a per axis, which never folds a triangle over: neighbours'
 * relative move stays under the triangle's 0.87 a height). Every node links to its right and two
 * lower neighbours; edges across the local tension direction are dropped more often (merging two
 * triangles into a rhombus) and drawn shallower, edges along it deeper. The lattice is drawn at
 * three rotations 20° apart (its edges repeat every 60°), each weighted by how close one of its
 * edge families is to the local tension direction, so that direction follows the face region by
 * region without distorting the cells. All choices hash integer lattice coordinates with the
 * job's seed: nothing repeats across the atlas, and a band sees exactly the edges that reach it.
 */
import { FIELD, sampleField, type RegionFields } from "./region-fields.ts";
import type { Band, StampScale } from "./band.ts";
import { rand01 } from "./noise.ts";

export interface NetworkScale {
  /** Lattice spacing (edge length between nodes), mm. */
  cellMm: number;
  /** Deepest groove (an edge along the tension direction), mm, at relief multiplier 1. */
  depthMm: number;
  /** Groove half-width, mm (each edge 0.7–1.3 of it). */
  halfWidthMm: number;
  /** Mean share of the lattice's edges dropped (more of those across the tension direction). */
  dropFraction: number;
  /** How much shallower an edge across the tension direction is than one along it, and how much more often dropped, 0..1. */
  alignedContrast: number;
  /** Width of the furrow's shoulder over its core's (1: no shoulder; see stampCapsule). */
  shoulderWidth: number;
  /** Hash stream of this scale. */
  stream: number;
  /**
   * Atlas stretch (√ of the surface area per atlas area, FIELD.stretchX·Y) up to which the network
   * is drawn in full, and from which it is not drawn at all (its cavities' mean loss goes to A_S
   * instead): the lattice is laid out in atlas mm, so its polygons are stretch² times too few per
   * mm² of surface there.
   */
  stretchFade: [number, number];
}

/** Share of the network drawn at atlas stretch `s` (1 below stretchFade[0], 0 above stretchFade[1]). */
export function networkShare(s: number, fade: [number, number]): number {
  return Math.min(1, Math.max(0, (fade[1] - s) / Math.max(1e-6, fade[1] - fade[0])));
}

const ROTATIONS = 3;
const ROTATION_STEP = Math.PI / 9; // 20°: three rotations cover the lattice's 60° period
const JITTER = 0.3;
const ROW = Math.sqrt(3) / 2;
/** Share of a primary furrow's depth in its shoulder (H: domed plateaus, see stampCapsule). */
const SHOULDER_SHARE = 0.35;

/** A lattice node in atlas mm, with its lattice's weight there (0..1). */
export interface NetworkNode {
  x: number;
  y: number;
  weight: number;
  /** Hash coordinates of the node (lattice rotation, column, row). */
  k: number;
  i: number;
  j: number;
}

/** Weight of rotation k where the tension direction (doubled-angle vector c2, s2) is. */
function rotationWeight(k: number, c2: number, s2: number): number {
  if (c2 * c2 + s2 * s2 < 1e-8) return k === 0 ? 1 : 0;
  const theta = 0.5 * Math.atan2(s2, c2);
  // Offset to the rotation's nearest edge family, wrapped into (−30°, 30°].
  const period = Math.PI / 3;
  let d = (theta - k * ROTATION_STEP) % period;
  if (d > period / 2) d -= period;
  if (d <= -period / 2) d += period;
  return Math.max(0, 1 - Math.abs(d) / ROTATION_STEP);
}

/** Hash channel of one random choice: network stream, lattice rotation, slot (0–15). */
export function hashChannel(stream: number, k: number, slot: number): number {
  return (stream * ROTATIONS + k) * 16 + slot;
}

const COS = Array.from({ length: ROTATIONS }, (_, k) => Math.cos(k * ROTATION_STEP));
const SIN = Array.from({ length: ROTATIONS }, (_, k) => Math.sin(k * ROTATION_STEP));

/** Position of lattice node (i, j) of rotation k, atlas mm (hash slots 0 and 1). */
function nodeAt(k: number, i: number, j: number, cell: number, stream: number, seed: number, out: { x: number; y: number }): void {
  const u = (i + 0.5 * (j & 1) + JITTER * (2 * rand01(i, j, hashChannel(stream, k, 0), seed) - 1)) * cell;
  const v = (j + JITTER * (2 * rand01(i, j, hashChannel(stream, k, 1), seed) - 1)) * cell * ROW;
  out.x = u * COS[k] - v * SIN[k];
  out.y = u * SIN[k] + v * COS[k];
}

/**
 * Calls `visit` for every node of every rotation that lies within `marginMm` of the rectangle
 * [x0, x1] × [y0, y1] (mm), with its lattice coordinates. Rows are walked in lattice space and
 * each row's column range solved for the rectangle, so a thin band costs only what it contains.
 */
function forEachLatticeNode(x0: number, x1: number, y0: number, y1: number, cell: number, visit: (k: number, i: number, j: number) => void): void {
  for (let k = 0; k < ROTATIONS; k++) {
    const c = COS[k], s = SIN[k];
    // Lattice v of the rectangle's corners (v = −x s + y c), widened by the jitter.
    const vs = [-x0 * s + y0 * c, -x1 * s + y0 * c, -x0 * s + y1 * c, -x1 * s + y1 * c];
    const j0 = Math.floor(Math.min(...vs) / (cell * ROW)) - 1, j1 = Math.ceil(Math.max(...vs) / (cell * ROW)) + 1;
    for (let j = j0; j <= j1; j++) {
      const v = j * cell * ROW;
      // x = u c − v s ∈ [x0, x1] and y = u s + v c ∈ [y0, y1], solved for u.
      let uMin = (x0 + v * s) / c, uMax = (x1 + v * s) / c;
      if (s > 1e-9) {
        uMin = Math.max(uMin, (y0 - v * c) / s);
        uMax = Math.min(uMax, (y1 - v * c) / s);
      } else if (v < y0 - cell || v > y1 + cell) continue;
      if (uMax < uMin - 2 * cell) continue;
      const i0 = Math.floor(uMin / cell) - 2, i1 = Math.ceil(uMax / cell) + 2;
      for (let i = i0; i <= i1; i++) visit(k, i, j);
    }
  }
}

/** Nodes of the network at `cellMm` whose position is within `marginMm` of the band's rows (for pores at furrow crossings). */
export function networkNodes(band: Band, field: RegionFields, scale: StampScale, cellMm: number, stream: number, marginMm: number, visit: (node: NetworkNode) => void): void {
  const t = scale.texelMm;
  const y0 = (band.y0 - band.halo) * t - marginMm, y1 = (band.y1 + band.halo) * t + marginMm;
  const x0 = -marginMm, x1 = band.width * t + marginMm;
  const p = { x: 0, y: 0 };
  forEachLatticeNode(x0, x1, y0 - cellMm, y1 + cellMm, cellMm, (k, i, j) => {
    nodeAt(k, i, j, cellMm, stream, scale.seed, p);
    if (p.y < y0 || p.y > y1 || p.x < x0 || p.x > x1) return;
    const bx = p.x / t / scale.fullPerBase, by = p.y / t / scale.fullPerBase;
    const weight = rotationWeight(k, sampleField(field, FIELD.orientCos2, bx, by), sampleField(field, FIELD.orientSin2, bx, by));
    if (weight > 0) visit({ x: p.x, y: p.y, weight, k, i, j });
  });
}

/**
 * Adds one scale of the network to the band. `relief` holds the per-texel relief multiplier
 * (region mix) for the band's rows (same layout as band.height), `share` the share of the network
 * drawn there (networkShare of the atlas stretch); `work` is scratch of the same length. Crossing
 * grooves take the deeper of the two (a node is not twice as deep). Groove widths are mm of
 * surface (narrower in the atlas where it is stretched across the groove).
 */
export function addNetwork(band: Band, relief: Float32Array, share: Float32Array, work: { depth: Float32Array; loss: Float32Array }, field: RegionFields, scale: StampScale, net: NetworkScale): void {
  const t = scale.texelMm;
  const wMin = 0.5 * scale.minFeatureTexels * t;
  const wNominal = Math.max(net.halfWidthMm, wMin);
  const hiddenAtBottom = 1 - net.halfWidthMm / Math.hypot(net.halfWidthMm, net.depthMm);
  // Mean depth factor of an edge: random 0.4–1 (mean 0.7) × 1 − contrast·(1 − align), align 1, ¼, ¼ over the families.
  const meanEdge = 0.7 * (1 - net.alignedContrast * 0.5);
  // Where it is not drawn, the network's cavities still hide specular: their mean over the area
  // goes into A_S — groove cross-section 16w/15 of profile (1 − (b/w)²)² along (1 − drop)·3
  // edges of length a per node, nodes 2/(√3 a²) per unit area.
  const lengthPerArea = ((1 - net.dropFraction) * 3 * 2) / (Math.sqrt(3) * net.cellMm);
  const meanLoss = Math.min(1, hiddenAtBottom * meanEdge * lengthPerArea * (16 * net.halfWidthMm) / 15);
  if (net.depthMm * (net.halfWidthMm / wNominal) < 1e-5 || 6 * wNominal > net.cellMm) {
    // Not resolved as lines at this texel size (grooves would fill over a third of each cell):
    // left to the specular roughness, as Graham et al. 2013 leave microstructure below their
    // scans' resolution to the BRDF.
    for (let i = 0; i < band.loss.length; i++) band.loss[i] += meanLoss * relief[i];
    return;
  }
  const depth = work.depth, loss = work.loss;
  depth.fill(0);
  loss.fill(0);
  const first = band.y0 - band.halo, last = band.y1 + band.halo - 1, W = band.width;
  const reach = net.shoulderWidth * 1.3 * Math.max(net.halfWidthMm / field.minStretch, wMin) + 1.5 * t;
  const seed = scale.seed, cell = net.cellMm;
  const a = { x: 0, y: 0 }, b = { x: 0, y: 0 };
  const neighbours: [number, number][] = [[1, 0], [0, 1], [-1, 1]];
  forEachLatticeNode(-reach - cell, W * t + reach + cell, first * t - reach - cell, (last + 1) * t + reach + cell, cell, (k, i, j) => {
    nodeAt(k, i, j, cell, net.stream, seed, a);
    // The node decides for its three edges: skin or not, and this rotation's weight at it.
    const ax = a.x / t / scale.fullPerBase, ay = a.y / t / scale.fullPerBase;
    if (sampleField(field, FIELD.relief, ax, ay) <= 0) return;
    const c2 = sampleField(field, FIELD.orientCos2, ax, ay), s2 = sampleField(field, FIELD.orientSin2, ax, ay);
    const weight = rotationWeight(k, c2, s2) * networkShare(sampleField(field, FIELD.areaStretch, ax, ay), net.stretchFade);
    if (weight <= 0) return;
    const sx = sampleField(field, FIELD.stretchX, ax, ay), sy = sampleField(field, FIELD.stretchY, ax, ay);
    const m = Math.hypot(c2, s2);
    for (let e = 0; e < 3; e++) {
      // Right neighbour, and the two below (odd rows sit half a cell to the right).
      const ni = i + neighbours[e][0] + (e > 0 && j & 1 ? 1 : 0), nj = j + neighbours[e][1];
      nodeAt(k, ni, nj, cell, net.stream, seed, b);
      const minY = Math.min(a.y, b.y) - reach, maxY = Math.max(a.y, b.y) + reach;
      if (maxY < first * t || minY > (last + 1) * t) continue;
      // Alignment with the tension direction: cos² of the angle between edge and direction.
      const ex = b.x - a.x, ey = b.y - a.y, len2 = ex * ex + ey * ey;
      const align = m > 1e-4 ? 0.5 * (1 + ((ex * ex - ey * ey) * c2 + 2 * ex * ey * s2) / (len2 * m)) : 0.5;
      // Drop probability around dropFraction, lower along the tension direction and higher across
      // (its mean over the three edge families, align 1, ¼, ¼, is dropFraction).
      if (rand01(i, j, hashChannel(net.stream, k, 2 + e), seed) < net.dropFraction * (1 - net.alignedContrast * (2 * align - 1))) continue;
      const strength = (0.4 + 0.6 * rand01(i, j, hashChannel(net.stream, k, 5 + e), seed)) * (1 - net.alignedContrast * (1 - align)) * weight;
      const w = net.halfWidthMm * (0.7 + 0.6 * rand01(i, j, hashChannel(net.stream, k, 8 + e), seed));
      // The groove's width in the atlas: surface mm per atlas mm across the edge (its normal (−ey, ex)).
      const wAtlas = w / (Math.hypot(sx * ey, sy * ex) / Math.sqrt(len2));
      const wEff = Math.max(wAtlas, wMin);
      const d = net.depthMm * strength * (wAtlas / wEff);
      const hidden = (1 - w / Math.hypot(w, net.depthMm * strength)) * (wAtlas / wEff);
      stampCapsule(depth, loss, first, last, W, t, a.x, a.y, b.x, b.y, wEff, net.shoulderWidth, d, hidden);
    }
  });
  for (let p = 0; p < depth.length; p++) {
    const m = relief[p];
    if (m <= 0) continue;
    if (share[p] < 1) band.loss[p] += meanLoss * m * (1 - share[p]);
    if (depth[p] === 0) continue;
    band.height[p] -= depth[p] * m;
    band.loss[p] += loss[p] * m;
  }
}

/**
 * A straight groove from (ax, ay) to (bx, by) mm with round ends, max-combined, as a function of
 * the distance r to the segment: a V-ish core (1 − (r/w)²)² plus, for primary furrows, a shoulder
 * `shoulderWidth` times wider holding SHOULDER_SHARE of the depth — the plateaus between furrows
 * are domed ("cristae cutis ... slightly elevated", dermatology atlas ch. 1; 皮丘 "plump",
 * Menard), not flat tables cut by narrow slots. Only the core hides specular (the shoulder's
 * slopes are gentle). Each row visits only the columns the capsule can reach.
 */
function stampCapsule(depth: Float32Array, loss: Float32Array, first: number, last: number, W: number, t: number, ax: number, ay: number, bx: number, by: number, w: number, shoulderWidth: number, d: number, hidden: number): void {
  const wS = shoulderWidth * w, share = shoulderWidth > 1 ? SHOULDER_SHARE : 0;
  const yA = Math.max(first, Math.ceil((Math.min(ay, by) - wS) / t - 0.5)), yB = Math.min(last, Math.floor((Math.max(ay, by) + wS) / t - 0.5));
  const ex = bx - ax, ey = by - ay, inv = 1 / Math.max(1e-12, ex * ex + ey * ey), w2 = w * w, wS2 = wS * wS;
  for (let y = yA; y <= yB; y++) {
    const py = (y + 0.5) * t - ay;
    const row = (y - first) * W;
    // Segment parameters whose point is within wS of this row, then their x span ± wS.
    let s0 = 0, s1 = 1;
    if (Math.abs(ey) > 1e-12) {
      const sa = (py - wS) / ey, sb = (py + wS) / ey;
      s0 = Math.max(0, Math.min(sa, sb));
      s1 = Math.min(1, Math.max(sa, sb));
      if (s0 > s1) continue;
    }
    const xA = Math.max(0, Math.ceil((ax + Math.min(s0 * ex, s1 * ex) - wS) / t - 0.5));
    const xB = Math.min(W - 1, Math.floor((ax + Math.max(s0 * ex, s1 * ex) + wS) / t - 0.5));
    for (let x = xA; x <= xB; x++) {
      const px = (x + 0.5) * t - ax;
      const s = Math.min(1, Math.max(0, (px * ex + py * ey) * inv));
      const dx = px - s * ex, dy = py - s * ey;
      const r2 = dx * dx + dy * dy;
      if (r2 >= wS2) continue;
      const qS = 1 - r2 / wS2;
      const q = r2 < w2 ? 1 - r2 / w2 : 0;
      const core = q * q;
      const v = d * ((1 - share) * core + share * qS * qS);
      if (v > depth[row + x]) {
        depth[row + x] = v;
        loss[row + x] = hidden * core;
      }
    }
  }
}
