/**
 * A real redis-server for the queue tests (Debian's package; .ci/run installs it): its own
 * loopback port and temp directory, append-only file on so a stop and start keeps the queue, as
 * a production Redis for porelight should be configured (docs/queue.md).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** SIGTERM (Redis flushes its log and exits) and wait for the exit. */
  stop(): Promise<void>;
  /** Start again on the same port and directory. */
  start(): Promise<void>;
  /** Stop and delete the directory. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startTestRedis(): Promise<TestRedis> {
  if (spawnSync("redis-server", ["--version"]).error) throw new Error("redis-server is not installed: apt-get install redis-server (.ci/run does)");
  const dir = mkdtempSync(join(tmpdir(), "porelight-redis-"));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no"];
    const p = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    proc = p;
    await new Promise<void>((resolve, reject) => {
      let log = "";
      const onData = (chunk: Buffer) => {
        log += chunk;
        if (/Ready to accept connections/.test(log)) resolve();
      };
      p.stdout!.on("data", onData);
      p.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)));
    });
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
