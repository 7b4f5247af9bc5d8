/**
 * Entry point of the pipeline worker process (see pipeline-process.ts). It imports the pipeline
 * module named on its command line once, then runs the jobs its parent sends, one at a time,
 * keeping model sessions warm between jobs. It exits when its parent goes away.
 */
import type { Logger, ProgressEvent } from "../types.ts";
import { serializeError } from "./http-error.ts";
import { importReconstruct, type ReconstructFn } from "./pipeline-loader.ts";
import type { ParentMessage, WorkerMessage } from "./pipeline-process.ts";

const modulePath = process.argv[2];
if (!modulePath || !process.send) {
  process.stderr.write("pipeline-worker: start me with fork(worker, [pipelineModule])\n");
  process.exit(2);
}

/**
 * A daemon killed with -9 cannot say goodbye: the channel breaks, and a message sent before
 * 'disconnect' is seen fails with EPIPE (an unhandled 'error' on `process`, with a stack). Either
 * way the job has no one left to report to: exit at once, quietly.
 */
const leave = () => process.exit(0);
const send = (message: WorkerMessage) => {
  if (!process.connected) return leave();
  process.send!(message, undefined, {}, (err) => err && leave());
};
const logger: Logger = {
  debug: (message) => send({ type: "log", level: "debug", message }),
  info: (message) => send({ type: "log", level: "info", message }),
  warn: (message) => send({ type: "log", level: "warn", message }),
};

let reconstruct: Promise<ReconstructFn> | null = null;
let controller: AbortController | null = null;

process.on("disconnect", leave);
process.on("message", (message: ParentMessage) => {
  if (message.type === "cancel") controller?.abort();
  else if (message.type === "run") void run(message);
});

async function run(message: Extract<ParentMessage, { type: "run" }>): Promise<void> {
  controller = new AbortController();
  try {
    reconstruct ??= importReconstruct(modulePath);
    const fn = await reconstruct.catch((err) => {
      reconstruct = null; // let a later job retry the import (e.g. after the module lands)
      throw err;
    });
    const result = await fn(message.photo, message.options, {
      signal: controller.signal,
      logger,
      onProgress: (event: ProgressEvent) => send({ type: "progress", event }),
    });
    send({ type: "done", result });
  } catch (err) {
    send({ type: "error", error: serializeError(err) });
  } finally {
    controller = null;
  }
}

send({ type: "ready" });
