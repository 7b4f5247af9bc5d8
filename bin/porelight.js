#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly so `npm ci` needs no build step.
import { register } from "tsx/esm/api";

// Commands that run the pipeline in this process load these plain-JavaScript ES modules before
// tsx's hooks exist: every module loaded after register() passes through the hooks, and for
// Babylon.js's ≈ 2,000 files that cost ≈ 5 CPU s per job, a seventh of a draft job
// (docs/benchmarks.md). The TypeScript modules that import them later get these same instances.
const PIPELINE_COMMANDS = new Set(["reconstruct", "batch", "demo"]);
const PRELOADED_MODULES = ["@babylonjs/core", "@gltf-transform/core", "@gltf-transform/extensions", "@gltf-transform/functions"];
if (PIPELINE_COMMANDS.has(process.argv[2])) for (const name of PRELOADED_MODULES) await import(name);

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
