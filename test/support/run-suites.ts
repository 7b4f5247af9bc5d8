/**
 * `npm test` after the typecheck: the Node suite (vitest.config.ts) and the browser suite
 * (vitest.browser.config.ts) side by side, the browser suite at the lowest CPU priority, so it
 * renders on the cores the Node suite leaves idle (≈ 0.7 of the 2 on average: its files wait on
 * child processes, npm, Redis and single-threaded JavaScript) instead of after it. It starts once
 * the draft job it renders is stored (reconstruct.test.ts makes and stores it, job-cache.ts), so
 * that job is made once; when the Node suite ends first, it starts then and makes the job itself
 * if none is stored. When the Node suite ends, the browser suite goes back to the normal priority
 * (background.ts: restorePriority). Its output is held until the Node suite has finished, then printed, so the
 * two reports do not interleave. Exits non-zero when either suite fails.
 *   node --import tsx test/support/run-suites.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BACKGROUND_NICE, BROWSER_BACKGROUND_ENV, restorePriority, yieldAutogroup } from "./background.ts";
import { ASTRONAUT_PHOTO, DRAFT_JOB_OPTIONS } from "./closeup-job.ts";
import { loadJob } from "./job-cache.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const VITEST = path.join(ROOT, "node_modules", "vitest", "vitest.mjs");
/** How often the runner looks for the stored draft job, ms (a cache lookup hashes the sources once). */
const JOB_POLL_MS = 2000;

const exitCode = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));

/** Resolves when the browser suite's draft job is stored, or when `stop` resolves first. */
async function jobStoredOr(stop: Promise<unknown>): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const photo = await readFile(ASTRONAUT_PHOTO);
  // loadJob reads the whole job when stored; the poll ends there.
  while (!stopped && !(await loadJob(photo, DRAFT_JOB_OPTIONS))) await Promise.race([stop, new Promise((r) => setTimeout(r, JOB_POLL_MS))]);
}

/** The browser suite at the lowest priority while `flag` exists, its output held until `release` is called. */
function startBrowserSuite(flag: string): { child: ChildProcess; release: () => void } {
  const held: Buffer[] = [];
  let live = false;
  // Its own session (detached), so its own autogroup, lowered below (background.ts).
  const child = spawn("nice", ["-n", String(BACKGROUND_NICE), process.execPath, VITEST, "run", "-c", "vitest.browser.config.ts"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, [BROWSER_BACKGROUND_ENV]: flag, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}) },
  });
  const forward = (chunk: Buffer) => (live ? process.stdout.write(chunk) : held.push(chunk));
  child.stdout!.on("data", forward);
  child.stderr!.on("data", forward);
  if (child.pid) void yieldAutogroup(child.pid);
  return {
    child,
    release() {
      live = true;
      for (const chunk of held.splice(0)) process.stdout.write(chunk);
    },
  };
}

async function main(): Promise<number> {
  // Exists while the Node suite runs: a Chromium the browser suite launches meanwhile yields too (background.ts).
  const scratch = await mkdtemp(path.join(tmpdir(), "porelight-run-suites-"));
  const flag = path.join(scratch, "node-suite-running");
  await writeFile(flag, "");
  const node = spawn(process.execPath, [VITEST, "run"], { cwd: ROOT, stdio: "inherit" });
  const nodeDone = exitCode(node);
  let browser: ReturnType<typeof startBrowserSuite> | undefined;
  const stopAll = () => {
    rmSync(scratch, { recursive: true, force: true });
    node.kill("SIGTERM");
    if (browser?.child.pid) process.kill(-browser.child.pid, "SIGTERM"); // its process group: vitest and its workers
  };
  process.once("SIGINT", stopAll);
  process.once("SIGTERM", stopAll);

  await jobStoredOr(nodeDone);
  browser = startBrowserSuite(flag);
  const browserDone = exitCode(browser.child);
  const nodeCode = await nodeDone;
  // The Node suite is done: the rest of the browser suite at the normal priority, so that other
  // work on the machine cannot starve it past its time-outs.
  await rm(scratch, { recursive: true, force: true });
  if (browser.child.pid) await restorePriority(browser.child.pid);
  process.stdout.write("\n── browser suite (started beside the Node suite; its output so far, then live) ──\n");
  browser.release();
  const browserCode = await browserDone;
  if (nodeCode !== 0 || browserCode !== 0) process.stderr.write(`npm test: Node suite exit ${nodeCode}, browser suite exit ${browserCode}\n`);
  return nodeCode !== 0 ? nodeCode : browserCode;
}

process.exitCode = await main();
