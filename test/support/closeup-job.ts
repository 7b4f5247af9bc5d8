/**
 * The close-up browser test's job (test/browser/closeup.test.ts: the astronaut at preset `high`,
 * ≈ 100 s alone on the reference machine, most of that file's time), made ahead during `npm test`.
 * The Node suite's global setup starts it in a background process at the lowest CPU priority
 * (nice 19), so it only takes CPU the Node suite leaves idle (that suite uses ≈ 1.3 of the 2 cores
 * on average: docs/testing.md), and stores it in the job cache (job-cache.ts); the close-up test
 * takes it from there, waiting for it if it is still being made, or makes it itself when it is not
 * stored (the browser suite run alone, or sources changed since).
 *   node --import tsx test/support/closeup-job.ts   (what the background process runs)
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ReconstructOptions } from "../../src/types.ts";
import { BACKGROUND_NICE, yieldAutogroup } from "./background.ts";
import { makeJobForOthers } from "./job-cache.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The public-domain astronaut photo both browser jobs are made from. */
export const ASTRONAUT_PHOTO = path.join(ROOT, "test", "fixtures", "astronaut-nasa-public-domain.png");
/** Preset `high` (≈ 0.09 mm texels): the suite's draft job (0.35 mm) resolves no pores by design. */
export const CLOSEUP_JOB_OPTIONS: ReconstructOptions = { preset: "high", face: 0, formats: ["glb", "babylon", "maps"] };

/** Starts making the close-up job in a detached background process at nice 19; returns its pid. */
export function startCloseupJobInBackground(): number | undefined {
  const child = spawn("nice", ["-n", String(BACKGROUND_NICE), process.execPath, "--import", "tsx", fileURLToPath(import.meta.url)], { cwd: ROOT, detached: true, stdio: "ignore" });
  child.on("error", () => {}); // no `nice`: the close-up test makes the job itself
  child.unref();
  return child.pid;
}

async function main(): Promise<void> {
  // Detached: its own session, so its own autogroup, which must yield too (background.ts).
  await yieldAutogroup("self");
  const { reconstruct } = await import("../../src/pipeline/reconstruct.ts");
  const photo = await readFile(ASTRONAUT_PHOTO);
  await makeJobForOthers(photo, CLOSEUP_JOB_OPTIONS, async () => (await reconstruct(photo, CLOSEUP_JOB_OPTIONS)).files);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
