/**
 * Once for the whole browser suite: builds the sample scenes when missing and makes one real job
 * with the pipeline (`reconstruct`, preset draft) from the public-domain astronaut photo into a
 * temporary folder, which the tests serve as /job/. Tests read the folder with `inject("jobDir")`.
 * The job is the one the Node suite's reconstruct.test.ts made and checked when the sources have not
 * changed since (test/support/job-cache.ts), so `npm test` makes it once.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { reconstruct } from "../../src/pipeline/reconstruct.ts";
import type { ReconstructOptions } from "../../src/types.ts";
import { ASTRONAUT_PHOTO } from "../support/closeup-job.ts";
import { cachedJob } from "../support/job-cache.ts";
import { CHROMIUM, ensureScenesBuilt, writeJobFiles } from "./harness.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder holding the outputs of one real job (head.babylon, maps/…). */
    jobDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    project.provide("jobDir", ""); // the tests skip themselves and say why
    return async () => {};
  }
  await ensureScenesBuilt();
  const jobDir = await mkdtemp(path.join(tmpdir(), "porelight-browser-job-"));
  const t0 = performance.now();
  const photo = await readFile(ASTRONAUT_PHOTO);
  const options: ReconstructOptions = { preset: "draft", face: 0, formats: ["glb", "babylon", "maps"] };
  const { files, cached } = await cachedJob(photo, options, async () => (await reconstruct(photo, options)).files);
  await writeJobFiles(jobDir, files);
  const made = cached ? "the stored job of these sources" : "real job";
  process.stderr.write(`browser tests: ${made} (draft, astronaut) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${jobDir}\n`);
  project.provide("jobDir", jobDir);
  return async () => {
    await rm(jobDir, { recursive: true, force: true });
  };
}
