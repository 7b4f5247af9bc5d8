/**
 * The neutral face's image-plane targets as a Gaussian posterior under a population prior.
 *
 * The warp's targets lie on the landmarks' camera rays, so the neutral head would take each
 * landmark's image position exactly, and with it the detector's noise (≈ 2 mm, partly shared by
 * every view of the photo, so averaging views does not remove it): on the identity set that noise
 * was most of the face's photo-to-photo spread. A thin-plate smoothing at the noise
 * (fit/image-posterior.ts) took person and noise alike, because one photo's non-affine pattern is
 * below its noise. Here the readings (the targets' displacement across the image plane, camera x
 * and y, metres at the head) are modelled as
 *
 *   reading = affine(template position) + Σ_k a_k · mode_k + r + e
 *
 * - the affine part (the face's size, width-to-height, shear, translation): flat prior, kept;
 * - the survey's face modes (fit/face-modes.ts: bizygomatic and bigonial breadth, nose breadth,
 *   nose and face height, pupil distance), a ~ N(0, the survey's covariance): kept where the
 *   readings along a mode stand out of the noise, which is where faces differ most;
 * - r: the face's shape beyond the modes, independent per landmark and axis with the survey's
 *   SD for a local distance the modes do not move (FACE_BEYOND_MODES_SD_MM, ÷ √2 per point);
 * - e: the detector's noise, SD σ/√confidence per landmark and axis.
 *
 * The posterior mean of affine + modes + r (generalised least squares for the affine part,
 * Rasmussen & Williams 2006, "Gaussian Processes for Machine Learning" §2.7, with the Woodbury
 * identity over the few modes) is the neutral face's target; what it takes off (the noise
 * estimate) goes to the head as photographed (fit.ts), which therefore still reprojects onto the
 * photo's landmarks. The camera-axis part (depth, fit/depth-posterior.ts) is left alone.
 */
import { luFactor, luSolve, solveDense } from "../../geometry/linear-solve.ts";
import { FACE_BEYOND_MODES_SD_MM } from "../../geometry/data/face-dimensions.ts";
import { faceModes, LIP_LANDMARKS, type FaceModes } from "./face-modes.ts";
import { LANDMARK_SD_IOD } from "./head-targets.ts";

/** How the neutral face's image-plane targets are read (fit.ts `FitOptions.facePrior`). */
export interface FacePriorOptions {
  /** Per-axis SD of a landmark's image position, fraction of the inter-pupillary distance; 0 keeps the targets exact. */
  noiseSdIod?: number;
  /** Per-axis prior SD of the face's shape beyond the modes at one landmark, mm (the survey's residual of a local distance ÷ √2). */
  beyondSdMm?: number;
  /** The survey's modes in the prior; false leaves only the affine part and the shape beyond them (an ablation). */
  modes?: boolean;
}

export const FACE_PRIOR_DEFAULTS: Required<FacePriorOptions> = {
  // The detector's published error: averaging the views of the ROI (capture's landmarkViews) takes off only their independent part, ≈ 0.6 % IOD per view of the 3.2 (docs/evaluation.md, lmtta).
  noiseSdIod: LANDMARK_SD_IOD,
  beyondSdMm: FACE_BEYOND_MODES_SD_MM / Math.SQRT2,
  modes: true,
};

/** Affine columns per image axis: 1, x, y, z of the template position. */
const AFFINE = 4;

export interface FacePriorPosterior {
  /** The displacements (xyz per landmark, world metres) with their image-plane part replaced by the posterior mean. */
  displacements: Float64Array;
  /** What the posterior took off each landmark (xyz, world metres): raw − posterior. */
  removed: Float64Array;
  /** Posterior mean of each mode's amplitude (the survey dimension's change), metres. */
  amplitudesM: number[];
  /** Confidence-weighted RMS of the removed image-plane part per axis, metres. */
  removedM: number;
}

/**
 * The posterior of the image-plane part of the landmarks' displacements `displacements` (xyz per
 * landmark, world metres) at template positions `centres`, for a camera of world-to-camera
 * rotation `rotation` (row-major 3 × 3); `modes` evaluated at the same landmarks, `beyondSdM` the
 * per-axis prior SD of the shape beyond them, `noiseSdM` the per-axis noise SD at confidence 1
 * (a landmark of confidence c counts it as SD/√c).
 *
 *   const post = facePriorPosterior(points, disp, camera.rotation, confidence, faceModes(head, ids), 0.0014, 0.002);
 */
export function facePriorPosterior(centres: Float64Array, displacements: Float64Array, rotation: ArrayLike<number>, confidence: Float64Array, modes: FaceModes, beyondSdM: number, noiseSdM: number): FacePriorPosterior {
  const n = confidence.length, K = modes.count, N = 2 * n;
  if (displacements.length !== 3 * n || centres.length !== 3 * n) throw new Error(`facePriorPosterior: ${n} landmarks need ${3 * n} centre coordinates and displacements`);
  if (modes.fields.some((f) => f.length !== 3 * n)) throw new Error(`facePriorPosterior: the modes must be evaluated at the ${n} landmarks`);
  if (rotation.length !== 9) throw new Error("facePriorPosterior: the rotation is a 3 × 3 matrix");
  if (!(noiseSdM > 0) || !(beyondSdM >= 0)) throw new Error("facePriorPosterior: the noise SD must be positive and the prior SD beyond the modes not negative");
  // Camera x and y (rows 0 and 1 of the rotation) of a world vector field: reading index 2i + axis.
  const toImage = (field: Float64Array) => {
    const out = new Float64Array(N);
    for (let i = 0; i < n; i++) for (let a = 0; a < 2; a++) out[2 * i + a] = rotation[3 * a] * field[3 * i] + rotation[3 * a + 1] * field[3 * i + 1] + rotation[3 * a + 2] * field[3 * i + 2];
    return out;
  };
  const y = toImage(displacements);
  const M = modes.fields.map(toImage);
  // Diagonal part of the readings' covariance: the shape beyond the modes and the noise.
  const noiseVar = Float64Array.from({ length: N }, (_, j) => noiseSdM ** 2 / Math.max(confidence[j >> 1], 1e-3));
  const dInv = noiseVar.map((v) => 1 / (beyondSdM ** 2 + v));
  // Woodbury: C⁻¹ = D⁻¹ − D⁻¹M (Σ⁻¹ + MᵀD⁻¹M)⁻¹ MᵀD⁻¹, C = D + MΣMᵀ.
  const identity = Float64Array.from({ length: K * K }, (_, j) => (j % (K + 1) === 0 ? 1 : 0));
  const gram = K > 0 ? solveDense(Float64Array.from(modes.covariance), K, identity, K) : identity;
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) gram[k * K + l] += M[k].reduce((s, v, j) => s + v * dInv[j] * M[l][j], 0);
  const inner = K > 0 ? luFactor(gram, K) : undefined;
  const applyCInv = (v: Float64Array) => {
    const w = v.map((x, j) => x * dInv[j]);
    if (!inner) return w;
    const s = luSolve(inner, Float64Array.from(M, (m) => m.reduce((acc, x, j) => acc + x * w[j], 0)), 1);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) w[j] -= dInv[j] * M[k][j] * s[k];
    return w;
  };
  // The affine part by generalised least squares: β = (PᵀC⁻¹P)⁻¹ PᵀC⁻¹y.
  const columns = Array.from({ length: 2 * AFFINE }, (_, col) => {
    const axis = col < AFFINE ? 0 : 1, term = col % AFFINE;
    const p = new Float64Array(N);
    for (let i = 0; i < n; i++) p[2 * i + axis] = term === 3 ? 1 : centres[3 * i + term];
    return p;
  });
  const cInvP = columns.map(applyCInv);
  const normal = new Float64Array(4 * AFFINE * AFFINE), rhs = new Float64Array(2 * AFFINE);
  const cInvY = applyCInv(y);
  for (let a = 0; a < 2 * AFFINE; a++) {
    rhs[a] = columns[a].reduce((s, v, j) => s + v * cInvY[j], 0);
    for (let b = 0; b < 2 * AFFINE; b++) normal[a * 2 * AFFINE + b] = columns[a].reduce((s, v, j) => s + v * cInvP[b][j], 0);
  }
  const beta = solveDense(normal, 2 * AFFINE, rhs, 1);
  // q = C⁻¹(y − Pβ): the modes' posterior mean is ΣMᵀq, the noise's is diag(noise)·q.
  const q = Float64Array.from(cInvY, (v, j) => v - cInvP.reduce((s, c, a) => s + c[j] * beta[a], 0));
  const projected = Float64Array.from(M, (m) => m.reduce((s, x, j) => s + x * q[j], 0));
  const amplitudesM = Array.from({ length: K }, (_, k) => projected.reduce((s, p, l) => s + modes.covariance[k * K + l] * p, 0));
  const out = Float64Array.from(displacements), removed = new Float64Array(3 * n);
  let se = 0, w = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 2; a++) {
      const noise = noiseVar[2 * i + a] * q[2 * i + a];
      se += confidence[i] * noise * noise;
      w += confidence[i];
      // Back to world: the camera axis a is row a of the rotation.
      for (let c = 0; c < 3; c++) {
        out[3 * i + c] -= noise * rotation[3 * a + c];
        removed[3 * i + c] += noise * rotation[3 * a + c];
      }
    }
  }
  return { displacements: out, removed, amplitudesM, removedM: Math.sqrt(se / Math.max(w, 1e-12)) };
}

/** What fit hands the face prior: its neutral targets, changed in place, and the photographed head's residual, added to. */
export interface NeutralTargets {
  /** The template's face-mesh landmarks (xyz per landmark index), metres. */
  templateLandmarks: ArrayLike<number>;
  /** Face-mesh index of each target. */
  faceIds: readonly number[];
  /** Template position of each target (xyz), metres. */
  centres: Float64Array;
  /** Each target's displacement (xyz, world metres; at least 3 × faceIds.length numbers): the image-plane part is replaced. */
  displacements: Float64Array;
  /** Per target, 0..1. */
  confidence: Float64Array;
  /** The camera's world-to-camera rotation (row-major 3 × 3). */
  rotation: ArrayLike<number>;
  /** What the head as photographed takes besides the neutral head (xyz per target): what the posterior takes off is added. */
  photoResidual: Float64Array;
  /** The template's inter-pupillary distance, metres (the noise SD's unit). */
  interpupillaryM: number;
}

/**
 * The face prior on fit's neutral targets. The lips are left as they are: their targets are the
 * expression solve's identity, already under its own lip modes' prior (fit/expression-identity.ts).
 *
 *   const { removedM } = neutralTargetsUnderFacePrior(targets, FACE_PRIOR_DEFAULTS);
 */
export function neutralTargetsUnderFacePrior(t: NeutralTargets, options: Required<FacePriorOptions>): FacePriorPosterior & { dimensions: FaceModes["dimensions"] } {
  const free = t.faceIds.flatMap((i, k) => (LIP_LANDMARKS.has(i) ? [] : [k]));
  const pick = (v: Float64Array) => Float64Array.from({ length: 3 * free.length }, (_, j) => v[3 * free[Math.floor(j / 3)] + (j % 3)]);
  const modes = faceModes(t.templateLandmarks, free.map((k) => t.faceIds[k]), options.modes);
  const post = facePriorPosterior(pick(t.centres), pick(t.displacements), t.rotation, Float64Array.from(free, (k) => t.confidence[k]), modes, options.beyondSdMm / 1000, options.noiseSdIod * t.interpupillaryM);
  free.forEach((k, j) => {
    for (let c = 0; c < 3; c++) {
      t.displacements[3 * k + c] = post.displacements[3 * j + c];
      t.photoResidual[3 * k + c] += post.removed[3 * j + c];
    }
  });
  return { ...post, dimensions: modes.dimensions };
}
