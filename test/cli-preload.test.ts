/**
 * bin/porelight.js preloads the pipeline's packages (Babylon.js's modules the .babylon writer
 * uses, glTF-Transform) before tsx, and only for the commands that run the pipeline in the CLI's
 * own process (bin/preload.js). The list must be what the pipeline imports of those packages, and
 * the other commands must not load them at all: loaded after tsx, they would cost more than the
 * preload saves. One child process imports the modules and reports what it resolved.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PIPELINE_COMMANDS, PIPELINE_PACKAGES, runsPipeline } from "../bin/preload.js";
import { COMMAND_NAMES } from "../src/cli/main.ts";
import { repoRelative, resolvedByGroup, type Resolved } from "./support/loaded-modules.ts";

const PIPELINE_PACKAGE = /\/node_modules\/(@babylonjs\/core|@gltf-transform\/[a-z]+)\//;
// `head` writes the template head's GLB with glTF-Transform's core alone (not preloaded).
const OTHER_COMMANDS = COMMAND_NAMES.filter((c) => !PIPELINE_COMMANDS.includes(c) && c !== "head");

/** What our own modules (not the packages among themselves) resolve of the pipeline packages. */
const packageImports = (group: Resolved[]) => group.filter((r) => PIPELINE_PACKAGE.test(r.url) && !r.parent.includes("/node_modules/"));

let otherCommands: Resolved[], control: Resolved[], pipeline: Resolved[];
beforeAll(() => {
  // The other commands' modules; then head's GLB writer, which does load a package, so the probe
  // is seen to see them; then the pipeline as a pipeline command loads it.
  const steps = [...OTHER_COMMANDS.map((c) => `src/cli/commands/${c}.ts`), "mark", "src/geometry/glb.ts", "mark", "src/pipeline/reconstruct.ts", "src/pipeline/package.ts"];
  [otherCommands, control, pipeline] = resolvedByGroup(steps.map((m) => (m === "mark" ? "mark();" : `await import(${JSON.stringify(`./${m}`)});`)).join("\n"));
}, 120_000);

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
    expect(OTHER_COMMANDS).toEqual(expect.arrayContaining(["serve", "worker", "queue", "models"]));
    expect(packageImports(otherCommands).map((r) => `${r.specifier} (${repoRelative(r.parent)})`)).toEqual([]);
    expect(packageImports(control).map((r) => `${r.specifier} (${repoRelative(r.parent)})`)).toEqual(["@gltf-transform/core (src/geometry/glb.ts)"]);
  });

  it("loads exactly the modules of those packages that the pipeline imports (Babylon.js by module, not its index)", () => {
    const imported = [...new Set(packageImports(pipeline).map((r) => r.specifier))].sort();
    expect(imported).toContain("@babylonjs/core/Misc/sceneSerializer.js");
    expect(imported).not.toContain("@babylonjs/core");
    expect(imported).toEqual([...PIPELINE_PACKAGES].sort());
  });
});
