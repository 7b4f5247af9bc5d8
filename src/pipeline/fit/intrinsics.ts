/**
 * The camera's focal length and the head's metric size, per photo (docs/design.md, "Camera model").
 *
 * Focal length: a posterior over ln f on a grid, from up to three cues —
 * - EXIF: FocalLengthIn35mmFilm on an image of the size the camera wrote (or scaled alike) fixes f;
 *   on a crop, or from FocalLength × the sensor's pixel density, it only bounds f from above (a crop
 *   keeps f in pixels, a downscale shrinks it);
 * - foreshortening: the template's landmarks posed under each f (Gauss–Newton on the 2D
 *   reprojection); near cameras magnify the nose against the cheeks, so a focal too short for the
 *   photo leaves a larger misfit. Profile likelihood of that misfit over `effectiveLandmarks`
 *   independent points (the mesh's 468 interpolate between far fewer distinct features, and their
 *   errors are correlated), read as evidence of the perspective the landmarks show, which is a
 *   measured share of the photo's (fit/perspective-cue.ts);
 * - a prior on the camera-to-face distance (selfie to across-the-room), turned into a prior on f
 *   through the head's metric size (below): f = distance × pixels per metre at the face.
 * Metric size: the head is `metricScale` × the template. The horizontal visible iris diameter is
 * nearly the same in every adult (11.83 ± 0.57 mm), so the photo's iris against the face gives the
 * face's size; ANSUR II's spread of face size is the prior it is combined with.
 */
import { FACE_DIMENSIONS, LOG_COVARIANCE } from "../../geometry/data/head-regression.ts";
import { LEFT_IRIS, RIGHT_IRIS } from "../../primitives/face-topology.ts";
import type { Camera, CameraEstimate, LensHint } from "../../types.ts";
import { perspectiveLikelihood, type PerspectiveResponse } from "./perspective-cue.ts";
import { cameraFromSimilarity, landmarksRightHanded, refinePose, refinePoseAndProportions } from "./pose.ts";

export interface IntrinsicsOptions {
  /** A fixed focal length as a multiple of the photo's longer side (pixels per pixel); 0 estimates it from EXIF, foreshortening and the distance prior. */
  focalLengthFactor?: number;
  /** Median of the camera-to-face distance prior, metres. */
  distancePriorM?: number;
  /** SD of ln distance in that prior. */
  distancePriorSdLn?: number;
  /** SD of ln f when EXIF's 35 mm-equivalent focal length applies to the image as given (diagonal vs width-based equivalents, sensor aspect). */
  exifSdLn?: number;
  /** Shortest and longest focal length tried, 35 mm-equivalent on the photo's diagonal, millimetres. */
  minFocal35mm?: number;
  maxFocal35mm?: number;
  /** Focal lengths tried between them (log-spaced). */
  gridSteps?: number;
  /** Gauss–Newton iterations of the pose at each focal length after the first (each starts from its neighbour's). */
  gridIterations?: number;
  /** Independent landmarks the foreshortening misfit counts as (see the file comment). */
  effectiveLandmarks?: number;
  /** SD of the face-mesh model's iris size in ln units, beyond the population's spread (MediaPipe reports < 10 % error of iris-based depth). */
  irisModelSdLn?: number;
  /** How much of the photo's perspective the landmarks show, and its spread (fit/perspective-cue.ts); null: the raw cue, the misfit's own profile likelihood. */
  perspectiveResponse?: PerspectiveResponse | null;
}

/** The face mesh network's perspective response, measured on renders (fit/perspective-cue.ts; docs/evaluation.md, "The foreshortening cue calibrated on renders"). */
export const PERSPECTIVE_RESPONSE: PerspectiveResponse = { gain: 0.274, offsetPerM: 0.092, turnOffsetPerM: 6.53, sdPerM: 0.236 };

export const INTRINSICS_DEFAULTS: Required<IntrinsicsOptions> = {
  focalLengthFactor: 0,
  // Portraits are taken from about arm's length (selfies, ≈ 0.3–0.6 m) to a few metres; the
  // Caltech Multi-Distance Portraits set spans 0.6–4.8 m as the range of everyday portraits
  // (Burgos-Artizzu, Ronchi & Perona, ECCV 2014), and selfies are studied at 0.3 m (Ward et al.,
  // JAMA Facial Plast Surg 2018). Median 1 m, SD 0.7 in ln: 95 % between 0.25 and 4 m.
  distancePriorM: 1,
  distancePriorSdLn: 0.7,
  exifSdLn: 0.05,
  minFocal35mm: 12,
  maxFocal35mm: 1200,
  gridSteps: 28,
  gridIterations: 4,
  // The 68-point face annotation (iBUG 300-W): the distinct facial features a face offers.
  effectiveLandmarks: 68,
  // MediaPipe Iris (Ablavatski et al. 2020, arXiv:2006.11341) reports iris-based depth within 10 %;
  // less the population's 4.8 % that leaves ≈ 8.8 % for the model.
  irisModelSdLn: 0.088,
  // Off: the calibrated cue puts the camera where the photo's lens is, but the warp then reads the
  // landmarks' missing perspective as face shape (fit-only identity set, all skin within / between
  // 1.20 / 2.13 → 1.36 / 2.15 mm, the ears' within 1.3 → 1.8 mm). The raw cue's longer lens is the
  // camera the landmarks themselves agree with; turn this on with a warp that reads
  // perspective-corrected landmarks for the shape (docs/evaluation.md, focal).
  perspectiveResponse: null,
};

/**
 * Horizontal visible iris diameter (HVID) of adults, metres: 11.83 ± 0.57 mm, n 461 (Appenzeller,
 * via gkaModelEye `human/iris.m` [S6] in reference/head-anthropometry.md); MediaPipe Iris uses
 * 11.7 ± 0.5 mm (Caroline & Andre 2002) for its depth from the iris.
 */
const HVID = { mean: 0.01183, sd: 0.00057 };

/** Diagonal of the 36 × 24 mm frame, millimetres: 35 mm-equivalent focal lengths refer to it. */
export const FULL_FRAME_DIAGONAL_MM = Math.hypot(36, 24);

/** What the estimate reads: the template's landmark points and the photo's, as fit prepares them. */
export interface IntrinsicsInput {
  /** Template landmark vertices, xyz per point, metres. */
  points: Float64Array;
  /** The photo's landmarks for those points, xy pixels. */
  pixels: Float64Array;
  /** Per point weight for the pose and the focal length (fit zeroes the landmarks an expression moves). */
  weights: Float64Array;
  /** Per point weight for the face's size against the iris (default `weights`): the whole face, expression or not, since size is read from its overall extent. */
  sizeWeights?: Float64Array;
  /** Landmark index of each point. */
  ids: number[];
  /** All 478 landmarks (capture's convention) and their confidence. */
  landmarks: ArrayLike<number>;
  confidence: ArrayLike<number>;
  width: number;
  height: number;
  /** The template's interocular distance on screen is taken from here, pixels. */
  interocularPx: number;
  /** What the photo's EXIF said about the lens (absent: nothing). */
  lens?: LensHint | null;
}

/**
 * Estimates focal length and metric scale, and poses the template under that focal length.
 *
 *   const { camera, estimate } = estimateIntrinsics(input);
 *   estimate.focal35mm;   // e.g. 27 for a phone's main camera
 */
export function estimateIntrinsics(input: IntrinsicsInput, options: IntrinsicsOptions = {}): { camera: Camera; estimate: CameraEstimate } {
  const o = { ...INTRINSICS_DEFAULTS, ...options };
  const { points, pixels, weights, width, height } = input;
  const diag = Math.hypot(width, height);
  const toPx = (mm35: number) => (mm35 / FULL_FRAME_DIAGONAL_MM) * diag;
  const targets = landmarksRightHanded(input.landmarks, input.ids);
  const pose = (f: number) => {
    const init = cameraFromSimilarity(points, targets, weights, width, height, f);
    return { camera: refinePose(init.camera, points, pixels, weights), scale: init.scale };
  };
  const scale = metricScale(input, cameraFromSimilarity(points, targets, input.sizeWeights ?? weights, width, height, 1).scale, o);
  if (o.focalLengthFactor > 0) {
    const f = o.focalLengthFactor * Math.max(width, height);
    const { camera } = pose(f);
    return { camera, estimate: report(f, 0, "fixed", { exif: null, foreshortening: null, distancePrior: null }, camera, scale, diag) };
  }

  // The grid of focal lengths and each cue's log-density on it.
  const lnMin = Math.log(toPx(o.minFocal35mm)), lnMax = Math.log(toPx(o.maxFocal35mm));
  const lnF = Array.from({ length: o.gridSteps }, (_, i) => lnMin + ((lnMax - lnMin) * i) / (o.gridSteps - 1));
  // Each focal length starts from a neighbour's pose pushed back in proportion (the face keeps its
  // size on screen). The face's width-to-height ratio is fitted too: a slim face is otherwise read
  // as a near camera (both shrink the cheeks against the nose).
  type Posed = ReturnType<typeof refinePoseAndProportions>;
  const poseFrom = (l: number, from: Posed | undefined, iterations: number): Posed => {
    if (!from) return refinePoseAndProportions(pose(Math.exp(l)).camera, points, pixels, weights);
    const c = from.camera, k = Math.exp(l) / c.fx;
    const start = { ...c, fx: c.fx * k, fy: c.fy * k, translation: Float64Array.from(c.translation, (v, i) => (i === 2 ? v * k : v)) };
    return refinePoseAndProportions(start, points, pixels, weights, iterations, from);
  };
  const distanceSd = Math.hypot(o.distancePriorSdLn, scale.sdLn);
  const exif = exifCue(input.lens, width, height, diag, o.exifSdLn);
  const misfitLogLikelihood = (p: Posed) => -(o.effectiveLandmarks / 2) * Math.log(Math.max(p.rms ** 2, 1e-12));
  // Camera to face along the optical axis, metres.
  const distanceOf = (p: Posed) => scale.value * faceDepth(p.camera, points);
  const posed: Posed[] = [];
  for (const l of lnF) posed.push(poseFrom(l, posed[posed.length - 1], o.gridIterations));
  // The calibrated cue reads the landmarks' misfit at the perspective they show, which runs past
  // the grid's long end to none at all: poses beyond it, coarser, and one near the far limit.
  const response = o.perspectiveResponse;
  let shown: ((truePerM: number, sinTurnSquared: number) => number) | null = null;
  if (response) {
    const beyond: Posed[] = [];
    const step = lnF[1] - lnF[0];
    for (let l = lnMax + 2 * step; l < lnMax + Math.log(30); l += 2 * step) beyond.push(poseFrom(l, beyond[beyond.length - 1] ?? posed[posed.length - 1], o.gridIterations));
    beyond.push(poseFrom(lnMax + Math.log(1000), beyond[beyond.length - 1], o.gridIterations));
    const all = [...posed, ...beyond];
    shown = perspectiveLikelihood(all.map((p) => 1 / distanceOf(p)), all.map(misfitLogLikelihood), response);
  }
  // The three cues' log-densities at one focal length (the foreshortening's up to a constant).
  const cuesAt = (l: number, p: Posed) => ({
    foreshortening: shown ? shown(1 / distanceOf(p), sinTurnSquared(p.camera)) : misfitLogLikelihood(p),
    distance: -((Math.log(distanceOf(p)) - Math.log(o.distancePriorM)) ** 2) / (2 * distanceSd ** 2),
    exif: exif ? exif.logDensity(l) : 0,
  });
  const sumOf = (c: ReturnType<typeof cuesAt>) => c.foreshortening + c.distance + c.exif;
  const cueGrid = lnF.map((l, i) => cuesAt(l, posed[i]));
  const logPost = cueGrid.map(sumOf);
  const misfit = posed.map((p) => p.rms ** 2);
  const least = Math.max(Math.min(...misfit), 1e-12);
  const foreshortening = cueGrid.map((c) => c.foreshortening);
  const exifTerm = cueGrid.map((c) => c.exif);

  // Posterior mean and SD of ln f over the grid.
  const top = Math.max(...logPost);
  const p = logPost.map((v) => Math.exp(v - top));
  const total = p.reduce((s, v) => s + v, 0);
  let mean = p.reduce((s, v, i) => s + v * lnF[i], 0) / total;
  let sd = Math.sqrt(Math.max(p.reduce((s, v, i) => s + v * (lnF[i] - mean) ** 2, 0) / total, 0));
  // Narrower than the grid's step: the peak found between its neighbours (golden section), the SD from the curvature there.
  const step = lnF[1] - lnF[0], peak = logPost.indexOf(top);
  if (sd < step && peak > 0 && peak < lnF.length - 1) {
    const at = (l: number) => sumOf(cuesAt(l, poseFrom(l, posed[peak], o.gridIterations)));
    const g = (Math.sqrt(5) - 1) / 2;
    let a = lnF[peak - 1], b = lnF[peak + 1];
    let x1 = b - g * (b - a), x2 = a + g * (b - a), f1 = at(x1), f2 = at(x2);
    for (let it = 0; it < 12; it++) {
      if (f1 > f2) {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - g * (b - a);
        f1 = at(x1);
      } else {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + g * (b - a);
        f2 = at(x2);
      }
    }
    mean = (a + b) / 2;
    const h = step / 4, curve = (at(mean + h) - 2 * at(mean) + at(mean - h)) / (h * h);
    sd = curve < 0 ? 1 / Math.sqrt(-curve) : sd;
  }
  const f = Math.exp(mean);
  const { camera } = pose(f);
  // How much each cue narrows ln f: its curvature at the estimate (a prior's 1/σ²), as a share of the total.
  const curvature = (term: number[]) => {
    const i = Math.min(Math.max(1, nearest(lnF, mean)), lnF.length - 2);
    const h = lnF[1] - lnF[0];
    return Math.max(0, -(term[i + 1] - 2 * term[i] + term[i - 1]) / (h * h));
  };
  const precision = { exif: exif ? curvature(exifTerm) : 0, foreshortening: curvature(foreshortening), distancePrior: 1 / distanceSd ** 2 };
  const sum = precision.exif + precision.foreshortening + precision.distancePrior;
  const decided = (Object.keys(precision) as (keyof typeof precision)[]).reduce((a, b) => (precision[b] > precision[a] ? b : a));
  const names = { exif: exif?.kind === "bound" ? "EXIF (upper bound)" : "EXIF", foreshortening: "foreshortening", distancePrior: "distance prior" } as const;
  const cues = {
    exif: exif ? { focal35mm: (Math.exp(exif.lnFocal) / diag) * FULL_FRAME_DIAGONAL_MM, kind: exif.kind, camera: input.lens?.camera ?? null, share: precision.exif / sum } : null,
    foreshortening: {
      bestFocal35mm: (Math.exp(lnF[foreshortening.indexOf(Math.max(...foreshortening))]) / diag) * FULL_FRAME_DIAGONAL_MM,
      apparentFocal35mm: (Math.exp(lnF[misfit.indexOf(Math.min(...misfit))]) / diag) * FULL_FRAME_DIAGONAL_MM,
      misfitIod: Math.sqrt(least) / input.interocularPx,
      share: precision.foreshortening / sum,
    },
    distancePrior: { medianM: o.distancePriorM, sdLn: distanceSd, share: precision.distancePrior / sum },
  };
  return { camera, estimate: report(f, sd, names[decided], cues, camera, scale, diag) };

  function sinTurnSquared(camera: Camera): number {
    // The face's forward axis (template +Z) in camera space against the ray from the face to the camera.
    const R = camera.rotation, t = camera.translation;
    const n = [R[2], R[5], R[8]], len = Math.hypot(t[0], t[1], t[2]);
    const c = -(n[0] * t[0] + n[1] * t[1] + n[2] * t[2]) / len;
    return Math.max(0, 1 - c * c);
  }

  function faceDepth(camera: Camera, pts: Float64Array): number {
    // Mean camera-space depth of the landmark points, template metres.
    const R = camera.rotation, t = camera.translation;
    let s = 0;
    const n = pts.length / 3;
    for (let i = 0; i < n; i++) s -= R[6] * pts[3 * i] + R[7] * pts[3 * i + 1] + R[8] * pts[3 * i + 2] + t[2];
    return s / n;
  }
}

interface ScaleEstimate {
  value: number;
  sdLn: number;
  decidedBy: string;
  irisDiameterPx: number | null;
  iris: CameraEstimate["irisSize"];
}

/** The head's size ÷ the template's, from the iris (when measured) and ANSUR II's spread of face size. */
function metricScale(input: IntrinsicsInput, pxPerTemplateM: number, o: Required<IntrinsicsOptions>): ScaleEstimate {
  // Prior: the mean face (the template's size), SD of the mean log face dimension [S1].
  const f = FACE_DIMENSIONS.length;
  let v = 0;
  for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) v += LOG_COVARIANCE[a][b] / (f * f);
  const priorSd = Math.sqrt(v);
  const iris = irisDiameterPx(input.landmarks, input.confidence);
  if (!iris) return { value: 1, sdLn: priorSd, decidedBy: "anthropometric prior", irisDiameterPx: null, iris: null };
  // The iris in template metres if the head were the template's size; the true iris is HVID.
  const hvid = HVID;
  const measuredLn = Math.log(hvid.mean / (iris / pxPerTemplateM));
  const irisSd = Math.hypot(hvid.sd / hvid.mean, o.irisModelSdLn, 1 / iris);
  const wIris = 1 / irisSd ** 2, wPrior = 1 / priorSd ** 2;
  const ln = (wIris * measuredLn) / (wIris + wPrior);
  return { value: Math.exp(ln), sdLn: 1 / Math.sqrt(wIris + wPrior), decidedBy: wIris > wPrior ? "iris" : "anthropometric prior (iris weighed in)", irisDiameterPx: iris, iris: { logRatio: measuredLn, sdLn: irisSd } };
}

/**
 * The visible iris diameter in the photo, pixels: per eye the longer of the two chords through the
 * iris landmarks (a turned iris is an ellipse whose long axis is the diameter), the mean of both
 * eyes; null when the iris landmarks are not confident.
 */
export function irisDiameterPx(lm: ArrayLike<number>, confidence: ArrayLike<number>, minConfidence = 0.5): number | null {
  const chord = (a: number, b: number) => Math.hypot(lm[3 * a] - lm[3 * b], lm[3 * a + 1] - lm[3 * b + 1]);
  const eyes = [RIGHT_IRIS, LEFT_IRIS].filter((ids) => ids.every((i) => confidence[i] >= minConfidence)).map((ids) => Math.max(chord(ids[1], ids[3]), chord(ids[2], ids[4])));
  return eyes.length ? eyes.reduce((s, d) => s + d, 0) / eyes.length : null;
}

interface ExifCue {
  kind: "exact" | "bound";
  lnFocal: number;
  logDensity: (lnF: number) => number;
}

/** The EXIF cue on ln f (pixels of the image as given), or null when EXIF says nothing usable. */
function exifCue(lens: LensHint | null | undefined, width: number, height: number, diag: number, sdLn: number): ExifCue | null {
  if (!lens) return null;
  const gauss = (centre: number, sd: number) => (l: number) => -((l - centre) ** 2) / (2 * sd * sd);
  const above = (bound: number) => (l: number) => (l > bound ? -((l - bound) ** 2) / (2 * sdLn * sdLn) : 0);
  const written = lens.pixelWidth && lens.pixelHeight ? [lens.pixelWidth, lens.pixelHeight] : null;
  const aspect = (a: number, b: number) => Math.max(a, b) / Math.min(a, b);
  const sameFrame = written ? Math.abs(aspect(written[0], written[1]) / aspect(width, height) - 1) < 0.01 : null;
  if (lens.focalLength35mm) {
    // On the full frame (or the same frame scaled) the 35 mm equivalent holds on the current diagonal.
    if (sameFrame !== false) {
      const l = Math.log((lens.focalLength35mm / FULL_FRAME_DIAGONAL_MM) * diag);
      // No written size: the frame is assumed whole, less surely.
      return { kind: "exact", lnFocal: l, logDensity: gauss(l, sameFrame ? sdLn : 3 * sdLn) };
    }
    const l = Math.log((lens.focalLength35mm / FULL_FRAME_DIAGONAL_MM) * Math.hypot(written![0], written![1]));
    return { kind: "bound", lnFocal: l, logDensity: above(l) };
  }
  if (lens.focalLengthMm && lens.focalPlanePxPerMm) {
    const l = Math.log(lens.focalLengthMm * lens.focalPlanePxPerMm);
    return { kind: "bound", lnFocal: l, logDensity: above(l) };
  }
  return null;
}

function report(f: number, sdLn: number, decidedBy: string, cues: CameraEstimate["cues"], camera: Camera, scale: ScaleEstimate, diag: number): CameraEstimate {
  const depth = -camera.translation[2];
  return {
    focalPx: f,
    focal35mm: (f / diag) * FULL_FRAME_DIAGONAL_MM,
    focalSdLn: sdLn,
    focalDecidedBy: decidedBy,
    cues,
    distanceM: depth * scale.value,
    metricScale: scale.value,
    metricScaleSdLn: scale.sdLn,
    scaleDecidedBy: scale.decidedBy,
    irisDiameterPx: scale.irisDiameterPx,
    irisSize: scale.iris,
  };
}

function nearest(xs: number[], x: number): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
  return best;
}
