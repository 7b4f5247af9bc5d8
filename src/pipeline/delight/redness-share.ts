/**
 * Whose is the skin's offset off the locus: the light's tint or the skin's blood (issue 14)? One
 * colour cannot tell; the rest of the scene can. Two estimates of the light's tint along the offset
 * are joined by inverse variance:
 *
 * - the skin as a light meter: skin lies on the locus but for its spread about it, so the light's
 *   tint is the whole offset δ, with σ_skin² = tolerance² + (σ_a · e·d̂)² (the skin's own spread
 *   along the offset's direction d̂, e the blood's direction per unit a*);
 * - the scene (capture/scene-illuminant.ts): grey-world's and grey-edge's light, their mean in ln
 *   chromaticity, less the light the white balance already took out, along d̂ (τ), with σ_scene² the
 *   statistics' own error (SCENE_LIGHT_ANGULAR_ERROR_DEG) plus half their disagreement squared.
 *
 * The joined tint is (1 − w) δ + w τ, w = σ_skin² / (σ_skin² + σ_scene²); what it leaves of δ is
 * the skin's: the share w (1 − τ / δ) of the offset is redness. No scene (a face crop, the synthetic
 * renders): σ_scene is infinite and the share 0, the offset read as a tint (the plain nearest point).
 * A scene that shows the tint (τ ≈ δ): share ≈ 0. A scene that vouches for a neutral light with a
 * small doubt: share → 1. An offset redness cannot make (d̂ · e ≤ 0, the green side): share 0.
 */
import { luminance } from "../../primitives/color.ts";
import { GREY_EDGE_ANGULAR_ERROR_DEG } from "../capture/scene-illuminant.ts";
import type { SceneIlluminant } from "../../types.ts";

/** The scene's light statistics as capture's SceneIlluminant carries them, linear RGB, red = 1: the whole scene's, and its witnesses' (absent: the whole is the one witness). */
export type SceneLightStatistics = Pick<SceneIlluminant, "greyWorld" | "greyEdge" | "witnesses">;

/** What delight reads of capture's scene illuminant. */
export function sceneLightStatistics(illuminant: SceneIlluminant): SceneLightStatistics {
  const { greyWorld, greyEdge, witnesses } = illuminant;
  return { greyWorld, greyEdge, ...(witnesses ? { witnesses } : {}) };
}

/** Median angular error of grey-edge (capture/scene-illuminant.ts, where it is cited). */
export const SCENE_LIGHT_ANGULAR_ERROR_DEG = GREY_EDGE_ANGULAR_ERROR_DEG;

/** For a 2-D Gaussian error of per-axis σ, the median radial error is σ √(2 ln 2). */
const MEDIAN_PER_SIGMA = Math.sqrt(2 * Math.LN2);

const lnChroma = (rgb: readonly number[]): [number, number] => [Math.log(rgb[1] / rgb[0]), Math.log(rgb[2] / rgb[0])];

/**
 * The RGB angle (radians) a unit step along `dir` in (ln g/r, ln b/r) makes at a neutral colour:
 * the step (0, x, y) less its grey component, over |(1, 1, 1)|.
 */
function anglePerUnit(dir: readonly number[]): number {
  const [x, y] = dir;
  const grey = (x + y) / 3;
  return Math.hypot(-grey, x - grey, y - grey) / Math.sqrt(3);
}

/**
 * The scene's light along `dir` (unit, ln chromaticity) relative to `assumedLight` (linear RGB, any
 * scale: the light the white balance took out) and the σ of that reading. Null without statistics.
 */
export function sceneTintAlong(scene: SceneLightStatistics | undefined, assumedLight: readonly number[], dir: readonly number[]): { tint: number; sigma: number } | null {
  if (!scene) return null;
  const [w, e, a] = [lnChroma(scene.greyWorld), lnChroma(scene.greyEdge), lnChroma(assumedLight)];
  if (![...w, ...e, ...a].every(Number.isFinite)) return null;
  const along = (v: readonly number[]) => v[0] * dir[0] + v[1] * dir[1];
  const mean = [(w[0] + e[0]) / 2 - a[0], (w[1] + e[1]) / 2 - a[1]];
  const method = (SCENE_LIGHT_ANGULAR_ERROR_DEG * Math.PI) / 180 / MEDIAN_PER_SIGMA / anglePerUnit(dir);
  const disagreement = along([w[0] - e[0], w[1] - e[1]]) / 2;
  return { tint: along(mean), sigma: Math.hypot(method, disagreement) };
}

/**
 * The share (0..1) of the skin's offset off the locus that is the skin's own redness (see the
 * header). `offset`: the colour less its nearest locus point, (ln g/r, ln b/r); `redness`: the
 * blood's direction there per unit a* (albedo-scale.ts `rednessDirection`); `tolerance`, `rednessSigma`:
 * the skin's spread about the locus (ln units, a* units); `assumedLight`: the light the white
 * balance the colour was read under took out (linear RGB, 1 / gain).
 */
export function rednessShare(
  offset: readonly number[],
  redness: readonly number[],
  tolerance: number,
  rednessSigma: number,
  scene: SceneLightStatistics | undefined,
  assumedLight: readonly number[],
): number {
  const delta = Math.hypot(offset[0], offset[1]);
  if (!(delta > 0)) return 0;
  const dir = [offset[0] / delta, offset[1] / delta];
  const blood = redness[0] * dir[0] + redness[1] * dir[1];
  if (!(blood > 0)) return 0;
  const read = sceneTintAlong(scene, assumedLight, dir);
  if (!read || !(read.sigma > 0)) return 0;
  const skinVar = tolerance ** 2 + (rednessSigma * blood) ** 2;
  const w = skinVar / (skinVar + read.sigma ** 2);
  return Math.min(1, Math.max(0, w * (1 - read.tint / delta)));
}

/** The light a white balance `gain` (per channel) took out, linear RGB with its luminance 1. */
export function lightOfGain(gain: readonly number[]): [number, number, number] {
  const l = gain.map((g) => 1 / g);
  const Y = luminance(l[0], l[1], l[2]);
  return [l[0] / Y, l[1] / Y, l[2] / Y];
}
