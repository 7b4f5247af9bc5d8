/**
 * `head.babylon`: the head with the full skin material, built as a Babylon scene under NullEngine
 * and serialised with SceneSerializer. The mesh keeps glTF data (right-handed, UV origin top-left)
 * under a `__root__` node that converts to Babylon's left-handed space exactly as Babylon's glTF
 * loader does, so the GLB and the .babylon load into the same place with the same normal maps.
 */
import { NullEngine } from "@babylonjs/core/Engines/nullEngine.js";
import { Material } from "@babylonjs/core/Materials/material.js";
import { PBRMaterial } from "@babylonjs/core/Materials/PBR/pbrMaterial.js";
import { Texture } from "@babylonjs/core/Materials/Textures/texture.js";
import { Color3 } from "@babylonjs/core/Maths/math.color.js";
import { Quaternion, Vector3 } from "@babylonjs/core/Maths/math.vector.js";
import { Mesh as BabylonMesh } from "@babylonjs/core/Meshes/mesh.js";
import { VertexData } from "@babylonjs/core/Meshes/mesh.vertexData.js";
import { TransformNode } from "@babylonjs/core/Meshes/transformNode.js";
import { SceneSerializer } from "@babylonjs/core/Misc/sceneSerializer.js";
import { Scene } from "@babylonjs/core/scene.js";
import { GLTF_EYE_MATERIAL, GLTF_MOUTH_MATERIALS, mouthColours, type MouthColours } from "./gltf-mapping.ts";
import type { HeadPartGeometry } from "./head-geometry.ts";
import { SKIN_MAP_FILES } from "./map-files.ts";
import { EYE_MATERIAL_NAME, keepBehindSkin } from "./eye-depth.ts";
import { createCheckedSkinMaterial } from "./skin-material.ts";
import { registerSkinMaterialPlugin } from "./diffuse-normal-plugin.ts";
import type { ValidSkinParameters } from "./skin-parameters.ts";
import { AsciiJsonWriter } from "./json-number-text.ts";

/** Keys whose numbers are engine-assigned unique ids (a process-wide counter) or references to them. */
const UNIQUE_ID_KEYS = new Set(["uniqueId", "parentId", "materialUniqueId", "geometryUniqueId", "_loadedUniqueId"]);

/**
 * Renumbers engine-assigned unique ids 1, 2, 3… in document order (references follow), so the
 * file does not depend on what else the process created before.
 */
function stabiliseIds(value: unknown, ids = new Map<number, number>()): unknown {
  if (Array.isArray(value)) return typeof value[0] === "number" ? value : value.map((v) => stabiliseIds(v, ids));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (UNIQUE_ID_KEYS.has(k) && typeof v === "number") {
        if (!ids.has(v)) ids.set(v, ids.size + 1);
        out[k] = ids.get(v);
      } else out[k] = stabiliseIds(v, ids);
    }
    return out;
  }
  return value;
}

/**
 * Builds and serialises the head scene from the parts (split once by the caller, shared with the
 * GLB) and checked parameters; texture names are SKIN_MAP_FILES, relative to the file.
 */
export async function buildHeadBabylonJson(geometry: HeadPartGeometry[], parameters: ValidSkinParameters, has: { thinMask: boolean; eyes: boolean; wrinkleSmile?: boolean }, mouthColour: MouthColours = mouthColours()): Promise<string> {
  registerSkinMaterialPlugin();
  const engine = new NullEngine();
  try {
    const scene = new Scene(engine);
    const root = new TransformNode("__root__", scene);
    root.id = "__root__";
    // glTF right-handed → Babylon left-handed, as GLTFLoader does (rotation π about Y, scale z −1).
    root.rotationQuaternion = new Quaternion(0, 1, 0, 0);
    root.scaling = new Vector3(1, 1, -1);

    const skin = createCheckedSkinMaterial("skin", scene, {
      albedoDiffuse: SKIN_MAP_FILES.albedoDiffuse,
      albedoSpecular: SKIN_MAP_FILES.albedoSpecular,
      normalsDiffuse: SKIN_MAP_FILES.normalsDiffuse,
      normalsSpecular: SKIN_MAP_FILES.normalsSpecular,
      thinMask: has.thinMask ? SKIN_MAP_FILES.thinMask : null,
      wrinkleSmile: has.wrinkleSmile ? SKIN_MAP_FILES.wrinkleSmile : null,
    }, parameters);
    skin.id = "skin";
    const eyes = await createEyeMaterial(scene, has.eyes);
    const mouth = createMouthMaterials(scene, mouthColour);
    for (const part of geometry) addPartMesh(scene, root, part, part.part === "skin" ? skin : part.part === "eyeLeft" || part.part === "eyeRight" ? eyes : mouth[part.part]);
    return serialiseHead(scene, geometry);
  } finally {
    engine.dispose();
  }
}

/** The eyes' glossy PBR material (GLTF_EYE_MATERIAL), textured with maps/eyes.png when the job has it. */
async function createEyeMaterial(scene: Scene, textured: boolean): Promise<PBRMaterial> {
  const eyes = new PBRMaterial(EYE_MATERIAL_NAME, scene);
  eyes.id = EYE_MATERIAL_NAME;
  eyes.metallic = 0;
  eyes.roughness = GLTF_EYE_MATERIAL.roughnessFactor;
  eyes.albedoColor = textured ? Color3.White() : new Color3(...GLTF_EYE_MATERIAL.baseColorFactor.slice(0, 3) as [number, number, number]);
  eyes.clearCoat.isEnabled = true;
  eyes.clearCoat.intensity = GLTF_EYE_MATERIAL.clearcoatFactor;
  eyes.clearCoat.roughness = GLTF_EYE_MATERIAL.clearcoatRoughnessFactor;
  eyes.clearCoat.remapF0OnInterfaceChange = false;
  keepBehindSkin(eyes);
  if (textured) {
    const t = new Texture(SKIN_MAP_FILES.eyes, scene, { invertY: false });
    t.name = SKIN_MAP_FILES.eyes;
    eyes.albedoTexture = t;
  }
  return eyes;
}

/** Plain PBR materials of the mouth parts (GLTF_MOUTH_MATERIALS' roughness, the job's colours). */
function createMouthMaterials(scene: Scene, colours: MouthColours): Record<"mouth" | "teeth" | "tongue", PBRMaterial> {
  const make = (name: keyof typeof GLTF_MOUTH_MATERIALS) => {
    const m = new PBRMaterial(name, scene);
    m.id = name;
    m.metallic = 0;
    m.roughness = GLTF_MOUTH_MATERIALS[name].roughnessFactor;
    m.albedoColor = new Color3(...colours[name]);
    keepBehindSkin(m);
    return m;
  };
  return { mouth: make("mouth"), teeth: make("teeth"), tongue: make("tongue") };
}

/** One part as a mesh under `__root__`, with ids fixed so the file does not vary between runs. */
function addPartMesh(scene: Scene, root: TransformNode, part: HeadPartGeometry, material: Material): void {
  const m = new BabylonMesh(part.part === "skin" ? "head" : part.part, scene);
  m.id = m.name;
  const vd = new VertexData();
  vd.positions = part.positions;
  vd.normals = part.normals;
  vd.tangents = part.tangents;
  vd.uvs = part.uvs;
  vd.indices = part.indices;
  // Mouth parts' occlusion (mouth-occlusion.ts) as opaque vertex colours, multiplied into albedo.
  if (part.vertexColour) vd.colors = Float32Array.from({ length: (part.vertexColour.length / 3) * 4 }, (_, i) => (i % 4 === 3 ? 1 : part.vertexColour![3 * (i >> 2) + (i % 4)]));
  vd.applyToMesh(m);
  if (m.geometry) m.geometry.id = `${m.name}_geometry`; // default is a random GUID
  m.parent = root;
  m.sideOrientation = Material.ClockWiseSideOrientation; // mirrored by __root__, as GLTFLoader sets it
  m.material = material;
}

/** Morph target positions in head.babylon are written in steps of 10 µm (10⁻⁵ m). */
const TARGET_POSITION_EXPONENT = 5;

/** Morph target colours in head.babylon are written in steps of 10⁻⁴ (an 8-bit step is 0.004). */
const TARGET_COLOUR_EXPONENT = 4;

/** A target's absolute opaque RGBA (vertex colour + the target's delta) in steps of 10^-TARGET_COLOUR_EXPONENT. */
function targetColourSteps(base: Float32Array, delta: Float32Array | undefined): Float64Array {
  const scale = 10 ** TARGET_COLOUR_EXPONENT;
  return Float64Array.from({ length: (base.length / 3) * 4 }, (_, i) => {
    const v = i >> 2, c = i % 4;
    return c === 3 ? scale : Math.round((base[3 * v + c] + (delta ? delta[3 * v + c] : 0)) * scale);
  });
}

/** Vertex data the loader uploads as float32 (written in float32's shortest form); "indices" are integers. */
const FLOAT32_VERTEX_KINDS = new Set(["positions", "normals", "tangents", "uvs", "uvs2", "colors"]);

/** Stands for one number array in the scene's JSON text until the array's own text replaces it. */
const ARRAY_MARKER = "@porelight-array:";

interface SceneJson {
  meshes: { name: string; morphTargetManagerId?: number }[];
  geometries?: { vertexData?: Record<string, unknown>[] };
  morphTargetManagers?: unknown;
  materials?: Record<string, unknown>[];
}

/**
 * The scene as .babylon text, morph targets included. The vertex arrays and the targets are
 * written by AsciiJsonWriter (json-number-text.ts) rather than JSON.stringify: float32 data in
 * float32's shortest form (same bits once loaded, half the digits) and target positions as exact
 * multiples of 10 µm, one pass over the numbers with no string per number.
 */
function serialiseHead(scene: Scene, geometry: HeadPartGeometry[]): string {
  const json = stabiliseIds(SceneSerializer.Serialize(scene)) as SceneJson;
  // Babylon writes each material's image-processing settings (this NullEngine scene's: no tone
  // mapping, exposure 1), and a loaded material then owns that copy instead of following the
  // scene it lands in: the scene's exposure and tone mapping never reach the head, and with the
  // SSS pre-pass on, non-scattering materials (the eyes) got image processing twice.
  for (const material of json.materials ?? []) delete material._imageProcessingConfiguration;
  const arrays = takeVertexArrays(json);
  const morphParts = geometry.filter((g) => g.targets?.length);
  if (morphParts.length) delete json.morphTargetManagers;
  const meshNames = morphParts.map((g, k) => attachMorphTargetManager(json, g, k + 1));

  const out = new AsciiJsonWriter();
  const pieces = JSON.stringify(json).split(new RegExp(`"${ARRAY_MARKER}(\\d+)"`));
  // split() with a captured group: text, array index, text, array index, …, text.
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) {
      out.raw(morphParts.length && i === pieces.length - 1 ? pieces[i].slice(0, -1) : pieces[i]);
      continue;
    }
    const { kind, values } = arrays[Number(pieces[i])];
    if (kind === "indices") out.integerArray(values);
    else out.float32Array(values);
  }
  if (morphParts.length) {
    out.raw(`,"morphTargetManagers":[`);
    morphParts.forEach((g, k) => writeMorphTargetManager(out, g, k + 1, meshNames[k], k > 0));
    out.raw("]}");
  }
  return out.text();
}

/** Replaces the geometries' vertex arrays by markers; returns them in marker order. */
function takeVertexArrays(json: SceneJson): { kind: string; values: number[] }[] {
  const arrays: { kind: string; values: number[] }[] = [];
  for (const vertexData of json.geometries?.vertexData ?? []) {
    for (const [kind, values] of Object.entries(vertexData)) {
      if (!Array.isArray(values) || (kind !== "indices" && !FLOAT32_VERTEX_KINDS.has(kind))) continue;
      vertexData[kind] = ARRAY_MARKER + arrays.length;
      arrays.push({ kind, values: values as number[] });
    }
  }
  return arrays;
}

/** Points the part's mesh at morph target manager `id`; returns the mesh's name. */
function attachMorphTargetManager(json: SceneJson, g: HeadPartGeometry, id: number): string {
  const mesh = json.meshes.find((m) => m.name === (g.part === "skin" ? "head" : g.part));
  if (!mesh) throw new Error(`head.babylon: no mesh for part ${g.part}`);
  mesh.morphTargetManagerId = id;
  return mesh.name;
}

/**
 * One part's blendshapes as a MorphTargetManager. Written as text here rather than through
 * Babylon's MorphTarget and SceneSerializer: .babylon stores absolute target positions (no
 * sparse form), and writing them as multiples of 10 µm is what keeps this step cheap; 10 µm is
 * far below a texel.
 */
function writeMorphTargetManager(out: AsciiJsonWriter, g: HeadPartGeometry, id: number, meshName: string, comma: boolean): void {
  const scale = 10 ** TARGET_POSITION_EXPONENT;
  const steps = new Float64Array(g.positions.length);
  out.raw(`${comma ? "," : ""}{"id":${id},"targets":[`);
  g.targets!.forEach((t, k) => {
    for (let i = 0; i < steps.length; i++) steps[i] = Math.round((g.positions[i] + t.delta[i]) * scale);
    out.raw(`${k ? "," : ""}{"name":${JSON.stringify(t.name)},"id":${JSON.stringify(`${meshName}_${t.name}`)},"influence":0,"positions":`);
    out.fixedPointArray(steps, TARGET_POSITION_EXPONENT);
    if (g.vertexColour) {
      // Absolute RGBA like the positions; every target has them, or Babylon morphs no colour.
      out.raw(`,"colors":`);
      out.fixedPointArray(targetColourSteps(g.vertexColour, t.colour), TARGET_COLOUR_EXPONENT);
    }
    out.raw("}");
  });
  out.raw("]}");
}
