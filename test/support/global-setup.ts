/**
 * Once per Node-suite run: a scratch folder the run's test files share (they run in separate
 * processes), for artefacts that are the same for every file of one run, such as the tarball of
 * `npm pack` (test/install-support/npm.ts). Removed when the run ends.
 *
 * Under `npm test` (the browser suite follows), it also starts the browser close-up test's job in
 * the background at the lowest priority (closeup-job.ts), on the cores this suite leaves idle.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { CHROMIUM } from "../browser/harness.ts";
import { startCloseupJobInBackground } from "./closeup-job.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder shared by the test files of one run (empty string when the run has none). */
    runScratch: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // npm sets npm_lifecycle_event to the script it runs: "test" is `npm test`, whose next step is the browser suite.
  if (process.env.npm_lifecycle_event === "test" && existsSync(CHROMIUM)) {
    const pid = startCloseupJobInBackground();
    process.stderr.write(`node tests: the browser close-up job (high) is being made in the background at nice 19 (pid ${pid})\n`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "porelight-test-run-"));
  project.provide("runScratch", dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
