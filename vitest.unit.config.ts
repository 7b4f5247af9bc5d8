import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";
import full from "./vitest.config.ts";

/**
 * `npm run test:unit`: the fast inner loop, the test files listed below, each testing a stage or a
 * module on inputs it builds itself. `npm test` runs these and everything else: real jobs through
 * reconstruct, the daemon, the CLI, the client, the Editor plugin against a daemon, model parity
 * against TF.js, the evaluation, the browser. A new test file runs in `npm test` only until it is
 * added here; add it when it is quick (seconds) and starts no job, server or process.
 */
export const UNIT_TESTS = [
  "test/cast-shadow.test.ts",
  "test/complete.test.ts",
  "test/delight.test.ts",
  "test/estimators.test.ts",
  "test/eval-identities.test.ts",
  "test/eyes.test.ts",
  "test/fit.test.ts",
  "test/gutter.test.ts",
  "test/head.test.ts",
  "test/import-cycles.test.ts",
  "test/job-cache.test.ts",
  "test/manifest.test.ts",
  "test/materials.test.ts",
  "test/normals.test.ts",
  "test/shading-relief.test.ts",
  "test/package-validation.test.ts",
  "test/package.test.ts",
  "test/primitives.test.ts",
  "test/queue-job-format.test.ts",
  "test/raster.test.ts",
  "test/render.test.ts",
  "test/scene-illuminant.test.ts",
  "test/sequencer.test.ts",
  "test/session-cache.test.ts",
  "test/skin-checks.test.ts",
  "test/skin-segment.test.ts",
  "test/specular.test.ts",
  "test/stage.test.ts",
  "test/thickness.test.ts",
  "test/tiled.test.ts",
  "test/unwrap.test.ts",
  "test/upscale.test.ts",
];

// A renamed or removed file must not drop out of the inner loop unnoticed.
const missing = UNIT_TESTS.filter((f) => !existsSync(path.join(import.meta.dirname, f)));
if (missing.length) throw new Error(`vitest.unit.config.ts lists test files that do not exist: ${missing.join(", ")}`);

export default defineConfig({ ...full, test: { ...full.test, include: UNIT_TESTS } });
