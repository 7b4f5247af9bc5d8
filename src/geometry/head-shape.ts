/**
 * The head around the face: an implicit surface (negative inside) built from a cranium, a jaw
 * and a neck, sized by published adult norms and placed relative to the face's landmarks.
 * Numbers are sex-averaged means (mean of the M and F columns) of
 * ../shared/reference/head-anthropometry.md, in metres; [S#] keys are its sources. The face
 * data's origin lies midway between the iris centres, +Y up, +Z out of the face.
 */
import { FACE_LANDMARKS_M } from "./data/canonical-face.ts";
// Landmarks that place the head; ANSUR's eye height is taken at the outer canthus (LEFT_EYE_OUTER).
import { CHIN as GNATHION, GLABELLA, LEFT_EYE_OUTER, NOSE_ROOT as NASION, SUBNASALE } from "../primitives/face-topology.ts";

/** The face oval's point at the jaw angle (near gonion), subject's left. */
const JAW_ANGLE = 397;

/** Sex-averaged adult dimensions, metres. */
export const HEAD_NORMS = {
  /** Tragion to nasion / subnasale / gnathion, 3DFN [S4]: (126.6+118.9)/2, (132.8+123.6)/2, (151.4+139.1)/2 mm. */
  tragionToNasion: 0.12275,
  tragionToSubnasale: 0.1282,
  tragionToGnathion: 0.14525,
  /** Bitragion breadth, 3DFN [S4]: (147.9+139.0)/2 mm. */
  bitragionBreadth: 0.14345,
  /** Tragion to top of head, ANSUR II [S1]: (131.1+126.5)/2 mm. */
  tragionToVertex: 0.1288,
  /** Head length glabella–opisthocranion, ANSUR II [S1]: (199.5+189.8)/2 mm. */
  headLength: 0.19465,
  /** Head breadth (eurion–eurion), ANSUR II [S1]: (154.3+147.8)/2 mm. */
  headBreadth: 0.15105,
  /** Neck breadth and depth, CIPIC x6, x8 [S5]: (121.0+106.9)/2, (109.8+95.5)/2 mm (their ratio shapes the section). */
  neckBreadth: 0.11395,
  neckDepth: 0.10265,
  /** Neck circumference at mid-neck and at the base, ANSUR II [S1]: (397.6+329.8)/2, (434.6+371.2)/2 mm. */
  neckCircumference: 0.3637,
  neckBaseCircumference: 0.4029,
} as const;


function landmark(i: number): [number, number, number] {
  return [FACE_LANDMARKS_M[3 * i], FACE_LANDMARKS_M[3 * i + 1], FACE_LANDMARKS_M[3 * i + 2]];
}

/** Where the skull sits relative to the face. */
export interface HeadFrame {
  /** Left tragion (ear notch), metres; the right one mirrors it. */
  tragion: [number, number, number];
  /** Height of the top of the head. */
  vertexY: number;
  /** Depth of the back of the head (opisthocranion). */
  backZ: number;
  /** Chin bottom (gnathion) height. */
  chinY: number;
  /** Height of the flat cut at the base of the neck. */
  neckBottomY: number;
}

/**
 * Places the tragion by trilateration from the nasion, subnasale and gnathion distances of [S4]
 * (Gauss–Newton in the y–z plane at x = half the bitragion breadth), then the vault from it.
 */
export function headFrame(): HeadFrame {
  const half = HEAD_NORMS.bitragionBreadth / 2;
  const refs: [[number, number, number], number][] = [
    [landmark(NASION), HEAD_NORMS.tragionToNasion],
    [landmark(SUBNASALE), HEAD_NORMS.tragionToSubnasale],
    [landmark(GNATHION), HEAD_NORMS.tragionToGnathion],
  ];
  let y = -0.02, z = -0.08;
  for (let it = 0; it < 50; it++) {
    let jtj00 = 0, jtj01 = 0, jtj11 = 0, g0 = 0, g1 = 0;
    for (const [p, d] of refs) {
      const dx = half - p[0], dy = y - p[1], dz = z - p[2];
      const r = Math.hypot(dx, dy, dz);
      const res = r - d;
      const jy = dy / r, jz = dz / r;
      jtj00 += jy * jy;
      jtj01 += jy * jz;
      jtj11 += jz * jz;
      g0 += jy * res;
      g1 += jz * res;
    }
    const det = jtj00 * jtj11 - jtj01 * jtj01;
    y -= (jtj11 * g0 - jtj01 * g1) / det;
    z -= (jtj00 * g1 - jtj01 * g0) / det;
  }
  const chinY = landmark(GNATHION)[1];
  return {
    tragion: [half, y, z],
    vertexY: y + HEAD_NORMS.tragionToVertex,
    backZ: landmark(GLABELLA)[2] - HEAD_NORMS.headLength,
    chinY,
    // Shape choice (no survey value): a neck about as long below the chin as the face is tall below the eyes.
    neckBottomY: chinY - 0.085,
  };
}

/**
 * Eye level above the tragion with the head in the Frankfort plane, metres: ANSUR II, sex-averaged
 * (17.4 M, 17.5 F mm, derived as tragion-to-top − (sitting height − eye height sitting)) [S1].
 */
const EYE_ABOVE_TRAGION_M = 0.01745;

let frankfort: number | undefined;

/**
 * How far the canonical face must turn nose-down (about +X, radians) to sit in the Frankfort
 * plane, the frame the anthropometric norms are measured in: the tragion (placed by [S4]
 * distances, `headFrame`) must end up EYE_ABOVE_TRAGION_M below the outer eye corner. The face
 * data's own frame faces the normal of its outline plane (which is also where the chin→forehead
 * line is vertical); this turns it by ≈ 2.85°. Deterministic: depends on the committed face data.
 */
export function frankfortPitch(): number {
  if (frankfort !== undefined) return frankfort;
  const [, ty, tz] = headFrame().tragion;
  const dy = FACE_LANDMARKS_M[3 * LEFT_EYE_OUTER + 1] - ty, dz = FACE_LANDMARKS_M[3 * LEFT_EYE_OUTER + 2] - tz;
  // Turning by φ about +X makes the eye-over-tragion rise dy·cos φ − dz·sin φ = |d|·sin(α − φ).
  frankfort = Math.atan2(dy, dz) - Math.asin(EYE_ABOVE_TRAGION_M / Math.hypot(dy, dz));
  return frankfort;
}

/** Polynomial smooth minimum (blend radius k). */
function smin(a: number, b: number, k: number): number {
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - (h * h * k) / 4;
}

/**
 * The head's implicit function f(x, y, z): < 0 inside, ≈ signed distance in metres near the
 * surface. The face itself is a separate mesh; this surface only has to meet its outline.
 */
export function headImplicit(frame: HeadFrame): (x: number, y: number, z: number) => number {
  const [, ty, tz] = frame.tragion;
  // Cranium: half-width from head breadth [S1]; front/back from glabella to opisthocranion [S1];
  // widest (eurion) level 40 mm above the tragion (shape choice); top at the vertex [S1].
  const A = HEAD_NORMS.headBreadth / 2;
  const C = HEAD_NORMS.headLength / 2;
  const zc = frame.backZ + C;
  const yc = ty + 0.04;
  const bUp = frame.vertexY - yc;
  // Below the eurion the sides stay near-vertical (bitragion ≈ head breadth [S4][S1]) and the base
  // curves in under the occiput: a 4th-power profile over 75 mm (shape choice).
  const bDown = 0.075;
  // The vault narrows toward the forehead (minimum frontal breadth ≈ 104 mm [S3] vs 151 mm [S1]):
  // a taper in front of the vault's centre (shape choice, checked against the face outline).
  const cranium = (x: number, y: number, z: number) => {
    const dy = y - yc;
    x /= 1 - 0.15 * Math.min(1, Math.max(0, (z - zc) / C));
    const ty4 = dy > 0 ? (dy / bUp) ** 2 : (dy / bDown) ** 4;
    const q = Math.sqrt((x / A) ** 2 + ((z - zc) / C) ** 2 + ty4);
    return (q - 1) * A;
  };
  const jaw = jawImplicit(frame.tragion);
  // Neck: elliptic sections sized by the ANSUR circumferences (see neckSection), ending inside
  // the cranium a little above the tragion.
  // Toward the skull its back half broadens (the trapezius and the deep nuchal muscles fan out
  // to the occiput), so the nape rises into the skull instead of meeting it under a ledge.
  const flareTop = ty - 0.02, flareBottom = frame.chinY - 0.01;
  const neck = (x: number, y: number, z: number) => {
    const { a, b, cz } = neckSection(frame, y);
    const up = Math.min(1, Math.max(0, (y - flareBottom) / (flareTop - flareBottom)));
    const behind = Math.min(1, Math.max(0, (cz - z) / b));
    const widen = 1 + NAPE_FLARE * up * up * (3 - 2 * up) * behind * behind * (3 - 2 * behind);
    return Math.max((Math.sqrt((x / (a * widen)) ** 2 + ((z - cz) / b) ** 2) - 1) * b, y - (ty + 0.02));
  };
  // Cut well below the neck base so that rays always leave the volume.
  const floor = frame.neckBottomY - 0.05;
  // The neck blends into the skull more broadly at the back (nape muscles under the occiput) than
  // at the sides, where a broad blend would swell the cheeks (shape choice, checked on renders).
  const napeBlend = (z: number) => 0.03 + 0.035 * Math.min(1, Math.max(0, (tz - 0.02 - z) / 0.04));
  return (x, y, z) => Math.max(smin(smin(cranium(x, y, z), jaw(x, y, z), 0.015), neck(x, y, z), napeBlend(z)), floor - y);
}

/** Smooth maximum (blend radius k): the rounded intersection of two implicit solids. */
function smax(a: number, b: number, k: number): number {
  return -smin(-a, -b, k);
}

/** How far the jaw solid stays inside the face's own jaw line, metres (the loft rounds off from the outline onto it). */
const JAW_INSET_M = 0.004;

/**
 * Jaw and cheeks behind the face outline: a rounded box from the jaw angles to behind the chin
 * (shape choice, checked on renders), cut below by the plane through the chin (gnathion) and the
 * two jaw angles (the face oval's JAW_ANGLE, near gonion): the mandible's lower border. Nothing of
 * it hangs below the face's own jaw line, so the soft tissue under the chin comes from the neck
 * alone and follows the person's jaw, instead of a fixed heavy jaw under every face.
 */
function jawImplicit(tragion: readonly number[]): (x: number, y: number, z: number) => number {
  const [, ty, tz] = tragion;
  const [, gy, gz] = landmark(JAW_ANGLE);
  const [, cy, cz] = landmark(GNATHION);
  const jy = ty - 0.037, jz = tz + 0.037;
  // The lower border in the y–z plane, raised a little so the loft rounds off the face's edge onto it.
  const slope = (gy - cy) / (gz - cz), norm = Math.hypot(1, slope);
  return (x, y, z) => {
    const e = 2.6;
    const q = (Math.abs(x) / 0.056) ** e + (Math.abs(y - jy) / 0.046) ** e + (Math.abs(z - jz) / 0.046) ** e;
    const box = (Math.pow(q, 1 / e) - 1) * 0.046;
    const below = (cy + JAW_INSET_M + slope * (z - cz) - y) / norm;
    return smax(box, below, 0.008);
  };
}

/** Semi-axes of an ellipse with breadth:depth `ratio` and perimeter `c` (Ramanujan's approximation). */
function ellipseOfPerimeter(c: number, ratio: number): { a: number; b: number } {
  const b = c / (Math.PI * (3 * (ratio + 1) - Math.sqrt((3 * ratio + 1) * (ratio + 3))));
  return { a: ratio * b, b };
}

/** How much broader the back half of the neck grows just under the skull than at mid-neck (shape choice, checked on renders). */
const NAPE_FLARE = 0.25;

/** Height of the mid-neck section below the chin (gnathion), metres: about the larynx, where ANSUR's neck circumference is taken (shape choice). */
const MID_NECK_BELOW_CHIN = 0.035;

/** How far the neck's girth at height y has grown from mid-neck (0) to the base (1). */
export function neckTaper(frame: HeadFrame, y: number): number {
  const yMid = frame.chinY - MID_NECK_BELOW_CHIN;
  return Math.min(1, Math.max(0, (yMid - y) / (yMid - frame.neckBottomY))) ** 1.6;
}

/**
 * The neck's horizontal section at height y: semi-axes a (side to side), b (front to back) and
 * centre z. Circumference 363.7 mm at mid-neck and above, widening to 402.9 mm at the base
 * (ANSUR II [S1]), the widening growing toward the base where the trapezius and the
 * sternocleidomastoids fan out (shape choice); breadth:depth 1.11 (CIPIC [S5]); the neck leans
 * back 10° as it descends (the head sits forward on it; shape choice).
 */
export function neckSection(frame: HeadFrame, y: number): { a: number; b: number; cz: number } {
  const c = HEAD_NORMS.neckCircumference + (HEAD_NORMS.neckBaseCircumference - HEAD_NORMS.neckCircumference) * neckTaper(frame, y);
  const { a, b } = ellipseOfPerimeter(c, HEAD_NORMS.neckBreadth / HEAD_NORMS.neckDepth);
  return { a, b, cz: frame.tragion[2] + 0.012 + (y - frame.tragion[1]) * 0.18 };
}
