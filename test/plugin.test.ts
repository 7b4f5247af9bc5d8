/**
 * The Babylon.js Editor plugin against a fake editor with the Editor's shape (as the Editor's own
 * tests fake it: a plain object around a NullEngine scene), on a job output made by the package
 * stage's exporter: files land under `assets/`, names are project-relative, ids are set, meshes
 * are class `Mesh`, and the skin material survives the Editor's save path
 * (`SceneSerializer.SerializeMesh`) with and without the material plugin registered.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportMeshAsync, Mesh, NullEngine, PBRMaterial, Scene, SceneSerializer, type Material, type Node } from "@babylonjs/core";
import "@babylonjs/core/Loading/Plugins/babylonFileLoader.js";
import { GetClass } from "@babylonjs/core/Misc/typeStore.js";
import { SKIN_PLUGIN_CLASS, SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "../materials/diffuse-normal-plugin.ts";
import { getSkinMetadata, readSkinParameters } from "../materials/skin-material.ts";
import { SKIN_MAP_FILES } from "../materials/map-files.ts";
import type { OutputFile } from "../src/types.ts";
import type { EditorLike, LayoutTabOptions } from "../plugin/src/editor-like.ts";
import { importReconstruction } from "../plugin/src/import.ts";
import { carrySceneScale, isDebugMap, SCALE_MARK } from "../plugin/src/head-file.ts";
import { listFiles } from "../plugin/src/project-assets.ts";
import { close, currentController, main, TAB_ID } from "../plugin/src/index.ts";
import { registerSkinPlugin, unregisterSkinPlugin, writeSkinSlider, readSkinSliders } from "../plugin/src/skin.ts";
import { ImportController } from "../plugin/src/controller.ts";
import { ensureEnvironmentFile } from "../plugin/src/lighting.ts";
import { startTestDaemon, type TestDaemon } from "./daemon-support/harness.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { makeTestJobFiles, writeJobFiles } from "./plugin-support/test-job.ts";

let root: string;
let jobDir: string;
let jobFiles: OutputFile[];
let engine: NullEngine;

/** Everything the fake editor was asked to do. */
interface Calls {
  logs: string[];
  warnings: string[];
  progress: { message?: unknown; done?: boolean; error?: boolean }[];
  tabs: Map<string, { component: unknown; options: LayoutTabOptions }>;
  selected: Node[];
  edited: unknown[];
  gizmo: unknown[];
}

/** An object with the Editor's shape around a real scene (see plugin/src/editor-like.ts). */
async function fakeEditor(name: string): Promise<{ editor: EditorLike; scene: Scene; calls: Calls; projectDir: string }> {
  const projectDir = join(root, name);
  await mkdir(join(projectDir, "assets"), { recursive: true });
  await writeFile(join(projectDir, "project.bjseditor"), "{}");
  const scene = new Scene(engine);
  const calls: Calls = { logs: [], warnings: [], progress: [], tabs: new Map(), selected: [], edited: [], gizmo: [] };
  const editor: EditorLike = {
    state: { projectPath: join(projectDir, "project.bjseditor") },
    layout: {
      preview: { scene, gizmo: { setAttachedObject: (o) => void calls.gizmo.push(o) } },
      graph: { refresh: async () => {}, setSelectedNode: (n) => void calls.selected.push(n) },
      inspector: { setEditedObject: (o) => void calls.edited.push(o) },
      console: {
        log: (m) => void calls.logs.push(String(m)),
        warn: (m) => void calls.warnings.push(String(m)),
        error: (m) => void calls.warnings.push(String(m)),
        progress: async () => ({ setState: (s) => void calls.progress.push(s) }),
      },
      addLayoutTab: (component, options) => void calls.tabs.set(options.id!, { component, options }),
      removeLayoutTab: (id) => void calls.tabs.delete(id),
    },
  };
  return { editor, scene, calls, projectDir };
}

const skinOf = (mesh: Mesh) => mesh.material as PBRMaterial;
const pluginOf = (m: Material) => m.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME) ?? null;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "porelight-plugin-"));
  jobFiles = await makeTestJobFiles();
  jobDir = join(root, "job-42");
  await writeJobFiles(jobDir, jobFiles);
  engine = new NullEngine();
  registerSkinPlugin();
});

afterAll(async () => {
  engine?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe("importReconstruction", () => {
  it("copies the job's files under assets/porelight/<name>/ and its debug maps outside assets/, byte for byte but head.babylon", async () => {
    const { editor, projectDir } = await fakeEditor("p-copy");
    const { files, debugFiles, assetDir } = await importReconstruction(editor, jobDir, { name: "jane doe" });
    expect(assetDir).toBe("assets/porelight/jane-doe");
    expect(jobFiles.filter((f) => isDebugMap(f.name)).map((f) => f.name)).toEqual(["maps/confidence.png"]);
    expect(files.sort()).toEqual(jobFiles.filter((f) => !isDebugMap(f.name)).map((f) => `${assetDir}/${f.name}`).sort());
    expect(debugFiles).toEqual(["porelight-debug/jane-doe/maps/confidence.png"]);
    for (const f of jobFiles) {
      const where = isDebugMap(f.name) ? join(projectDir, "porelight-debug", "jane-doe", f.name) : join(projectDir, assetDir, f.name);
      if (f.name !== "head.babylon") expect(new Uint8Array(readFileSync(where)), f.name).toEqual(f.bytes);
    }
    // The Editor's export copies every image under assets/: none of them is a debug map.
    expect((await listFiles(join(projectDir, "assets"))).filter((n) => n.endsWith(".png")).some((n) => n.includes("confidence"))).toBe(false);
  });

  it("the copied head.babylon, brought in as the Editor's assets browser does, lands at the imported size with 8 lights", async () => {
    const { editor, projectDir } = await fakeEditor("p-drag");
    const { head, assetDir, materials } = await importReconstruction(editor, jobDir, { name: "drag" });
    for (const m of materials) expect((m as PBRMaterial).maxSimultaneousLights).toBe(8);
    const height = (mesh: Mesh) => {
      mesh.computeWorldMatrix(true);
      const { min, max } = mesh.getHierarchyBoundingVectors(true);
      return max.y - min.y;
    };
    const imported = height(head);
    expect(imported).toBeGreaterThan(17); // the 9 cm-radius test head, in centimetres
    // The Editor's loadImportedSceneFile: load with the file's folder as rootUrl, scale a *mesh*
    // named __root__ (glTF's) by 100, set 8 lights on each material. (A data: URL stands in for
    // the path: NullEngine in Node has no file loader.)
    const path = join(projectDir, assetDir, "head.babylon");
    const dragScene = new Scene(engine);
    const result = await ImportMeshAsync(`data:${readFileSync(path, "utf8")}`, dragScene, { rootUrl: `${dirname(path)}/`, pluginExtension: ".babylon" });
    result.meshes.find((m) => m.name === "__root__")?.scaling.scaleInPlace(100);
    const dragged = result.meshes.find((m) => m.name === "head") as Mesh;
    expect(height(dragged)).toBeCloseTo(imported, 3);
    expect((dragged.material as PBRMaterial).maxSimultaneousLights).toBe(8);
    // Its maps load from the copy's own folder (the names stay relative to the file).
    expect((dragged.material as PBRMaterial).albedoTexture?.getInternalTexture()?.url).toBe(`${dirname(path)}/${SKIN_MAP_FILES.albedoDiffuse}`);
    // Importing that folder again (already in the project) does not scale it twice.
    const again = await importReconstruction(editor, join(projectDir, assetDir), {});
    expect(height(again.head)).toBeCloseTo(imported, 3);
    dragScene.dispose();
  });

  it("carrySceneScale scales top nodes once, marks them, and refuses nonsense", () => {
    const data = { transformNodes: [{ name: "__root__", scaling: [1, 1, -1] }], meshes: [{ name: "head", parentId: 3 }], materials: [{ maxSimultaneousLights: 4 }] };
    expect(carrySceneScale(data, 100)).toBe(true);
    expect(data.transformNodes[0]).toMatchObject({ scaling: [100, 100, -100], metadata: { [SCALE_MARK]: 100 } });
    expect(data.meshes[0]).not.toHaveProperty("scaling");
    expect(data.materials[0].maxSimultaneousLights).toBe(8);
    expect(carrySceneScale(data, 100)).toBe(false);
    expect(carrySceneScale(data, 1)).toBe(true); // back to metres
    expect(data.transformNodes[0].scaling).toEqual([1, 1, -1]);
    expect(() => carrySceneScale(data, 0)).toThrow(/positive/);
    expect(() => carrySceneScale({ meshes: [] }, 100)).toThrow(/no top node/);
  });

  it("adds head and eyes as class Mesh with fresh editor ids under one root in centimetres, and selects the head", async () => {
    const { editor, scene, calls } = await fakeEditor("p-ids");
    const { head, meshes } = await importReconstruction(editor, jobDir, { name: "jane" });
    expect(meshes.map((m) => m.getClassName())).toEqual(["Mesh", "Mesh", "Mesh"]);
    expect(meshes[0]).toBe(head);
    expect(head.getTotalVertices()).toBeGreaterThan(meshes[1].getTotalVertices());
    const file = JSON.parse(new TextDecoder().decode(jobFiles.find((f) => f.name === "head.babylon")!.bytes));
    const fileIds = new Set<string>([...file.meshes.map((m: { id: string }) => m.id), ...file.materials.map((m: { id: string }) => m.id)]);
    const nodesAndMaterials = [...meshes, ...meshes.map((m) => m.geometry!), ...new Set(meshes.map((m) => m.material!))];
    for (const o of nodesAndMaterials) {
      expect(o.id).toMatch(/^[0-9a-f-]{36}$/); // Tools.RandomId, as the Editor gives
      expect(fileIds.has(o.id)).toBe(false);
    }
    const uniqueIds = [...meshes, ...new Set(meshes.map((m) => m.material!))].map((o) => o.uniqueId);
    expect(new Set(uniqueIds).size).toBe(uniqueIds.length);
    // The eyes move with the head; the single root converts metres to the Editor's centimetres.
    for (const eye of meshes.slice(1)) expect(eye.parent).toBe(head);
    const top = head.parent ?? head;
    expect(top.parent).toBeNull();
    expect(top.computeWorldMatrix(true).getRow(0)!.toVector3().length()).toBeCloseTo(100, 3);
    head.computeWorldMatrix(true);
    const size = head.getHierarchyBoundingVectors(true);
    expect(size.max.y - size.min.y).toBeGreaterThan(17); // the 9 cm-radius test head, in centimetres
    expect(size.max.y - size.min.y).toBeLessThan(19);
    expect(scene.meshes.filter((m) => m.getClassName() !== "Mesh")).toEqual([]);
    expect(calls.edited).toEqual([head]);
    expect(calls.gizmo).toEqual([head]);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.selected).toEqual([head]);
  });

  it("names every texture relative to the project, each existing on disk, and gives the skin its N_D plugin", async () => {
    const { editor, scene, projectDir } = await fakeEditor("p-tex");
    // NullEngine has no pre-pass renderer, so no SSS configuration: stand one in to see the import scale it.
    const sss = { metersPerUnit: 1, ssDiffusionProfileColors: [] };
    (scene as unknown as { _subSurfaceConfiguration: typeof sss })._subSurfaceConfiguration = sss;
    const { head, assetDir, materials } = await importReconstruction(editor, jobDir, { name: "jane" });
    const skin = skinOf(head);
    expect(materials[0]).toBe(skin);
    const names = skin.getActiveTextures().map((t) => t.name);
    for (const key of ["albedoDiffuse", "albedoSpecular", "normalsDiffuse", "normalsSpecular", "thinMask", "wrinkleSmile"] as const) {
      expect(names).toContain(`${assetDir}/${SKIN_MAP_FILES[key]}`);
    }
    for (const name of names) {
      expect(name.startsWith("assets/")).toBe(true);
      expect(existsSync(join(projectDir, name))).toBe(true);
    }
    expect(pluginOf(skin)?.diffuseNormalTexture?.name).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
    expect(getSkinMetadata(skin)?.maps.normalsDiffuse).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
    expect(pluginOf(skin)?.wrinkleTexture?.name).toBe(`${assetDir}/${SKIN_MAP_FILES.wrinkleSmile}`);
    expect(getSkinMetadata(skin)?.maps.wrinkleSmile).toBe(`${assetDir}/${SKIN_MAP_FILES.wrinkleSmile}`);
    expect(readSkinParameters(skin).roughnessBase).toBe(0.7);
    expect(skin.subSurface.isTranslucencyEnabled).toBe(true); // the job's thin-part mask came along
    // Editor scenes are in centimetres: the scattering scale follows.
    expect(head.getScene().subSurfaceConfiguration).toBe(sss);
    expect(sss.metersPerUnit).toBeCloseTo(0.01, 9);
  });

  it("imports the same job twice into two folders without overwriting", async () => {
    const { editor } = await fakeEditor("p-twice");
    const a = await importReconstruction(editor, jobDir, { name: "jane" });
    const b = await importReconstruction(editor, jobDir, { name: "jane" });
    expect([a.assetDir, b.assetDir]).toEqual(["assets/porelight/jane", "assets/porelight/jane-2"]);
    expect(a.head.id).not.toBe(b.head.id);
    expect(skinOf(b.head).albedoTexture!.name.startsWith("assets/porelight/jane-2/")).toBe(true);
  });

  it("says what is wrong when no project is open or the job has no head.babylon", async () => {
    const { editor } = await fakeEditor("p-err");
    editor.state.projectPath = null;
    await expect(importReconstruction(editor, jobDir)).rejects.toThrow(/no project is open/);
    const { editor: e2 } = await fakeEditor("p-err2");
    const bare = join(root, "job-without-babylon");
    await writeJobFiles(bare, jobFiles.filter((f) => f.name !== "head.babylon"));
    await expect(importReconstruction(e2, bare)).rejects.toThrow(/has no head\.babylon/);
    // A head.babylon that does not load leaves neither files nor nodes behind.
    const { editor: e3, scene, projectDir } = await fakeEditor("p-err3");
    const broken = join(root, "job-broken");
    await writeJobFiles(broken, [...jobFiles.filter((f) => f.name !== "head.babylon"), { name: "head.babylon", bytes: new TextEncoder().encode("{ not json"), mediaType: "application/json" }]);
    await expect(importReconstruction(e3, broken, { name: "broken" })).rejects.toThrow(/JSON/);
    expect(existsSync(join(projectDir, "assets/porelight/broken"))).toBe(false);
    expect(scene.meshes.length + scene.transformNodes.length).toBe(0);
  });
});

/** What the Editor does on save (one file per mesh) and on load (ImportMesh with the project as root). */
async function saveAndReload(head: Mesh, projectDir: string): Promise<{ json: any; mesh: Mesh; scene: Scene }> {
  const json = await SceneSerializer.SerializeMesh(head, false, false);
  const scene = new Scene(engine);
  const result = await ImportMeshAsync(`data:${JSON.stringify(json)}`, scene, { rootUrl: `${projectDir}/`, pluginExtension: ".babylon" });
  return { json, mesh: result.meshes.find((m) => m.name === head.name) as Mesh, scene };
}

describe("the Editor's save path: SceneSerializer.SerializeMesh round trip", () => {
  it("with the plugin registered: the plugin and every parameter and texture come back", async () => {
    registerSkinPlugin();
    const { editor, projectDir } = await fakeEditor("p-rt1");
    const { head, assetDir } = await importReconstruction(editor, jobDir, { name: "jane" });
    const { json, mesh } = await saveAndReload(head, projectDir);
    const saved = json.materials.find((m: { id: string }) => m.id === head.material!.id);
    expect(saved.plugins[SKIN_PLUGIN_CLASS].diffuseNormalTexture.name).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
    expect(mesh.getClassName()).toBe("Mesh");
    const back = skinOf(mesh);
    expect(pluginOf(back)?.diffuseNormalTexture?.name).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
    expect(readSkinParameters(back)).toEqual(readSkinParameters(skinOf(head)));
    expect(back.getActiveTextures().map((t) => t.name).sort()).toEqual(skinOf(head).getActiveTextures().map((t) => t.name).sort());
    expect(back.clearCoat.isEnabled).toBe(true);
    expect(back.roughness).toBeCloseTo(skinOf(head).roughness!, 9);
  });

  it("without it: plain PBR with the parameters in metadata, and the full material once registered again", async () => {
    registerSkinPlugin();
    const { editor, projectDir } = await fakeEditor("p-rt2");
    const { head, assetDir } = await importReconstruction(editor, jobDir, { name: "jane" });
    unregisterSkinPlugin();
    // The Editor runs the babylonjs UMD build, which defines the global BABYLON namespace; Babylon
    // looks an unregistered plugin class up there and skips it. ES-module builds have no such global
    // and Babylon's lookup then throws: a game registers the plugin before loading (README).
    const hadGlobal = "BABYLON" in globalThis;
    (globalThis as { BABYLON?: object }).BABYLON ??= {};
    try {
      // The Editor opens the scene before it loads plugins:
      const first = await saveAndReload(head, projectDir);
      const plain = skinOf(first.mesh);
      expect(plain).toBeInstanceOf(PBRMaterial);
      expect(pluginOf(plain)).toBeNull();
      expect(plain.albedoTexture!.name).toBe(`${assetDir}/${SKIN_MAP_FILES.albedoDiffuse}`);
      expect(plain.bumpTexture!.name).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsSpecular}`);
      expect(plain.clearCoat.isEnabled).toBe(true);
      // …and saves it again before the plugin is back: the metadata is what survives.
      const second = await saveAndReload(first.mesh, projectDir);
      expect(second.json.materials[0].plugins[SKIN_PLUGIN_CLASS]).toBeUndefined();
      const meta = getSkinMetadata(skinOf(second.mesh));
      expect(meta?.maps.normalsDiffuse).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
      expect(readSkinParameters(skinOf(second.mesh))).toEqual(readSkinParameters(skinOf(head)));

      // The plugin's main() registers and restores.
      const { editor: later, calls } = await fakeEditor("p-rt2");
      (later.layout.preview as { scene: Scene }).scene = second.scene;
      main(later);
      const restored = skinOf(second.mesh);
      expect(pluginOf(restored)?.diffuseNormalTexture?.name).toBe(`${assetDir}/${SKIN_MAP_FILES.normalsDiffuse}`);
      expect(pluginOf(restored)?.wrinkleTexture?.name).toBe(`${assetDir}/${SKIN_MAP_FILES.wrinkleSmile}`);
      expect(calls.logs.some((l) => /restored 1 skin material/.test(l))).toBe(true);
      close(later);
    } finally {
      if (!hadGlobal) delete (globalThis as { BABYLON?: object }).BABYLON;
      registerSkinPlugin();
    }
  });
});

describe("main / close", () => {
  it("main registers the material plugin class and docks the panel; close removes both", async () => {
    const { editor, calls } = await fakeEditor("p-main");
    unregisterSkinPlugin();
    expect(GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeUndefined();
    main(editor);
    expect(GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeDefined();
    expect(calls.tabs.get(TAB_ID)?.options).toMatchObject({ title: "Import from photo", enableClose: false });
    expect(currentController()).toBeInstanceOf(ImportController);
    close(editor);
    expect(calls.tabs.has(TAB_ID)).toBe(false);
    expect(GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeUndefined();
    expect(currentController()).toBeNull();
    main(editor); // hot reload: close then main again
    expect(GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeDefined();
    close(); // the Editor's Update button passes no editor
    expect(calls.tabs.has(TAB_ID)).toBe(false);
    expect(currentController()).toBeNull();
    expect(() => close()).not.toThrow(); // closing twice is harmless
    registerSkinPlugin();
  });
});

describe("material sliders", () => {
  it("edit the material live and its metadata, and refuse values the material cannot take", async () => {
    const { editor } = await fakeEditor("p-sliders");
    const { head } = await importReconstruction(editor, jobDir, { name: "jane" });
    const skin = skinOf(head);
    expect(writeSkinSlider(skin, "roughnessBase", 0.5)).toBe(true);
    expect(skin.roughness).toBeCloseTo(0.5, 9);
    expect(readSkinParameters(skin).roughnessBase).toBe(0.5);
    const before = readSkinSliders(skin);
    const d0 = readSkinParameters(skin).scatteringDistanceMm;
    expect(writeSkinSlider(skin, "scatteringRedMm", 0.9)).toBe(true);
    const d = readSkinParameters(skin).scatteringDistanceMm;
    expect(d[0]).toBeCloseTo(0.9, 9);
    expect(d[1] / d[0]).toBeCloseTo(d0[1] / d0[0], 9); // green and blue keep their ratio to red
    expect(d[2] / d[0]).toBeCloseTo(d0[2] / d0[0], 9);
    const coatBefore = skin.clearCoat.intensity;
    expect(writeSkinSlider(skin, "sharpLobeWeight", 1)).toBe(false); // a clear coat cannot carry all of it
    expect(skin.clearCoat.intensity).toBe(coatBefore);
    expect(readSkinSliders(skin).sharpLobeWeight).toBe(before.sharpLobeWeight);
  });
});

describe("the panel's controller against the daemon", () => {
  let daemon: TestDaemon;
  // A Radiance file as the daemon serves it under /scenes/environments/ (content is irrelevant here).
  const hdr = new Uint8Array([...new TextEncoder().encode("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n"), 128, 128, 128, 129, 64, 64, 64, 129]);
  beforeAll(async () => {
    const scenesDir = join(root, "scenes");
    await mkdir(join(scenesDir, "environments"), { recursive: true });
    await writeFile(join(scenesDir, "environments", "studio.hdr"), hdr);
    daemon = await startTestDaemon(
      async (_photo, options, hooks) => {
        hooks.onProgress?.({ stage: "capture", stageFraction: 1, overallFraction: 0.5 });
        // "ultra" stands for a long job here: it runs until cancelled (or 20 s).
        if (options.preset === "ultra") await sleep(20_000, undefined, { signal: hooks.signal });
        return { files: jobFiles, report: {} };
      },
      { scenesDir },
    );
  });
  afterAll(async () => daemon?.dispose());

  it("runs a photo through the daemon and adds the head, with progress in the console and the panel", async () => {
    const { editor, scene, calls, projectDir } = await fakeEditor("p-daemon");
    const memory: Record<string, unknown> = {};
    const controller = new ImportController(editor, { settingsStore: { load: () => ({ daemonUrl: daemon.url, preset: "draft" }), save: (s) => Object.assign(memory, s) } });
    const percents: number[] = [];
    controller.subscribe(() => percents.push(controller.getState().percent));
    await controller.importPhoto({ name: "astronaut.png", type: "image/png", bytes: new Uint8Array(ASTRONAUT) });
    const state = controller.getState();
    expect(state.error).toBeNull();
    expect(state.phase).toBe("done");
    expect(state.head?.assetDir).toBe("assets/porelight/astronaut");
    expect(state.parameters?.roughnessBase).toBe(0.7);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1])).toBe(true);
    expect(percents.at(-1)).toBe(100);
    expect(calls.progress.at(-1)).toMatchObject({ done: true });
    expect(existsSync(join(projectDir, "assets/porelight/astronaut/head.babylon"))).toBe(true);
    expect(scene.meshes.filter((m) => m.getClassName() === "Mesh").length).toBe(3);
    controller.setParameter("roughnessBase", 0.6);
    expect(controller.getState().parameters?.roughnessBase).toBe(0.6);
    controller.updateSettings({ token: "secret-never-stored-000" });
    expect(memory.token).toBe("");
    controller.dispose();
  });

  it("keeps the preview lighting's environment in the project, fetched from the daemon once", async () => {
    const { projectDir } = await fakeEditor("p-env");
    const name = await ensureEnvironmentFile(projectDir, "studio", { daemonUrl: daemon.url });
    expect(name).toBe("assets/porelight/environments/studio.hdr");
    expect(new Uint8Array(readFileSync(join(projectDir, name)))).toEqual(hdr);
    const offline: typeof fetch = async () => {
      throw new Error("no network needed the second time");
    };
    expect(await ensureEnvironmentFile(projectDir, "studio", { daemonUrl: daemon.url, fetchImpl: offline })).toBe(name);
    await expect(ensureEnvironmentFile(projectDir, "night", { daemonUrl: daemon.url })).rejects.toThrow(/the daemon has no night\.hdr \(404/);
  });

  it("refuses to start without an open project, before any daemon is looked for or started", async () => {
    const { editor } = await fakeEditor("p-noproject");
    editor.state.projectPath = null;
    const controller = new ImportController(editor, { settingsStore: { load: () => ({ daemonUrl: "http://127.0.0.1:1", command: "porelight-must-not-run" }), save: () => {} } });
    await controller.importPhoto({ name: "astronaut.png", type: "image/png", bytes: new Uint8Array(ASTRONAUT) });
    expect(controller.getState()).toMatchObject({ phase: "error", error: expect.stringMatching(/no project is open/) });
    controller.dispose();
  });

  it("cancels: the panel says so and the job is cancelled on the daemon", async () => {
    const { editor, scene, calls } = await fakeEditor("p-cancel");
    const controller = new ImportController(editor, { settingsStore: { load: () => ({ daemonUrl: daemon.url, preset: "ultra" }), save: () => {} } });
    const running = controller.importPhoto({ name: "astronaut.png", type: "image/png", bytes: new Uint8Array(ASTRONAUT) });
    for (let i = 0; i < 200 && !(controller.getState().phase === "job" && controller.getState().percent > 3); i++) await sleep(20);
    controller.cancel();
    await running;
    expect(controller.getState()).toMatchObject({ phase: "cancelled", error: null });
    expect(calls.progress.at(-1)).toMatchObject({ done: true, error: false });
    expect(scene.meshes.length).toBe(0);
    let jobs: { state: string }[] = [];
    for (let i = 0; i < 100; i++) {
      jobs = (await (await fetch(`${daemon.url}/v1/jobs`)).json()).jobs;
      if (jobs[0]?.state === "cancelled") break;
      await sleep(20);
    }
    expect(jobs[0].state).toBe("cancelled");
    controller.dispose();
  });

  it("reports a failed job in the panel and the console", async () => {
    const { editor, calls } = await fakeEditor("p-daemon-err");
    const controller = new ImportController(editor, { settingsStore: { load: () => ({ daemonUrl: daemon.url }), save: () => {} } });
    await controller.importPhoto({ name: "not-a-photo.png", type: "image/png", bytes: new TextEncoder().encode("not an image") });
    expect(controller.getState().phase).toBe("error");
    expect(controller.getState().error).toMatch(/image|photo|type/i);
    expect(calls.progress.at(-1)).toMatchObject({ error: true });
    controller.dispose();
  });
});
