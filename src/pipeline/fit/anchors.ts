/**
 * Anchors of fit's warp away from the face: template vertices whose displacement is set from the
 * face's overall change rather than from any landmark, so the skull, ears and neck follow the
 * person's proportions without being dragged around by the face's detail.
 *
 * - The scalp and the neck, clear of the face and the ears, take the head proportions predicted
 *   from the face (fit/head-targets.ts).
 * - The ears and the scalp round them move sideways with the cheeks at their height: a person
 *   with broad cheeks has them broad in front of the ears, and ears left where a narrower face
 *   had them would end up inside the cheeks.
 */
import { FACE_LANDMARKS_M } from "../../geometry/data/canonical-face.ts";
import { headFrame } from "../../geometry/head-shape.ts";
import { ATLAS } from "../../geometry/uv-atlas.ts";
// Face-outline landmarks beside the ears (cheek edge from the temple to below the tragion), subject's left then right.
import { CHIN, FACE_OVAL, LEFT_CHEEK_SIDE as CHEEK_LEFT, RIGHT_CHEEK_SIDE as CHEEK_RIGHT } from "../../primitives/face-topology.ts";
import type { TemplateHead } from "../../types.ts";

/** Confidence-weighted mean displacement of the face landmarks (metres, template frame): the common shift the far side of the head takes. */
export function faceShift(disp: Float64Array, weights: Float64Array): number[] {
  let W = 0;
  const m = [0, 0, 0];
  for (let i = 0; i < weights.length; i++) {
    W += weights[i];
    for (let k = 0; k < 3; k++) m[k] += weights[i] * disp[3 * i + k];
  }
  return m.map((v) => v / W);
}

/** Anchors keep at least this far from every face-oval landmark, metres: room for the warp to blend the face into the predicted head. */
export const FACE_CLEARANCE_M = 0.035;
/** About this many head anchors (the warp's solve grows with the cube of all centres). */
const HEAD_ANCHOR_COUNT = 160;

/**
 * Template vertices that steer the far side of the head: skin of the scalp and neck outside the
 * face island, clear of the face oval, and not on the ears (which reach back into this region and
 * follow the cheeks instead: two anchors a few millimetres apart with different targets make the
 * thin-plate warp overshoot); about HEAD_ANCHOR_COUNT, evenly picked in vertex order.
 */
export function headAnchorVertices(head: TemplateHead): number[] {
  const p = head.mesh.positions, uv = head.mesh.uvs;
  const oval = FACE_OVAL.map((i) => [p[3 * head.landmarkVertices[i]], p[3 * head.landmarkVertices[i] + 1], p[3 * head.landmarkVertices[i] + 2]]);
  const box = earBox();
  const found = skinVertices(head).filter((v) => {
    const x = p[3 * v], y = p[3 * v + 1], z = p[3 * v + 2];
    if (uv[2 * v + 1] <= ATLAS.face.v1 || inEarBox(box, x, y, z, EAR_BOX_MARGIN)) return false;
    return oval.every((q) => Math.hypot(x - q[0], y - q[1], z - q[2]) >= FACE_CLEARANCE_M);
  });
  const step = Math.max(1, Math.floor(found.length / HEAD_ANCHOR_COUNT));
  return found.filter((_, k) => k % step === 0);
}

/**
 * Spread of the blend between an ear's sideways shift and the predicted head round it, metres:
 * half the pinna's length (61.8 mm, src/geometry/ear.ts), so the scalp that meets the ear moves
 * with it and the vault beyond takes the prediction (no skin crossings under the lobe on the
 * seven photos measured for the change, docs/evaluation.md).
 */
const EAR_BLEND_M = 0.031;

/** 1 at a tragion, falling off as a Gaussian of EAR_BLEND_M with the distance from the nearer one. */
export function nearEarWeight(positions: ArrayLike<number>, v: number): number {
  const [tx, ty, tz] = headFrame().tragion;
  const r2 = (Math.abs(positions[3 * v]) - tx) ** 2 + (positions[3 * v + 1] - ty) ** 2 + (positions[3 * v + 2] - tz) ** 2;
  return Math.exp(-r2 / (2 * EAR_BLEND_M ** 2));
}

/** Head anchors keep this far from the ear regions, metres. */
const EAR_BOX_MARGIN = 0.015;

interface EarBox {
  /** Least |x|: the cheek edge. */
  x0: number;
  y0: number;
  y1: number;
  z0: number;
  z1: number;
}

/**
 * Where the ears and the scalp round them are, as a box on each side (|x| from the cheek edge
 * out): it spans the pinna (61.8 mm long, 23.5° tilt, ~24 mm protrusion, src/geometry/ear.ts)
 * from the cheek edge landmarks beside it.
 */
function earBox(): EarBox {
  const ys = CHEEK_LEFT.map((i) => FACE_LANDMARKS_M[3 * i + 1]);
  const zs = CHEEK_LEFT.map((i) => FACE_LANDMARKS_M[3 * i + 2]);
  const z1 = Math.min(...zs) - 0.008;
  return { x0: Math.min(...CHEEK_LEFT.map((i) => FACE_LANDMARKS_M[3 * i])), y0: Math.min(...ys) - 0.015, y1: Math.max(...ys) + 0.03, z0: z1 - 0.06, z1 };
}

function inEarBox(b: EarBox, x: number, y: number, z: number, margin = 0): boolean {
  return Math.abs(x) > b.x0 - margin && y > b.y0 - margin && y < b.y1 + margin && z > b.z0 - margin && z < b.z1 + margin;
}

/** How many anchors each ear region gets. */
const EAR_ANCHORS_PER_SIDE = 24;

/** Skin vertices of each ear and the scalp just round it (not the face), about EAR_ANCHORS_PER_SIDE per side, evenly picked in vertex order. */
export function earAnchorVertices(head: TemplateHead): { left: number[]; right: number[] } {
  const p = head.mesh.positions, uv = head.mesh.uvs;
  const box = earBox();
  const pick = (side: number) => {
    const found = skinVertices(head).filter((v) => side * p[3 * v] > 0 && uv[2 * v + 1] > ATLAS.face.v1 && inEarBox(box, p[3 * v], p[3 * v + 1], p[3 * v + 2]));
    const step = Math.max(1, Math.floor(found.length / EAR_ANCHORS_PER_SIDE));
    return found.filter((_, k) => k % step === 0);
  };
  return { left: pick(1), right: pick(-1) };
}

/**
 * Sideways displacement (x, template frame, metres) of the cheek edge beside each ear: the
 * confidence-weighted mean x displacement of CHEEK_LEFT / CHEEK_RIGHT among the fitted landmarks.
 * A side whose cheek is not seen (turned away) mirrors the other about the face's mean shift;
 * undefined when neither is seen.
 */
export function cheekShift(faceIds: number[], disp: Float64Array, weights: Float64Array, meanShiftX: number): { left: number; right: number } | undefined {
  const side = (ids: number[]) => {
    let s = 0, w = 0;
    faceIds.forEach((i, k) => {
      if (!ids.includes(i)) return;
      s += weights[k] * disp[3 * k];
      w += weights[k];
    });
    return w > 0 ? s / w : undefined;
  };
  const left = side(CHEEK_LEFT), right = side(CHEEK_RIGHT);
  if (left === undefined && right === undefined) return undefined;
  return { left: left ?? 2 * meanShiftX - right!, right: right ?? 2 * meanShiftX - left! };
}

/** Vertices of the skin part, ascending. */
export function skinVertices(head: TemplateHead): number[] {
  const skin = head.parts.find((q) => q.part === "skin")!;
  const seen = new Uint8Array(head.mesh.positions.length / 3);
  for (let i = skin.firstIndex; i < skin.firstIndex + skin.indexCount; i++) seen[head.mesh.indices[i]] = 1;
  const out: number[] = [];
  for (let v = 0; v < seen.length; v++) if (seen[v]) out.push(v);
  return out;
}

/** The face-oval landmarks along the chin's lower border (gnathion and two neighbours each side). */
const CHIN_BORDER = [176, 148, CHIN, 377, 400];

/**
 * Height and depth displacement (y, z, template frame, metres) of the chin's lower border: the
 * confidence-weighted mean of CHIN_BORDER among the fitted landmarks; undefined when none is seen.
 */
export function chinShift(faceIds: number[], disp: Float64Array, weights: Float64Array): { y: number; z: number } | undefined {
  let y = 0, z = 0, w = 0;
  faceIds.forEach((i, k) => {
    if (!CHIN_BORDER.includes(i)) return;
    y += weights[k] * disp[3 * k + 1];
    z += weights[k] * disp[3 * k + 2];
    w += weights[k];
  });
  return w > 0 ? { y: y / w, z: z / w } : undefined;
}

/**
 * How much a head anchor under the chin follows the chin's border (0..1): the skin under the chin
 * hangs from the mandible's lower border, so a chin higher or further back than the template's
 * takes the skin below it along; left where the template had it, that skin becomes a fold from the
 * chin into the neck. 1 at the template's gnathion, a Gaussian of FACE_CLEARANCE_M (the band the
 * anchors leave between the face's landmarks and the predicted head) with the distance from it,
 * and 0 above the chin.
 */
export function underChinWeight(positions: ArrayLike<number>, head: TemplateHead, v: number): number {
  const g = head.landmarkVertices[CHIN];
  const p = head.mesh.positions;
  if (positions[3 * v + 1] > p[3 * g + 1]) return 0;
  const r2 = (positions[3 * v] - p[3 * g]) ** 2 + (positions[3 * v + 1] - p[3 * g + 1]) ** 2 + (positions[3 * v + 2] - p[3 * g + 2]) ** 2;
  return Math.exp(-r2 / (2 * FACE_CLEARANCE_M ** 2));
}
