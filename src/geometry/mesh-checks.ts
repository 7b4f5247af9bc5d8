/**
 * Mesh soundness checks used by the template-head tests and by fit's self-intersection check:
 * edge topology on welded vertices (boundaries, non-manifold edges, inconsistent winding),
 * degenerate triangles, UV overlaps and triangle–triangle intersections.
 */
import { weldMap } from "./mesh-utils.ts";

export interface EdgeReport {
  /** Undirected edges used by exactly one triangle. */
  boundaryEdges: [number, number][];
  /** Undirected edges used by more than two triangles. */
  nonManifoldEdges: number;
  /** Directed edges used twice (two neighbours wound the same way: a flipped triangle). */
  inconsistentEdges: number;
}

/** Edge topology of `indices` over welded vertices (`weld` maps a vertex to its representative). */
export function edgeReport(indices: ArrayLike<number>, weld: Int32Array): EdgeReport {
  const directed = new Map<string, number>();
  const undirected = new Map<string, number>();
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = weld[indices[t + k]], b = weld[indices[t + ((k + 1) % 3)]];
      const d = `${a},${b}`;
      directed.set(d, (directed.get(d) ?? 0) + 1);
      const u = a < b ? `${a},${b}` : `${b},${a}`;
      undirected.set(u, (undirected.get(u) ?? 0) + 1);
    }
  }
  const boundaryEdges: [number, number][] = [];
  let nonManifoldEdges = 0;
  for (const [k, n] of undirected) {
    if (n === 1) {
      const [a, b] = k.split(",").map(Number);
      boundaryEdges.push(directed.has(`${a},${b}`) ? [a, b] : [b, a]);
    } else if (n > 2) nonManifoldEdges++;
  }
  let inconsistentEdges = 0;
  for (const n of directed.values()) if (n > 1) inconsistentEdges++;
  return { boundaryEdges, nonManifoldEdges, inconsistentEdges };
}

/** Chains directed boundary edges into loops (each a list of welded vertex ids). */
export function boundaryLoops(edges: [number, number][]): number[][] {
  const next = new Map<number, number>();
  for (const [a, b] of edges) next.set(a, b);
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const [start] of edges) {
    if (seen.has(start)) continue;
    const loop: number[] = [];
    for (let v: number | undefined = start; v !== undefined && !seen.has(v); v = next.get(v)) {
      seen.add(v);
      loop.push(v);
    }
    loops.push(loop);
  }
  return loops;
}

/** Indices of triangles whose area is below `minArea` (m²) or whose vertices coincide. */
export function degenerateTriangles(positions: ArrayLike<number>, indices: ArrayLike<number>, minArea = 1e-12): number[] {
  const bad: number[] = [];
  for (let t = 0; t < indices.length; t += 3) {
    const [a, b, c] = [indices[t], indices[t + 1], indices[t + 2]];
    const e1 = [0, 1, 2].map((k) => positions[3 * b + k] - positions[3 * a + k]);
    const e2 = [0, 1, 2].map((k) => positions[3 * c + k] - positions[3 * a + k]);
    const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
    if (Math.hypot(n[0], n[1], n[2]) / 2 < minArea) bad.push(t / 3);
  }
  return bad;
}

/** Signed volume enclosed by (a closed part of) the mesh, m³; positive when wound outwards. */
export function signedVolume(positions: ArrayLike<number>, indices: ArrayLike<number>, first = 0, count = indices.length): number {
  let v = 0;
  for (let t = first; t < first + count; t += 3) {
    const [a, b, c] = [3 * indices[t], 3 * indices[t + 1], 3 * indices[t + 2]];
    v += positions[a] * (positions[b + 1] * positions[c + 2] - positions[b + 2] * positions[c + 1]);
    v += positions[a + 1] * (positions[b + 2] * positions[c] - positions[b] * positions[c + 2]);
    v += positions[a + 2] * (positions[b] * positions[c + 1] - positions[b + 1] * positions[c]);
  }
  return v / 6;
}

/** UV layout faults over a width × height grid of texel centres. */
export interface UvReport {
  /** Texel centres covered by more than one triangle. */
  overlapTexels: number;
  /** Triangles wound the other way in UV than the majority (a flipped UV triangle). */
  flippedTriangles: number;
  /** Triangles with (near) zero UV area. */
  degenerateTriangles: number;
  /** Texel centres covered at all. */
  coveredTexels: number;
}

export function uvReport(uvs: ArrayLike<number>, indices: ArrayLike<number>, width: number, height: number): UvReport {
  const count = new Uint8Array(width * height);
  let pos = 0, neg = 0, degenerate = 0;
  const signs: number[] = [];
  for (let t = 0; t < indices.length; t += 3) {
    const [a, b, c] = [indices[t], indices[t + 1], indices[t + 2]];
    const x0 = uvs[2 * a] * width, y0 = uvs[2 * a + 1] * height;
    const x1 = uvs[2 * b] * width, y1 = uvs[2 * b + 1] * height;
    const x2 = uvs[2 * c] * width, y2 = uvs[2 * c + 1] * height;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    signs.push(Math.sign(area));
    if (Math.abs(area) < 1e-9) {
      degenerate++;
      continue;
    }
    if (area > 0) pos++;
    else neg++;
    const s = Math.sign(area);
    for (let y = Math.max(0, Math.floor(Math.min(y0, y1, y2))); y <= Math.min(height - 1, Math.ceil(Math.max(y0, y1, y2))); y++) {
      for (let x = Math.max(0, Math.floor(Math.min(x0, x1, x2))); x <= Math.min(width - 1, Math.ceil(Math.max(x0, x1, x2))); x++) {
        const px = x + 0.5, py = y + 0.5;
        // Strictly inside: texel centres on a shared edge belong to neither side.
        const e0 = s * ((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0));
        const e1 = s * ((x2 - x1) * (py - y1) - (y2 - y1) * (px - x1));
        const e2 = s * ((x0 - x2) * (py - y2) - (y0 - y2) * (px - x2));
        if (e0 > 1e-9 && e1 > 1e-9 && e2 > 1e-9 && count[y * width + x] < 255) count[y * width + x]++;
      }
    }
  }
  const majority = pos >= neg ? 1 : -1;
  let overlapTexels = 0, coveredTexels = 0;
  for (const n of count) {
    if (n > 1) overlapTexels++;
    if (n > 0) coveredTexels++;
  }
  return { overlapTexels, flippedTriangles: signs.filter((s) => s === -majority).length, degenerateTriangles: degenerate, coveredTexels };
}

/** Does segment pq cross triangle abc (excluding touching at shared points)? Möller–Trumbore. */
function segmentHitsTriangle(p: number[], q: number[], a: number[], b: number[], c: number[]): boolean {
  const d = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
  const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const h = [d[1] * e2[2] - d[2] * e2[1], d[2] * e2[0] - d[0] * e2[2], d[0] * e2[1] - d[1] * e2[0]];
  const det = e1[0] * h[0] + e1[1] * h[1] + e1[2] * h[2];
  if (Math.abs(det) < 1e-18) return false;
  const f = 1 / det;
  const s = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const u = f * (s[0] * h[0] + s[1] * h[1] + s[2] * h[2]);
  if (u < 1e-9 || u > 1 - 1e-9) return false;
  const qv = [s[1] * e1[2] - s[2] * e1[1], s[2] * e1[0] - s[0] * e1[2], s[0] * e1[1] - s[1] * e1[0]];
  const v = f * (d[0] * qv[0] + d[1] * qv[1] + d[2] * qv[2]);
  if (v < 1e-9 || u + v > 1 - 1e-9) return false;
  const t = f * (e2[0] * qv[0] + e2[1] * qv[1] + e2[2] * qv[2]);
  return t > 1e-9 && t < 1 - 1e-9;
}

/**
 * Pairs of triangles that cross each other, among triangles that share no (welded) vertex.
 * `triangles` restricts the check to a subset (a sample); all others are still tested against.
 */
export function selfIntersections(positions: ArrayLike<number>, indices: ArrayLike<number>, options: { triangles?: number[]; weld?: Int32Array } = {}): [number, number][] {
  const weld = options.weld ?? weldMap(Float32Array.from(positions as ArrayLike<number>));
  const T = indices.length / 3;
  const P = (v: number) => [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]];
  // Uniform grid over triangle bounding boxes, cell ≈ 4 × the mean edge.
  let edge = 0;
  for (let t = 0; t < T; t++) {
    const a = P(indices[3 * t]), b = P(indices[3 * t + 1]);
    edge += Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  }
  const cell = Math.max(1e-4, (4 * edge) / T);
  const grid = new Map<string, number[]>();
  const boxes: number[][] = [];
  for (let t = 0; t < T; t++) {
    const vs = [0, 1, 2].map((k) => P(indices[3 * t + k]));
    const lo = [0, 1, 2].map((k) => Math.floor(Math.min(vs[0][k], vs[1][k], vs[2][k]) / cell));
    const hi = [0, 1, 2].map((k) => Math.floor(Math.max(vs[0][k], vs[1][k], vs[2][k]) / cell));
    boxes.push([...lo, ...hi]);
    for (let x = lo[0]; x <= hi[0]; x++) for (let y = lo[1]; y <= hi[1]; y++) for (let z = lo[2]; z <= hi[2]; z++) {
      const k = `${x},${y},${z}`;
      const list = grid.get(k);
      if (list) list.push(t);
      else grid.set(k, [t]);
    }
  }
  const hits: [number, number][] = [];
  const subjects = options.triangles ?? Array.from({ length: T }, (_, t) => t);
  for (const t of subjects) {
    const tv = [0, 1, 2].map((k) => indices[3 * t + k]);
    const tw = new Set(tv.map((v) => weld[v]));
    const tp = tv.map(P);
    const [x0, y0, z0, x1, y1, z1] = boxes[t];
    const candidates = new Set<number>();
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) for (let z = z0; z <= z1; z++) for (const u of grid.get(`${x},${y},${z}`) ?? []) candidates.add(u);
    for (const u of candidates) {
      if (u === t || (!options.triangles && u < t)) continue;
      const uv = [0, 1, 2].map((k) => indices[3 * u + k]);
      if (uv.some((v) => tw.has(weld[v]))) continue;
      const up = uv.map(P);
      let cross = false;
      for (let e = 0; e < 3 && !cross; e++) {
        cross = segmentHitsTriangle(tp[e], tp[(e + 1) % 3], up[0], up[1], up[2]) || segmentHitsTriangle(up[e], up[(e + 1) % 3], tp[0], tp[1], tp[2]);
      }
      if (cross) hits.push([t, u]);
    }
  }
  return hits;
}
