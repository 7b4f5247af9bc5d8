/**
 * Babylon's glTF loader reads `PORELIGHT_materials_diffuse_normal` (gltf-diffuse-normal.ts): the
 * skin material loaded from head.glb gets the N_D plugin with the GLB's own N_D texture, and the
 * skin parameters stored in `extras.porelight` (scattering profile, translucency…) through
 * applySkinParameters, so a GLB renders like head.babylon.
 *
 *   registerSkinGltfExtension(); // once, before loading a head.glb
 *   await SceneLoader.ImportMeshAsync("", jobUrl, "head.glb", scene);
 */
import type { Material, PBRMaterial } from "@babylonjs/core";
import { GLTFLoader } from "@babylonjs/loaders/glTF/2.0/glTFLoader.js";
import { registerGLTFExtension, unregisterGLTFExtension } from "@babylonjs/loaders/glTF/2.0/glTFLoaderExtensionRegistry.js";
import type { IGLTFLoaderExtension } from "@babylonjs/loaders/glTF/2.0/glTFLoaderExtension.js";
import type { IMaterial } from "@babylonjs/loaders/glTF/2.0/glTFLoaderInterfaces.js";
import { PORELIGHT_DIFFUSE_NORMAL, type DiffuseNormalDef } from "./gltf-diffuse-normal.ts";
import { registerSkinMaterialPlugin } from "./diffuse-normal-plugin.ts";
import { applySkinParameters, attachSkinPlugin } from "./skin-material.ts";
import type { SkinParameters } from "./skin-parameters.ts";

class PorelightDiffuseNormalLoader implements IGLTFLoaderExtension {
  readonly name = PORELIGHT_DIFFUSE_NORMAL;
  enabled: boolean;
  /** After KHR_materials_* (order 190…), so the stock slots are set when N_D is attached. */
  order = 400;
  private loader: GLTFLoader | null;

  constructor(loader: GLTFLoader) {
    this.loader = loader;
    this.enabled = loader.isExtensionUsed(PORELIGHT_DIFFUSE_NORMAL);
  }

  dispose(): void {
    this.loader = null;
  }

  loadMaterialPropertiesAsync(context: string, material: IMaterial, babylonMaterial: Material): Promise<void> | null {
    return GLTFLoader.LoadExtensionAsync<DiffuseNormalDef, void>(context, material, this.name, async (extensionContext, extension) => {
      const loader = this.loader!;
      await loader.loadMaterialPropertiesAsync(context, material, babylonMaterial);
      const pbr = babylonMaterial as PBRMaterial;
      const info = extension.diffuseNormalTexture;
      await loader.loadTextureInfoAsync(`${extensionContext}/diffuseNormalTexture`, info, (texture) => {
        texture.name = `${babylonMaterial.name} (N_D)`;
        const plugin = attachSkinPlugin(pbr, texture);
        plugin.diffuseNormalLevel = info.scale ?? 1;
      });
      const parameters = (material.extras as { porelight?: { parameters?: Partial<SkinParameters> } } | undefined)?.porelight?.parameters;
      if (parameters) applySkinParameters(pbr, parameters);
    });
  }
}

let registered = false;

/** Registers the loader extension (and the N_D plugin class). Idempotent. */
export function registerSkinGltfExtension(): void {
  if (registered) return;
  registerSkinMaterialPlugin();
  unregisterGLTFExtension(PORELIGHT_DIFFUSE_NORMAL);
  registerGLTFExtension(PORELIGHT_DIFFUSE_NORMAL, true, (loader) => new PorelightDiffuseNormalLoader(loader as GLTFLoader));
  registered = true;
}
