#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly so `npm ci` needs no build step.
import { register } from "tsx/esm/api";
import { preloadPipelinePackages, runsPipeline } from "./preload.js";

// A command that runs the pipeline here loads its plain-JavaScript packages before tsx's hooks
// exist (bin/preload.js); the other commands never import them.
const argv = process.argv.slice(2);
if (runsPipeline(argv)) await preloadPipelinePackages();

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(argv);
