/**
 * Background work beside the Node suite (test/support/background.ts): a detached child (its own
 * session, as Playwright starts Chromium) is found among this process's children, and its
 * autogroup is lowered to the background nice, so that it yields to the suite; and a niced tree is
 * put back to the normal priority (the browser suite once the Node suite has ended).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getPriority } from "node:os";
import { BACKGROUND_NICE, childPids, restorePriority, yieldAutogroup } from "./support/background.ts";

const autogroups = existsSync("/proc/self/autogroup");

describe.skipIf(!autogroups)("background work's CPU share (Linux autogroup scheduling)", () => {
  it("finds a detached child by name and lowers its session's autogroup, not this process's", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    try {
      await new Promise<void>((resolve, reject) => (child.once("spawn", resolve), child.once("error", reject)));
      expect(childPids("sleep")).toContain(child.pid);
      expect(childPids("no-such-command")).toEqual([]);
      const own = readFileSync("/proc/self/autogroup", "utf8");
      await yieldAutogroup(child.pid!);
      expect(readFileSync(`/proc/${child.pid}/autogroup`, "utf8")).toMatch(new RegExp(`nice ${BACKGROUND_NICE}\\s*$`));
      expect(readFileSync("/proc/self/autogroup", "utf8")).toBe(own);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("puts a niced process tree back to the normal priority: its autogroups, and its processes where permitted", async () => {
    // A detached, niced shell with a child of its own (as the browser suite's vitest and its workers).
    const child = spawn("nice", ["-n", String(BACKGROUND_NICE), "sh", "-c", "sleep 30 & wait"], { detached: true, stdio: "ignore" });
    try {
      await new Promise<void>((resolve, reject) => (child.once("spawn", resolve), child.once("error", reject)));
      await yieldAutogroup(child.pid!);
      const grandchild = async () => { for (;;) { const [pid] = childPidsOf(child.pid!); if (pid) return pid; await new Promise((r) => setTimeout(r, 20)); } };
      const sleeper = await grandchild();
      expect(readFileSync(`/proc/${sleeper}/autogroup`, "utf8")).toMatch(new RegExp(`nice ${BACKGROUND_NICE}\\s*$`));
      await restorePriority(child.pid!);
      expect(readFileSync(`/proc/${sleeper}/autogroup`, "utf8")).toMatch(/nice 0\s*$/);
      // Raising a priority needs a privilege: checked where the tests run with it (as root on CI).
      if (process.getuid?.() === 0) for (const pid of [child.pid!, sleeper]) expect(getPriority(pid)).toBe(0);
    } finally {
      process.kill(-child.pid!, "SIGKILL");
    }
  });
});

/** Children of `parent` (from /proc). */
function childPidsOf(parent: number): number[] {
  return readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}
