/**
 * Uploads in progress, kept apart from the job queue. An upload is not a job until its photo has
 * arrived and passed the checks, so it holds no queue place; instead at most `maxUploads` are
 * read at once (each may hold up to the upload limit in memory), and one that trickles is cut off:
 * after `graceMs`, an upload whose average rate since its first byte falls below `minBytesPerS`
 * is answered 408 and its connection closed.
 */
import type { Request, Response } from "express";
import { closeAfterResponse } from "./connection-close.ts";
import { HttpError } from "./http-error.ts";

export interface UploadGateOptions {
  maxUploads: number;
  graceMs: number;
  minBytesPerS: number;
}

/** How often a slow upload's rate is checked, ms. */
const CHECK_MS = 250;

export class UploadGate {
  private active = 0;

  constructor(private readonly options: UploadGateOptions) {}

  /** Uploads being received now (GET /v1/health). */
  get uploading(): number {
    return this.active;
  }

  /**
   * Admits one upload or throws 503 too_many_uploads. The place is given back when the response
   * closes; `done()` stops the rate check once the body is in (checking the photo is not the client's delay).
   */
  admit(req: Request, res: Response): { done(): void } {
    if (this.active >= this.options.maxUploads) {
      throw new HttpError(503, "too_many_uploads", `${this.active} uploads are already being received (limit ${this.options.maxUploads}); retry in a few seconds`, {
        "Retry-After": "5",
      });
    }
    this.active++;
    const started = Date.now();
    let received = 0;
    const count = (chunk: Buffer) => void (received += chunk.length);
    const timer = setInterval(() => {
      const elapsedMs = Date.now() - started;
      if (elapsedMs < this.options.graceMs || (received / elapsedMs) * 1000 >= this.options.minBytesPerS) return;
      done();
      if (res.headersSent) return;
      const kib = (received / 1024).toFixed(1);
      closeAfterResponse(req, res);
      const err = new HttpError(
        408,
        "upload_too_slow",
        `the upload sent ${kib} KiB in ${(elapsedMs / 1000).toFixed(1)} s, below the minimum of ${(this.options.minBytesPerS / 1024).toFixed(0)} KiB/s; retry on a faster connection`,
      );
      res.status(err.status).json(err.toBody());
    }, CHECK_MS).unref();
    const done = () => {
      clearInterval(timer);
      req.off("data", count);
    };
    req.on("data", count);
    res.once("close", () => {
      done();
      this.active--;
    });
    return { done };
  }
}
