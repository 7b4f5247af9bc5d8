/**
 * The Editor plugin from npm (SLOW: packs both packages, installs them into a project, runs one
 * real reconstruction; minutes). As the Babylon.js Editor v5's "From npm" does: `npm i <plugin>
 * --save-dev` in the project folder (the tarballs stand in for the registry names), then
 * `require(<project>/node_modules/porelight-editor-plugin)` and `main(editor)`, with `babylonjs`,
 * `react` and `babylonjs-editor` resolved to the host's copies as the Editor's loader override
 * does. The plugin then starts the daemon of the `porelight` package installed with it, imports a
 * head, and `close()` with no argument (the Editor's Update button) stops that daemon.
 */
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EditorLike } from "../plugin/src/editor-like.ts";
import { editorModules } from "./plugin-support/editor-modules.ts";
import { cleanNpmArgs, npmCacheDir, npmPack, packOnce, refusingProxy, REPO, runCommand, SAMPLE_PHOTO, userEnv, type Outcome } from "./install-support/npm.ts";

const requireHere = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const EDITOR_MODULE = { UniqueNumber: { Get: (() => { let n = 5_000_000; return () => ++n; })() } };
const withEditorModules = editorModules(EDITOR_MODULE);


async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let root: string;
let project: string;
let install: Outcome;
let proxy: Awaited<ReturnType<typeof refusingProxy>>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "porelight-editor-npm-"));
  const pack = join(root, "pack");
  const porelightTgz = await packOnce(REPO, pack);
  const pluginTgz = await npmPack(join(REPO, "plugin"), pack);
  // An Editor project: the .bjseditor file, assets/, and the package.json the Editor creates.
  project = join(root, "MyGame");
  mkdirSync(join(project, "assets"), { recursive: true });
  writeFileSync(join(project, "project.bjseditor"), "{}");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-game", version: "1.0.0", private: true, devDependencies: {} }, null, 2));
  proxy = await refusingProxy();
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  const env = userEnv(home, { ONNXRUNTIME_NODE_INSTALL: "skip", GLOBAL_AGENT_HTTP_PROXY: proxy.url });
  install = await runCommand("npm", ["i", porelightTgz, pluginTgz, "--save-dev", ...cleanNpmArgs(join(root, "npm"), await npmCacheDir())], { cwd: project, env });
  // The daemon the plugin starts inherits this process's environment: keep its jobs in the temp
  // folder. Its models come from the machine's model cache, as for every other real job of the
  // suite: converting them from the npm packages is install-global.test.ts's first run, and a user
  // who adds the plugin on a machine that ran porelight does not convert them again.
  process.env.PORELIGHT_DATA_DIR = join(root, "data");
  // A first run compiles porelight's sources with tsx (cached afterwards); on a busy machine that
  // alone can outlast the plugin's 60 s wait for a daemon it starts. `--help` loads every command's
  // module (`--version` alone loads none).
  await runCommand(process.execPath, [join(project, "node_modules", "porelight", "bin", "porelight.js"), "--help"], { cwd: project, env: process.env, timeoutMs: 300_000 });
}, 20 * 60_000);

afterAll(async () => {
  process.env.PORELIGHT_DATA_DIR = savedEnv.PORELIGHT_DATA_DIR;
  if (savedEnv.PORELIGHT_DATA_DIR === undefined) delete process.env.PORELIGHT_DATA_DIR;
  await proxy?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("porelight-editor-plugin from npm", () => {
  it("installs into the project with porelight as its dependency, nothing fetched outside npm", () => {
    expect(install.code, install.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(Object.keys(manifest.devDependencies)).toContain("porelight-editor-plugin");
    const plugin = JSON.parse(readFileSync(join(project, "node_modules", "porelight-editor-plugin", "package.json"), "utf8"));
    expect(plugin.private).toBeUndefined();
    expect(plugin.dependencies).toMatchObject({ porelight: expect.any(String) });
    expect(existsSync(join(project, "node_modules", "porelight-editor-plugin", "build", "index.js"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "porelight", "bin", "porelight.js"))).toBe(true);
    expect(proxy.requests).toEqual([]);
  });

  it("loads as the Editor loads it, starts the daemon it ships, imports a head from a photo, and close() with no argument stops it", async () => {
    const BABYLON = withEditorModules(() => requireHere("babylonjs"));
    // The Editor's requirePlugin: require(join(projectDir, "node_modules", name)), then main(editor).
    const plugin = withEditorModules(() => requireHere(join(project, "node_modules", "porelight-editor-plugin"))) as {
      main(e: EditorLike): void;
      close(e?: EditorLike): void;
      title: string;
      currentController(): Any;
    };
    expect(plugin.title).toMatch(/Import from photo/);
    const engine = new BABYLON.NullEngine();
    engine.getCaps().standardDerivatives = true;
    const scene = new BABYLON.Scene(engine);
    new BABYLON.PointLight("key", new BABYLON.Vector3(0, 100, -100), scene);
    const logs: string[] = [];
    const tabs = new Map<string, unknown>();
    const selected: Any[] = [];
    const editor: EditorLike = {
      state: { projectPath: join(project, "project.bjseditor") },
      layout: {
        preview: { scene, gizmo: { setAttachedObject: () => {} } },
        graph: { refresh: async () => {}, setSelectedNode: (n) => void selected.push(n) },
        inspector: { setEditedObject: () => {} },
        console: {
          log: (m) => void logs.push(String(m)),
          warn: (m) => void logs.push(String(m)),
          error: (m) => void logs.push(String(m)),
          progress: async () => ({ setState: () => {} }),
        },
        addLayoutTab: (component, options) => void tabs.set(options.id!, component),
        removeLayoutTab: (id) => void tabs.delete(id),
      },
    };
    withEditorModules(() => plugin.main(editor));
    expect(tabs.size).toBe(1);
    const controller = plugin.currentController();
    const url = `http://127.0.0.1:${await freePort()}`;
    controller.updateSettings({ daemonUrl: url, preset: "draft", command: "" });
    await controller.importPhoto({ name: "astronaut.png", type: "image/png", bytes: new Uint8Array(readFileSync(SAMPLE_PHOTO)) });
    expect(controller.getState().error, logs.join("\n")).toBeNull();
    expect(controller.getState().phase).toBe("done");
    // The daemon was the installed porelight package's, started by the plugin.
    expect(logs.join("\n")).toMatch(/porelight serve: porelight daemon listening on/);
    expect((await (await fetch(`${url}/v1/health`)).json()).version).toBe(JSON.parse(readFileSync(join(project, "node_modules", "porelight", "package.json"), "utf8")).version);

    const head = selected[0];
    expect(head.getClassName()).toBe("Mesh");
    expect(head.material.maxSimultaneousLights).toBe(8);
    const assetDir = join(project, "assets", "porelight", "astronaut");
    const copied = JSON.parse(readFileSync(join(assetDir, "head.babylon"), "utf8"));
    const top = copied.transformNodes.find((n: Any) => n.parentId === undefined || n.parentId === null);
    expect(top.scaling.map(Math.abs)).toEqual([100, 100, 100]);
    expect(existsSync(join(assetDir, "maps", "albedo_diffuse.png"))).toBe(true);
    expect(existsSync(join(assetDir, "maps", "confidence.png"))).toBe(false); // a debug map of real jobs
    expect(existsSync(join(project, "porelight-debug", "astronaut", "maps", "confidence.png"))).toBe(true);

    plugin.close(); // as the Editor's Update button calls it
    expect(tabs.size).toBe(0);
    let up = true;
    for (let i = 0; i < 100 && up; i++) {
      up = await fetch(`${url}/v1/health`).then(() => true, () => false);
      if (up) await new Promise((r) => setTimeout(r, 200));
    }
    expect(up).toBe(false);
    engine.dispose();
    expect(proxy.requests).toEqual([]);
  }, 20 * 60_000);
});
