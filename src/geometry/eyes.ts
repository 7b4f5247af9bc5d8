/**
 * Eyeballs and eye sockets. Each eyeball is a separate closed mesh (a sphere with a corneal
 * bulge) looking straight ahead; the lids' margins roll inwards onto it as a short socket whose
 * open edge hides inside the globe. The five iris landmarks are vertices of the eyeball: the
 * centre is the corneal apex, the four rim points sit on the limbus in the directions the
 * landmark data put them (right, up, left, down of the centre).
 */

/** Globe radius: transverse diameter ≈ 24.2 mm on CT [S9] (axial 23.6 mm [S6]). */
export const EYEBALL_RADIUS_M = 0.0121;
/** Visible iris (limbus) radius: HVID 11.8 mm [S6]. */
export const LIMBUS_RADIUS_M = 0.0059;
/** Corneal sagitta over the limbus: 2.6 mm [S6] (derived); the sphere alone gives ~1.5 mm of it. */
export const CORNEA_SAG_M = 0.0026;
/** Gap between a lid margin and the globe it rests on, metres (shape choice). */
const LID_CLEARANCE_M = 0.0004;

/** Angle of the limbus from the gaze axis, radians. */
export const LIMBUS_ANGLE = Math.asin(LIMBUS_RADIUS_M / EYEBALL_RADIUS_M);

/** Extra radius of the cornea over the sphere at polar angle θ from the gaze axis. */
export function corneaBulge(theta: number): number {
  if (theta >= LIMBUS_ANGLE) return 0;
  const sphereCap = EYEBALL_RADIUS_M * (1 - Math.cos(LIMBUS_ANGLE));
  const extra = CORNEA_SAG_M - sphereCap;
  const t = theta / LIMBUS_ANGLE;
  return extra * (1 - t * t) ** 2;
}

/**
 * Centre of the eyeball behind a lid loop: the point, on the gaze axis (+Z) through `iris` (the
 * iris centre seen from the front; the loop's centroid when absent), at which every lid point
 * clears the globe (with cornea) by at least the lid clearance and the closest one just touches
 * that margin.
 *
 * The iris does not sit at the loop's centroid: in primary gaze the upper lid rests 2–3 mm below
 * the upper limbus and the lower lid at or 1 mm above the lower one (Dutton, in "Surgical
 * management of eyelid retraction", Taylor & Francis), so the iris centre is 0.5–1 mm above the
 * aperture's middle (MRD1 4–4.5 mm against an 8–10 mm aperture), while the loop's centroid,
 * pulled down by the lower lid's longer, flatter arc, is below it.
 */
export function eyeballCentre(lid: [number, number, number][], iris?: readonly [number, number]): [number, number, number] {
  const c = [0, 0, 0];
  for (const p of lid) for (let k = 0; k < 3; k++) c[k] += p[k] / lid.length;
  if (iris) [c[0], c[1]] = iris;
  // Slide the centre along z until the nearest lid point is at the globe surface + clearance.
  let lo = c[2] - 0.04, hi = c[2];
  for (let it = 0; it < 60; it++) {
    const z = (lo + hi) / 2;
    let worst = Infinity;
    for (const p of lid) {
      const d = [p[0] - c[0], p[1] - c[1], p[2] - z];
      const r = Math.hypot(d[0], d[1], d[2]);
      const theta = Math.acos(Math.max(-1, Math.min(1, d[2] / r)));
      worst = Math.min(worst, r - (EYEBALL_RADIUS_M + corneaBulge(theta) + LID_CLEARANCE_M));
    }
    if (worst < 0) hi = z;
    else lo = z;
  }
  return [c[0], c[1], lo];
}

export interface EyeballMesh {
  /** xyz per vertex, metres. */
  positions: number[];
  /** uv per vertex, island-local: a unit disc (azimuthal equidistant from the corneal apex). */
  uvs: number[];
  indices: number[];
  /** Vertex of the corneal apex (iris centre) and of the limbus at 3, 12, 9 and 6 o'clock as seen from the front (+x, +y, −x, −y). */
  apex: number;
  limbus: [number, number, number, number];
}

/**
 * A globe of `rings` polar rings and `segments` (multiple of 4) meridians, apex on +Z, ring
 * `limbusRing` exactly on the limbus. The back pole is split per segment so the UV disc has no
 * singular texel.
 */
export function buildEyeball(centre: [number, number, number], rings = 16, segments = 32): EyeballMesh {
  if (segments % 4) throw new Error("buildEyeball: segments must be a multiple of 4");
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  // Polar angles: rings up to the limbus are denser (the iris carries the detail).
  const limbusRing = Math.round(rings * 0.4);
  const thetas: number[] = [];
  for (let r = 0; r <= rings; r++) {
    thetas.push(r <= limbusRing ? (LIMBUS_ANGLE * r) / limbusRing : LIMBUS_ANGLE + ((Math.PI - LIMBUS_ANGLE) * (r - limbusRing)) / (rings - limbusRing));
  }
  const point = (theta: number, phi: number) => {
    const radius = EYEBALL_RADIUS_M + corneaBulge(theta);
    return [centre[0] + radius * Math.sin(theta) * Math.cos(phi), centre[1] + radius * Math.sin(theta) * Math.sin(phi), centre[2] + radius * Math.cos(theta)];
  };
  const uvOf = (theta: number, phi: number) => [0.5 + 0.5 * (theta / Math.PI) * Math.cos(phi), 0.5 - 0.5 * (theta / Math.PI) * Math.sin(phi)];
  positions.push(...point(0, 0));
  uvs.push(0.5, 0.5);
  const ringStart: number[] = [0];
  for (let r = 1; r < rings; r++) {
    ringStart.push(positions.length / 3);
    for (let s = 0; s < segments; s++) {
      const phi = (2 * Math.PI * s) / segments;
      positions.push(...point(thetas[r], phi));
      uvs.push(...uvOf(thetas[r], phi));
    }
  }
  // Back pole: one copy per segment, at the middle of its wedge in UV.
  const backStart = positions.length / 3;
  for (let s = 0; s < segments; s++) {
    positions.push(...point(Math.PI, 0));
    uvs.push(...uvOf(Math.PI, (2 * Math.PI * (s + 0.5)) / segments));
  }
  const at = (r: number, s: number) => ringStart[r] + (s % segments);
  // Counter-clockwise seen from outside: φ grows counter-clockwise seen from the front (+Z).
  for (let s = 0; s < segments; s++) indices.push(0, at(1, s), at(1, s + 1));
  for (let r = 1; r < rings - 1; r++) {
    for (let s = 0; s < segments; s++) indices.push(at(r, s), at(r + 1, s), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r, s + 1));
  }
  for (let s = 0; s < segments; s++) indices.push(at(rings - 1, s), backStart + s, at(rings - 1, s + 1));
  const q = segments / 4;
  return { positions, uvs, indices, apex: 0, limbus: [at(limbusRing, 0), at(limbusRing, q), at(limbusRing, 2 * q), at(limbusRing, 3 * q)] };
}

/**
 * Two rings that roll a lid loop onto the globe: the first just outside the globe surface, the
 * second inside it (hidden), so the socket's open edge is never seen.
 */
export function socketRings(lid: [number, number, number][], centre: [number, number, number]): [number, number, number][][] {
  const onSphere = (p: [number, number, number], radius: number): [number, number, number] => {
    const d = [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]];
    const l = Math.hypot(d[0], d[1], d[2]);
    return [centre[0] + (d[0] / l) * radius, centre[1] + (d[1] / l) * radius, centre[2] + (d[2] / l) * radius];
  };
  const inward = (p: [number, number, number], by: number): [number, number, number] => {
    // Pull the point toward the gaze axis (the lid's fold goes back and in).
    return [p[0] + (centre[0] - p[0]) * by, p[1] + (centre[1] - p[1]) * by, p[2] - 0.0015];
  };
  const ring1 = lid.map((p) => {
    const q = inward(p, 0.03);
    const d = Math.hypot(q[0] - centre[0], q[1] - centre[1], q[2] - centre[2]);
    const theta = Math.acos((q[2] - centre[2]) / d);
    const min = EYEBALL_RADIUS_M + corneaBulge(theta) + LID_CLEARANCE_M / 2;
    return d < min ? onSphere(q, min) : q;
  });
  const ring2 = lid.map((p) => onSphere(inward(p, 0.1), EYEBALL_RADIUS_M * 0.85));
  return [ring1, ring2];
}
