/**
 * Expression figures (issue 16): how well the head as photographed meets the landmarks, how much
 * expression was taken out of the neutral head, and whether the photo's teeth landed on the lips.
 *
 * Tooth-coloured lips: over the lip region of the completed photo texture (the texels A_D's lips
 * are de-lit from; region "lips" ≥ 0.5), the share of texels nearer (CIEDE2000) to the teeth's
 * colour in this photo (capture/teeth.ts) than to the lips' own median colour and than to the
 * skin's around them (the median over the region's soft rim, "lips" 0.05–0.5, seen by the photo).
 * The skin is the third reference because the teeth in the mouth's shade can be nearer to skin
 * than to lips (d3dfr-000002: teeth 8 ΔE00 from the skin, 17 from the lips), and the lip region's
 * rim takes a texel or two of skin above the vermilion border: without it those counted as teeth.
 * All references come from the same photo under the same light, so no albedo scale enters; null
 * when the photo shows no teeth to land anywhere: measureTeeth found no opening, or what it found
 * between the lips is not enamel by its own test (green/red below TEETH_DEFAULTS.minGreenRed, or too
 * few pixels; src/pipeline/teeth-colour.ts `enamelColour`). Without that test the lightest part of a tongue, the gums or the dark
 * mouth was the "teeth" reference, and lip texels near it counted (d3dfr-vd102's pale upper lip,
 * vd006's shaded vermilion, vd034's mouth corners: 17, 31, 12 % with no tooth in their crops).
 */
import { ciede2000, linearSrgbToLab } from "../src/primitives/color.ts";
import { FACE_REGIONS, type FitResult, type ImageF32, type RegionMaps } from "../src/types.ts";
import { weightsRecord } from "../src/pipeline/fit/expression.ts";

export interface ExpressionChecks {
  /** The photo's weights above 0 (name → 0..1); empty when the expression step did not run. */
  weights: Record<string, number>;
  /** RMS landmark error, share of the inter-ocular distance, of the head as photographed and of the neutral head. */
  landmarkErrorIod: number;
  neutralLandmarkErrorIod: number | null;
  /** Share (0..1) of the lip region that is tooth-coloured; null without teeth in the photo or lip texels. */
  lipToothShare: number | null;
}

/** The figures for one job: `texture` the completed photo texture (linear, base size), `teeth` the photo's teeth colour (linear) or null. */
export function expressionChecks(fit: FitResult, texture: ImageF32, regions: RegionMaps, teeth: [number, number, number] | null, confidence?: ImageF32): ExpressionChecks {
  const iod = Math.max(1e-9, fit.interocularPx);
  return {
    weights: fit.expression ? weightsRecord(fit.expression.weights) : {},
    landmarkErrorIod: fit.reprojectionErrorPx / iod,
    neutralLandmarkErrorIod: fit.expression ? fit.expression.neutralErrorPx / iod : null,
    lipToothShare: teeth ? lipToothShare(texture, regions, teeth, confidence) : null,
  };
}

/** Lowest unwrap confidence of a rim texel that speaks for the skin around the lips (below it the texel was filled, not seen). */
const RIM_SEEN = 0.3;

/** See the module comment; `texture` linear RGB at the regions' size, `teeth` linear RGB; `confidence` (absent: all seen) picks the rim's seen texels. */
export function lipToothShare(texture: ImageF32, regions: RegionMaps, teeth: [number, number, number], confidence?: ImageF32): number | null {
  const w = regions.weights, lipsChannel = FACE_REGIONS.indexOf("lips");
  if (w.width !== texture.width || w.height !== texture.height) throw new Error("lipToothShare: the texture and the regions differ in size");
  if (confidence && (confidence.width !== w.width || confidence.height !== w.height)) throw new Error("lipToothShare: the confidence and the regions differ in size");
  const labs: [number, number, number][] = [], rim: [number, number, number][] = [];
  for (let p = 0; p < w.width * w.height; p++) {
    const lips = w.data[p * w.channels + lipsChannel];
    if (lips < 0.05) continue;
    const i = p * texture.channels;
    const lab = linearSrgbToLab(texture.data[i], texture.data[i + 1], texture.data[i + 2]);
    if (lips >= 0.5) labs.push(lab);
    else if (!confidence || confidence.data[p] > RIM_SEEN) rim.push(lab);
  }
  if (labs.length === 0) return null;
  const median = (set: [number, number, number][]) => [0, 1, 2].map((k) => set.map((l) => l[k]).sort((a, b) => a - b)[set.length >> 1]);
  const lip = median(labs), skin = rim.length > 0 ? median(rim) : null, tooth = linearSrgbToLab(...teeth);
  return labs.filter((l) => ciede2000(l, tooth) < Math.min(ciede2000(l, lip), skin ? ciede2000(l, skin) : Infinity)).length / labs.length;
}
