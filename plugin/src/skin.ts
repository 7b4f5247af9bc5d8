/**
 * The plugin's view of the skin material (`materials/`): registering its material-plugin class,
 * re-activating it on imported materials, and the sliders the panel shows.
 */
import type { Material } from "@babylonjs/core/Materials/material.js";
import { PBRMaterial } from "@babylonjs/core/Materials/PBR/pbrMaterial.js";
import { RegisterClass } from "@babylonjs/core/Misc/typeStore.js";
import { SKIN_PLUGIN_CLASS, SkinDiffuseNormalPlugin } from "../../materials/diffuse-normal-plugin.ts";
import { applySkinParameters, getSkinMetadata, readSkinParameters, restoreSkinMaterials, SKIN_METADATA_KEY } from "../../materials/skin-material.ts";
import { SKIN_DEFAULTS, type SkinParameters } from "../../materials/skin-parameters.ts";

/**
 * Makes `.babylon` data recreate the N_D plugin on load (Babylon finds plugin classes by
 * registered name). Done directly against the class registry, so that `unregisterSkinPlugin`
 * followed by a new `main()` registers again.
 */
export function registerSkinPlugin(): void {
  RegisterClass(`BABYLON.${SKIN_PLUGIN_CLASS}`, SkinDiffuseNormalPlugin);
}

/**
 * Forgets the class (Babylon's registry has no removal; an undefined entry reads as absent).
 * Materials already in the scene keep their plugin instance and still save it; materials loaded
 * afterwards render as the plain-PBR fallback, as without the plugin.
 */
export function unregisterSkinPlugin(): void {
  RegisterClass(`BABYLON.${SKIN_PLUGIN_CLASS}`, undefined as unknown as object);
}

export function isSkinMaterial(material: Material): boolean {
  return getSkinMetadata(material) !== null;
}

/**
 * Sets the scene's SSS scale to its units. Editor scenes are in centimetres, while the skin
 * material sets up scattering distances for a scene in metres; the setting is scene-wide.
 */
export function setSceneUnits(material: Material, metersPerUnit: number): void {
  const config = material.getScene().subSurfaceConfiguration as { metersPerUnit: number } | null;
  if (config) config.metersPerUnit = metersPerUnit;
}

/** Turns an imported skin material (plain PBR + metadata, or already with its plugin) into the full skin material. */
export function activateSkinMaterial(material: Material): void {
  if (!isSkinMaterial(material)) return;
  restoreSkinMaterials(material.getScene());
}

/**
 * Rewrites the map names kept in a serialised material's skin metadata (job-relative, e.g.
 * `maps/normals_diffuse.png`) with `rebase`, so the plugin can find N_D again from the project.
 */
export function rebaseSkinMetadata(materialJson: { metadata?: Record<string, unknown> | null }, rebase: (name: string) => string): void {
  const meta = materialJson.metadata?.[SKIN_METADATA_KEY] as { maps?: Record<string, unknown> } | undefined;
  if (!meta?.maps) return;
  for (const [key, value] of Object.entries(meta.maps)) if (typeof value === "string") meta.maps[key] = rebase(value);
}

export type SkinSliderKey = "specularF0" | "roughnessBase" | "roughnessSharp" | "sharpLobeWeight" | "normalStrength" | "scatteringRedMm" | "translucency";

export interface SkinSlider {
  key: SkinSliderKey;
  label: string;
  min: number;
  max: number;
  step: number;
  digits: number;
  unit?: string;
  help: string;
}

export const SKIN_SLIDERS: readonly SkinSlider[] = [
  { key: "specularF0", label: "Specular F0", min: 0, max: 0.08, step: 0.001, digits: 3, help: "Reflectance at normal incidence of typical skin (A_S = 0.5); 0.028 is IOR 1.4" },
  { key: "roughnessBase", label: "Roughness (broad)", min: 0.1, max: 1, step: 0.01, digits: 2, help: "Perceptual roughness of the broad specular lobe" },
  { key: "roughnessSharp", label: "Roughness (sharp)", min: 0.05, max: 1, step: 0.01, digits: 2, help: "Perceptual roughness of the sharp (clear-coat) lobe" },
  { key: "sharpLobeWeight", label: "Sharp lobe share", min: 0, max: 1, step: 0.01, digits: 2, help: "Share of the specular reflectance in the sharp lobe" },
  { key: "normalStrength", label: "Normal strength", min: 0, max: 2, step: 0.01, digits: 2, help: "Strength of the N_S and N_D normal maps" },
  { key: "scatteringRedMm", label: "Scattering (red)", min: 0.05, max: 2, step: 0.01, digits: 2, unit: "mm", help: "Subsurface scattering distance of red; green and blue keep their ratio to it" },
  { key: "translucency", label: "Translucency", min: 0, max: 1, step: 0.01, digits: 2, help: "Light through thin parts (ears)" },
];

/** The slider values of a skin material, from its parameters. */
export function readSkinSliders(material: Material): Record<SkinSliderKey, number> {
  const p = readSkinParameters(material);
  return {
    specularF0: p.specularF0,
    roughnessBase: p.roughnessBase,
    roughnessSharp: p.roughnessSharp,
    sharpLobeWeight: p.sharpLobeWeight,
    normalStrength: p.normalStrength,
    scatteringRedMm: p.scatteringDistanceMm[0],
    translucency: p.translucency,
  };
}

/**
 * Sets one slider on a skin material, live. A value the material refuses (e.g. a sharp lobe too
 * strong for a clear coat) leaves it unchanged; returns whether it was applied.
 */
export function writeSkinSlider(material: Material, key: SkinSliderKey, value: number): boolean {
  if (!(material instanceof PBRMaterial)) return false;
  const current = readSkinParameters(material);
  const metersPerUnit = (material.getScene().subSurfaceConfiguration as { metersPerUnit?: number } | null)?.metersPerUnit;
  let patch: Partial<SkinParameters>;
  if (key === "scatteringRedMm") {
    const [r, g, b] = current.scatteringDistanceMm[0] > 0 ? current.scatteringDistanceMm : SKIN_DEFAULTS.scatteringDistanceMm;
    patch = { scatteringDistanceMm: [value, (g / r) * value, (b / r) * value] };
  } else {
    patch = { [key]: value };
  }
  try {
    applySkinParameters(material, patch);
    return true;
  } catch {
    return false;
  } finally {
    // applySkinParameters sets the scene's SSS up for metres; keep the scene's own units.
    if (metersPerUnit !== undefined) setSceneUnits(material, metersPerUnit);
  }
}
