/**
 * The daemon's express application: guards, the `/v1` API, the sample scenes at `/scenes/`, and
 * JSON errors. `createApp` locks the data directory and opens the job store; it neither listens
 * nor starts the queue (`start()`, once the server listens: a daemon that cannot bind its port
 * must not have computed anything).
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { STATUS_CODES } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";
import type { HealthView } from "./api.ts";
import type { DaemonConfig } from "./config.ts";
import { lockDataDir, type DataDirLock } from "./data-lock.ts";
import { HttpError, oneLine } from "./http-error.ts";
import { JobRunner } from "./job-runner.ts";
import { JobStore } from "./job-store.ts";
import { jobsRouter } from "./jobs-routes.ts";
import { listModels } from "./models-route.ts";
import { openApiHandler } from "./openapi.ts";
import type { ReconstructFn } from "./pipeline-loader.ts";
import { baseHeaders, bearerAuth, hostGuard, originGuard } from "./security.ts";
import { UploadGate } from "./upload-gate.ts";

export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

export interface AppDeps {
  /** The pipeline, behind the one `ReconstructFn` signature (the daemon passes a worker-process runner). */
  reconstruct: ReconstructFn;
  logger?: Logger;
}

export interface DaemonApp {
  app: express.Express;
  store: JobStore;
  runner: JobRunner;
  /** This process's hold on the data directory, released by `close()`. */
  lock: DataDirLock;
  /** Starts the queue: resumes the jobs that were waiting. Call once the server listens. */
  start(): void;
  /** Stops the queue (a running job becomes interrupted), flushes the store and releases the lock. */
  close(): Promise<void>;
}

/**
 * Builds the daemon: locks `config.dataDir` (throws `DataDirLockedError` if another daemon owns
 * it), opens the job store (jobs that were running become interrupted) and returns the express
 * app. Queued jobs resume on `start()`.
 *
 *   const daemon = await createApp(resolveConfig(), { reconstruct });
 *   daemon.app.listen(7860, "127.0.0.1", () => daemon.start());
 */
export async function createApp(config: DaemonConfig, deps: AppDeps): Promise<DaemonApp> {
  const logger = deps.logger ?? SILENT_LOGGER;
  // Before the store: opening it marks running jobs interrupted, which is only true for their owner.
  const lock = await lockDataDir(config.dataDir);
  let store: JobStore;
  try {
    store = await JobStore.open(config.dataDir, { logger });
  } catch (err) {
    await lock.release();
    throw err;
  }
  const runner = new JobRunner(store, deps.reconstruct, { queueLimit: config.queueLimit, logger });
  const uploads = new UploadGate({ maxUploads: config.maxUploads, graceMs: config.uploadGraceMs, minBytesPerS: config.uploadMinBytesPerS });
  const startedAt = Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const delayMs = (ns: number) => Math.round(ns / 1e4) / 100;

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(baseHeaders, hostGuard(config), originGuard(config));

  app.get("/v1/health", (_req, res) => {
    const health: HealthView = {
      ok: true,
      version: VERSION,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      queue: { running: runner.runningCount, queued: runner.queuedCount, limit: config.queueLimit, uploading: uploads.uploading, uploadLimit: config.maxUploads },
      // The histogram counts the sampling resolution (10 ms) into every delay; subtract it back out.
      eventLoopDelayMs: {
        p50: Math.max(0, delayMs(loopDelay.percentile(50)) - 10),
        p99: Math.max(0, delayMs(loopDelay.percentile(99)) - 10),
        max: Math.max(0, delayMs(loopDelay.max) - 10),
      },
    };
    res.setHeader("Cache-Control", "no-store").json(health);
  });
  app.get("/v1/openapi.json", openApiHandler({ version: VERSION }));

  const api = express.Router();
  api.use(bearerAuth(config), (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  api.get("/models", async (_req, res) => {
    res.json(await listModels());
  });
  api.use("/jobs", jobsRouter(config, store, runner, uploads));
  api.use((req) => {
    throw new HttpError(404, "not_found", `no route ${req.method} /v1${req.path}`);
  });
  app.use("/v1", api);

  // Static, repository-built content with no job data: served without the token so a browser can
  // open it. Mounted even if not built yet: a build made while the daemon runs is served at once.
  if (config.scenesDir) {
    app.use("/scenes", express.static(config.scenesDir, { dotfiles: "deny", index: "index.html", fallthrough: true }));
  }

  app.use((req: Request) => {
    throw new HttpError(404, "not_found", `no route ${req.method} ${req.path}`);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (req.socket.destroyed) {
      logger.debug(`client went away: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    const httpError = asHttpError(err);
    if (!httpError) logger.warn(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    const e = httpError ?? new HttpError(500, "internal", "internal error; see the daemon's log");
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).json(e.toBody());
  });

  let started = false;
  return {
    app,
    store,
    runner,
    lock,
    start: () => {
      if (!started) runner.resume();
      started = true;
    },
    close: async () => {
      loopDelay.disable();
      await runner.close();
      await lock.release();
    },
  };
}

/**
 * The errors that express and its helpers raise for a bad request carry a 4xx `status` (a
 * malformed percent escape in a route parameter, a static file path that cannot be decoded): they
 * are the client's problem and are answered as such, never as 500.
 */
function asHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; expose?: boolean; message?: string };
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : 0;
  if (err instanceof URIError || (status === 400 && /decode/i.test(e.message ?? ""))) {
    return new HttpError(400, "invalid_url", "the URL has a malformed percent escape (% must be followed by two hex digits encoding UTF-8)");
  }
  if (status === 413) return new HttpError(413, "upload_too_large", "the request body is too large");
  if (status >= 400 && status < 500) {
    const code = status === 404 ? "not_found" : "bad_request";
    return new HttpError(status, code, e.expose !== false && e.message ? oneLine(e.message) : (STATUS_CODES[status] ?? "bad request"));
  }
  return null;
}
