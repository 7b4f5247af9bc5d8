/**
 * 3-vector helpers on plain tuples, written once. Inputs are any array-like triple (tuples,
 * number[], a Float32Array view); results are new tuples. The arithmetic order of each helper is
 * fixed (callers' outputs are byte-compared), so do not "simplify" a formula here.
 */

export type Vec3 = [number, number, number];

export const add = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: ArrayLike<number>, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const length = (a: ArrayLike<number>): number => Math.hypot(a[0], a[1], a[2]);
/** Squared distance between two points. */
export const distance2 = (p: ArrayLike<number>, q: ArrayLike<number>): number => (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2;

/** a scaled by 1/|a| (one division, three products); a zero vector gives NaNs. */
/** Area of the triangle of vertices a, b, c of a flat xyz array `p` (vertex indices, not offsets). */
export function triangleArea(p: ArrayLike<number>, a: number, b: number, c: number): number {
  const ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2];
  const vx = p[3 * c] - p[3 * a], vy = p[3 * c + 1] - p[3 * a + 1], vz = p[3 * c + 2] - p[3 * a + 2];
  return 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
}

/** Distance from vertex v to the segment between vertices a and b of a flat xyz array `p` (vertex indices). */
export function vertexSegmentDistance(p: ArrayLike<number>, v: number, a: number, b: number): number {
  const ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2];
  const wx = p[3 * v] - p[3 * a], wy = p[3 * v + 1] - p[3 * a + 1], wz = p[3 * v + 2] - p[3 * a + 2];
  const uu = ux * ux + uy * uy + uz * uz;
  const t = uu > 0 ? Math.min(1, Math.max(0, (wx * ux + wy * uy + wz * uz) / uu)) : 0;
  return Math.hypot(wx - t * ux, wy - t * uy, wz - t * uz);
}

export const normalize = (a: ArrayLike<number>): Vec3 => scale(a, 1 / length(a));

/** normalize, except that a zero vector stays zero instead of becoming NaN. */
export const normalizeOrZero = (a: ArrayLike<number>): Vec3 => scale(a, 1 / (length(a) || 1));

/**
 * a divided component-wise by |a| (three correctly rounded divisions: may differ from `normalize`
 * in the last bit). With `zeroError`, a zero or non-finite length throws that message.
 */
export function unitByDivision(a: ArrayLike<number>, zeroError?: string): Vec3 {
  const n = length(a);
  if (zeroError !== undefined && !(n > 0)) throw new Error(zeroError);
  return [a[0] / n, a[1] / n, a[2] / n];
}

/**
 * A bounding sphere of xyz triples: the centre of their axis-aligned box and the largest distance
 * from it to a point (not the smallest enclosing sphere; cheap and stable, for framing cameras).
 */
export function boundingSphere(points: ArrayLike<number>): { centre: Vec3; radius: number } {
  const p = points;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      lo[c] = Math.min(lo[c], p[i + c]);
      hi[c] = Math.max(hi[c], p[i + c]);
    }
  }
  const centre: Vec3 = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  let radius = 0;
  for (let i = 0; i < p.length; i += 3) radius = Math.max(radius, Math.hypot(p[i] - centre[0], p[i + 1] - centre[1], p[i + 2] - centre[2]));
  return { centre, radius };
}
