/**
 * The job store's guarantees beyond kill -9: outputs, the staging directory and the job record are
 * flushed to disk in the order that makes a power cut leave either no outputs or all of them
 * (checked by tracing the system calls of a real job), and a job interrupted by a crash records
 * when it was last seen running, not when the daemon came back.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JobStore, newJobId } from "../src/daemon/job-store.ts";
import { RECONSTRUCT_DEFAULTS } from "../src/types.ts";
import { tempDir } from "./daemon-support/harness.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const hasStrace = process.platform === "linux" && spawnSync("strace", ["-V"]).status === 0;

describe.skipIf(!hasStrace)("durability order of a finished job", () => {
  it("fsyncs each output, then the staging directories, renames to out/, fsyncs the job directory, then writes the done record and fsyncs again", () => {
    const dataDir = tempDir("durable");
    dirs.push(dataDir);
    const trace = join(dataDir, "..", `${dataDir.split("/").pop()}.strace`);
    dirs.push(trace);
    const entry = join(import.meta.dirname, "daemon-support/store-entry.ts");
    const out = execFileSync("strace", ["-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", trace, process.execPath, "--import", "tsx", entry, dataDir], { encoding: "utf8" });
    const [id, state] = out.trim().split(" ");
    expect(state).toBe("done");
    const jobDir = join(dataDir, "jobs", id);
    // Keep the calls on this job's directory, in order: ["fsync", path] or ["rename", from, to].
    const calls = readFileSync(trace, "utf8")
      .split("\n")
      .map((line) => {
        // Calls may be split by other threads ("<unfinished ...>"): the call's start line carries the arguments.
        const sync = /\b(?:fsync|fdatasync)\(\d+<([^>]+)>/.exec(line);
        if (sync) return ["fsync", sync[1]];
        const ren = /\brename(?:at2?)?\((?:[^,]+, )?"([^"]+)", (?:[^,]+, )?"([^"]+)"/.exec(line);
        return ren ? ["rename", ren[1], ren[2]] : null;
      })
      .filter((c): c is string[] => c !== null && c.slice(1).some((p) => p.startsWith(jobDir)));
    const at = (pred: (c: string[]) => boolean) => calls.findIndex(pred);
    const toOut = at((c) => c[0] === "rename" && c[2] === join(jobDir, "out"));
    expect(toOut).toBeGreaterThan(0);
    // Every output file: its temp file fsynced before it is renamed into the staging directory.
    const intoStaging = calls.filter((c) => c[0] === "rename" && c[2].includes("/.staging-"));
    expect(intoStaging.map((c) => c[2].split("/").pop()).sort()).toEqual(["photo.png", "report.json"]);
    for (const r of intoStaging) {
      const synced = at((c) => c[0] === "fsync" && c[1] === r[1]);
      expect(synced, r[1]).toBeGreaterThanOrEqual(0);
      expect(synced).toBeLessThan(calls.indexOf(r));
    }
    // Both staging directories (the root and maps/) fsynced after their entries, before the rename to out/.
    const staging = calls[toOut][1];
    for (const dir of [staging, join(staging, "maps")]) {
      const synced = at((c) => c[0] === "fsync" && c[1] === dir);
      expect(synced, dir).toBeGreaterThan(Math.max(...intoStaging.map((r) => calls.indexOf(r))));
      expect(synced, dir).toBeLessThan(toOut);
    }
    // Then the job directory (making out/ durable) before the record that says done replaces job.json, and after it.
    const lastRecord = calls.findLastIndex((c) => c[0] === "rename" && c[2] === join(jobDir, "job.json"));
    expect(lastRecord).toBeGreaterThan(toOut);
    const dirSyncs = calls.map((c, i) => (c[0] === "fsync" && c[1] === jobDir ? i : -1)).filter((i) => i >= 0);
    expect(dirSyncs.some((i) => i > toOut && i < lastRecord)).toBe(true);
    expect(dirSyncs.some((i) => i > lastRecord)).toBe(true);
  });
});

describe("a job interrupted by a crash", () => {
  const record = (id: string, extra: object) => ({
    version: 1,
    id,
    state: "running",
    options: RECONSTRUCT_DEFAULTS,
    stage: "fit",
    percent: 40,
    createdAt: "2026-01-01T10:00:00.000Z",
    startedAt: "2026-01-01T10:00:01.000Z",
    finishedAt: null,
    stageMs: {},
    error: null,
    input: { mediaType: "image/png", width: 1, height: 1, bytes: 3 },
    files: null,
    ...extra,
  });

  it("finishes at the time it was last seen running, not at the restart", async () => {
    const dataDir = tempDir("last-seen");
    dirs.push(dataDir);
    const a = newJobId(Date.parse("2026-01-01T10:00:00Z"));
    const b = newJobId(Date.parse("2026-01-01T10:00:00Z") + 1);
    for (const [id, extra] of [[a, { lastSeenAt: "2026-01-01T10:02:00.000Z" }], [b, {}]] as const) {
      mkdirSync(join(dataDir, "jobs", id), { recursive: true });
      writeFileSync(join(dataDir, "jobs", id, "job.json"), JSON.stringify(record(id, extra)));
    }
    // A record from before lastSeenAt existed: its last write (a stage change) is the best evidence.
    const lastWrite = new Date("2026-01-01T10:03:00.000Z");
    utimesSync(join(dataDir, "jobs", b, "job.json"), lastWrite, lastWrite);
    const store = await JobStore.open(dataDir);
    expect(store.get(a)).toMatchObject({ state: "interrupted", finishedAt: "2026-01-01T10:02:00.000Z" });
    expect(store.get(b)).toMatchObject({ state: "interrupted", finishedAt: lastWrite.toISOString() });
  });
});
