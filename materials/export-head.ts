/**
 * Package-stage export (Node): from the head mesh, the four maps and the skin parameters, writes
 * `head.glb` (glTF-Transform, mapping from gltf-mapping.ts), `head.babylon` (a Babylon scene
 * built under NullEngine with the skin material, serialised by SceneSerializer) and
 * `material.json`. Identical input gives identical bytes: no clocks, no random ids, fixed order.
 *
 *   const { glb, babylon, materialJson } = await exportHeadAssets({ mesh, parts, maps, parameters });
 */
import { Document, NodeIO, type Material as GltfMaterial, type Texture as GltfTexture, type Primitive } from "@gltf-transform/core";
import { KHRMaterialsClearcoat, KHRMaterialsDiffuseTransmission, KHRMaterialsIOR, KHRMaterialsSpecular } from "@gltf-transform/extensions";
import sharp from "sharp";
import { encodePngCodes } from "../src/image/encode.ts";
import type { HeadPart, Mesh } from "../src/types.ts";
import { GLTF_EYE_MATERIAL, GLTF_SKIN_IMAGES, linearToSrgb, skinToGltfMaterial, type GltfSkinImage } from "./gltf-mapping.ts";
import { SKIN_MAP_FILES } from "./map-files.ts";
import { buildHeadBabylonJson, splitParts } from "./head-babylon.ts";
import { skinParametersToJson, validateSkinParameters, type SkinParameters } from "./skin-parameters.ts";

/** PNG bytes of the maps, as the pipeline writes them under maps/. */
export interface HeadMapsPng {
  /** A_D, sRGB RGB. */
  albedoDiffuse: Uint8Array;
  /** A_S, linear, 1 channel (8 or 16 bit). */
  albedoSpecular: Uint8Array;
  /** N_D, tangent space, 16-bit RGB. */
  normalsDiffuse: Uint8Array;
  /** N_S, tangent space, 16-bit RGB. */
  normalsSpecular: Uint8Array;
  /** Optional thin-part mask, alpha = 1 where thin (ears): enables diffuse transmission. */
  thinMask?: Uint8Array;
  /** Optional eye albedo, sRGB. */
  eyes?: Uint8Array;
}

export interface HeadAssetsInput {
  mesh: Mesh;
  /** Triangle ranges per part (TemplateHead.parts). */
  parts: { part: HeadPart; firstIndex: number; indexCount: number }[];
  maps: HeadMapsPng;
  parameters: Partial<SkinParameters>;
}

export interface HeadAssets {
  glb: Uint8Array;
  /** head.babylon JSON text; textures referenced as SKIN_MAP_FILES relative to its folder. */
  babylon: string;
  /** material.json text. */
  materialJson: string;
}

async function assertPng(name: string, bytes: Uint8Array | undefined): Promise<void> {
  if (!bytes) return;
  const meta = await sharp(bytes).metadata().catch((e: Error) => {
    throw new Error(`exportHeadAssets: map ${name} is not a readable image: ${e.message}`);
  });
  if (meta.format !== "png") throw new Error(`exportHeadAssets: map ${name} must be PNG, got ${meta.format}`);
}

/**
 * A_S (linear, 1 channel) re-encoded as 8-bit sRGB RGB for KHR_materials_specular.specularColorTexture.
 * Through a code → code table, never a float image: at ultra (4096×6144) a float RGB copy was 300 MB
 * of the package stage's peak.
 */
async function specularAsSrgbPng(albedoSpecular: Uint8Array): Promise<Uint8Array> {
  const sixteen = (await sharp(albedoSpecular).metadata()).depth === "ushort";
  const { data, info } = await sharp(albedoSpecular).extractChannel(0).raw(sixteen ? { depth: "ushort" } : {}).toBuffer({ resolveWithObject: true });
  const codes = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const max = sixteen ? 65535 : 255;
  // Same rounding as encodePng on the float value (stored as float32, then × 255 + 0.5).
  const table = Uint8Array.from({ length: max + 1 }, (_, c) => Math.floor(Math.fround(linearToSrgb(c / max)) * 255 + 0.5));
  const rgb = new Uint8Array(info.width * info.height * 3);
  for (let i = 0; i < info.width * info.height; i++) {
    const s = table[codes[i]];
    rgb[i * 3] = s; rgb[i * 3 + 1] = s; rgb[i * 3 + 2] = s;
  }
  return encodePngCodes(rgb, info.width, info.height, 3);
}

function checkMesh(mesh: Mesh, parts: HeadAssetsInput["parts"]): void {
  const n = mesh.positions.length / 3;
  if (!Number.isInteger(n) || n === 0) throw new Error("exportHeadAssets: mesh.positions must hold xyz triples");
  if (mesh.normals.length !== n * 3 || mesh.uvs.length !== n * 2 || mesh.tangents.length !== n * 4) {
    throw new Error(`exportHeadAssets: mesh attribute lengths disagree with ${n} vertices (normals ×3, uvs ×2, tangents ×4)`);
  }
  if (!parts.some((p) => p.part === "skin")) throw new Error("exportHeadAssets: parts has no 'skin' range");
  for (const p of parts) {
    if (p.firstIndex < 0 || p.indexCount % 3 !== 0 || p.firstIndex + p.indexCount > mesh.indices.length) {
      throw new Error(`exportHeadAssets: part ${p.part} index range [${p.firstIndex}, +${p.indexCount}) is outside the index buffer`);
    }
  }
}

function addPrimitive(doc: Document, material: GltfMaterial, part: ReturnType<typeof splitParts>[number]): Primitive {
  const buffer = doc.getRoot().listBuffers()[0];
  const acc = (name: string, type: "VEC2" | "VEC3" | "VEC4" | "SCALAR", array: Float32Array | Uint32Array | Uint16Array) =>
    doc.createAccessor(`${part.part}_${name}`).setType(type).setArray(array as unknown as Float32Array<ArrayBuffer>).setBuffer(buffer);
  const indices = part.positions.length / 3 <= 65535 ? Uint16Array.from(part.indices) : part.indices;
  return doc.createPrimitive()
    .setAttribute("POSITION", acc("position", "VEC3", part.positions))
    .setAttribute("NORMAL", acc("normal", "VEC3", part.normals))
    .setAttribute("TANGENT", acc("tangent", "VEC4", part.tangents))
    .setAttribute("TEXCOORD_0", acc("uv", "VEC2", part.uvs))
    .setIndices(acc("indices", "SCALAR", indices))
    .setMaterial(material);
}

/** Writes the GLB from the shared mapping. */
async function writeGlb(input: HeadAssetsInput, p: SkinParameters): Promise<Uint8Array> {
  const doc = new Document();
  doc.createBuffer("head");
  const spec = skinToGltfMaterial(p, !!input.maps.thinMask);
  const sources: Record<GltfSkinImage, Uint8Array | undefined> = {
    albedoDiffuse: input.maps.albedoDiffuse,
    albedoSpecularSrgb: await specularAsSrgbPng(input.maps.albedoSpecular),
    albedoSpecular: input.maps.albedoSpecular,
    normalsSpecular: input.maps.normalsSpecular,
    normalsDiffuse: input.maps.normalsDiffuse,
    thinMask: spec.diffuseTransmission ? input.maps.thinMask : undefined,
  };
  const textures = new Map<GltfSkinImage, GltfTexture>();
  const imageIndex = new Map<GltfSkinImage, number>();
  for (const key of GLTF_SKIN_IMAGES) {
    const bytes = sources[key];
    if (!bytes) continue;
    imageIndex.set(key, textures.size);
    textures.set(key, doc.createTexture(key).setImage(bytes).setMimeType("image/png"));
  }
  const tex = (key: GltfSkinImage) => textures.get(key)!;

  const iorExt = doc.createExtension(KHRMaterialsIOR);
  const specExt = doc.createExtension(KHRMaterialsSpecular);
  const coatExt = doc.createExtension(KHRMaterialsClearcoat);
  const transExt = spec.diffuseTransmission ? doc.createExtension(KHRMaterialsDiffuseTransmission) : null;

  const skin = doc.createMaterial("skin")
    .setBaseColorTexture(tex(spec.baseColorTexture))
    .setMetallicFactor(spec.metallicFactor)
    .setRoughnessFactor(spec.roughnessFactor)
    .setNormalTexture(tex(spec.normalTexture))
    .setNormalScale(spec.normalScale);
  skin.setExtension("KHR_materials_ior", iorExt.createIOR().setIOR(spec.ior));
  skin.setExtension("KHR_materials_specular", specExt.createSpecular()
    .setSpecularFactor(spec.specular.specularFactor)
    .setSpecularColorFactor(spec.specular.specularColorFactor)
    .setSpecularColorTexture(tex(spec.specular.specularColorTexture)));
  skin.setExtension("KHR_materials_clearcoat", coatExt.createClearcoat()
    .setClearcoatFactor(spec.clearcoat.clearcoatFactor)
    .setClearcoatTexture(tex(spec.clearcoat.clearcoatTexture))
    .setClearcoatRoughnessFactor(spec.clearcoat.clearcoatRoughnessFactor)
    .setClearcoatNormalTexture(tex(spec.clearcoat.clearcoatNormalTexture))
    .setClearcoatNormalScale(spec.clearcoat.clearcoatNormalScale));
  if (transExt && spec.diffuseTransmission) {
    const t = spec.diffuseTransmission;
    skin.setExtension("KHR_materials_diffuse_transmission", transExt.createDiffuseTransmission()
      .setDiffuseTransmissionFactor(t.diffuseTransmissionFactor)
      .setDiffuseTransmissionTexture(tex(t.diffuseTransmissionTexture))
      .setDiffuseTransmissionColorFactor(t.diffuseTransmissionColorFactor));
  }
  skin.setExtras({ porelight: { ...spec.extras, diffuseNormalImage: imageIndex.get(spec.extras.diffuseNormalImage) } });

  const eye = doc.createMaterial("eyes")
    .setBaseColorFactor([...GLTF_EYE_MATERIAL.baseColorFactor])
    .setMetallicFactor(0)
    .setRoughnessFactor(GLTF_EYE_MATERIAL.roughnessFactor);
  if (input.maps.eyes) eye.setBaseColorFactor([1, 1, 1, 1]).setBaseColorTexture(doc.createTexture("eyes").setImage(input.maps.eyes).setMimeType("image/png"));
  eye.setExtension("KHR_materials_clearcoat", coatExt.createClearcoat()
    .setClearcoatFactor(GLTF_EYE_MATERIAL.clearcoatFactor)
    .setClearcoatRoughnessFactor(GLTF_EYE_MATERIAL.clearcoatRoughnessFactor));

  const mesh = doc.createMesh("head");
  for (const part of splitParts(input.mesh, input.parts)) mesh.addPrimitive(addPrimitive(doc, part.part === "skin" ? skin : eye, part));
  const node = doc.createNode("head").setMesh(mesh);
  doc.createScene("head").addChild(node);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);

  const io = new NodeIO().registerExtensions([KHRMaterialsIOR, KHRMaterialsSpecular, KHRMaterialsClearcoat, KHRMaterialsDiffuseTransmission]);
  return io.writeBinary(doc);
}

/** Exports the head as GLB, .babylon and material.json (see the file header). */
export async function exportHeadAssets(input: HeadAssetsInput): Promise<HeadAssets> {
  checkMesh(input.mesh, input.parts);
  for (const [name, bytes] of Object.entries(input.maps)) await assertPng(name, bytes);
  const p = validateSkinParameters(input.parameters);
  const glb = await writeGlb(input, p);
  const babylon = await buildHeadBabylonJson(input.mesh, input.parts, p, { thinMask: !!input.maps.thinMask, eyes: !!input.maps.eyes });
  const maps: Record<string, string> = {
    albedoDiffuse: SKIN_MAP_FILES.albedoDiffuse,
    albedoSpecular: SKIN_MAP_FILES.albedoSpecular,
    normalsDiffuse: SKIN_MAP_FILES.normalsDiffuse,
    normalsSpecular: SKIN_MAP_FILES.normalsSpecular,
  };
  if (input.maps.thinMask) maps.thinMask = SKIN_MAP_FILES.thinMask;
  if (input.maps.eyes) maps.eyes = SKIN_MAP_FILES.eyes;
  const materialJson = JSON.stringify({ version: 1, material: "porelight-skin", parameters: skinParametersToJson(p), maps }, null, 2) + "\n";
  return { glb, babylon, materialJson };
}
