/**
 * Restart mid-job: a daemon (pipeline = TEST DOUBLE in a worker process) is killed with SIGKILL
 * while a job computes; started again on the same data directory, the job reads `interrupted`,
 * finished jobs and their files are intact, and the job that was waiting runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEMP_SUFFIX } from "../src/io/write-atomic.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { jobForm, tempDir, waitForJob } from "./daemon-support/harness.ts";
import { markedPids } from "./daemon-support/processes.ts";
import { sha256 } from "./daemon-support/reconstruct-test-double.ts";

const dataDir = tempDir("restart");
const marker = `porelight-restart-${process.pid}-${Date.now()}`;
const children: ChildProcess[] = [];

async function startDaemon(stageMs: number): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "daemon-support/daemon-entry.ts"), dataDir], {
    env: { ...process.env, PORELIGHT_TEST_DOUBLE: JSON.stringify({ stageMs }), PORELIGHT_TEST_MARKER: marker },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(proc);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (chunk) => {
      out += chunk;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once("exit", (code) => reject(new Error(`daemon exited early (${code})`)));
  });
  return { proc, url };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== "linux")("daemon restart after kill -9", () => {
  it("reports the running job as interrupted, keeps finished ones intact, resumes queued ones", async () => {
    const first = await startDaemon(150);
    const submit = async (url: string) => (await (await fetch(`${url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT, { preset: "draft" }) })).json()).id as string;

    const a = await submit(first.url);
    await waitForJob(first.url, a, (j) => j.state === "done");
    const reportA = new Uint8Array(await (await fetch(`${first.url}/v1/jobs/${a}/files/report.json`)).arrayBuffer());
    const photoA = readFileSync(join(dataDir, "jobs", a, "photo.png"));

    const b = await submit(first.url);
    const c = await submit(first.url);
    await waitForJob(first.url, b, (j) => j.state === "running" && j.stage !== null && j.stage !== "capture");
    expect(markedPids(marker).length).toBeGreaterThanOrEqual(2); // daemon + pipeline worker (+ tsx's esbuild service)
    first.proc.kill("SIGKILL");
    await new Promise((r) => first.proc.once("exit", r));
    const killedAt = Date.now();
    // The orphaned worker notices its parent is gone and exits.
    for (let i = 0; i < 100 && markedPids(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(markedPids(marker)).toEqual([]);

    const second = await startDaemon(5);
    const jobB = await (await fetch(`${second.url}/v1/jobs/${b}`)).json();
    expect(jobB.state).toBe("interrupted");
    expect(jobB.error.code).toBe("interrupted");
    // Its run ended when the first daemon was last seen running it, not when the second one started.
    expect(Date.parse(jobB.finishedAt)).toBeLessThanOrEqual(killedAt);
    expect((await fetch(`${second.url}/v1/jobs/${b}/files`)).status).toBe(409);
    expect(readFileSync(join(dataDir, "jobs", b, "photo.png")).equals(photoA)).toBe(true); // same input, stored intact

    const jobA = await (await fetch(`${second.url}/v1/jobs/${a}`)).json();
    expect(jobA.state).toBe("done");
    const reportAgain = new Uint8Array(await (await fetch(`${second.url}/v1/jobs/${a}/files/report.json`)).arrayBuffer());
    expect(sha256(reportAgain)).toBe(sha256(reportA));

    await waitForJob(second.url, c, (j) => j.state === "done"); // was queued at the crash: runs now
    expect(existsSync(join(dataDir, "jobs", b, "out"))).toBe(false);

    second.proc.kill("SIGTERM");
    const code = await new Promise((r) => second.proc.once("exit", r));
    expect(code).toBe(0);
    // After a clean stop: no temporary or staging debris (the crash's debris was swept on start).
    for (const id of [a, b, c]) {
      const entries = readdirSync(join(dataDir, "jobs", id));
      expect(entries.filter((n) => n.endsWith(TEMP_SUFFIX) || n.startsWith(".staging"))).toEqual([]);
    }
    expect(JSON.parse(readFileSync(join(dataDir, "jobs", c, "job.json"), "utf8")).state).toBe("done");
  });
});
