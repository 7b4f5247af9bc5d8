/**
 * The inner parts' depth bias against the skin (issue 16). Where an eyeball or a mouth part is
 * seen edge-on behind the skin, SwiftShader's 4× MSAA let single samples of it through the skin
 * in front: at the outer ends of a closed lid the eyeball (8 mm behind; docs/evaluation.md,
 * "eyedots"), and beside the lip corners the mouth's side walls (short dark vertical dashes above
 * and below each corner; "specks"). A polygon-offset factor of 1 (glPolygonOffset: offset =
 * factor × max(|∂z/∂x|, |∂z/∂y|), OpenGL ES 3.0 "Depth Offset") moves each fragment back by its
 * own triangle's depth change across one pixel: large only where the part is seen edge-on, i.e.
 * where it meets the skin, and near 0 on the iris or the teeth facing the camera. It removes those
 * samples; drawing the parts after the skin or with a depth pre-pass does not (the sample still
 * passes the depth test).
 */
import type { Material } from "@babylonjs/core/Materials/material.js";
import type { Scene } from "@babylonjs/core/scene.js";
import { GLTF_MOUTH_MATERIALS } from "./gltf-mapping.ts";

/** The eye material's name in head.babylon and head.glb. */
export const EYE_MATERIAL_NAME = "eyes";
/** Materials of the parts inside the head (eyes, mouth, teeth, tongue), by name. */
export const INNER_PART_MATERIAL_NAMES: readonly string[] = [EYE_MATERIAL_NAME, ...Object.keys(GLTF_MOUTH_MATERIALS)];
/** Polygon-offset factor (Babylon's `Material.zOffset`) of the inner parts' materials: one depth slope. */
export const EYE_DEPTH_SLOPE_OFFSET = 1;

/** Sets an inner part material's depth bias (it is saved in head.babylon). */
export function keepBehindSkin(material: Material): void {
  material.zOffset = EYE_DEPTH_SLOPE_OFFSET;
}

/** The same for every inner part material of a scene: heads saved before the bias, and GLBs. Returns how many. */
export function keepInnerPartsBehindSkin(scene: Scene): number {
  const inner = scene.materials.filter((m) => INNER_PART_MATERIAL_NAMES.includes(m.name));
  for (const m of inner) keepBehindSkin(m);
  return inner.length;
}
