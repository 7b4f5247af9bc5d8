/**
 * Adds one reconstructed head to the scene open in the Babylon.js Editor: the job's files are
 * copied under the project's `assets/`, `head.babylon` (head and eyes with the skin material) is
 * loaded with every texture named relative to the project, and the new objects get editor ids the
 * way the Editor's own importer gives them (`editor/src/editor/layout/preview/import/import.ts`).
 *
 * No React and no Electron here: `importReconstruction` runs against anything shaped like
 * `EditorLike`, which is how the tests drive it.
 */
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { posix } from "node:path";
import { ImportMeshAsync } from "@babylonjs/core/Loading/sceneLoader.js";
import "@babylonjs/core/Loading/Plugins/babylonFileLoader.js";
import type { AbstractMesh } from "@babylonjs/core/Meshes/abstractMesh.js";
import type { Mesh } from "@babylonjs/core/Meshes/mesh.js";
import type { TransformNode } from "@babylonjs/core/Meshes/transformNode.js";
import type { Material } from "@babylonjs/core/Materials/material.js";
import { Tools } from "@babylonjs/core/Misc/tools.js";
import type { Scene } from "@babylonjs/core/scene.js";
import type { EditorIds, EditorLike } from "./editor-like.ts";
import { carrySceneScale, EDITOR_MAX_SIMULTANEOUS_LIGHTS, isDebugMap, type HeadFileJson } from "./head-file.ts";
import { copyTree, DEBUG_SUBDIR, freshAssetDir, listFiles, projectDirOf, projectRelative, toPosix } from "./project-assets.ts";
import { activateSkinMaterial, isSkinMaterial, rebaseSkinMetadata, setSceneUnits } from "./skin.ts";

/** The job output that carries the head, the eyes and the skin material (docs/design.md §5). */
export const HEAD_FILE = "head.babylon";

export interface ImportReconstructionOptions {
  /** Folder name under `assets/porelight/` (made file-system safe and unique); default: the job folder's name. */
  name?: string;
  /**
   * Scene units per metre. porelight heads are in metres; the Editor's scenes are in centimetres
   * (its glTF importer scales models by 100 and its primitives are 100 units wide).
   */
  unitsPerMetre?: number;
  /** Select the head in the graph, the inspector and the gizmo once added. */
  select?: boolean;
  /** Where ids come from; inside the Editor, its own `Tools.RandomId` and `UniqueNumber`. */
  ids?: EditorIds;
  /** Progress, 0..1, with a short message. */
  onProgress?: (fraction: number, message: string) => void;
}

export const IMPORT_RECONSTRUCTION_DEFAULTS = { unitsPerMetre: 100, select: true } as const;

export interface ImportedHead {
  /** The head mesh (class `Mesh`), selected in the Editor; the eyes are its children. */
  head: Mesh;
  /** The top node of the import, named after the asset folder and scaled to scene units (the head itself, or the root above it). */
  root: TransformNode;
  /** Every imported mesh, head first (eyes after it). */
  meshes: Mesh[];
  /** Distinct materials of the imported meshes, the head's first. */
  materials: Material[];
  /** Project-relative folder holding the copied files, e.g. `assets/porelight/jane`. */
  assetDir: string;
  /** Project-relative names of every file copied under `assets/`. */
  files: string[];
  /** Project-relative names of the job's debug maps, copied outside `assets/` (`porelight-debug/<name>/`). */
  debugFiles: string[];
}

/** Ids for code running outside the Editor: random strings and a counter that never repeats one in the scene. */
export function sceneIds(scene: Scene): EditorIds {
  let last = Date.now();
  return {
    randomId: () => Tools.RandomId(),
    uniqueNumber: () => {
      last = Math.max(last + 1, Date.now());
      while (scene.getNodes().some((n) => n.uniqueId === last) || scene.materials.some((m) => m.uniqueId === last)) last++;
      return last;
    },
  };
}

/**
 * Copies the job outputs in `jobFilesDir` into `assets/porelight/<name>/` of the open project and
 * adds the head to the Editor's scene. Resolves with the head (already selected) and the copied
 * files; throws with a sentence naming the problem when no project is open, the job folder lacks
 * `head.babylon`, or the file holds no mesh.
 *
 *   const { head } = await importReconstruction(editor, "/tmp/porelight-job-42", { name: "jane" });
 *   head.position.y = 160;
 */
export async function importReconstruction(editor: EditorLike, jobFilesDir: string, options: ImportReconstructionOptions = {}): Promise<ImportedHead> {
  const { unitsPerMetre, select } = { ...IMPORT_RECONSTRUCTION_DEFAULTS, ...options };
  const report = options.onProgress ?? (() => {});
  const scene = editor.layout.preview.scene;
  const ids = options.ids ?? sceneIds(scene);
  const projectDir = projectDirOf(editor);
  const srcDir = toPosix(jobFilesDir).replace(/\/+$/, "");
  await assertFile(posix.join(srcDir, HEAD_FILE), `the job folder ${srcDir} has no ${HEAD_FILE}; run the job with the "babylon" output format`);

  report(0, "Copying files into the project");
  const assetsRoot = posix.join(projectDir, "assets") + "/";
  let absDir: string;
  let names: string[];
  let debugAbs: string | null = null;
  let debugFiles: string[] = [];
  if ((srcDir + "/").startsWith(assetsRoot)) {
    absDir = srcDir; // already in the project (e.g. downloaded straight there): nothing to copy
    names = await listFiles(absDir);
  } else {
    absDir = await freshAssetDir(projectDir, options.name ?? posix.basename(srcDir));
    const all = await listFiles(srcDir);
    names = await copyTree(srcDir, absDir, all.filter((n) => !isDebugMap(n)));
    const debug = all.filter(isDebugMap);
    if (debug.length) {
      debugAbs = posix.join(projectDir, DEBUG_SUBDIR, posix.basename(absDir));
      debugFiles = (await copyTree(srcDir, debugAbs, debug)).map((n) => `${projectRelative(projectDir, debugAbs!)}/${n}`);
    }
  }
  const assetDir = projectRelative(projectDir, absDir);

  report(0.5, "Loading the head");
  let result: Awaited<ReturnType<typeof ImportMeshAsync>> | null = null;
  let meshes: Mesh[];
  try {
    const headPath = posix.join(absDir, HEAD_FILE);
    const data = JSON.parse(await readFile(headPath, "utf8")) as BabylonFile & HeadFileJson;
    // The copy in assets/ carries the scene scale, so dragging it in from the Editor's assets
    // browser gives the same head as this import; it keeps job-relative texture names, which the
    // Editor resolves against the file's folder.
    if (carrySceneScale(data, unitsPerMetre)) await writeFile(headPath, JSON.stringify(data));
    const missing = rebaseTextureNames(data, assetDir, new Set(names));
    for (const name of missing) editor.layout.console.warn(`porelight: ${HEAD_FILE} refers to ${name}, which the job did not produce`);
    // Texture names are now project-relative, so the project folder is the root URL, as when the
    // Editor itself loads a saved scene.
    result = await ImportMeshAsync(`data:${JSON.stringify(data)}`, scene, { rootUrl: `${projectDir}/`, pluginExtension: ".babylon" });
    meshes = result.meshes.filter(isPlainMesh);
    const strays = result.meshes.filter((m) => !isPlainMesh(m));
    if (strays.length) throw new Error(`porelight: ${HEAD_FILE} holds ${strays.map((m) => `${m.name} (${m.getClassName()})`).join(", ")}; the Editor saves only class Mesh`);
    if (meshes.length === 0) throw new Error(`porelight: ${HEAD_FILE} in ${assetDir} holds no mesh`);
  } catch (err) {
    // Leave neither half an import in the scene nor files nobody refers to.
    for (const m of result?.meshes ?? []) m.dispose(false, true);
    for (const n of result?.transformNodes ?? []) n.dispose();
    if (absDir !== srcDir) await rm(absDir, { recursive: true, force: true });
    if (debugAbs) await rm(debugAbs, { recursive: true, force: true });
    throw err;
  }

  report(0.8, "Setting up the head");
  const head = pickHead(meshes);
  const ordered = [head, ...meshes.filter((m) => m !== head)];
  const materials = distinctMaterials(ordered);
  for (const material of materials) {
    // The full skin material even when head.babylon was parsed without the plugin class.
    activateSkinMaterial(material);
    if (isSkinMaterial(material)) setSceneUnits(material, 1 / unitsPerMetre);
    // As the Editor configures the materials it imports (the file says so too).
    if ("maxSimultaneousLights" in material) (material as Material & { maxSimultaneousLights: number }).maxSimultaneousLights = EDITOR_MAX_SIMULTANEOUS_LIGHTS;
    material.id = ids.randomId();
    material.uniqueId = ids.uniqueNumber();
  }
  for (const mesh of ordered) configureMesh(scene, mesh, ids);
  for (const node of result.transformNodes) {
    node.id = ids.randomId();
    node.uniqueId = ids.uniqueNumber();
  }
  // The eyes follow the head when the artist moves it (world transforms kept).
  for (const mesh of ordered) if (mesh !== head && mesh.parent !== head) mesh.setParent(head);
  // One top node (the head, or the root that converts glTF's handedness, as the Editor's own
  // glTF import keeps it) is named after the asset; its scaling from metres to scene units came
  // with the file (carrySceneScale above).
  const top = topAncestor(head);
  top.name = posix.basename(assetDir);

  const files = names.map((n) => `${assetDir}/${n}`);
  editor.layout.console.log(`porelight: added ${top.name} (${ordered.length} meshes) with its files in ${assetDir}`);
  if (select) selectInEditor(editor, head);
  report(1, "Done");
  return { head, root: top, meshes: ordered, materials, assetDir, files, debugFiles };
}

/** The subset of a `.babylon` file this module reads. */
interface BabylonFile {
  materials?: unknown[];
  multiMaterials?: unknown[];
  meshes?: unknown[];
}

/** Serialised textures are the objects carrying a string `name` and the texture-only `coordinatesMode`. */
function isTextureJson(value: unknown): value is { name: string; url?: string } {
  const o = value as { name?: unknown; coordinatesMode?: unknown } | null;
  return typeof o === "object" && o !== null && typeof o.name === "string" && typeof o.coordinatesMode === "number";
}

/**
 * Rewrites every texture name of the file's materials (plugins included), and the map names in
 * skin metadata, from job-relative (`maps/albedo_diffuse.png`) to project-relative
 * (`assets/porelight/jane/maps/albedo_diffuse.png`). Embedded (`data:`) and absolute URLs are left
 * alone. Returns job-relative names that do not exist.
 */
export function rebaseTextureNames(data: BabylonFile, assetDir: string, present: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (isTextureJson(value)) {
      const original = value.url || value.name;
      if (original && !/^(data:|blob:|[a-z]+:\/\/|\/|[A-Za-z]:[\\/])/.test(original)) {
        const jobRelative = posix.normalize(toPosix(original));
        if (!present.has(jobRelative)) missing.push(jobRelative);
        value.name = `${assetDir}/${jobRelative}`;
        value.url = value.name;
      }
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(data.materials);
  visit(data.multiMaterials);
  for (const material of (data.materials ?? []) as { metadata?: Record<string, unknown> | null }[]) {
    rebaseSkinMetadata(material, (name) => `${assetDir}/${posix.normalize(toPosix(name))}`);
  }
  return missing;
}

/** Class `Mesh` exactly: the Editor saves only `Mesh` (and `GroundMesh`) instances as scene meshes. */
function isPlainMesh(mesh: AbstractMesh): mesh is Mesh {
  return mesh.getClassName() === "Mesh";
}

/** The node above `node` that has no parent. */
function topAncestor(node: TransformNode): TransformNode {
  let top = node;
  while (top.parent) top = top.parent as TransformNode;
  return top;
}

/** The head carries the skin material; failing that, it is the mesh with the most vertices. */
function pickHead(meshes: Mesh[]): Mesh {
  const skinned = meshes.filter((m) => m.material && isSkinMaterial(m.material));
  const pool = skinned.length ? skinned : meshes;
  return pool.reduce((best, m) => (m.getTotalVertices() > best.getTotalVertices() ? m : best));
}

function distinctMaterials(meshes: Mesh[]): Material[] {
  const out: Material[] = [];
  for (const m of meshes) if (m.material && !out.includes(m.material)) out.push(m.material);
  return out;
}

/** What the Editor's `configureAddedMesh` does: fresh ids for mesh and geometry, shadows both ways. */
function configureMesh(scene: Scene, mesh: Mesh, ids: EditorIds): void {
  mesh.id = ids.randomId();
  mesh.uniqueId = ids.uniqueNumber();
  mesh.receiveShadows = true;
  if (mesh.geometry) {
    mesh.geometry.id = ids.randomId();
    mesh.geometry.uniqueId = ids.uniqueNumber();
  }
  for (const light of scene.lights) {
    const list = light.getShadowGenerator()?.getShadowMap()?.renderList;
    if (list && !list.includes(mesh)) list.push(mesh);
  }
}

/** Shows the head in the graph, the inspector and the gizmo, as the Editor does for a new mesh. */
function selectInEditor(editor: EditorLike, head: Mesh): void {
  const { graph, inspector, preview } = editor.layout;
  void Promise.resolve(graph?.refresh()).then(() => graph?.setSelectedNode(head));
  inspector?.setEditedObject(head);
  preview.gizmo?.setAttachedObject(head);
}

async function assertFile(path: string, message: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch {
    // fall through
  }
  throw new Error(`porelight: ${message}`);
}
