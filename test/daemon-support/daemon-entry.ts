/**
 * A daemon process whose pipeline is the TEST DOUBLE, run in a worker process exactly as the real
 * pipeline is. Tests spawn this, kill it hard mid-job, and start it again on the same data dir.
 * argv: <dataDir>. Behaviour of the double: env PORELIGHT_TEST_DOUBLE (JSON).
 * A daemon that cannot start prints the reason on stderr and exits 2, as `porelight serve` does.
 */
import { fileURLToPath } from "node:url";
import { resolveConfig } from "../../src/daemon/config.ts";
import { reconstructInChildProcess } from "../../src/daemon/pipeline-process.ts";
import { startServer } from "../../src/daemon/server.ts";
import { SILENT_LOGGER } from "../../src/types.ts";

const dataDir = process.argv[2];
const worker = reconstructInChildProcess({ module: fileURLToPath(new URL("./reconstruct-test-double.ts", import.meta.url)) });
const running = await startServer(resolveConfig({ port: 0, dataDir, scenesDir: null }, {}), { reconstruct: worker, logger: SILENT_LOGGER }).catch(async (err: Error) => {
  process.stderr.write(`daemon-entry: ${err.message}\n`);
  await worker.close();
  process.exit(2);
});
process.stdout.write(`listening on ${running.url}\n`);
process.once("SIGTERM", () => {
  void running.close().then(() => worker.close()).then(() => process.exit(0));
});
