import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TestSpecification, Vitest } from "vitest/node";
import SlowFirstSequencer, { FIRST_FILES, SLOW_FILE_SECONDS } from "./support/sequencer.ts";

const ROOT = path.join(import.meta.dirname, "..");

/** The parts of a spec and of vitest that the sequencer reads: a file of one plain project, and no remembered durations. */
function spec(file: string): TestSpecification {
  const project = { name: "", config: { root: ROOT, isolate: true, sequence: { groupOrder: 0 } } };
  return { project, moduleId: path.join(ROOT, file) } as unknown as TestSpecification;
}
const noHistory = { config: { root: ROOT }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;

describe("the Node suite's file order", () => {
  it("starts reconstruct.test.ts (the browser suite's job) first, then the listed slow files, slowest first, and leaves the others in vitest's order", async () => {
    const files = ["test/raster.test.ts", "test/queue-real.test.ts", "test/stage.test.ts", "test/install-global.test.ts", "test/reconstruct.test.ts", "test/eval.test.ts", "test/gutter.test.ts"];
    const sorted = await new SlowFirstSequencer(noHistory).sort(files.map(spec));
    expect(sorted.map((s) => path.relative(ROOT, s.moduleId))).toEqual([
      "test/reconstruct.test.ts",
      "test/queue-real.test.ts",
      "test/install-global.test.ts",
      "test/eval.test.ts",
      "test/raster.test.ts",
      "test/stage.test.ts",
      "test/gutter.test.ts",
    ]);
  });

  it("lists only files that exist (a renamed slow file must not drop to the end unnoticed)", () => {
    const missing = [...Object.keys(SLOW_FILE_SECONDS), ...FIRST_FILES].filter((f) => !existsSync(path.join(ROOT, f)));
    expect(missing).toEqual([]);
  });
});
