/**
 * Once per Node-suite run: a scratch folder the run's test files share (they run in separate
 * processes), for artefacts that are the same for every file of one run, such as the tarball of
 * `npm pack` (test/install-support/npm.ts). Removed when the run ends.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder shared by the test files of one run (empty string when the run has none). */
    runScratch: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), "porelight-test-run-"));
  project.provide("runScratch", dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
