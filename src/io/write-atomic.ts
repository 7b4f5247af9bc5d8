/**
 * Atomic file writes: the bytes go to a temporary file beside the target, are flushed to disk,
 * and the temporary file is renamed over the target. A reader (or a process restarted after a
 * crash) sees either the old file or the whole new one, never half of it.
 *
 * Every file porelight writes (job records, outputs, model caches) goes through here.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Suffix of temporary files; `sweepTempFiles` removes leftovers carrying it. */
export const TEMP_SUFFIX = ".porelight-tmp";

export interface WriteAtomicOptions {
  /** fsync the file before renaming, so the rename never exposes unflushed data after a power cut. Default true. */
  durable?: boolean;
  /** Create the parent directory if it is missing. Default true. */
  mkdirs?: boolean;
}

/** The temporary name used for `target`: same directory (so rename is atomic), hidden, unique. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
}

/**
 * Write `data` to `target` atomically (temp file + fsync + rename).
 *
 * ```ts
 * await writeFileAtomic("out/report.json", JSON.stringify(report));
 * ```
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string, options: WriteAtomicOptions = {}): Promise<void> {
  const { durable = true, mkdirs = true } = options;
  if (mkdirs) await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", 0o644);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** `writeFileAtomic` for synchronous callers (the template head's disk cache, src/geometry/template-head-cache.ts). */
export function writeFileAtomicSync(target: string, data: Uint8Array | string, options: WriteAtomicOptions = {}): void {
  const { durable = true, mkdirs = true } = options;
  if (mkdirs) mkdirSync(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeFileSync(fd, data);
    if (durable) fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, target);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Write `value` as pretty JSON (with a trailing newline) atomically. */
export function writeJsonAtomic(target: string, value: unknown, options?: WriteAtomicOptions): Promise<void> {
  return writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Remove temporary files left in `dir` (not recursive) by a process that died mid-write. Returns how many. */
export async function sweepTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const stale = names.filter((name) => name.endsWith(TEMP_SUFFIX));
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  return stale.length;
}
