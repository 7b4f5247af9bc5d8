/** The `/v1/jobs` routes. */
import { Router, type NextFunction, type Request, type Response } from "express";
import multer from "multer";
import type { DaemonConfig } from "./config.ts";
import { HttpError } from "./http-error.ts";
import { parseJobForm } from "./job-form.ts";
import type { JobRunner } from "./job-runner.ts";
import { JOB_ID_PATTERN, newJobRecord, type JobRecord, type JobStore } from "./job-store.ts";
import { jobCreated, jobFiles, jobView } from "./job-views.ts";
import { outputNameProblem } from "./output-names.ts";
import { acceptPhoto } from "./photo-intake.ts";
import { streamJobEvents } from "./sse.ts";
import { isFinalState } from "./api.ts";
import { closeAfterResponse } from "./connection-close.ts";
import type { UploadGate } from "./upload-gate.ts";

/** Room for the multipart envelope and the option fields around the photo, bytes. */
const MULTIPART_OVERHEAD = 64 * 1024;

export function jobsRouter(config: DaemonConfig, store: JobStore, runner: JobRunner, uploads: UploadGate): Router {
  const router = Router();
  // fieldNestingDepth 0: "preset[]" or "face[x]" is refused instead of being folded into "preset".
  const limits = { fileSize: config.maxUploadBytes, files: 1, fields: 8, fieldSize: 1024, parts: 12, fieldNestingDepth: 0 } as multer.Options["limits"];
  const upload = multer({ storage: multer.memoryStorage(), limits }).single("photo");

  const findJob = (req: Request): JobRecord => {
    const id = String(req.params.id);
    const record = JOB_ID_PATTERN.test(id) ? store.get(id) : undefined;
    if (!record) throw new HttpError(404, "job_not_found", `no job ${JSON.stringify(id).slice(0, 80)}`);
    return record;
  };
  const view = (record: JobRecord) => jobView(record, runner.queuePosition(record.id));

  router.get("/", (_req, res) => {
    res.json({ jobs: store.list().reverse().map(view) });
  });

  router.post(
    "/",
    (req: Request, res: Response, next: NextFunction) => {
      // Refuse before reading the body: a full queue, too many uploads or a declared oversized
      // body costs nothing, and the connection closes rather than wait for a body no one reads.
      // No queue place is held while the body arrives (see UploadGate); it is taken once the photo is in.
      let admitted: ReturnType<UploadGate["admit"]>;
      try {
        runner.assertCapacity();
        const declared = Number(req.headers["content-length"] ?? NaN);
        if (declared > config.maxUploadBytes + MULTIPART_OVERHEAD) throw tooLarge(config, declared);
        admitted = uploads.admit(req, res);
      } catch (err) {
        closeAfterResponse(req, res);
        throw err;
      }
      // multer answers an oversized file only after draining the whole body; this answers at
      // once and closes the connection shortly after, so a 200 MB body is not read to its end.
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= config.maxUploadBytes + MULTIPART_OVERHEAD) return;
        req.off("data", onData);
        admitted.done();
        if (res.headersSent) return;
        closeAfterResponse(req, res);
        res.status(413).json(tooLarge(config).toBody());
      };
      req.on("data", onData);
      upload(req, res, (err: unknown) => {
        req.off("data", onData);
        admitted.done();
        if (res.headersSent) return; // already answered 413 or 408
        next(err ? multerError(err, config) : undefined);
      });
    },
    async (req: Request, res: Response) => {
      const options = parseJobForm(req.body as Record<string, unknown>);
      const file = req.file;
      if (!file) throw new HttpError(400, "missing_photo", 'send the photo as a multipart/form-data file field named "photo"');
      const photo = await acceptPhoto(file.buffer, { maxPixels: config.maxPixels });
      const slot = runner.reserve(); // 429 if the queue filled while this photo arrived
      const record = newJobRecord(options, {
        mediaType: photo.mediaType,
        width: photo.width,
        height: photo.height,
        bytes: photo.uploadBytes,
      });
      try {
        await store.create(record, photo.png);
      } catch (err) {
        slot.release();
        throw err;
      }
      slot.enqueue(record.id);
      res.status(202).location(jobCreated(record).urls.self).json(jobCreated(record));
    },
  );

  router.get("/:id", (req, res) => {
    res.json(view(findJob(req)));
  });

  router.get("/:id/events", (req, res) => {
    streamJobEvents(req, res, runner, findJob(req));
  });

  const requireOutputs = (record: JobRecord) => {
    if (record.state === "done") return;
    if (record.state === "failed" && record.error) {
      throw new HttpError(record.error.status ?? 500, record.error.code, `the job failed: ${record.error.message}`);
    }
    throw new HttpError(409, `job_${record.state}`, `the job is ${record.state}; outputs exist only once it is done`);
  };

  router.get("/:id/files", (req, res) => {
    const record = findJob(req);
    requireOutputs(record);
    res.json({ files: jobFiles(record) });
  });

  router.get("/:id/files/*name", async (req, res) => {
    const record = findJob(req);
    const segments = (req.params as unknown as { name: string[] }).name;
    const name = segments.join("/");
    const problem = outputNameProblem(name);
    if (problem) throw new HttpError(400, "invalid_file_name", problem);
    requireOutputs(record);
    const path = await store.outputPath(record.id, name);
    const meta = record.files?.find((f) => f.name === name);
    if (!path || !meta) throw new HttpError(404, "file_not_found", `job ${record.id} has no file "${name}"`);
    res.type(meta.mediaType);
    res.setHeader("Cache-Control", "private, max-age=31536000, immutable"); // outputs never change under a job id
    await new Promise<void>((resolve, reject) =>
      res.sendFile(path, { dotfiles: "deny" }, (err) => {
        // A client that stops a download has simply gone away: nothing to answer or log.
        if (err && !clientWentAway(err, res)) reject(err);
        else resolve();
      }),
    );
  });

  router.delete("/:id", async (req, res) => {
    const record = findJob(req);
    if (!isFinalState(record.state)) {
      const after = await runner.cancel(record.id);
      res.json(view(after ?? record));
      return;
    }
    await store.remove(record.id);
    res.json({ id: record.id, deleted: true });
  });

  return router;
}

/** True for the errors of a response whose client hung up (aborted download, reset, closed pipe). */
export function clientWentAway(err: unknown, res: Response): boolean {
  const code = (err as { code?: string }).code;
  return code === "ECONNABORTED" || code === "ECONNRESET" || code === "EPIPE" || res.destroyed;
}

function tooLarge(config: DaemonConfig, bytes?: number): HttpError {
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  return new HttpError(413, "upload_too_large", `${bytes ? `the upload is ${mb(bytes)}; ` : "the upload is too large; "}the limit is ${mb(config.maxUploadBytes)}`);
}

function multerError(err: unknown, config: DaemonConfig): HttpError {
  const e = err as { code?: string; field?: string; message?: string };
  switch (e.code) {
    case "LIMIT_FILE_SIZE":
      return tooLarge(config);
    case "LIMIT_UNEXPECTED_FILE":
      return new HttpError(400, "invalid_upload", `unexpected file field "${e.field}"; send one file, named "photo"`);
    case "LIMIT_FIELD_VALUE":
    case "LIMIT_FIELD_COUNT":
    case "LIMIT_PART_COUNT":
    case "LIMIT_FILE_COUNT":
    case "LIMIT_FIELD_KEY":
      return new HttpError(400, "invalid_upload", `the form is malformed: ${e.message}`);
    case "LIMIT_FIELD_NESTING":
      return new HttpError(400, "invalid_option", `field "${e.field}": names with brackets are not accepted; send "${String(e.field).split("[")[0]}" (repeat formats to give several)`);
    default:
      return new HttpError(400, "invalid_upload", `the upload cannot be read as multipart/form-data: ${e.message ?? String(err)}`);
  }
}
