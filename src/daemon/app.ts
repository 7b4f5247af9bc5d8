/**
 * The daemon's express application: guards, the `/v1` API, the sample scenes at `/scenes/`, and
 * JSON errors. `createApp` opens the job store and starts the queue; it does not listen.
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";
import type { HealthView } from "./api.ts";
import type { DaemonConfig } from "./config.ts";
import { HttpError } from "./http-error.ts";
import { JobRunner } from "./job-runner.ts";
import { JobStore } from "./job-store.ts";
import { jobsRouter } from "./jobs-routes.ts";
import { listModels } from "./models-route.ts";
import { openApiHandler } from "./openapi.ts";
import type { ReconstructFn } from "./pipeline-loader.ts";
import { baseHeaders, bearerAuth, hostGuard, originGuard } from "./security.ts";

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
  /** Stops the queue (a running job becomes interrupted) and flushes the store. */
  close(): Promise<void>;
}

/**
 * Builds the daemon: opens the job store under `config.dataDir` (jobs that were running become
 * interrupted, queued ones are resumed) and returns the express app.
 *
 *   const { app } = await createApp(resolveConfig(), { reconstruct });
 *   app.listen(7860, "127.0.0.1");
 */
export async function createApp(config: DaemonConfig, deps: AppDeps): Promise<DaemonApp> {
  const logger = deps.logger ?? SILENT_LOGGER;
  const store = await JobStore.open(config.dataDir, logger);
  const runner = new JobRunner(store, deps.reconstruct, { queueLimit: config.queueLimit, logger });
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
      queue: { running: runner.runningCount, queued: runner.queuedCount, limit: config.queueLimit },
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
  api.use("/jobs", jobsRouter(config, store, runner));
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
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const httpError =
      err instanceof HttpError
        ? err
        : (err as { type?: string; status?: number }).status === 413
          ? new HttpError(413, "upload_too_large", "the request body is too large")
          : null;
    if (!httpError) logger.warn(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    const e = httpError ?? new HttpError(500, "internal", "internal error; see the daemon's log");
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).json(e.toBody());
  });

  runner.resume();
  return {
    app,
    store,
    runner,
    close: async () => {
      loopDelay.disable();
      await runner.close();
    },
  };
}
