/**
 * Facial regions on the template head, from landmark-defined areas: every vertex gets a soft
 * membership per region (FACE_REGIONS order) from signed distances, in millimetres, to shapes
 * spanned by the face-mesh landmarks (lip and eye contours, brow outlines, a tapered nose capsule,
 * the face oval) and to the ear and jaw heights. Computed on the template, not the fitted head, so
 * a region always covers the same texels of the atlas.
 *
 * Landmark indices are MediaPipe face-mesh topology (the 468 points of capture's face mesh).
 */
import { FACE_REGIONS, type FaceRegion } from "../../types.ts";
import { withDefaults } from "../../options.ts";
import { segmentDistance } from "../../raster/polygon.ts";

import {
  CHIN,
  FACE_OVAL,
  FOREHEAD_TOP,
  LEFT_ALA as ALA_LEFT,
  LEFT_BROW_CORE as BROW_LEFT,
  LEFT_CHEEK_EDGE as TRAGUS_LEFT,
  LEFT_EYE_CONTOUR as EYE_LEFT,
  LIPS_OUTER,
  LOWER_LIP_BOTTOM as LOWER_LIP,
  MOUTH_LEFT,
  MOUTH_RIGHT,
  NOSE_ROOT,
  NOSE_TIP,
  RIGHT_ALA as ALA_RIGHT,
  RIGHT_BROW_CORE as BROW_RIGHT,
  RIGHT_CHEEK_EDGE as TRAGUS_RIGHT,
  RIGHT_EYE_CONTOUR as EYE_RIGHT,
  SUBNASALE,
} from "../../primitives/face-topology.ts";

/** Widths of the soft borders and sizes of the derived shapes, millimetres. */
export interface RegionShapeOptions {
  /** Logistic width of every border, mm (weight 0.73 at +1 width inside, 0.27 at 1 width outside). */
  softnessMm?: number;
  /** How far the eyelid region reaches from the eye contour, mm. */
  eyelidReachMm?: number;
  /** Half-width of the nose at its root, mm (it widens to the alae at the tip). */
  noseRootHalfWidthMm?: number;
  /** Ear region: half-height and half-depth of the box around each ear, mm. */
  earHalfHeightMm?: number;
  earHalfDepthMm?: number;
}

export const REGION_SHAPE_DEFAULTS: Required<RegionShapeOptions> = {
  softnessMm: 2.5,
  eyelidReachMm: 7,
  noseRootHalfWidthMm: 8,
  earHalfHeightMm: 33,
  earHalfDepthMm: 22,
};

type Point = [number, number];

/** Signed distance (positive inside) from p to a closed polygon, same units as the points. */
function polygonSignedDistance(poly: Point[], x: number, y: number): number {
  let inside = false;
  let best = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    // Indexed, not destructured (no iterator per vertex and edge).
    const xi = poly[i][0], yi = poly[i][1];
    const xj = poly[j][0], yj = poly[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    best = Math.min(best, segmentDistance(xi, yi, xj, yj, x, y));
  }
  return inside ? best : -best;
}

const logistic = (signedMm: number, softMm: number) => 1 / (1 + Math.exp(-signedMm / softMm));

/**
 * Per-vertex region weights (FACE_REGIONS.length per vertex, each row summing to ≤ 1) for the
 * template head. `positions` in metres (glTF axes, face toward +Z); `landmarkVertices[k]` the
 * vertex of landmark k.
 */
export function vertexRegionWeights(
  positions: Float32Array,
  landmarkVertices: Int32Array,
  options: RegionShapeOptions = {},
): Float32Array {
  const o = withDefaults(REGION_SHAPE_DEFAULTS, options);
  const vertexCount = positions.length / 3;
  // A mesh without landmarks (a hand-built test surface) has no regions: all "other skin".
  if (landmarkVertices.length === 0) return new Float32Array(vertexCount * FACE_REGIONS.length);
  const mm = (v: number) => v * 1000;
  const L = (k: number): [number, number, number] => {
    const v = landmarkVertices[k];
    if (!(v >= 0)) throw new Error(`regions: landmark ${k} has no vertex on the template head`);
    return [mm(positions[3 * v]), mm(positions[3 * v + 1]), mm(positions[3 * v + 2])];
  };
  const xy = (ks: number[]): Point[] => ks.map((k) => L(k)).map(([x, y]) => [x, y]);
  const lips = xy(LIPS_OUTER), eyes = [xy(EYE_RIGHT), xy(EYE_LEFT)], brows = [xy(BROW_RIGHT), xy(BROW_LEFT)], oval = xy(FACE_OVAL);
  const root = L(NOSE_ROOT), tip = L(NOSE_TIP), sub = L(SUBNASALE), alaR = L(ALA_RIGHT), alaL = L(ALA_LEFT);
  const alaHalf = Math.abs(alaL[0] - alaR[0]) / 2;
  const lowerLip = L(LOWER_LIP), chin = L(CHIN), mouthR = L(MOUTH_RIGHT), mouthL = L(MOUTH_LEFT);
  const top = L(FOREHEAD_TOP), tragusR = L(TRAGUS_RIGHT), tragusL = L(TRAGUS_LEFT);
  const browTop = Math.max(...brows.flat().map(([, y]) => y));
  const eyeBottom = Math.min(...eyes.flat().map(([, y]) => y));
  const mouthHalf = Math.abs(mouthL[0] - mouthR[0]) / 2;
  // The face's front: ahead of the plane through the tragus points, which the 2D shapes need
  // (the back of the head projects onto the same x, y).
  const frontZ = (tragusR[2] + tragusL[2]) / 2;
  // Ears sit just behind the tragus points, at eye-to-nose height.
  const earY = (eyeBottom + sub[1]) / 2;
  const earZ = frontZ - o.earHalfDepthMm;
  const s = o.softnessMm;

  const out = new Float32Array(vertexCount * FACE_REGIONS.length);
  const raw: Record<FaceRegion, number> = Object.fromEntries(FACE_REGIONS.map((r) => [r, 0])) as Record<FaceRegion, number>;
  for (let v = 0; v < vertexCount; v++) {
    const x = mm(positions[3 * v]), y = mm(positions[3 * v + 1]), z = mm(positions[3 * v + 2]);
    const front = logistic(z - frontZ, s);
    const inOval = logistic(polygonSignedDistance(oval, x, y), s) * front;
    raw.lips = logistic(polygonSignedDistance(lips, x, y), s) * front;
    raw.brows = Math.max(...brows.map((b) => logistic(polygonSignedDistance(b, x, y) + 1.5, s))) * front;
    raw.eyelids = Math.max(...eyes.map((e) => logistic(polygonSignedDistance(e, x, y) + o.eyelidReachMm, s))) * front;
    // Nose: a capsule from the root to the subnasale whose half-width grows to the alae.
    const axisT = Math.min(1, Math.max(0, (root[1] - y) / (root[1] - sub[1])));
    const axisX = root[0] + axisT * (sub[0] - root[0]);
    const halfWidth = o.noseRootHalfWidthMm + axisT * axisT * (alaHalf - o.noseRootHalfWidthMm);
    const noseInside = Math.min(halfWidth - Math.abs(x - axisX), y - sub[1], root[1] - y + o.noseRootHalfWidthMm);
    raw.nose = logistic(noseInside, s) * logistic(z - (tip[2] - 45), s);
    raw.chin = logistic(Math.min(lowerLip[1] - 3 - y, mouthHalf * 1.3 - Math.abs(x - lowerLip[0])), s) * inOval;
    raw.cheeks = logistic(Math.min(eyeBottom - 6 - y, y - (mouthR[1] - 12)), s) * inOval;
    raw.forehead = logistic(y - (browTop + 3), s) * inOval;
    const earDy = earY - y, earDz = earZ - z;
    raw.ears = Math.max(
      ...[tragusR, tragusL].map((t) =>
        logistic(Math.min(Math.abs(x) - Math.abs(t[0]) + 2, o.earHalfHeightMm - Math.abs(earDy), o.earHalfDepthMm - Math.abs(earDz)), s),
      ),
    );
    // Scalp: above the face oval in front, above the ears behind; neck: below the jaw and ears.
    raw.scalp = logistic(y - top[1] + 4, s) * front + logistic(y - (earY + o.earHalfHeightMm), s) * (1 - front);
    raw.neck = logistic(chin[1] - 8 - y, s) * front + logistic(earY - o.earHalfHeightMm - 15 - y, s) * (1 - front);
    // Priority order: a texel's membership goes to the first regions that claim it.
    let remaining = 1;
    for (const region of PRIORITY) {
      const w = Math.min(1, raw[region]) * remaining;
      out[v * FACE_REGIONS.length + FACE_REGIONS.indexOf(region)] = w;
      remaining -= w;
    }
  }
  return out;
}

const PRIORITY: FaceRegion[] = ["lips", "brows", "eyelids", "nose", "ears", "chin", "cheeks", "forehead", "scalp", "neck"];
