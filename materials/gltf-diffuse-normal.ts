/**
 * `PORELIGHT_materials_diffuse_normal`: the skin's diffuse normal map N_D as a real texture
 * reference on the material (docs/design.md §5), registered with glTF-Transform for reading and
 * writing. Every glTF-Transform pass (prune, dedup, resize, texture compression, optimize) then
 * follows the reference like any other texture slot, where the old `extras` image index went stale.
 *
 *   "materials": [{ "name": "skin", …, "extensions": { "PORELIGHT_materials_diffuse_normal": {
 *     "diffuseNormalTexture": { "index": 4, "scale": 1 } } } }]
 *
 * Same UVs and tangent convention as `normalTexture` (tangent space, MikkTSpace, +Y up, linear);
 * `scale` scales its xy exactly as `normalTexture.scale`. Viewers that do not know the extension
 * ignore it (it is never required) and light the diffuse term with `normalTexture` = N_S: the
 * plain-PBR fallback. Babylon reads it through materials/gltf-diffuse-normal-babylon.ts.
 */
import { Extension, ExtensionProperty, PropertyType, TextureChannel, TextureInfo } from "@gltf-transform/core";
import type { IProperty, Nullable, ReaderContext, Texture, WriterContext } from "@gltf-transform/core";

import { PORELIGHT_DIFFUSE_NORMAL } from "./gltf-mapping.ts";

export { PORELIGHT_DIFFUSE_NORMAL };

/** JSON of the extension on a material. */
export interface DiffuseNormalDef {
  diffuseNormalTexture: { index: number; texCoord?: number; scale?: number };
}

interface IDiffuseNormal extends IProperty {
  diffuseNormalTexture: Texture;
  diffuseNormalTextureInfo: TextureInfo;
  diffuseNormalScale: number;
}

/** N_D on a material (glTF-Transform property). */
export class DiffuseNormal extends ExtensionProperty<IDiffuseNormal> {
  static override EXTENSION_NAME = PORELIGHT_DIFFUSE_NORMAL;
  declare extensionName: typeof PORELIGHT_DIFFUSE_NORMAL;
  declare propertyType: "DiffuseNormal";
  declare parentTypes: [PropertyType.MATERIAL];

  protected init(): void {
    this.extensionName = PORELIGHT_DIFFUSE_NORMAL;
    this.propertyType = "DiffuseNormal";
    this.parentTypes = [PropertyType.MATERIAL];
  }

  protected override getDefaults(): Nullable<IDiffuseNormal> {
    return Object.assign(super.getDefaults(), {
      diffuseNormalTexture: null,
      diffuseNormalTextureInfo: new TextureInfo(this.graph, "diffuseNormalTextureInfo"),
      diffuseNormalScale: 1,
    });
  }

  getDiffuseNormalTexture(): Texture | null {
    return this.getRef("diffuseNormalTexture");
  }
  getDiffuseNormalTextureInfo(): TextureInfo | null {
    return this.getRef("diffuseNormalTexture") ? this.getRef("diffuseNormalTextureInfo") : null;
  }
  /** Tangent-space normals in RGB, like normalTexture. */
  setDiffuseNormalTexture(texture: Texture | null): this {
    return this.setRef("diffuseNormalTexture", texture, { channels: TextureChannel.R | TextureChannel.G | TextureChannel.B });
  }
  getDiffuseNormalScale(): number {
    return this.get("diffuseNormalScale");
  }
  setDiffuseNormalScale(scale: number): this {
    return this.set("diffuseNormalScale", scale);
  }
}

/** Image formats whose texture source lives in an extension (no PNG/JPEG fallback is written). */
const IMAGE_EXTENSIONS: Record<string, string> = { "image/webp": "EXT_texture_webp", "image/ktx2": "KHR_texture_basisu", "image/avif": "EXT_texture_avif" };

/**
 * glTF-Transform's writer runs extensions in name order: EXT_texture_webp has moved the sources of
 * the textures that existed then, but the texture definitions that KHR_materials_* and this
 * extension create later (thin mask, N_D) keep a WebP/KTX2 image in `source`, which the spec
 * forbids. This writer runs after them (P > K > E) and moves every such source (idempotent).
 */
function moveSourcesToImageExtensions(context: WriterContext, textures: Texture[]): void {
  const textureDefs = context.jsonDoc.json.textures ?? [];
  for (const texture of textures) {
    const ext = IMAGE_EXTENSIONS[texture.getMimeType()];
    const imageIndex = context.imageIndexMap.get(texture);
    if (!ext || imageIndex === undefined) continue;
    for (const def of textureDefs) {
      if (def.source !== imageIndex) continue;
      def.extensions = { ...(def.extensions ?? {}), [ext]: { source: imageIndex } };
      delete def.source;
    }
  }
}

/** The extension class to register: `new NodeIO().registerExtensions([PorelightDiffuseNormal, …])`. */
export class PorelightDiffuseNormal extends Extension {
  static override readonly EXTENSION_NAME = PORELIGHT_DIFFUSE_NORMAL;
  override readonly extensionName = PORELIGHT_DIFFUSE_NORMAL;

  createDiffuseNormal(): DiffuseNormal {
    return new DiffuseNormal(this.document.getGraph());
  }

  read(context: ReaderContext): this {
    const json = context.jsonDoc.json;
    const textureDefs = json.textures ?? [];
    (json.materials ?? []).forEach((materialDef, materialIndex) => {
      const def = materialDef.extensions?.[PORELIGHT_DIFFUSE_NORMAL] as DiffuseNormalDef | undefined;
      if (!def) return;
      const nd = this.createDiffuseNormal();
      context.materials[materialIndex].setExtension(PORELIGHT_DIFFUSE_NORMAL, nd);
      const info = def.diffuseNormalTexture;
      if (info) {
        const source = textureDefs[info.index]?.source;
        if (source === undefined) throw new Error(`${PORELIGHT_DIFFUSE_NORMAL}: material ${materialIndex} names texture ${info.index}, which has no source`);
        nd.setDiffuseNormalTexture(context.textures[source]);
        context.setTextureInfo(nd.getDiffuseNormalTextureInfo()!, info);
        if (info.scale !== undefined) nd.setDiffuseNormalScale(info.scale);
      }
    });
    return this;
  }

  write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    for (const material of this.document.getRoot().listMaterials()) {
      const nd = material.getExtension<DiffuseNormal>(PORELIGHT_DIFFUSE_NORMAL);
      const texture = nd?.getDiffuseNormalTexture();
      if (!nd || !texture) continue;
      const materialDef = json.materials![context.materialIndexMap.get(material)!];
      const info = context.createTextureInfoDef(texture, nd.getDiffuseNormalTextureInfo()!) as DiffuseNormalDef["diffuseNormalTexture"];
      info.scale = nd.getDiffuseNormalScale();
      materialDef.extensions = { ...(materialDef.extensions ?? {}), [PORELIGHT_DIFFUSE_NORMAL]: { diffuseNormalTexture: info } satisfies DiffuseNormalDef };
    }
    moveSourcesToImageExtensions(context, this.document.getRoot().listTextures());
    return this;
  }
}
