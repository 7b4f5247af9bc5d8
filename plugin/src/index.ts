/**
 * Entry point the Babylon.js Editor v5 `require()`s for a project plugin (after the scene has
 * loaded): `main(editor)` on load, `close(editor)` on removal or hot reload, plus `title` and
 * `description` for the project's plugin list. The Editor has no menu API for plugins, so the
 * entry point is a dockable tab, "Import from photo", as the Editor's own Fab plugin does.
 */
import { createElement } from "react";
import { Tools } from "@babylonjs/core/Misc/tools.js";
import { restoreSkinMaterials } from "../../materials/skin-material.ts";
import { keepInnerPartsBehindSkin } from "../../materials/eye-depth.ts";
import { ImportController } from "./controller.ts";
import type { EditorIds, EditorLike } from "./editor-like.ts";
import { IMPORT_RECONSTRUCTION_DEFAULTS } from "./import.ts";
import { ImportPanel } from "./panel.ts";
import { registerSkinPlugin, setSceneUnits, unregisterSkinPlugin } from "./skin.ts";

export const title = "porelight — Import from photo";
export const description = "Reconstructs a head from one face photo with the local porelight daemon and adds it with the porelight skin material.";

export const TAB_ID = "porelight-import-from-photo";

let controller: ImportController | null = null;
/** The editor `main` was given: the Editor's Update button calls `close()` without one. */
let loadedEditor: EditorLike | null = null;

/**
 * The Editor's own id sources when running inside it (`babylonjs-editor` resolves to the Editor
 * there), so plugin and Editor never hand out the same `uniqueId`; null elsewhere.
 */
function editorIds(): EditorIds | undefined {
  const load = typeof require === "function" ? require : undefined;
  try {
    const mod = load?.("babylonjs-editor") as { UniqueNumber?: { Get(): number } } | undefined;
    const unique = mod?.UniqueNumber;
    return unique ? { randomId: () => Tools.RandomId(), uniqueNumber: () => unique.Get() } : undefined;
  } catch {
    return undefined;
  }
}

/** Folder of the plugin package: the bundle lives in `<plugin>/build/index.js`. */
function pluginDir(): string | undefined {
  return typeof __dirname === "string" ? `${__dirname.replace(/\\/g, "/")}/..` : undefined;
}

/**
 * Registers the skin material plugin, brings skin materials the scene loaded without it back to
 * the full material, and docks the "Import from photo" tab.
 */
export function main(editor: EditorLike): void {
  registerSkinPlugin();
  // Plugins load after the scene: its skin materials were parsed as plain PBR + metadata.
  const restored = restoreSkinMaterials(editor.layout.preview.scene);
  for (const material of restored) setSceneUnits(material, 1 / IMPORT_RECONSTRUCTION_DEFAULTS.unitsPerMetre);
  keepInnerPartsBehindSkin(editor.layout.preview.scene); // heads saved before head.babylon carried the inner parts' depth bias
  if (restored.length) editor.layout.console.log(`porelight: restored ${restored.length} skin material(s) in the scene`);

  controller?.dispose();
  loadedEditor = editor;
  controller = new ImportController(editor, { ids: editorIds(), pluginDir: pluginDir() });
  editor.layout.addLayoutTab(createElement(ImportPanel, { controller }), {
    id: TAB_ID,
    title: "Import from photo",
    neighborId: "inspector",
    enableClose: false,
  });
}

/**
 * Cancels a running import, stops a daemon the plugin started, removes the tab and the class
 * registration. The editor argument is optional: the Editor's plugin Update button passes none.
 */
export function close(editor?: EditorLike): void {
  controller?.dispose();
  controller = null;
  (editor ?? loadedEditor)?.layout.removeLayoutTab(TAB_ID);
  loadedEditor = null;
  unregisterSkinPlugin();
}

/** For tests and tools: the panel's controller while the plugin is loaded. */
export function currentController(): ImportController | null {
  return controller;
}
