/** Starts an in-process daemon on a free port with a temporary data directory (tests only). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, type ConfigInput, type DaemonConfig } from "../../src/daemon/config.ts";
import type { ReconstructFn } from "../../src/daemon/pipeline-loader.ts";
import { startServer, type RunningDaemon } from "../../src/daemon/server.ts";
import { SILENT_LOGGER, type Logger } from "../../src/types.ts";

export interface TestDaemon extends RunningDaemon {
  config: DaemonConfig;
  dataDir: string;
  /** Stops the daemon and deletes its data directory. */
  dispose(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `porelight-${prefix}-`));
}

export async function startTestDaemon(reconstruct: ReconstructFn, flags: ConfigInput = {}, dataDir = tempDir("daemon"), logger: Logger = SILENT_LOGGER): Promise<TestDaemon> {
  const config = resolveConfig({ port: 0, dataDir, scenesDir: null, ...flags }, {});
  const running = await startServer(config, { reconstruct, logger });
  return {
    ...running,
    config,
    dataDir,
    async dispose() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Multipart body for POST /v1/jobs. */
export function jobForm(photo: Uint8Array, fields: Record<string, string> = {}, filename = "photo.jpg"): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("photo", new Blob([new Uint8Array(photo)]), filename);
  return form;
}

/** Polls GET /v1/jobs/:id until `predicate` holds (or throws after `timeoutMs`). */
export async function waitForJob(base: string, id: string, predicate: (job: { state: string; stage: string | null }) => boolean, timeoutMs = 20_000, headers: Record<string, string> = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await (await fetch(`${base}/v1/jobs/${id}`, { headers })).json();
    if (predicate(job)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state}/${job.stage} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A logger that keeps every line, for tests that check what the daemon logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: keep("debug"), info: keep("info"), warn: keep("warn") };
}
