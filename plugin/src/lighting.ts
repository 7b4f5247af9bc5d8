/**
 * Preview lighting in the Editor: one of the skin material's lighting presets (an environment
 * made from a CC0 HDRI, a key light, exposure), with the key light's rotation on a slider. The
 * environment file comes from the daemon (`/scenes/environments/`, built from @pmndrs/assets) and
 * is kept in the project, under `assets/porelight/environments/`, so the saved scene finds it.
 */
import { stat } from "node:fs/promises";
import { posix } from "node:path";
import { applyLightingPreset, ENVIRONMENTS, LIGHTING_PRESETS, rotateKeyLight, type EnvironmentId, type LightingRig } from "../../materials/presets.ts";
import { writeFileAtomic } from "../../src/io/write-atomic.ts";
import type { EditorIds, EditorLike } from "./editor-like.ts";
import { nodeFetch } from "./node-fetch.ts";
import { ASSETS_SUBDIR, projectDirOf } from "./project-assets.ts";

export const ENVIRONMENT_IDS = Object.keys(ENVIRONMENTS) as EnvironmentId[];

/** Project-relative folder of the environment files. */
export const ENVIRONMENTS_DIR = `assets/${ASSETS_SUBDIR}/environments`;

export interface PreviewLightingOptions {
  daemonUrl: string;
  fetchImpl?: typeof fetch;
  ids: EditorIds;
}

/**
 * Makes sure the preset's environment file is in the project (downloading it from the daemon the
 * first time) and returns its project-relative name.
 */
export async function ensureEnvironmentFile(projectDir: string, id: EnvironmentId, options: Pick<PreviewLightingOptions, "daemonUrl" | "fetchImpl">): Promise<string> {
  const env = ENVIRONMENTS[id];
  if (!env) throw new Error(`porelight: unknown lighting preset "${id}" (known: ${ENVIRONMENT_IDS.join(", ")})`);
  const name = `${ENVIRONMENTS_DIR}/${env.file}`;
  const target = posix.join(projectDir, name);
  if (await stat(target).then((s) => s.isFile(), () => false)) return name;
  const url = new URL(`/scenes/environments/${env.file}`, options.daemonUrl);
  const res = await (options.fetchImpl ?? nodeFetch)(url);
  if (!res.ok) throw new Error(`porelight: the daemon has no ${env.file} (${res.status} at ${url.href}); build the sample scenes and their environments first`);
  await writeFileAtomic(target, new Uint8Array(await res.arrayBuffer()), { durable: false });
  return name;
}

/**
 * Applies a lighting preset to the Editor's scene (replacing the one applied before, when given):
 * environment from the project, key light with editor ids. Returns the rig for rotation.
 */
export async function applyPreviewLighting(editor: EditorLike, id: EnvironmentId, options: PreviewLightingOptions, previous?: LightingRig): Promise<LightingRig> {
  const projectDir = projectDirOf(editor);
  const name = await ensureEnvironmentFile(projectDir, id, options);
  const scene = editor.layout.preview.scene;
  const hadKey = !!previous?.key;
  const rig = applyLightingPreset(scene, id, `${projectDir}/${ENVIRONMENTS_DIR}/`, previous);
  // Saved scenes name textures relative to the project, which is their root URL on load.
  rig.environment.name = name;
  if (!hadKey) {
    rig.key.name = "porelight key light";
    rig.key.id = options.ids.randomId();
    rig.key.uniqueId = options.ids.uniqueNumber();
    void Promise.resolve(editor.layout.graph?.refresh());
  }
  return rig;
}

/** Turns the key light and the environment together about +Y, `angle` radians from the preset. */
export function rotatePreviewLighting(rig: LightingRig, angle: number): void {
  rotateKeyLight(rig, angle);
  rig.environment.rotationY = LIGHTING_PRESETS[rig.preset.id].environmentRotationY + angle;
}
