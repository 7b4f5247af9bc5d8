/**
 * `head.babylon`: the head with the full skin material, built as a Babylon scene under NullEngine
 * and serialised with SceneSerializer. The mesh keeps glTF data (right-handed, UV origin top-left)
 * under a `__root__` node that converts to Babylon's left-handed space exactly as Babylon's glTF
 * loader does, so the GLB and the .babylon load into the same place with the same normal maps.
 */
import { Color3, Mesh as BabylonMesh, NullEngine, PBRMaterial, Quaternion, Scene, SceneSerializer, TransformNode, Vector3, VertexData, Material } from "@babylonjs/core";
import { GLTF_EYE_MATERIAL, GLTF_MOUTH_MATERIALS } from "./gltf-mapping.ts";
import type { HeadPartGeometry } from "./head-geometry.ts";
import { SKIN_MAP_FILES } from "./map-files.ts";
import { createCheckedSkinMaterial } from "./skin-material.ts";
import { registerSkinMaterialPlugin } from "./diffuse-normal-plugin.ts";
import type { ValidSkinParameters } from "./skin-parameters.ts";

/** Keys whose numbers are engine-assigned unique ids (a process-wide counter) or references to them. */
const UNIQUE_ID_KEYS = new Set(["uniqueId", "parentId", "materialUniqueId", "geometryUniqueId", "_loadedUniqueId"]);

/**
 * Renumbers engine-assigned unique ids 1, 2, 3… in document order (references follow), so the
 * file does not depend on what else the process created before.
 */
function stabiliseIds(value: unknown, ids = new Map<number, number>()): unknown {
  if (Array.isArray(value)) return value.map((v) => stabiliseIds(v, ids));
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
export async function buildHeadBabylonJson(geometry: HeadPartGeometry[], parameters: ValidSkinParameters, has: { thinMask: boolean; eyes: boolean }): Promise<string> {
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
    }, parameters);
    skin.id = "skin";
    const eyes = await createEyeMaterial(scene, has.eyes);
    const mouth = createMouthMaterials(scene);
    for (const part of geometry) addPartMesh(scene, root, part, part.part === "skin" ? skin : part.part === "eyeLeft" || part.part === "eyeRight" ? eyes : mouth[part.part]);
    return withMorphTargets(serialiseScene(scene), geometry);
  } finally {
    engine.dispose();
  }
}

/** The eyes' glossy PBR material (GLTF_EYE_MATERIAL), textured with maps/eyes.png when the job has it. */
async function createEyeMaterial(scene: Scene, textured: boolean): Promise<PBRMaterial> {
  const eyes = new PBRMaterial("eyes", scene);
  eyes.id = "eyes";
  eyes.metallic = 0;
  eyes.roughness = GLTF_EYE_MATERIAL.roughnessFactor;
  eyes.albedoColor = textured ? Color3.White() : new Color3(...GLTF_EYE_MATERIAL.baseColorFactor.slice(0, 3) as [number, number, number]);
  eyes.clearCoat.isEnabled = true;
  eyes.clearCoat.intensity = GLTF_EYE_MATERIAL.clearcoatFactor;
  eyes.clearCoat.roughness = GLTF_EYE_MATERIAL.clearcoatRoughnessFactor;
  eyes.clearCoat.remapF0OnInterfaceChange = false;
  if (textured) {
    const { Texture } = await import("@babylonjs/core");
    const t = new Texture(SKIN_MAP_FILES.eyes, scene, { invertY: false });
    t.name = SKIN_MAP_FILES.eyes;
    eyes.albedoTexture = t;
  }
  return eyes;
}

/** Plain PBR materials of the mouth parts (GLTF_MOUTH_MATERIALS). */
function createMouthMaterials(scene: Scene): Record<"mouth" | "teeth" | "tongue", PBRMaterial> {
  const make = (name: keyof typeof GLTF_MOUTH_MATERIALS) => {
    const m = new PBRMaterial(name, scene);
    m.id = name;
    m.metallic = 0;
    m.roughness = GLTF_MOUTH_MATERIALS[name].roughnessFactor;
    m.albedoColor = new Color3(...(GLTF_MOUTH_MATERIALS[name].baseColorFactor.slice(0, 3) as [number, number, number]));
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
  vd.applyToMesh(m);
  if (m.geometry) m.geometry.id = `${m.name}_geometry`; // default is a random GUID
  m.parent = root;
  m.sideOrientation = Material.ClockWiseSideOrientation; // mirrored by __root__, as GLTFLoader sets it
  m.material = material;
}

/** Morph target positions in head.babylon are written in steps of 10 µm (exponent form "1234e-5"). */
const TARGET_POSITION_EXPONENT = 5;

/**
 * Adds each part's blendshapes to the serialised scene as a MorphTargetManager (ids 1, 2, 3… in
 * part order) referenced by the part's mesh. Written as text here rather than through Babylon's
 * MorphTarget and SceneSerializer: .babylon stores absolute target positions (no sparse form),
 * and formatting them as integers of 10 µm is what keeps this step cheap; 10 µm is far below a texel.
 */
function withMorphTargets(sceneJson: string, geometry: HeadPartGeometry[]): string {
  const parts = geometry.filter((g) => g.targets?.length);
  if (!parts.length) return sceneJson;
  const scale = 10 ** TARGET_POSITION_EXPONENT, suffix = `e-${TARGET_POSITION_EXPONENT}`;
  const json = JSON.parse(sceneJson) as { meshes: { name: string; morphTargetManagerId?: number }[]; morphTargetManagers?: unknown };
  delete json.morphTargetManagers;
  const managers: string[] = [];
  parts.forEach((g, k) => {
    const id = k + 1;
    const mesh = json.meshes.find((m) => m.name === (g.part === "skin" ? "head" : g.part));
    if (!mesh) throw new Error(`head.babylon: no mesh for part ${g.part}`);
    mesh.morphTargetManagerId = id;
    const targets = g.targets!.map((t) => {
      const text = new Array<string>(g.positions.length);
      for (let i = 0; i < text.length; i++) text[i] = Math.round((g.positions[i] + t.delta[i]) * scale) + suffix;
      return `{"name":${JSON.stringify(t.name)},"id":${JSON.stringify(`${mesh.name}_${t.name}`)},"influence":0,"positions":[${text.join(",")}]}`;
    });
    managers.push(`{"id":${id},"targets":[${targets.join(",")}]}`);
  });
  const text = JSON.stringify(json);
  return `${text.slice(0, -1)},"morphTargetManagers":[${managers.join(",")}]}`;
}

function serialiseScene(scene: Scene): string {
  const json = SceneSerializer.Serialize(scene) as Record<string, unknown>;
  // Babylon writes each material's image-processing settings (this NullEngine scene's: no tone
  // mapping, exposure 1), and a loaded material then owns that copy instead of following the
  // scene it lands in: the scene's exposure and tone mapping never reach the head, and with the
  // SSS pre-pass on, non-scattering materials (the eyes) got image processing twice.
  for (const material of (json.materials ?? []) as Record<string, unknown>[]) delete material._imageProcessingConfiguration;
  return JSON.stringify(stabiliseIds(json));
}
