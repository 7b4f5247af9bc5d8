/**
 * Teeth, gums and tongue of the template head, sized from dental anthropometry. Each dental arch
 * is a catenary (the most common arch form [D5]) fixed by the intercanine distance and the arc
 * length of the incisors and canine; the teeth are rounded crowns placed along it by their
 * mesiodistal widths, the gums a band over their necks, the tongue a rounded body inside the
 * lower arch. The subject's left (+x) half is built and mirrored, so the mouth pairs exactly
 * under assignMirrors. Sources (docs/design.md §4, mouth):
 *   [D1] Biometric analysis of the clinical crown, maxillary anterior teeth, n 412, J Prosthet Dent
 *        2015;113(6):565 (PubMed 25858215): widths 8.71 / 6.75 / 7.81 mm, lengths 10.23 / 8.59 / 9.93 mm.
 *   [D2] Relationship between width of maxillary anterior teeth and interalar distance, J Dent
 *        Anthropol (journal.dentalanthropology.org/…/75): intercanine tip distance 34.15 ± 2.05 mm.
 *   [D3] Smith, Buschang, Watanabe, Am J Orthod Dentofacial Orthop 2000;117:169: overall Bolton
 *        ratio (lower / upper tooth material) 92.3 % in whites.
 *   [D4] Holdaway, Am J Orthod 1983;84(1): soft tissue at point A 14–16 mm; the upper lip over the
 *        incisors within 1 mm of it.
 *   [D5] Aljayousi et al., BMC Oral Health 2021;21:105: catenary the most prevalent arch form.
 *   [D6] Normal-occlusion inclusion criteria (overjet < 3 mm, overbite < 4 mm) of arch studies.
 *   [D8] Upper central incisor shown below the upper lip at rest: 1.84–2.18 mm in the means of men
 *        and women aged 20–49 (Patel et al., J Contemp Dent Pract 2011;12(1):24, 200 people),
 *        between 3.4–4.5 mm at 12–15 years and 0.6–1.3 mm past 50 (da Motta et al., Aust Orthod J
 *        2010;26(1):27, 240 people).
 *   [D7] Premolar and molar crown sizes: not found in the store; Wheeler's Dental Anatomy table
 *        values (mesiodistal 7.0 / 6.5 / 10.0 / 9.0 mm, crown height 8.5 / 7.5 / 7.5 / 7.0 mm,
 *        labiolingual 9.0 / 9.0 / 11.0 / 11.0 mm); incisor and canine labiolingual 7.0 / 6.0 / 8.0 mm.
 */
import { flip, MOUTH_ATLAS, normalOf, type MouthPiece } from "./mouth.ts";
import type { Builder, V3 } from "./mesh-builder.ts";

const MM = 0.001;
/** Upper teeth, central incisor → second molar: mesiodistal width, crown height, labiolingual thickness, metres [D1] [D7]. */
const UPPER_TEETH = {
  width: [8.71, 6.75, 7.81, 7.0, 6.5, 10.0, 9.0].map((x) => x * MM),
  height: [10.23, 8.59, 9.93, 8.5, 7.5, 7.5, 7.0].map((x) => x * MM),
  thickness: [7.0, 6.0, 8.0, 9.0, 9.0, 11.0, 11.0].map((x) => x * MM),
};
/** Lower / upper tooth material ratio [D3]; heights and thicknesses scaled alike (shape choice). */
const LOWER_RATIO = 0.923;
/** Intercanine (cusp tip) distance of the upper arch, metres [D2]. */
export const INTERCANINE_M = 34.15 * MM;
/** Upper lip thickness over the incisors, metres [D4] (point A 14–16 mm, lip within 1 mm of it). */
export const UPPER_LIP_THICKNESS_M = 14 * MM;
/** Overjet and overbite of the lower incisors behind / above the upper incisal edge, metres [D6]. */
const OVERJET_M = 2.5 * MM;
const OVERBITE_M = 2 * MM;
/** How far the upper incisal edge sits below the lips' seam, metres: an adult's display at rest [D8]. */
const INCISAL_BELOW_SEAM_M = 2 * MM;

/** One dental arch: a catenary z = front − a(cosh(x/a) − 1) in the x–z plane. */
interface Arch {
  a: number;
  front: number;
  /** Occlusal (incisal-edge) height, metres; +1 for the upper arch (crowns grow up), −1 lower. */
  occlusalY: number;
  sign: 1 | -1;
  width: number[];
  height: number[];
  thickness: number[];
}

/** Where the mouth sits: the lips' seam midpoint and the labrale superius (landmark 0), template metres. */
export interface MouthFrame {
  seamMid: V3;
  labraleSuperius: V3;
}

/** The catenary parameter a with a·sinh(x/a) = s (arc length s reaches half-width x), by bisection. */
function catenaryParameter(x: number, s: number): number {
  let lo = x * 0.05, hi = x * 100;
  for (let it = 0; it < 100; it++) {
    const a = Math.sqrt(lo * hi);
    if (a * Math.sinh(x / a) > s) lo = a;
    else hi = a;
  }
  return Math.sqrt(lo * hi);
}

/** Both arches, placed from the mouth frame. */
export function dentalArches(frame: MouthFrame): { upper: Arch; lower: Arch } {
  const w = UPPER_TEETH.width;
  // Arc length from the midline to the canine's cusp (its centre) fixes the catenary [D2].
  const a = catenaryParameter(INTERCANINE_M / 2, w[0] + w[1] + w[2] / 2);
  const front = frame.labraleSuperius[2] - UPPER_LIP_THICKNESS_M;
  const occlusal = frame.seamMid[1] - INCISAL_BELOW_SEAM_M;
  const upper: Arch = { a, front, occlusalY: occlusal, sign: 1, ...UPPER_TEETH };
  const scale = (xs: number[]) => xs.map((x) => x * LOWER_RATIO);
  const lower: Arch = { a: a * LOWER_RATIO, front: front - OVERJET_M, occlusalY: occlusal + OVERBITE_M, sign: -1, width: scale(w), height: scale(UPPER_TEETH.height), thickness: scale(UPPER_TEETH.thickness) };
  return { upper, lower };
}

/** Point and unit labial normal of the arch at arc length s ≥ 0 on the +x side (labial face line). */
function archAt(arch: Arch, s: number): { p: [number, number]; n: [number, number]; t: [number, number] } {
  const x = arch.a * Math.asinh(s / arch.a);
  const z = arch.front - arch.a * (Math.cosh(x / arch.a) - 1);
  const slope = -Math.sinh(x / arch.a);
  const l = Math.hypot(1, slope);
  const t: [number, number] = [1 / l, slope / l];
  return { p: [x, z], t, n: [-t[1], t[0]] };
}

/** Upper and lower teeth (each arch: the +x half built, the −x half mirrored). */
export function addTeeth(b: Builder, frame: MouthFrame): MouthPiece {
  const { upper, lower } = dentalArches(frame);
  const tris: number[] = [];
  const jaw = new Map<number, number>();
  for (const arch of [upper, lower]) {
    let s = 0;
    arch.width.forEach((width, i) => {
      const centre = archAt(arch, s + width / 2);
      s += width;
      for (const side of [1, -1] as const) {
        const cell = { u0: 0.5 + side * (0.02 + 0.065 * i), u1: 0.5 + side * (0.02 + 0.065 * (i + 0.9)) };
        const band = arch.sign > 0 ? [MOUTH_ATLAS.teeth.v0, (MOUTH_ATLAS.teeth.v0 + MOUTH_ATLAS.teeth.v1) / 2] : [(MOUTH_ATLAS.teeth.v0 + MOUTH_ATLAS.teeth.v1) / 2, MOUTH_ATLAS.teeth.v1];
        const t = crown(b, arch, centre, width, arch.height[i], arch.thickness[i], i < 3, side, cell, band as [number, number]);
        for (const v of new Set(t)) jaw.set(v, arch.sign > 0 ? 0 : 1);
        tris.push(...t);
      }
    });
  }
  return { tris, jaw };
}

/** Signed power: sign(x)·|x|^e (superellipse profiles). */
const spow = (x: number, e: number) => Math.sign(x) * Math.abs(x) ** e;

/**
 * One crown: a rounded box along the arch (width along the tangent, thickness along the labial
 * normal, height away from the occlusal plane), thin at the incisal edge for incisors and
 * canines, narrower at the neck; closed at both ends.
 */
function crown(b: Builder, arch: Arch, at: ReturnType<typeof archAt>, width: number, height: number, thickness: number, anterior: boolean, side: 1 | -1, cell: { u0: number; u1: number }, band: [number, number]): number[] {
  const SEG = 12, ROWS = 5;
  // The crown's centre line sits half a thickness behind the labial face.
  const cx = at.p[0] - (at.n[0] * thickness) / 2, cz = at.p[1] - (at.n[1] * thickness) / 2;
  const point = (phi: number, f: number): V3 => {
    const tScale = anterior ? 0.35 + 0.65 * Math.sin((Math.PI / 2) * Math.min(1, f / 0.6)) : 0.85 + 0.15 * Math.min(1, f / 0.3);
    const wScale = 1 - 0.25 * f * f;
    const along = (width / 2) * wScale * spow(Math.cos(phi), 0.5);
    const out = (thickness / 2) * tScale * spow(Math.sin(phi), 0.5);
    const x = cx + at.t[0] * along + at.n[0] * out, z = cz + at.t[1] * along + at.n[1] * out;
    return [side * x, arch.occlusalY + arch.sign * f * height, z];
  };
  const uvOf = (phi: number, f: number): [number, number] => {
    const u = cell.u0 + (cell.u1 - cell.u0) * (phi / (2 * Math.PI));
    return [u, band[0] + (band[1] - band[0]) * (0.1 + 0.8 * f)];
  };
  const rows: number[][] = [];
  for (let r = 0; r <= ROWS; r++) {
    const f = r / ROWS;
    const row: number[] = [];
    for (let k = 0; k <= SEG; k++) row.push(b.vertex(point((2 * Math.PI * k) / SEG, f), uvOf((2 * Math.PI * k) / SEG, f)));
    rows.push(row);
  }
  const tris: number[] = [];
  for (let r = 0; r < ROWS; r++) for (let k = 0; k < SEG; k++) tris.push(rows[r][k], rows[r][k + 1], rows[r + 1][k + 1], rows[r][k], rows[r + 1][k + 1], rows[r + 1][k]);
  // End caps: the incisal / occlusal face and the (hidden) neck.
  for (const [r, f] of [[0, 0], [ROWS, 1]] as const) {
    const c = point(0, f);
    const centre = b.vertex([side * cx, c[1], cz], [(cell.u0 + cell.u1) / 2, band[0] + (band[1] - band[0]) * (r === 0 ? 0.02 : 0.98)]);
    for (let k = 0; k < SEG; k++) tris.push(rows[r][k + 1], rows[r][k], centre);
  }
  // Outward: the labial face's normal points along the labial normal.
  const q = SEG / 4, mid = ROWS >> 1;
  const nrm = normalOf(b, rows[mid][q], rows[mid][q + 1], rows[mid + 1][q + 1]);
  if (nrm[0] * side * at.n[0] + nrm[2] * at.n[1] < 0) flip(tris);
  return tris;
}

/**
 * Height of the interdental papilla over the gingival margin at the crown's centre, as a share of
 * the clinical crown's length: ≈ 40 % on the maxillary anterior teeth (the "papilla proportion",
 * Chu et al., Int J Periodontics Restorative Dent 2009;29(4):385); taken alike for the other teeth
 * and the lower arch (assumed). The papilla fills the gingival embrasure up toward the contact, so
 * the crowns show no dark gap between their necks.
 */
const PAPILLA_SHARE = 0.4;

/** Gums: per arch a band over the teeth's necks, from the labial margin over the ridge to the lingual margin, scalloped (papillae between crowns). */
export function addGums(b: Builder, frame: MouthFrame): MouthPiece {
  const { upper, lower } = dentalArches(frame);
  const tris: number[] = [];
  const jaw = new Map<number, number>();
  for (const arch of [upper, lower]) {
    const cum = arch.width.reduce<number[]>((acc, w) => [...acc, acc[acc.length - 1] + w], [0]);
    // Columns at each tooth's ends, quarters and centre (the scallop's peaks and zeniths), midline to last molar.
    const stations = [...arch.width.flatMap((w, i) => [0, 0.25, 0.5, 0.75].map((q) => cum[i] + q * w)), cum[cum.length - 1]];
    const N = stations.length - 1;
    // How far the margin rises toward the occlusal plane between crowns: the papilla, PAPILLA_SHARE of the crown's height at the contact, nothing at the crown's centre.
    const papilla = (s: number) => {
      const i = Math.max(0, Math.min(arch.width.length - 1, cum.findIndex((c) => c > s) - 1));
      const phase = (s - cum[i]) / arch.width[i];
      return PAPILLA_SHARE * arch.height[i] * Math.cos(Math.PI * phase) ** 2;
    };
    // Tooth size at arc length s, interpolated between tooth centres.
    const sizeAt = (s: number, key: "height" | "thickness") => arch[key][Math.max(0, Math.min(arch.width.length - 1, cum.findIndex((c) => c >= s) - 1))];
    // Profile across the band: (offset along the labial normal from the crown's centre line in half-thicknesses + mm, height above the neck, metres).
    const profile: [number, number, number][] = [
      [1, 0.3, -1.5], [1, 1.2, 0.5], [1, 1.6, 5], [1, 1.2, 10], [0, 0, 13], [-1, 2.5, 9], [-1, 2, 5], [-1, 1.2, 0.5], [-1, 0.3, -1.5],
    ];
    const cols: number[][] = [];
    for (let k = -N; k <= N; k++) {
      const s = stations[Math.abs(k)];
      const at = archAt(arch, Math.max(s, 1e-6));
      const thick = sizeAt(s, "thickness") * 0.9, neck = sizeAt(s, "height");
      const sideX = k < 0 ? -1 : 1;
      const cx = at.p[0] - (at.n[0] * thick) / 2 / 0.9, cz = at.p[1] - (at.n[1] * thick) / 2 / 0.9;
      cols.push(profile.map(([half, mm, up], j) => {
        const off = half * (thick / 2 + mm * MM);
        const x = cx + at.n[0] * off, z = cz + at.n[1] * off;
        const margin = j === 0 || j === profile.length - 1 ? papilla(s) : 0;
        const y = arch.occlusalY + arch.sign * (neck + up * MM - margin);
        const band = arch.sign > 0 ? [MOUTH_ATLAS.gums.v0, (MOUTH_ATLAS.gums.v0 + MOUTH_ATLAS.gums.v1) / 2] : [(MOUTH_ATLAS.gums.v0 + MOUTH_ATLAS.gums.v1) / 2, MOUTH_ATLAS.gums.v1];
        const v = b.vertex([k === 0 ? 0 : sideX * x, y, z], [0.5 + 0.48 * (k / N), band[0] + ((band[1] - band[0]) * j) / (profile.length - 1)]);
        jaw.set(v, arch.sign > 0 ? 0 : 1);
        return v;
      }));
    }
    const t: number[] = [];
    for (let c = 0; c + 1 < cols.length; c++) for (let j = 0; j + 1 < profile.length; j++) t.push(cols[c][j], cols[c + 1][j], cols[c + 1][j + 1], cols[c][j], cols[c + 1][j + 1], cols[c][j + 1]);
    // Outward at the midline's labial side: along +z.
    if (normalOf(b, cols[N][1], cols[N + 1][1], cols[N + 1][2])[2] < 0) flip(t);
    tris.push(...t);
  }
  return { tris, jaw };
}

/** Clearance kept between the tongue's borders and the lower teeth's lingual faces, metres (shape choice). */
const TONGUE_CLEARANCE_M = 0.5 * MM;

/**
 * The lower arch's lingual line: half-width (x of the crowns' lingual faces) as a function of depth
 * z, from the incisors back to the last molar (held beyond it).
 */
function lingualHalfWidth(arch: Arch): (z: number) => number {
  const total = arch.width.reduce((s, w) => s + w, 0);
  const line: [number, number][] = [];
  for (let s = 0, i = 0, edge = arch.width[0]; s <= total; s += 0.25 * MM) {
    while (s > edge && i + 1 < arch.width.length) edge += arch.width[++i];
    const at = archAt(arch, Math.max(s, 1e-6));
    line.push([at.p[1] - at.n[1] * arch.thickness[i], at.p[0] - at.n[0] * arch.thickness[i]]);
  }
  return (z) => {
    let best = line[line.length - 1][1];
    for (let k = 0; k + 1 < line.length; k++) {
      const [z0, x0] = line[k], [z1, x1] = line[k + 1];
      if ((z - z0) * (z - z1) <= 0 && z0 !== z1) best = x0 + ((x1 - x0) * (z - z0)) / (z1 - z0);
    }
    return Math.max(0, best);
  };
}

/**
 * The tongue at rest: it fills the lower arch, its borders against the lower teeth's lingual faces
 * (the tongue at rest lies within the arch and touches the lingual surfaces: its scalloped border
 * is their imprint), its dorsum at the occlusal plane and its tip behind the lower incisors; the
 * outline follows the arch's lingual line, rounded at the tip (shape choices; sized by the arch).
 * A narrower body (1.5 mm short of the molars, the ellipsoid's taper elsewhere) left a dark trench
 * round it in every open mouth.
 */
export function addTongue(b: Builder, frame: MouthFrame): MouthPiece & { tip: number } {
  const { lower } = dentalArches(frame);
  const lingual = lingualHalfWidth(lower);
  const halfHeight = 0.008, halfLength = 0.021;
  const tipZ = lower.front - lower.thickness[0] - 0.001;
  const centre: V3 = [0, lower.occlusalY - halfHeight, tipZ - halfLength];
  const halfWidth = lingual(centre[2]) - TONGUE_CLEARANCE_M;
  const RINGS = 14, SEG = 24;
  const jaw = new Map<number, number>();
  const { v0, v1 } = MOUTH_ATLAS.tongue;
  const add = (p: V3, uv: [number, number]) => {
    const v = b.vertex(p, uv);
    jaw.set(v, 1);
    return v;
  };
  const tip = add([0, centre[1], centre[2] + halfLength], [0.5, v0]);
  const rings: number[][] = [];
  for (let r = 1; r < RINGS; r++) {
    const theta = (Math.PI * r) / RINGS;
    const ring: number[] = [];
    for (let k = 0; k <= SEG; k++) {
      const phi = (2 * Math.PI * k) / SEG;
      const rr = spow(Math.sin(theta), 0.7), z = centre[2] + halfLength * spow(Math.cos(theta), 0.8);
      // Rounded at the tip (the ellipsoid's width), within the arch's lingual line everywhere.
      const width = Math.min(halfWidth * spow(Math.sin(theta), 0.4), lingual(z) - TONGUE_CLEARANCE_M);
      // Flat on top, full width at the shoulders (the borders lie along the teeth's lingual cusps).
      const x = k === 0 || k === SEG || 2 * k === SEG ? 0 : width * spow(Math.sin(phi), 0.35);
      ring.push(add([x, centre[1] + halfHeight * rr * spow(Math.cos(phi), 0.6), z], [k / SEG, v0 + ((v1 - v0) * r) / RINGS]));
    }
    rings.push(ring);
  }
  const back = add([0, centre[1], centre[2] - halfLength], [0.5, v1]);
  const tris: number[] = [];
  for (let k = 0; k < SEG; k++) tris.push(tip, rings[0][k], rings[0][k + 1]);
  for (let r = 0; r + 1 < rings.length; r++) for (let k = 0; k < SEG; k++) tris.push(rings[r][k], rings[r + 1][k], rings[r + 1][k + 1], rings[r][k], rings[r + 1][k + 1], rings[r][k + 1]);
  for (let k = 0; k < SEG; k++) tris.push(rings[rings.length - 1][k], back, rings[rings.length - 1][k + 1]);
  // Outward: the dorsum's normal at the middle points up, read off a triangle in the order emitted above.
  const mid = rings[RINGS >> 1];
  if (normalOf(b, mid[0], rings[(RINGS >> 1) + 1][1], mid[1])[1] < 0) flip(tris);
  return { tris, jaw, tip };
}
