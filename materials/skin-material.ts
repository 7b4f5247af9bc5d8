/**
 * The skin material: a stock PBRMaterial (A_D albedo, A_S-driven base lobe, clear-coat sharp lobe
 * with N_S, screen-space SSS, thin-part translucency) plus the N_D plugin, which also blends the
 * optional smile wrinkle map onto N_S and N_D (its weight bound to blendshapes by wrinkle-maps.ts). Its parameters and map
 * names are mirrored in `material.metadata.porelightSkin`, so a scene opened before the plugin is
 * registered renders as good PBR and `restoreSkinMaterials(scene)` brings the full material back.
 */
import { Constants } from "@babylonjs/core/Engines/constants.js";
import { Material } from "@babylonjs/core/Materials/material.js";
import { PBRMaterial } from "@babylonjs/core/Materials/PBR/pbrMaterial.js";
import { Texture } from "@babylonjs/core/Materials/Textures/texture.js";
import { Color3 } from "@babylonjs/core/Maths/math.color.js";
import type { BaseTexture, Scene } from "@babylonjs/core";
import { SkinDiffuseNormalPlugin, SKIN_PLUGIN_NAME } from "./diffuse-normal-plugin.ts";
import { SKIN_MAP_FILES } from "./map-files.ts";
import { CLEARCOAT_IOR, skinParametersToJson, specularFactors, validateSkinParameters, type SkinParameters, type ValidSkinParameters } from "./skin-parameters.ts";
import { configureSkinSubsurface } from "./subsurface.ts";

/** Map names relative to a root URL (see SKIN_MAP_FILES), or ready textures. */
export interface SkinMaps {
  albedoDiffuse: string | BaseTexture;
  albedoSpecular: string | BaseTexture;
  normalsDiffuse: string | BaseTexture;
  normalsSpecular: string | BaseTexture;
  /** Optional thin-part mask (alpha channel); without it translucency is off. */
  thinMask?: string | BaseTexture | null;
  /** Optional smile wrinkle map (detail normals, SKIN_MAP_FILES.wrinkleSmile); weight 0 until bound. */
  wrinkleSmile?: string | BaseTexture | null;
}

export interface SkinMetadata {
  version: 1;
  parameters: Record<string, unknown>;
  /** Map names relative to the scene's root URL. */
  maps: { normalsDiffuse: string; wrinkleSmile?: string };
}

export const SKIN_METADATA_KEY = "porelightSkin";

export interface CreateSkinMaterialOptions {
  /** Prefix for relative map names (a job's output URL ending in "/"). */
  rootUrl?: string;
  /** Attach the N_D plugin (default true). False gives the plain-PBR fallback. */
  withPlugin?: boolean;
}

/** Loads a map with glTF conventions: UV origin top-left (invertY false), linear unless sRGB. */
function mapTexture(scene: Scene, source: string | BaseTexture, rootUrl: string, srgb: boolean): BaseTexture {
  if (typeof source !== "string") return source;
  const texture = new Texture(rootUrl + source, scene, { noMipmap: false, invertY: false, gammaSpace: srgb });
  texture.name = source; // serialised name stays relative to the .babylon root
  texture.gammaSpace = srgb;
  return texture;
}

/**
 * Creates the skin material from its maps and parameters; checks the parameters (apps call this
 * directly), throwing on the first one out of range.
 *
 *   const skin = createSkinMaterial("skin", scene, SKIN_MAP_FILES, params, { rootUrl: "/v1/jobs/42/files/" });
 *   head.material = skin;
 */
export function createSkinMaterial(name: string, scene: Scene, maps: SkinMaps, parameters: Partial<SkinParameters> = {}, options: CreateSkinMaterialOptions = {}): PBRMaterial {
  return createCheckedSkinMaterial(name, scene, maps, validateSkinParameters(parameters), options);
}

/** `createSkinMaterial` for parameters already checked (head.babylon's export checks once, at its entry). */
export function createCheckedSkinMaterial(name: string, scene: Scene, maps: SkinMaps, p: ValidSkinParameters, options: CreateSkinMaterialOptions = {}): PBRMaterial {
  const rootUrl = options.rootUrl ?? "";
  const material = new PBRMaterial(name, scene);
  material.albedoTexture = mapTexture(scene, maps.albedoDiffuse, rootUrl, true);
  material.reflectanceTexture = mapTexture(scene, maps.albedoSpecular, rootUrl, false);
  material.bumpTexture = mapTexture(scene, maps.normalsSpecular, rootUrl, false);
  material.clearCoat.isEnabled = true;
  material.clearCoat.texture = material.reflectanceTexture;
  material.clearCoat.bumpTexture = material.bumpTexture;
  if (maps.thinMask) material.subSurface.translucencyIntensityTexture = mapTexture(scene, maps.thinMask, rootUrl, false);

  const nameOf = (map: string | BaseTexture) => (typeof map === "string" ? map : map.name);
  setSkinProperties(material, p, { normalsDiffuse: nameOf(maps.normalsDiffuse), ...(maps.wrinkleSmile ? { wrinkleSmile: nameOf(maps.wrinkleSmile) } : {}) });
  if (options.withPlugin !== false) {
    attachSkinPlugin(material, mapTexture(scene, maps.normalsDiffuse, rootUrl, false), maps.wrinkleSmile ? mapTexture(scene, maps.wrinkleSmile, rootUrl, false) : null);
  }
  return material;
}

/**
 * Sets every parameter-dependent property (live sliders call this) and mirrors the parameters
 * into the metadata. Fixed settings (workflow, conventions) are re-applied too, so a material
 * parsed from an older file ends up in the same state.
 */
export function applySkinParameters(material: PBRMaterial, parameters: Partial<SkinParameters>): ValidSkinParameters {
  const meta = getSkinMetadata(material);
  const p = validateSkinParameters({ ...((meta?.parameters as Partial<SkinParameters> | undefined) ?? {}), ...parameters });
  setSkinProperties(material, p, meta?.maps ?? { normalsDiffuse: SKIN_MAP_FILES.normalsDiffuse });
  return p;
}

/** Sets the parameter-dependent properties and the metadata mirror from checked parameters. */
function setSkinProperties(material: PBRMaterial, p: ValidSkinParameters, maps: SkinMetadata["maps"]): void {
  const { baseColorFactor, coatFactor } = specularFactors(p);

  // Base lobe: metallic workflow, dielectric; F0 = fresnelF0(ior) × baseColorFactor × A_S.
  material.metallic = 0;
  material.roughness = p.roughnessBase;
  material.metallicF0Factor = 1;
  material.metallicReflectanceColor = new Color3(baseColorFactor, baseColorFactor, baseColorFactor);
  material.subSurface.indexOfRefraction = p.indexOfRefraction;
  if (material.bumpTexture) material.bumpTexture.level = p.normalStrength;
  // glTF conventions in a left-handed scene (what Babylon's glTF loader sets).
  material.invertNormalMapX = true;
  material.invertNormalMapY = false;
  material.forceIrradianceInFragment = true;

  // Sharp lobe: clear coat, intensity = coatFactor × A_S (red channel), own roughness, N_S.
  material.clearCoat.isEnabled = true;
  material.clearCoat.intensity = coatFactor;
  material.clearCoat.roughness = p.roughnessSharp;
  material.clearCoat.indexOfRefraction = CLEARCOAT_IOR;
  material.clearCoat.remapF0OnInterfaceChange = false; // the coat is moisture on skin, not a layer changing the base's F0
  material.clearCoat.useRoughnessFromMainTexture = false;

  // Subsurface: screen-space scattering with the skin profile, translucency through thin parts.
  const scene = material.getScene();
  const profile = configureSkinSubsurface(scene, p.scatteringDistanceMm);
  material.subSurface.isScatteringEnabled = true; // renders through the pre-pass where the engine has one (WebGL2/WebGPU)
  if (profile > 0) (material.subSurface as unknown as { _scatteringDiffusionProfileIndex: number })._scatteringDiffusionProfileIndex = profile;
  const thin = !!material.subSurface.translucencyIntensityTexture && p.translucency > 0;
  material.subSurface.isTranslucencyEnabled = thin;
  material.subSurface.translucencyIntensity = p.translucency;
  material.subSurface.useGltfStyleTextures = true; // mask in alpha, as KHR_materials_diffuse_transmission
  material.subSurface.translucencyColor = new Color3(...p.translucencyColor);

  const plugin = material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
  if (plugin) plugin.diffuseNormalLevel = p.normalStrength;
  material.metadata = { ...(material.metadata ?? {}), [SKIN_METADATA_KEY]: { version: 1, parameters: skinParametersToJson(p), maps } satisfies SkinMetadata };
  material.markAsDirty(Constants.MATERIAL_AllDirtyFlag);
}

/** The skin metadata of a material, or null when it is not a skin material. */
export function getSkinMetadata(material: Material | null | undefined): SkinMetadata | null {
  const meta = material?.metadata?.[SKIN_METADATA_KEY] as SkinMetadata | undefined;
  return meta && meta.version === 1 && meta.parameters && meta.maps ? meta : null;
}

/** The skin parameters of a material (from its metadata), validated. */
export function readSkinParameters(material: Material): ValidSkinParameters {
  const meta = getSkinMetadata(material);
  if (!meta) throw new Error(`material "${material.name}" has no ${SKIN_METADATA_KEY} metadata: not a porelight skin material`);
  return validateSkinParameters(meta.parameters as Partial<SkinParameters>);
}

/** Attaches (or updates) the N_D plugin on a material; a wrinkle map, when given, replaces the plugin's. */
export function attachSkinPlugin(material: PBRMaterial, diffuseNormals: BaseTexture, wrinkleSmile: BaseTexture | null = null): SkinDiffuseNormalPlugin {
  const plugin = material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME) ?? new SkinDiffuseNormalPlugin(material);
  plugin.diffuseNormalTexture = diffuseNormals;
  if (wrinkleSmile) plugin.wrinkleTexture = wrinkleSmile;
  const meta = getSkinMetadata(material);
  if (meta) plugin.diffuseNormalLevel = Number(meta.parameters.normalStrength ?? 1);
  return plugin;
}

/**
 * Makes a material follow its scene's image processing (exposure, tone mapping) again. A material
 * parsed from a file that stored its own settings (head.babylon written before this was fixed)
 * owns a detached copy; with the SSS pre-pass on, that applied image processing twice wherever
 * scattering was off.
 */
export function followSceneImageProcessing(material: Material): void {
  const m = material as Material & { imageProcessingConfiguration?: unknown };
  const sceneConfig = material.getScene().imageProcessingConfiguration;
  if ("imageProcessingConfiguration" in m && m.imageProcessingConfiguration !== sceneConfig) m.imageProcessingConfiguration = sceneConfig;
}

/** Root URL of a parsed texture: its url minus its (relative) name. */
function rootUrlOf(texture: BaseTexture | null): string {
  const t = texture as (BaseTexture & { url?: string | null }) | null;
  if (!t?.url || !t.name || !t.url.endsWith(t.name)) return "";
  return t.url.slice(0, t.url.length - t.name.length);
}

/**
 * Brings every skin material of a scene (found by metadata) back to the full material: the N_D
 * plugin and its wrinkle map (when missing, e.g. the file was loaded before the plugin class was registered), the
 * diffusion profile (profile indices are per scene and not saved), the scene's image processing
 * and all derived settings. Returns the restored materials.
 */
export function restoreSkinMaterials(scene: Scene, options: { rootUrl?: string } = {}): PBRMaterial[] {
  const restored: PBRMaterial[] = [];
  for (const material of scene.materials) {
    const meta = getSkinMetadata(material);
    if (!meta || !(material instanceof PBRMaterial)) continue;
    applySkinParameters(material, meta.parameters as Partial<SkinParameters>);
    followSceneImageProcessing(material);
    const existing = material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
    const rootUrl = options.rootUrl ?? rootUrlOf(material.albedoTexture);
    const missingWrinkle = meta.maps.wrinkleSmile && !existing?.wrinkleTexture ? mapTexture(scene, meta.maps.wrinkleSmile, rootUrl, false) : null;
    if (!existing?.diffuseNormalTexture) attachSkinPlugin(material, mapTexture(scene, meta.maps.normalsDiffuse, rootUrl, false), missingWrinkle);
    else if (missingWrinkle) existing.wrinkleTexture = missingWrinkle;
    restored.push(material);
  }
  return restored;
}
