/**
 * The left ear (+X; the right one is its mirror image): a thin shell grown out of a patch of the
 * head grid. The patch's border ("footprint", in front of which the tragus sits) stays on the
 * head; rings rise from it as the back of the pinna, turn over the helix rim and come back as its
 * front: helix roll, scapha, antihelix and the concha bowl, ending at the concha's centre.
 *
 * Size and pose from ANSUR/CIPIC norms ([S1] [S2] [S5], sex-averaged): length 61.8 mm, breadth
 * 34.65 mm, 30.3 mm of it above the tragion, long axis leaning back 23.5° from vertical (in the
 * Frankfort plane), flared 27.5° off the head.
 *
 * The root: a real pinna is attached along its whole front margin, from the lobe to the helix
 * root above the tragus, and behind the concha (whose back bulges into the skin over the
 * mastoid), so the footprint spans most of the ear's height; the back rings leave the head
 * tangentially (the cephaloauricular fillet) before curving up to the rim.
 */

import { add, cross, dot, normalize as norm, scale as mul, sub, type Vec3 as V3 } from "../primitives/vec3.ts";

const EAR_TILT = (23.5 * Math.PI) / 180; // CIPIC θ1 [S5], from the vertical of the Frankfort plane
const EAR_FLARE = (27.5 * Math.PI) / 180; // CIPIC θ2 [S5]
/**
 * Footprint on the head in ear coordinates (b backwards from the tragion, h up the ear's axis),
 * metres: from just in front of the pinna's front margin to behind the concha, from the lobe's
 * attachment (≈ 9 mm of free lobe below it) to the helix root (shape choices within the outline).
 */
const FOOTPRINT = { b0: -0.001, b1: 0.02, h0: -0.022, h1: 0.016 };
/** Height of the pinna's front margin (its hinge) over the head surface at the tragion, metres (shape choice). */
export const HINGE_LIFT = 0.0025;
/** Angle between the scalp and the back of the pinna where it leaves the footprint (shape choice). */
const ROOT_ANGLE = (35 * Math.PI) / 180;
/** Least height of the back of the pinna over the scalp near its root, metres, times √(fraction of the way up). */
const ROOT_CLEARANCE = 0.0015;
/** Centre of the concha in ear coordinates. */
const CONCHA: [number, number] = [0.013, -0.003];
/** How far the concha floor sinks below the pinna's plane at its centre, metres: down to a few mm off the head (shape choice). */
const CONCHA_DEPTH = 0.0042;

/**
 * Outline of the pinna in ear coordinates (b, h), mm, going up the front, over the helix, down
 * the back and round the lobe. Extents: breadth 34.65, top +30.3 (ear above tragion [S2]),
 * bottom −31.5 (ear length 61.8 [S1]).
 */
const OUTLINE_MM: [number, number][] = [
  [1.5, 8], [3, 17], [8, 26], [16, 30.3], [25, 27.5], [31.5, 19], [34.65, 7], [34, -5], [30, -15],
  [24, -22], [18.5, -29], [12, -31.5], [6.5, -29], [3.5, -22], [2, -13], [1.2, -2],
];

/** Catmull–Rom point on the closed outline at parameter t ∈ [0, 1). */
function outlineAt(t: number): [number, number] {
  const n = OUTLINE_MM.length;
  const f = (((t % 1) + 1) % 1) * n;
  const i = Math.floor(f), u = f - i;
  const p = (k: number) => OUTLINE_MM[(i + k + n) % n];
  const [p0, p1, p2, p3] = [p(-1), p(0), p(1), p(2)];
  const c = (a: number, b: number, c2: number, d: number) => 0.5 * (2 * b + (-a + c2) * u + (2 * a - 5 * b + 4 * c2 - d) * u * u + (-a + 3 * b - 3 * c2 + d) * u * u * u);
  return [c(p0[0], p1[0], p2[0], p3[0]) / 1000, c(p0[1], p1[1], p2[1], p3[1]) / 1000];
}

/** Where the ray from `origin` at angle φ (in the b–h plane) leaves the outline. */
function outlineRay(origin: [number, number], phi: number): [number, number] {
  let best: [number, number] = origin, bestT = Infinity;
  const dir = [Math.cos(phi), Math.sin(phi)];
  const S = 400;
  let prev = outlineAt(0);
  for (let s = 1; s <= S; s++) {
    const cur = outlineAt(s / S);
    // Ray–segment intersection.
    const ex = cur[0] - prev[0], ey = cur[1] - prev[1];
    const den = dir[0] * ey - dir[1] * ex;
    if (Math.abs(den) > 1e-12) {
      const ox = prev[0] - origin[0], oy = prev[1] - origin[1];
      const t = (ox * ey - oy * ex) / den;
      const u = (ox * dir[1] - oy * dir[0]) / den;
      if (t > 0 && u >= 0 && u <= 1 && t < bestT) {
        bestT = t;
        best = [origin[0] + dir[0] * t, origin[1] + dir[1] * t];
      }
    }
    prev = cur;
  }
  return best;
}

const bump = (s: number, c: number, w: number) => Math.exp(-(((s - c) / w) ** 2));
const smooth = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

export interface EarFrame {
  origin: V3;
  /** Unit vectors: backwards along the head, up the ear's long axis, out of the head. */
  back: V3;
  up: V3;
  normal: V3;
}

/**
 * The ear's frame at the left tragion, given the head's outward normal there and how far the
 * face data's frame is turned nose-up from the Frankfort plane (radians; see head-shape.ts).
 */
export function earFrame(tragion: V3, headNormal: V3, frankfortPitch = 0): EarFrame {
  const n = norm(headNormal);
  // Leaning back from the Frankfort vertical, which in the face data's frame leans back by frankfortPitch.
  const tilt = EAR_TILT + frankfortPitch;
  const axis: V3 = [0, Math.cos(tilt), -Math.sin(tilt)];
  const up = norm(sub(axis, mul(n, dot(axis, n))));
  const back = norm(cross(up, n));
  return { origin: tragion, back, up, normal: n };
}

/** Ear coordinates (b, h, out) of a point. */
export function toEar(frame: EarFrame, p: V3): [number, number, number] {
  const d = sub(p, frame.origin);
  return [dot(d, frame.back), dot(d, frame.up), dot(d, frame.normal)];
}

/** Whether a head vertex lies in the ear's footprint (and near the head surface there). */
export function inFootprint(frame: EarFrame, p: V3): boolean {
  return Math.abs(toEar(frame, p)[2]) <= 0.02 && footprintRadius(frame, p) <= 1;
}

/** A point's radius in the footprint's ellipse, in the ear's plane (b, h): ≤ 1 inside, 1 on the border the pinna is stitched to. */
export function footprintRadius(frame: EarFrame, p: V3): number {
  const [b, h] = toEar(frame, p);
  const { cb, rb, ch, rh } = footprintEllipse();
  return Math.sqrt(((b - cb) / rb) ** 2 + ((h - ch) / rh) ** 2);
}

/** The footprint's ellipse in ear coordinates: centre (cb, ch) and semi-axes (rb, rh), metres. */
export function footprintEllipse(): { cb: number; rb: number; ch: number; rh: number } {
  return { cb: (FOOTPRINT.b0 + FOOTPRINT.b1) / 2, rb: (FOOTPRINT.b1 - FOOTPRINT.b0) / 2, ch: (FOOTPRINT.h0 + FOOTPRINT.h1) / 2, rh: (FOOTPRINT.h1 - FOOTPRINT.h0) / 2 };
}

/**
 * Smooth footprint border: the loop of grid vertices around the removed cells is a staircase.
 * Each of its vertices moves onto the footprint ellipse, spread by the staircase's arc length (so
 * their order is kept), and back onto the scalp: the implicit surface at the vertex's own offset
 * from it, along the ear's normal. The caller relaxes the scalp around it (see template-head).
 */
export function snapFootprint(frame: EarFrame, loop: V3[], implicit: (x: number, y: number, z: number) => number): V3[] {
  const M = loop.length;
  const local = loop.map((p) => toEar(frame, p));
  const { cb, rb, ch, rh } = footprintEllipse();
  const cum = [0];
  for (let m = 1; m <= M; m++) cum.push(cum[m - 1] + Math.hypot(local[m % M][0] - local[m - 1][0], local[m % M][1] - local[m - 1][1]));
  const start = Math.atan2((local[0][1] - ch) / rh, (local[0][0] - cb) / rb);
  // The loop runs the way the removed cells run it; follow its sense round the ellipse.
  let turn = 0;
  for (let m = 0; m < M; m++) {
    const a = local[m], c = local[(m + 1) % M];
    turn += (a[0] - cb) * (c[1] - ch) - (a[1] - ch) * (c[0] - cb);
  }
  const sense = turn >= 0 ? 1 : -1;
  return cum.slice(0, M).map((arc, m) => {
    const phi = start + (sense * 2 * Math.PI * arc) / cum[M];
    return ontoScalp(frame, add(add(frame.origin, mul(frame.back, cb + rb * Math.cos(phi))), mul(frame.up, ch + rh * Math.sin(phi))), implicit, implicit(...loop[m]));
  });
}

/** Moves p along the ear's normal to where the implicit function equals `level` (the scalp stands a little off the implicit surface near the face). */
export function ontoScalp(frame: EarFrame, p: V3, implicit: (x: number, y: number, z: number) => number, level: number, direction: V3 = frame.normal): V3 {
  for (let it = 0; it < 20; it++) {
    const f0 = implicit(...p) - level;
    if (Math.abs(f0) < 1e-8) break;
    const slope = (implicit(...add(p, mul(direction, 1e-5))) - level - f0) / 1e-5;
    p = add(p, mul(direction, -f0 / slope));
  }
  return p;
}

export interface EarShell {
  /** New vertices (xyz), after the footprint loop's. */
  positions: V3[];
  /** Per new vertex, 0..1: how much of the caller's clearance from the head applies (0 on the back of the pinna, which keeps its own floor over the scalp; 1 on the rim and the front). */
  lift: number[];
  /** Rings of vertex ids: ring 0 is the footprint loop (ids as given, M of them), later rings (refine·M each) index `positions` as −1 − k. */
  rings: number[][];
  /** Concha centre id (−1 − k). */
  centre: number;
  /** Island-local UV (unit disc in [0,1]²) per ring position, same shape as `rings`, and of the centre. */
  ringUv: [number, number][][];
  centreUv: [number, number];
}

/**
 * Grows the ear from a footprint loop (head vertex positions in order, with their ids). Returns
 * rings from the loop to the concha; the caller triangulates and orients them.
 */
export function growEar(frame: EarFrame, loop: { id: number; p: V3 }[], implicit: Implicit): EarShell {
  const pinna = pinnaPlane(frame, implicit);
  const fc: [number, number] = [(FOOTPRINT.b0 + FOOTPRINT.b1) / 2, (FOOTPRINT.h0 + FOOTPRINT.h1) / 2];
  const angles = footprintAngles(frame, loop, fc);
  const fine = refineFootprint(loop, angles, implicit, RING_REFINE);
  const rim = fine.angles.map((phi) => outlineRay(fc, phi));
  const shell = new ShellBuilder(loop, angles, fine.angles);
  const curves = backCurves(frame, pinna, fc, fine, rim, implicit);
  smoothControlPoints(curves.controls);
  addBackRings(shell, curves, fine.levels, implicit);
  addFrontRings(shell, pinna, rim);
  return shell.closeAtConcha(pinna.plane(CONCHA[0], CONCHA[1], 0.001 - CONCHA_DEPTH * bump(0, 0.15, 0.22)));
}

type Implicit = (x: number, y: number, z: number) => number;

/** Rings after the footprint carry this many × more vertices (a smooth rim needs more than the footprint's border has); ring 1 fans out from ring 0. */
const RING_REFINE = 3;
/** Rings on the back of the pinna, between the footprint and the rim. */
const BACK_RINGS = 6;
/** Rings of the front, as fractions of the way from the concha's centre out to the rim (1 = the rim, the helix edge). */
const FRONT_FRACTIONS = [1, 0.96, 0.9, 0.84, 0.78, 0.7, 0.62, 0.54, 0.46, 0.38, 0.3, 0.2, 0.1];

/** Forward-difference gradient of the implicit function (step 1e-5 m). */
function gradientOf(implicit: Implicit, p: V3): V3 {
  const e = 1e-5, f0 = implicit(...p);
  return [(implicit(p[0] + e, p[1], p[2]) - f0) / e, (implicit(p[0], p[1] + e, p[2]) - f0) / e, (implicit(p[0], p[1], p[2] + e) - f0) / e];
}

/** The pinna's plane: flared off the head, through the hinge; `plane(b, h, out)` is a point on it (ear coordinates, out along its normal). */
interface PinnaPlane {
  plane: (b: number, h: number, out: number) => V3;
}

/**
 * The hinge (the pinna's front margin) stands HINGE_LIFT off the head surface at the tragion,
 * so the front edge never dips into the cheek and the back has room to rise to it.
 */
function pinnaPlane(frame: EarFrame, implicit: Implicit): PinnaPlane {
  const bF = add(mul(frame.back, Math.cos(EAR_FLARE)), mul(frame.normal, Math.sin(EAR_FLARE)));
  const nF = sub(mul(frame.normal, Math.cos(EAR_FLARE)), mul(frame.back, Math.sin(EAR_FLARE)));
  let onHead = 0;
  for (let it = 0; it < 30; it++) {
    const f0 = implicit(...add(frame.origin, mul(frame.normal, onHead)));
    const slope = (implicit(...add(frame.origin, mul(frame.normal, onHead + 1e-5))) - f0) / 1e-5;
    onHead -= f0 / slope;
    if (Math.abs(f0) < 1e-8) break;
  }
  const hinge = add(frame.origin, mul(frame.normal, onHead + HINGE_LIFT));
  return { plane: (b, h, out) => add(add(add(hinge, mul(bF, b)), mul(frame.up, h)), mul(nF, out)) };
}

/**
 * Angles of the footprint loop round its centre, made monotonic: the footprint border is a
 * staircase of grid edges, so its own angles can step backwards; they are spread by arc length instead.
 */
function footprintAngles(frame: EarFrame, loop: { p: V3 }[], fc: [number, number]): number[] {
  const M = loop.length;
  const local = loop.map(({ p }) => toEar(frame, p));
  const cum = [0];
  for (let m = 1; m <= M; m++) {
    const a = local[m - 1], c = local[m % M];
    cum.push(cum[m - 1] + Math.hypot(c[0] - a[0], c[1] - a[1]));
  }
  const start = Math.atan2(local[0][1] - fc[1], local[0][0] - fc[0]);
  return cum.slice(0, M).map((s) => start + (2 * Math.PI * s) / cum[M]);
}

/** The footprint loop refined `refine` times: angles, points, and the scalp's own height over the implicit surface (it stands a little off it near the face). */
interface FineLoop {
  angles: number[];
  points: V3[];
  levels: number[];
}

function refineFootprint(loop: { p: V3 }[], angles: number[], implicit: Implicit, refine: number): FineLoop {
  const M = loop.length;
  const fine: FineLoop = { angles: [], points: [], levels: [] };
  const level = loop.map(({ p }) => implicit(...p));
  for (let m = 0; m < M; m++) {
    const a0 = angles[m], a1 = m + 1 < M ? angles[m + 1] : angles[0] + 2 * Math.PI;
    const p0 = loop[m].p, p1 = loop[(m + 1) % M].p;
    for (let r = 0; r < refine; r++) {
      fine.angles.push(a0 + ((a1 - a0) * r) / refine);
      fine.points.push(add(mul(p0, 1 - r / refine), mul(p1, r / refine)));
      fine.levels.push(level[m] + ((level[(m + 1) % M] - level[m]) * r) / refine);
    }
  }
  return fine;
}

/** Collects the shell's vertices, their lift, the rings and their UVs (island-local unit disc). */
class ShellBuilder {
  readonly positions: V3[] = [];
  readonly lift: number[] = [];
  readonly rings: number[][];
  readonly ringUv: [number, number][][] = [];

  constructor(
    loop: { id: number }[],
    angles: number[],
    private readonly fineAngles: number[],
  ) {
    this.rings = [loop.map((l) => l.id)];
    this.ringUv.push(angles.map((phi) => uvAt(1, phi)));
  }

  /** A ring of new vertices at UV radius `radius`, with lift `up`. */
  push(pts: V3[], radius: number, up = 1): void {
    this.rings.push(pts.map((p) => {
      this.positions.push(p);
      this.lift.push(up);
      return -this.positions.length;
    }));
    this.ringUv.push(this.fineAngles.map((phi) => uvAt(radius, phi)));
  }

  /** Adds the concha centre and returns the shell. */
  closeAtConcha(centre: V3): EarShell {
    this.positions.push(centre);
    this.lift.push(1);
    return { positions: this.positions, lift: this.lift, rings: this.rings, ringUv: this.ringUv, centre: -this.positions.length, centreUv: [0.5, 0.5] };
  }
}

function uvAt(radius: number, phi: number): [number, number] {
  return [0.5 + 0.5 * radius * Math.cos(phi), 0.5 - 0.5 * radius * Math.sin(phi)];
}

/** Per fine footprint point, the cubic Bézier of the back of the pinna, and the rim's height over the scalp there. */
interface BackCurves {
  controls: V3[][];
  gaps: number[];
}

/**
 * Back of the pinna: a cubic from the head to just behind the rim. It leaves the footprint along
 * the head (away from the footprint's centre: a fillet, not a crease) and reaches the rim along
 * the pinna's back, from the concha outwards.
 */
function backCurves(frame: EarFrame, pinna: PinnaPlane, fc: [number, number], fine: FineLoop, rim: [number, number][], implicit: Implicit): BackCurves {
  const { plane } = pinna;
  const centre3 = add(add(frame.origin, mul(frame.back, fc[0])), mul(frame.up, fc[1]));
  const conchaOnPlane = plane(CONCHA[0], CONCHA[1], 0);
  const gaps: number[] = [];
  const controls = fine.points.map((p, m) => {
    // Just behind the rim, but never more than 40 % of the way down to the scalp (along the
    // front margin the rim stands only a millimetre or two off the cheek).
    const rimPoint = plane(rim[m][0], rim[m][1], 0);
    const gap = Math.max(0, implicit(...rimPoint) - fine.levels[m]);
    gaps.push(gap);
    const r = plane(rim[m][0], rim[m][1], -Math.min(0.0012, 0.4 * gap));
    const reach = Math.hypot(...sub(r, p));
    const n = norm(gradientOf(implicit, p));
    const away = sub(p, centre3);
    const u = norm(sub(away, mul(n, dot(away, n))));
    const v = norm(sub(r, conchaOnPlane));
    // Only where the rim lies beyond the footprint (behind, above, below): along the front
    // margin the pinna rises straight from the cheek.
    const fillet = Math.max(0, dot(u, norm(sub(r, p))));
    // The fillet leaves the scalp at ROOT_ANGLE (lying along it, it would overlap the scalp next
    // to the footprint); along the front margin, where the rim lies just above the footprint,
    // the pinna rises straight off the cheek.
    const leave = norm(add(mul(u, Math.cos(ROOT_ANGLE) * fillet), mul(n, Math.sin(ROOT_ANGLE) * fillet + 1 - fillet)));
    // Where the rim is only a few millimetres off the footprint, no shaped end tangent: it would
    // fold the back under the front.
    const shaped = smooth(0.004, 0.01, reach);
    const c2 = add(mul(add(p, mul(sub(r, p), 2 / 3)), 1 - shaped), mul(sub(r, mul(v, 0.35 * reach)), shaped));
    return [p, add(p, mul(leave, 0.4 * reach)), c2, r];
  });
  return { controls, gaps };
}

/**
 * The inner control points vary with the footprint's shape and the rim's sampling; smoothed
 * round the ear (in place) they give a skirt without pleats.
 */
function smoothControlPoints(controls: V3[][]): void {
  for (const c of [1, 2]) {
    for (let it = 0; it < 12; it++) {
      const prev = controls.map((q) => q[c]);
      const L = prev.length;
      prev.forEach((q, m) => (controls[m][c] = add(mul(q, 0.5), mul(add(prev[(m + L - 1) % L], prev[(m + 1) % L]), 0.25))));
    }
  }
}

/** The back rings along the curves, denser near the head where the fillet turns, lifted over the scalp where it curves up under them. */
function addBackRings(shell: ShellBuilder, curves: BackCurves, fineLevel: number[], implicit: Implicit): void {
  for (let j = 1; j <= BACK_RINGS; j++) {
    const t = (j / (BACK_RINGS + 1)) ** 1.25;
    shell.push(curves.controls.map(([p0, p1, p2, p3], m) => {
      const a = (1 - t) ** 3, b = 3 * t * (1 - t) ** 2, c = 3 * t * t * (1 - t), d = t ** 3;
      let q = add(add(mul(p0, a), mul(p1, b)), add(mul(p2, c), mul(p3, d)));
      // Where the scalp curves up under the fillet (in front of the lobe), ride over it.
      const floor = fineLevel[m] + Math.sqrt(t) * Math.min(ROOT_CLEARANCE, 0.5 * curves.gaps[m]);
      for (let it = 0; it < 30; it++) {
        const f0 = implicit(...q);
        if (f0 >= floor) break;
        const g = gradientOf(implicit, q);
        q = add(q, mul(g, (floor - f0) / (dot(g, g) || 1)));
      }
      return q;
    }), 1 - 0.4 * (j / (BACK_RINGS + 1)), 0);
  }
}

/** Rim (helix edge) and the front, from the rim in to the concha: helix roll, scapha, antihelix, concha bowl. */
function addFrontRings(shell: ShellBuilder, pinna: PinnaPlane, rim: [number, number][]): void {
  for (const s of FRONT_FRACTIONS) {
    shell.push(rim.map((q) => {
      const b = CONCHA[0] + (q[0] - CONCHA[0]) * s, h = CONCHA[1] + (q[1] - CONCHA[1]) * s;
      // The lobe (low on the ear) has no antihelix or concha; the helix rolls over only above it.
      // Nor does the front edge, where the pinna meets the cheek (tragus and helix root).
      const upper = smooth(-0.02, -0.01, q[1]) * smooth(0.004, 0.012, q[0]);
      const relief =
        s === 1
          ? 0
          : 0.001 + 0.0022 * bump(s, 0.93, 0.05) * upper - 0.0009 * bump(s, 0.8, 0.05) * upper + 0.0017 * bump(s, 0.6, 0.09) * upper - CONCHA_DEPTH * bump(s, 0.15, 0.22) + 0.0012 * (1 - upper) * bump(s, 0.7, 0.3);
      return pinna.plane(b, h, relief);
    }), 0.6 * s);
  }
}
