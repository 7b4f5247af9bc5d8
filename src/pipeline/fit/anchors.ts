/**
 * Anchors of fit's warp away from the face: template vertices whose displacement is set from the
 * face's overall change rather than from any landmark, so the skull, ears and neck follow the
 * person's proportions without being dragged around by the face's detail.
 *
 * - The back of the skull and the neck base take the face's per-axis scaling (clamped).
 * - The ears and the scalp round them move sideways with the cheeks at their height: a person
 *   with broad cheeks has them broad in front of the ears, and ears left where a narrower face
 *   had them would end up inside the cheeks.
 */
import { FACE_LANDMARKS_M } from "../../geometry/data/canonical-face.ts";
import { ATLAS } from "../../geometry/uv-atlas.ts";
// Face-outline landmarks beside the ears (cheek edge from the temple to below the tragion), subject's left then right.
import { LEFT_CHEEK_SIDE as CHEEK_LEFT, RIGHT_CHEEK_SIDE as CHEEK_RIGHT } from "../../primitives/face-topology.ts";
import type { TemplateHead } from "../../types.ts";

export interface FaceScaling {
  /** Weighted centroid of the face landmarks (template frame, metres). */
  centre: number[];
  /** Per-axis scale of the landmark displacement about the centroid (z: mean of x and y). */
  factors: number[];
  /** Mean displacement (metres). */
  shift: number[];
}

/**
 * Least-squares per-axis scale (x, y; z their mean) and shift of the face landmarks' displacement
 * field about their weighted centroid, each scale clamped to 1 ± maxChange.
 */
export function faceScaling(points: Float64Array, disp: Float64Array, weights: Float64Array, maxChange: number): FaceScaling {
  const n = weights.length;
  let W = 0;
  const c = [0, 0, 0], m = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    W += weights[i];
    for (let k = 0; k < 3; k++) {
      c[k] += weights[i] * points[3 * i + k];
      m[k] += weights[i] * disp[3 * i + k];
    }
  }
  for (let k = 0; k < 3; k++) {
    c[k] /= W;
    m[k] /= W;
  }
  const factors = [1, 1, 1];
  for (let k = 0; k < 2; k++) {
    let num = 0, den = 0;
    for (let i = 0; i < n; i++) {
      const x = points[3 * i + k] - c[k];
      num += weights[i] * x * (disp[3 * i + k] - m[k]);
      den += weights[i] * x * x;
    }
    factors[k] = Math.min(1 + maxChange, Math.max(1 - maxChange, 1 + num / den));
  }
  factors[2] = (factors[0] + factors[1]) / 2;
  return { centre: c, factors, shift: m };
}

/** Displacement of template point p under the scaling. */
export function scaledDisplacement(s: FaceScaling, p: ArrayLike<number>, out: number[] = [0, 0, 0]): number[] {
  for (let c = 0; c < 3; c++) out[c] = (s.factors[c] - 1) * (p[c] - s.centre[c]) + s.shift[c];
  return out;
}

/** Template vertices that steer the far side of the head: back of the skull and the neck base, every 25th. */
export function backAnchorVertices(head: TemplateHead): number[] {
  const p = head.mesh.positions;
  let minZ = Infinity, minY = Infinity;
  for (let v = 0; v < p.length / 3; v++) {
    minZ = Math.min(minZ, p[3 * v + 2]);
    minY = Math.min(minY, p[3 * v + 1]);
  }
  const out: number[] = [];
  // Not on the ears, which reach back into this region and follow the cheeks instead: two
  // anchors a few millimetres apart with different targets make the thin-plate warp overshoot.
  const box = earBox();
  for (const v of skinVertices(head)) {
    if (inEarBox(box, p[3 * v], p[3 * v + 1], p[3 * v + 2], EAR_BOX_MARGIN)) continue;
    if (p[3 * v + 2] < minZ + 0.07 || p[3 * v + 1] < minY + 0.01) out.push(v);
  }
  return out.filter((_, k) => k % 25 === 0);
}

/** Back anchors keep this far from the ear regions, metres. */
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

function skinVertices(head: TemplateHead): number[] {
  const skin = head.parts.find((q) => q.part === "skin")!;
  const seen = new Uint8Array(head.mesh.positions.length / 3);
  for (let i = skin.firstIndex; i < skin.firstIndex + skin.indexCount; i++) seen[head.mesh.indices[i]] = 1;
  const out: number[] = [];
  for (let v = 0; v < seen.length; v++) if (seen[v]) out.push(v);
  return out;
}
