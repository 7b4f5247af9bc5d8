/**
 * The copy of `head.babylon` that lands in the project's assets, made to work however the artist
 * brings it into the scene. The Editor's own importer (dragging a file from the assets browser)
 * scales only a mesh named `__root__` by 100 (glTF files); ours is a transform node, so the head
 * arrived 100 times too small. The copy carries the scale itself, and the lights the Editor gives
 * its imports, so the plugin's import and a drag-in give the same head.
 */
import { SKIN_MAP_FILES } from "../../materials/map-files.ts";

/** What the Editor sets on every material it imports (its `configureSimultaneousLightsForMaterial`). */
export const EDITOR_MAX_SIMULTANEOUS_LIGHTS = 8;

/** Metadata key on a top node: the scene units per metre its scaling already includes. */
export const SCALE_MARK = "porelightUnitsPerMetre";

interface NodeJson {
  name?: string;
  parentId?: unknown;
  scaling?: number[];
  metadata?: Record<string, unknown> | null;
}

export interface HeadFileJson {
  materials?: { maxSimultaneousLights?: number }[];
  meshes?: NodeJson[];
  transformNodes?: NodeJson[];
}

/**
 * Scales every top node (no parent) of a parsed `head.babylon` from metres to scene units and
 * marks it, and sets the Editor's light count on its materials. Idempotent: a file already
 * marked for `unitsPerMetre` is left as it is. Returns whether anything changed.
 *
 *   if (carrySceneScale(data, 100)) await writeFile(path, JSON.stringify(data));
 */
export function carrySceneScale(data: HeadFileJson, unitsPerMetre: number): boolean {
  if (!(unitsPerMetre > 0)) throw new Error(`porelight: units per metre must be positive (got ${unitsPerMetre})`);
  let changed = false;
  const tops = [...(data.transformNodes ?? []), ...(data.meshes ?? [])].filter((n) => n.parentId === undefined || n.parentId === null);
  if (tops.length === 0) throw new Error("porelight: head.babylon has no top node to scale");
  for (const node of tops) {
    const carried = Number(node.metadata?.[SCALE_MARK] ?? 1);
    if (carried === unitsPerMetre) continue;
    const factor = unitsPerMetre / carried;
    node.scaling = (node.scaling ?? [1, 1, 1]).map((v) => v * factor);
    node.metadata = { ...(node.metadata ?? {}), [SCALE_MARK]: unitsPerMetre };
    changed = true;
  }
  for (const material of data.materials ?? []) {
    if (material.maxSimultaneousLights === EDITOR_MAX_SIMULTANEOUS_LIGHTS) continue;
    material.maxSimultaneousLights = EDITOR_MAX_SIMULTANEOUS_LIGHTS;
    changed = true;
  }
  return changed;
}

const SHIPPED_MAPS = new Set<string>(Object.values(SKIN_MAP_FILES));

/** True for a job's debug maps: images under `maps/` that are none of the skin's maps. */
export function isDebugMap(name: string): boolean {
  return name.startsWith("maps/") && !SHIPPED_MAPS.has(name);
}
