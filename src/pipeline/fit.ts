/**
 * fit: the template head made into the photographed person, with the camera that sees them.
 *
 * 1. Camera and pose: the focal length from EXIF, the landmarks' foreshortening and a prior on the
 *    camera's distance (fit/intrinsics.ts); a similarity (Procrustes) from the template's landmark
 *    vertices to the photo's 3D landmarks gives rotation and scale, a pinhole camera places the head
 *    at the depth that scale implies, Gauss–Newton on the 2D reprojection refines it. The head's
 *    metric size (iris, anthropometric prior) scales the result at the end.
 * 2. Shape: each face landmark gets a target on its camera ray (so it reprojects onto the photo),
 *    at a depth between the posed template's and the one the landmarks' z implies, that z first
 *    smoothed to what stands out of its noise and cleared of tilts the pose already fixed
 *    (fit/depth-posterior.ts). A face-oval landmark where the template is near grazing marks the
 *    outline, not a point of the skin: across the outline it stands, along the view and along the
 *    outline it shares its target with what the rest of the face predicts there (fit/oval-grazing.ts).
 *    A regularised 3D thin-plate warp through those targets moves the whole head. Anchors on the
 *    scalp and neck take the vault, jaw and neck proportions that the anthropometric surveys
 *    predict from the face's own proportions (fit/head-targets.ts), so the far side of the head
 *    varies with the person without being dragged by the face's detail.
 * 3. Eyes: each eyeball moves rigidly with the warp at its centre and turns so that its iris
 *    centre lies on the photo's iris ray.
 * 4. Expression (fit/expression.ts): the photo's expression solved as ARKit blendshape weights on
 *    an identity-only head, then taken out of the landmark targets before the warp of step 2, so
 *    the fitted head is neutral (at the expressive landmarks the solve's identity decides; the
 *    residual goes to the head as photographed); the eyeballs then look straight ahead (gaze is in
 *    the weights). Optionally (`imageNoiseSdIod`) the neutral targets' image-plane positions are then
 *    smoothed to the detector's noise (fit/image-posterior.ts), what is taken off going to the head
 *    as photographed too.
 * 5. Visibility: per vertex of the head as photographed (neutral + expression), facing the camera
 *    and not behind its z-buffer.
 */
import { computeNormals, computeTangents, weldMap } from "../geometry/mesh-utils.ts";
import { quaternionToMatrix } from "../geometry/procrustes.ts";
import { LEFT_EYE_CONTOUR, LEFT_IRIS, LEFT_IRIS_START, RIGHT_EYE_CONTOUR, RIGHT_IRIS, RIGHT_IRIS_START } from "../primitives/face-topology.ts";
import { cameraCentre } from "../render/camera.ts";
import { EYE_PARTS, LANDMARK_COUNT, type Camera, type CaptureResult, type FitResult, type LensHint, type TemplateHead } from "../types.ts";
import { project } from "./fit/pose.ts";
import { estimateIntrinsics, INTRINSICS_DEFAULTS, type IntrinsicsOptions } from "./fit/intrinsics.ts";
import { cheekShift, chinShift, earAnchorVertices, faceShift, headAnchorVertices, nearEarWeight, underChinWeight } from "./fit/anchors.ts";
import { anchorDisplacements, LANDMARK_SD_IOD, predictedHeadMm, predictHeadProportions } from "./fit/head-targets.ts";
import { fitFactoredWarp, fitWarp, warpAt } from "./fit/warp.ts";
import { HEAD_OUTLINE_DEFAULTS, headOutlineProportions, type HeadOutlineOptions } from "./fit/head-outline.ts";
import { depthPosterior } from "./fit/depth-posterior.ts";
import { imagePlanePosterior } from "./fit/image-posterior.ts";
import { EARS_DEFAULTS, earsSummary, fitEars, type EarsOptions } from "./fit/ears.ts";
import { SILHOUETTE_DEFAULTS, silhouetteWarp, warpedPositions, type SilhouetteOptions } from "./fit/silhouette.ts";
import { EXPRESSION_DEFAULTS, expressiveLandmarks, photoExpression, photographedHead, type ExpressionOptions } from "./fit/expression.ts";
import { visibility } from "./fit/visibility.ts";
import { ovalGrazing, slideOvalTargets } from "./fit/oval-grazing.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";

export interface FitOptions {
  /** The camera's focal length and the head's metric size (fit/intrinsics.ts; `focalLengthFactor` > 0 fixes the focal length). */
  intrinsics?: IntrinsicsOptions;
  /** Scale the fitted head (and the camera's translation) to the estimated metric size; false keeps the template's size. */
  metricScale?: boolean;
  /** 0 = keep the template's depth profile, 1 = take the landmarks' depth (z) as is. */
  depthWeight?: number;
  /** SD of a landmark's depth reading as a fraction of the inter-pupillary distance: the landmarks' depth is smoothed until its residual is this large (fit/depth-posterior.ts; 0 takes each landmark's depth as read). */
  depthNoiseSdIod?: number;
  /** Per-axis SD of a landmark's image position as a fraction of the inter-pupillary distance: the neutral head's targets across the image plane are smoothed until their residual is this large, the residual going to the head as photographed (fit/image-posterior.ts; LANDMARK_SD_IOD is the detector's published error; 0, or the expression step off, keeps them exact). */
  imageNoiseSdIod?: number;
  /** Warp smoothing at a landmark of confidence 1, metres (thin-plate λ; divided by the confidence). */
  smoothingM?: number;
  /** The neck anchors under the chin follow the chin's border up or down, forward or back (fit/anchors.ts `underChinWeight`); false leaves them at the predicted head. */
  chinCarriesNeck?: boolean;
  /** Warp smoothing at the anchors (scalp, neck, ears) that hold the head's far side, metres. */
  anchorSmoothingM?: number;
  /** Per-axis SD of a face landmark as a fraction of the inter-pupillary distance: how far the face's measured proportions are trusted when the head is predicted from them (larger keeps the head nearer the survey mean). */
  landmarkSdIod?: number;
  /** The head is predicted from the face's metric size (the iris) as well as its proportions, so the head-to-face ratio follows the survey's allometry (fit/head-targets.ts `FaceSizeReading`); false: proportions only, the head scaled with the face. Needs `metricScale`. */
  headFromFaceSize?: boolean;
  /** The head is predicted from the survey's male and female heads weighted by capture's reading of the face's apparent sex (geometry/head-prediction.ts `predictHeadFromFaceAndSex`): the sexes differ most in the neck's girth against the face; false (or no reading): the sexes pooled. */
  headFromApparentSex?: boolean;
  /** A face-oval landmark where the posed template is near grazing fixes the outline, not which point of the skin is there: its depth reading and its target along the view count by sin² of the surface's angle to the ray (fit/oval-grazing.ts); false takes them as read. */
  grazingOval?: boolean;
  /** Landmark confidence below which a landmark is ignored (0..1). */
  minConfidence?: number;
  /** Largest turn of an eyeball toward its iris landmark, degrees. */
  maxGazeDeg?: number;
  /** Long side of the visibility z-buffer, pixels. */
  visibilityResolution?: number;
  /** A vertex counts as hidden when it lies this far behind the z-buffer, metres. */
  visibilityToleranceM?: number;
  /** Fewest confident face landmarks (of 468) the fit accepts; fewer and it throws. */
  minLandmarks?: number;
  /** The silhouette term: the head's occluding contour held to the photo's outline (fit/silhouette.ts; `iterations: 0` turns it off). */
  silhouette?: SilhouetteOptions;
  /** The head's outline beyond the face (vault under hair, neck) as evidence on its predicted proportions (fit/head-outline.ts; `enabled: false` keeps the prediction from the face alone). */
  headOutline?: HeadOutlineOptions;
  /** The ears' length, protrusion and height read from the photo's outline against the survey's prediction from the face (fit/ears.ts; `enabled: false` keeps the template's ears). */
  ears?: EarsOptions;
  /** The expression step: the photo's expression as blendshape weights, kept out of the head's shape (fit/expression.ts; `enabled: false` bakes it into the shape as before). */
  expression?: ExpressionOptions;
}

export const FIT_DEFAULTS: Required<FitOptions> = {
  intrinsics: INTRINSICS_DEFAULTS,
  metricScale: true,
  depthWeight: 0.5,
  // A depth reading is at least as noisy as the landmark's image position (the face mesh infers z; it sees x and y).
  depthNoiseSdIod: LANDMARK_SD_IOD,
  // Off: at any noise SD from LANDMARK_SD_IOD down to a quarter of it the smoothing took more of the face's between-person shape than of its photo-to-photo noise (docs/evaluation.md, "The landmarks' image positions as a posterior").
  imageNoiseSdIod: 0,
  smoothingM: 1e-4,
  chinCarriesNeck: true,
  anchorSmoothingM: 5e-3,
  landmarkSdIod: LANDMARK_SD_IOD,
  headFromFaceSize: false,
  headFromApparentSex: true,
  grazingOval: true,
  minConfidence: 0.05,
  maxGazeDeg: 35,
  visibilityResolution: 1024,
  visibilityToleranceM: 0.002,
  minLandmarks: 50,
  silhouette: SILHOUETTE_DEFAULTS,
  headOutline: HEAD_OUTLINE_DEFAULTS,
  ears: EARS_DEFAULTS,
  expression: EXPRESSION_DEFAULTS,
};

/** What fit reads: the photo's landmarks and their confidence, and the template head to deform. */
export interface FitInput {
  capture: Pick<CaptureResult, "image" | "landmarks" | "landmarkConfidence"> & Partial<Pick<CaptureResult, "masks" | "apparentSex">>;
  head: TemplateHead;
  /** What the photo's EXIF says about the lens (absent: nothing). */
  lens?: LensHint | null;
}

/**
 * Fits the template head to one captured face. Pure and deterministic; synchronous (it checks the
 * signal once, before it starts).
 *
 *   const result = fit({ capture: await capture({ image }), head: buildTemplateHead() });
 *   result.reprojectionErrorPx / result.interocularPx;   // < 0.02 on a good photo
 */
export function fit(input: FitInput, options: FitOptions = {}, context: StageContext = {}): FitResult {
  const o = withDefaults(FIT_DEFAULTS, options);
  const log = loggerOf(context);
  throwIfAborted(context);
  const { capture, head } = input;
  const { width, height } = capture.image;
  const lm = capture.landmarks;
  if (lm.length !== LANDMARK_COUNT * 3) throw new Error(`fit: expected ${LANDMARK_COUNT} landmarks, got ${lm.length / 3}`);
  for (const v of lm) if (!Number.isFinite(v)) throw new Error("fit: landmarks must be finite numbers");
  const pos = head.mesh.positions;
  const lv = head.landmarkVertices;
  const faceIds = Array.from({ length: 468 }, (_, i) => i).filter((i) => capture.landmarkConfidence[i] >= o.minConfidence);
  if (faceIds.length < o.minLandmarks) throw new Error(`fit: only ${faceIds.length} face landmarks are confident enough to fit (need ${o.minLandmarks})`);
  const weights = Float64Array.from(faceIds, (i) => capture.landmarkConfidence[i]);
  const points = new Float64Array(faceIds.length * 3);
  faceIds.forEach((i, k) => points.set(pos.subarray(3 * lv[i], 3 * lv[i] + 3), 3 * k));
  const pixels = Float64Array.from(faceIds.flatMap((i) => [lm[3 * i], lm[3 * i + 1]]));

  // 1. Camera and pose; with the expression fitted, from the landmarks no expression moves (an open jaw would pitch the head).
  const expressionOptions = { ...EXPRESSION_DEFAULTS, ...o.expression };
  const expressive = expressionOptions.enabled ? expressiveLandmarks(head, expressionOptions.expressiveM) : undefined;
  const poseWeights = expressive ? weights.map((w, k) => (expressive[faceIds[k]] ? 0 : w)) : weights;
  const { camera, estimate } = estimateIntrinsics({ points, pixels, weights: poseWeights, sizeWeights: weights, ids: faceIds, landmarks: lm, confidence: capture.landmarkConfidence, width, height, interocularPx: interocularOf(lm), lens: input.lens }, o.intrinsics);
  const focal = camera.fx;
  log.debug(`fit: focal ${estimate.focal35mm.toFixed(0)} mm (35 mm-equivalent, ±${(100 * estimate.focalSdLn).toFixed(0)} %, decided by ${estimate.focalDecidedBy}), head ${estimate.metricScale.toFixed(3)} × the template's size (${estimate.scaleDecidedBy}), ${estimate.distanceM.toFixed(2)} m away`);

  // 2. Warp targets on the landmark rays.
  const Rt = camera.rotation, t = camera.translation;
  const camPt = (p: ArrayLike<number>, off: number) => [0, 1, 2].map((r) => Rt[3 * r] * p[off] + Rt[3 * r + 1] * p[off + 1] + Rt[3 * r + 2] * p[off + 2] + t[r]);
  const depths = faceIds.map((_, k) => -camPt(points, 3 * k)[2]);
  const meanDepth = depths.reduce((s, d) => s + d, 0) / depths.length;
  const meanZ = faceIds.reduce((s, i) => s + lm[3 * i + 2], 0) / faceIds.length;
  const metresPerPx = meanDepth / focal;
  const back = headAnchorVertices(head);
  const ears = earAnchorVertices(head);
  const anchors = [...back, ...ears.left, ...ears.right];
  const nc = faceIds.length + anchors.length;
  const centres = new Float64Array(nc * 3), disp = new Float64Array(nc * 3), lambda = new Float64Array(nc);
  // The landmarks' depth relative to the posed template's, smoothed to what stands out of their noise (fit/depth-posterior.ts).
  const readings = Float64Array.from(faceIds, (i, k) => meanDepth + (lm[3 * i + 2] - meanZ) * metresPerPx - depths[k]);
  // A face-oval landmark where the template is near grazing reads its depth and its place along the view weakly (fit/oval-grazing.ts).
  const grazing = o.grazingOval ? ovalGrazing(head, faceIds, camera) : undefined;
  const depthWeights = grazing ? weights.map((w, k) => w * grazing.share[k]) : weights;
  const depthOffsets = o.depthNoiseSdIod > 0 ? depthPosterior(points, readings, depthWeights, o.depthNoiseSdIod * templateInterpupillaryM(head)) : { offsets: readings, lambdaM: 0, residualM: 0 };
  if (o.depthNoiseSdIod > 0) log.debug(`fit: landmark depth smoothed to ${(1000 * depthOffsets.residualM).toFixed(2)} mm RMS from the readings (λ ${depthOffsets.lambdaM.toExponential(1)} m)`);
  faceIds.forEach((i, k) => {
    const templateDepth = depths[k];
    const d = templateDepth + o.depthWeight * depthOffsets.offsets[k];
    const target = [((lm[3 * i] - camera.cx) * d) / camera.fx, ((camera.cy - lm[3 * i + 1]) * d) / camera.fy, -d];
    // Back to world: Rᵀ(target − t).
    for (let c = 0; c < 3; c++) {
      const w = Rt[c] * (target[0] - t[0]) + Rt[3 + c] * (target[1] - t[1]) + Rt[6 + c] * (target[2] - t[2]);
      centres[3 * k + c] = points[3 * k + c];
      disp[3 * k + c] = w - points[3 * k + c];
    }
    lambda[k] = o.smoothingM / Math.max(weights[k], 1e-3);
  });
  // The far side of the head takes the proportions predicted from the face's, and the face's mean shift.
  const shift = faceShift(disp, weights);
  const size = o.headFromFaceSize && o.metricScale && estimate.irisSize ? { ...estimate.irisSize, headLogScale: Math.log(estimate.metricScale) } : undefined;
  const maleProbability = o.headFromApparentSex ? capture.apparentSex?.maleProbability : undefined;
  const predicted = predictHeadProportions(lm, capture.landmarkConfidence, o.minConfidence, o.landmarkSdIod, size, maleProbability);
  const anchorDisp = anchorDisplacements(head, anchors, predicted.proportions, shift);
  const mm = predictedHeadMm(predicted.proportions);
  if (maleProbability !== undefined) log.debug(`fit: head predicted as ${(100 * (predicted.prediction.maleProbability ?? maleProbability)).toFixed(0)} % a man's (apparent sex ${(100 * maleProbability).toFixed(0)} %, with the face's proportions)`);
  log.debug(`fit: head predicted from the face: breadth ${mm.breadth.toFixed(1)} mm, length ${mm.length.toFixed(1)} mm, tragion–vertex ${mm.tragionToVertex.toFixed(1)} mm, neck ${mm.neckCircumference.toFixed(0)} mm round`);
  // The ears move sideways with the cheek edge beside them (see fit/anchors.ts).
  const cheeks = cheekShift(faceIds, disp, weights, shift[0]);
  if (cheeks) log.debug(`fit: ears follow the cheeks sideways by ${(1000 * cheeks.left).toFixed(1)} mm (left), ${(1000 * cheeks.right).toFixed(1)} mm (right)`);
  anchors.forEach((v, a) => {
    const k = faceIds.length + a;
    const d = anchorDisp.subarray(3 * a, 3 * a + 3);
    // Ears follow the cheeks; the scalp round them blends from the predicted head into the ears' shift.
    if (cheeks && a >= back.length) d[0] = a < back.length + ears.left.length ? cheeks.left : cheeks.right;
    else if (cheeks) d[0] += nearEarWeight(pos, v) * ((pos[3 * v] > 0 ? cheeks.left : cheeks.right) - d[0]);
    for (let c = 0; c < 3; c++) {
      centres[3 * k + c] = pos[3 * v + c];
      disp[3 * k + c] = d[c];
    }
    lambda[k] = o.anchorSmoothingM;
  });
  // The photo's expression, solved on a head warped through the landmarks no expression moves, then taken out of the face's targets.
  // What the neutral head leaves of the expressive landmarks' residual: the head as photographed takes it (step 5).
  const photoResidual = new Float64Array(3 * faceIds.length);
  const expression = expressionOptions.enabled ? photoExpression({ head, targets: { centres, displacements: disp, lambda }, faceIds, camera, landmarks: lm, confidence: capture.landmarkConfidence, minConfidence: o.minConfidence, interocularPx: interocularOf(lm) }, expressionOptions) : undefined;
  if (expression) {
    log.debug(`fit: expression ${Object.entries(expression.record).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ") || "neutral"}; landmarks ${expression.solve.neutralErrorPx.toFixed(2)} → ${expression.solve.expressedErrorPx.toFixed(2)} px on the identity-only head`);
    // At the expressive landmarks the neutral target is the solve's identity plus a share of its residual (ExpressionOptions.expressiveResidualShare).
    const share = expressionOptions.expressiveResidualShare;
    faceIds.forEach((i, k) => {
      for (let c = 0; c < 3; c++) {
        const neutral = disp[3 * k + c] - expression.field[3 * lv[i] + c];
        const residual = expressive?.[i] ? neutral - expression.identity[3 * i + c] : 0;
        disp[3 * k + c] = neutral - (1 - share) * residual;
        photoResidual[3 * k + c] = (1 - share) * residual;
      }
    });
  }
  // The neutral face's image-plane targets smoothed to the detector's noise; what is taken off stays the photo's (fit/image-posterior.ts).
  if (expression && o.imageNoiseSdIod > 0) {
    const nf = faceIds.length;
    const smoothed = imagePlanePosterior(points, disp.subarray(0, 3 * nf), camera.rotation, weights, o.imageNoiseSdIod * templateInterpupillaryM(head));
    disp.set(smoothed.displacements);
    for (let j = 0; j < 3 * nf; j++) photoResidual[j] += smoothed.removed[j];
    log.debug(`fit: landmark image positions smoothed to ${(1000 * smoothed.residualM).toFixed(2)} mm RMS per axis from the targets (λ ${smoothed.lambdaM.toExponential(1)} m)`);
  }
  // The oval's neutral targets along the view, where grazing, shared with what the rest of the face predicts there; the photographed head keeps the reading.
  if (grazing) {
    const slid = slideOvalTargets({ centres, displacements: disp, lambda }, faceIds.length, grazing);
    disp.set(slid.displacements);
    if (expression) for (let j = 0; j < slid.removed.length; j++) photoResidual[j] += slid.removed[j];
  }
  // The skin under the chin follows the neutral chin's border up or down, forward or back (fit/anchors.ts).
  const chin = o.chinCarriesNeck ? chinShift(faceIds, disp, weights) : undefined;
  if (chin) {
    back.forEach((v, a) => {
      const w = underChinWeight(pos, head, v), k = 3 * (faceIds.length + a);
      disp[k + 1] += w * (chin.y - disp[k + 1]);
      disp[k + 2] += w * (chin.z - disp[k + 2]);
    });
  }
  // The head's outline beyond the face (vault, neck) as evidence on its proportions; the scalp and neck anchors take the change.
  const headOutlineOptions = { ...HEAD_OUTLINE_DEFAULTS, ...o.headOutline };
  if (headOutlineOptions.enabled && capture.masks) {
    const posed = warpedPositions(head, fitFactoredWarp({ centres, displacements: disp, lambda }).warp, expression?.field);
    const read = headOutlineProportions({ head, camera, image: capture.image, masks: capture.masks, positions: posed, expression: expression?.field, interocularPx: interocularOf(lm), prediction: predicted.prediction, proportions: predicted.proportions }, headOutlineOptions);
    const zero = [0, 0, 0];
    const [before, after] = [anchorDisplacements(head, back, predicted.proportions, zero), anchorDisplacements(head, back, read.proportions, zero)];
    back.forEach((v, a) => {
      const k = 3 * (faceIds.length + a);
      // The blends toward the ears' and the chin's shifts above keep their share.
      const keepX = cheeks ? 1 - nearEarWeight(pos, v) : 1, keepYZ = chin ? 1 - underChinWeight(pos, head, v) : 1;
      disp[k] += keepX * (after[3 * a] - before[3 * a]);
      disp[k + 1] += keepYZ * (after[3 * a + 1] - before[3 * a + 1]);
      disp[k + 2] += keepYZ * (after[3 * a + 2] - before[3 * a + 2]);
    });
    const shifts = Object.entries(read.report.shifts).map(([d, s]) => `${d} ${(100 * s.shift).toFixed(1)} % (SD ${(100 * s.priorSd).toFixed(1)} → ${(100 * s.posteriorSd).toFixed(1)} %)`);
    const mmAfter = predictedHeadMm(read.proportions);
    log.debug(`fit: the head's outline (${read.report.groups.map((g) => `${g.dimension} ${g.readings}`).join(", ") || "no readings"}): ${shifts.join(", ") || "no evidence"}; head breadth ${mmAfter.breadth.toFixed(1)} mm, length ${mmAfter.length.toFixed(1)} mm, tragion–vertex ${mmAfter.tragionToVertex.toFixed(1)} mm, neck ${mmAfter.neckCircumference.toFixed(0)} mm round`);
  }
  // The head's occluding contour (as photographed) held to the photo's outline (jaw, cheeks, neck, ears) where the masks say it is the head's.
  const { warp, report: outline } = silhouetteWarp({ head, camera, image: capture.image, masks: capture.masks, interocularPx: interocularOf(lm), base: { centres, displacements: disp, lambda }, priors: { first: faceIds.length, count: back.length }, ...(expression ? { expression: expression.field } : {}) }, o.silhouette);
  if (outline.pairsBefore) log.debug(`fit: the photo's outline ${(100 * outline.beforeIod).toFixed(2)} → ${(100 * outline.lastIod).toFixed(2)} % IOD from the head's contour over the rounds (${outline.constraints.join(", ")} constraints, ${outline.released.join(", ")} head anchors released)`);

  // Apply to every skin vertex; eyeballs move rigidly (below).
  const nv = pos.length / 3;
  const out = Float32Array.from(pos);
  const eyeVertex = new Uint8Array(nv);
  for (const p of head.parts) if (EYE_PARTS.includes(p.part)) for (let i = p.firstIndex; i < p.firstIndex + p.indexCount; i++) eyeVertex[head.mesh.indices[i]] = 1;
  const d3 = new Float64Array(3);
  for (let v = 0; v < nv; v++) {
    if (eyeVertex[v]) continue;
    warpAt(warp, pos[3 * v], pos[3 * v + 1], pos[3 * v + 2], d3);
    for (let c = 0; c < 3; c++) out[3 * v + c] = pos[3 * v + c] + d3[c];
  }
  // The ears' length, protrusion and height from the photo's outline beside them (fit/ears.ts).
  const earsOptions = { ...EARS_DEFAULTS, ...o.ears };
  if (earsOptions.enabled) {
    const ears = fitEars({ head, camera, image: capture.image, masks: capture.masks, positions: out, interocularPx: interocularOf(lm), prediction: predicted.prediction }, earsOptions);
    out.set(ears.positions);
    log.debug(`fit: ${earsSummary(ears.report)}`);
  }

  // 3. Eyeballs.
  for (const part of head.parts) {
    if (!EYE_PARTS.includes(part.part)) continue;
    const irisIds = part.part === "eyeRight" ? rightIrisIds(head) : leftIrisIds(head);
    moveEyeball(head, part, out, warp, camera, lm, irisIds, expression ? 0 : o.maxGazeDeg);
  }

  // 4. The head at its metric size: positions and the camera's translation scale alike, so every projection stays.
  const k = o.metricScale ? estimate.metricScale : 1;
  if (k !== 1) {
    for (let i = 0; i < out.length; i++) out[i] *= k;
    for (let c = 0; c < 3; c++) camera.translation[c] *= k;
  }

  // 5. Mesh attributes, the head as photographed, visibility, errors.
  const weld = weldMap(out);
  const mesh = meshOf(out, head, weld);
  const seen = expression ? photographedHead(out, head, expression.solve.weights) : undefined;
  if (seen) addResidual(seen.positions, head, eyeVertex, centres.subarray(0, 3 * faceIds.length), photoResidual, o.smoothingM, k);
  const photographed = seen ? meshOf(seen.positions, head, weld) : mesh;
  const vertexVisibility = visibility(photographed.positions, photographed.normals, photographed.indices, camera, o.visibilityResolution, o.visibilityToleranceM);
  const used = Array.from({ length: LANDMARK_COUNT }, (_, i) => i).filter((i) => capture.landmarkConfidence[i] >= o.minConfidence);
  const error = (positions: Float32Array) => {
    const q = new Float64Array(2);
    let se = 0;
    for (const i of used) {
      project(camera, positions, q, 3 * lv[i]);
      se += (q[0] - lm[3 * i]) ** 2 + (q[1] - lm[3 * i + 1]) ** 2;
    }
    return Math.sqrt(se / used.length);
  };
  const result: FitResult = { mesh, camera, vertexVisibility, reprojectionErrorPx: error(photographed.positions), interocularPx: interocularOf(lm), cameraEstimate: { ...estimate, metricScale: k } };
  if (!seen || !expression) return result;
  return { ...result, photographed, expression: { weights: expression.solve.weights, blendshapes: seen.shapes, neutralErrorPx: error(out) } };
}

/**
 * The head as photographed also takes the residual the neutral head left at the expressive
 * landmarks (the detector's noise and the expression the weights did not reach), through a warp
 * that holds every other landmark in place, so that it reprojects onto the photo's landmarks and
 * unwrap samples the photo where its features are; the eyeballs stay rigid. `scale` is the head's metric scale.
 */
function addResidual(positions: Float32Array, head: TemplateHead, eyeVertex: Uint8Array, centres: Float64Array, residual: Float64Array, smoothingM: number, scale: number): void {
  if (!residual.some((r) => r !== 0)) return;
  const warp = fitWarp(centres, residual, new Float64Array(residual.length / 3).fill(smoothingM));
  const pos = head.mesh.positions, d = new Float64Array(3);
  for (let v = 0; v < pos.length / 3; v++) {
    if (eyeVertex[v]) continue;
    warpAt(warp, pos[3 * v], pos[3 * v + 1], pos[3 * v + 2], d);
    for (let c = 0; c < 3; c++) positions[3 * v + c] += scale * d[c];
  }
}

/** A mesh with the template's UVs and triangles at new positions (normals and tangents recomputed). */
function meshOf(positions: Float32Array, head: TemplateHead, weld: Int32Array): FitResult["mesh"] {
  const normals = computeNormals(positions, head.mesh.indices, weld);
  const tangents = computeTangents(positions, normals, head.mesh.uvs, head.mesh.indices);
  return { positions, normals, tangents, uvs: head.mesh.uvs, indices: head.mesh.indices };
}

/** Distance between the template's iris centres, metres. */
function templateInterpupillaryM(head: TemplateHead): number {
  const p = head.mesh.positions, lv = head.landmarkVertices;
  const [a, b] = [lv[RIGHT_IRIS_START], lv[LEFT_IRIS_START]];
  return Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);
}

/** Distance between the eye centres (lid-margin means) in the photo, pixels. */
function interocularOf(lm: ArrayLike<number>): number {
  const centre = (ids: number[]) => [0, 1].map((c) => ids.reduce((s, i) => s + lm[3 * i + c], 0) / ids.length);
  const [er, el] = [centre(RIGHT_EYE_CONTOUR), centre(LEFT_EYE_CONTOUR)];
  return Math.hypot(er[0] - el[0], er[1] - el[1]);
}

function rightIrisIds(head: TemplateHead): number[] {
  // The iris block whose centre vertex is on the −X eyeball.
  const p = head.mesh.positions, lv = head.landmarkVertices;
  return p[3 * lv[RIGHT_IRIS_START]] < 0 ? RIGHT_IRIS : LEFT_IRIS;
}

function leftIrisIds(head: TemplateHead): number[] {
  return rightIrisIds(head)[0] === RIGHT_IRIS_START ? LEFT_IRIS : RIGHT_IRIS;
}

/** Translates an eyeball with the warp at its centre, then turns it so its iris centre sits on the iris ray. */
function moveEyeball(head: TemplateHead, part: TemplateHead["parts"][number], out: Float32Array, warp: ReturnType<typeof fitWarp>, camera: Camera, lm: ArrayLike<number>, iris: number[], maxGazeDeg: number): void {
  const pos = head.mesh.positions;
  const ids = [...new Set(head.mesh.indices.subarray(part.firstIndex, part.firstIndex + part.indexCount))].sort((a, b) => a - b);
  const c = [0, 0, 0];
  for (const v of ids) for (let k = 0; k < 3; k++) c[k] += pos[3 * v + k] / ids.length;
  const d = new Float64Array(3);
  warpAt(warp, c[0], c[1], c[2], d);
  const centre = [c[0] + d[0], c[1] + d[1], c[2] + d[2]];
  const apexV = head.landmarkVertices[iris[0]];
  const a0 = [0, 1, 2].map((k) => pos[3 * apexV + k] - c[k]);
  const radius = Math.hypot(a0[0], a0[1], a0[2]);
  // The iris ray in world space; the apex goes where the ray meets the globe (near side).
  const origin = cameraCentre(camera);
  const R = camera.rotation;
  const dirCam = [(lm[3 * iris[0]] - camera.cx) / camera.fx, -(lm[3 * iris[0] + 1] - camera.cy) / camera.fy, -1];
  const dir = [0, 1, 2].map((k) => R[k] * dirCam[0] + R[3 + k] * dirCam[1] + R[6 + k] * dirCam[2]);
  const dl = Math.hypot(dir[0], dir[1], dir[2]);
  for (let k = 0; k < 3; k++) dir[k] /= dl;
  const oc = [0, 1, 2].map((k) => origin[k] - centre[k]);
  const b = oc[0] * dir[0] + oc[1] * dir[1] + oc[2] * dir[2];
  const disc = b * b - (oc[0] ** 2 + oc[1] ** 2 + oc[2] ** 2 - radius * radius);
  // A ray that misses the globe: aim at its closest point instead.
  const s = disc >= 0 ? -b - Math.sqrt(disc) : -b;
  const hit = [0, 1, 2].map((k) => origin[k] + s * dir[k] - centre[k]);
  const hl = Math.hypot(hit[0], hit[1], hit[2]);
  const a1 = hit.map((v) => (v / hl) * radius);
  // Minimal rotation taking a0 to a1, limited to maxGaze.
  const axis = [a0[1] * a1[2] - a0[2] * a1[1], a0[2] * a1[0] - a0[0] * a1[2], a0[0] * a1[1] - a0[1] * a1[0]];
  const axl = Math.hypot(axis[0], axis[1], axis[2]);
  const angle = Math.min(Math.atan2(axl, a0[0] * a1[0] + a0[1] * a1[1] + a0[2] * a1[2]), (maxGazeDeg * Math.PI) / 180);
  const rot = axl > 1e-12 ? quaternionToMatrix(Math.cos(angle / 2), (Math.sin(angle / 2) * axis[0]) / axl, (Math.sin(angle / 2) * axis[1]) / axl, (Math.sin(angle / 2) * axis[2]) / axl) : quaternionToMatrix(1, 0, 0, 0);
  for (const v of ids) {
    const p = [0, 1, 2].map((k) => pos[3 * v + k] - c[k]);
    for (let k = 0; k < 3; k++) out[3 * v + k] = centre[k] + rot[3 * k] * p[0] + rot[3 * k + 1] * p[1] + rot[3 * k + 2] * p[2];
  }
}
