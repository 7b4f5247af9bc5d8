import { defineConfig } from "vitest/config";

// Browser tests: playwright-core driving Debian's Chromium (WebGL2 through SwiftShader).
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
