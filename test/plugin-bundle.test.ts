/**
 * The built Editor plugin in the Editor's own runtime: the bundle from `npm run build:plugin` is
 * loaded with `require()` the way the Babylon.js Editor v5 loads project plugins, with `babylonjs`
 * and `react` resolved to single shared copies as the Editor's module-loader override does
 * (the babylonjs UMD build pinned to an Editor v5.4 release, React 18.2). Then main(), the panel,
 * an import through the daemon, the Editor's save path, and close() run against it.
 */
import { createRequire, Module } from "node:module";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INJECTION_MARKER, SKIN_PLUGIN_CLASS, SKIN_PLUGIN_NAME, SKIN_PLUGIN_REGEX, WRINKLE_MARKER } from "../materials/diffuse-normal-plugin.ts";
import { SKIN_MAP_FILES } from "../materials/map-files.ts";
import type { OutputFile } from "../src/types.ts";
import type { EditorLike, LayoutTabOptions } from "../plugin/src/editor-like.ts";
import { buildPlugin, EDITOR_PROVIDED } from "../scripts/build-plugin.ts";
import { startTestDaemon, type TestDaemon } from "./daemon-support/harness.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { editorModules } from "./plugin-support/editor-modules.ts";
import { makeTestJobFiles } from "./plugin-support/test-job.ts";

const requireHere = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let outdir: string;
let bundleText: string;
let BABYLON: Any;
let plugin: { main(e: EditorLike): void; close(e: EditorLike): void; title: string; description: string; currentController(): Any };
let jobFiles: OutputFile[];
let daemon: TestDaemon;
let engine: Any;


/** What the plugin takes from "babylonjs-editor" (the Editor's own exports): its id counter. */
let editorUniqueNumber = 7_000_000_000_000;
const EDITOR_MODULE = { UniqueNumber: { Get: () => ++editorUniqueNumber } };
const withEditorModules = editorModules(EDITOR_MODULE);

function requireAsTheEditorDoes(path: string): Any {
  return withEditorModules(() => requireHere(path));
}


function fakeEditor(scene: Any, projectDir: string) {
  const calls = { tabs: new Map<string, { component: Any; options: LayoutTabOptions }>(), logs: [] as string[], progress: [] as Any[], selected: [] as Any[] };
  const editor: EditorLike = {
    state: { projectPath: join(projectDir, "project.bjseditor") },
    layout: {
      preview: { scene, gizmo: { setAttachedObject: () => {} } },
      graph: { refresh: async () => {}, setSelectedNode: (n) => void calls.selected.push(n) },
      inspector: { setEditedObject: () => {} },
      console: {
        log: (m) => void calls.logs.push(String(m)),
        warn: (m) => void calls.logs.push(String(m)),
        error: (m) => void calls.logs.push(String(m)),
        progress: async () => ({ setState: (s) => void calls.progress.push(s) }),
      },
      addLayoutTab: (component, options) => void calls.tabs.set(options.id!, { component, options }),
      removeLayoutTab: (id) => void calls.tabs.delete(id),
    },
  };
  return { editor, calls };
}

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "porelight-plugin-bundle-"));
  const result = await buildPlugin({ outdir: join(outdir, "plugin", "build") });
  await writeFile(join(outdir, "plugin", "package.json"), await readFile(new URL("../plugin/package.json", import.meta.url)));
  bundleText = await readFile(result.outfile, "utf8");
  BABYLON = requireAsTheEditorDoes("babylonjs");
  // The Editor requires the plugin's folder: package.json "main" picks the bundle.
  plugin = requireAsTheEditorDoes(join(outdir, "plugin"));
  engine = new BABYLON.NullEngine();
  // The Editor renders with WebGL2, where derivatives (and so normal maps) always exist; the
  // NullEngine reports them missing, which would leave bump mapping, and N_D with it, out.
  engine.getCaps().standardDerivatives = true;
  jobFiles = await makeTestJobFiles();
  daemon = await startTestDaemon(async (_photo, _options, hooks) => {
    hooks.onProgress?.({ stage: "package", stageFraction: 1, overallFraction: 1 });
    return { files: jobFiles, report: {} };
  });
});

afterAll(async () => {
  await daemon?.dispose();
  engine?.dispose();
  await rm(outdir, { recursive: true, force: true });
});

async function newProject(name: string): Promise<string> {
  const dir = join(outdir, name);
  await mkdir(join(dir, "assets"), { recursive: true });
  await writeFile(join(dir, "project.bjseditor"), "{}");
  return dir;
}

describe("the plugin bundle", () => {
  it("requires only what the Editor provides and Node's built-ins; no @babylonjs/* and no second React", () => {
    const requested = [...bundleText.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    const builtins = new Set(Module.builtinModules);
    const provided = (name: string) => EDITOR_PROVIDED.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p));
    expect(requested.filter((name) => !builtins.has(name.replace(/^node:/, "")) && !provided(name))).toEqual([]);
    expect(requested).toContain("babylonjs");
    expect(requested).toContain("react");
    expect(bundleText).not.toMatch(/@babylonjs\//);
    expect(bundleText).not.toMatch(/__SECRET_INTERNALS|react\.production\.min/);
    expect(plugin.title).toMatch(/Import from photo/);
    expect(typeof plugin.description).toBe("string");
  });

  it("main() in the Editor's runtime: registers the material plugin, restores a scene loaded before it, docks a panel that renders", async () => {
    const projectDir = await newProject("restore");
    const jobDir = join(projectDir, "assets", "porelight", "earlier");
    for (const f of jobFiles) {
      await mkdir(join(jobDir, ...f.name.split("/").slice(0, -1)), { recursive: true });
      await writeFile(join(jobDir, ...f.name.split("/")), f.bytes);
    }
    // The Editor loads the scene first: head.babylon parsed without the plugin class → plain PBR.
    const scene = new BABYLON.Scene(engine);
    const text = new TextDecoder().decode(jobFiles.find((f) => f.name === "head.babylon")!.bytes);
    const loaded = await BABYLON.ImportMeshAsync(`data:${text}`, scene, { rootUrl: `${jobDir}/`, pluginExtension: ".babylon" });
    const skin = loaded.meshes.find((m: Any) => m.name === "head").material;
    expect(skin.getClassName()).toBe("PBRMaterial");
    expect(skin.pluginManager?.getPlugin(SKIN_PLUGIN_NAME) ?? null).toBeNull();

    const { editor, calls } = fakeEditor(scene, projectDir);
    plugin.main(editor);
    expect(BABYLON.GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeDefined();
    const nd = skin.pluginManager.getPlugin(SKIN_PLUGIN_NAME);
    expect(nd?.diffuseNormalTexture?.name).toBe(SKIN_MAP_FILES.normalsDiffuse);
    expect(nd).toBeInstanceOf(BABYLON.MaterialPluginBase); // the Editor's Babylon classes, not a bundled copy

    const tab = calls.tabs.get("porelight-import-from-photo")!;
    expect(tab.options.title).toBe("Import from photo");
    const html: string = requireAsTheEditorDoes("react-dom/server").renderToString(tab.component);
    for (const text of ["Import from photo", "Quality", "standard — maps 1536×2304", "Daemon", "Import", "Preview lighting", "Neutral studio"]) expect(html).toContain(text);
    plugin.close(editor);
    expect(calls.tabs.size).toBe(0);
    expect(BABYLON.GetClass(`BABYLON.${SKIN_PLUGIN_CLASS}`)).toBeUndefined();
  });

  it("imports through the daemon into the Editor's scene; the head survives the Editor's save path with its N_D plugin", async () => {
    const projectDir = await newProject("import");
    const scene = new BABYLON.Scene(engine);
    new BABYLON.PointLight("key", new BABYLON.Vector3(0, 100, -100), scene);
    new BABYLON.FreeCamera("camera", new BABYLON.Vector3(0, 0, -60), scene);
    const { editor, calls } = fakeEditor(scene, projectDir);
    withEditorModules(() => plugin.main(editor));
    const controller = plugin.currentController();
    controller.updateSettings({ daemonUrl: daemon.url, preset: "draft" });
    await controller.importPhoto({ name: "astronaut.png", type: "image/png", bytes: new Uint8Array(ASTRONAUT) });
    expect(controller.getState().error).toBeNull();
    expect(controller.getState().phase).toBe("done");
    const head = calls.selected[0];
    expect(head.getClassName()).toBe("Mesh");
    expect(head.uniqueId).toBeGreaterThan(7_000_000_000_000); // from the Editor's UniqueNumber, not the plugin's own
    expect(head).toBeInstanceOf(BABYLON.Mesh);
    const skin = head.material;
    expect(skin.albedoTexture.name).toBe(`assets/porelight/astronaut/${SKIN_MAP_FILES.albedoDiffuse}`);

    // The N_D injection matches the shader of the Editor's Babylon version.
    for (let i = 0; i < 200 && !skin.isReadyForSubMesh(head, head.subMeshes[0]); i++) await new Promise((r) => setTimeout(r, 10));
    const source: string = head.subMeshes[0].effect._fragmentSourceCode;
    expect(head.subMeshes[0].effect.defines).toContain("#define SKIN_DIFFUSE_NORMAL");
    expect(source.split(INJECTION_MARKER).length - 1).toBeGreaterThanOrEqual(2);
    for (const pattern of [SKIN_PLUGIN_REGEX.diffuse, SKIN_PLUGIN_REGEX.transmitted]) expect(source.match(new RegExp(pattern, "g")) ?? []).toEqual([]);
    expect(source).toContain(`skinDiffuseNormalW=perturbNormal(TBN,${WRINKLE_MARKER}skinWrinkle(texture2D(skinDiffuseNormalSampler`);

    // What the Editor writes per mesh, read back as the Editor reads it (project folder as root).
    const saved = await BABYLON.SceneSerializer.SerializeMesh(head, false, false);
    const material = saved.materials.find((m: Any) => m.id === skin.id);
    expect(material.plugins[SKIN_PLUGIN_CLASS].diffuseNormalTexture.name).toBe(`assets/porelight/astronaut/${SKIN_MAP_FILES.normalsDiffuse}`);
    const reopened = new BABYLON.Scene(engine);
    const back = await BABYLON.ImportMeshAsync(`data:${JSON.stringify(saved)}`, reopened, { rootUrl: `${projectDir}/`, pluginExtension: ".babylon" });
    const again = back.meshes.find((m: Any) => m.id === head.id);
    const nd = again.material.pluginManager.getPlugin(SKIN_PLUGIN_NAME).diffuseNormalTexture;
    expect(nd.name).toBe(`assets/porelight/astronaut/${SKIN_MAP_FILES.normalsDiffuse}`);
    expect(nd.getInternalTexture().url).toBe(`${projectDir}/assets/porelight/astronaut/${SKIN_MAP_FILES.normalsDiffuse}`); // loaded from the project
    plugin.close(editor);
  });
});
