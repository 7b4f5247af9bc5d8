/**
 * Evaluation of one reconstruction from its stage results: re-render (ours and the naive
 * baseline) over the photo, identity, photometric error over the face skin, albedo checks, and
 * the strip of pictures.
 */
import { luminance } from "../src/primitives/color.ts";
import { lightingFromEstimate, type SkinLighting, type SkinMaps } from "./shade-skin.ts";
import { FACE_REGIONS, type ImageF32, type Mesh, type StageResults } from "../src/types.ts";
import { albedoChecks, toBaseLinear, type AlbedoChecks } from "./albedo-checks.ts";
import { atPriorBound } from "./tone-consistency.ts";
import { alignedFace, cosine, faceEmbeddings, flipHorizontal } from "./identity.ts";
import { maskedPsnr, maskedSsim, weightedMedian } from "./metrics.ts";
import { normalDetail, type NormalDetail } from "./normal-detail.ts";
import { fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { expressionChecks, type ExpressionChecks } from "./expression-checks.ts";
import { enamelColour, teethColour, type TeethColour } from "../src/pipeline/teeth-colour.ts";
import { measureTeeth } from "../src/pipeline/capture/teeth.ts";
import { albedoWithEyes } from "./canonical-view.ts";
import { baselineMaps, mouthPlainParts, rerenderOverPhoto, studioView, underHairAndOccluders } from "./rerender.ts";
import { skinChecks } from "./skin-checks.ts";
import { cropPanel, drawLandmarks, faceWindow, mapPanel, type StripPanel } from "./strip.ts";

/** Stage results a full evaluation needs (all of them but the upscaler's are optional for a failure strip). */
export type CollectedStages = Partial<StageResults>;

/** Measures of one photo, ours and the baseline side by side. */
export interface PhotoMeasures {
  /** Cosine of identity descriptors against the photo's: our re-render, the baseline's, the photo's mirror image. */
  identity: { ours: number; baseline: number; mirror: number };
  /** The same cosine with the re-render composited under the photo's own hair and occluders (eval/rerender.ts underHairAndOccluders): ours, the baseline's. */
  identityHairComposite: { ours: number; baseline: number };
  /** Over the photo's face skin covered by the head: PSNR (dB, sRGB) and SSIM (luma). */
  psnr: { ours: number; baseline: number };
  ssim: { ours: number; baseline: number };
  /** Pixels the photometric measures used. */
  skinPixels: number;
  albedo: AlbedoChecks;
  /** Factor on T̂ that gives the baseline our albedo's median skin luminance (so it is not judged on exposure). */
  baselineScale: number;
  /** De-lighting's estimate, as far as it explains the figures: skin albedo (linear), the luminance the scale prior aimed at, light contrast, fit residual. */
  lighting: {
    skinAlbedo: [number, number, number];
    targetLuminance: number;
    shadingContrast: number;
    residualSigma: number;
    /** Which cues decided the scale (report.json lighting.albedoScale.cues.decided; null for a fixed luminance). */
    decided: string | null;
    /** Whether the scale ended on an end of the skin-locus prior (eval/tone-consistency.ts atPriorBound). */
    onPriorBound: boolean;
  };
  /** N_S's detail per region: RMS slope against the mesh normal and its spectrum in cycles/mm (eval/normal-detail.ts). */
  normalDetail: NormalDetail;
  /** Median CIEDE2000 across the border of the seen region in A_D (eval/skin-checks.ts); null: no border. */
  borderDeltaE: number | null;
  /** The border from farther out (eval/seam-checks.ts): interior-to-fill ΔE00, and the sideways rim's ΔE00 off that way (a line); null: no border. */
  borderWideDeltaE: number | null;
  borderLineDeltaE: number | null;
  /** Share (0..1) of upper-face skin texels of A_D outside the skin colour model (redness centred per region). */
  contamination: number | null;
  /** The same with one colour centre for forehead, nose and cheeks (the measure before 2026-12-07). */
  contaminationOneModel?: number | null;
  /** CIEDE2000 between the iris albedo of maps/eyes.png and the photo's iris at albedo scale; null: eyes closed or too small. */
  irisDeltaE: number | null;
  /** The photo's expression weights, landmark errors with and without it, tooth-coloured share of A_D's lips (eval/expression-checks.ts). */
  expression: ExpressionChecks;
  /** The teeth's albedo the head carries and where it came from (src/pipeline/teeth-colour.ts), as report.json has it. */
  teeth: TeethColour;
}

export interface PhotoEvaluation {
  measures: PhotoMeasures;
  /** Identity descriptor of the photo's face (for the impostor level across the set). */
  photoEmbedding: Float32Array;
  panels: StripPanel[];
}

/** Panel height of the strips, pixels. */
export const PANEL_SIZE = 256;

export const PANEL_LABELS = ["photo", "landmarks", "re-render (ours)", "A_D", "A_S", "N_S", "N_D", "45°, studio light", "profile", "back", "baseline re-render", "ours under the photo's hair", "front, neutral", "front, as photographed", "45°, as photographed"] as const;

function need<K extends keyof StageResults>(stages: CollectedStages, key: K): StageResults[K] {
  const v = stages[key];
  if (!v) throw new Error(`evaluation: the ${key} stage reported no result`);
  return v;
}

/**
 * The baseline's single scale: our base albedo's median skin luminance over T's, on the seen
 * skin texels, so the baseline has the same overall albedo level as ours and differs only in
 * what de-lighting changes (baked shading, light colour, highlights).
 */
function baselineScale(stages: CollectedStages): number {
  const u = need(stages, "unwrap"), albedoBase = need(stages, "delight").albedoBase, T = need(stages, "complete").texture;
  const N = u.confidence.width * u.confidence.height;
  const lum = (d: Float32Array, p: number) => luminance(d[3 * p], d[3 * p + 1], d[3 * p + 2]);
  const skin = new Float32Array(N), a = new Float32Array(N), t = new Float32Array(N);
  const rw = u.regions.weights;
  const nonSkin = ["brows", "scalp", "eyelids", "lips"].map((n) => FACE_REGIONS.indexOf(n as (typeof FACE_REGIONS)[number]));
  for (let p = 0; p < N; p++) {
    let ns = 0;
    for (const k of nonSkin) ns += rw.data[p * rw.channels + k];
    skin[p] = u.confidence.data[p] >= 0.3 && ns < 0.5 ? 1 : 0;
    a[p] = lum(albedoBase.data, p);
    t[p] = lum(T.data, p);
  }
  const ratio = weightedMedian(a, skin) / weightedMedian(t, skin);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
}

/** What the evaluation re-renders over the photo: ours and the baseline's maps, the baseline's scale, the estimated light and the head the camera saw. */
export interface RerenderScene {
  ours: SkinMaps;
  base: SkinMaps;
  /** The baseline's A_D before the eyeballs take the eyes' map (T̂ × scale). */
  baselineAlbedo: ImageF32;
  scale: number;
  light: SkinLighting;
  seen: Mesh;
}

/**
 * Ours and the baseline as the evaluation draws them: the mouth parts in the head's own colours
 * (`teethAlbedo`, by default the photo's enamel de-lit), for both alike; the eyeballs carry the
 * eyes' map, as in the GLB (its eye material), for both alike (the skin atlas's disc texels hold
 * only completion's fill: blank white eyes, issue 12); the head as photographed (the output head is
 * neutral by default).
 */
export function rerenderScene(stages: CollectedStages, teethAlbedo?: TeethColour["albedo"]): RerenderScene {
  const cap = need(stages, "capture"), fit = need(stages, "fit"), u = need(stages, "unwrap");
  const delit = need(stages, "delight"), spec = need(stages, "specular"), nrm = need(stages, "normals"), up = need(stages, "upscale"), eyes = need(stages, "eyes");
  const seen = fit.photographed ?? fit.mesh;
  const mouth = mouthPlainParts(seen, fit.head.parts, teethAlbedo ?? teethColour(measureTeeth(cap.image, cap.landmarks), eyes.lightGain).albedo);
  const ours: SkinMaps = {
    albedoDiffuse: albedoWithEyes(delit.albedo, eyes.texture),
    albedoSpecular: spec.specularAlbedo,
    normalsDiffuse: nrm.normalsDiffuse,
    normalsSpecular: nrm.normalsSpecular,
    // Under the photo's light the head casts its own shadows, as an engine's would (delight's visibility of that light).
    ambientOcclusion: delit.lightOcclusion ?? u.ambientOcclusion,
    plainParts: mouth,
  };
  const scale = baselineScale(stages);
  const naive = baselineMaps(up.texture, scale, u.ambientOcclusion);
  const base: SkinMaps = { ...naive, albedoDiffuse: albedoWithEyes(naive.albedoDiffuse, eyes.texture), plainParts: mouth };
  return { ours, base, baselineAlbedo: naive.albedoDiffuse, scale, light: lightingFromEstimate(delit.lighting), seen };
}

/** The photo-space mask the photometric measures use: skin (not occluded) and fully covered by the head. */
function skinMask(stages: CollectedStages, coverage: Float32Array): Float32Array {
  const { masks } = need(stages, "capture");
  const mask = new Float32Array(coverage.length);
  for (let p = 0; p < mask.length; p++) mask[p] = masks.skin.data[p] >= 0.5 && masks.occluder.data[p] < 0.5 && coverage[p] >= 0.99 ? 1 : 0;
  return mask;
}

/** The landmark vertex of the nose tip (MediaPipe index 1) on the fitted mesh. */
function noseTip(stages: CollectedStages): [number, number, number] {
  const fit = need(stages, "fit");
  const v = fit.head.landmarkVertices[1];
  const p = fit.mesh.positions;
  return [p[3 * v], p[3 * v + 1], p[3 * v + 2]];
}

/**
 * Evaluates one reconstruction. Throws (naming what is missing) when a stage result is absent.
 *
 *   const { measures, panels } = await evaluatePhoto(collected);
 */
export async function evaluatePhoto(stages: CollectedStages): Promise<PhotoEvaluation> {
  const cap = need(stages, "capture"), fit = need(stages, "fit"), u = need(stages, "unwrap");
  const delit = need(stages, "delight"), spec = need(stages, "specular"), nrm = need(stages, "normals"), eyes = need(stages, "eyes");
  const photo = cap.image;

  // The mouth parts in the head's own colours (the teeth the photo's enamel, de-lit), for ours and the baseline alike.
  const photoTeeth = measureTeeth(cap.image, cap.landmarks);
  const teeth = teethColour(photoTeeth, eyes.lightGain);
  const { ours, base, baselineAlbedo, scale, light, seen } = rerenderScene(stages, teeth.albedo);
  const oursRender = rerenderOverPhoto(photo, seen, fit.camera, ours, light);
  const baseRender = rerenderOverPhoto(photo, seen, fit.camera, base, light);

  const mask = skinMask(stages, oursRender.coverage);
  let skinPixels = 0;
  for (const m of mask) skinPixels += m;

  const oursUnderHair = underHairAndOccluders(oursRender.composite, photo, cap.masks);
  const baseUnderHair = underHairAndOccluders(baseRender.composite, photo, cap.masks);
  const photoCrop = alignedFace(photo, cap.landmarks);
  const crops = [photoCrop, ...[oursRender.composite, baseRender.composite, oursUnderHair, baseUnderHair].map((image) => alignedFace(image, cap.landmarks)), flipHorizontal(photoCrop)];
  const [ePhoto, eOurs, eBase, eOursHair, eBaseHair, eMirror] = await faceEmbeddings(crops);

  const albedo = albedoChecks({
    albedo: delit.albedo,
    baselineAlbedo,
    texture: u.texture,
    confidence: u.confidence,
    coverage: u.coverage,
    regions: u.regions,
    normalsObject: u.normalsObject,
    ambientOcclusion: u.ambientOcclusion,
    lighting: delit.lighting,
  });

  const skin = skinChecks({ capture: cap, fit, unwrap: u, delight: delit, eyes });
  const measures: PhotoMeasures = {
    identity: { ours: cosine(ePhoto, eOurs), baseline: cosine(ePhoto, eBase), mirror: cosine(ePhoto, eMirror) },
    identityHairComposite: { ours: cosine(ePhoto, eOursHair), baseline: cosine(ePhoto, eBaseHair) },
    psnr: { ours: maskedPsnr(oursRender.composite, photo, mask), baseline: maskedPsnr(baseRender.composite, photo, mask) },
    ssim: { ours: maskedSsim(oursRender.composite, photo, mask), baseline: maskedSsim(baseRender.composite, photo, mask) },
    skinPixels,
    albedo,
    baselineScale: scale,
    lighting: {
      skinAlbedo: delit.lighting.skinAlbedo,
      targetLuminance: delit.lighting.albedoScale.targetLuminance,
      shadingContrast: delit.lighting.shadingContrast,
      residualSigma: delit.lighting.fit.residualSigma,
      decided: delit.lighting.albedoScale.cues?.decided ?? null,
      onPriorBound: atPriorBound(delit.lighting.albedoScale.targetLuminance),
    },
    normalDetail: normalDetail(nrm.normalsSpecular, u.normalsTangent, u.regions, fullSizeTexelMm(u.medianTexelSizeMm, u.texture.width, nrm.normalsSpecular.width)),
    borderDeltaE: skin.borderDeltaE,
    borderWideDeltaE: skin.borderWideDeltaE,
    borderLineDeltaE: skin.borderLineDeltaE,
    contamination: skin.contamination,
    contaminationOneModel: skin.contaminationOneModel,
    irisDeltaE: skin.irisDeltaE,
    expression: expressionChecks(fit, { texture: need(stages, "complete").texture, albedo: albedoAtBase(delit.albedo, u.texture), regions: u.regions, confidence: u.confidence }, enamelColour(photoTeeth)),
    teeth,
  };

  const win = faceWindow(cap.landmarks);
  const photoPanel = cropPanel(photo, win, PANEL_SIZE);
  const panels: StripPanel[] = [
    { label: PANEL_LABELS[0], image: photoPanel },
    { label: PANEL_LABELS[1], image: drawLandmarks(photoPanel, cap.landmarks, win) },
    { label: PANEL_LABELS[2], image: cropPanel(oursRender.composite, win, PANEL_SIZE) },
    { label: PANEL_LABELS[3], image: mapPanel(delit.albedo, PANEL_SIZE, "color") },
    { label: PANEL_LABELS[4], image: mapPanel(spec.specularAlbedo, PANEL_SIZE, "gray") },
    { label: PANEL_LABELS[5], image: mapPanel(nrm.normalsSpecular, PANEL_SIZE, "normal") },
    { label: PANEL_LABELS[6], image: mapPanel(nrm.normalsDiffuse, PANEL_SIZE, "normal") },
    { label: PANEL_LABELS[7], image: studioView(fit.mesh, ours, noseTip(stages), PANEL_SIZE) },
    { label: PANEL_LABELS[8], image: studioView(fit.mesh, ours, noseTip(stages), PANEL_SIZE, 90) },
    { label: PANEL_LABELS[9], image: studioView(fit.mesh, ours, noseTip(stages), PANEL_SIZE, 180) },
    { label: PANEL_LABELS[10], image: cropPanel(baseRender.composite, win, PANEL_SIZE) },
    { label: PANEL_LABELS[11], image: cropPanel(oursUnderHair, win, PANEL_SIZE) },
    // Issue 16: the output head is neutral; the photo's expression on it, front and 45°.
    { label: PANEL_LABELS[12], image: studioView(fit.mesh, ours, noseTip(stages), PANEL_SIZE, 0) },
    { label: PANEL_LABELS[13], image: studioView(seen, ours, noseTip(stages), PANEL_SIZE, 0) },
    { label: PANEL_LABELS[14], image: studioView(seen, ours, noseTip(stages), PANEL_SIZE) },
  ];
  return { measures, photoEmbedding: ePhoto, panels };
}

/** A_D averaged to the base texture's size, linear RGB. */
function albedoAtBase(albedo: ImageF32, base: ImageF32): ImageF32 {
  return { width: base.width, height: base.height, channels: 3, data: toBaseLinear(albedo, base.width, base.height), colorSpace: "linear" };
}

/** The strip of a photo whose reconstruction failed: whatever is there (the photo, landmarks if capture ran), the rest empty. */
export async function failurePanels(photo: ImageF32 | null, stages: CollectedStages): Promise<StripPanel[]> {
  const cap = stages.capture;
  const mapWidth = Math.round((PANEL_SIZE * 2) / 3);
  const empty = (i: number, w = PANEL_SIZE): StripPanel => ({ label: PANEL_LABELS[i], image: null, emptyWidth: w });
  let first: StripPanel[] = [empty(0), empty(1)];
  if (cap) {
    const win = faceWindow(cap.landmarks);
    const p = cropPanel(cap.image, win, PANEL_SIZE);
    first = [{ label: PANEL_LABELS[0], image: p }, { label: PANEL_LABELS[1], image: drawLandmarks(p, cap.landmarks, win) }];
  } else if (photo) {
    const side = Math.max(photo.width, photo.height);
    first = [{ label: PANEL_LABELS[0], image: cropPanel(photo, { x: (photo.width - side) / 2, y: (photo.height - side) / 2, side }, PANEL_SIZE) }, empty(1)];
  }
  return [...first, empty(2), empty(3, mapWidth), empty(4, mapWidth), empty(5, mapWidth), empty(6, mapWidth), empty(7), empty(8), empty(9), empty(10), empty(11), empty(12), empty(13), empty(14)];
}
