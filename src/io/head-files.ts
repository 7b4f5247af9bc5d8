/**
 * A photo read from disk and checked as the daemon checks an upload, and a head's outputs written
 * into its directory (each file temp + rename, names validated): shared by the CLI's jobs and the
 * queue's producer and workers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReconstructResult } from "../types.ts";
import { assertOutputName } from "../daemon/output-names.ts";
import { acceptPhoto, type AcceptedPhoto } from "../daemon/photo-intake.ts";
import { writeFileAtomic } from "./write-atomic.ts";

/** Reads a photo from disk and checks it like the daemon does (type, size, decodability). */
export async function loadPhoto(path: string, maxPixels: number): Promise<{ raw: Uint8Array; accepted: AcceptedPhoto }> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "it is a directory" : e.message;
    throw Object.assign(new Error(`cannot read ${path}: ${why}`), { code: "invalid_input" });
  }
  return { raw, accepted: await acceptPhoto(raw, { maxPixels }) };
}

/** Writes a job's outputs under `outDir` (each file temp + rename). */
export async function writeOutputs(outDir: string, result: ReconstructResult): Promise<{ name: string; bytes: number }[]> {
  for (const file of result.files) assertOutputName(file.name);
  for (const file of result.files) await writeFileAtomic(join(outDir, ...file.name.split("/")), file.bytes);
  return result.files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength }));
}
