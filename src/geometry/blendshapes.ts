/**
 * ARKit's 52 blendshapes as displacement fields, evaluated on any head with the template's
 * topology (the template itself or a fitted head).
 *
 * Why re-evaluate instead of pushing template displacements through the fit's warp Jacobian:
 * most shapes are rotations about anatomy that the fit moves (the jaw about the condyles, lids
 * round the globe, the eye in its socket). Re-evaluating rotates this head's mandible about this
 * head's hinge and closes this head's upper lid onto this head's lower lid, where a carried
 * template displacement would close the template's lids (gapping or overlapping on a fitted eye)
 * and shear rotations wherever the warp is not conformal. What is carried by vertex id is only
 * which vertices move and how much (restRig: jaw share, lid weights, lip side, regional falloffs
 * measured on the template); pivots, axes, margins and sizes are measured on the head given.
 *
 *   const shapes = evaluateBlendshapes(fitted.mesh.positions, buildTemplateHead());
 *   shapes.find((s) => s.name === "jawOpen")!.delta;   // xyz metres per vertex
 */
import type { Blendshape, TemplateHead } from "../types.ts";
import { LEFT_BROW_CORE, RIGHT_BROW_CORE } from "../primitives/face-topology.ts";
import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from "./blendshape-names.ts";
import { centreOf, margins, restRig, type RestRig } from "./blendshape-rig.ts";
import { lipParting, lowerLipOnIncisors } from "./blendshape-lips.ts";
import { corneaBulge, EYEBALL_RADIUS_M } from "./eyes.ts";
import type { V3 } from "./mesh-builder.ts";

const MM = 0.001;
/** jawOpen = 1 is ARKit's "maximum movement": the mean maximum interincisal opening, 48.8 mm (Zawawi et al., J Can Dent Assoc 2003). */
const MAX_INTERINCISAL_OPENING_M = 48.8 * MM;
/**
 * The mouth corner's move in a full smile (mouthSmile = 1), mm (x out, y up): spontaneous smiles
 * widen the mouth by 27 % with the corners moving laterally and superiorly at ≈ 47° (Am J Orthod
 * Dentofacial Orthop 2005;128:8–15: 15 children filmed with a hidden camera); on an adult mouth of
 * 50.8 mm (men, [S4], reference/head-anthropometry.md) 6.9 mm out and 7.4 mm up per corner. The
 * corner also sinks back into the cheek (3 mm, a shape choice).
 */
const SMILE_CORNER_MM: [number, number, number] = [(0.27 * 50.8) / 2, ((0.27 * 50.8) / 2) * Math.tan((47 * Math.PI) / 180), -3];
/**
 * Zygomaticus major, the smile's muscle: 45.5 mm long (single form, 51 cadavers; Stoltidou et al.,
 * "Bifid zygomaticus major muscle: a cadaver anatomical study with photogrammetric assistance",
 * Can J Plast Surg 19 Suppl A:158A, 2011), from the modiolus up and out to its origin on the
 * zygomatic bone's temporal process. Contracting, it bunches the cheek's soft tissue along its
 * whole belly, up to the malar eminence, not only beside the corner.
 */
const ZYGOMATICUS_MAJOR_M = 45.5 * MM;
/** The template's landmark on the malar eminence (subject's left, right) that zygomaticus major runs toward from the corner (face mesh indices). */
const MALAR = { left: 352, right: 123 };
/** Where along the muscle (share of its length from the corner) the upper belly's bunching is centred: the corner's cheek bump sits 22 mm out, about half way, so the second covers the half toward the origin. */
const UPPER_BELLY_SHARE = 0.75;
/** Eye rotations at weight 1, radians (shape choices inside the oculomotor range). */
const LOOK_HORIZONTAL = (30 * Math.PI) / 180;
const LOOK_UP = (25 * Math.PI) / 180;
const LOOK_DOWN = (30 * Math.PI) / 180;
/** Share of the lid gap the lower lid closes in a blink (the upper lid does the rest; shape choice). */
const LOWER_LID_SHARE = 0.2;
/** Clearance kept between a closing lid and the cornea, metres. */
const LID_OVER_CORNEA_M = 0.0008;

/** A regional displacement: anisotropic Gaussian falloff (template metres) round a template point, vector in mm (head axes). */
interface Bump {
  centre: V3;
  sigma: V3;
  /** Displacement at the centre, mm, per lip side (+1 upper, −1 lower, 0 elsewhere); one vector for all sides if `any`. */
  upper?: V3;
  lower?: V3;
  any?: V3;
  /** Which parts move: skin only, or skin and the cavity (lips' inner surfaces). */
  parts: "skin" | "skinAndMouth";
  /** Scale by the mouth width or the eye width ratio of the head to the template. */
  scale: "mouth" | "eye";
}

/** All 52 shapes on `positions` (a head with `template`'s topology), in ARKIT_BLENDSHAPES order. */
export function evaluateBlendshapes(positions: Float32Array, template: TemplateHead): Blendshape[] {
  if (positions.length !== template.mesh.positions.length) throw new Error(`evaluateBlendshapes: ${positions.length / 3} vertices, the template has ${template.mesh.positions.length / 3}`);
  const rig = restRig(template);
  const ctx = context(positions, template, rig);
  return ARKIT_BLENDSHAPES.map((name) => ({ name, delta: shape(name, ctx) }));
}

interface Context {
  P: Float32Array;
  T: Float32Array;
  rig: RestRig;
  head: TemplateHead;
  n: number;
  scale: { mouth: number; eye: number };
  lm: (i: number) => V3;
  /** Template landmark position. */
  tlm: (i: number) => V3;
  hinge: { pivot: V3; axis: V3; angle: number };
}

function context(P: Float32Array, head: TemplateHead, rig: RestRig): Context {
  const T = head.mesh.positions, lv = head.landmarkVertices;
  const at = (A: Float32Array, v: number): V3 => [A[3 * v], A[3 * v + 1], A[3 * v + 2]];
  const lm = (i: number) => at(P, lv[i]);
  const tlm = (i: number) => at(T, lv[i]);
  const ratio = (a: number, b: number) => dist(lm(a), lm(b)) / dist(tlm(a), tlm(b));
  const [hr, hl] = rig.hinge.map((v) => at(P, v));
  const pivot: V3 = [(hr[0] + hl[0]) / 2, (hr[1] + hl[1]) / 2, (hr[2] + hl[2]) / 2];
  const axis = unit(sub(hl, hr));
  // The opening angle that parts the incisors by the maximum opening: arc = radius × angle.
  const { upperSeam } = head.rig;
  const seamMid = at(P, upperSeam[(upperSeam.length - 1) >> 1]);
  const r = sub(seamMid, pivot);
  const radius = Math.hypot(...sub(r, scaleV(axis, dot(r, axis))));
  return { P, T, rig, head, n: P.length / 3, scale: { mouth: ratio(61, 291), eye: (ratio(33, 133) + ratio(263, 362)) / 2 }, lm, tlm, hinge: { pivot, axis, angle: MAX_INTERINCISAL_OPENING_M / radius } };
}

function shape(name: ArkitBlendshape, c: Context): Float32Array {
  const side = name.endsWith("Left") ? 1 : name.endsWith("Right") ? -1 : 0;
  const s = side === 1 ? 1 : 0; // index into [right, left] rig arrays
  const base = name.replace(/Left$|Right$/, "");
  switch (base) {
    case "jawOpen": return jawOpen(c);
    case "jawForward": return translateJaw(c, [0, 0, 6]);
    case "jaw": return translateJaw(c, [6 * side, 0, 0]);
    case "eyeBlink": return lids(c, s, 1, LOWER_LID_SHARE);
    case "eyeWide": return lids(c, s, -0.25, 0);
    case "eyeSquint": return add(lids(c, s, 0, 0.4), bumps(c, name, [{ centre: offset(c.tlm(s ? 374 : 145), [0, -14, 2]), sigma: [12, 9, 10], any: [0, 1.5, 0.5], parts: "skin", scale: "eye" }], side));
    case "eyeLookUp": return look(c, s, [-LOOK_UP, 0], 0.3);
    case "eyeLookDown": return look(c, s, [LOOK_DOWN, 0], 0.5);
    case "eyeLookIn": return look(c, s, [0, -side * LOOK_HORIZONTAL], 0);
    case "eyeLookOut": return look(c, s, [0, side * LOOK_HORIZONTAL], 0);
    case "mouthClose": return mouthClose(c);
    case "mouthUpperUp": return lipParting(c.P, c.T, c.head, c.rig, "upper", side >= 0 ? 1 : -1);
    case "mouthLowerDown": return lipParting(c.P, c.T, c.head, c.rig, "lower", side >= 0 ? 1 : -1);
    case "tongueOut": return tongueOut(c);
    default: return bumps(c, name, regional(base, c, side), side);
  }
}

/** The regional shapes as bumps (mm, template-side landmarks); `side` mirrors x for Left/Right pairs. */
function regional(base: string, c: Context, side: number): Bump[] {
  const corner = c.tlm(side >= 0 ? 291 : 61), seamMid = templateSeamMid(c);
  const L = (l: number, r: number) => c.tlm(side >= 0 ? l : r);
  const both = (b: Omit<Bump, "parts" | "scale">): Bump => ({ ...b, parts: "skinAndMouth", scale: "mouth" });
  const skin = (b: Omit<Bump, "parts" | "scale">, scale: "mouth" | "eye" = "eye"): Bump => ({ ...b, parts: "skin", scale });
  switch (base) {
    case "mouthSmile": return [both({ centre: corner, sigma: [12, 12, 12], any: SMILE_CORNER_MM }), skin({ centre: offset(corner, [side * 12, 18, -6]), sigma: [12, 10, 12], any: [0, 2.5, 1] }, "mouth"), skin({ centre: alongMuscle(corner, L(MALAR.left, MALAR.right), UPPER_BELLY_SHARE), sigma: [12, 10, 12], any: [0, 2.5, 1] }, "mouth")];
    case "mouthFrown": return [both({ centre: corner, sigma: [11, 11, 11], any: [0.5, -5, -0.5] })];
    case "mouthDimple": return [both({ centre: corner, sigma: [8, 8, 8], any: [3, 0.5, -3.5] })];
    case "mouthStretch": return [both({ centre: corner, sigma: [14, 14, 14], any: [5, -3, -2] })];
    case "mouthPress": return [both({ centre: offset(corner, [-side * 10, 0, 3]), sigma: [12, 8, 10], upper: [0, -1.5, 0], lower: [0, 1.5, 0] })];
    case "mouthRollLower": return [both({ centre: c.tlm(17), sigma: [20, 7, 10], lower: [0, 1.5, -4] })];
    case "mouthRollUpper": return [both({ centre: c.tlm(0), sigma: [20, 7, 10], upper: [0, -1.5, -4] })];
    case "mouthShrugLower": return [both({ centre: c.tlm(17), sigma: [18, 14, 12], lower: [0, 3.5, 1.5] })];
    case "mouthShrugUpper": return [both({ centre: c.tlm(0), sigma: [18, 10, 12], upper: [0, 2.5, 1] })];
    case "mouthFunnel": return [both({ centre: seamMid, sigma: [16, 12, 14], upper: [0, 3, 5], lower: [0, -3.5, 5] }), ...corners(c, [-5, 0, 2], 9)];
    case "mouthPucker": return [both({ centre: seamMid, sigma: [16, 12, 14], any: [0, 0, 6] }), ...corners(c, [-8, 0, 3], 10)];
    case "mouth": return [both({ centre: seamMid, sigma: [20, 15, 15], any: [7, 0, -1] })];
    case "cheekPuff": return [1, -1].map((k) => skin({ centre: offset(c.tlm(k > 0 ? 291 : 61), [k * 16, 5, -12]), sigma: [15, 15, 15], any: [k * 6, 0, 1.5] }, "mouth"));
    case "cheekSquint": return [skin({ centre: offset(L(374, 145), [side * 3, -15, 2]), sigma: [12, 10, 12], any: [0, 3, 1] })];
    case "noseSneer": return [skin({ centre: offset(L(327, 98), [-side * 3, 6, 0]), sigma: [8, 8, 8], any: [0, 3, 0.5] })];
    case "browDown": return [skin({ centre: centreOfLandmarks(c, side >= 0 ? LEFT_BROW_CORE : RIGHT_BROW_CORE), sigma: [14, 10, 12], any: [-1.5, -4, 0.5] }), skin({ centre: L(285, 55), sigma: [8, 8, 8], any: [-2, -2, 1] })];
    case "browInnerUp": return [107, 336].map((l) => skin({ centre: c.tlm(l), sigma: [12, 12, 12], any: [0, 6, 0.5] }));
    case "browOuterUp": return [skin({ centre: L(276, 46), sigma: [12, 12, 12], any: [0, 5, 0] })];
    default: throw new Error(`blendshapes: no field for ${base}`);
  }
}

/** The point `share` of zygomaticus major's length from the corner toward the malar landmark (template metres). */
function alongMuscle(corner: V3, malar: V3, share: number): V3 {
  const d = unit(sub(malar, corner));
  return [corner[0] + share * ZYGOMATICUS_MAJOR_M * d[0], corner[1] + share * ZYGOMATICUS_MAJOR_M * d[1], corner[2] + share * ZYGOMATICUS_MAJOR_M * d[2]];
}

/** A bump at each mouth corner, vector given for the subject's left corner (mirrored for the right). */
function corners(c: Context, left: V3, sigma: number): Bump[] {
  return [1, -1].map((k) => ({ centre: c.tlm(k > 0 ? 291 : 61), sigma: [sigma, sigma, sigma] as V3, any: [k * left[0], left[1], left[2]] as V3, parts: "skinAndMouth" as const, scale: "mouth" as const }));
}

function templateSeamMid(c: Context): V3 {
  const v = c.head.rig.upperSeam[(c.head.rig.upperSeam.length - 1) >> 1];
  return [c.T[3 * v], c.T[3 * v + 1], c.T[3 * v + 2]];
}

function centreOfLandmarks(c: Context, ids: number[]): V3 {
  return centreOf(c.T, Int32Array.from(ids, (i) => c.head.landmarkVertices[i]));
}

/** Per template and shape: the bumps' sum on the template, in mm before the head's scale (mouth- and eye-scaled parts apart). */
const bumpCache = new WeakMap<TemplateHead, Map<string, { ids: Int32Array; mouth: Float32Array; eye: Float32Array }>>();

/** Sum of bumps (x mirrored for the subject's right, side −1), scaled to the head; the falloffs are the template's, computed once. */
function bumps(c: Context, key: string, list: Bump[], side: number): Float32Array {
  let perShape = bumpCache.get(c.head);
  if (!perShape) bumpCache.set(c.head, (perShape = new Map()));
  let field = perShape.get(key);
  if (!field) perShape.set(key, (field = bumpField(c, list, side)));
  const out = new Float32Array(3 * c.n);
  const m = MM * c.scale.mouth, e = MM * c.scale.eye;
  field.ids.forEach((v, i) => {
    for (let k = 0; k < 3; k++) out[3 * v + k] = m * field.mouth[3 * i + k] + e * field.eye[3 * i + k];
  });
  return out;
}

function bumpField(c: Context, list: Bump[], side: number): { ids: Int32Array; mouth: Float32Array; eye: Float32Array } {
  const mouth = new Float32Array(3 * c.n), eye = new Float32Array(3 * c.n);
  const touched = new Uint8Array(c.n);
  const { kind, lipSide } = c.rig;
  for (const b of list) {
    const acc = b.scale === "mouth" ? mouth : eye;
    const [sx, sy, sz] = b.sigma.map((x) => x * MM);
    for (let v = 0; v < c.n; v++) {
      if (!(kind[v] === 0 || (b.parts === "skinAndMouth" && kind[v] === 2))) continue;
      const dx = (c.T[3 * v] - b.centre[0]) / sx, dy = (c.T[3 * v + 1] - b.centre[1]) / sy, dz = (c.T[3 * v + 2] - b.centre[2]) / sz;
      const q = dx * dx + dy * dy + dz * dz;
      if (q > 16) continue;
      const vec = b.any ?? (lipSide[v] > 0 ? b.upper : lipSide[v] < 0 ? b.lower : undefined);
      if (!vec) continue;
      const w = Math.exp(-q / 2);
      acc[3 * v] += (side < 0 ? -vec[0] : vec[0]) * w;
      acc[3 * v + 1] += vec[1] * w;
      acc[3 * v + 2] += vec[2] * w;
      touched[v] = 1;
    }
  }
  const ids = Int32Array.from(touched.reduce<number[]>((a, t, v) => (t ? (a.push(v), a) : a), []));
  const pick = (a: Float32Array) => {
    const o = new Float32Array(3 * ids.length);
    ids.forEach((v, i) => o.set(a.subarray(3 * v, 3 * v + 3), 3 * i));
    return o;
  };
  return { ids, mouth: pick(mouth), eye: pick(eye) };
}

/** jawOpen: the mandible's rotation, the lower lip riding up its incisors (blendshape-lips.ts). */
function jawOpen(c: Context): Float32Array {
  const open = jaw(c, 1);
  const { axis, angle } = c.hinge;
  return add(open, lowerLipOnIncisors(c.P, c.T, c.head, c.rig, open, rotate([0, 1, 0], [0, 0, 0], axis, angle)));
}

/** Mandible rotation about the hinge by `share` of the full opening (per-vertex jaw weights). */
function jaw(c: Context, share: number): Float32Array {
  const out = new Float32Array(3 * c.n);
  const { pivot, axis, angle } = c.hinge;
  for (let v = 0; v < c.n; v++) {
    const w = c.rig.jaw[v];
    if (w <= 0) continue;
    const p: V3 = [c.P[3 * v], c.P[3 * v + 1], c.P[3 * v + 2]];
    const q = rotate(p, pivot, axis, w * share * angle);
    for (let k = 0; k < 3; k++) out[3 * v + k] = q[k] - p[k];
  }
  return out;
}

function translateJaw(c: Context, mm: V3): Float32Array {
  const out = new Float32Array(3 * c.n);
  for (let v = 0; v < c.n; v++) for (let k = 0; k < 3; k++) out[3 * v + k] = c.rig.jaw[v] * mm[k] * MM * c.scale.mouth;
  return out;
}

/** Lips close over an open jaw: the lower lip takes back the jaw's motion (ARKit's mouthClose is used with jawOpen). */
function mouthClose(c: Context): Float32Array {
  const open = jawOpen(c);
  const lip = c.tlm(17), seam = templateSeamMid(c);
  const out = new Float32Array(3 * c.n);
  for (let v = 0; v < c.n; v++) {
    if (c.rig.lipSide[v] >= 0 || !(c.rig.kind[v] === 0 || c.rig.kind[v] === 2)) continue;
    const dx = (c.T[3 * v] - seam[0]) / 0.03, dy = (c.T[3 * v + 1] - (seam[1] + lip[1]) / 2) / 0.012, dz = (c.T[3 * v + 2] - seam[2]) / 0.02;
    const w = Math.exp(-(dx * dx + dy * dy + dz * dz) / 2);
    for (let k = 0; k < 3; k++) out[3 * v + k] = -open[3 * v + k] * w;
  }
  return out;
}

/**
 * Lids of one eye rotate round the globe's horizontal axis: the upper lid by `upperShare` of the
 * gap to the meeting line (negative opens it wider), the lower lid by `lowerShare`; lid points
 * that would pass inside the cornea are pushed out over it.
 */
function lids(c: Context, s: number, upperShare: number, lowerShare: number): Float32Array {
  const out = new Float32Array(3 * c.n);
  const centre = centreOf(c.P, c.rig.eyeball[s]);
  const m = margins(c.P, s === 0 ? c.head.rig.lidRight : c.head.rig.lidLeft, centre);
  const up = c.rig.upperLid[s], low = c.rig.lowerLid[s];
  for (let v = 0; v < c.n; v++) {
    if (up[v] <= 0 && low[v] <= 0) continue;
    const x = c.P[3 * v];
    const gap = Math.max(0, m.upperMargin(x) - m.lowerMargin(x));
    const meetFromTop = gap * (1 - LOWER_LID_SHARE);
    const turn = -up[v] * upperShare * (upperShare > 0 ? meetFromTop : gap) + low[v] * lowerShare * gap;
    out.set(rotateLid(c, v, centre, turn), 3 * v);
  }
  return out;
}

/** Displacement of vertex v rotated by `turn` (radians, up positive) round the x axis through `centre`, kept outside the cornea. */
function rotateLid(c: Context, v: number, centre: V3, turn: number): V3 {
  const y = c.P[3 * v + 1] - centre[1], z = c.P[3 * v + 2] - centre[2];
  const rest = Math.hypot(y, z, c.P[3 * v] - centre[0]);
  let ny = y * Math.cos(turn) + z * Math.sin(turn), nz = -y * Math.sin(turn) + z * Math.cos(turn);
  const x = c.P[3 * v] - centre[0];
  const r = Math.hypot(x, ny, nz);
  const theta = Math.acos(Math.max(-1, Math.min(1, nz / r)));
  const need = EYEBALL_RADIUS_M + corneaBulge(theta) + LID_OVER_CORNEA_M;
  let nx = x;
  if (rest >= EYEBALL_RADIUS_M && r < need) [nx, ny, nz] = [(x * need) / r, (ny * need) / r, (nz * need) / r];
  return [nx - x, ny - y, nz - z];
}

/** Eyeball of one side turned by [pitch (down positive), yaw (towards +x positive)]; the upper lid follows by `lidFollow` of the pitch. */
function look(c: Context, s: number, [pitch, yaw]: [number, number], lidFollow: number): Float32Array {
  const out = new Float32Array(3 * c.n);
  const centre = centreOf(c.P, c.rig.eyeball[s]);
  for (const v of c.rig.eyeball[s]) {
    const p: V3 = [c.P[3 * v], c.P[3 * v + 1], c.P[3 * v + 2]];
    const q = rotate(rotate(p, centre, [1, 0, 0], pitch), centre, [0, 1, 0], yaw);
    for (let k = 0; k < 3; k++) out[3 * v + k] = q[k] - p[k];
  }
  if (lidFollow !== 0) {
    const up = c.rig.upperLid[s];
    for (let v = 0; v < c.n; v++) if (up[v] > 0) out.set(rotateLid(c, v, centre, -up[v] * lidFollow * pitch), 3 * v);
  }
  return out;
}

/** The tongue stretches forward out of the mouth (tip furthest), the jaw dropping a third of the way to let it through. */
function tongueOut(c: Context): Float32Array {
  const out = jaw(c, 0.35);
  const { tongue, tongueAlong } = c.rig;
  const sc = MM * c.scale.mouth;
  tongue.forEach((v, i) => {
    const t = tongueAlong[i];
    out[3 * v + 1] += -6 * t * t * sc;
    out[3 * v + 2] += 32 * t * t * sc;
  });
  return out;
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scaleV = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
const dist = (a: V3, b: V3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const unit = (a: V3): V3 => scaleV(a, 1 / Math.hypot(...a));
const offset = (p: V3, mm: V3): V3 => [p[0] + mm[0] * MM, p[1] + mm[1] * MM, p[2] + mm[2] * MM];

/** Rodrigues rotation of p about the axis (unit) through `pivot`. */
function rotate(p: V3, pivot: V3, axis: V3, angle: number): V3 {
  const v = sub(p, pivot), cs = Math.cos(angle), sn = Math.sin(angle), d = dot(axis, v);
  const cr: V3 = [axis[1] * v[2] - axis[2] * v[1], axis[2] * v[0] - axis[0] * v[2], axis[0] * v[1] - axis[1] * v[0]];
  return [0, 1, 2].map((k) => pivot[k] + v[k] * cs + cr[k] * sn + axis[k] * d * (1 - cs)) as V3;
}
