/**
 * Expression figures (issue 16): how well the head as photographed meets the landmarks, how much
 * expression was taken out of the neutral head, and whether the photo's teeth landed on the lips.
 *
 * Tooth-coloured lips: a lip texel of A_D (region "lips" ≥ 0.5, base-size regions sampled at
 * A_D's size) is tooth-coloured when it lies nearer the enamel's reflectance (TOOTH_REFLECTANCE,
 * delight/references.ts) than the skin albedo de-lighting measured, in (ln luminance, ln g/r,
 * ln b/r) with each axis in units of the tooth reference's own spread (σ ln Y, σ chroma). Lips are
 * darker and redder than the skin round them, so they fall on the skin's side; enamel on the tooth's.
 */
import { srgbToLinearFast } from "../src/primitives/color.ts";
import { TOOTH_REFLECTANCE } from "../src/pipeline/delight/references.ts";
import { FACE_REGIONS, type FitResult, type ImageF32, type RegionMaps } from "../src/types.ts";
import { weightsRecord } from "../src/pipeline/fit/expression.ts";

export interface ExpressionChecks {
  /** The photo's weights above 0 (name → 0..1); empty when the expression step did not run. */
  weights: Record<string, number>;
  /** RMS landmark error (pixels, and share of the inter-ocular distance) of the head as photographed and of the neutral head. */
  landmarkErrorIod: number;
  neutralLandmarkErrorIod: number | null;
  /** Share (0..1) of the lip region of A_D that is tooth-coloured; null without lip texels. */
  lipToothShare: number | null;
}

/** The figures for one job. */
export function expressionChecks(fit: FitResult, albedo: ImageF32, regions: RegionMaps, skinAlbedo: [number, number, number]): ExpressionChecks {
  const iod = Math.max(1e-9, fit.interocularPx);
  return {
    weights: fit.expression ? weightsRecord(fit.expression.weights) : {},
    landmarkErrorIod: fit.reprojectionErrorPx / iod,
    neutralLandmarkErrorIod: fit.expression ? fit.expression.neutralErrorPx / iod : null,
    lipToothShare: lipToothShare(albedo, regions, skinAlbedo),
  };
}

/** See the module comment. `albedo` sRGB, any size; `skinAlbedo` linear RGB. */
export function lipToothShare(albedo: ImageF32, regions: RegionMaps, skinAlbedo: [number, number, number]): number | null {
  const w = regions.weights, lipsChannel = FACE_REGIONS.indexOf("lips");
  const tooth = coordinates(TOOTH_REFLECTANCE.rgb), skin = coordinates(skinAlbedo);
  const scale = [TOOTH_REFLECTANCE.sigmaLnY, TOOTH_REFLECTANCE.sigmaChroma, TOOTH_REFLECTANCE.sigmaChroma];
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => (v - b[k]) / scale[k]));
  let lips = 0, toothy = 0;
  for (let y = 0; y < albedo.height; y++) {
    const ry = Math.min(w.height - 1, Math.floor(((y + 0.5) * w.height) / albedo.height));
    for (let x = 0; x < albedo.width; x++) {
      const rx = Math.min(w.width - 1, Math.floor(((x + 0.5) * w.width) / albedo.width));
      if (w.data[(ry * w.width + rx) * w.channels + lipsChannel] < 0.5) continue;
      const i = (y * albedo.width + x) * albedo.channels;
      const c = coordinates([0, 1, 2].map((k) => srgbToLinearFast(albedo.data[i + k])) as [number, number, number]);
      lips++;
      if (dist(c, tooth) < dist(c, skin)) toothy++;
    }
  }
  return lips > 0 ? toothy / lips : null;
}

/** (ln luminance, ln g/r, ln b/r) of a linear RGB colour. */
function coordinates([r, g, b]: [number, number, number]): number[] {
  const e = 1e-4;
  return [Math.log(0.2126 * r + 0.7152 * g + 0.0722 * b + e), Math.log((g + e) / (r + e)), Math.log((b + e) / (r + e))];
}
