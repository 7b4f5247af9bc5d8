/**
 * A smooth displacement field that gives the template's head other proportions about its tragion
 * frame (src/geometry/head-shape.ts): vault breadth, length (at the back: the face holds the
 * glabella) and height above the tragion, the width of the jaw region behind the face, and the
 * neck's girth, each as a ratio to the template's. fit samples it at anchors on the far side of
 * the head; it is C¹ everywhere, so the thin-plate warp through those anchors stays smooth.
 */
import { HEAD_NORMS, neckSection, neckTaper, type HeadFrame } from "./head-shape.ts";

/** New ÷ template ratios (1 = unchanged). */
export interface HeadProportions {
  /** Head breadth (eurion to eurion). */
  breadth: number;
  /** Head length (glabella to opisthocranion). */
  length: number;
  /** Height of the vertex above the tragion. */
  height: number;
  /** Width of the jaw and cheek region behind the face, between the vault and the neck (from the tragion-to-tragion arc under the jaw). */
  jaw: number;
  /** Neck circumference at mid-neck. */
  neck: number;
  /** Neck circumference at its base. */
  neckBase: number;
}

export const UNCHANGED_PROPORTIONS: HeadProportions = { breadth: 1, length: 1, height: 1, jaw: 1, neck: 1, neckBase: 1 };

/** Width of the C¹ blends between regions, metres (shape choice: about a finger's breadth, so no crease forms). */
const BLEND_M = 0.02;

/** 0 below −δ, t above δ, a parabola between: a C¹ ramp. */
function ramp(t: number, d: number): number {
  return t <= -d ? 0 : t >= d ? t : ((t + d) * (t + d)) / (4 * d);
}

function smoothstep(a: number, b: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

/**
 * The displacement field, template frame (metres in, metres out):
 * - vault (above the tragion, fading out 40 mm below it): x scaled about the midline by
 *   `breadth`; the part above the tragion stretched by `height`; the part behind the tragion
 *   stretched so that the head's length changes by `length` at the back;
 * - neck (below the chin): each horizontal section scaled about its own centre by the girth ratio
 *   at its height (mid-neck → base, the template's taper);
 * - between the two (jaw angles, under the ears): x scaled by `jaw`.
 */
export function headProportionField(frame: HeadFrame, k: HeadProportions): (x: number, y: number, z: number, out: number[]) => void {
  const [, ty, tz] = frame.tragion;
  const behind = tz - frame.backZ;
  const lengthChange = (k.length - 1) * HEAD_NORMS.headLength;
  return (x, y, z, out) => {
    const vault = smoothstep(ty - 2 * BLEND_M, ty, y);
    const neck = 1 - smoothstep(frame.chinY - 1.5 * BLEND_M, frame.chinY + 0.5 * BLEND_M, y);
    const jaw = Math.max(0, 1 - vault - neck);
    const section = neckSection(frame, y);
    const t = neckTaper(frame, y);
    const girth = (k.neck * HEAD_NORMS.neckCircumference + (k.neckBase * HEAD_NORMS.neckBaseCircumference - k.neck * HEAD_NORMS.neckCircumference) * t) / (HEAD_NORMS.neckCircumference + (HEAD_NORMS.neckBaseCircumference - HEAD_NORMS.neckCircumference) * t);
    const sx = vault * (k.breadth - 1) + jaw * (k.jaw - 1) + neck * (girth - 1);
    out[0] = sx * x;
    out[1] = (k.height - 1) * ramp(y - ty, BLEND_M);
    out[2] = -vault * lengthChange * (ramp(tz - z, BLEND_M) / behind) + neck * (girth - 1) * (z - section.cz);
  };
}
