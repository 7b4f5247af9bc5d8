/**
 * The job's side of the smile's folds (issue 16): which fold map delight gets (the neutral head's
 * only) and the wrinkle map package writes from the relief delight split off.
 */
import type { FitResult, ImageF32, ReconstructOptions, TemplateHead } from "../../types.ts";
import { SMILE_FOLD_SHAPES, smileFoldMap } from "../fit/expression-folds.ts";
import { EXPRESSION_DEFAULTS } from "../fit/expression.ts";
import { applyReliefSlopes } from "../normals/shading-detail.ts";

/**
 * Where the photo's smile folded the skin, at the base maps' size (a smooth field: delight reads it
 * bilinearly; at ultra a full-size raster would cost 300 MB), for the neutral head only: its A_D and
 * N_S lose the folds, which come back as the wrinkle map (the head as photographed keeps them).
 */
export function neutralFolds(opts: ReconstructOptions, fitted: FitResult, head: TemplateHead, size: { width: number; height: number }): ImageF32 | undefined {
  if (opts.expression === "photo" || !fitted.expression) return undefined;
  const { weights, blendshapes } = fitted.expression;
  // No smile, no folds of its own: nothing to take out and no wrinkle map.
  if (!blendshapes.some((shape, k) => SMILE_FOLD_SHAPES.includes(shape.name) && weights[k] > 0)) return undefined;
  return smileFoldMap(head, fitted.mesh, blendshapes, weights, size.width, size.height, EXPRESSION_DEFAULTS.activeWeight);
}

/** The smile's wrinkle relief as a tangent-space detail normal map (xyz −1..1, flat (0, 0, 1) where the smile folds nothing), the maps' size. */
export function wrinkleNormalMap(slopes: ImageF32, size: { width: number; height: number }): ImageF32 {
  const flat = new Float32Array(size.width * size.height * 3);
  for (let p = 2; p < flat.length; p += 3) flat[p] = 1;
  const map: ImageF32 = { width: size.width, height: size.height, channels: 3, data: flat, colorSpace: "data" };
  applyReliefSlopes(map, slopes);
  return map;
}
