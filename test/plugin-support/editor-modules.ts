/** The Babylon.js Editor v5's module resolution for its plugins, for loading the Editor plugin in tests. */
import { createRequire, Module } from "node:module";

const requireHere = createRequire(import.meta.url);

/** Like the Editor's `overrides.ts`: these names resolve to the host's copies, wherever the plugin lives. */
const SHARED = ["babylonjs", "react", "react-dom"];

/**
 * A `withEditorModules(fn)` that runs `fn` with the Editor's module resolution in place (the plugin
 * also requires lazily): "babylonjs-editor" is `editorModule` (the Editor's own exports), SHARED
 * names are the host's copies.
 */
export function editorModules(editorModule: unknown): <T>(fn: () => T) => T {
  return function withEditorModules<T>(fn: () => T): T {
    const mod = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const original = mod._load;
    mod._load = function (request: string, parent: unknown, isMain: boolean) {
      if (request === "babylonjs-editor") return editorModule;
      if (SHARED.some((name) => request === name || request.startsWith(`${name}/`))) return original(requireHere.resolve(request), parent, isMain);
      return original(request, parent, isMain);
    };
    try {
      return fn();
    } finally {
      mod._load = original;
    }
  };
}
