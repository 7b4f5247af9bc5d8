import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./test/support/sequencer.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**"],
    // A scratch folder shared by the run's files (one `npm pack` for both install tests).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two files at a time, one per core: much of the suite waits on child processes (npm, Redis,
    // daemons, workers) or uses less than both cores, so a second file fills the idle core; more
    // would only thrash. Each file runs in its own process with its own temp folders and ports.
    fileParallelism: true,
    maxWorkers: 2,
    // The slow files first, so no long file runs alone at the end (test/support/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
  },
});
