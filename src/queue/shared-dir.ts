/**
 * The output directory all workers share (a network filesystem). Besides `<out>/<name>/` for each
 * head, it holds porelight's own `.porelight-queue/`: the photos the producer staged for workers
 * (`inputs/`), and each running job's half-built outputs (`staging/`). A head's directory only
 * ever appears by one rename of a complete staging directory, so a worker killed mid-write leaves
 * no half-written `<out>/<name>/`, only staging debris the next attempt of that job removes.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { BUILD_RECORD } from "../io/build-record.ts";
import { writeOutputs } from "../io/head-files.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/write-atomic.ts";
import type { ReconstructResult } from "../types.ts";
import { QueueConfigError } from "./redis.ts";

export const QUEUE_DIR = ".porelight-queue";

/** Where the producer stages a job's photo, relative to `--out` (forward slashes: it travels in job data). */
export function stagedInputName(jobId: string): string {
  return `${QUEUE_DIR}/inputs/${jobId}.png`;
}

/**
 * Fails with QueueConfigError unless this process can create, rename and delete files in `dir`
 * (creating it if needed): the checks every later write depends on.
 */
export async function assertWritableDir(dir: string, who: string): Promise<void> {
  const probe = join(dir, QUEUE_DIR, `probe-${randomBytes(4).toString("hex")}`);
  try {
    await writeFileAtomic(probe, "porelight write probe\n", { durable: false });
    await rm(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "EACCES" || e.code === "EPERM" ? "permission denied" : e.code === "EROFS" ? "read-only filesystem" : e.code === "ENOTDIR" ? "a path component is a file" : e.message;
    throw new QueueConfigError(`${who} cannot write to ${dir} (${why}); every worker and the producer need write access to the same shared --out`);
  }
}

/** sha256 of bytes, hex. */
export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Writes the photo workers will read (temp + rename), so a worker never sees half a PNG. */
export async function stageInput(outRoot: string, file: string, png: Uint8Array): Promise<void> {
  await writeFileAtomic(join(outRoot, ...file.split("/")), png);
}

/** Reads a staged photo and checks it is the one the job was queued with. */
export async function readStagedInput(outRoot: string, input: { file: string; sha256: string }, producerOut: string): Promise<Uint8Array> {
  const path = join(outRoot, ...input.file.split("/"));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new Error(`the staged photo ${path} is missing: is this worker's --out the same shared directory as the producer's (${producerOut})?`);
  }
  if (sha256Hex(bytes) !== input.sha256) throw new Error(`the staged photo ${path} does not match the job (sha256 differs): re-run the producer`);
  return bytes;
}

/** Removes a finished job's staged photo; a missing one is fine (another attempt got there first). */
export async function removeStagedInput(outRoot: string, file: string): Promise<void> {
  await rm(join(outRoot, ...file.split("/")), { force: true });
}

/** Removes what earlier, dead attempts of this job left in `staging/` and `replaced/`. */
export async function sweepStaging(outRoot: string, jobId: string): Promise<void> {
  for (const sub of ["staging", "replaced"]) {
    const dir = join(outRoot, QUEUE_DIR, sub);
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(`${jobId}.`)).map((n) => rm(join(dir, n), { recursive: true, force: true })));
  }
}

export interface BuildRecord {
  key: string;
  photo: string;
  options: unknown;
  builtAt: string;
  files: { name: string; bytes: number }[];
  [extra: string]: unknown;
}

/**
 * Writes a job's files and its build record into a fresh staging directory, then swaps it in as
 * `<out>/<name>/`. An older build there is moved aside first and deleted after, so a reader sees
 * the old complete build, nothing, or the new complete build.
 */
export async function publishOutputs(outRoot: string, name: string, jobId: string, result: ReconstructResult, record: Omit<BuildRecord, "files">): Promise<BuildRecord["files"]> {
  const tag = `${jobId}.${randomBytes(4).toString("hex")}`;
  const staging = join(outRoot, QUEUE_DIR, "staging", tag);
  await mkdir(staging, { recursive: true });
  const files = await writeOutputs(staging, result);
  await writeJsonAtomic(join(staging, BUILD_RECORD), { ...record, files });
  const target = join(outRoot, name);
  const aside = join(outRoot, QUEUE_DIR, "replaced", tag);
  const existing = await stat(target).catch(() => null);
  if (existing) {
    await mkdir(join(outRoot, QUEUE_DIR, "replaced"), { recursive: true });
    await rename(target, aside);
  }
  await rename(staging, target);
  if (existing) await rm(aside, { recursive: true, force: true });
  return files;
}
