/**
 * Jobs on disk. One directory per job under `<dataDir>/jobs/`:
 *
 *   <id>/job.json      the record (written atomically at every state or stage change)
 *   <id>/photo.png     the accepted photo (normalised, no metadata)
 *   <id>/out/…         outputs, present only once the job is done
 *
 * Outputs are written file by file (temp + rename) into a staging directory that is renamed to
 * `out/` in one step, and the record says `done` only after that: a crash at any point leaves
 * either no outputs or all of them. Against a power cut too, the flushes follow the same order:
 * each file, the staging directories, the job directory (after the rename), then the record and
 * the job directory again. On opening, a job found `running` becomes `interrupted`, finished at the
 * time it was last seen running.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ReconstructOptions, StageName, OutputFile, Logger } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";
import type { ApiErrorInfo, JobState } from "./api.ts";
import { assertOutputName } from "./output-names.ts";
import { sweepTempFiles, writeFileAtomic, writeJsonAtomic } from "../io/write-atomic.ts";
import { syncDir } from "./durable.ts";

/** What is persisted in job.json. */
export interface JobRecord {
  version: 1;
  id: string;
  state: JobState;
  options: ReconstructOptions;
  stage: StageName | null;
  /** 0..100 */
  percent: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** While running: when the daemon last recorded the job's progress (stage changes, and a heartbeat). Absent in older records. */
  lastSeenAt?: string | null;
  /** Milliseconds per finished stage. */
  stageMs: Partial<Record<StageName, number>>;
  error: ApiErrorInfo | null;
  input: { mediaType: string; width: number; height: number; bytes: number };
  /** Set when done: the output files, in the order the pipeline returned them. */
  files: { name: string; size: number; mediaType: string }[] | null;
}

/** Job ids: time-ordered (base36 ms) plus 64 random bits; the only form accepted in URLs. */
export const JOB_ID_PATTERN = /^j[0-9a-z]{8,11}-[0-9a-f]{16}$/;

export function newJobId(now = Date.now()): string {
  return `j${now.toString(36)}-${randomBytes(8).toString("hex")}`;
}

/** The record of a job just accepted: a fresh id, queued, nothing run yet. */
export function newJobRecord(options: ReconstructOptions, input: JobRecord["input"], now = new Date()): JobRecord {
  return {
    version: 1,
    id: newJobId(now.getTime()),
    state: "queued",
    options,
    stage: null,
    percent: 0,
    createdAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    stageMs: {},
    error: null,
    input,
    files: null,
  };
}

const INTERRUPTED: ApiErrorInfo = {
  code: "interrupted",
  message: "the daemon stopped while this job was computing; it produced no outputs: submit it again",
  status: 503,
};

export interface JobStoreOptions {
  logger?: Logger;
  /** fsync files and directories (default true). Off only for the bench's baseline. */
  durable?: boolean;
}

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  /** Per-job chain of record writes, so an older write never lands after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly jobsDir: string;
  private readonly trashDir: string;

  private readonly logger: Logger;
  private readonly durable: boolean;

  private constructor(
    readonly dataDir: string,
    options: JobStoreOptions,
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.durable = options.durable ?? true;
    this.jobsDir = join(dataDir, "jobs");
    this.trashDir = join(dataDir, "trash");
  }

  /**
   * Opens (or creates) the store, loads every job, turns `running` jobs into `interrupted`, and
   * removes debris of a crash (half-created job directories, staging directories, temp files).
   */
  static async open(dataDir: string, options: JobStoreOptions = {}): Promise<JobStore> {
    const store = new JobStore(dataDir, options);
    await mkdir(store.jobsDir, { recursive: true });
    await rm(store.trashDir, { recursive: true, force: true });
    for (const id of await readdir(store.jobsDir)) {
      if (!JOB_ID_PATTERN.test(id)) continue;
      await store.load(id);
    }
    return store;
  }

  private async load(id: string): Promise<void> {
    const dir = this.jobDir(id);
    await sweepTempFiles(dir);
    for (const name of await readdir(dir)) if (name.startsWith(".staging-")) await rm(join(dir, name), { recursive: true, force: true });
    let record: JobRecord;
    try {
      record = JSON.parse(await readFile(join(dir, "job.json"), "utf8")) as JobRecord;
      if (record.id !== id || record.version !== 1) throw new Error("record does not match its directory");
    } catch (err) {
      // job.json is written last when a job is created: without it the job was never accepted.
      this.logger.warn(`job store: dropping ${id}: ${(err as Error).message}`);
      await this.moveToTrash(id);
      return;
    }
    this.jobs.set(id, record);
    if (record.state === "running") {
      this.logger.warn(`job store: ${id} was running when the daemon stopped; marking it interrupted`);
      // Outputs renamed into place just before the crash, without the record saying done, are not trusted.
      await rm(join(dir, "out"), { recursive: true, force: true });
      await this.update(id, { state: "interrupted", finishedAt: await this.lastSeen(record), error: INTERRUPTED });
    }
  }

  /**
   * When a job found running was last seen alive: its recorded heartbeat, else the last write of its
   * record (older records), never before it started. Not "now": the downtime is not run time.
   */
  private async lastSeen(record: JobRecord): Promise<string> {
    const written = (await stat(join(this.jobDir(record.id), "job.json")).catch(() => null))?.mtime.toISOString();
    const seen = record.lastSeenAt ?? written ?? record.startedAt ?? record.createdAt;
    return record.startedAt && seen < record.startedAt ? record.startedAt : seen;
  }

  jobDir(id: string): string {
    return join(this.jobsDir, id);
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  /** Every job, oldest first. */
  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Stores the photo, then the record (the record last: its presence means the job exists). */
  async create(record: JobRecord, photoPng: Uint8Array): Promise<void> {
    const dir = this.jobDir(record.id);
    await mkdir(dir, { recursive: false });
    if (this.durable) await syncDir(this.jobsDir);
    await writeFileAtomic(join(dir, "photo.png"), photoPng, { durable: this.durable });
    this.jobs.set(record.id, record);
    await this.persist(record.id);
  }

  /** Merges `patch` into the record and persists it. Returns the new record. */
  async update(id: string, patch: Partial<JobRecord>): Promise<JobRecord> {
    const record = this.jobs.get(id);
    if (!record) throw new Error(`job store: no job ${id}`);
    Object.assign(record, patch);
    await this.persist(id);
    return record;
  }

  /** Changes the in-memory record only (progress percent between stage changes). */
  touch(id: string, patch: Partial<JobRecord>): void {
    const record = this.jobs.get(id);
    if (record) Object.assign(record, patch);
  }

  private persist(id: string): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const record = this.jobs.get(id);
      if (!record) return;
      await writeJsonAtomic(join(this.jobDir(id), "job.json"), record, { durable: this.durable });
      if (this.durable) await syncDir(this.jobDir(id)); // the rename over job.json, made durable
    });
    const settled = next.catch((err) => this.logger.warn(`job store: cannot write ${id}/job.json: ${(err as Error).message}`));
    this.writes.set(id, settled);
    return next;
  }

  readPhoto(id: string): Promise<Buffer> {
    return readFile(join(this.jobDir(id), "photo.png"));
  }

  /**
   * Writes the outputs of a job: every name validated, each file temp + rename into a staging
   * directory, then the directory renamed to `out/` at once. Returns the file list.
   */
  async writeOutputs(id: string, files: OutputFile[]): Promise<JobRecord["files"] & {}> {
    const seen = new Set<string>();
    for (const file of files) {
      assertOutputName(file.name);
      if (seen.has(file.name)) throw Object.assign(new Error(`the pipeline returned "${file.name}" twice`), { code: "invalid_output_name" });
      seen.add(file.name);
    }
    const dir = this.jobDir(id);
    const staging = join(dir, `.staging-${randomBytes(4).toString("hex")}`);
    try {
      for (const file of files) await writeFileAtomic(join(staging, file.name), file.bytes, { durable: this.durable });
      if (this.durable) {
        // Every directory under staging holds a new entry (a file or a subdirectory): sync them all.
        const dirs = new Set<string>([staging]);
        for (const f of files) for (let d = dirname(join(staging, f.name)); d !== staging; d = dirname(d)) dirs.add(d);
        for (const d of dirs) await syncDir(d);
      }
      await rm(join(dir, "out"), { recursive: true, force: true });
      await rename(staging, join(dir, "out"));
      // Before the record can say done, the rename must be on disk (the caller writes the record next).
      if (this.durable) await syncDir(dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    return files.map((f) => ({ name: f.name, size: f.bytes.byteLength, mediaType: f.mediaType }));
  }

  /** Absolute path of an output, or null when `name` is not among the job's recorded files. */
  async outputPath(id: string, name: string): Promise<string | null> {
    const record = this.jobs.get(id);
    if (!record?.files?.some((f) => f.name === name)) return null;
    const path = join(this.jobDir(id), "out", ...name.split("/"));
    return (await stat(path).catch(() => null))?.isFile() ? path : null;
  }

  /** Deletes a job and its files (renamed away first, so a crash never leaves half a job). */
  async remove(id: string): Promise<void> {
    if (!this.jobs.has(id)) return;
    await this.writes.get(id);
    this.jobs.delete(id);
    this.writes.delete(id);
    await this.moveToTrash(id);
  }

  private async moveToTrash(id: string): Promise<void> {
    await mkdir(this.trashDir, { recursive: true });
    const trash = join(this.trashDir, `${id}-${randomBytes(4).toString("hex")}`);
    await rename(this.jobDir(id), trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Waits for every pending record write. */
  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }
}
