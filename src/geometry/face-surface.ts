/**
 * The face part of the template head: the face-mesh landmarks and triangulation with the eye
 * openings cut out and the mouth closed, Loop-subdivided twice so that it is smooth at texel
 * scale while every landmark stays an exact vertex.
 */
import { FACE_LANDMARKS_M, FACE_TRIANGLES, LANDMARK_MIRROR } from "./data/canonical-face.ts";
import { vertexNeighbours } from "./mesh-utils.ts";
import { subdivideInterpolating } from "./subdivide.ts";
import { FACE_OVAL as FACE_SILHOUETTE, LEFT_EYE_CONTOUR as EYE_CONTOUR_LEFT, LIP_LOWER_INNER, LIP_UPPER_INNER, RIGHT_EYE_CONTOUR as EYE_CONTOUR_RIGHT } from "../primitives/face-topology.ts";

/** How far the closed mouth's seam sits behind the mean of the two lip lines, metres. */
const LIP_SEAM_DEPTH_M = 0.0015;

export interface FaceSurface {
  /** xyz per vertex, metres; vertices 0–467 are the face-mesh landmarks. */
  positions: Float64Array;
  indices: Uint32Array;
  /** The outer boundary, in order, starting at landmark 10 (top of the forehead) and running over the subject's left side first. */
  ring: number[];
  /** Lid-margin loops after subdivision, in order. */
  eyeRight: number[];
  eyeLeft: number[];
  /** Per ring vertex: unit direction in which the face surface leaves the ring (tangent to the face, across the ring). */
  ringOutward: [number, number, number][];
  /** The closed mouth's seam after subdivision, in order from the subject's right corner (landmark 78) to the left (308). */
  mouthSeam: number[];
}

/**
 * Direction in which the surface continues across each boundary vertex: from the centroid of the
 * vertices `depth` edge-rings inside (the face's average slope near its edge, ignoring the last
 * strip's curl) to the vertex, made perpendicular to the loop.
 */
function outwardDirections(positions: Float64Array, indices: Uint32Array, loop: number[], depth = 3): [number, number, number][] {
  const nbrs = vertexNeighbours(indices);
  const onLoop = new Set(loop);
  const P = (v: number): [number, number, number] => [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]];
  return loop.map((v, i) => {
    let layer = new Set([v]);
    const seen = new Set([v]);
    for (let d = 0; d < depth; d++) {
      const next = new Set<number>();
      for (const a of layer) for (const b of nbrs.get(a) ?? []) if (!seen.has(b) && !onLoop.has(b)) next.add(b);
      for (const b of next) seen.add(b);
      if (next.size === 0) break;
      layer = next;
    }
    const p = P(v);
    const prev = P(loop[(i + loop.length - 1) % loop.length]), next = P(loop[(i + 1) % loop.length]);
    const tangent = [next[0] - prev[0], next[1] - prev[1], next[2] - prev[2]];
    const tl = Math.hypot(...tangent);
    const c = [0, 0, 0];
    for (const w of layer) for (let k = 0; k < 3; k++) c[k] += P(w)[k] / layer.size;
    let d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
    const along = (d[0] * tangent[0] + d[1] * tangent[1] + d[2] * tangent[2]) / (tl * tl);
    d = d.map((x, k) => x - along * tangent[k]);
    const l = Math.hypot(...d);
    return [d[0] / l, d[1] / l, d[2] / l];
  });
}

/** Follows a boundary loop through the edge vertices of successive subdivision levels. */
function refineLoop(loop: number[], edgeVertices: Map<number, number>[], vertexCountAt: number[]): number[] {
  let cur = loop;
  edgeVertices.forEach((map, level) => {
    const n = vertexCountAt[level];
    const next: number[] = [];
    for (let i = 0; i < cur.length; i++) {
      const a = cur[i], b = cur[(i + 1) % cur.length];
      next.push(a, map.get(a < b ? a * n + b : b * n + a)!);
    }
    cur = next;
  });
  return cur;
}

/** Follows an open path (consecutive vertices share an edge) through the edge vertices of successive levels. */
function refinePath(path: number[], edgeVertices: Map<number, number>[], vertexCountAt: number[]): number[] {
  let cur = path;
  edgeVertices.forEach((map, level) => {
    const n = vertexCountAt[level];
    const next: number[] = [cur[0]];
    for (let i = 0; i + 1 < cur.length; i++) {
      const a = cur[i], b = cur[i + 1];
      next.push(map.get(a < b ? a * n + b : b * n + a)!, b);
    }
    cur = next;
  });
  return cur;
}

/**
 * The face mesh's triangles made mirror-symmetric: a few quads of the published triangulation
 * are split along different diagonals on the two sides, which subdivision would turn into
 * left/right differences. The subject's right half (x < 0) is kept and mirrored.
 */
function symmetricTriangles(): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let t = 0; t < FACE_TRIANGLES.length; t += 3) {
    const a = FACE_TRIANGLES[t], b = FACE_TRIANGLES[t + 1], c = FACE_TRIANGLES[t + 2];
    const cx = FACE_LANDMARKS_M[3 * a] + FACE_LANDMARKS_M[3 * b] + FACE_LANDMARKS_M[3 * c];
    if (cx < -1e-9) {
      out.push([a, b, c]);
      out.push([LANDMARK_MIRROR[a], LANDMARK_MIRROR[c], LANDMARK_MIRROR[b]]);
    } else if (Math.abs(cx) <= 1e-9) out.push([a, b, c]);
  }
  return out;
}

/** Builds the subdivided face surface (deterministic; ~15k triangles). */
export function buildFaceSurface(levels = 2): FaceSurface {
  const positions: number[] = Array.from(FACE_LANDMARKS_M.subarray(0, 468 * 3));
  const eyeSets = [new Set(EYE_CONTOUR_RIGHT), new Set(EYE_CONTOUR_LEFT)];
  const tris: number[] = [];
  for (const [a, b, c] of symmetricTriangles()) {
    // Triangles spanning an eye opening use only lid-margin vertices.
    if (eyeSets.some((s) => s.has(a) && s.has(b) && s.has(c))) continue;
    tris.push(a, b, c);
  }
  // Close the mouth: a seam of new vertices between the inner lip lines.
  const seam: number[] = [LIP_UPPER_INNER[0]];
  for (let k = 1; k < LIP_UPPER_INNER.length - 1; k++) {
    const u = LIP_UPPER_INNER[k], l = LIP_LOWER_INNER[k];
    seam.push(positions.length / 3);
    positions.push(
      (FACE_LANDMARKS_M[3 * u] + FACE_LANDMARKS_M[3 * l]) / 2,
      (FACE_LANDMARKS_M[3 * u + 1] + FACE_LANDMARKS_M[3 * l + 1]) / 2,
      (FACE_LANDMARKS_M[3 * u + 2] + FACE_LANDMARKS_M[3 * l + 2]) / 2 - LIP_SEAM_DEPTH_M,
    );
  }
  seam.push(LIP_UPPER_INNER[LIP_UPPER_INNER.length - 1]);
  const addFront = (a: number, b: number, c: number) => {
    // Keep the winding counter-clockwise seen from the front (+Z).
    const ax = positions[3 * b] - positions[3 * a], ay = positions[3 * b + 1] - positions[3 * a + 1];
    const bx = positions[3 * c] - positions[3 * a], by = positions[3 * c + 1] - positions[3 * a + 1];
    if (ax * by - ay * bx >= 0) tris.push(a, b, c);
    else tris.push(a, c, b);
  };
  // Mirror-symmetric diagonals (the left half mirrors the right) so subdivision stays symmetric.
  const half = (seam.length - 1) / 2;
  for (let k = 0; k + 1 < seam.length; k++) {
    const u0 = LIP_UPPER_INNER[k], u1 = LIP_UPPER_INNER[k + 1], l0 = LIP_LOWER_INNER[k], l1 = LIP_LOWER_INNER[k + 1];
    const m0 = seam[k], m1 = seam[k + 1];
    if (k < half) {
      if (k > 0) addFront(u0, m0, u1);
      addFront(u1, m0, m1);
      if (k > 0) addFront(l0, l1, m0);
      addFront(m0, l1, m1);
    } else {
      if (k + 1 < seam.length - 1) addFront(u0, m1, u1);
      addFront(u0, m0, m1);
      if (k + 1 < seam.length - 1) addFront(l0, l1, m1);
      addFront(m0, l0, m1);
    }
  }
  const pinned = Array.from({ length: 468 }, (_, i) => i);
  const base = { positions: new Float64Array(positions), indices: new Uint32Array(tris) };
  const sub = subdivideInterpolating(base, levels, pinned);
  // Vertex count before each level, for the edge-key arithmetic of refineLoop.
  const counts: number[] = [];
  let n = base.positions.length / 3;
  for (const map of sub.edgeVertices) {
    counts.push(n);
    n += map.size;
  }
  // The silhouette list starts at landmark 10 and runs over the subject's left (+X) first.
  const ring = FACE_SILHOUETTE[1] !== undefined && FACE_LANDMARKS_M[3 * FACE_SILHOUETTE[1]] > 0 ? [...FACE_SILHOUETTE] : [FACE_SILHOUETTE[0], ...FACE_SILHOUETTE.slice(1).reverse()];
  const outerRing = refineLoop(ring, sub.edgeVertices, counts);
  return {
    positions: sub.positions,
    indices: sub.indices,
    ring: outerRing,
    ringOutward: outwardDirections(sub.positions, sub.indices, outerRing),
    eyeRight: refineLoop(EYE_CONTOUR_RIGHT, sub.edgeVertices, counts),
    eyeLeft: refineLoop(EYE_CONTOUR_LEFT, sub.edgeVertices, counts),
    mouthSeam: refinePath(seam, sub.edgeVertices, counts),
  };
}
