/**
 * bin/porelight.js preloads the pipeline's packages (Babylon.js, glTF-Transform) before tsx only
 * for the commands that run the pipeline in the CLI's own process (bin/preload.js). The other
 * commands must then not load them at all: loaded after tsx, they would cost more than the preload
 * saved. One child process imports every other command's module and reports what it resolved.
 */
import { describe, expect, it } from "vitest";
import { PIPELINE_COMMANDS, runsPipeline } from "../bin/preload.js";
import { COMMAND_NAMES } from "../src/cli/main.ts";
import { repoRelative, resolvedByGroup } from "./support/loaded-modules.ts";

const PIPELINE_PACKAGE = /\/node_modules\/(@babylonjs\/core|@gltf-transform\/[a-z]+)\//;

describe("the CLI's preload of the pipeline packages", () => {
  it("is decided by the command word, as main() reads it", () => {
    expect(runsPipeline(["reconstruct", "a.jpg", "--preset", "draft"])).toBe(true);
    expect(runsPipeline(["--json", "batch", "photos/"])).toBe(true);
    expect(runsPipeline(["serve", "--port", "0"])).toBe(false);
    expect(runsPipeline(["--version"])).toBe(false);
    expect(runsPipeline([])).toBe(false);
    for (const c of PIPELINE_COMMANDS) expect(COMMAND_NAMES).toContain(c);
  });

  it("is not needed by any other command: none of their modules loads Babylon.js or glTF-Transform", () => {
    // `head` writes the template head's GLB with glTF-Transform's core alone (not preloaded).
    const others = COMMAND_NAMES.filter((c) => !PIPELINE_COMMANDS.includes(c) && c !== "head");
    expect(others).toEqual(expect.arrayContaining(["serve", "worker", "queue", "models"]));
    // Then a module that does load one (head's GLB writer), so the probe is seen to see them.
    const imports = [...others.map((c) => `src/cli/commands/${c}.ts`), "mark", "src/geometry/glb.ts"];
    const groups = resolvedByGroup(imports.map((m) => (m === "mark" ? "mark();" : `await import(${JSON.stringify(`./${m}`)});`)).join("\n"));
    const packages = groups.map((g) => [...new Set(g.filter((r) => PIPELINE_PACKAGE.test(r.url) && !PIPELINE_PACKAGE.test(r.parent)).map((r) => `${PIPELINE_PACKAGE.exec(r.url)![1]} (${repoRelative(r.parent)})`))]);
    expect(packages).toEqual([[], ["@gltf-transform/core (src/geometry/glb.ts)"]]);
  }, 60_000);
});
