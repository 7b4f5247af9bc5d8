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
import { ASTRONAUT_PHOTO, DRAFT_JOB_OPTIONS } from "../support/closeup-job.ts";
import { cachedJob } from "../support/job-cache.ts";
import { buildScenes, SCENES_DIST } from "../../scripts/build-scenes.ts";
import { inBackground } from "../support/background.ts";
import { CHROMIUM, ensureScenesBuilt, writeJobFiles } from "./harness.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder holding the outputs of one real job (head.babylon, maps/…). */
    jobDir: string;
    /** The built sample scenes the tests serve as /scenes/ (sample-scenes/dist, or this suite's own build). */
    scenesDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    project.provide("jobDir", ""); // the tests skip themselves and say why
    project.provide("scenesDir", SCENES_DIST);
    return async () => {};
  }
  // Beside the Node suite (npm test), whose `npm pack` rebuilds sample-scenes/dist in place (the
  // package's `prepare`: removed, then written again), this suite serves a build of its own.
  const ownScenes = inBackground() ? await mkdtemp(path.join(tmpdir(), "porelight-browser-scenes-")) : null;
  if (ownScenes) await buildScenes(ownScenes);
  else await ensureScenesBuilt();
  project.provide("scenesDir", ownScenes ?? SCENES_DIST);
  const jobDir = await mkdtemp(path.join(tmpdir(), "porelight-browser-job-"));
  const t0 = performance.now();
  const photo = await readFile(ASTRONAUT_PHOTO);
  const { files, cached } = await cachedJob(photo, DRAFT_JOB_OPTIONS, async () => (await reconstruct(photo, DRAFT_JOB_OPTIONS)).files);
  await writeJobFiles(jobDir, files);
  const made = cached ? "the stored job of these sources" : "real job";
  process.stderr.write(`browser tests: ${made} (draft, astronaut) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${jobDir}\n`);
  project.provide("jobDir", jobDir);
  return async () => {
    await rm(jobDir, { recursive: true, force: true });
    if (ownScenes) await rm(ownScenes, { recursive: true, force: true });
  };
}
