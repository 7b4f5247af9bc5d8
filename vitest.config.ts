import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**"],
    // A scratch folder shared by the run's files (one `npm pack` for both install tests).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Model conversion and inference use both cores; parallel files would only thrash.
    fileParallelism: false,
  },
});
