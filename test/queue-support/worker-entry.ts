/**
 * A `porelight worker` process whose pipeline is the TEST DOUBLE, run in pipeline worker processes
 * exactly as the real pipeline is. argv: the worker's flags. Behaviour of the double: env
 * PORELIGHT_TEST_DOUBLE (JSON). Tests kill it with SIGKILL mid-job.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_WORKER_DEPS, workerCommand } from "../../src/cli/commands/worker.ts";
import { reconstructInChildProcess } from "../../src/daemon/pipeline-process.ts";

const DOUBLE = fileURLToPath(new URL("../daemon-support/reconstruct-test-double.ts", import.meta.url));
const { values } = parseArgs({ options: { queue: { type: "string" }, out: { type: "string" }, concurrency: { type: "string" }, "stalled-after": { type: "string" }, name: { type: "string" } } });
try {
  await workerCommand(
    { queue: values.queue!, out: values.out!, concurrency: values.concurrency, stalledAfter: values["stalled-after"], name: values.name },
    { ...DEFAULT_WORKER_DEPS, startPipeline: () => reconstructInChildProcess({ module: DOUBLE }) },
  );
} catch (err) {
  process.stderr.write(`worker-entry: ${(err as Error).message}\n`);
  process.exit((err as { exitCode?: number }).exitCode ?? 1);
}
