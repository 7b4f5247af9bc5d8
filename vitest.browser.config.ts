import { defineConfig } from "vitest/config";
import { BROWSER_TIME_SCALE } from "./test/support/background.ts";

// Browser tests: playwright-core driving Debian's Chromium (WebGL2 through SwiftShader).
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    // One real job (pipeline, preset draft) for the whole suite.
    globalSetup: ["test/browser/global-setup.ts"],
    // Stretched when the suite runs beside the Node suite at the lowest priority (npm test, test/support/background.ts).
    testTimeout: 180_000 * BROWSER_TIME_SCALE,
    hookTimeout: 300_000 * BROWSER_TIME_SCALE,
    fileParallelism: false,
  },
});
