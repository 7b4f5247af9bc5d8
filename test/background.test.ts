/**
 * Background work beside the Node suite (test/support/background.ts): a detached child (its own
 * session, as the close-up job runs) has its autogroup lowered to the background nice, so that it
 * yields to the suite, and this process's own autogroup is left alone.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BACKGROUND_NICE, yieldAutogroup } from "./support/background.ts";

const autogroups = existsSync("/proc/self/autogroup");

describe.skipIf(!autogroups)("background work's CPU share (Linux autogroup scheduling)", () => {
  it("lowers a detached child's session's autogroup, not this process's", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    try {
      await new Promise<void>((resolve, reject) => (child.once("spawn", resolve), child.once("error", reject)));
      const own = readFileSync("/proc/self/autogroup", "utf8");
      await yieldAutogroup(child.pid!);
      expect(readFileSync(`/proc/${child.pid}/autogroup`, "utf8")).toMatch(new RegExp(`nice ${BACKGROUND_NICE}\\s*$`));
      expect(readFileSync("/proc/self/autogroup", "utf8")).toBe(own);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
