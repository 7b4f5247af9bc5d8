/** `GET /v1/models`: the model catalog and whether each converted model is already cached. */
import type { ModelList, ModelView } from "./api.ts";

/** Source keys hash megabytes of weights; the npm sources do not change while the daemon runs. */
const keys = new Map<string, Promise<string>>();

export async function listModels(): Promise<ModelList> {
  const { MODEL_CATALOG } = await import("../models/catalog.ts");
  const { cacheDir, lookupModel, sourceKey } = await import("../models/cache.ts");
  const models: ModelView[] = [];
  for (const spec of MODEL_CATALOG) {
    let key = keys.get(spec.name);
    if (!key) {
      key = sourceKey(spec);
      keys.set(spec.name, key);
      key.catch(() => keys.delete(spec.name));
    }
    const entry = await key.then((k) => lookupModel(spec.name, k)).catch(() => undefined);
    models.push({
      id: spec.name,
      kind: spec.kind,
      purpose: spec.purpose,
      source: spec.source,
      cached: entry !== undefined,
      bytes: entry?.bytes ?? null,
      sha256: entry?.sha256 ?? null,
    });
  }
  return { cacheDir: cacheDir(), models };
}
