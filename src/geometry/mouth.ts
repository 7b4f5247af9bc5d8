/**
 * The mouth of the template head: the closed mouth's seam is cut so the lips can part, and an
 * oral cavity hangs from the cut: the inner (wet) lip surfaces roll back from the seam to the
 * teeth, turn into the vestibule, and join into a bag over the palate, the pharynx and the
 * floor of the mouth. The skin keeps every vertex, position and UV it had (the upper lip keeps
 * the seam's vertices, the lower lip gets coincident copies), so the skin atlas is unchanged;
 * the cavity has its own atlas (MOUTH_ATLAS) and material.
 */
import type { Builder, V3 } from "./mesh-builder.ts";

/**
 * The mouth parts' own UV atlas (unit square, mirror-symmetric about u = 0.5): one band of v per
 * surface, so a texture painted for one band never bleeds into another.
 */
export const MOUTH_ATLAS = {
  cavity: { v0: 0.02, v1: 0.38 },
  caps: { v0: 0.4, v1: 0.5 },
  gums: { v0: 0.52, v1: 0.64 },
  teeth: { v0: 0.66, v1: 0.84 },
  tongue: { v0: 0.86, v1: 0.98 },
} as const;

/** Where the lips were split: the seam's vertex ids on each side, corner to corner (corners shared). */
export interface LipSplit {
  upper: number[];
  lower: number[];
}

/**
 * Cuts the skin along the closed mouth's seam: triangles below the seam get copies of its inner
 * vertices (same position and UV), so upper and lower lip can part; the corners stay shared.
 */
export function splitLips(b: Builder, seam: number[]): LipSplit {
  const lower = seam.map((v, k) => (k === 0 || k === seam.length - 1 ? v : b.vertex(b.at(v), [b.uv[2 * v], b.uv[2 * v + 1]])));
  const slot = new Map<number, number>();
  for (let k = 1; k + 1 < seam.length; k++) slot.set(seam[k], k);
  for (let t = 0; t < b.skin.length; t += 3) {
    const tri = [b.skin[t], b.skin[t + 1], b.skin[t + 2]];
    if (!tri.some((v) => slot.has(v))) continue;
    const c = centroid(tri.map((v) => b.at(v)));
    for (let e = 0; e < 3; e++) {
      const k = slot.get(tri[e]);
      if (k === undefined) continue;
      // Which side of the seam (seen from the front) the triangle lies on, at this seam vertex.
      const prev = b.at(seam[k - 1]), next = b.at(seam[k + 1]), here = b.at(seam[k]);
      let nx = -(next[1] - prev[1]), ny = next[0] - prev[0];
      if (ny < 0) [nx, ny] = [-nx, -ny];
      if ((c[0] - here[0]) * nx + (c[1] - here[1]) * ny < 0) b.skin[t + e] = lower[k];
    }
  }
  return { upper: seam, lower };
}

/** Shape of the cavity, metres (shape choices; anatomical sizes come from the teeth, see teeth.ts). */
const CAVITY = {
  /** Height of the vestibule's sulcus above (upper) / below (lower) the seam at the midline. */
  sulcusUp: 0.012,
  sulcusDown: 0.018,
  /** Roof (palate) and floor heights relative to the seam's midpoint, and depths behind the teeth's front. */
  roof: [
    [0.016, 0.008],
    [0.015, 0.03],
    [0.01, 0.048],
  ],
  back: [-0.003, 0.058],
  floor: [
    [-0.016, 0.05],
    [-0.024, 0.032],
    [-0.025, 0.008],
  ],
  /** Lateral widening of the deep profile (fraction of the seam point's x): the cavity is wider than the slit. */
  spread: 0.3,
  /** Minimum step backwards between successive profile points, metres. */
  step: 0.0015,
};

/** A mouth-part triangle list with the vertices on the lower jaw flagged. */
export interface MouthPiece {
  tris: number[];
  /** Vertex id → 1 if it rides with the mandible, 0 if with the skull, in between at the back of the cavity. */
  jaw: Map<number, number>;
}

/**
 * The oral cavity: for each seam vertex a profile loop from the upper lip's seam copy, back along
 * the inner lip, up into the vestibule, over the palate, down the pharynx, forward along the
 * floor and up the lower vestibule to the lower lip's seam copy; the two ends (the cheeks' inner
 * walls) are closed by fans. `teethFrontZ` is the upper incisors' labial face at the midline.
 * Faces inward (visible from inside the mouth).
 */
export function addMouthCavity(b: Builder, lips: LipSplit, teethFrontZ: number): MouthPiece {
  const n = lips.upper.length;
  const mid = b.at(lips.upper[(n - 1) >> 1]);
  const lipDepth = Math.max(0.002, mid[2] - teethFrontZ - 0.001);
  const columns: number[][] = [];
  const jaw = new Map<number, number>();
  const profiles: V3[][] = [];
  for (let k = 0; k < n; k++) {
    const s = b.at(lips.upper[k]);
    const along = k / (n - 1);
    const h = Math.max(0.1, Math.sqrt(Math.sin(Math.PI * along)));
    const up = halfProfile(s, mid, h, lipDepth, 1);
    const down = halfProfile(s, mid, h, lipDepth, -1);
    const back: V3 = [s[0] * (1 + CAVITY.spread), mid[1] + CAVITY.back[0], Math.min(mid[2] - lipDepth - CAVITY.back[1], up[up.length - 1][2] - CAVITY.step, down[down.length - 1][2] - CAVITY.step)];
    profiles.push([s, ...up, back, ...down.reverse(), s]);
  }
  const m = profiles[0].length;
  for (let k = 0; k < n; k++) {
    const u = 0.5 + 0.45 * (2 * (k / (n - 1)) - 1);
    columns.push(profiles[k].map((p, j) => {
      const v = b.vertex(p, [u, MOUTH_ATLAS.cavity.v0 + ((MOUTH_ATLAS.cavity.v1 - MOUTH_ATLAS.cavity.v0) * j) / (m - 1)]);
      // Upper half on the skull, lower on the mandible, the back point half-way.
      jaw.set(v, j < (m - 1) / 2 ? 0 : j > (m - 1) / 2 ? 1 : 0.5);
      return v;
    }));
  }
  const tris: number[] = [];
  for (let k = 0; k + 1 < n; k++) {
    for (let j = 0; j + 1 < m; j++) {
      const a = columns[k][j], c = columns[k + 1][j], d = columns[k + 1][j + 1], e = columns[k][j + 1];
      tris.push(a, c, d, a, d, e);
    }
  }
  // Inward: the roof's normal at the midline points down.
  const j0 = 3, k0 = (n - 1) >> 1;
  if (normalOf(b, columns[k0][j0], columns[k0 + 1][j0], columns[k0 + 1][j0 + 1])[1] > 0) flip(tris);
  for (const [k, side] of [[0, -1], [n - 1, 1]] as const) tris.push(...cheekWall(b, profiles[k], side, jaw));
  return { tris, jaw };
}

/** Upper (sign 1) or lower (−1) half of a cavity profile, from the seam point to the last point before the back. */
function halfProfile(s: V3, mid: V3, h: number, lipDepth: number, sign: 1 | -1): V3[] {
  const spread = (f: number) => s[0] * (1 + CAVITY.spread * f);
  const sulcus = sign > 0 ? CAVITY.sulcusUp : CAVITY.sulcusDown;
  const out: V3[] = [
    [s[0], s[1] + sign * 0.001 * h, s[2] - 0.35 * lipDepth],
    [spread(0.05), s[1] + sign * 0.003 * h, s[2] - 0.75 * lipDepth],
    [spread(0.1), s[1] + sign * 0.006 * h, s[2] - lipDepth],
    [spread(0.2), s[1] + sign * sulcus * (0.5 + 0.5 * h), s[2] - lipDepth - 0.0005],
  ];
  for (const [dy, dz] of sign > 0 ? CAVITY.roof : CAVITY.floor.slice().reverse()) {
    const prev = out[out.length - 1];
    out.push([spread(1), mid[1] + dy, Math.min(mid[2] - lipDepth - dz, prev[2] - CAVITY.step)]);
  }
  return out;
}

/** Closes one end of the cavity (the inner cheek) with a fan, own vertices and UVs; faces inward (towards −side·x). */
function cheekWall(b: Builder, loop: V3[], side: -1 | 1, jaw: Map<number, number>): number[] {
  const ring = loop.slice(0, -1);
  const c = centroid(ring);
  const span = ring.reduce((r, p) => Math.max(r, Math.hypot(p[1] - c[1], p[2] - c[2])), 1e-6);
  const { v0, v1 } = MOUTH_ATLAS.caps;
  const uvOf = (p: V3): [number, number] => [0.5 + side * (0.3 + (0.15 * (c[2] - p[2])) / span), (v0 + v1) / 2 + ((v1 - v0) / 2) * ((c[1] - p[1]) / span)];
  const ids = ring.map((p, j) => {
    const v = b.vertex(p, uvOf(p));
    jaw.set(v, j < ring.length / 2 ? 0 : j === ring.length / 2 ? 0.5 : 1);
    return v;
  });
  const centre = b.vertex(c, uvOf(c));
  jaw.set(centre, 0.5);
  const tris: number[] = [];
  for (let j = 0; j < ids.length; j++) tris.push(ids[j], ids[(j + 1) % ids.length], centre);
  const nrm = [0, 0, 0];
  for (let t = 0; t < tris.length; t += 3) {
    const q = normalOf(b, tris[t], tris[t + 1], tris[t + 2]);
    for (let k = 0; k < 3; k++) nrm[k] += q[k];
  }
  if (nrm[0] * side > 0) flip(tris);
  return tris;
}

export function centroid(ps: V3[]): V3 {
  const c: V3 = [0, 0, 0];
  for (const p of ps) for (let k = 0; k < 3; k++) c[k] += p[k] / ps.length;
  return c;
}

/** Unnormalised normal of triangle (a, b, c). */
export function normalOf(b: Builder, i: number, j: number, k: number): V3 {
  const p = b.at(i), q = b.at(j), r = b.at(k);
  const e1 = [q[0] - p[0], q[1] - p[1], q[2] - p[2]], e2 = [r[0] - p[0], r[1] - p[1], r[2] - p[2]];
  return [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
}

/** Reverses the winding of every triangle in place. */
export function flip(tris: number[]): void {
  for (let t = 0; t < tris.length; t += 3) [tris[t + 1], tris[t + 2]] = [tris[t + 2], tris[t + 1]];
}
