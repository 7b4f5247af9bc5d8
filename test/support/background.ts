/**
 * Running test work beside the Node suite on the cores it leaves idle (tests only): the close-up
 * job made ahead (closeup-job.ts) and, under `npm test`, the whole browser suite
 * (run-suites.ts). Such work runs at the lowest CPU priority, so it may wait minutes for a core
 * while the Node suite keeps both busy; its time-outs guard against hangs, not speed, and
 * stretch by BROWSER_TIME_SCALE.
 */
import { writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";

/** Set by run-suites.ts in the browser suite's environment: that suite runs beside the Node suite. */
export const BROWSER_BACKGROUND_ENV = "PORELIGHT_BROWSER_BACKGROUND";

/** Whether this process belongs to a browser suite started beside the Node suite. */
export const inBackground = (): boolean => process.env[BROWSER_BACKGROUND_ENV] === "1";

/**
 * Factor on the browser suite's time-outs (test, hook, page load, screenshot) when it runs beside
 * the Node suite. A browser test takes up to ≈ 70 s at full speed (blendshapes, quiet CI run);
 * niced under a Node suite that keeps ≈ 1.3 of the 2 cores busy on average (docs/testing.md) it
 * gets ≈ 0.7 core, a third of its speed or less, so 4× the quiet bounds keeps the same margin.
 */
export const BROWSER_TIME_SCALE = inBackground() ? 4 : 1;

/** The nice value of background work: the lowest priority, CPU only when nothing else wants it. */
export const BACKGROUND_NICE = 19;

/**
 * Lowers the CPU share of `pid`'s autogroup to BACKGROUND_NICE. With Linux's autogroup
 * scheduling (`/proc/sys/kernel/sched_autogroup_enabled`) every session shares the CPU as one
 * group whatever its processes' own nice values, so a detached process (a new session: the
 * close-up job, or Chromium, which Playwright starts detached) niced inside its own group
 * yields nothing to the Node suite; its group's nice does. The kernel takes one such write per
 * 100 ms across the machine (EAGAIN otherwise), hence the retries. Without autogroup scheduling
 * (other kernels and systems) there is nothing to do: the processes' own nice applies.
 */
export async function yieldAutogroup(pid: number | "self"): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await writeFile(`/proc/${pid}/autogroup`, String(BACKGROUND_NICE));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
      await new Promise((r) => setTimeout(r, 120));
    }
  }
}

/** Pids of this process's children whose command is `name` (from /proc; empty where there is none). */
export function childPids(name: string): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return pids;
  }
  for (const entry of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && comm.includes(name)) pids.push(Number(entry));
    } catch {
      // the process ended while listed
    }
  }
  return pids;
}
