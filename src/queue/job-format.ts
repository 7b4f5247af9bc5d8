/**
 * What one queued photo carries from the producer (`batch --queue`) to a worker, versioned: a
 * producer and a worker from different porelight releases may share a Redis for weeks, and a
 * worker must refuse a job it would misread rather than build the wrong head.
 */
import { z } from "zod";
import { HttpError } from "../daemon/http-error.ts";
import { JOB_FORM_FIELDS, parseJobForm } from "../daemon/job-form.ts";
import { outputNameProblem } from "../daemon/output-names.ts";
import { RECONSTRUCT_DEFAULTS, type ReconstructOptions } from "../types.ts";

/** BullMQ queue name porelight uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = "porelight";

/** Version of `QueueJobData`. Bump it whenever a field changes meaning or becomes required. */
export const JOB_FORMAT_VERSION = 1;

/** Each job runs at most this many times (crashes, lost workers); bad input fails on the first. */
export const MAX_ATTEMPTS = 3;

/** One photo to reconstruct, as stored in Redis. */
export interface QueueJobData {
  /** `JOB_FORMAT_VERSION` of the producer that queued it. */
  format: number;
  /** Output directory name under the workers' `--out`: one path segment. */
  name: string;
  /** The photo as the producer named it (shown in tables and errors; workers never open it). */
  photo: string;
  /** The normalised PNG, staged on the shared storage by the producer. */
  input: {
    /** Path relative to `--out`, forward slashes. */
    file: string;
    /** sha256 of the staged PNG, hex: a worker checks it before it computes. */
    sha256: string;
    bytes: number;
  };
  options: ReconstructOptions;
  /** The producer's build key (photo content, options, pipeline code); see src/cli/commands/batch.ts. */
  key: string;
  /** The producer's `--out`, only to make a worker's "staged photo missing" error actionable. */
  producerOut: string;
  /** `batch --force`: build even if `<out>/<name>/` is up to date. */
  rebuild?: boolean;
}

/**
 * The stored options: every field of the daemon's job form (derived from its schema, so an option
 * added there travels through the queue without being listed here), those with a default required
 * (the producer writes them all). Values are checked by the form's own rules in parseJobData.
 */
const optionValue = z.union([z.string(), z.number(), z.array(z.string())]);
const optionsSchema = z.strictObject(Object.fromEntries(JOB_FORM_FIELDS.map((field) => [field, field in RECONSTRUCT_DEFAULTS ? optionValue : optionValue.optional()])));

/** Stored options back as the form's text fields (lists comma-separated), as the daemon receives them. */
function formFields(options: z.infer<typeof optionsSchema>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(options)) if (value !== undefined) fields[field] = Array.isArray(value) ? value.join(",") : String(value);
  return fields;
}

const schema = z.object({
  format: z.number(),
  name: z.string(),
  photo: z.string().max(4096),
  input: z.object({
    file: z.string().regex(/^\.porelight-queue\/inputs\/[A-Za-z0-9._~-]+\.png$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
  }),
  options: optionsSchema,
  key: z.string().regex(/^[0-9a-f]{64}$/),
  producerOut: z.string().max(4096),
  rebuild: z.boolean().optional(),
});

/** A job this worker must not run: wrong format version or malformed data. Never worth a retry. */
export class BadJobError extends Error {
  readonly code = "bad_job";
}

/**
 * Checks job data from Redis; throws BadJobError naming what is wrong. The options are
 * validated exactly like the daemon's form fields, so a queue cannot smuggle in what the API refuses.
 */
export function parseJobData(data: unknown): QueueJobData {
  const format = (data as { format?: unknown } | null)?.format;
  if (format !== JOB_FORMAT_VERSION) {
    throw new BadJobError(`job format ${JSON.stringify(format)} is not this porelight's format ${JOB_FORMAT_VERSION}: the job was queued by ${typeof format === "number" && format > JOB_FORMAT_VERSION ? "a newer" : "an older or foreign"} porelight; run workers and producer from the same release`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadJobError(`malformed job data: ${issue.path.join(".") || "data"} ${issue.message}`);
  }
  const problem = outputNameProblem(parsed.data.name);
  if (problem || parsed.data.name.includes("/")) throw new BadJobError(`malformed job data: name: ${problem ?? "must be one path segment"}`);
  let options: ReconstructOptions;
  try {
    // Every option the producer's key covers, or the worker's key differs and the job is refused.
    options = parseJobForm(formFields(parsed.data.options));
  } catch (err) {
    if (err instanceof HttpError) throw new BadJobError(`malformed job data: options: ${err.message}`);
    throw err;
  }
  return { ...parsed.data, options };
}
