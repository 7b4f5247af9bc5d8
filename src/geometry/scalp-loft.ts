/**
 * The rest of the head as a grid lofted from the face's outline down to the base of the neck.
 *
 * Every outline vertex starts a "meridian": the head's implicit surface cut by a half-plane
 * hinged on one axis (from the neck base's centre to the face's centre), so meridians never
 * cross. The one from the top of the forehead runs over the crown and down the back of the neck,
 * the one from the chin down the throat. Rings of equal arc-length fraction across meridians make
 * the grid's other direction; ring 0 is the face outline itself, the last ring a horizontal
 * ellipse that the neck cap closes.
 */
import type { HeadFrame } from "./head-shape.ts";
import { neckSection } from "./head-shape.ts";
import { withDefaults } from "../options.ts";

import { add, cross, dot, normalize as norm, scale, sub, type Vec3 as V3 } from "../primitives/vec3.ts";

export interface LoftOptions {
  /** Rings after the outline (the last one is the neck base). */
  rings: number;
  /** Samples per meridian for ray casting. */
  samples: number;
  /** Angular span over which a meridian bends from the implicit surface onto the face outline, radians. */
  blendSpan: number;
  /** Ring spacing growth: 0 = uniform in arc length; larger puts rings closer near the face. */
  spacingGrowth: number;
  /** Length over which a meridian leaves the outline along the face's own direction (C¹ join), metres. */
  joinLength: number;
  /** How far in front of the outline's centroid the hinge axis passes, metres. */
  axisLead: number;
  /** How far above the outline's centroid the hinge axis passes, metres. */
  axisRise: number;
  /**
   * Where on the axis (0 = neck base, 1 = the point in front of the face) rays are cast from. The
   * centre must sit above the chin: from below it the angle between chin and throat is not
   * star-shaped, and the meridian could only fillet it (a jowl fold from the chin into the neck).
   */
  centreAlong: number;
  /** 0 = each meridian plane through its outline vertex, 1 = planes evenly spaced by outline index. */
  evenSpread: number;
  /** Rings next to the outline that are smoothed after lofting, and how many smoothing sweeps. */
  relaxRings: number;
  relaxIterations: number;
}

export const LOFT_DEFAULTS: LoftOptions = { rings: 56, samples: 200, blendSpan: 0.45, spacingGrowth: 1.3, joinLength: 0.03, axisLead: 0, axisRise: -0.05, centreAlong: 0.65, evenSpread: 0.05, relaxRings: 10, relaxIterations: 30 };

export interface Loft {
  /** (rings + 1) × meridians vertices, ring-major, xyz metres; ring 0 equals the outline. */
  grid: Float64Array;
  meridians: number;
  rings: number;
  /** Arc length from the outline to each grid vertex along its meridian, metres (same layout). */
  arc: Float64Array;
  /** Total length of each meridian, metres. */
  length: Float64Array;
  /** Centre of the neck base. */
  neckBase: V3;
}

/**
 * Lofts the head from `outline` (closed loop of xyz points, symmetric, starting on the midline at
 * the top of the forehead) to the neck base. `outward` gives, per outline point, the direction in
 * which the face leaves it; each meridian starts along it (a cubic Hermite join) so the skin has
 * no crease at the face's edge.
 */
export function loftHead(outline: V3[], outward: V3[], frame: HeadFrame, implicit: (x: number, y: number, z: number) => number, options: Partial<LoftOptions> = {}): Loft {
  const o = withDefaults(LOFT_DEFAULTS, options);
  const N = outline.length;
  const F = scale(outline.reduce((s, p) => add(s, p), [0, 0, 0] as V3), 1 / N);
  F[0] = 0;
  const base = neckSection(frame, frame.neckBottomY);
  const B: V3 = [0, frame.neckBottomY, base.cz];
  // The hinge axis runs from the neck base toward a point well in front of the face, so that the
  // outline winds evenly round it (an axis through the face's centroid would pass close to the
  // forehead and crowd the meridian planes there).
  const front: V3 = [0, F[1] + o.axisRise, F[2] + o.axisLead];
  const e1 = norm(sub(front, B));
  const U = norm(sub([0, 1, 0], scale(e1, e1[1])));
  const W = cross(U, e1); // +X side
  const C = add(B, scale(sub(front, B), o.centreAlong));
  if (!(implicit(...C) < 0)) throw new Error("loftHead: the loft centre is outside the head");
  const na = base.a, nb = base.b;

  const cast = (dir: V3): number => {
    // First crossing of the surface going out from C.
    let r0 = 0, r1 = 0.003;
    while (implicit(C[0] + dir[0] * r1, C[1] + dir[1] * r1, C[2] + dir[2] * r1) < 0) {
      r0 = r1;
      r1 += 0.003;
      if (r1 > 0.5) throw new Error("loftHead: a ray did not leave the head");
    }
    for (let it = 0; it < 30; it++) {
      const m = (r0 + r1) / 2;
      if (implicit(C[0] + dir[0] * m, C[1] + dir[1] * m, C[2] + dir[2] * m) < 0) r0 = m;
      else r1 = m;
    }
    return (r0 + r1) / 2;
  };

  const K = o.rings;
  const grid = new Float64Array((K + 1) * N * 3);
  const arc = new Float64Array((K + 1) * N);
  const length = new Float64Array(N);
  const smooth = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));
  for (let i = 0; i < N; i++) {
    const P = outline[i];
    const d = sub(P, C);
    // The meridian's plane: through the outline vertex, pulled part of the way toward an even
    // spread by outline index (the outline's vertices are evenly spaced).
    const a = dot(d, e1);
    const perp0 = sub(d, scale(e1, a));
    let own = Math.atan2(dot(perp0, W), dot(perp0, U));
    if (i > N / 2 && own < 0) own += 2 * Math.PI;
    if (i === 0) own = 0;
    if (2 * i === N) own = Math.PI;
    const alpha = own + o.evenSpread * ((2 * Math.PI * i) / N - own);
    const e2 = add(scale(U, Math.cos(alpha)), scale(W, Math.sin(alpha)));
    const betaStart = Math.atan2(Math.hypot(...sub(d, scale(e1, a))), a);
    // Where this half-plane meets the neck base ellipse.
    const h = norm(sub(e2, scale(e1, e2[1] / e1[1])));
    const s = 1 / Math.hypot(h[0] / na, h[2] / nb);
    const Q = add(B, scale(h, s));
    const dq = sub(Q, C);
    const betaEnd = Math.atan2(dot(dq, e2), dot(dq, e1));
    const rStart = Math.hypot(...d), rEnd = Math.hypot(...dq);
    const dirP = norm(d);
    const S = o.samples;
    const pts: V3[] = [];
    // Ray direction at fraction t: from the outline vertex's own direction, turning into the
    // meridian's half-plane over the blend span.
    const dirAt = (t: number): V3 => {
      const beta = betaStart + (betaEnd - betaStart) * t;
      const inPlane = add(scale(e1, Math.cos(beta)), scale(e2, Math.sin(beta)));
      const w = smooth(((betaEnd - betaStart) * t) / o.blendSpan);
      return norm(add(scale(dirP, 1 - w), scale(inPlane, w)));
    };
    const deltaStart = rStart - cast(dirP);
    const deltaEnd = rEnd - cast(norm(dq));
    for (let j = 0; j <= S; j++) {
      const t = j / S;
      const dir = dirAt(t);
      const span = (betaEnd - betaStart) * t;
      let r = cast(dir);
      r += deltaStart * (1 - smooth(span / o.blendSpan));
      r += deltaEnd * (1 - smooth((betaEnd - betaStart - span) / 0.15));
      pts.push(j === 0 ? P : j === S ? Q : add(C, scale(dir, r)));
    }
    hermiteJoin(pts, outward[i], o.joinLength);
    const cum = [0];
    for (let j = 1; j <= S; j++) cum.push(cum[j - 1] + Math.hypot(...sub(pts[j], pts[j - 1])));
    const L = cum[S];
    length[i] = L;
    let seg = 0;
    for (let k = 0; k <= K; k++) {
      const t = k / K;
      const g = o.spacingGrowth > 0 ? (Math.exp(o.spacingGrowth * t) - 1) / (Math.exp(o.spacingGrowth) - 1) : t;
      const target = L * g;
      while (seg < S - 1 && cum[seg + 1] < target) seg++;
      const f = Math.min(1, Math.max(0, (target - cum[seg]) / (cum[seg + 1] - cum[seg] || 1)));
      const p = k === 0 ? P : k === K ? Q : add(pts[seg], scale(sub(pts[seg + 1], pts[seg]), f));
      grid.set(p, (k * N + i) * 3);
      arc[k * N + i] = target;
    }
  }
  relaxNearOutline(grid, N, o.relaxRings, o.relaxIterations);
  return { grid, meridians: N, rings: K, arc, length, neckBase: B };
}

/**
 * Meridians leave the outline where it winds unevenly round the axis (temples, cheeks), and the
 * band next to the face crumples. Smoothing rings 1..rings against their four grid neighbours
 * (ring 0 and the ring after the band stay fixed) irons it out.
 */
function relaxNearOutline(grid: Float64Array, N: number, rings: number, iterations: number): void {
  // Taubin smoothing (λ, μ alternating): removes the crumples without shrinking the band.
  const at = (kk: number, ii: number) => (kk * N + ((ii + N) % N)) * 3;
  const step = (factor: number) => {
    const next = Float64Array.from(grid.subarray(N * 3, (rings + 1) * N * 3));
    for (let k = 1; k <= rings; k++) {
      for (let i = 0; i < N; i++) {
        for (let c = 0; c < 3; c++) {
          const mean = 0.25 * (grid[at(k - 1, i) + c] + grid[at(k + 1, i) + c] + grid[at(k, i - 1) + c] + grid[at(k, i + 1) + c]);
          next[((k - 1) * N + i) * 3 + c] = grid[at(k, i) + c] + factor * (mean - grid[at(k, i) + c]);
        }
      }
    }
    grid.set(next, N * 3);
  };
  for (let it = 0; it < iterations; it++) {
    step(0.5);
    step(-0.53);
  }
}

/** Start tangent length as a fraction of the join chord: the face direction alone would make the join bulge out (a rolled lip). */
const HERMITE_START_TENSION = 0.4;

/** Replaces the polyline's first `length` of arc by a cubic Hermite curve leaving pts[0] along `dir`. */
function hermiteJoin(pts: V3[], dir: V3, length: number): void {
  let acc = 0, end = 1;
  while (end < pts.length - 2 && acc < length) {
    acc += Math.hypot(...sub(pts[end], pts[end - 1]));
    end++;
  }
  const P0 = pts[0], P1 = pts[end];
  const L = Math.hypot(...sub(P1, P0));
  const T0 = scale(dir, L * HERMITE_START_TENSION);
  const T1 = scale(norm(sub(pts[end + 1], pts[end - 1])), L);
  for (let j = 1; j < end; j++) {
    const t = j / end;
    const h00 = 2 * t ** 3 - 3 * t * t + 1, h10 = t ** 3 - 2 * t * t + t, h01 = -2 * t ** 3 + 3 * t * t, h11 = t ** 3 - t * t;
    pts[j] = add(add(scale(P0, h00), scale(T0, h10)), add(scale(P1, h01), scale(T1, h11)));
  }
}
