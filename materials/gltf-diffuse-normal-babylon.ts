/**
 * Babylon's glTF loader reads `PORELIGHT_materials_diffuse_normal` (gltf-diffuse-normal.ts): the
 * skin material loaded from head.glb gets the N_D plugin with the GLB's own N_D texture, and the
 * skin parameters stored in `extras.porelight` (scattering profile, translucency…) through
 * applySkinParameters, so a GLB renders like head.babylon.
 *
 * It also turns the skin's `MSFT_lod` levels (head-lods.ts) into Babylon LOD levels switched by
 * screen coverage (`MSFT_screencoverage`): Babylon's own MSFT_lod loader only streams levels in
 * and then disposes the lower ones, so it is switched off for glTF loads once this is registered.
 *
 *   registerSkinGltfExtension(); // once, before loading a head.glb
 *   await SceneLoader.ImportMeshAsync("", jobUrl, "head.glb", scene);
 */
import { Mesh, SceneLoader } from "@babylonjs/core";
import type { Material, Nullable, PBRMaterial, TransformNode } from "@babylonjs/core";
import type { GLTFFileLoader } from "@babylonjs/loaders/glTF/glTFFileLoader.js";
import { ArrayItem, GLTFLoader } from "@babylonjs/loaders/glTF/2.0/glTFLoader.js";
import { registerGLTFExtension, unregisterGLTFExtension } from "@babylonjs/loaders/glTF/2.0/glTFLoaderExtensionRegistry.js";
import type { IGLTFLoaderExtension } from "@babylonjs/loaders/glTF/2.0/glTFLoaderExtension.js";
import type { IMaterial, INode, ITextureInfo } from "@babylonjs/loaders/glTF/2.0/glTFLoaderInterfaces.js";
import type { DiffuseNormalDef } from "./gltf-diffuse-normal.ts";
import { PORELIGHT_DIFFUSE_NORMAL } from "./gltf-mapping.ts";
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

  /**
   * Marks the skin's data textures as data before any texture loads. The loader creates every
   * texture it is not told is data with an sRGB GPU format (`useSRGBBuffers`), which the GPU
   * decodes on sampling whatever `gammaSpace` says afterwards: N_D's flat 128 became 0.22, a
   * normal tilted by 60° in the diffuse term (the flatter, brighter back of the head with fine
   * streaks where the atlas mirrors), and the clear coat read A_S's red as sRGB (0.5 → 0.21).
   * KHR_materials_clearcoat's `clearcoatTexture` is linear by its spec; Babylon's clearcoat
   * loader marks only the roughness and normal textures.
   */
  onLoading(): void {
    for (const material of this.loader?.gltf.materials ?? []) {
      const nd = (material.extensions?.[PORELIGHT_DIFFUSE_NORMAL] as DiffuseNormalDef | undefined)?.diffuseNormalTexture as ITextureInfo | undefined;
      if (!nd) continue; // only our skin: other materials keep the loader's reading
      nd.nonColorData = true;
      const coat = (material.extensions?.KHR_materials_clearcoat as { clearcoatTexture?: ITextureInfo } | undefined)?.clearcoatTexture;
      if (coat) coat.nonColorData = true;
    }
  }

  loadMaterialPropertiesAsync(context: string, material: IMaterial, babylonMaterial: Material): Promise<void> | null {
    return GLTFLoader.LoadExtensionAsync<DiffuseNormalDef, void>(context, material, this.name, async (extensionContext, extension) => {
      const loader = this.loader!;
      await loader.loadMaterialPropertiesAsync(context, material, babylonMaterial);
      const pbr = babylonMaterial as PBRMaterial;
      const info = extension.diffuseNormalTexture;
      await loader.loadTextureInfoAsync(`${extensionContext}/diffuseNormalTexture`, info, (texture) => {
        texture.name = `${babylonMaterial.name} (N_D)`;
        texture.gammaSpace = false; // data, not colour (its GPU format is linear too: onLoading)
        const plugin = attachSkinPlugin(pbr, texture);
        plugin.diffuseNormalLevel = info.scale ?? 1;
      });
      const parameters = (material.extras as { porelight?: { parameters?: Partial<SkinParameters> } } | undefined)?.porelight?.parameters;
      if (parameters) applySkinParameters(pbr, parameters);
    });
  }
}

const LOD_LOADER = "PORELIGHT_lod_levels";

/** MSFT_lod + MSFT_screencoverage → Mesh.addLODLevel with useLODScreenCoverage (not a glTF extension: always on). */
class PorelightLodLoader implements IGLTFLoaderExtension {
  readonly name = LOD_LOADER;
  enabled = true;
  /** Before Babylon's MSFT_lod (100), in case it is enabled. */
  order = 90;
  private loader: GLTFLoader | null;

  constructor(loader: GLTFLoader) {
    this.loader = loader;
  }

  dispose(): void {
    this.loader = null;
  }

  loadNodeAsync(context: string, node: INode, assign: (babylonMesh: TransformNode) => void): Nullable<Promise<TransformNode>> {
    const ids = (node.extensions?.MSFT_lod as { ids?: number[] } | undefined)?.ids;
    const coverage = (node.extras as { MSFT_screencoverage?: number[] } | undefined)?.MSFT_screencoverage;
    if (!ids?.length || !coverage || coverage.length !== ids.length + 1) return null;
    const loader = this.loader!;
    return (async () => {
      const main = await loader.loadNodeAsync(context, node, assign);
      if (!(main instanceof Mesh)) return main;
      main.useLODScreenCoverage = true;
      for (const [i, id] of ids.entries()) {
        const lodNode = ArrayItem.Get(`${context}/extensions/MSFT_lod/ids/${i}`, loader.gltf.nodes, id);
        const lod = await loader.loadNodeAsync(`/nodes/${lodNode.index}`, lodNode);
        if (!(lod instanceof Mesh)) continue;
        lod.parent = main.parent; // the same place as level 0
        // Babylon shows a level while the coverage is below its value: level i+1 below coverage[i].
        main.addLODLevel(coverage[i], lod);
      }
      if (coverage[ids.length] > 0) main.addLODLevel(coverage[ids.length], null);
      return main;
    })();
  }
}

let registered = false;

/** Registers the loader extension (and the N_D plugin class). Idempotent. */
export function registerSkinGltfExtension(): void {
  if (registered) return;
  registerSkinMaterialPlugin();
  unregisterGLTFExtension(PORELIGHT_DIFFUSE_NORMAL);
  registerGLTFExtension(PORELIGHT_DIFFUSE_NORMAL, true, (loader) => new PorelightDiffuseNormalLoader(loader as GLTFLoader));
  unregisterGLTFExtension(LOD_LOADER);
  registerGLTFExtension(LOD_LOADER, false, (loader) => new PorelightLodLoader(loader as GLTFLoader));
  SceneLoader.OnPluginActivatedObservable.add((plugin) => {
    if (plugin.name === "gltf") (plugin as GLTFFileLoader).extensionOptions["MSFT_lod"] = { enabled: false };
  });
  registered = true;
}
