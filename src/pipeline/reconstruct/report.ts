/**
 * report.json: what a job did and how well (docs/design.md §5): input and options, stages and the
 * estimators and models they used (with checksums), capture's detected problems, the fit error,
 * the lighting estimate, and quality estimates. Deterministic by construction: no times, no
 * absolute paths, only values computed from the inputs.
 */
import path from "node:path";
import type { DecodeInfo } from "../../image/decode.ts";
import type { Estimator } from "../../models/estimators.ts";
import { luminance } from "../../primitives/color.ts";
import type { CaptureResult, FitResult, ImageF32, LightingEstimate, ReconstructOptions, UnwrapResult } from "../../types.ts";
import { FACE_REGIONS, STAGES } from "../../types.ts";
import type { CompleteResult } from "../complete.ts";
import { weightsRecord } from "../fit/expression.ts";

/** Report format version; bump when a field changes meaning. */
export const REPORT_VERSION = 1;

/** Thresholds behind the problems the report lists beyond capture's flags. */
export const PROBLEM_THRESHOLDS = {
  /** Landmark reprojection error above this share of the interocular distance: the head does not match the face well. */
  fitErrorIod: 0.05,
  /** Share of the face's texels the camera saw below this: most of the face is guessed (mirror and prior). */
  faceSeenFraction: 0.45,
  /** Share of the lighting fit's weight kept as inliers below this: the light (and so the albedo) is uncertain. */
  lightingInliers: 0.6,
} as const;

/** Which estimator roles each stage runs (ρ and σ both belong to the normals stage). */
const STAGE_ESTIMATORS: Partial<Record<(typeof STAGES)[number], string[]>> = {
  upscale: ["upscale"],
  delight: ["delight"],
  specular: ["specular"],
  normals: ["normalsSpecular", "normalsDiffuse"],
};

/** The stages report.json lists (format 1): eyes, a stage since, runs no estimator and is left out so the report keeps its bytes. */
const REPORT_STAGES = STAGES.filter((name) => name !== "eyes");

/** Regions of the face proper (where a frontal photo sees skin). */
const FACE_PROPER = ["forehead", "nose", "cheeks", "lips", "chin", "eyelids", "brows"] as const;

export interface ReportInput {
  photoSha256: string;
  decoded: DecodeInfo;
  options: ReconstructOptions;
  captured: CaptureResult;
  fitted: FitResult;
  unwrapped: UnwrapResult;
  completed: CompleteResult;
  lighting: LightingEstimate;
  mapSize: { width: number; height: number };
  /** Surface size of one full-size texel, mm. */
  texelSizeMm: number;
  estimators: Record<string, Estimator | null>;
  models: { name: string; source: string; sha256: string; onnxSha256: string }[];
  /** porelight's version. */
  version: string;
}

/** Share of the face-proper region weight where `values` (1 channel) holds, weighted by the values. */
function faceShare(unwrapped: UnwrapResult, values: ImageF32): number {
  const w = unwrapped.regions.weights;
  const idx = FACE_PROPER.map((r) => FACE_REGIONS.indexOf(r));
  let num = 0, den = 0;
  for (let p = 0; p < w.width * w.height; p++) {
    let face = 0;
    for (const k of idx) face += w.data[p * w.channels + k];
    face *= unwrapped.coverage.data[p];
    num += face * values.data[p];
    den += face;
  }
  return den > 0 ? num / den : 0;
}

const round = (v: number, digits = 6) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

/** A copy with every number rounded to 6 decimals (the report is for reading; 1e-6 is far below any estimate's accuracy). */
function roundDeep(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? value : round(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, roundDeep);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)]));
  return value;
}

function estimatorRecord(e: Estimator | null) {
  if (!e) return null;
  const origin = e.origin === "built-in" ? "built-in" : path.basename(e.origin);
  return { name: e.manifest.name, origin, scale: e.manifest.scale };
}

/** Problems worth telling the user, each with a stable code and a sentence. */
function problems(input: ReportInput, faceSeen: number): { code: string; message: string }[] {
  const { flags, pose } = input.captured;
  const out: { code: string; message: string }[] = [];
  if (flags.extremePose) out.push({ code: "extreme_pose", message: `the head is turned ${pose.yawDeg.toFixed(0)}° from the camera; the far side is reconstructed from the near side` });
  if (flags.lowResolution) out.push({ code: "low_resolution", message: "the face is small in the photo; fine detail in the maps comes from the upscaler, not the photo" });
  if (flags.partialFace) out.push({ code: "partial_face", message: "the face reaches past the edge of the photo" });
  if (flags.occluded) out.push({ code: "occluded", message: "part of the face is hidden (hair, hands, glasses or a cap); hidden skin is filled in" });
  if (flags.blurry) out.push({ code: "blurry", message: "the face is out of focus or motion-blurred" });
  const iodError = input.fitted.reprojectionErrorPx / Math.max(1e-9, input.fitted.interocularPx);
  if (iodError > PROBLEM_THRESHOLDS.fitErrorIod) out.push({ code: "poor_fit", message: `the head fits the landmarks with an error of ${(100 * iodError).toFixed(1)} % of the eye distance` });
  if (faceSeen < PROBLEM_THRESHOLDS.faceSeenFraction) out.push({ code: "little_face_seen", message: `the photo shows ${(100 * faceSeen).toFixed(0)} % of the face; the rest is mirrored or filled` });
  if (input.lighting.fit.inlierFraction < PROBLEM_THRESHOLDS.lightingInliers) out.push({ code: "lighting_uncertain", message: "the light on the face did not fit a smooth environment well (strong shadows or mixed light); the albedo may keep some shading" });
  return out;
}

/** The content of report.json. */
export function buildReport(input: ReportInput): Record<string, unknown> {
  const { captured, fitted, unwrapped, completed, lighting } = input;
  const face = captured.faces[captured.faceIndex];
  const faceSeen = faceShare(unwrapped, unwrapped.visibility);
  const [r, g, b] = lighting.skinAlbedo;
  return {
    format: "porelight-report",
    version: REPORT_VERSION,
    porelight: input.version,
    input: { sha256: input.photoSha256, width: captured.image.width, height: captured.image.height, ...input.decoded },
    options: { preset: input.options.preset, face: input.options.face, formats: [...input.options.formats], ...(input.options.target ? { target: input.options.target } : {}), ...(input.options.expression ? { expression: input.options.expression } : {}) },
    maps: {
      width: input.mapSize.width,
      height: input.mapSize.height,
      baseWidth: unwrapped.texture.width,
      baseHeight: unwrapped.texture.height,
      texelSizeMm: round(input.texelSizeMm),
      baseTexelSizeMm: round(unwrapped.medianTexelSizeMm),
    },
    stages: REPORT_STAGES.map((name) => ({ name, estimators: (STAGE_ESTIMATORS[name] ?? []).map((k) => ({ role: k, ...estimatorRecord(input.estimators[k] ?? null) })) })),
    models: input.models,
    capture: {
      facesFound: captured.faces.length,
      faceIndex: captured.faceIndex,
      box: face ? { x: round(face.box.x, 2), y: round(face.box.y, 2), width: round(face.box.width, 2), height: round(face.box.height, 2) } : null,
      detectionScore: face ? round(face.score, 4) : null,
      pose: { yawDeg: round(captured.pose.yawDeg, 2), pitchDeg: round(captured.pose.pitchDeg, 2), rollDeg: round(captured.pose.rollDeg, 2) },
      flags: { ...captured.flags, notes: [...captured.flags.notes] },
      illuminant: roundDeep(captured.illuminant),
      ...(captured.apparentSex ? { apparentSex: roundDeep(captured.apparentSex) } : {}),
    },
    problems: problems(input, faceSeen),
    fit: {
      reprojectionErrorPx: round(fitted.reprojectionErrorPx, 3),
      interocularPx: round(fitted.interocularPx, 2),
      errorOfInterocular: round(fitted.reprojectionErrorPx / Math.max(1e-9, fitted.interocularPx), 5),
      camera: roundDeep(fitted.cameraEstimate),
    },
    ...(fitted.expression ? { expression: expressionReport(fitted, input.options.expression ?? "neutral") } : {}),
    lighting: roundDeep(lighting),
    quality: {
      faceSeenFraction: round(faceSeen, 4),
      faceMeanConfidence: round(faceShare(unwrapped, unwrapped.confidence), 4),
      atlasSeenFraction: round(completed.seenFraction, 4),
      atlasMirroredFraction: round(completed.mirroredFraction, 4),
      skinAlbedoLuminance: round(luminance(r, g, b), 4),
    },
  };
}

/**
 * report.json's expression: the photo's ARKit weights (zeros left out), the landmark error of the
 * head as photographed (neutral + weights) and of the neutral head, pixels, and which the outputs carry.
 */
function expressionReport(fitted: FitResult, output: "neutral" | "photo"): Record<string, unknown> {
  const e = fitted.expression!;
  return { output, weights: weightsRecord(e.weights), landmarkErrorPx: round(fitted.reprojectionErrorPx, 3), neutralLandmarkErrorPx: round(e.neutralErrorPx, 3) };
}
