import { defineConfig } from "vitest/config";

// Browser tests: playwright-core driving Debian's Chromium (WebGL2 through SwiftShader).
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    // One real job (pipeline, preset draft) for the whole suite.
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
