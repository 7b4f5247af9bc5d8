/**
 * One real job's output files, shared by the tests that need the same job (tests only). `npm test`
 * makes the draft job on the astronaut photo in the Node suite (reconstruct.test.ts, which also
 * checks it) and the browser suite renders that same job instead of making it again.
 *
 * Jobs are stored under the system temp folder, keyed by the build key: a hash of the photo's
 * bytes, the job's options and every file the pipeline's output depends on (src/, materials/,
 * package-lock.json for the packages and the models they ship), so any change to any of them is a
 * new key and a new job. A job is written to a temp folder and renamed, so a reader never sees
 * half of one; entries not used for an hour are removed when a new one is stored.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { OutputFile, ReconstructOptions } from "../../src/types.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE_DIR = path.join(tmpdir(), "porelight-test-jobs");
/** What the output depends on besides the photo and the options. */
const SOURCES = ["src", "materials", "package-lock.json"];
const STALE_MS = 60 * 60 * 1000;

/** The options a job is keyed by: reconstruct's defaults filled in, so equal jobs get equal keys. */
export type JobKeyOptions = Pick<ReconstructOptions, "preset"> & Partial<Pick<ReconstructOptions, "face" | "formats">>;

interface Manifest {
  files: { name: string; mediaType: string }[];
}

async function filesUnder(entry: string): Promise<string[]> {
  const full = path.join(ROOT, entry);
  if (!(await stat(full)).isDirectory()) return [entry];
  const found = await readdir(full, { withFileTypes: true, recursive: true });
  return found.filter((e) => e.isFile()).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

let sourceHash: Promise<string> | undefined;
/** Hash of every source file's path and bytes (once per process: sources do not change during a run). */
function sourcesHash(): Promise<string> {
  sourceHash ??= (async () => {
    const hash = createHash("sha256");
    const files = (await Promise.all(SOURCES.map(filesUnder))).flat().sort();
    for (const f of files) hash.update(f).update("\0").update(await readFile(path.join(ROOT, f))).update("\0");
    return hash.digest("hex");
  })();
  return sourceHash;
}

/** The build key of a job: photo bytes, normalised options, sources. */
export async function jobKey(photo: Uint8Array, options: JobKeyOptions): Promise<string> {
  const normal = { preset: options.preset, face: options.face ?? 0, formats: [...(options.formats ?? ["glb", "babylon", "maps"])].sort() };
  return createHash("sha256").update(photo).update(JSON.stringify(normal)).update(await sourcesHash()).digest("hex").slice(0, 32);
}

/** The stored files of that job, or null when it has not been made with these sources. */
export async function loadJob(photo: Uint8Array, options: JobKeyOptions): Promise<OutputFile[] | null> {
  const dir = path.join(CACHE_DIR, await jobKey(photo, options));
  if (!existsSync(path.join(dir, "manifest.json"))) return null;
  const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as Manifest;
  const files = await Promise.all(manifest.files.map(async (f) => ({ ...f, bytes: new Uint8Array(await readFile(path.join(dir, "files", f.name))) })));
  const now = new Date();
  await utimes(dir, now, now); // in use: not stale
  return files;
}

/** Stores a job's files under its key (temp folder, then rename; a concurrent writer of the same key wins). */
export async function storeJob(photo: Uint8Array, options: JobKeyOptions, files: OutputFile[]): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  await removeStale();
  const dir = path.join(CACHE_DIR, await jobKey(photo, options));
  if (existsSync(dir)) return;
  const staging = await mkdtemp(path.join(CACHE_DIR, ".staging-"));
  for (const f of files) {
    const file = path.join(staging, "files", f.name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, f.bytes);
  }
  const manifest: Manifest = { files: files.map(({ name, mediaType }) => ({ name, mediaType })) };
  await writeFile(path.join(staging, "manifest.json"), JSON.stringify(manifest));
  await rename(staging, dir).catch(async (e: NodeJS.ErrnoException) => {
    await rm(staging, { recursive: true, force: true });
    if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
  });
}

/**
 * The stored job, made by `make` (and stored) when there is none. When another process is making
 * the same job (makingJob), waits for it rather than making it a second time.
 */
export async function cachedJob(photo: Uint8Array, options: JobKeyOptions, make: () => Promise<OutputFile[]>): Promise<{ files: OutputFile[]; cached: boolean }> {
  const stored = (await loadJob(photo, options)) ?? (await waitForMaker(photo, options));
  if (stored) return { files: stored, cached: true };
  const files = await make();
  await storeJob(photo, options, files);
  return { files, cached: false };
}

/** Poll period while another process makes a job, ms. */
const MAKER_POLL_MS = 1000;

/** The marker a process making a job leaves beside the cache entries: `<key>.making`, holding its pid. */
async function makerFile(photo: Uint8Array, options: JobKeyOptions): Promise<string> {
  return path.join(CACHE_DIR, `${await jobKey(photo, options)}.making`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** While a live process marks the job as being made, waits; then the stored job, or null (none, or its maker died). */
async function waitForMaker(photo: Uint8Array, options: JobKeyOptions): Promise<OutputFile[] | null> {
  const marker = await makerFile(photo, options);
  for (;;) {
    const pid = Number(await readFile(marker, "utf8").catch(() => ""));
    if (!(pid > 0 && alive(pid))) return loadJob(photo, options);
    await new Promise((r) => setTimeout(r, MAKER_POLL_MS));
  }
}

/**
 * Makes and stores a job in this process, marked as being made so that cachedJob in other
 * processes waits for it; nothing when it is stored already. The marker goes when this ends.
 */
export async function makeJobForOthers(photo: Uint8Array, options: JobKeyOptions, make: () => Promise<OutputFile[]>): Promise<void> {
  if (await loadJob(photo, options)) return;
  await mkdir(CACHE_DIR, { recursive: true });
  const marker = await makerFile(photo, options);
  await writeFile(`${marker}.${process.pid}.tmp`, String(process.pid));
  await rename(`${marker}.${process.pid}.tmp`, marker);
  try {
    await storeJob(photo, options, await make());
  } finally {
    await rm(marker, { force: true });
  }
}

async function removeStale(): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(CACHE_DIR)) {
    const full = path.join(CACHE_DIR, entry);
    const modified = await stat(full).then((s) => s.mtimeMs, () => now); // another run may have removed it
    if (now - modified > STALE_MS) await rm(full, { recursive: true, force: true });
  }
}
