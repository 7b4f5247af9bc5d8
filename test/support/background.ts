/**
 * Running test work beside the Node suite on the cores it leaves idle (tests only): the close-up
 * job made ahead (closeup-job.ts) and, under `npm test`, the whole browser suite
 * (run-suites.ts). Such work runs at the lowest CPU priority, so it may wait minutes for a core
 * while the Node suite keeps both busy; its time-outs guard against hangs, not speed, and
 * stretch by BROWSER_TIME_SCALE.
 */
import { writeFile } from "node:fs/promises";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Set by run-suites.ts in the browser suite's environment: the path of a flag file that exists
 * while the Node suite runs. The variable says the suite was started beside it (its time-outs
 * stretch for the whole run); the file says the Node suite still runs (a Chromium launched now
 * yields to it; one launched after it has ended runs at the normal priority).
 */
export const BROWSER_BACKGROUND_ENV = "PORELIGHT_BROWSER_BACKGROUND";

/** Whether this process belongs to a browser suite started beside the Node suite. */
export const inBackground = (): boolean => !!process.env[BROWSER_BACKGROUND_ENV];

/** Whether the Node suite this browser suite was started beside still runs. */
export const nodeSuiteRunning = (): boolean => inBackground() && existsSync(process.env[BROWSER_BACKGROUND_ENV]!);

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
export async function yieldAutogroup(pid: number | "self", nice = BACKGROUND_NICE): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await writeFile(`/proc/${pid}/autogroup`, String(nice));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
      await new Promise((r) => setTimeout(r, 120));
    }
  }
}

/** Every process's pid, parent pid and command (from /proc; empty where there is none). */
function processes(): { pid: number; ppid: number; comm: string }[] {
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      return [{ pid: Number(entry), ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), comm }];
    } catch {
      return []; // the process ended while listed
    }
  });
}

/** Pids of this process's children whose command contains `name`. */
export function childPids(name: string): number[] {
  return processes().filter((p) => p.ppid === process.pid && p.comm.includes(name)).map((p) => p.pid);
}

/**
 * Back to the normal priority for `root` and every process under it (once the Node suite has
 * ended: other work on the machine must not starve the rest). Autogroups are set once each; the
 * processes' own nice goes back to 0 where the system allows it (raising priority may need a
 * privilege: then only the autogroups change, which is what counts under autogroup scheduling).
 */
export async function restorePriority(root: number): Promise<void> {
  const all = processes();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) (tree.add(p.pid), (grew = true));
  }
  const groups = new Set<string>();
  for (const pid of tree) {
    try {
      setPriority(pid, 0);
    } catch {
      // not permitted, or ended
    }
    const group = readFileSafe(`/proc/${pid}/autogroup`).split(" ")[0];
    if (group && !groups.has(group)) (groups.add(group), await yieldAutogroup(pid, 0));
  }
}

const readFileSafe = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};
