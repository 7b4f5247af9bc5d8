/**
 * One daemon per data directory. The owner holds `<dataDir>/daemon.lock` for its whole life: a
 * JSON file with its pid, the pid's start time (so a recycled pid is not mistaken for the owner),
 * its host name and, once it listens, its URL. Two daemons on one directory would run the same
 * queued jobs into the same folders, and the second would mark the first's running job
 * interrupted; so the lock is taken before the job store is opened.
 *
 * The file is created with link(2), which fails if it exists, so two starters can never both
 * create it. A lock whose owner is gone (kill -9, power cut) is stale and may be removed, but only
 * under a second, short-lived guard file: every remover re-reads the lock while holding the guard,
 * so a lock that a live daemon has just taken is never deleted by someone who judged the previous
 * one stale.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

export const LOCK_FILE = "daemon.lock";
const GUARD_FILE = "daemon.lock.break";
/** Removing a stale lock takes milliseconds; a guard older than this was left by a crash. */
const GUARD_STALE_MS = 10_000;
/** Rounds of "take, or remove the stale lock" before giving up (about 5 s when others hold the guard). */
const MAX_ATTEMPTS = 100;

/** What daemon.lock holds. */
export interface LockOwner {
  pid: number;
  /** Start time of `pid` in clock ticks since boot (Linux /proc), or null where unknown. */
  pidStart: number | null;
  host: string;
  startedAt: string;
  url: string | null;
}

/** Thrown when another live daemon owns the directory; the CLI prints the message and exits 2. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  readonly code = "data_dir_locked";
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | null,
  ) {
    super(
      owner
        ? `the data directory ${dataDir} is in use by porelight pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ""}` +
            `${owner.url ? ` (listening on ${owner.url})` : ""}, started ${owner.startedAt}: stop it first, or pass another --data-dir`
        : `the data directory ${dataDir} is locked by ${join(dataDir, LOCK_FILE)}, which cannot be read: if no porelight daemon uses it, delete that file`,
    );
  }
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or null where /proc is missing. */
function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** True when the owner is certainly gone. Owners on another host (a shared disk) are never judged stale. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (!isAlive(owner.pid)) return true;
  const start = processStart(owner.pid);
  return owner.pidStart !== null && start !== null && start !== owner.pidStart;
}

async function readOwner(path: string): Promise<LockOwner | null | "missing"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : null;
  } catch {
    return null; // torn or foreign content: unknown owner, never removed automatically
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Records the URL the daemon listens on, for the message a second daemon prints. */
  setUrl(url: string): Promise<void>;
  /** Deletes the lock file (clean shutdown). */
  release(): Promise<void>;
}

/**
 * Takes the lock on `dataDir` (created if missing), or throws `DataDirLockedError` naming the owner.
 *
 *   const lock = await lockDataDir(config.dataDir);
 *   ... await lock.release();
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, pidStart: processStart(process.pid), host: hostname(), startedAt: new Date().toISOString(), url: null };
  /** A complete copy of `owner` beside the lock, to be linked or renamed into place. */
  const write = async () => {
    const temp = join(dataDir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString("hex")}`);
    await writeFile(temp, `${JSON.stringify(owner)}\n`, { flag: "wx" });
    return temp;
  };

  const temp = await write();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(temp, path); // atomic create-if-absent, with the content already complete
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const current = await readOwner(path);
      if (current === "missing") continue;
      if (current === null || !isStale(current)) throw new DataDirLockedError(dataDir, current);
      // Bounded: each round either removes the stale lock or waits for whoever is removing it.
      if (attempt === MAX_ATTEMPTS) throw new DataDirLockedError(dataDir, current);
      await removeStale(dataDir, path, current);
    }
  } finally {
    await rm(temp, { force: true });
  }

  return {
    path,
    async setUrl(url) {
      owner.url = url;
      // Replaced by rename: a reader sees the old or the new content, never half of it.
      await rename(await write(), path);
    },
    async release() {
      const current = await readOwner(path);
      if (current !== "missing" && current?.pid === process.pid) await unlink(path).catch(() => {});
    },
  };
}

/** Deletes `path` if, under the guard, it still names the same dead owner. Loses races quietly: the caller retries. */
async function removeStale(dataDir: string, path: string, seen: LockOwner): Promise<void> {
  const guard = join(dataDir, GUARD_FILE);
  try {
    await writeFile(guard, `${process.pid}\n`, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const age = Date.now() - ((await stat(guard).catch(() => null))?.mtimeMs ?? Date.now());
    if (age > GUARD_STALE_MS) await rm(guard, { force: true });
    await new Promise((r) => setTimeout(r, 50));
    return; // someone else is removing it; try to take the lock again
  }
  try {
    const again = await readOwner(path);
    if (again !== "missing" && again !== null && again.pid === seen.pid && again.startedAt === seen.startedAt && isStale(again)) await unlink(path);
  } finally {
    await rm(guard, { force: true });
  }
}
