/**
 * The one function through which the daemon and the CLI run the pipeline. Production code gets it
 * from `src/pipeline/reconstruct.ts` (dynamically imported, in-process for the CLI, in a worker
 * process for the daemon); tests may pass their own function of the same signature.
 */
import { pathToFileURL } from "node:url";
import type { ReconstructHooks, ReconstructOptions, ReconstructResult } from "../types.ts";

export type ReconstructFn = (photo: Uint8Array, options: ReconstructOptions, hooks: ReconstructHooks) => Promise<ReconstructResult>;

/** Imports `modulePath` and returns its `reconstruct` export, with a clear error when it is missing. */
export async function importReconstruct(modulePath: string): Promise<ReconstructFn> {
  let mod: { reconstruct?: unknown };
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as { reconstruct?: unknown };
  } catch (err) {
    const e = new Error(`the pipeline cannot be loaded from ${modulePath}: ${(err as Error).message}`) as Error & { code: string };
    e.code = "pipeline_unavailable";
    throw e;
  }
  if (typeof mod.reconstruct !== "function") {
    const e = new Error(`${modulePath} does not export a reconstruct() function`) as Error & { code: string };
    e.code = "pipeline_unavailable";
    throw e;
  }
  return mod.reconstruct as ReconstructFn;
}
