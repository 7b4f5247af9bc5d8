/**
 * Running test work beside the Node suite on the cores it leaves idle (tests only): the close-up
 * job made ahead (closeup-job.ts), at the lowest CPU priority, so it may wait minutes for a core
 * while the Node suite keeps both busy.
 */
import { writeFile } from "node:fs/promises";

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
