/**
 * The scene's light colour as delight takes it out of the skin before reading its tone (issue 14):
 * the statistics of the rest of the photo (capture/scene-illuminant.ts `sceneLightReading`: the shift
 * grey-world and grey-edge agree on, in any direction, with its doubt), checked against the face's
 * own skin.
 *
 * The check: under the light the scene reads, the face's skin must be a skin colour. A scene that is
 * mostly skin or hair itself (a close crop, a neck, a fringe) reads the face's own colour as the
 * light, and under that light the skin would be grey, far off the skin locus. As for the in-photo
 * references (references.ts `lightConsistency`), the reading's doubt is scaled by the Birge ratio of
 * the skin's misfit to the locus; a misfit beyond MAX_DISAGREEMENT_SIGMA of the joined doubts that is
 * also worse than under the camera's own balance says the statistics read a surface, not the light:
 * the camera's balance (neutral) is kept, with the prior's doubt. Along the locus the check cannot
 * tell a warm light from darker skin (that is what the statistics are for); it catches a reading that
 * takes the skin off the locus's span or across it.
 */
import type { SceneLightStatistics } from "./redness-share.ts";
import { lightConsistency, MAX_DISAGREEMENT_SIGMA, PRIOR_SIGMA_CHROMA, type SkinPrior } from "./references.ts";
import { sceneLightReading } from "../capture/scene-illuminant.ts";
import type { SceneLightVerdict } from "../../types.ts";

/** The light taken out of the skin (linear RGB, red = 1), its white balance (1 / light) and σ per axis of its ln chromaticity. */
export interface SceneLightDecision {
  light: [number, number, number];
  gain: [number, number, number];
  sigmaChroma: number;
  verdict: SceneLightVerdict;
}

const NEUTRAL: [number, number, number] = [1, 1, 1];

/**
 * The scene's light for the skin `prior` (references.ts `SkinPrior`): from `statistics` where given
 * (checked, see the header), else `known` (a light known from elsewhere, red = 1, with the prior's
 * doubt), else the camera's balance (neutral).
 */
export function decideSceneLight(prior: SkinPrior, statistics: SceneLightStatistics | undefined, known: [number, number, number] | undefined): SceneLightDecision {
  const of = (light: [number, number, number], sigmaChroma: number, verdict: SceneLightVerdict): SceneLightDecision => ({
    light,
    gain: light.map((v) => 1 / v) as [number, number, number],
    sigmaChroma,
    verdict,
  });
  if (statistics && known) throw new Error("delight: give sceneIlluminant (a known light) or sceneLight (the scene's statistics), not both");
  if (!statistics) return of(known ?? NEUTRAL, PRIOR_SIGMA_CHROMA, { source: known ? "given" : "none", used: !!known, reason: known ? "a known light" : "no scene statistics", sigmaChroma: PRIOR_SIGMA_CHROMA, reading: null, statisticsRatio: null, skinRatio: null });
  const reading = sceneLightReading(statistics, statistics.witnesses?.length ? statistics.witnesses : undefined);
  const base = { source: "scene" as const, reading: reading.rgb, sigmaChroma: reading.sigmaChroma, statisticsRatio: reading.birgeRatio };
  if (!Number.isFinite(reading.sigmaChroma)) return of(NEUTRAL, PRIOR_SIGMA_CHROMA, { ...base, used: false, reason: "statistics not finite", skinRatio: null });
  const gain = reading.rgb.map((v) => 1 / v);
  const checked = lightConsistency(prior, { fs: gain as [number, number, number], sigmaLnY: Infinity, sigmaChroma: reading.sigmaChroma });
  const underCamera = prior(NEUTRAL, PRIOR_SIGMA_CHROMA).distance;
  if (checked.ratio > MAX_DISAGREEMENT_SIGMA && checked.distance > underCamera) {
    const reason = `under its light the skin is ${checked.distance.toFixed(2)} off the skin locus (${checked.ratio.toFixed(1)} σ; ${underCamera.toFixed(2)} under the camera's balance): a surface's colour, not the light's`;
    return of(NEUTRAL, PRIOR_SIGMA_CHROMA, { ...base, used: false, reason, skinRatio: checked.ratio });
  }
  const note = checked.ratio > 1 ? `; under its light the skin is ${checked.distance.toFixed(2)} off the skin locus: σ × ${checked.ratio.toFixed(1)}` : "";
  return of(reading.rgb, checked.cue.sigmaChroma, { ...base, used: true, reason: `the statistics' reading${note}`, sigmaChroma: checked.cue.sigmaChroma, skinRatio: checked.ratio });
}
