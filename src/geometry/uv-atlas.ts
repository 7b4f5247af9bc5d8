/**
 * The template head's UV atlas (one 2:3 image, glTF UVs: origin top-left, v down). Islands:
 *
 *   v 0.005–0.70  face: the face mesh (plus mouth seam and eye sockets), a squashed-cylinder
 *                 projection that keeps the middle of the face near-isometric and compresses the
 *                 cheeks toward the ears, where a photo has few pixels anyway;
 *   v 0.71–0.91   scalp and neck: the lofted grid unrolled, cut along the back of the head;
 *   v 0.92–0.995  a row of small discs: right eye, right ear, neck base, left ear, left eye.
 *
 * Left/right symmetry: every island and every vertex has a mirror partner at u → 1 − u (the
 * subject's left at u > 0.5); midline vertices sit at u = 0.5 (or on the scalp's seam at u =
 * 0.01 / 0.99, whose two copies mirror each other). Later stages can mirror-fill texels through
 * (u, v) → (1 − u, v).
 */
import { vertexNeighbours } from "./mesh-utils.ts";

/** Atlas regions, in UV units. */
export const ATLAS = {
  face: { u0: 0.02, u1: 0.98, v0: 0.005, v1: 0.7 },
  scalp: { u0: 0.01, u1: 0.99, v0: 0.71, v1: 0.91 },
  row: { v0: 0.92, v1: 0.995 },
} as const;

/** Width:height of the atlas image (2:3). */
const ASPECT = 2 / 3;
/** Side of the square (in texels) small discs get, as a fraction of the atlas height. */
const DISC_V = ATLAS.row.v1 - ATLAS.row.v0;
const DISC_U = DISC_V / ASPECT;

/** Places an island-local UV ([0,1]², disc inside) into slot `slot` of the bottom row (0 = right eye … 4 = left eye). */
export function rowSlot(slot: 0 | 1 | 2 | 3 | 4, local: [number, number]): [number, number] {
  // Slots symmetric about u = 0.5: centres at ±0.41, ±0.2, 0.
  const centres = [0.5 - 0.41, 0.5 - 0.2, 0.5, 0.5 + 0.2, 0.5 + 0.41];
  const cu = centres[slot];
  return [cu + (local[0] - 0.5) * DISC_U, ATLAS.row.v0 + local[1] * DISC_V];
}

/** Face projection: angle round a vertical axis at depth `axisZ`, squashed toward an orthographic view. */
export interface FaceProjection {
  axisZ: number;
  /** 1 = orthographic front view, → 0 = unrolled cylinder. */
  squash: number;
}

export const FACE_PROJECTION: FaceProjection = { axisZ: -0.06, squash: 0.85 };

/** Raw (unscaled) projection of a face point: [horizontal, vertical-down]. */
export function projectFace(p: [number, number, number], proj: FaceProjection = FACE_PROJECTION): [number, number] {
  const theta = Math.atan2(p[0], p[2] - proj.axisZ);
  return [Math.sin(proj.squash * theta) / proj.squash, -p[1]];
}

/**
 * Maps raw projections into the face region: uniform scale horizontally to fill its width,
 * vertically to fill its height (the face is wider than tall, the region taller than wide, so
 * the face gets a mild vertical stretch; the region's height is what puts the face above half
 * of the atlas' texels).
 */
export function faceRegionMap(raw: [number, number][]): (r: [number, number]) => [number, number] {
  let hu = 0, v0 = Infinity, v1 = -Infinity;
  for (const [u, v] of raw) {
    hu = Math.max(hu, Math.abs(u));
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  }
  const R = ATLAS.face;
  return ([u, v]) => [0.5 + (u / hu) * ((R.u1 - R.u0) / 2), R.v0 + ((v - v0) / (v1 - v0)) * (R.v1 - R.v0)];
}

/** Scalp UV of meridian `i` of `n` at arc length `arc` (metres), the longest meridian being `maxLength`. Column n is the seam copy of column 0. */
export function scalpUv(i: number, n: number, arc: number, maxLength: number): [number, number] {
  const R = ATLAS.scalp;
  return [R.u1 - ((R.u1 - R.u0) * i) / n, R.v0 + (arc / maxLength) * (R.v1 - R.v0)];
}

/**
 * Unfolds UV triangles a projection turned over (the inside of the lips, under the nose) by
 * relaxing the UVs around them: each round takes the flipped triangles' vertices plus three rings
 * of neighbours and moves them to the average of their neighbours (a Tutte-style relaxation),
 * keeping `pinned` vertices fixed. Returns how many triangles are still flipped.
 */
export function untangleUvs(uv: number[], tris: ArrayLike<number>, pinned: Set<number>, rounds = 8): number {
  const neighbours = vertexNeighbours(tris);
  const area = (t: number) => {
    const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
    return (uv[2 * b] - uv[2 * a]) * (uv[2 * c + 1] - uv[2 * a + 1]) - (uv[2 * c] - uv[2 * a]) * (uv[2 * b + 1] - uv[2 * a + 1]);
  };
  const flipped = () => {
    let pos = 0, neg = 0;
    for (let t = 0; t < tris.length; t += 3) (area(t) > 0 ? pos++ : neg++);
    const sign = pos >= neg ? 1 : -1;
    const out: number[] = [];
    for (let t = 0; t < tris.length; t += 3) if (Math.sign(area(t)) !== sign) out.push(t);
    return out;
  };
  let bad = flipped();
  for (let round = 0; round < rounds && bad.length > 0; round++) {
    let region = new Set<number>();
    for (const t of bad) for (let k = 0; k < 3; k++) region.add(tris[t + k]);
    for (let ring = 0; ring < 3 + round; ring++) {
      const grown = new Set(region);
      for (const v of region) for (const w of neighbours.get(v) ?? []) grown.add(w);
      region = grown;
    }
    const movable = [...region].filter((v) => !pinned.has(v)).sort((a, b) => a - b);
    for (let it = 0; it < 200; it++) {
      const next = movable.map((v) => {
        const ns = [...neighbours.get(v)!];
        let su = 0, sv = 0;
        for (const w of ns) {
          su += uv[2 * w];
          sv += uv[2 * w + 1];
        }
        return [su / ns.length, sv / ns.length];
      });
      movable.forEach((v, k) => {
        uv[2 * v] = next[k][0];
        uv[2 * v + 1] = next[k][1];
      });
    }
    bad = flipped();
  }
  return bad.length;
}
