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
import { LEFT_ALA, LEFT_CHEEK_SIDE, LEFT_EYE_CONTOUR, LIPS_OUTER, MOUTH_INNER, NOSE_ROOT, RIGHT_ALA, RIGHT_CHEEK_SIDE, RIGHT_EYE_CONTOUR, SUBNASALE, CHIN } from "../../primitives/face-topology.ts";
import { fitWarp, warpAt } from "./warp.ts";

type FaceDimension = (typeof FACE_MODE_DIMENSIONS)[number];

/**
 * The landmark groups each survey dimension is measured between. The jaw angles (gonion) are the
 * face-oval points 58/172 and 288/397 (the template's 113–126 mm apart against the survey's
 * bigonial 112–121 mm); the alae 98/327 (35 mm, nose breadth 36–38 mm); the pupils the eye
 * contours' centres (the iris landmarks are not among the fitted face's). The mouth's width is
 * not a mode here: the lips' neutral targets are the expression solve's identity, whose own lip
 * modes already carry it under the same survey's SD (fit/expression-identity.ts), and fit leaves
 * the lips out of this prior (LIP_LANDMARKS).
 */
const DIMENSION_LANDMARKS: Partial<Record<FaceDimension, [number[], number[]]>> = {
  bizygomaticBreadth: [RIGHT_CHEEK_SIDE, LEFT_CHEEK_SIDE],
  bigonialBreadth: [[58, 172], [288, 397]],
  noseBreadth: [[RIGHT_ALA], [LEFT_ALA]],
  sellionSubnasale: [[NOSE_ROOT], [SUBNASALE]],
  mentonSellion: [[NOSE_ROOT], [CHIN]],
  interpupillaryBreadth: [RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR],
};

/** The survey dimensions that are modes here. */
const MODE_DIMENSIONS = FACE_MODE_DIMENSIONS.filter((d) => DIMENSION_LANDMARKS[d]);

/** The lips' landmarks, whose neutral targets the expression step's identity already decided under its own prior. */
export const LIP_LANDMARKS: ReadonlySet<number> = new Set([...LIPS_OUTER, ...MOUTH_INNER]);

export interface FaceModes {
  /** Number of modes. */
  count: number;
  /** Their survey dimensions, in order. */
  dimensions: FaceDimension[];
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
 *   const modes = faceModes(FACE_LANDMARKS_M, faceIds);   // modes.fields[2] is the nose's breadth
 */
export function faceModes(landmarks: ArrayLike<number>, ids: readonly number[], enabled = true): FaceModes {
  if (!enabled) return { count: 0, dimensions: [], fields: [], covariance: new Float64Array(0), lengthsM: [] };
  const at = (i: number, c: number) => landmarks[3 * i + c];
  const centroid = (group: number[]) => [0, 1, 2].map((c) => group.reduce((s, i) => s + at(i, c), 0) / group.length);
  const groups = MODE_DIMENSIONS.map((d) => DIMENSION_LANDMARKS[d]!);
  const controls = [...new Set(groups.flatMap((g) => g.flat()))];
  const centres = Float64Array.from(controls.flatMap((i) => [at(i, 0), at(i, 1), at(i, 2)]));
  const lengthsM: number[] = [];
  const fields = groups.map(([a, b]) => {
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
  const survey = MODE_DIMENSIONS.map((d) => FACE_MODE_DIMENSIONS.indexOf(d));
  // The survey's Gaussian marginalised onto the modes used: their rows and columns.
  for (let k = 0; k < count; k++) for (let l = 0; l < count; l++) covariance[k * count + l] = lengthsM[k] * lengthsM[l] * FACE_MODE_LOG_COVARIANCE[survey[k]][survey[l]];
  return { count, dimensions: MODE_DIMENSIONS, fields, covariance, lengthsM };
}
