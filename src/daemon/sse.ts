/** `GET /v1/jobs/:id/events`: Server-Sent Events of one job, ending with its final state. */
import type { Request, Response } from "express";
import type { JobEventName } from "./api.ts";
import { isFinalState } from "./api.ts";
import type { JobRunner } from "./job-runner.ts";
import type { JobRecord } from "./job-store.ts";
import { jobView } from "./job-views.ts";

/** A comment line every so often keeps proxies and idle timeouts from closing the stream. */
const HEARTBEAT_MS = 15_000;

export function streamJobEvents(req: Request, res: Response, runner: JobRunner, record: JobRecord): void {
  res.status(200);
  res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Connection", "keep-alive");
  res.setHeader("X-Accel-Buffering", "no");
  res.flushHeaders();
  let seq = 0;
  const write = (event: JobEventName, data: unknown) => {
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const view = (r: JobRecord) => jobView(r, runner.queuePosition(r.id));

  // Reconnecting clients get the current state again; no replay is needed since `job` carries all of it.
  res.write("retry: 2000\n\n");
  if (isFinalState(record.state)) {
    write("end", view(record));
    res.end();
    return;
  }
  write("job", view(record));
  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  const unsubscribe = runner.subscribe(record.id, (event) => {
    if (event.type === "progress") write("progress", event.progress);
    else if (event.type === "job") write("job", view(event.record));
    else {
      write("end", view(event.record));
      stop();
      res.end();
    }
  });
  req.on("close", stop);
}
