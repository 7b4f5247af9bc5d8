/**
 * The build record of a head directory: the key that says whether `<out>/<name>/` holds an
 * up-to-date build of a photo with given options by this pipeline code. Shared by the local
 * `batch` and the queue's producer and workers.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReconstructOptions } from "../types.ts";

/** The file in each head directory that names its build key and its files. */
export const BUILD_RECORD = ".porelight-build.json";

let codeFingerprint: Promise<string> | null = null;

/** sha256 over porelight's own source: a new pipeline invalidates earlier builds even without a version bump. */
function pipelineFingerprint(): Promise<string> {
  codeFingerprint ??= (async () => {
    const srcDir = fileURLToPath(new URL("../", import.meta.url));
    const files = (await readdir(srcDir, { recursive: true }))
      .filter((f) => f.endsWith(".ts") && !/^(cli|daemon|queue)[/\\]/.test(f) && f !== "client.ts")
      .sort();
    const h = createHash("sha256");
    for (const f of files) h.update(`${f}\0`).update(await readFile(join(srcDir, f)));
    return h.digest("hex");
  })();
  return codeFingerprint;
}

/** The build key of one photo: its decoded content, the options, and the pipeline code. */
export async function buildKey(photoPng: Uint8Array, options: ReconstructOptions): Promise<string> {
  return createHash("sha256")
    .update(photoPng)
    .update(JSON.stringify(options))
    .update(await pipelineFingerprint())
    .digest("hex");
}

/** True when `outDir` holds a complete build with this key. */
export async function upToDate(outDir: string, key: string): Promise<boolean> {
  try {
    const record = JSON.parse(await readFile(join(outDir, BUILD_RECORD), "utf8")) as { key: string; files: { name: string; bytes: number }[] };
    if (record.key !== key) return false;
    for (const f of record.files) if ((await stat(join(outDir, f.name))).size !== f.bytes) return false;
    return true;
  } catch {
    return false;
  }
}
