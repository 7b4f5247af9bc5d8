/**
 * The face's survey dimensions as deformation modes of the template's landmarks, with the survey's
 * covariance as their prior: which non-affine ways faces differ between people, and by how much.
 *
 * Each dimension of the NIOSH face survey (src/geometry/data/face-dimensions.ts) is measured
 * between two landmark groups (e.g. the mouth corners). Its mode is the smoothest displacement of
 * the face that changes that dimension alone: a thin-plate interpolant (fit/warp.ts) through the
 * two groups moved apart along the line between them by ±½ (a change of 1 m in the dimension)
 * and every other dimension's landmarks held still. A change of δ metres in dimension k is δ
 * times mode k. The prior on the modes' amplitudes is the survey's covariance of the log
 * dimensions scaled by the template's lengths (the template face is the mean face, so a log SD
 * there is a length SD here).
 */
import { FACE_MODE_DIMENSIONS, FACE_MODE_LOG_COVARIANCE } from "../../geometry/data/face-dimensions.ts";
import { LEFT_ALA, LEFT_CHEEK_SIDE, LEFT_EYE_CONTOUR, MOUTH_LEFT, MOUTH_RIGHT, NOSE_ROOT, RIGHT_ALA, RIGHT_CHEEK_SIDE, RIGHT_EYE_CONTOUR, SUBNASALE, CHIN } from "../../primitives/face-topology.ts";
import { fitWarp, warpAt } from "./warp.ts";

type FaceDimension = (typeof FACE_MODE_DIMENSIONS)[number];

/**
 * The landmark groups each survey dimension is measured between. The jaw angles (gonion) are the
 * face-oval points 58/172 and 288/397 (the template's 113–126 mm apart against the survey's
 * bigonial 112–121 mm); the alae 98/327 (35 mm, nose breadth 36–38 mm); the pupils the eye
 * contours' centres (the iris landmarks are not among the fitted face's).
 */
const DIMENSION_LANDMARKS: Record<FaceDimension, [number[], number[]]> = {
  bizygomaticBreadth: [RIGHT_CHEEK_SIDE, LEFT_CHEEK_SIDE],
  bigonialBreadth: [[58, 172], [288, 397]],
  noseBreadth: [[RIGHT_ALA], [LEFT_ALA]],
  mouthWidth: [[MOUTH_RIGHT], [MOUTH_LEFT]],
  sellionSubnasale: [[NOSE_ROOT], [SUBNASALE]],
  mentonSellion: [[NOSE_ROOT], [CHIN]],
  interpupillaryBreadth: [RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR],
};

export interface FaceModes {
  /** Number of modes (FACE_MODE_DIMENSIONS order). */
  count: number;
  /** Mode k's displacement at landmark j (xyz), per metre of change in dimension k: `fields[k][3j + c]`. */
  fields: Float64Array[];
  /** Prior covariance of the modes' amplitudes (row-major count × count), m². */
  covariance: Float64Array;
  /** The template's length of each dimension, metres. */
  lengthsM: number[];
}

/**
 * The survey's modes at landmarks `ids` (face-mesh indices) of a face whose landmark `i` lies at
 * `landmarks[3i..3i+2]` (metres; the template's); `enabled` false gives none (an ablation).
 *
 *   const modes = faceModes(FACE_LANDMARKS_M, faceIds);   // modes.fields[3] is the mouth's width
 */
export function faceModes(landmarks: ArrayLike<number>, ids: readonly number[], enabled = true): FaceModes {
  if (!enabled) return { count: 0, fields: [], covariance: new Float64Array(0), lengthsM: [] };
  const at = (i: number, c: number) => landmarks[3 * i + c];
  const centroid = (group: number[]) => [0, 1, 2].map((c) => group.reduce((s, i) => s + at(i, c), 0) / group.length);
  const controls = [...new Set(FACE_MODE_DIMENSIONS.flatMap((d) => DIMENSION_LANDMARKS[d].flat()))];
  const centres = Float64Array.from(controls.flatMap((i) => [at(i, 0), at(i, 1), at(i, 2)]));
  const lengthsM: number[] = [];
  const fields = FACE_MODE_DIMENSIONS.map((dimension) => {
    const [a, b] = DIMENSION_LANDMARKS[dimension];
    const [ca, cb] = [centroid(a), centroid(b)];
    const length = Math.hypot(cb[0] - ca[0], cb[1] - ca[1], cb[2] - ca[2]);
    lengthsM.push(length);
    const u = [0, 1, 2].map((c) => (cb[c] - ca[c]) / length);
    const moved = new Float64Array(3 * controls.length);
    controls.forEach((i, k) => {
      const sign = b.includes(i) ? 0.5 : a.includes(i) ? -0.5 : 0;
      for (let c = 0; c < 3; c++) moved[3 * k + c] = sign * u[c];
    });
    const warp = fitWarp(centres, moved, new Float64Array(controls.length));
    const field = new Float64Array(3 * ids.length), d = new Float64Array(3);
    ids.forEach((i, j) => {
      warpAt(warp, at(i, 0), at(i, 1), at(i, 2), d);
      field.set(d, 3 * j);
    });
    return field;
  });
  const count = fields.length;
  const covariance = new Float64Array(count * count);
  for (let k = 0; k < count; k++) for (let l = 0; l < count; l++) covariance[k * count + l] = lengthsM[k] * lengthsM[l] * FACE_MODE_LOG_COVARIANCE[k][l];
  return { count, fields, covariance, lengthsM };
}
