/**
 * Runs the pipeline in a separate Node process, behind the `ReconstructFn` signature: the daemon's
 * event loop stays free to answer status polls while a job computes, a crash or out-of-memory in
 * the pipeline fails one job instead of the daemon, and a cancelled job can be stopped at once.
 * The worker stays alive between jobs so model sessions are created once.
 */
import { fork, type ChildProcess } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import type { Logger, ProgressEvent, ReconstructOptions, ReconstructResult } from "../types.ts";
import { SILENT_LOGGER } from "../types.ts";
import { PIPELINE_MODULE } from "./config.ts";
import { deserializeError, type SerializedError } from "./http-error.ts";
import type { ReconstructFn } from "./pipeline-loader.ts";

export type ParentMessage = { type: "run"; photo: Uint8Array; options: ReconstructOptions } | { type: "cancel" };

export type WorkerMessage =
  | { type: "ready" }
  | { type: "progress"; event: ProgressEvent }
  | { type: "log"; level: keyof Logger; message: string }
  | { type: "done"; result: ReconstructResult }
  | { type: "error"; error: SerializedError };

/**
 * Plain JavaScript that registers tsx itself and then runs ./pipeline-worker.ts: for the real
 * pipeline it first loads the pipeline's JavaScript packages outside tsx's hooks (bin/preload.js,
 * ≈ 5 CPU s per fresh process), as the CLI does.
 */
const WORKER_ENTRY = fileURLToPath(new URL("../../bin/pipeline-worker.js", import.meta.url));

export interface ChildProcessOptions {
  /** Absolute path of the module exporting `reconstruct` (the real pipeline, or a test double). */
  module: string;
  logger?: Logger;
  /** After a cancel, how long the worker gets to stop on its own before it is killed, ms. */
  cancelGraceMs?: number;
  /** Extra Node flags for the worker (e.g. "--max-old-space-size=8192"). */
  execArgv?: string[];
  /** Extra environment variables for the worker, on top of this process's. */
  env?: Record<string, string>;
  /** Niceness added to the worker's, relative to this process (0..19): the CPU-bound pipeline yields to the daemon. Default 0. */
  nice?: number;
}

export interface ChildProcessReconstruct extends ReconstructFn {
  /** Stops the worker process (a running job is rejected). */
  close(): Promise<void>;
  /** Process id of the current worker, if one is running (tests, diagnostics). */
  readonly pid: number | undefined;
}

function abortError(): Error {
  const err = new Error("the job was cancelled");
  err.name = "AbortError";
  return err;
}

/**
 * A `ReconstructFn` that runs `options.module` in a worker process; one job at a time.
 *
 *   const reconstruct = reconstructInChildProcess({ module: PIPELINE_MODULE });
 *   const result = await reconstruct(photo, options, { onProgress });
 */
export function reconstructInChildProcess(options: ChildProcessOptions): ChildProcessReconstruct {
  const logger = options.logger ?? SILENT_LOGGER;
  const cancelGraceMs = options.cancelGraceMs ?? 2000;
  let child: ChildProcess | null = null;
  let busy = false;

  const spawn = (): ChildProcess => {
    // Test doubles do not import the pipeline's packages: only the real pipeline preloads them.
    const preload = options.module === PIPELINE_MODULE ? ["--preload"] : [];
    const proc = fork(WORKER_ENTRY, [options.module, ...preload], {
      execArgv: options.execArgv ?? [],
      serialization: "advanced", // structured clone: Uint8Array outputs cross without base64
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    proc.on("exit", () => {
      if (child === proc) child = null;
    });
    if (options.nice && proc.pid !== undefined) {
      try {
        setPriority(proc.pid, Math.min(19, getPriority() + Math.max(0, options.nice)));
      } catch (err) {
        logger.debug(`pipeline worker: cannot lower its priority: ${(err as Error).message}`);
      }
    }
    return proc;
  };

  const run = (photo: Uint8Array, jobOptions: ReconstructOptions, hooks: Parameters<ReconstructFn>[2]): Promise<ReconstructResult> => {
    if (busy) return Promise.reject(new Error("reconstructInChildProcess: one job at a time per worker"));
    if (hooks.signal?.aborted) return Promise.reject(abortError());
    busy = true;
    const proc = child ?? spawn();
    child = proc;
    const log = hooks.logger ?? logger;
    return new Promise<ReconstructResult>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | null = null;
      const settle = (fn: () => void) => {
        proc.off("message", onMessage);
        proc.off("exit", onExit);
        hooks.signal?.removeEventListener("abort", onAbort);
        if (killTimer) clearTimeout(killTimer);
        busy = false;
        fn();
      };
      const onMessage = (message: WorkerMessage) => {
        if (message.type === "progress") hooks.onProgress?.(message.event);
        else if (message.type === "log") log[message.level](message.message);
        else if (message.type === "done") settle(() => resolve(message.result));
        else if (message.type === "error") settle(() => reject(message.error.code === "cancelled" ? abortError() : deserializeError(message.error)));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (hooks.signal?.aborted) return settle(() => reject(abortError()));
        const err = new Error(`the pipeline worker process died (${signal ?? `exit code ${code}`}); out of memory?`) as Error & { code: string };
        err.code = "worker_crashed";
        settle(() => reject(err));
      };
      const onAbort = () => {
        proc.send({ type: "cancel" } satisfies ParentMessage);
        // The pipeline checks its signal between stages; a long stage is cut short by killing the worker.
        killTimer = setTimeout(() => proc.kill("SIGKILL"), cancelGraceMs);
      };
      proc.on("message", onMessage);
      proc.on("exit", onExit);
      hooks.signal?.addEventListener("abort", onAbort, { once: true });
      proc.send({ type: "run", photo, options: jobOptions } satisfies ParentMessage);
    });
  };

  // defineProperty, not Object.assign: `pid` must stay a live getter.
  return Object.defineProperties(run, {
    close: {
      value: async () => {
        const proc = child;
        child = null;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGKILL");
        await exited;
      },
    },
    pid: { get: () => child?.pid },
  }) as ChildProcessReconstruct;
}
