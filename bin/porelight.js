#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly so `npm ci` needs no build step.
import { register } from "tsx/esm/api";
import { preloadPipelinePackages } from "./preload.js";

// Every command loads the pipeline's plain-JavaScript packages before tsx's hooks exist
// (bin/preload.js: ≈ 5 CPU s per process): main() registers every command module, and their
// imports reach these packages whatever the command (`porelight --version` used 10 CPU s, 5 with
// the preload).
await preloadPipelinePackages();

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
