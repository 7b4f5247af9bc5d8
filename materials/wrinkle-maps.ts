/**
 * Animated wrinkle maps: the skin's wrinkle weight follows the blendshapes that fold the skin.
 * Each frame (before render) the weight is the largest influence among the driver targets of the
 * mesh's MorphTargetManager, found by name; the skin plugin then blends the wrinkle map in by it
 * (diffuse-normal-plugin.ts). Largest rather than sum: one smiling side already folds as deep as
 * the map was taken, and two sides at 1 must not fold deeper.
 *
 *   const binding = bindWrinkleMaps(head, skin, WRINKLE_DRIVERS.wrinkleSmile);
 *   // … binding.dispose() when the head goes
 */
import type { AbstractMesh, MorphTarget, Observer, PBRMaterial, Scene } from "@babylonjs/core";
import { SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "./diffuse-normal-plugin.ts";

export interface WrinkleBinding {
  /** The driver targets found on the mesh (names in `drivers` the mesh has). */
  readonly targets: readonly MorphTarget[];
  /** Sets the weight from the targets' influences now (the scene does it before each frame); returns it. */
  update(): number;
  /** Stops following the blendshapes and sets the weight back to 0. */
  dispose(): void;
}

/** The largest influence among the targets, clamped to 0…1 (0 without targets). */
export function wrinkleWeightOf(targets: readonly MorphTarget[]): number {
  let weight = 0;
  for (const t of targets) weight = Math.max(weight, t.influence);
  return Math.min(weight, 1);
}

/**
 * Binds the skin material's wrinkle weight to the mesh's driver blendshapes. Throws when the
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
  const update = () => (plugin.wrinkleWeight = wrinkleWeightOf(targets));
  const scene: Scene = mesh.getScene();
  const observer: Observer<Scene> = scene.onBeforeRenderObservable.add(update);
  update();
  return {
    targets,
    update,
    dispose: () => {
      scene.onBeforeRenderObservable.remove(observer);
      plugin.wrinkleWeight = 0;
    },
  };
}
