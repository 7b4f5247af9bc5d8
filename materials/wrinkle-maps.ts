/**
 * Animated wrinkle maps: the skin's wrinkle weights follow the blendshapes that fold the skin.
 * Each frame (before render) each side's weight is the largest influence among the driver targets
 * of the mesh's MorphTargetManager (found by name) for that side: names ending in Left drive the
 * subject's left, Right the right, unsided names both. The skin plugin then blends the wrinkle map
 * in by the weight of the side each point lies on (diffuse-normal-plugin.ts). Largest rather than
 * sum: mouthSmileLeft at 1 already folds that cheek as deep as the map was taken, and
 * cheekSquintLeft with it must not fold deeper.
 *
 *   const binding = bindWrinkleMaps(head, skin, WRINKLE_DRIVERS.wrinkleSmile);
 *   // … binding.dispose() when the head goes
 */
import type { AbstractMesh, MorphTarget, Observer, PBRMaterial, Scene } from "@babylonjs/core";
import { SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "./diffuse-normal-plugin.ts";

export interface WrinkleBinding {
  /** The driver targets found on the mesh (names in `drivers` the mesh has). */
  readonly targets: readonly MorphTarget[];
  /** Sets the weights from the targets' influences now (the scene does it before each frame); returns them. */
  update(): WrinkleWeights;
  /** Stops following the blendshapes and sets the weights back to 0. */
  dispose(): void;
}

/** Weights of the subject's left and right side, 0…1. */
export interface WrinkleWeights {
  left: number;
  right: number;
}

/** Per side, the largest influence among the targets that drive it, clamped to 0…1 (0 without targets). */
export function wrinkleWeightsOf(targets: readonly MorphTarget[]): WrinkleWeights {
  const weights = { left: 0, right: 0 };
  for (const t of targets) {
    if (!t.name.endsWith("Right")) weights.left = Math.max(weights.left, t.influence);
    if (!t.name.endsWith("Left")) weights.right = Math.max(weights.right, t.influence);
  }
  return { left: Math.min(weights.left, 1), right: Math.min(weights.right, 1) };
}

/**
 * Binds the skin material's wrinkle weights to the mesh's driver blendshapes. Throws when the
 * material has no skin plugin (plain PBR: nothing to drive) or none of the drivers is on the mesh.
 */
export function bindWrinkleMaps(mesh: AbstractMesh, material: PBRMaterial, drivers: readonly string[]): WrinkleBinding {
  const plugin = material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
  if (!plugin) throw new Error(`bindWrinkleMaps: material "${material.name}" has no ${SKIN_PLUGIN_NAME} plugin`);
  const manager = mesh.morphTargetManager;
  const wanted = new Set(drivers);
  const targets: MorphTarget[] = [];
  for (let i = 0; manager && i < manager.numTargets; i++) {
    const t = manager.getTarget(i);
    if (wanted.has(t.name)) targets.push(t);
  }
  if (targets.length === 0) throw new Error(`bindWrinkleMaps: mesh "${mesh.name}" has none of the driver blendshapes ${drivers.join(", ")}`);
  const update = () => (plugin.wrinkleWeights = wrinkleWeightsOf(targets));
  const scene: Scene = mesh.getScene();
  const observer: Observer<Scene> = scene.onBeforeRenderObservable.add(update);
  update();
  return {
    targets,
    update,
    dispose: () => {
      scene.onBeforeRenderObservable.remove(observer);
      plugin.wrinkleWeights = { left: 0, right: 0 };
    },
  };
}
