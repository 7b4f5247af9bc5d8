// Entry of the pipeline worker process (forked by src/daemon/pipeline-process.ts): the daemon's and
// `porelight worker`'s jobs run here. Plain JavaScript, like bin/porelight.js, so that the real
// pipeline's packages load before tsx registers (bin/preload.js); a test double (no "--preload")
// does not pay for packages it never imports. argv: <pipeline module> [--preload].
import { register } from "tsx/esm/api";
import { preloadPipelinePackages } from "./preload.js";

if (process.argv[3] === "--preload") await preloadPipelinePackages();
register();
await import("../src/daemon/pipeline-worker.ts");
