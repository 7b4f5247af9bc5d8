/**
 * The part of the Babylon.js Editor v5 object (`Editor` from "babylonjs-editor") the plugin uses,
 * written out so the import logic can run against a plain object in tests, the way the Editor's
 * own tests fake it (`{ layout: { preview: { scene } } } as unknown as Editor`).
 *
 * Every member here exists with this shape in BabylonJS/Editor `editor/src/editor/main.tsx`,
 * `layout.tsx`, `layout/console.tsx`, `layout/graph.tsx`, `layout/inspector.tsx`, `layout/preview.tsx`.
 */
import type { Node } from "@babylonjs/core/node.js";
import type { Scene } from "@babylonjs/core/scene.js";

/** A progress line in the Editor's console (`EditorConsoleProgressLogComponent`, a React component). */
export interface ProgressLogLike {
  setState(state: { message?: unknown; done?: boolean; error?: boolean }): void;
}

/** Options of `editor.layout.addLayoutTab` (`IEditorLayoutTabOptions`). */
export interface LayoutTabOptions {
  id?: string;
  title: string;
  neighborId?: "inspector" | "assets-browser";
  enableClose?: boolean;
  setAsActiveTab?: boolean;
}

export interface EditorLike {
  state: {
    /** Absolute path of the open project's `.bjseditor` file; the project folder is its directory. */
    projectPath: string | null;
  };
  layout: {
    preview: {
      scene: Scene;
      gizmo?: { setAttachedObject(object: unknown): void };
    };
    graph?: {
      refresh(): Promise<void> | void;
      setSelectedNode(node: Node): void;
    };
    inspector?: { setEditedObject(object: unknown): void };
    console: {
      log(message: unknown): void;
      warn(message: unknown): void;
      error(message: unknown): void;
      /** Adds a line with a spinner; resolves once it is mounted. */
      progress(message: unknown): Promise<ProgressLogLike>;
    };
    /** `component` is a React node. */
    addLayoutTab(component: unknown, options: LayoutTabOptions): void;
    removeLayoutTab(tabId: string): void;
    selectTab?(tabId: string): void;
  };
}

/**
 * How new objects get their editor ids. The Editor gives every node, geometry, material and
 * texture a random string `id` (`Tools.RandomId()`) and a numeric `uniqueId` from its
 * `UniqueNumber.Get()` (a monotonic, date-based counter); the plugin uses the Editor's own counter
 * when it runs inside the Editor so the two never hand out the same number.
 */
export interface EditorIds {
  randomId(): string;
  uniqueNumber(): number;
}
