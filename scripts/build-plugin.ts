/**
 * Builds the Babylon.js Editor plugin: `plugin/src/index.ts` → `plugin/build/index.js`, one
 * CommonJS file the Editor loads with `require()` (see `plugin/package.json` "main").
 *
 * The Editor resolves `babylonjs`, `babylonjs-*`, `react`, `react-dom` and `babylonjs-editor` to
 * its own copies (its `overrides.ts` patches Node's module loader), so those stay external and the
 * plugin shares the Editor's engine, class registry and React. Our sources (and `materials/`)
 * import the ES-module `@babylonjs/core/...`; every such import is rewritten to the `babylonjs`
 * module, which exports the same names. `@babylonjs/serializers` has no copy in the Editor
 * (its loader would hand back `babylonjs`), so reaching it is a build error.
 *
 *   npm run build:plugin            # writes plugin/build/index.js
 *   node --import tsx scripts/build-plugin.ts --outdir /tmp/x
 */
import { build, type BuildResult, type Plugin } from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Modules the Editor provides at run time. */
export const EDITOR_PROVIDED = ["babylonjs", "babylonjs-*", "babylonjs-editor", "react", "react/*", "react-dom", "react-dom/*", "electron"];

/** Rewrites `@babylonjs/core` (and its sub-paths) to the Editor's `babylonjs`; refuses what the Editor lacks. */
const babylonToEditorGlobal: Plugin = {
  name: "babylonjs-core-to-editor-global",
  setup(b) {
    b.onResolve({ filter: /^@babylonjs\/core(\/.*)?$/ }, () => ({ path: "babylonjs", external: true }));
    b.onResolve({ filter: /^@babylonjs\/loaders(\/.*)?$/ }, () => ({ path: "babylonjs-loaders", external: true }));
    b.onResolve({ filter: /^@babylonjs\/(serializers|gui|materials|inspector)(\/.*)?$/ }, (args) => ({
      errors: [{ text: `${args.path} (imported by ${args.importer}) has no copy in the Babylon.js Editor; keep it out of the plugin bundle` }],
    }));
  },
};

export interface BuildPluginOptions {
  /** Output folder; the bundle is `<outdir>/index.js`. */
  outdir?: string;
  /** Minify the bundle (smaller, harder to debug in the Editor's devtools). */
  minify?: boolean;
}

export const BUILD_PLUGIN_DEFAULTS: Required<BuildPluginOptions> = { outdir: join(ROOT, "plugin", "build"), minify: false };

/** Bundles the plugin; throws on any esbuild error. */
export async function buildPlugin(options: BuildPluginOptions = {}): Promise<BuildResult & { outfile: string }> {
  const outdir = options.outdir ?? BUILD_PLUGIN_DEFAULTS.outdir;
  const minify = options.minify ?? BUILD_PLUGIN_DEFAULTS.minify;
  const outfile = join(outdir, "index.js");
  const result = await build({
    entryPoints: [join(ROOT, "plugin", "src", "index.ts")],
    outfile,
    bundle: true,
    format: "cjs",
    // Electron renderer with Node integration: Node built-ins are available, so is the DOM.
    platform: "node",
    // Electron 39 (Editor v5.4) ships Chromium 142 and Node 22.
    target: ["chrome120", "node20"],
    external: EDITOR_PROVIDED,
    plugins: [babylonToEditorGlobal],
    sourcemap: "linked",
    minify,
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
  });
  return { ...result, outfile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--outdir");
  const outdir = at > 0 ? resolve(process.argv[at + 1]) : undefined;
  const result = await buildPlugin({ outdir, minify: process.argv.includes("--minify") });
  const bytes = Object.values(result.metafile?.outputs ?? {}).reduce((n, o) => n + o.bytes, 0);
  for (const w of result.warnings) process.stderr.write(`warning: ${w.text}\n`);
  process.stdout.write(`plugin bundle: ${result.outfile} (${(bytes / 1024).toFixed(0)} KiB with its source map)\n`);
}
