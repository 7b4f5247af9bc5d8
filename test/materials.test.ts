/**
 * Skin material in Node (NullEngine): the N_D plugin's shader injection, serialise → parse round
 * trips with and without the plugin class registered, GLB validity and byte-identical exports,
 * the wrinkle map's injection and its binding to the blendshapes.
 * Order matters: the "not registered" case runs before anything registers the plugin class.
 */
import { describe, expect, it, beforeAll } from "vitest";
import { HemisphericLight, Mesh, MorphTarget, MorphTargetManager, NullEngine, PBRMaterial, PointLight, RawTexture, Scene, SceneLoader, SceneSerializer, Vector3, VertexData, FreeCamera, Constants } from "@babylonjs/core";
import "@babylonjs/loaders/glTF/index.js";
import { validateBytes } from "gltf-validator";
import { createSkinMaterial, getSkinMetadata, readSkinParameters, restoreSkinMaterials, applySkinParameters } from "../materials/skin-material.ts";
import { INJECTION_MARKER, registerSkinMaterialPlugin, SKIN_PLUGIN_NAME, SKIN_PLUGIN_REGEX, SkinDiffuseNormalPlugin, WRINKLE_MARKER } from "../materials/diffuse-normal-plugin.ts";
import { bindWrinkleMaps } from "../materials/wrinkle-maps.ts";
import { SKIN_MAP_FILES, WRINKLE_DRIVERS } from "../materials/map-files.ts";
import { SKIN_DEFAULTS, specularFactors, fresnelF0, validateSkinParameters, type SkinParameters } from "../materials/skin-parameters.ts";
import { exportHeadAssets, type HeadAssets } from "../materials/export-head.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

function newScene() {
  const engine = new NullEngine();
  // NullEngine reports no standard derivatives, which would drop BUMP (and so N_D) from the defines.
  engine.getCaps().standardDerivatives = true;
  const scene = new Scene(engine);
  new FreeCamera("camera", new Vector3(0, 0, -0.5), scene);
  return scene;
}

/** 2×2 RGBA textures: ready at once under NullEngine, so the material's defines are real. */
function rawMap(scene: Scene, name: string): RawTexture {
  const t = RawTexture.CreateRGBATexture(new Uint8Array(16).fill(128), 2, 2, scene);
  t.name = name;
  // NullEngine never uploads, so it never flags raw textures ready; the defines need them ready.
  const internal = t.getInternalTexture();
  if (internal) internal.isReady = true;
  return t;
}

function headMesh(scene: Scene): Mesh {
  const { mesh, parts } = syntheticHead(8);
  const skin = parts[0];
  const m = new Mesh("head", scene);
  const vd = new VertexData();
  vd.positions = mesh.positions; vd.normals = mesh.normals; vd.uvs = mesh.uvs; vd.tangents = mesh.tangents;
  vd.indices = mesh.indices.slice(skin.firstIndex, skin.firstIndex + skin.indexCount);
  vd.applyToMesh(m);
  return m;
}

async function readyEffectSource(material: PBRMaterial, mesh: Mesh): Promise<{ source: string; defines: string }> {
  mesh.material = material;
  const subMesh = mesh.subMeshes[0];
  for (let i = 0; i < 200 && !material.isReadyForSubMesh(mesh, subMesh); i++) await new Promise((r) => setTimeout(r, 10));
  const effect = subMesh.effect as unknown as { _fragmentSourceCode: string; defines: string } | null;
  if (!effect) throw new Error("no effect compiled");
  return { source: effect._fragmentSourceCode, defines: effect.defines };
}

const count = (text: string, pattern: string) => (text.match(new RegExp(pattern, "g")) ?? []).length;

/** The plain-PBR and the plugin's compiled fragment shaders of the skin, under a point and a hemispheric light; `extra` names optional maps to add. */
async function compileBoth(extra: ("thinMask" | "wrinkleSmile")[]) {
  const scene = newScene();
  new PointLight("point", new Vector3(0, 1, -1), scene);
  new HemisphericLight("sky", new Vector3(0, 1, 0), scene);
  const maps = { albedoDiffuse: rawMap(scene, "ad"), albedoSpecular: rawMap(scene, "as"), normalsDiffuse: rawMap(scene, "nd"), normalsSpecular: rawMap(scene, "ns"), ...Object.fromEntries(extra.map((k) => [k, rawMap(scene, k)])) };
  const baseline = await readyEffectSource(createSkinMaterial("plain", scene, maps, {}, { withPlugin: false }), headMesh(scene));
  const skin = createSkinMaterial("skin", scene, maps);
  const injected = await readyEffectSource(skin, headMesh(scene));
  return { scene, skin, baseline, injected };
}

describe("N_D material plugin: shader injection", () => {
  it("replaces every diffuse lighting term once and re-evaluates IBL irradiance with N_D", async () => {
    const { scene, baseline, injected } = await compileBoth(["thinMask"]);

    expect(injected.defines).toContain("#define SKIN_DIFFUSE_NORMAL");
    expect(injected.defines).toContain("#define BUMP");
    expect(baseline.source).not.toContain(INJECTION_MARKER);
    const expected = count(baseline.source, SKIN_PLUGIN_REGEX.diffuse) + count(baseline.source, SKIN_PLUGIN_REGEX.transmitted) + count(baseline.source, SKIN_PLUGIN_REGEX.hemispheric) + count(baseline.source, SKIN_PLUGIN_REGEX.ibl);
    // maxSimultaneousLights (4) copies of the light block, each with 2 diffuse, 2 transmitted and 1 hemispheric term.
    expect(count(baseline.source, SKIN_PLUGIN_REGEX.diffuse)).toBeGreaterThanOrEqual(8);
    expect(count(baseline.source, SKIN_PLUGIN_REGEX.hemispheric)).toBe(4);
    expect(count(baseline.source, SKIN_PLUGIN_REGEX.ibl)).toBe(1);
    expect(injected.source.split(INJECTION_MARKER).length - 1).toBe(expected);
    for (const pattern of Object.values(SKIN_PLUGIN_REGEX)) expect(count(injected.source, pattern)).toBe(pattern === SKIN_PLUGIN_REGEX.ibl ? 1 : 0);
    expect(count(injected.source, "skinDiffuseNormalW=perturbNormal\\(TBN,.{0,40}texture2D\\(skinDiffuseNormalSampler")).toBe(1);
    expect(count(injected.source, "computeEnvironmentIrradiance\\(skinIrradianceVector\\)")).toBe(1);
    // Without a wrinkle map the blend's code is compiled out: its calls return their sample.
    expect(injected.defines).not.toContain("SKIN_WRINKLE");
    scene.getEngine().dispose();
  });

  it("blends the wrinkle map into N_S, the clear coat's N_S and N_D, once each", async () => {
    const { scene, skin, baseline, injected } = await compileBoth(["wrinkleSmile"]);
    expect(injected.defines).toContain("#define SKIN_WRINKLE");
    expect(count(baseline.source, SKIN_PLUGIN_REGEX.specularNormal)).toBe(1);
    expect(count(baseline.source, SKIN_PLUGIN_REGEX.clearCoatNormal)).toBe(1);
    expect(count(injected.source, SKIN_PLUGIN_REGEX.specularNormal)).toBe(0);
    expect(count(injected.source, SKIN_PLUGIN_REGEX.clearCoatNormal)).toBe(0);
    expect(injected.source.split(WRINKLE_MARKER).length - 1).toBe(3);
    expect(count(injected.source, "skinWrinkle\\(texture2D\\(skinDiffuseNormalSampler")).toBe(1);
    expect(skin.pluginManager!.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)!.wrinkleTexture?.name).toBe("wrinkleSmile");
    expect(getSkinMetadata(skin)?.maps.wrinkleSmile).toBe("wrinkleSmile");
    scene.getEngine().dispose();
  });
});

describe("bindWrinkleMaps", () => {
  /** The head with morph targets named `names` (positions unmoved: only the influences matter here). */
  function morphHead(scene: Scene, names: string[]): Mesh {
    const mesh = headMesh(scene);
    const manager = new MorphTargetManager(scene);
    for (const name of names) manager.addTarget(MorphTarget.FromMesh(mesh, name, 0));
    mesh.morphTargetManager = manager;
    return mesh;
  }
  const maps = (scene: Scene) => ({ albedoDiffuse: rawMap(scene, "ad"), albedoSpecular: rawMap(scene, "as"), normalsDiffuse: rawMap(scene, "nd"), normalsSpecular: rawMap(scene, "ns"), wrinkleSmile: rawMap(scene, "wrinkle") });

  it("sets each side's weight before each frame to the largest influence of its drivers, and stops on dispose", () => {
    const scene = newScene();
    const mesh = morphHead(scene, ["jawOpen", "mouthSmileLeft", "mouthSmileRight", "cheekSquintLeft"]);
    const skin = createSkinMaterial("skin", scene, maps(scene));
    mesh.material = skin;
    const plugin = skin.pluginManager!.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)!;
    const target = (name: string) => mesh.morphTargetManager!.getTargetByName(name)!;
    const binding = bindWrinkleMaps(mesh, skin, WRINKLE_DRIVERS.wrinkleSmile);
    expect(binding.targets.map((t) => t.name)).toEqual(["mouthSmileLeft", "mouthSmileRight", "cheekSquintLeft"]);
    target("jawOpen").influence = 1; // not a driver
    scene.render();
    expect(plugin.wrinkleWeights).toEqual({ left: 0, right: 0 });
    target("mouthSmileLeft").influence = 0.3;
    target("cheekSquintLeft").influence = 0.7;
    scene.render();
    expect(plugin.wrinkleWeights.left).toBeCloseTo(0.7, 6);
    expect(plugin.wrinkleWeights.right).toBe(0); // a one-sided smile folds one cheek
    target("mouthSmileRight").influence = 1.4; // influences past 1 fold no deeper than the map
    scene.render();
    expect(plugin.wrinkleWeights.right).toBe(1);
    expect(plugin.wrinkleWeights.left).toBeCloseTo(0.7, 6);
    binding.dispose();
    expect(plugin.wrinkleWeights).toEqual({ left: 0, right: 0 });
    target("mouthSmileLeft").influence = 1;
    scene.render();
    expect(plugin.wrinkleWeights).toEqual({ left: 0, right: 0 });
    scene.getEngine().dispose();
  });

  it("refuses a plain PBR material and a mesh without any driver", () => {
    const scene = newScene();
    const mesh = morphHead(scene, ["jawOpen"]);
    expect(() => bindWrinkleMaps(mesh, createSkinMaterial("plain", scene, maps(scene), {}, { withPlugin: false }), WRINKLE_DRIVERS.wrinkleSmile)).toThrow(/no SkinDiffuseNormal plugin/);
    expect(() => bindWrinkleMaps(mesh, createSkinMaterial("skin", scene, maps(scene)), WRINKLE_DRIVERS.wrinkleSmile)).toThrow(/none of the driver blendshapes/);
    scene.getEngine().dispose();
  });
});

describe("serialise → parse", () => {
  const params: SkinParameters = { ...SKIN_DEFAULTS, roughnessBase: 0.66, roughnessSharp: 0.33, sharpLobeWeight: 0.2, normalStrength: 0.8, scatteringDistanceMm: [0.5, 0.12, 0.07], translucency: 0.4, translucencyColor: [0.9, 0.3, 0.2] };
  let serialized: any;

  beforeAll(() => {
    const scene = newScene();
    const mesh = headMesh(scene);
    const maps = { albedoDiffuse: "maps/a_d.png", albedoSpecular: "maps/a_s.png", normalsDiffuse: "maps/n_d.png", normalsSpecular: "maps/n_s.png", thinMask: "maps/thin.png", wrinkleSmile: "maps/wrinkle.png" };
    mesh.material = createSkinMaterial("skin", scene, maps, params);
    serialized = SceneSerializer.SerializeMesh(mesh);
    scene.getEngine().dispose();
  });

  function checkMaterial(material: PBRMaterial) {
    expect(material.albedoTexture?.name).toBe("maps/a_d.png");
    expect(material.reflectanceTexture?.name).toBe("maps/a_s.png");
    expect(material.bumpTexture?.name).toBe("maps/n_s.png");
    expect(material.clearCoat.texture?.name).toBe("maps/a_s.png");
    expect(material.clearCoat.bumpTexture?.name).toBe("maps/n_s.png");
    expect(material.subSurface.translucencyIntensityTexture?.name).toBe("maps/thin.png");
    expect(readSkinParameters(material)).toEqual(params);
    const { baseColorFactor, coatFactor } = specularFactors(params);
    expect(material.roughness).toBeCloseTo(params.roughnessBase, 6);
    expect(material.metallicReflectanceColor.r).toBeCloseTo(baseColorFactor, 6);
    expect(material.clearCoat.intensity).toBeCloseTo(coatFactor, 6);
    expect(material.clearCoat.roughness).toBeCloseTo(params.roughnessSharp, 6);
    expect(material.subSurface.indexOfRefraction).toBeCloseTo(params.indexOfRefraction, 6);
    expect(material.subSurface.isScatteringEnabled).toBe(true);
    expect(material.subSurface.isTranslucencyEnabled).toBe(true);
    expect(material.forceIrradianceInFragment).toBe(true);
  }

  it("without the plugin class registered: plain PBR with metadata, then restoreSkinMaterials brings N_D back", async () => {
    // Babylon resolves an unregistered plugin class through the global BABYLON namespace and
    // skips it when absent; ES-module code without that global must register the plugin first
    // (its lookup would throw). The Editor and UMD builds have the global: emulate that case.
    (globalThis as { BABYLON?: object }).BABYLON ??= {};
    const scene = newScene();
    await SceneLoader.ImportMeshAsync("", "", "data:" + JSON.stringify(serialized), scene);
    const material = scene.getMaterialByName("skin") as PBRMaterial;
    expect(material).toBeInstanceOf(PBRMaterial);
    expect(material.pluginManager?.getPlugin(SKIN_PLUGIN_NAME) ?? null).toBeNull();
    expect(getSkinMetadata(material)?.maps).toEqual({ normalsDiffuse: "maps/n_d.png", wrinkleSmile: "maps/wrinkle.png" });
    checkMaterial(material);
    expect(restoreSkinMaterials(scene)).toEqual([material]);
    const plugin = material.pluginManager!.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)!;
    expect(plugin.diffuseNormalTexture?.name).toBe("maps/n_d.png");
    expect(plugin.wrinkleTexture?.name).toBe("maps/wrinkle.png");
    expect(plugin.diffuseNormalLevel).toBeCloseTo(params.normalStrength, 6);
    checkMaterial(material);
    scene.getEngine().dispose();
  });

  it("with the plugin class registered: the plugin and its N_D texture come back from the file", async () => {
    registerSkinMaterialPlugin();
    const scene = newScene();
    await SceneLoader.ImportMeshAsync("", "", "data:" + JSON.stringify(serialized), scene);
    const material = scene.getMaterialByName("skin") as PBRMaterial;
    const plugin = material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
    expect(plugin).toBeInstanceOf(SkinDiffuseNormalPlugin);
    expect(plugin!.diffuseNormalTexture?.name).toBe("maps/n_d.png");
    expect(plugin!.wrinkleTexture?.name).toBe("maps/wrinkle.png");
    checkMaterial(material);
    // Live edits keep the metadata mirror in step.
    applySkinParameters(material, { roughnessBase: 0.5 });
    expect(readSkinParameters(material).roughnessBase).toBe(0.5);
    expect(material.roughness).toBe(0.5);
    scene.getEngine().dispose();
  });
});

describe("exportHeadAssets", () => {
  let first: HeadAssets;
  let input: Parameters<typeof exportHeadAssets>[0];

  beforeAll(async () => {
    const head = syntheticHead(24);
    // target "source": plain float geometry, which Babylon loads in Node without the meshopt decoder.
    const maps = await syntheticMaps(64, 96);
    input = { ...head, maps: { ...maps, wrinkleSmile: maps.normalsSpecular }, parameters: validateSkinParameters({ roughnessBase: 0.7 }), target: "source" };
    first = await exportHeadAssets(input);
  });

  it("takes only checked parameters: unchecked ones do not type-check", () => {
    // @ts-expect-error a plain object has not been through validateSkinParameters
    const unchecked: Parameters<typeof exportHeadAssets>[0]["parameters"] = { ...SKIN_DEFAULTS };
    expect(unchecked).toBeDefined();
  });

  it("writes a GLB that the Khronos validator accepts with zero errors and warnings", async () => {
    const report = await validateBytes(first.glb);
    expect(report.issues.numErrors).toBe(0);
    expect(report.issues.numWarnings).toBe(0);
    const used = report.info.extensionsUsed as string[];
    expect(used).toEqual(expect.arrayContaining(["KHR_materials_specular", "KHR_materials_clearcoat", "KHR_materials_ior"]));
    expect(used).not.toContain("KHR_materials_volume");
    expect(used).not.toContain("KHR_materials_coat");
  });

  it("is byte-identical for identical input", async () => {
    const again = await exportHeadAssets(input);
    expect(Buffer.from(again.glb).equals(Buffer.from(first.glb))).toBe(true);
    expect(again.babylon).toBe(first.babylon);
    expect(again.materialJson).toBe(first.materialJson);
  });

  it("GLB loads in Babylon with the same lobes the skin material sets; head.babylon loads with the full material", async () => {
    registerSkinMaterialPlugin();
    const scene = newScene();
    const gltf = await SceneLoader.ImportMeshAsync("", "", first.glb, scene, undefined, ".glb");
    const fromGltf = scene.getMaterialByName("skin") as PBRMaterial;
    expect(gltf.meshes.length).toBeGreaterThan(1);
    const p = { ...SKIN_DEFAULTS, roughnessBase: 0.7 };
    const { baseColorFactor, coatFactor } = specularFactors(p);
    expect(fromGltf.roughness).toBeCloseTo(0.7, 6);
    expect(fromGltf.metallicReflectanceColor.r).toBeCloseTo(baseColorFactor, 5);
    expect(fromGltf.clearCoat.intensity).toBeCloseTo(coatFactor, 5);
    expect(fromGltf.clearCoat.roughness).toBeCloseTo(p.roughnessSharp, 5);
    expect(fromGltf.subSurface.indexOfRefraction).toBeCloseTo(p.indexOfRefraction, 6);
    expect(fresnelF0(fromGltf.subSurface.indexOfRefraction) * fromGltf.metallicReflectanceColor.r * 0.5).toBeCloseTo((1 - p.sharpLobeWeight) * p.specularF0, 5);
    scene.getEngine().dispose();

    const scene2 = newScene();
    const loaded = await SceneLoader.ImportMeshAsync("", "", "data:" + first.babylon, scene2);
    const head = loaded.meshes.find((m) => m.name === "head")!;
    expect(head.getTotalVertices()).toBeGreaterThan(100);
    expect(head.isVerticesDataPresent("tangent")).toBe(true);
    const skin = head.material as PBRMaterial;
    expect(skin.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)?.diffuseNormalTexture?.name).toBe("maps/normals_diffuse.png");
    expect(readSkinParameters(skin).roughnessBase).toBe(0.7);
    expect(skin.albedoTexture?.name).toBe("maps/albedo_diffuse.png");
    expect(JSON.parse(first.materialJson).parameters.roughnessBase).toBe(0.7);
    expect(JSON.parse(first.materialJson).wrinkles).toEqual({ wrinkleSmile: { map: SKIN_MAP_FILES.wrinkleSmile, blendshapes: WRINKLE_DRIVERS.wrinkleSmile } });
    expect(skin.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)?.wrinkleTexture?.name).toBe(SKIN_MAP_FILES.wrinkleSmile);
    expect(getSkinMetadata(skin)?.maps.wrinkleSmile).toBe(SKIN_MAP_FILES.wrinkleSmile);
    expect(Constants.MATERIAL_ClockWiseSideOrientation).toBe((head as Mesh).sideOrientation);
    // Every material follows the scene's image processing (no detached copy stored in the file).
    for (const m of JSON.parse(first.babylon).materials) expect(m).not.toHaveProperty("_imageProcessingConfiguration");
    for (const m of loaded.meshes) if (m.material) expect((m.material as PBRMaterial).imageProcessingConfiguration).toBe(scene2.imageProcessingConfiguration);
    scene2.getEngine().dispose();
  });
});
