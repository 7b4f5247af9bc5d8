/**
 * The eyes' depth bias against the lids (issue 16). At the outer ends of a closed lid the eyeball
 * is seen edge-on, 8 mm behind the skin, and in SwiftShader's 4× MSAA one sample of such a pixel
 * took the eyeball although the skin covers it (docs/evaluation.md, "eyedots"). A polygon-offset
 * factor of 1 (glPolygonOffset: offset = factor × max(|∂z/∂x|, |∂z/∂y|), OpenGL ES 3.0 "Depth
 * Offset") moves each eye fragment back by its own triangle's depth change across one pixel: large
 * only where the eyeball is seen edge-on, i.e. where it meets the lids, and near 0 on the iris
 * facing the camera. It removes those samples; drawing the eyes after the skin or with a depth
 * pre-pass does not (the eye's sample still passes the depth test).
 */
import type { Material } from "@babylonjs/core/Materials/material.js";
import type { Scene } from "@babylonjs/core/scene.js";

/** The eye material's name in head.babylon and head.glb. */
export const EYE_MATERIAL_NAME = "eyes";
/** Polygon-offset factor (Babylon's `Material.zOffset`) of the eye material: one depth slope. */
export const EYE_DEPTH_SLOPE_OFFSET = 1;

/** Sets the eye material's depth bias (it is saved in head.babylon). */
export function keepEyeBehindLids(material: Material): void {
  material.zOffset = EYE_DEPTH_SLOPE_OFFSET;
}

/** The same for every eye material of a scene: heads saved before the bias, and GLBs. Returns how many. */
export function keepEyesBehindLids(scene: Scene): number {
  const eyes = scene.materials.filter((m) => m.name === EYE_MATERIAL_NAME);
  for (const m of eyes) keepEyeBehindLids(m);
  return eyes.length;
}
