/**
 * The order the Node suite starts its files in (vitest.config.ts): the file whose job the browser
 * suite waits for, then the slow files, slowest first, then the rest in vitest's own order. With two files at a time, a long file started last
 * would run alone at the end; started first, the short files fill the other worker around it
 * (longest-processing-time-first scheduling). vitest sorts by the durations of the last run it
 * remembers, but a clean clone (CI) has none and would sort by file size, which says little about
 * time; the list below holds for every run.
 */
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Wall seconds of each slow file on the 2-core reference machine, two files at a time
 * (clean-clone `.ci/run` of 9e9d1e6, docs/testing.md). Only the order matters: refresh the figures
 * when a file's cost changes a lot, add a file when it takes more than a few seconds.
 */
export const SLOW_FILE_SECONDS: Readonly<Record<string, number>> = {
  "test/queue-real.test.ts": 258,
  "test/install-global.test.ts": 208,
  "test/install-editor-plugin.test.ts": 164,
  "test/reconstruct.test.ts": 122,
  "test/eval.test.ts": 60,
  "test/daemon-pipeline.test.ts": 51,
  "test/queue.test.ts": 41,
  "test/tone.test.ts": 37,
  "test/fit.test.ts": 30,
  "test/delight.test.ts": 26,
  "test/daemon-processes.test.ts": 23,
  "test/models-cache.test.ts": 19,
  "test/expression.test.ts": 18,
  "test/fit-silhouette.test.ts": 17,
  "test/capture.test.ts": 17,
  "test/models-esrgan-parity.test.ts": 12,
  "test/fit-intrinsics.test.ts": 10,
  "test/head.test.ts": 9,
  "test/daemon-worker.test.ts": 9,
  "test/service.test.ts": 7,
  "test/plugin-daemon.test.ts": 5,
};

/**
 * Files started before every other, whatever their cost: reconstruct.test.ts stores the draft job
 * the browser suite renders (it was first for a trial that ran the browser suite beside this one;
 * docs/testing.md). A slow file (≈ 120 s) started first costs the schedule nothing: the short
 * files still fill the other worker at the end.
 */
export const FIRST_FILES: readonly string[] = ["test/reconstruct.test.ts"];

/** FIRST_FILES, then the known slow files, slowest first; the others after them in vitest's order. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const name = (spec: TestSpecification) => path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/");
    const rank = (spec: TestSpecification) => (FIRST_FILES.includes(name(spec)) ? Infinity : (SLOW_FILE_SECONDS[name(spec)] ?? 0));
    // Array.prototype.sort is stable: files of equal rank (all the unlisted ones) keep vitest's order.
    return ordered.sort((a, b) => (rank(a) === rank(b) ? 0 : rank(b) > rank(a) ? 1 : -1));
  }
}
