/**
 * How much of the skin a closed lid shows the photo saw. An open upper lid tucks its pretarsal
 * skin under the fold; closing unrolls it over the globe. The template models that by compressing
 * the band above the margin in the open pose (eyeBlink stretches it up to ≈ 2.2× in area). Skin
 * barely stretches at that scale, so a texel whose closed area is s× its area on the head as
 * photographed was at most 1/s seen: the rest of the skin it stands for lay in the fold, and the
 * photo's pixels there show the fold's underside in its own shadow (which de-lighting cannot
 * model: the head has no fold), the crease and the lashes. Unwrap scales the texel's confidence by
 * that share, so the completion takes the rest from the lid skin the photo saw well; where the
 * photo's eyes are closed the head as photographed is the closed head and every share is 1.
 *
 * The template spreads that stretch over the whole upper lid, margin to brow; a real lid does not.
 * The pretarsal skin lies on the tarsus, which is rigid, and the open eye shows its lowest strip
 * (the pretarsal show) above the lashes; the fold hides the rest of it up to the crease, where the
 * levator's attachment ends it; above the crease the preseptal skin, seen open, is seen closed
 * too. So only the skin between the show and the crease on the closed lid was tucked
 * (`lidZones`); elsewhere the stretch is the template's, and the photo saw that skin. None of the
 * upper lid is a clean sample of the lid's skin for the fill, though: the photo sees it in the
 * fold's and the brow's shade and under the lashes (unwrap's `upperLidSkin`).
 */
import type { FitExpression } from "../../types.ts";
import { triangleArea, vertexSegmentDistance } from "../../primitives/vec3.ts";

/**
 * The open eye's pretarsal show, margin to the fold's edge, and the closed lid's crease height,
 * margin to crease: means 1.4 mm (SD 1.1) and 6.4 mm (SD 1.2) of 143 healthy white adults aged
 * 41–60, Cartwright M. J. et al. 1994, "Measurements of upper eyelid and eyebrow dimensions in
 * healthy white individuals", Am J Ophthalmol 117(2):231–234 (abstract). Metres.
 */
export const PRETARSAL_SHOW_M = 1.4e-3;
export const LID_CREASE_HEIGHT_M = 6.4e-3;

/** The blendshapes that close the eyes (ARKit names). */
const BLINKS = ["eyeBlinkLeft", "eyeBlinkRight"];

/**
 * The head as photographed (`positions`) with both upper lids closed: each eyeBlink shape taken
 * from the photo's weight to 1 (the shapes are linear: positions + w·delta) on the vertices the
 * upper lids move (`upperLid`: the rig's weights per side, > 0 where the lid moves them). The lower
 * lid is left open: it has no fold, and what its small rise stretches is skin the photo saw. Null
 * when the expression holds no blink shape.
 *
 *   const closed = closedUpperLids(fitted.photographed.positions, fitted.expression, restRig(head).upperLid);
 */
export function closedUpperLids(positions: Float32Array, expression: Pick<FitExpression, "weights" | "blendshapes">, upperLid: ArrayLike<number>[]): Float32Array | null {
  const out = Float32Array.from(positions);
  const n = out.length / 3;
  const moves = new Uint8Array(n);
  for (const w of upperLid) {
    if (w.length !== n) throw new Error(`closedUpperLids: a lid weight per vertex expected (${n}), got ${w.length}`);
    for (let v = 0; v < n; v++) if (w[v] > 0) moves[v] = 1;
  }
  let any = false;
  expression.blendshapes.forEach((shape, k) => {
    if (!BLINKS.includes(shape.name)) return;
    if (shape.delta.length !== out.length) throw new Error(`closedUpperLids: ${shape.name} has ${shape.delta.length / 3} vertices, the head ${n}`);
    const rest = 1 - Math.min(1, Math.max(0, expression.weights[k]));
    any = true;
    if (rest > 0) for (let v = 0; v < n; v++) if (moves[v]) for (let c = 0; c < 3; c++) out[3 * v + c] += rest * shape.delta[3 * v + c];
  });
  return any ? out : null;
}

/**
 * The upper margins of the lid loops (HeadRig.lidRight / lidLeft run lower lid first, then the
 * upper lid back to the start): per loop its vertices from the upper lid's first to the loop's start.
 */
export function upperMargins(lidLoops: Int32Array[]): number[][] {
  return lidLoops.map((loop) => [...loop.subarray(loop.length / 2), loop[0]]);
}

/** The upper lid's zones per vertex (lidZones). */
export const LID_ELSEWHERE = 0, LID_SHOW = 1, LID_TUCKED = 2;

/**
 * Per vertex, where it lies on the upper lid: LID_SHOW within the pretarsal show of an upper
 * margin on the head as photographed (the strip the open eye shows above the lashes, seen in the
 * fold's shade and under the lashes), LID_TUCKED beyond it but within the crease height of a
 * margin on the closed head (the skin the fold tucked), LID_ELSEWHERE otherwise. Distances to the
 * margins' polylines, metres.
 */
export function lidZones(open: Float32Array, closed: Float32Array, margins: number[][], show = PRETARSAL_SHOW_M, crease = LID_CREASE_HEIGHT_M): Uint8Array {
  const n = open.length / 3;
  const near = (p: Float32Array, v: number, within: number) =>
    margins.some((line) => line.some((a, k) => k + 1 < line.length && vertexSegmentDistance(p, v, a, line[k + 1]) <= within));
  const out = new Uint8Array(n);
  for (let v = 0; v < n; v++) out[v] = near(open, v, show) ? LID_SHOW : near(closed, v, crease) ? LID_TUCKED : LID_ELSEWHERE;
  return out;
}

/**
 * Per vertex, the share of its skin seen on the open head: Σ area on `open` / Σ area on `closed`
 * over the triangles [first, end) of `indices` that use it, at most 1 (skin the closed lid
 * compresses, above the crease and the lower lid, was fully seen); with `zones` (lidZones), 1
 * off LID_TUCKED. 1 for vertices of no such triangle.
 */
export function closedLidShare(open: Float32Array, closed: Float32Array, indices: Uint32Array, first: number, end: number, zones?: Uint8Array): Float32Array {
  if (open.length !== closed.length) throw new Error(`closedLidShare: ${open.length / 3} open vertices, ${closed.length / 3} closed`);
  const n = open.length / 3;
  if (zones && zones.length !== n) throw new Error(`closedLidShare: ${zones.length} lid zones, ${n} vertices`);
  const sumOpen = new Float64Array(n), sumClosed = new Float64Array(n);
  for (let t = first; t < end; t++) {
    const [u, v, w] = [indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]];
    const a = triangleArea(open, u, v, w), c = triangleArea(closed, u, v, w);
    for (const k of [u, v, w]) (sumOpen[k] += a), (sumClosed[k] += c);
  }
  const share = new Float32Array(n).fill(1);
  for (let v = 0; v < n; v++) if (sumClosed[v] > sumOpen[v]) share[v] = sumOpen[v] / sumClosed[v];
  return zones ? tuckedOnly(share, zones) : share;
}

/** A share per vertex kept only on the tucked skin (lidZones' LID_TUCKED), 1 elsewhere. */
export function tuckedOnly(share: Float32Array, zones: Uint8Array): Float32Array {
  return share.map((s, v) => (zones[v] === LID_TUCKED ? s : 1));
}
