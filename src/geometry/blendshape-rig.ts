/**
 * Rest-pose fields of the template that the blendshapes are built from (computed once per
 * template, carried to fitted heads by vertex id): which share of the mandible's motion each
 * vertex takes, which vertices belong to each upper / lower lid and how strongly, which side of
 * the lips' seam each vertex lies on, and where the jaw's hinge is.
 */
import type { TemplateHead } from "../types.ts";
import { EYE_PARTS, MOUTH_PARTS } from "../types.ts";
import { EYEBALL_RADIUS_M } from "./eyes.ts";
import { headFrame } from "./head-shape.ts";

/** Per-vertex rest fields (all arrays have one entry per vertex). */
export interface RestRig {
  /** Share of the mandible's rotation, 0 … 1. */
  jaw: Float32Array;
  /** Side of the lips' seam: +1 upper lip and above, −1 lower lip and below, 0 elsewhere (beyond the corners). */
  lipSide: Int8Array;
  /** Part of each vertex: 0 skin, 1 eye, 2 mouth, 3 teeth, 4 tongue. */
  kind: Uint8Array;
  /** Lid weights per side [right, left]: how much of the upper / lower lid's closing each vertex takes, 0 … 1. */
  upperLid: [Float32Array, Float32Array];
  lowerLid: [Float32Array, Float32Array];
  /** Eyeball vertex ids per side [right, left]. */
  eyeball: [Int32Array, Int32Array];
  /** The two skin vertices nearest the tragia [right, left]: the jaw's hinge axis runs through them. */
  hinge: [number, number];
  /** Tongue vertices and, per vertex, how far along it lies (0 root … 1 tip). */
  tongue: Int32Array;
  tongueAlong: Float32Array;
}

const cache = new WeakMap<TemplateHead, RestRig>();

/** Rest fields of `head` (cached). */
export function restRig(head: TemplateHead): RestRig {
  let r = cache.get(head);
  if (!r) cache.set(head, (r = build(head)));
  return r;
}

const smoothstep = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

function build(head: TemplateHead): RestRig {
  const P = head.mesh.positions, n = P.length / 3;
  const kind = partKinds(head);
  const hinge = hingeVertices(head, kind);
  const { jaw, lipSide } = jawField(head, kind);
  const upperLid: [Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n)];
  const lowerLid: [Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n)];
  const eyeball: [Int32Array, Int32Array] = [Int32Array.from([]), Int32Array.from([])];
  (["eyeRight", "eyeLeft"] as const).forEach((part, s) => {
    eyeball[s] = partVertices(head, part);
    lidWeights(head, kind, s === 0 ? head.rig.lidRight : head.rig.lidLeft, eyeball[s], upperLid[s], lowerLid[s]);
  });
  const tongue = partVertices(head, "tongue");
  const tip = head.rig.tongueTip;
  let zMin = Infinity;
  for (const v of tongue) zMin = Math.min(zMin, P[3 * v + 2]);
  const tongueAlong = Float32Array.from(tongue, (v) => (P[3 * v + 2] - zMin) / (P[3 * tip + 2] - zMin));
  return { jaw, lipSide, kind, upperLid, lowerLid, eyeball, hinge, tongue, tongueAlong };
}

function partKinds(head: TemplateHead): Uint8Array {
  const kind = new Uint8Array(head.mesh.positions.length / 3);
  for (const p of head.parts) {
    const k = p.part === "skin" ? 0 : EYE_PARTS.includes(p.part) ? 1 : 2 + MOUTH_PARTS.indexOf(p.part);
    for (let i = p.firstIndex; i < p.firstIndex + p.indexCount; i++) kind[head.mesh.indices[i]] = k;
  }
  return kind;
}

export function partVertices(head: Pick<TemplateHead, "parts" | "mesh">, part: string): Int32Array {
  const p = head.parts.find((q) => q.part === part);
  if (!p) return new Int32Array(0);
  return Int32Array.from(new Set(head.mesh.indices.subarray(p.firstIndex, p.firstIndex + p.indexCount))).sort();
}

/** The skin vertices nearest the two tragia: the condyles sit just in front of the tragus (palpation landmark). */
function hingeVertices(head: TemplateHead, kind: Uint8Array): [number, number] {
  const t = headFrame().tragion;
  const P = head.mesh.positions;
  const nearest = (x: number) => {
    let best = 0, bd = Infinity;
    for (let v = 0; v < P.length / 3; v++) {
      if (kind[v] !== 0) continue;
      const d = (P[3 * v] - x) ** 2 + (P[3 * v + 1] - t[1]) ** 2 + (P[3 * v + 2] - t[2]) ** 2;
      if (d < bd) [best, bd] = [v, d];
    }
    return best;
  };
  return [nearest(-Math.abs(t[0])), nearest(Math.abs(t[0]))];
}

/**
 * The mandible's share per vertex. Mouth parts carry theirs from the template (upper half of the
 * cavity and upper teeth 0, lower 1). Skin between the mouth corners: 1 below the seam, 0 above
 * (the lips part exactly at the seam); beyond the corners the cheek takes a share that ramps over
 * a width growing with the distance from the corner; faded out behind the ramus and down the neck.
 */
function jawField(head: TemplateHead, kind: Uint8Array): { jaw: Float32Array; lipSide: Int8Array } {
  const P = head.mesh.positions, n = P.length / 3;
  const { upperSeam, lowerSeam, mandible } = head.rig;
  const seam = Array.from(upperSeam, (v) => [P[3 * v], P[3 * v + 1]] as [number, number]);
  const corner = seam[seam.length - 1][0];
  const seamY = (x: number) => {
    const ax = Math.min(Math.abs(x), corner);
    for (let k = (seam.length - 1) >> 1; k + 1 < seam.length; k++) {
      const [x0, y0] = seam[k], [x1, y1] = seam[k + 1];
      if (ax >= x0 && ax <= x1) return y0 + ((y1 - y0) * (ax - x0)) / Math.max(1e-9, x1 - x0);
    }
    return seam[seam.length - 1][1];
  };
  const lm = head.landmarkVertices;
  const chin = [P[3 * lm[152] + 1], P[3 * lm[152] + 2]];
  const tragionZ = headFrame().tragion[2];
  // Mandible's lower border: from the chin to below the tragus, in the y–z plane (shape choice).
  const gonion = [headFrame().tragion[1] - 0.06, tragionZ + 0.015];
  const jaw = new Float32Array(n), lipSide = new Int8Array(n);
  for (let v = 0; v < n; v++) {
    if (kind[v] >= 2) {
      jaw[v] = Math.max(0, mandible[v]);
      lipSide[v] = mandible[v] > 0.5 ? -1 : 1;
      continue;
    }
    if (kind[v] !== 0) continue;
    const x = P[3 * v], y = P[3 * v + 1], z = P[3 * v + 2];
    const below = seamY(x) - y;
    const lateral = Math.max(0, Math.abs(x) - 0.8 * corner);
    let w = lateral === 0 ? (below > 0 ? 1 : 0) : smoothstep(0.5 + below / Math.max(0.001, 0.8 * lateral));
    const f = Math.min(1, Math.max(0, (z - chin[1]) / (gonion[1] - chin[1])));
    const borderY = chin[0] + f * (gonion[0] - chin[0]);
    w *= 1 - smoothstep((borderY - y) / 0.025);
    w *= smoothstep((z - tragionZ) / 0.03);
    jaw[v] = w;
    if (Math.abs(x) <= corner) lipSide[v] = below > 0 ? -1 : 1;
  }
  for (const v of lowerSeam) if (!upperSeam.includes(v)) [jaw[v], lipSide[v]] = [1, -1];
  for (const v of upperSeam) if (!lowerSeam.includes(v)) [jaw[v], lipSide[v]] = [0, 1];
  return { jaw, lipSide };
}

/**
 * Lid weights for one eye: angles round the globe's horizontal axis; vertices above the upper
 * margin take the upper lid's closing, fading over the tarsal height; below the lower margin the
 * lower lid's, fading faster; both fade out beyond the corners.
 */
function lidWeights(head: TemplateHead, kind: Uint8Array, loop: Int32Array, ball: Int32Array, upper: Float32Array, lower: Float32Array): void {
  const P = head.mesh.positions;
  const c = centreOf(P, ball);
  const { upperMargin, lowerMargin, xMin, xMax } = margins(P, loop, c);
  const halfWidth = (xMax - xMin) / 2, xMid = (xMax + xMin) / 2;
  for (let v = 0; v < P.length / 3; v++) {
    if (kind[v] !== 0) continue;
    const x = P[3 * v], y = P[3 * v + 1] - c[1], z = P[3 * v + 2] - c[2];
    if (Math.abs(x - xMid) > halfWidth + 0.008 || z < -0.004 || Math.hypot(y, z) > 0.03) continue;
    const phi = Math.atan2(y, z);
    // Lid skin lies on the globe; skin further out (brow, cheek) stays.
    const radial = 1 - smoothstep((Math.hypot(x - c[0], y, z) - EYEBALL_RADIUS_M - 0.003) / 0.006);
    const lateral = radial * (1 - smoothstep((Math.abs(x - xMid) - halfWidth + 0.002) / 0.008));
    const pu = upperMargin(x), pl = lowerMargin(x);
    // Upper lid: from the margin over the tarsus (~0.55 rad of arc round the globe, shape choice).
    if (phi >= pu - 0.02) upper[v] = lateral * (1 - smoothstep((phi - pu) / 0.55));
    else if (phi <= pl + 0.02) lower[v] = lateral * (1 - smoothstep((pl - phi) / 0.35));
    else upper[v] = lateral * smoothstep((phi - pl) / Math.max(1e-3, pu - pl));
  }
}

/** Mean position of some vertices. */
export function centreOf(P: ArrayLike<number>, ids: ArrayLike<number>): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < ids.length; i++) for (let k = 0; k < 3; k++) c[k] += P[3 * ids[i] + k] / ids.length;
  return c;
}

/**
 * The lid margins of a loop (lower lid = first half, upper = second) as angle-of-x functions
 * round the horizontal axis through `c` (angle atan2(y, z) from the gaze axis, up positive).
 */
export function margins(P: ArrayLike<number>, loop: Int32Array, c: [number, number, number]): { upperMargin: (x: number) => number; lowerMargin: (x: number) => number; xMin: number; xMax: number } {
  const half = loop.length / 2;
  const pts = (ids: number[]) => ids.map((v) => [P[3 * v], Math.atan2(P[3 * v + 1] - c[1], P[3 * v + 2] - c[2])] as [number, number]).sort((a, b) => a[0] - b[0]);
  const lowerIds = Array.from(loop.subarray(0, half + 1));
  const upperIds = [...Array.from(loop.subarray(half)), loop[0]];
  const lo = pts(lowerIds), up = pts(upperIds);
  const interp = (curve: [number, number][]) => (x: number) => {
    if (x <= curve[0][0]) return curve[0][1];
    for (let k = 0; k + 1 < curve.length; k++) if (x <= curve[k + 1][0]) return curve[k][1] + ((curve[k + 1][1] - curve[k][1]) * (x - curve[k][0])) / Math.max(1e-9, curve[k + 1][0] - curve[k][0]);
    return curve[curve.length - 1][1];
  };
  return { upperMargin: interp(up), lowerMargin: interp(lo), xMin: lo[0][0], xMax: lo[lo.length - 1][0] };
}
