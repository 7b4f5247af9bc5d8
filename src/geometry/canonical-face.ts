/**
 * The neutral face of the template head, from photos: face-mesh landmarks of several frontal
 * photos whose lips are at rest (lipsAtRest) are aligned by generalised Procrustes, averaged, made exactly left/right symmetric and
 * scaled to a published mean inter-pupillary distance. (No neutral 3D face ships on npm; the
 * face-mesh packages carry its triangulation and UVs but not its canonical positions.)
 * `scripts/build-canonical-face.ts` runs this and commits the result under `data/`.
 */
import { LANDMARK_COUNT, type Landmarks } from "../types.ts";
import { applySimilarity, fitSimilarity, symmetricEigen } from "./procrustes.ts";

/** Adult mean inter-pupillary distance, metres: "adult mean ≈ 63 mm" [S8] (ANSUR II 64.0 M / 61.7 F [S1]). */
export const MEAN_IPD_M = 0.063;

/**
 * Upper limit of the gap between the lips at rest, metres: 0–3 mm is the norm (Jacobson &
 * Jacobson, Radiographic Cephalometry, 2nd ed. 2006, after Scheideman et al. 1980; "the acceptable
 * upper limit of the interlabial gap is 3 mm", Mosby's Dental Dictionary).
 */
export const REST_INTERLABIAL_GAP_MAX_M = 0.003;
/**
 * SD of the face-mesh model's midline gap between its inner lip lines (landmarks 13, 14), as a
 * fraction of the inter-pupillary distance: √2 × the inner lip line's own per-axis error, 1.05 %
 * of the IPD, measured from the model's disagreement between a photo and its mirror image
 * (eval/landmark-noise.ts; docs/evaluation.md, "Correlated landmark noise").
 */
export const LIP_GAP_DETECTOR_SD_IPD = Math.SQRT2 * 0.0105;
/** Midline landmarks of the upper and lower inner lip lines (stomion superius / inferius). */
const STOMION = [13, 14] as const;

/**
 * Whether a face's lips are at rest: the gap between its inner lip lines at the midline, scaled
 * to `ipdM`, is within the rest norm's upper limit plus two SD of the detector's error on it
 * (4.9 mm at 63 mm). A smile with teeth or a speaking mouth (10–13 mm on our photos) is not a face
 * in repose, and averaged into the template it makes every neutral head's lips part and widen.
 */
export function lipsAtRest(landmarks: ArrayLike<number>, iris: IrisCentres, ipdM = MEAN_IPD_M): boolean {
  const d = (a: number, b: number) => Math.hypot(landmarks[3 * a] - landmarks[3 * b], landmarks[3 * a + 1] - landmarks[3 * b + 1], landmarks[3 * a + 2] - landmarks[3 * b + 2]);
  const gapM = (d(STOMION[0], STOMION[1]) / d(iris.right, iris.left)) * ipdM;
  return gapM <= REST_INTERLABIAL_GAP_MAX_M + 2 * LIP_GAP_DETECTOR_SD_IPD * ipdM;
}

/** Which landmark is the centre of the subject's right and left iris (468 or 473: conventions differ between face-mesh ports). */
export interface IrisCentres {
  right: number;
  left: number;
}

export interface AverageFaceOptions {
  /** Distance between the two iris centres of the result, metres. */
  ipdM?: number;
  /** Generalised-Procrustes iterations. */
  iterations?: number;
}

/** Photo landmarks (pixels, y down, z toward the camera negative) → right-handed 3D (y up, z toward the camera). */
function toRightHanded(l: Landmarks): Float64Array {
  const out = new Float64Array(l.length);
  for (let i = 0; i < l.length; i += 3) {
    out[i] = l[i];
    out[i + 1] = -l[i + 1];
    out[i + 2] = -l[i + 2];
  }
  return out;
}

function normalise(points: Float64Array): Float64Array {
  const n = points.length / 3;
  const c = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) c[k] += points[3 * i + k] / n;
  let ss = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) ss += (points[3 * i + k] - c[k]) ** 2;
  const s = 1 / Math.sqrt(ss / n);
  const out = new Float64Array(points.length);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[3 * i + k] = (points[3 * i + k] - c[k]) * s;
  return out;
}

/**
 * Averages landmark sets into one symmetric face in metres, glTF axes (+X subject's left, +Y up,
 * +Z out of the face), origin midway between the iris centres, the face's outline plane facing +Z.
 * `mirror[i]` is the landmark that mirrors landmark i (itself on the midline); `outline` lists the
 * landmarks of the face's outer ring, whose best-fit plane defines "facing +Z".
 */
export function averageCanonicalFace(samples: Landmarks[], mirror: Int32Array, outline: number[], iris: IrisCentres, options: AverageFaceOptions = {}): Float64Array {
  const ipd = options.ipdM ?? MEAN_IPD_M;
  const iterations = options.iterations ?? 10;
  if (samples.length === 0) throw new Error("averageCanonicalFace: no landmark sets");
  for (const s of samples) if (s.length !== LANDMARK_COUNT * 3) throw new Error(`averageCanonicalFace: a set has ${s.length / 3} landmarks, expected ${LANDMARK_COUNT}`);
  const sets = samples.map(toRightHanded);
  let mean = normalise(sets[0]);
  for (let it = 0; it < iterations; it++) {
    const acc = new Float64Array(mean.length);
    for (const s of sets) {
      const aligned = applySimilarity(fitSimilarity(s, mean), s);
      for (let i = 0; i < acc.length; i++) acc[i] += aligned[i] / sets.length;
    }
    mean = normalise(acc);
  }
  return symmetriseAndPlace(mean, mirror, outline, iris, ipd);
}

/** Makes a face exactly mirror-symmetric about x = 0 and puts it in the canonical frame and scale. */
export function symmetriseAndPlace(points: Float64Array, mirror: Int32Array, outline: number[], iris: IrisCentres, ipd: number): Float64Array {
  const IRIS_CENTRE_LEFT = iris.left, IRIS_CENTRE_RIGHT = iris.right;
  const n = points.length / 3;
  // 1. Average with its relabelled mirror image, rigidly aligned.
  const mirrored = new Float64Array(points.length);
  for (let i = 0; i < n; i++) {
    const m = mirror[i];
    mirrored[3 * i] = -points[3 * m];
    mirrored[3 * i + 1] = points[3 * m + 1];
    mirrored[3 * i + 2] = points[3 * m + 2];
  }
  const aligned = applySimilarity(fitSimilarity(mirrored, points, undefined, false), mirrored);
  const sym = new Float64Array(points.length);
  for (let i = 0; i < sym.length; i++) sym[i] = (points[i] + aligned[i]) / 2;
  // 2. Left-right axis: from the right iris centre to the left one.
  let ex = [0, 1, 2].map((k) => sym[3 * IRIS_CENTRE_LEFT + k] - sym[3 * IRIS_CENTRE_RIGHT + k]);
  const nl = Math.hypot(...ex);
  ex = ex.map((v) => v / nl);
  // 3. Facing direction: normal of the outline's best-fit plane, made perpendicular to ex.
  const c = [0, 0, 0];
  for (const i of outline) for (let k = 0; k < 3; k++) c[k] += sym[3 * i + k] / outline.length;
  const cov = new Float64Array(9);
  for (const i of outline) {
    const d = [sym[3 * i] - c[0], sym[3 * i + 1] - c[1], sym[3 * i + 2] - c[2]];
    for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) cov[3 * r + q] += d[r] * d[q];
  }
  let ez = smallestEigenvector(cov);
  const dz = ez[0] * ex[0] + ez[1] * ex[1] + ez[2] * ex[2];
  ez = ez.map((v, k) => v - dz * ex[k]);
  const zl = Math.hypot(...ez);
  ez = ez.map((v) => v / zl);
  // The nose tip (landmark 1) is in front of the outline.
  const noseSide = (sym[3] - c[0]) * ez[0] + (sym[4] - c[1]) * ez[1] + (sym[5] - c[2]) * ez[2];
  if (noseSide < 0) ez = ez.map((v) => -v);
  const ey = [ez[1] * ex[2] - ez[2] * ex[1], ez[2] * ex[0] - ez[0] * ex[2], ez[0] * ex[1] - ez[1] * ex[0]];
  // 4. Rotate into (ex, ey, ez), scale to the IPD, origin between the irises.
  const o = [0, 1, 2].map((k) => (sym[3 * IRIS_CENTRE_LEFT + k] + sym[3 * IRIS_CENTRE_RIGHT + k]) / 2);
  const out = new Float64Array(points.length);
  for (let i = 0; i < n; i++) {
    const d = [sym[3 * i] - o[0], sym[3 * i + 1] - o[1], sym[3 * i + 2] - o[2]];
    out[3 * i] = d[0] * ex[0] + d[1] * ex[1] + d[2] * ex[2];
    out[3 * i + 1] = d[0] * ey[0] + d[1] * ey[1] + d[2] * ey[2];
    out[3 * i + 2] = d[0] * ez[0] + d[1] * ez[1] + d[2] * ez[2];
  }
  const s = ipd / Math.hypot(out[3 * IRIS_CENTRE_LEFT] - out[3 * IRIS_CENTRE_RIGHT], out[3 * IRIS_CENTRE_LEFT + 1] - out[3 * IRIS_CENTRE_RIGHT + 1], out[3 * IRIS_CENTRE_LEFT + 2] - out[3 * IRIS_CENTRE_RIGHT + 2]);
  for (let i = 0; i < out.length; i++) out[i] *= s;
  // 5. Exact symmetry about x = 0.
  for (let i = 0; i < n; i++) {
    const m = mirror[i];
    if (m < i) continue;
    const x = (out[3 * i] - out[3 * m]) / 2, y = (out[3 * i + 1] + out[3 * m + 1]) / 2, z = (out[3 * i + 2] + out[3 * m + 2]) / 2;
    out[3 * i] = x;
    out[3 * i + 1] = y;
    out[3 * i + 2] = z;
    out[3 * m] = -x;
    out[3 * m + 1] = y;
    out[3 * m + 2] = z;
    if (m === i) out[3 * i] = 0;
  }
  return out;
}

/** Eigenvector of the smallest eigenvalue of a symmetric 3×3 matrix. */
function smallestEigenvector(m: Float64Array): number[] {
  const { values, vectors } = symmetricEigen(m, 3);
  let k = 0;
  for (let i = 1; i < 3; i++) if (values[i] < values[k]) k = i;
  return [vectors[k], vectors[3 + k], vectors[6 + k]];
}
