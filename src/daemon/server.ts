/**
 * Starts the daemon: locks the data directory and opens the store, listens, then starts the
 * queue, and shuts down cleanly on SIGINT/SIGTERM (the job that was computing is recorded as
 * interrupted; queued jobs resume on the next start).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../types.ts";
import { createApp, type DaemonApp } from "./app.ts";
import { PIPELINE_MODULE, type DaemonConfig } from "./config.ts";
import type { ReconstructFn } from "./pipeline-loader.ts";
import { reconstructInChildProcess } from "./pipeline-process.ts";

/** Niceness of the pipeline worker relative to the daemon. */
export const WORKER_NICE = 5;

/** Last-resort bound on receiving a whole request; the upload rate check (UploadGate) acts long before. */
const REQUEST_TIMEOUT_MS = 5 * 60_000;

export interface RunningDaemon {
  daemon: DaemonApp;
  server: Server;
  /** e.g. "http://127.0.0.1:7860" */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A logger for the daemon's own messages: one timestamped line each on stderr. */
export function consoleLogger(verbose = false): Logger {
  const line = (level: string, message: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  return { debug: (m) => verbose && line("debug", m), info: (m) => line("info", m), warn: (m) => line("warn", m) };
}

export interface StartOptions {
  logger?: Logger;
  /** The pipeline; by default `src/pipeline/reconstruct.ts` in a worker process. */
  reconstruct?: ReconstructFn;
}

/**
 * Locks the data directory, opens the store, listens on `config.host:config.port`, then starts
 * the queue. Throws `DataDirLockedError` when another daemon owns the data directory, and the
 * listen error (EADDRINUSE…) having released everything when the port cannot be bound.
 *
 *   const { url, close } = await startServer(resolveConfig({ port: 0 }));
 */
export async function startServer(config: DaemonConfig, options: StartOptions = {}): Promise<RunningDaemon> {
  const logger = options.logger ?? consoleLogger();
  // The worker runs at a lower CPU priority, so on a busy machine the daemon still answers
  // status requests promptly while a job computes (bench: status-poll latency).
  const worker = options.reconstruct ? null : reconstructInChildProcess({ module: PIPELINE_MODULE, logger, nice: WORKER_NICE });
  const daemon = await createApp(config, { reconstruct: options.reconstruct ?? worker!, logger });
  // Node checks the headers and request deadlines every connectionsCheckingInterval (30 s by
  // default), which would stretch a 10 s headers deadline to 40 s.
  const server = createServer(
    { headersTimeout: config.headersTimeoutMs, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs) },
    daemon.app,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
      server.listen(config.port, config.host);
    });
  } catch (err) {
    await daemon.close();
    await worker?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  await daemon.lock.setUrl(url);
  daemon.start();
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      server.close();
      server.closeIdleConnections();
      await daemon.close();
      await worker?.close();
      server.closeAllConnections();
    })());
  return { daemon, server, url, port, close };
}
