/**
 * The face's apparent sex, read by the face-description network (HSE FaceRes, catalog "faceres":
 * trained with a sex head beside its identity descriptor) on the aligned face crop and on its
 * mirror image; the two readings' log-odds are averaged, so a lit side or a turned head does not
 * decide alone. Fit uses the probability as the prior weight of the survey's male and female heads
 * (src/geometry/head-prediction.ts): the sexes differ most in the neck's girth against the face.
 * It is a reading of appearance, with the network's own uncertainty; nothing else uses it.
 */
import { alignedFace, EMBED_SIZE, flipHorizontal } from "../../primitives/face-crop.ts";
import type { ApparentSex, ImageF32, Landmarks } from "../../types.ts";
import type { RunModel } from "./detect.ts";

/** The network's sex output (sigmoid: probability the face is male) and its input scale. */
const SEX_OUTPUT = "gender_pred/Sigmoid";
const INPUT_SCALE = 255;
/** Probabilities are kept this far from 0 and 1 so the log-odds stay finite (a float32 sigmoid saturates). */
const EPS = 1e-6;

const logit = (p: number) => Math.log(p / (1 - p));

/** Reads the apparent sex of the face at `landmarks` (capture's 478, pixels) in an sRGB photo. */
export async function apparentSex(image: ImageF32, landmarks: Landmarks, runFaceres: RunModel): Promise<ApparentSex> {
  if (image.colorSpace !== "srgb") throw new Error("apparentSex: the photo must be sRGB (the network was trained on camera images)");
  const crop = alignedFace(image, landmarks);
  const readings: number[] = [];
  for (const view of [crop, flipHorizontal(crop)]) {
    const out = await runFaceres(Float32Array.from(view.data, (v) => v * INPUT_SCALE), [1, EMBED_SIZE, EMBED_SIZE, 3]);
    const p = out[SEX_OUTPUT]?.[0];
    if (p === undefined || !Number.isFinite(p)) throw new Error(`apparentSex: the network gave no ${SEX_OUTPUT} output`);
    readings.push(Math.min(1 - EPS, Math.max(EPS, p)));
  }
  const meanLogOdds = readings.reduce((s, p) => s + logit(p), 0) / readings.length;
  return { maleProbability: 1 / (1 + Math.exp(-meanLogOdds)), readings };
}
