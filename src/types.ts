/**
 * porelight's data contracts. Units, colour spaces and axes are stated here, once.
 *
 * Conventions (docs/design.md §2):
 * - Images in memory are interleaved HWC Float32Array; row 0 is the top row.
 * - Pipeline maths runs in linear light; sRGB only at the edges (decode, A_D output, previews).
 * - Meshes are in metres, glTF axes: +X to the subject's left (viewer's right on a frontal
 *   photo), +Y up, +Z out of the face toward a frontal camera; right-handed.
 * - UVs follow glTF: (0,0) is the top-left of the image, v grows downward.
 * - Maps are W×H = 2:3 (base 384×576).
 * - Landmarks are image pixels: x right, y down, z toward the camera is negative (MediaPipe
 *   convention), z in the same pixel scale as x.
 */

/** How the numbers of an image are to be read. */
export type ColorSpace =
  /** sRGB-encoded colour, 0..1. */
  | "srgb"
  /** Linear-light colour (Rec.709 primaries), 0..1 for reflectances. */
  | "linear"
  /** Not colour: normals (−1..1), masks (0..1), depth (metres) and other data. */
  | "data";

/** A float image, interleaved HWC, row 0 at the top. */
export interface ImageF32 {
  width: number;
  height: number;
  channels: number;
  /** length = width × height × channels */
  data: Float32Array;
  colorSpace: ColorSpace;
}

/** An axis-aligned box in image pixels (x right, y down). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One face found by the detector. */
export interface FaceDetection {
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** The detector's six keypoints (eyes, nose, mouth, ears) in image pixels, [x, y] pairs. */
  keypoints: Float32Array;
}

/** Number of landmarks: 468 face-mesh points + 2 × 5 iris points (MediaPipe order). */
export const LANDMARK_COUNT = 478;

/** 478 landmarks, [x, y, z] per point in image pixels (see the file header). */
export type Landmarks = Float32Array;

/** Head rotation of the subject relative to the camera, degrees. Yaw > 0: subject turned to their left. */
export interface HeadPose {
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
}

/** Problems capture noticed in the photo; reported with the job, never fatal on their own. */
export interface QualityFlags {
  /** |yaw| > 60°. */
  extremePose: boolean;
  /** Fewer than 96 px between the outer eye corners. */
  lowResolution: boolean;
  /** The face box reaches past the image edge. */
  partialFace: boolean;
  /** Part of the face is hidden (hair, hands, glasses, caps), from segmentation or landmark confidence. */
  occluded: boolean;
  /** Variance of the Laplacian of the face crop is below a sharpness floor. */
  blurry: boolean;
  /** Free-text details behind the flags, for the report. */
  notes: string[];
}

/** Per-pixel masks in photo space, 1 channel, 0..1, same size as the photo. */
export interface FaceMasks {
  skin: ImageF32;
  hair: ImageF32;
  occluder: ImageF32;
  /** Beard, moustache and stubble below the nose: not skin, not an occluder, kept in the albedo (absent: none found). */
  facialHair?: ImageF32;
  /**
   * Skin probability beyond the face oval, inside the head region above the chin (temples, sides of
   * the forehead, ears): the person, within the face's own skin colour model, not hair. The oval is
   * where the face segmentation stops, not where skin stops; unwrap reads this so its confidence does
   * not step at the oval's outline. `skin` stays the oval's (the fit's contour term reads it). Absent: not computed.
   */
  skinBeyondOval?: ImageF32;
  /** The person (head, hair, neck, shoulders, clothes) against the background, from person segmentation over a head-and-shoulders crop; 0 outside it (absent: not segmented). */
  person?: ImageF32;
  /**
   * Spectacle frames (rims, bridge, temples; capture/glasses.ts), 0 everywhere when none are found. Not
   * skin for the texture (unwrap treats it as hidden), but not an occluder for the fit: the landmarks
   * and the outline under a thin frame are still seen. Absent: not looked for.
   */
  spectacles?: ImageF32;
}

/** One region's grey-world and grey-edge readings of the light's colour (linear RGB, red = 1). */
export interface LightStatistics {
  greyWorld: [number, number, number];
  greyEdge: [number, number, number];
}

/**
 * The scene's illuminant colour estimated from the photo outside the face (capture/scene-illuminant.ts):
 * linear RGB with red = 1. De-lighting takes its light from the statistics, checked against the skin (delight/scene-light.ts).
 */
export interface SceneIlluminant {
  /** The statistics' reading: per axis, the shift the whole scene's grey-world and grey-edge agree on, either way ([1, 1, 1] = neutral). */
  rgb: [number, number, number];
  /** σ per axis of the reading's ln g/r, ln b/r (their published errors × the witnesses' disagreement); Infinity with too few pixels. */
  sigmaChroma: number;
  /** Over the whole scene outside the face's skin. */
  greyWorld: [number, number, number];
  greyEdge: [number, number, number];
  /** The regions read on their own for the reading's doubt: the background and the person (hair, neck, clothing) when both have enough pixels, else the whole scene alone. Absent in captures made before. */
  witnesses?: LightStatistics[];
  /** Pixels of the working copy grey-world was taken over. */
  pixels: number;
  /** Of those, the pixels grey-edge was taken over: those whose gradient does not reach the face's skin. */
  edgePixels: number;
}

/** What capture returns for the chosen face. */
export interface CaptureResult {
  /** The decoded photo, sRGB 0..1, 3 channels, EXIF orientation applied. */
  image: ImageF32;
  faces: FaceDetection[];
  /** Index into `faces` of the face reconstructed. */
  faceIndex: number;
  landmarks: Landmarks;
  /** Per-landmark confidence 0..1 (face-mesh flag × region visibility). */
  landmarkConfidence: Float32Array;
  pose: HeadPose;
  flags: QualityFlags;
  masks: FaceMasks;
  /** The scene's light colour, from the photo outside the face skin. */
  illuminant: SceneIlluminant;
  /** The face's apparent sex (absent in captures made before it was read). */
  apparentSex?: ApparentSex;
}

/** The face's apparent sex as the face-description network reads it (src/pipeline/capture/apparent-sex.ts). */
export interface ApparentSex {
  /** Probability (0..1) that the face is a man's: the crop's and its mirror's readings joined in log-odds. */
  maleProbability: number;
  /** The two readings (crop, mirror), 0..1. */
  readings: number[];
}

/** A triangle mesh. Positions in metres, glTF axes. */
export interface Mesh {
  /** xyz per vertex, metres. */
  positions: Float32Array;
  /** Unit normals, xyz per vertex. */
  normals: Float32Array;
  /** xyzw per vertex: unit tangent along +u and the bitangent sign w (glTF / MikkTSpace). */
  tangents: Float32Array;
  /** uv per vertex, glTF convention (origin top-left). */
  uvs: Float32Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside. */
  indices: Uint32Array;
}

/** Named parts of the template head, for rendering and for region-dependent estimators. */
export type HeadPart = "skin" | "eyeLeft" | "eyeRight" | "mouth" | "teeth" | "tongue";

/** The parts that are eyeballs (moved rigidly by the fit, textured from the iris). */
export const EYE_PARTS: readonly HeadPart[] = ["eyeLeft", "eyeRight"];
/** The mouth's parts (oral cavity with inner lips and gums, teeth, tongue): their own atlas and materials, never unwrapped from the photo. */
export const MOUTH_PARTS: readonly HeadPart[] = ["mouth", "teeth", "tongue"];

/**
 * What the blendshapes need to know about the template beyond its positions (vertex ids stay
 * valid on every fitted head: the fit moves vertices, it never renumbers them).
 */
export interface HeadRig {
  /** The lips' seam: the upper lip's vertices and the lower lip's coincident copies, right corner (−x) to left (+x); corners shared. */
  upperSeam: Int32Array;
  lowerSeam: Int32Array;
  /** Lid-margin loops (subject's right, left), in face-surface order: lower lid from the outer corner, then the upper lid back. */
  lidRight: Int32Array;
  lidLeft: Int32Array;
  /** Per vertex: share of the mandible's motion for mouth-part vertices (0 skull … 1 mandible); −1 elsewhere. */
  mandible: Float32Array;
  /** The tongue's tip vertex. */
  tongueTip: number;
}

/** One blendshape (morph target): a displacement per vertex of a head with the template's topology. */
export interface Blendshape {
  /** ARKit blend-shape location name (src/geometry/blendshape-names.ts). */
  name: string;
  /** xyz per vertex, metres, head axes; the shape at weight w is positions + w·delta. */
  delta: Float32Array;
}

/** The template head plus what later stages need to know about it. */
export interface TemplateHead {
  mesh: Mesh;
  /** Triangle ranges per part (skin first, then the eyeballs). */
  parts: { part: HeadPart; firstIndex: number; indexCount: number }[];
  /** Vertex index of each of the 478 landmarks. */
  landmarkVertices: Int32Array;
  /** For each vertex, the index of its left/right mirror (itself on the midline). */
  mirrorVertex: Int32Array;
  /** Seam, lids and jaw membership for the blendshapes. */
  rig: HeadRig;
}

/**
 * Pinhole camera. Camera space: x right, y up, looking down −Z (glTF). A world point p maps to
 * camera space as R·p + t; the pixel is (cx + fx·X/(−Z), cy − fy·Y/(−Z)).
 */
export interface Camera {
  /** Image size in pixels. */
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Row-major 3×3 rotation world → camera. */
  rotation: Float64Array;
  /** Translation world → camera, metres. */
  translation: Float64Array;
}

/** What a photo's EXIF says about its lens (src/image/exif.ts); each field null when absent. */
export interface LensHint {
  /** The lens's real focal length, millimetres. */
  focalLengthMm: number | null;
  /** The 35 mm-film-equivalent focal length, millimetres (on the frame the camera wrote). */
  focalLength35mm: number | null;
  /** Sensor pixels per millimetre along x (FocalPlaneXResolution). */
  focalPlanePxPerMm: number | null;
  /** The image size the camera (or the last editor) wrote, pixels. */
  pixelWidth: number | null;
  pixelHeight: number | null;
  /** Make and model. */
  camera: string | null;
}

/**
 * How fit chose the camera's focal length and the head's metric size (src/pipeline/fit/intrinsics.ts),
 * for the job report. Focal lengths as "35 mm-equivalent" refer to the photo as given (its diagonal
 * against the 43.3 mm of a 36 × 24 mm frame), whatever crop it was cut from.
 */
export interface CameraEstimate {
  /** Focal length used, pixels. */
  focalPx: number;
  /** The same as a 35 mm-equivalent focal length on the photo's diagonal, millimetres. */
  focal35mm: number;
  /** Posterior SD of ln focal length (0 when fixed): 0.1 ≈ ±10 %. */
  focalSdLn: number;
  /** The cue that narrowed the focal length most: "EXIF", "EXIF (upper bound)", "foreshortening", "distance prior", or "fixed". */
  focalDecidedBy: string;
  /** Each cue; `share` = its part of the posterior's precision at the estimate (0..1). */
  cues: {
    exif: { focal35mm: number; kind: "exact" | "bound"; camera: string | null; share: number } | null;
    /** bestFocal35mm: where the foreshortening cue alone peaks (calibrated, fit/perspective-cue.ts); apparentFocal35mm: where the landmarks' misfit is least (the perspective they show). */
    foreshortening: { bestFocal35mm: number; apparentFocal35mm: number; misfitIod: number; share: number } | null;
    distancePrior: { medianM: number; sdLn: number; share: number } | null;
  };
  /** Camera to the head's origin along the optical axis, metres (metric, after `metricScale`). */
  distanceM: number;
  /** The head's size ÷ the template's (the fitted mesh is scaled by it). */
  metricScale: number;
  /** Posterior SD of ln metricScale. */
  metricScaleSdLn: number;
  /** "iris" or "anthropometric prior (iris weighed in)" or "anthropometric prior". */
  scaleDecidedBy: string;
  /** The photo's visible iris diameter, pixels (null: iris landmarks not confident). */
  irisDiameterPx: number | null;
  /** The iris's own reading of the head's size before the survey's prior: ln(size ÷ the template's) and its SD (population iris spread, model error, a pixel); null without an iris. */
  irisSize: { logRatio: number; sdLn: number } | null;
}

/** The fitted head for one photo. */
export interface FitResult {
  mesh: Mesh;
  camera: Camera;
  /** Per vertex: 1 when seen by the camera (facing it and not occluded), else 0. */
  vertexVisibility: Float32Array;
  /** Root-mean-square landmark reprojection error, pixels. */
  reprojectionErrorPx: number;
  /** Distance between the eye centres in the photo, pixels (normaliser for the error). */
  interocularPx: number;
  /** How the focal length and the metric size were chosen. */
  cameraEstimate: CameraEstimate;
  /**
   * The head as the photo shows it: `mesh` (neutral) plus the photo's expression. Absent when the
   * expression is not fitted; `mesh` is then the head as photographed. `vertexVisibility` and
   * `reprojectionErrorPx` are this head's.
   */
  photographed?: Mesh;
  /** The photo's expression (fit/expression.ts), when fitted. */
  expression?: FitExpression;
}

/** The photo's expression as ARKit blendshape weights on the fitted neutral head. */
export interface FitExpression {
  /** One weight per shape, 0..1, in `blendshapes` order (ARKit's, src/geometry/blendshape-names.ts). */
  weights: Float64Array;
  /** The 52 shapes evaluated on the neutral head (the package stage writes these as morph targets). */
  blendshapes: Blendshape[];
  /** RMS landmark reprojection error of the neutral head, pixels (how much expression was taken away). */
  neutralErrorPx: number;
}

/** Quality presets (docs/design.md §2). */
export type Preset = "draft" | "standard" | "high" | "ultra";

/** Map size for each preset, W×H. */
export const PRESET_MAP_SIZE: Record<Preset, { width: number; height: number; upscale: 2 | 4 | 8 }> = {
  draft: { width: 768, height: 1152, upscale: 2 },
  standard: { width: 1536, height: 2304, upscale: 4 },
  high: { width: 3072, height: 4608, upscale: 8 },
  ultra: { width: 4096, height: 6144, upscale: 8 },
};

/** Base UV texture size (AvatarMe's 384×576). */
export const BASE_MAP_SIZE = { width: 384, height: 576 } as const;

/** The pipeline stages, in order. */
export const STAGES = [
  "capture",
  "fit",
  "unwrap",
  "complete",
  "upscale",
  "delight",
  "specular",
  "normals",
  "eyes",
  "package",
] as const;
export type StageName = (typeof STAGES)[number];

/** Pipeline estimator stages that can be replaced by a user model through a manifest. */
export type EstimatorStage = "upscale" | "delight" | "specular" | "normalsSpecular" | "normalsDiffuse";

/** How an estimator's tensor is to be read. */
export interface TensorSpec {
  /** ONNX input/output name. */
  name: string;
  channels: number;
  /** Value range the model expects/produces, e.g. [0, 1] or [−1, 1] or [0, 255]. */
  range: [number, number];
  /** "normal-tangent" / "normal-object": unit vectors mapped into `range`. */
  colorSpace: "srgb" | "linear" | "normal-tangent" | "normal-object" | "data";
}

/** An image-to-image estimator: an ONNX model plus how to run it (docs/design.md §1). */
export interface EstimatorManifest {
  /** Manifest format version. */
  version: 1;
  name: string;
  stage: EstimatorStage;
  /** ONNX file, relative to the manifest. */
  model: string;
  /** All inputs share the image size; they are concatenated in this order if the model has one input. */
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Output size / input size (1 for per-texel estimators, 2/4/8 for super-resolution). */
  scale: number;
  /** Patch size the model was trained on (informational). */
  trainingPatch: number;
  /** Square tile size used at inference, input pixels. */
  inferencePatch: number;
  /**
   * Width shared by neighbouring tiles, input pixels. Each tile's outer `receptiveField` pixels
   * (where its padding reaches in) get no weight and the rest of the strip is a smooth blend,
   * so it must be at least 2 × receptiveField for tiled = whole-image output.
   */
  overlap: number;
  /** Receptive-field radius of the model, input pixels. */
  receptiveField: number;
  /** Axis order of every input and output tensor, batch 1; "nhwc" (TF's and our converted models') when absent. */
  layout?: "nhwc" | "nchw";
}

/** Progress reported by the pipeline. */
export interface ProgressEvent {
  stage: StageName;
  /** Fraction of this stage done, 0..1. */
  stageFraction: number;
  /** Fraction of the whole job done, 0..1 (weighted by typical stage cost). */
  overallFraction: number;
  message?: string;
}

/** Logger injected into library code; no console output from inside the pipeline. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {} };

/** One output file of a job: a path relative to the job's output directory, and its bytes. */
export interface OutputFile {
  /** Forward slashes, no "..", no leading "/": e.g. "maps/albedo_diffuse.png". */
  name: string;
  bytes: Uint8Array;
  mediaType: string;
}

/** Options of one reconstruction job (the CLI, the daemon and the plugin all pass these). */
export interface ReconstructOptions {
  /** Quality preset; picks map size and upscaler. */
  preset: Preset;
  /** Which detected face to reconstruct (0 = largest). */
  face: number;
  /** Output formats to write; all by default. */
  formats: ("glb" | "babylon" | "maps")[];
  /** What head.glb carries: "web" | "desktop" (default) | "source" (materials/gltf-delivery.ts). maps/ is full precision whatever the target. */
  target?: "web" | "desktop" | "source";
  /** The head's expression: "neutral" (absent means this) or "photo", as photographed. The photo's blendshape weights are in report.json either way. */
  expression?: "neutral" | "photo";
}

/** Defaults of every option but `target` and `expression` (absent means the package stage's default, "desktop", and the neutral head; kept out of report.json unless asked for). */
export const RECONSTRUCT_DEFAULTS: Required<Omit<ReconstructOptions, "target" | "expression">> = { preset: "standard", face: 0, formats: ["glb", "babylon", "maps"] };

/** Hooks the edges pass into a job. */
export interface ReconstructHooks {
  onProgress?: (event: ProgressEvent) => void;
  /** Checked between stages (and between tiles where a stage supports it). */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Called once after each stage with what it produced (evaluation, debugging, job-report
   * thumbnails). Values are the stage's own objects, not copies: read them, do not modify them.
   * Stages that do not run (e.g. a skipped format) are not reported.
   */
  onStageResult?: <S extends keyof StageResults>(stage: S, value: StageResults[S]) => void;
}

/**
 * What each stage hands to `ReconstructHooks.onStageResult`: the fields listed here at least (the
 * stage's result object may carry more). Sizes: base maps 384×576, full maps the preset's size.
 */
export interface StageResults {
  capture: CaptureResult;
  /** The fitted head and camera, plus the template it was deformed from (parts, landmark vertices). */
  fit: FitResult & { head: Pick<TemplateHead, "parts" | "landmarkVertices"> };
  unwrap: UnwrapResult;
  /** The completed photo texture T, linear RGB, base size. */
  complete: { texture: ImageF32 };
  /** T̂, the upscaled photo texture, full map size. */
  upscale: { texture: ImageF32 };
  /** A_D (sRGB, full size), the completed linear albedo at base size, the lighting estimate, and the fitted light's visibility per base texel (with unwrap's occlusion masks). */
  delight: { albedo: ImageF32; albedoBase: ImageF32; lighting: LightingEstimate; lightOcclusion?: ImageF32 };
  /** A_S, linear, 1 channel, full size. */
  specular: { specularAlbedo: ImageF32 };
  /** N_S and N_D, tangent space xyz −1..1, full size. */
  normals: { normalsSpecular: ImageF32; normalsDiffuse: ImageF32 };
  /** The iris colour (photo and albedo, linear; null photo = too little iris seen), the eyes' albedo map as sRGB 8-bit codes, and the light's photo → albedo factor the iris (and the teeth) were de-lit by. */
  eyes: { iris: { photo: [number, number, number] | null; albedo: [number, number, number]; pixels: number }; texture: { width: number; height: number; codes: Uint8Array }; lightGain: [number, number, number] };
}

/** Time and memory of one stage. */
export interface StageTiming {
  stage: StageName;
  /** Wall time, milliseconds. */
  ms: number;
  /** Peak resident set size seen at the end of the stage, bytes. */
  peakRssBytes: number;
  /** CPU time of the process during the stage (user + system, all threads), milliseconds; ≈ cores × ms when nothing else competes for the CPU. */
  cpuMs?: number;
}

/** Everything a job produced: the files (not yet written anywhere) and the report. */
export interface ReconstructResult {
  files: OutputFile[];
  /** The same object that is serialised into `report.json` among `files`. */
  report: Record<string, unknown>;
}

/**
 * Per point, which of `directions` unit directions the surface point is open toward (nothing of the
 * mesh in the way): the directions are unwrap/ambient-occlusion.ts fibonacciSphere(directions),
 * object space; bit k of the point's word ⌊k/32⌋ (`words` per point, point-major) is 1 when open.
 * Directions below the point's horizon are closed.
 */
export interface DirectionMasks {
  directions: number;
  words: number;
  bits: Uint32Array;
}

/** DirectionMasks per texel of an atlas (texel-major, row by row). */
export interface OcclusionMasks extends DirectionMasks {
  width: number;
  height: number;
}

/**
 * What unwrap returns: the photo texture and the fitted head's geometry, rasterised in UV space at
 * the base size (384×576). All maps share the atlas' size; "gutter" texels (outside every UV
 * island) of the geometry maps hold the value of the nearest island texel, so that filtering and
 * upscaling never pull in garbage.
 */
export interface UnwrapResult {
  /** Photo texture T, linear RGB 0..1; 0 where the texel is not seen by the camera. */
  texture: ImageF32;
  /** 1 channel: 1 where the texel's surface point is seen by the camera (z-buffer, facing it, inside the photo), else 0. */
  visibility: ImageF32;
  /** 1 channel, 0..1: how much to trust T here = facing ratio × masks (skin, not hair/occluder) × landmark confidence; 0 where not visible. */
  confidence: ImageF32;
  /** 1 channel: 1 where a triangle of the head covers the texel centre (inside a UV island), 0 in the gutters. */
  coverage: ImageF32;
  /** Object-space unit normals N_O of the fitted head, xyz −1..1 ("data"). */
  normalsObject: ImageF32;
  /** Per-texel tangent frame of the fitted head, xyzw: unit tangent along +u and bitangent sign (glTF / MikkTSpace), object space. */
  tangentsObject: ImageF32;
  /**
   * Tangent-space normals N_T of the fitted head, xyz −1..1, in the tangent frame written into the
   * GLB (per-pixel frame: T, B = w·N×T, N from the interpolated vertex attributes).
   */
  normalsTangent: ImageF32;
  /** Object-space position of the surface point, xyz metres (glTF axes). */
  position: ImageF32;
  /** Depth D_O, 1 channel, metres: distance behind the head's frontmost point along −Z (object space); 0 at the nose tip. */
  depth: ImageF32;
  /** Ambient occlusion, 1 channel, 0..1 (1 = fully open): cosine-weighted visibility of the sky over the hemisphere. */
  ambientOcclusion: ImageF32;
  /** Per texel, the directions its ambient occlusion found open (OcclusionMasks): the visibility any light known later weighs. */
  occlusionMasks: OcclusionMasks;
  /** 1 channel: size of one texel on the surface, millimetres (geometric mean of its u and v extents). */
  texelSizeMm: ImageF32;
  /** Median of texelSizeMm over covered skin texels, millimetres. */
  medianTexelSizeMm: number;
  /** Facial regions of the template head in this atlas (see RegionMaps). */
  regions: RegionMaps;
  /**
   * 1 channel, 0..1: the share of each texel's skin that the head as photographed shows of what the
   * closed upper lid shows (unwrap/lid-share.ts; 1 off the upper lids, and everywhere when the
   * photo's eyes are closed or no expression was fitted). Absent: every texel counts as fully seen.
   */
  closedLidShare?: ImageF32;
  /**
   * 1 channel, 0/1: the upper lids' skin that closing them stretches (unwrap/lid-share.ts), margin
   * to brow. The photo sees it under the open lid's fold and the brow, in their shade (which the
   * head, without a fold, does not model) and under the lashes: where closedLidShare is 1 it keeps
   * the photo's colour, but it is no sample of the lid's skin for the tucked skin's fill. Absent
   * without closedLidShare or the lid loops.
   */
  upperLidSkin?: ImageF32;
}

/**
 * Facial regions for region-dependent estimators (specular ψ, de-lighting's albedo model), in the
 * channel order of `RegionMaps.weights`. "scalp" is the hair-bearing scalp; "eyelids" includes the
 * eye openings of the skin atlas.
 */
export const FACE_REGIONS = ["forehead", "nose", "cheeks", "lips", "chin", "eyelids", "brows", "scalp", "ears", "neck"] as const;
export type FaceRegion = (typeof FACE_REGIONS)[number];

/**
 * Soft region memberships in UV space, same size as the maps they go with (base 384×576).
 * `weights` has FACE_REGIONS.length channels ("data", 0..1) in FACE_REGIONS order; per texel the
 * channels sum to at most 1 and the remainder is "other skin" (temples, jaw, back of the head
 * below the scalp). Soft borders (a few texels wide) keep region-dependent maps free of seams.
 */
export interface RegionMaps {
  weights: ImageF32;
  /**
   * 2 channels: mm of surface per texel step along x and along y (the atlas's local, possibly
   * anisotropic scale; 0 where unknown, e.g. gutters). Absent: not measured.
   */
  texelAxesMm?: ImageF32;
  /**
   * 1 channel, 1 on the texels the lid margins (the face mesh's eye contours on the head) pass
   * through, else 0: the lash line, in the open eye and at the closed lids' meeting line alike.
   * Absent: not marked (the lids are filled as lid skin).
   */
  lidMargin?: ImageF32;
}

/** One in-photo reference's verdict in report.json (AlbedoScaleCues). */
export interface ReferenceVerdict {
  used: boolean;
  reason: string;
  pixels: number;
  clipped: number;
  purity: number | null;
  sigmaLnY: number | null;
}

/** Which cues fixed the albedo scale and the light colour (report.json `lighting.albedoScale.cues`, pipeline/delight/references.ts). */
export interface AlbedoScaleCues {
  /** Which cues weighed most in the scale (luminance): the references used ("sclera", "teeth", "sclera + teeth"), "skin-locus prior", or both joined by " + " when neither side has ¾ of the weight. */
  decided: string;
  /** Which cues weighed most in the light's colour (white balance), named as `decided`. */
  decidedColour: string;
  /** Weight of the in-photo references (sclera and teeth merged) in the luminance and in the colour, 0..1. */
  referenceWeight: { luminance: number; colour: number };
  /** σ of ln Y of the combined scale (how sure: 0.1 ≈ ±10 %). */
  sigmaLnY: number;
  /** σ of ln Y of the skin-locus prior alone, as read under the combined white balance (its distance from the locus and any extrapolation past the outermost anchors included). */
  priorSigmaLnY: number;
  /** The combined skin luminance ± one σ of ln Y of the apparent (diffuse + sheen) one: [Y·e^−σ, Y·e^σ] less the sheen. */
  skinYInterval: [number, number];
  /** σ of the combined white balance in ln g/r and ln b/r. */
  sigmaChroma: number;
  /**
   * The skin's diffuse luminance each cue alone would have given, the combined one, and the
   * luminance of the locus point whose colour the skin takes (`colour`: between the prior's point
   * and the combined lightness, delight/references.ts `skinLocusLnY`; the sheen below taken out).
   * `prior` is the prior under the scene's light alone; `priorWeighed` the prior as it was weighed
   * against the references, read under the combined white balance (equal to `prior` when no reference
   * was used; on a warm, saturated photo the two can differ threefold, 0.07 against 0.21).
   */
  skinY: { prior: number; priorWeighed: number; sclera: number | null; teeth: number | null; combined: number; colour: number };
  /** Skin's neutral surface reflection taken out of its apparent colour, absolute (delight's skinSurfaceReflectance; 0 = none). */
  surfaceReflectance: number;
  /**
   * The share of the skin's offset off the locus the prior read as the skin's own blood rather than
   * the light's tint, as weighed (0..1; delight/redness-share.ts: from how sure the scene is of the
   * light's colour; 0 with no scene statistics).
   */
  rednessShare: number;
  /**
   * The sclera measurement's verdict ("ok" or why it was not used), pure pixels, clipped share,
   * purity (share of the eye openings that is pure sclera, 0..1) and the reading's own σ of ln Y
   * (null when no cue was formed).
   */
  sclera: ReferenceVerdict;
  /** The teeth measurement's verdict, as the sclera's (purity: the kept share of the mouth opening). */
  teeth: ReferenceVerdict;
  /** The scene's light taken out before the tone was read, and whether its statistics were used (delight/scene-light.ts). */
  sceneLight?: SceneLightVerdict;
}

/** What delight made of the scene's light statistics (delight/scene-light.ts). */
export interface SceneLightVerdict {
  /** "scene": from capture's statistics; "given": a light known from elsewhere; "none": neither. */
  source: "scene" | "given" | "none";
  used: boolean;
  reason: string;
  /** The statistics' reading (linear RGB, red = 1), null when there were none. */
  reading: [number, number, number] | null;
  /** σ per axis of ln g/r, ln b/r of the light taken out (after the skin's check when from the scene). */
  sigmaChroma: number;
  /** How far grey-world and grey-edge disagree beyond their errors, as a Birge ratio (null without statistics). */
  statisticsRatio: number | null;
  /** The skin's misfit to the locus under the reading, as a Birge ratio (null without statistics). */
  skinRatio: number | null;
}

/**
 * The light's colour and exposure as the scene illuminant and the in-photo references (sclera,
 * teeth) decided them, apart from the skin-locus prior's pull (report.json `lighting.referenceLight`,
 * pipeline/delight/references.ts `combineCues`). For surfaces lit like the references but not skin:
 * the iris beside the sclera is divided by this light, not by skin's own colour correction.
 */
export interface ReferenceLight {
  /** The light's white balance, per channel (red = 1): the scene illuminant's and the references' joined by their colour weight. */
  gain: [number, number, number];
  /**
   * Skin's factor from relative to absolute albedo over the light's, per channel ([1, 1, 1] = none):
   * what the locus match and the sheen's removal, both statements about skin only, changed beyond
   * the light. Skin's photo → albedo factor ÷ this is the light's photo → albedo factor.
   */
  skinCorrection: [number, number, number];
}

/**
 * The camera's tone curve as delight estimated it (pipeline/delight/response.ts): the photo value x
 * is the sRGB encoding u of the radiance through logit(x) = k·logit(u); k = 1 is plain sRGB.
 */
export interface CameraResponseEstimate {
  /** The curve family. */
  family: "logit-contrast on sRGB";
  /** Contrast k applied (posterior mean of ln k, exponentiated): > 1 an S-curve, < 1 a flat one. */
  contrast: number;
  /** σ of ln k (the prior's alone: 0.2; 0 when fixed). */
  sigmaLn: number;
  /** What decided k: "shading consistency", "edge mixtures", both joined by " + ", "prior (sRGB)" when the data barely moved it, or "fixed". */
  decided: string;
  /** The grid's k whose linearised skin the lighting model explained best (null when fixed). */
  bestContrastByShading: number | null;
  /** Robust variance of the lighting model's misfit in photo units (sRGB-encoded) at k = 1 and at the best k (null when fixed). */
  photoMisfit: { atSrgb: number; atEstimate: number } | null;
  /**
   * Each cue with the prior alone (k and σ of ln k) and its share of the posterior precision, 0..1
   * (≥ 0.25: it decided); the edge mixtures also say how many crossings of how many distinct
   * edges were used (0: none, the cue is silent). Null when fixed.
   */
  cues: {
    shading: { contrast: number; sigmaLn: number; share: number };
    edges: { contrast: number; sigmaLn: number; share: number; crossings: number; edges: number };
  } | null;
}

/**
 * The photo's lighting as de-lighting δ estimated it (docs/design.md §1): for the job report and for
 * re-rendering in evaluation. Rendering convention, linear light, object space of the fitted mesh:
 * photo ≈ albedo · AO · E(n) / π with E(n) = Σ_lm Â_l·L_lm·Y_lm(n), Â = (π, 2π/3, π/4), real SH
 * with Y1−1 ∝ y, Y10 ∝ z, Y11 ∝ x (see src/render/sh.ts).
 */
export interface LightingEstimate {
  /** Radiance coefficients L_lm, 9 × RGB, index k·3 + c, k in order (0,0),(1,−1),(1,0),(1,1),(2,−2),(2,−1),(2,0),(2,1),(2,2). Photo-linear units per unit albedo. */
  shRadiance: number[];
  /** Unit vector toward the dominant light, object space: the brightest irradiance among the seen normals' directions. */
  dominantDirection: [number, number, number];
  /** How directional the light is over the seen surface: 1 − (darkest / brightest irradiance among the seen normals), 0..1 (0 = flat). */
  shadingContrast: number;
  /** Median diffuse albedo of seen skin, linear RGB, after the scale prior. */
  skinAlbedo: [number, number, number];
  /** The scene illuminant colour (linear, red = 1) taken out of the skin before its tone was read; [1, 1, 1] when none was given. */
  sceneIlluminant: [number, number, number];
  /** The light the references and the scene illuminant decided, and how far skin's own correction went beyond it. */
  referenceLight: ReferenceLight;
  /** How the absolute albedo scale was fixed, and the facial skin luminance Y it targeted. */
  albedoScale: {
    method: "chromaticity" | "fixed";
    targetLuminance: number;
    /** Which in-photo references and priors decided the scale and the light's colour, and how sure (pipeline/delight/references.ts). */
    cues?: AlbedoScaleCues;
  };
  /** The camera response the photo was linearised with before de-lighting (absent: plain sRGB). */
  response?: CameraResponseEstimate;
  /** Fit quality: robust σ of the relative residual, fraction of weight kept as inliers, texels used. */
  fit: { residualSigma: number; inlierFraction: number; texelsUsed: number };
  /**
   * The highlight removal on the seen texels: the share of what the dichromatic test found (Σ κ)
   * that was removed under the skin material's specular bound (1 = all, as without a bound;
   * pipeline/delight/specular-bound.ts).
   */
  highlightRemoval?: { removedShare: number };
}
