/**
 * `head.glb`: the head through glTF-Transform, its skin material from THE mapping in
 * gltf-mapping.ts. Everything is created in a fixed order (images, extensions, materials,
 * accessors), because that order is the file's indices: identical input gives identical bytes.
 * Each part (skin, each eye) is its own node and mesh under one `head` node. N_D is a texture
 * reference (PORELIGHT_materials_diffuse_normal), A_S one image used by two slots; the delivery
 * target (gltf-delivery.ts) then compresses the document.
 */
import { Document, Logger, NodeIO, type Mesh as GltfMesh, type Node as GltfNode, type Material as GltfMaterial, type Texture as GltfTexture, type Primitive } from "@gltf-transform/core";
import { KHRMaterialsClearcoat, KHRMaterialsDiffuseTransmission, KHRMaterialsIOR, KHRMaterialsSpecular } from "@gltf-transform/extensions";
import sharp from "sharp";
import { encodePngCodes } from "../src/image/encode.ts";
import { sparseWorthIt } from "../src/geometry/glb.ts";
import { GLTF_EYE_MATERIAL, GLTF_MOUTH_MATERIALS, GLTF_SKIN_IMAGES, mouthColours, type MouthColours, skinToGltfMaterial, type GltfSkinImage, type GltfSkinMaterial } from "./gltf-mapping.ts";
import type { HeadPartGeometry } from "./head-geometry.ts";
import type { HeadMapsPng } from "./map-files.ts";
import type { ValidSkinParameters } from "./skin-parameters.ts";
import { PorelightDiffuseNormal } from "./gltf-diffuse-normal.ts";
import { MSFT_LOD, MSFTLod, SKIN_LOD_SCREEN_COVERAGE, simplifySkinLods } from "./head-lods.ts";
import { DEFAULT_DELIVERY_TARGET, deliverHeadDocument, HEAD_GLTF_EXTENSIONS, type DeliveryTarget } from "./gltf-delivery.ts";
import { EYE_MATERIAL_NAME } from "./eye-depth.ts";

/** The material extensions a head uses, registered once per document. */
interface HeadExtensions {
  ior: KHRMaterialsIOR;
  specular: KHRMaterialsSpecular;
  clearcoat: KHRMaterialsClearcoat;
  transmission: KHRMaterialsDiffuseTransmission | null;
  diffuseNormal: PorelightDiffuseNormal;
}

/** The skin's embedded textures by mapping slot. */
interface SkinImages {
  texture(key: GltfSkinImage): GltfTexture;
}

/**
 * Writes the GLB of the parts (split by the caller, shared with head.babylon) with the maps
 * embedded and checked parameters.
 */
export async function writeHeadGlb(geometry: HeadPartGeometry[], maps: HeadMapsPng, p: ValidSkinParameters, target: DeliveryTarget = DEFAULT_DELIVERY_TARGET, mouth: MouthColours = mouthColours()): Promise<Uint8Array> {
  // Errors only: prune's and textureCompress's notes are not the job's log.
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.ERROR));
  doc.createBuffer("head");
  const spec = skinToGltfMaterial(p, !!maps.thinMask);
  const images = await embedSkinImages(doc, maps, spec);
  const ext: HeadExtensions = {
    ior: doc.createExtension(KHRMaterialsIOR),
    specular: doc.createExtension(KHRMaterialsSpecular),
    clearcoat: doc.createExtension(KHRMaterialsClearcoat),
    transmission: spec.diffuseTransmission ? doc.createExtension(KHRMaterialsDiffuseTransmission) : null,
    diffuseNormal: doc.createExtension(PorelightDiffuseNormal),
  };
  const skin = createGltfSkinMaterial(doc, spec, images, ext);
  const eyes = createGltfEyeMaterial(doc, maps.eyes, ext);
  const mouthMaterials = createGltfMouthMaterials(doc, mouth);

  // One node and mesh per part under `head`, so an engine can hide, swap or LOD each; each mesh
  // carries the blendshapes that move it as morph targets named in extras.targetNames.
  const head = doc.createNode("head");
  for (const part of geometry) {
    const material = part.part === "skin" ? skin : part.part === "eyeLeft" || part.part === "eyeRight" ? eyes : mouthMaterials[part.part];
    const mesh = doc.createMesh(part.part).addPrimitive(addPrimitive(doc, material, part, part.part));
    addMorphTargets(doc, mesh, part);
    const node = doc.createNode(part.part).setMesh(mesh);
    head.addChild(node);
    if (part.part === "skin" && target !== "source") await addSkinLods(doc, node, part, skin);
  }
  doc.createScene("head").addChild(head);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);

  await deliverHeadDocument(doc, target);
  const io = new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS);
  await registerMeshoptCodecs(io);
  return io.writeBinary(doc);
}

/** One texture per skin image the mapping uses, in GLTF_SKIN_IMAGES order (fixed image indices). */
async function embedSkinImages(doc: Document, maps: HeadMapsPng, spec: GltfSkinMaterial): Promise<SkinImages> {
  const sources: Record<GltfSkinImage, Uint8Array | undefined> = {
    albedoDiffuse: maps.albedoDiffuse,
    albedoSpecular: await specularGreyAlphaPng(maps.albedoSpecular),
    normalsSpecular: maps.normalsSpecular,
    normalsDiffuse: maps.normalsDiffuse,
    thinMask: spec.diffuseTransmission ? maps.thinMask : undefined,
  };
  const textures = new Map<GltfSkinImage, GltfTexture>();
  for (const key of GLTF_SKIN_IMAGES) {
    const bytes = sources[key];
    if (!bytes) continue;
    textures.set(key, doc.createTexture(key).setImage(bytes).setMimeType("image/png"));
  }
  return { texture: (key) => textures.get(key)! };
}

function createGltfSkinMaterial(doc: Document, spec: GltfSkinMaterial, images: SkinImages, ext: HeadExtensions): GltfMaterial {
  const tex = images.texture;
  const skin = doc.createMaterial("skin")
    .setBaseColorTexture(tex(spec.baseColorTexture))
    .setMetallicFactor(spec.metallicFactor)
    .setRoughnessFactor(spec.roughnessFactor)
    .setNormalTexture(tex(spec.normalTexture))
    .setNormalScale(spec.normalScale);
  skin.setExtension("KHR_materials_ior", ext.ior.createIOR().setIOR(spec.ior));
  skin.setExtension("KHR_materials_specular", ext.specular.createSpecular()
    .setSpecularFactor(spec.specular.specularFactor)
    .setSpecularTexture(tex(spec.specular.specularTexture))
    .setSpecularColorFactor(spec.specular.specularColorFactor));
  skin.setExtension("KHR_materials_clearcoat", ext.clearcoat.createClearcoat()
    .setClearcoatFactor(spec.clearcoat.clearcoatFactor)
    .setClearcoatTexture(tex(spec.clearcoat.clearcoatTexture))
    .setClearcoatRoughnessFactor(spec.clearcoat.clearcoatRoughnessFactor)
    .setClearcoatNormalTexture(tex(spec.clearcoat.clearcoatNormalTexture))
    .setClearcoatNormalScale(spec.clearcoat.clearcoatNormalScale));
  if (ext.transmission && spec.diffuseTransmission) {
    const t = spec.diffuseTransmission;
    skin.setExtension("KHR_materials_diffuse_transmission", ext.transmission.createDiffuseTransmission()
      .setDiffuseTransmissionFactor(t.diffuseTransmissionFactor)
      .setDiffuseTransmissionTexture(tex(t.diffuseTransmissionTexture))
      .setDiffuseTransmissionColorFactor(t.diffuseTransmissionColorFactor));
  }
  // N_D has no glTF slot: our extension references it like any texture, so passes keep it right.
  skin.setExtension("PORELIGHT_materials_diffuse_normal", ext.diffuseNormal.createDiffuseNormal()
    .setDiffuseNormalTexture(tex(spec.diffuseNormal.texture))
    .setDiffuseNormalScale(spec.diffuseNormal.scale));
  skin.setExtras({ porelight: spec.extras });
  return skin;
}

/** Eyes: plain PBR plus a clear coat for the cornea, textured with the eye albedo when there is one. */
function createGltfEyeMaterial(doc: Document, eyesPng: Uint8Array | undefined, ext: HeadExtensions): GltfMaterial {
  const eye = doc.createMaterial(EYE_MATERIAL_NAME)
    .setBaseColorFactor([...GLTF_EYE_MATERIAL.baseColorFactor])
    .setMetallicFactor(0)
    .setRoughnessFactor(GLTF_EYE_MATERIAL.roughnessFactor);
  if (eyesPng) eye.setBaseColorFactor([1, 1, 1, 1]).setBaseColorTexture(doc.createTexture("eyes").setImage(eyesPng).setMimeType("image/png"));
  eye.setExtension("KHR_materials_clearcoat", ext.clearcoat.createClearcoat()
    .setClearcoatFactor(GLTF_EYE_MATERIAL.clearcoatFactor)
    .setClearcoatRoughnessFactor(GLTF_EYE_MATERIAL.clearcoatRoughnessFactor));
  return eye;
}

function createGltfMouthMaterials(doc: Document, colours: MouthColours): Record<"mouth" | "teeth" | "tongue", GltfMaterial> {
  const make = (name: keyof typeof GLTF_MOUTH_MATERIALS) => doc.createMaterial(name)
    .setBaseColorFactor([...colours[name], 1])
    .setMetallicFactor(0)
    .setRoughnessFactor(GLTF_MOUTH_MATERIALS[name].roughnessFactor);
  return { mouth: make("mouth"), teeth: make("teeth"), tongue: make("tongue") };
}

/**
 * The part's blendshapes as morph targets (sparse position deltas), zero default weights, names in
 * extras.targetNames. A part with vertex colour gives every target a COLOR_0 delta (glTF 2.0
 * §3.7.2.2), zero where the shape leaves the colour alone (an accessor without data): three.js
 * reads a target without COLOR_0 as the base colour, and Babylon morphs colours only when every
 * target has them.
 */
function addMorphTargets(doc: Document, mesh: GltfMesh, part: HeadPartGeometry): void {
  const targets = part.targets ?? [];
  if (!targets.length) return;
  const buffer = doc.getRoot().listBuffers()[0];
  const prim = mesh.listPrimitives()[0];
  const delta = (name: string, array: Float32Array) => doc.createAccessor(name).setType("VEC3").setArray(array as Float32Array<ArrayBuffer>).setBuffer(buffer).setSparse(sparseWorthIt(array) || !array.some((x) => x !== 0));
  for (const t of targets) {
    const target = doc.createPrimitiveTarget(t.name).setAttribute("POSITION", delta(`${part.part}_${t.name}`, t.delta));
    if (part.vertexColour) target.setAttribute("COLOR_0", delta(`${part.part}_${t.name}_colour`, t.colour ?? new Float32Array(part.vertexColour.length)));
    prim.addTarget(target);
  }
  mesh.setWeights(targets.map(() => 0)).setExtras({ targetNames: targets.map((t) => t.name) });
}

/**
 * The skin's lower levels (head-lods.ts) as MSFT_lod on its node, with screen-coverage hints;
 * game targets only (`source` stays one plain mesh per part for DCC tools).
 */
async function addSkinLods(doc: Document, node: GltfNode, skinPart: HeadPartGeometry, material: GltfMaterial): Promise<void> {
  const lod = doc.createExtension(MSFTLod).createLod();
  for (const [k, g] of (await simplifySkinLods(skinPart)).entries()) {
    const name = `skin_lod${k + 1}`;
    lod.addLod(doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(addPrimitive(doc, material, g, name))));
  }
  node.setExtension(MSFT_LOD, lod).setExtras({ MSFT_screencoverage: [...SKIN_LOD_SCREEN_COVERAGE] });
}

function addPrimitive(doc: Document, material: GltfMaterial, part: HeadPartGeometry, prefix: string): Primitive {
  const buffer = doc.getRoot().listBuffers()[0];
  const acc = (name: string, type: "VEC2" | "VEC3" | "VEC4" | "SCALAR", array: Float32Array | Uint32Array | Uint16Array) =>
    doc.createAccessor(`${prefix}_${name}`).setType(type).setArray(array as unknown as Float32Array<ArrayBuffer>).setBuffer(buffer);
  // 16-bit indices where they fit: smaller files, and what every glTF viewer reads.
  const indices = part.positions.length / 3 <= 65535 ? Uint16Array.from(part.indices) : part.indices;
  const prim = doc.createPrimitive()
    .setAttribute("POSITION", acc("position", "VEC3", part.positions))
    .setAttribute("NORMAL", acc("normal", "VEC3", part.normals))
    .setAttribute("TANGENT", acc("tangent", "VEC4", part.tangents))
    .setAttribute("TEXCOORD_0", acc("uv", "VEC2", part.uvs));
  // Mouth parts' occlusion (mouth-occlusion.ts) as COLOR_0, which glTF multiplies into the base colour.
  if (part.vertexColour) prim.setAttribute("COLOR_0", acc("colour", "VEC3", part.vertexColour));
  return prim.setIndices(acc("indices", "SCALAR", indices)).setMaterial(material);
}

/**
 * A_S (linear) as one 8-bit grey + alpha PNG, R = A = A_S: clearcoatTexture reads red and
 * KHR_materials_specular.specularTexture reads alpha, both linear, so A_S is stored once.
 * Through a code table (a 16-bit A_S is rounded as encodePng rounds a float), never a float image.
 */
async function specularGreyAlphaPng(albedoSpecular: Uint8Array): Promise<Uint8Array> {
  const sixteen = (await sharp(albedoSpecular).metadata()).depth === "ushort";
  const { data, info } = await sharp(albedoSpecular).extractChannel(0).raw(sixteen ? { depth: "ushort" } : {}).toBuffer({ resolveWithObject: true });
  const codes = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const max = sixteen ? 65535 : 255;
  const table = Uint8Array.from({ length: max + 1 }, (_, c) => Math.floor(Math.fround(c / max) * 255 + 0.5));
  const ga = new Uint8Array(info.width * info.height * 2);
  for (let i = 0; i < info.width * info.height; i++) ga[i * 2] = ga[i * 2 + 1] = table[codes[i]];
  return encodePngCodes(ga, info.width, info.height, 2);
}

/** EXT_meshopt_compression needs the meshoptimizer codecs on the writer (web and desktop targets). */
async function registerMeshoptCodecs(io: NodeIO): Promise<void> {
  const { MeshoptEncoder, MeshoptDecoder } = await import("meshoptimizer");
  await Promise.all([MeshoptEncoder.ready, MeshoptDecoder.ready]);
  io.registerDependencies({ "meshopt.encoder": MeshoptEncoder, "meshopt.decoder": MeshoptDecoder });
}
