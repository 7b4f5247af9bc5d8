/**
 * The order the Node suite starts its files in (vitest.config.ts): the slow files first, slowest
 * first, then the rest in vitest's own order. With two files at a time, a long file started last
 * would run alone at the end; started first, the short files fill the other worker around it
 * (longest-processing-time-first scheduling). vitest sorts by the durations of the last run it
 * remembers, but a clean clone (CI) has none and would sort by file size, which says little about
 * time; the list below holds for every run.
 */
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Wall seconds of each slow file on the 2-core reference machine, two files at a time
 * (clean-clone `.ci/run` of c317b8a, docs/testing.md). Only the order matters: refresh the figures
 * when a file's cost changes a lot, add a file when it takes more than a few seconds.
 */
export const SLOW_FILE_SECONDS: Readonly<Record<string, number>> = {
  "test/install-global.test.ts": 190,
  "test/queue-real.test.ts": 185,
  "test/install-editor-plugin.test.ts": 169,
  "test/reconstruct.test.ts": 107,
  "test/eval.test.ts": 52,
  "test/daemon-pipeline.test.ts": 51,
  "test/queue.test.ts": 43,
  "test/tone.test.ts": 38,
  "test/daemon-processes.test.ts": 22,
  "test/fit.test.ts": 19,
  "test/capture.test.ts": 18,
  "test/delight.test.ts": 18,
  "test/models-cache.test.ts": 18,
  "test/fit-silhouette.test.ts": 16,
  "test/models-esrgan-parity.test.ts": 12,
  "test/service.test.ts": 12,
  "test/expression.test.ts": 10,
  "test/plugin-daemon.test.ts": 9,
  "test/head.test.ts": 8,
};

/** Known slow files first, slowest first; the others after them in vitest's order. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const seconds = (spec: TestSpecification) => SLOW_FILE_SECONDS[path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/")] ?? 0;
    // Array.prototype.sort is stable: files of equal cost (all the unlisted ones) keep vitest's order.
    return ordered.sort((a, b) => seconds(b) - seconds(a));
  }
}
