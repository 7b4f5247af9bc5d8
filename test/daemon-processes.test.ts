/**
 * Daemons as real processes on one data directory: the data-directory lock (a second daemon exits
 * at once naming the owner and touches no job; the stale-lock rule lets exactly one of several
 * racing starters take a dead owner's lock), and the pipeline worker exiting quietly when its
 * daemon is killed.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { jobForm, tempDir, waitForJob } from "./daemon-support/harness.ts";
import { daemonUrl, markedPids, spawnDaemon, type DaemonProcess } from "./daemon-support/processes.ts";

const started: DaemonProcess[] = [];
const dirs: string[] = [];
const marker = `porelight-processes-${process.pid}-${Date.now()}`;
const BIN = fileURLToPath(new URL("../bin/porelight.js", import.meta.url));

afterAll(() => {
  for (const d of started) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function start(dataDir: string, double: object, tag = marker): DaemonProcess {
  const d = spawnDaemon(dataDir, double, tag);
  started.push(d);
  return d;
}

const submit = async (url: string) => (await (await fetch(`${url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT, { preset: "draft" }) })).json()).id as string;

/** Resolves with the exit code, or "still running" after `ms`. */
const exitWithin = (d: { exited: Promise<number | string> }, ms: number) =>
  Promise.race([d.exited, new Promise<string>((r) => setTimeout(() => r("still running"), ms).unref())]);

describe.skipIf(process.platform !== "linux")("one daemon per data directory", () => {
  it("a second daemon exits at once naming the owner, and neither touches nor computes the first one's jobs", async () => {
    const dataDir = tempDir("lock");
    dirs.push(dataDir);
    const runLog = join(dataDir, "..", `${dataDir.split("/").pop()}-runs.log`);
    dirs.push(runLog);
    const first = start(dataDir, { stageMs: 400, runLog });
    const url = await daemonUrl(first);
    const ids = [await submit(url), await submit(url), await submit(url)];
    await waitForJob(url, ids[0], (j) => j.state === "running" && j.stage !== null);

    const second = start(dataDir, { stageMs: 5, runLog });
    expect(await exitWithin(second, 15_000)).toBe(2);
    expect(second.stderr()).toContain(dataDir);
    expect(second.stderr()).toMatch(new RegExp(`pid ${first.proc.pid}\\b`));
    expect(second.stderr()).toContain(url); // the owner's address, so the user can reach it instead
    // The second daemon did not mark the owner's running job interrupted on disk.
    expect(JSON.parse(readFileSync(join(dataDir, "jobs", ids[0], "job.json"), "utf8")).state).not.toBe("interrupted");

    // The real CLI says the same and exits 2.
    const cli = spawn(process.execPath, [BIN, "serve", "--port", "0", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PORELIGHT_TEST_MARKER: marker } });
    let cliErr = "";
    cli.stderr.on("data", (c) => (cliErr += c));
    const cliCode = await new Promise((r) => cli.once("exit", r));
    expect(cliCode).toBe(2);
    expect(cliErr).toMatch(new RegExp(`in use by porelight pid ${first.proc.pid}\\b`));

    for (const id of ids) await waitForJob(url, id, (j) => j.state === "done");
    // Each job computed exactly once, all by the first daemon's worker.
    const runs = readFileSync(runLog, "utf8").trim().split("\n");
    expect(runs).toHaveLength(3);
    first.proc.kill("SIGTERM");
    expect(await exitWithin(first, 10_000)).toBe(0);
    expect(existsSync(join(dataDir, "daemon.lock"))).toBe(false); // released on a clean stop
  });

  it("several daemons racing for a dead owner's lock: exactly one takes it, the others exit 2", async () => {
    const dataDir = tempDir("lock-race");
    dirs.push(dataDir);
    // A lock left by a process that no longer exists (pid beyond pid_max is never alive).
    writeFileSync(join(dataDir, "daemon.lock"), `${JSON.stringify({ pid: 4_194_304 + 17, pidStart: 1, host: hostname(), startedAt: "2020-01-01T00:00:00Z", url: null })}\n`);
    const racers = Array.from({ length: 4 }, (_, i) => start(dataDir, {}, `${marker}-race-${i}`));
    const outcomes = await Promise.all(racers.map((r) => Promise.race([daemonUrl(r).then(() => "up"), r.exited.then((c) => `exit ${c}`)])));
    expect(outcomes.filter((o) => o === "up")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "exit 2")).toHaveLength(3);
    const winner = racers[outcomes.indexOf("up")];
    expect(JSON.parse(readFileSync(join(dataDir, "daemon.lock"), "utf8")).pid).toBe(winner.proc.pid);
  });
});

describe.skipIf(process.platform !== "linux")("the pipeline worker when its daemon dies", () => {
  it("exits at once and quietly (no EPIPE stack) when the daemon is killed mid-stage", async () => {
    const dataDir = tempDir("orphan");
    dirs.push(dataDir);
    const tag = `${marker}-orphan`;
    // Stages spin the CPU and report progress meanwhile, so the worker writes to its channel after
    // the daemon died, before it could notice.
    const daemon = start(dataDir, { busyMs: 400, busyProgressMs: 20, stageMs: 0 }, tag);
    const url = await daemonUrl(daemon);
    const id = await submit(url);
    await waitForJob(url, id, (j) => j.state === "running" && j.stage !== null && j.stage !== "capture");
    const before = markedPids(tag);
    expect(before.length).toBeGreaterThanOrEqual(2); // daemon + worker
    daemon.proc.kill("SIGKILL");
    await daemon.exited;
    const t0 = Date.now();
    while (markedPids(tag).length > 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 25));
    expect(markedPids(tag)).toEqual([]);
    // The stderr pipe outlives the daemon; give the worker's last words time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    expect(daemon.stderr()).not.toMatch(/EPIPE|ERR_IPC|Error|\n\s+at /);
  });
});
