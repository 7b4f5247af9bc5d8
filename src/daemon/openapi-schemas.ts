/**
 * zod schemas of the daemon's JSON responses, for the OpenAPI description (`openapi.ts`). The
 * TypeScript interfaces in `api.ts` stay the contract the server and the client compile against;
 * the checks at the end of this file make `tsc` fail when a schema and its interface drift apart.
 */
import { z } from "zod";
import { STAGES } from "../types.ts";
import type { ApiErrorBody, HealthView, JobCreated, JobFileList, JobList, JobView, ModelList } from "./api.ts";
import { FINAL_STATES } from "./api.ts";
import { JOB_FORM_SCHEMA } from "./job-form.ts";
import { JOB_ID_PATTERN } from "./job-store.ts";

const JOB_STATES = ["queued", "running", ...FINAL_STATES] as const;

export const StageNameSchema = z.enum(STAGES).meta({ id: "StageName", description: "A pipeline stage." });

export const JobStateSchema = z.enum(JOB_STATES).meta({
  id: "JobState",
  description: "Life of a job. `interrupted`: the daemon stopped while the job ran; it never produced outputs.",
});

/** Path parameter `{id}`: the pattern the routes check before looking a job up. */
export const JobIdSchema = z.string().regex(JOB_ID_PATTERN).meta({ description: "Job id, as returned by POST /v1/jobs." });

export const ApiErrorInfoSchema = z
  .object({
    code: z.string().meta({ description: 'Stable snake_case code, e.g. "no_face_found", "queue_full", "invalid_option".' }),
    message: z.string().meta({ description: "One sentence for a person: what is wrong and what to do about it." }),
    stage: StageNameSchema.optional().meta({ description: "For job errors: the pipeline stage that failed, when known." }),
    status: z.number().int().optional().meta({ description: "For job errors: the HTTP status a synchronous call would have answered." }),
  })
  .meta({ id: "ApiErrorInfo" });

export const ApiErrorBodySchema = z.object({ error: ApiErrorInfoSchema }).meta({ id: "ApiError", description: "Every error body." });

const ISO_TIME = z.string().meta({ format: "date-time" });

export const JobUrlsSchema = z
  .object({ self: z.string(), events: z.string(), files: z.string() })
  .meta({ id: "JobUrls", description: "Where a job's resources live, relative to the daemon's origin." });

/** The options a job runs with: the validated form fields with every default filled in (`target` only when asked for). */
export const JobOptionsSchema = JOB_FORM_SCHEMA.required({ preset: true, face: true, formats: true }).meta({ id: "JobOptions" });

export const JobViewSchema = z
  .object({
    id: z.string(),
    state: JobStateSchema,
    options: JobOptionsSchema,
    stage: StageNameSchema.nullable().meta({ description: "Current (or last) stage; null before the first progress event." }),
    percent: z.number().min(0).max(100),
    queuePosition: z.number().int().min(0).nullable().meta({ description: "0 = next, while queued; else null." }),
    createdAt: ISO_TIME,
    startedAt: ISO_TIME.nullable(),
    finishedAt: ISO_TIME.nullable(),
    timings: z.object({
      queuedMs: z.number(),
      runMs: z.number(),
      stages: z.partialRecord(StageNameSchema, z.number()).meta({ description: "Wall time per stage, ms." }),
    }),
    error: ApiErrorInfoSchema.nullable(),
    input: z.object({ mediaType: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int() }),
    urls: JobUrlsSchema,
  })
  .meta({ id: "Job" });

export const JobCreatedSchema = z.object({ id: z.string(), state: JobStateSchema, urls: JobUrlsSchema }).meta({ id: "JobCreated" });

export const JobListSchema = z.object({ jobs: z.array(JobViewSchema) }).meta({ id: "JobList", description: "Newest first." });

export const JobFileSchema = z
  .object({
    name: z.string().meta({ description: 'Relative path inside the job\'s outputs, e.g. "maps/albedo_diffuse.png".' }),
    size: z.number().int(),
    mediaType: z.string(),
    url: z.string(),
  })
  .meta({ id: "JobFile" });

export const JobFileListSchema = z.object({ files: z.array(JobFileSchema) }).meta({ id: "JobFileList" });

export const JobDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: "JobDeleted" });

export const HealthViewSchema = z
  .object({
    ok: z.literal(true),
    version: z.string(),
    uptimeS: z.number(),
    queue: z.object({
      running: z.number().int(),
      queued: z.number().int().meta({ description: "Jobs waiting; photos still arriving are not counted." }),
      limit: z.number().int(),
      uploading: z.number().int().meta({ description: "Uploads in progress (they hold no queue place)." }),
      uploadLimit: z.number().int().meta({ description: "Uploads received at once before 503 too_many_uploads." }),
    }),
    eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  })
  .meta({ id: "Health" });

export const ModelViewSchema = z
  .looseObject({ id: z.string(), cached: z.boolean().meta({ description: "True when the converted ONNX model is in the cache." }) })
  .meta({ id: "Model" });

export const ModelListSchema = z.object({ cacheDir: z.string(), models: z.array(ModelViewSchema) }).meta({ id: "ModelList" });

/** Every schema with an id: the document's `components.schemas`. */
export const API_SCHEMAS: z.ZodType[] = [
  StageNameSchema,
  JobStateSchema,
  ApiErrorInfoSchema,
  ApiErrorBodySchema,
  JobUrlsSchema,
  JobOptionsSchema,
  JobViewSchema,
  JobCreatedSchema,
  JobListSchema,
  JobFileSchema,
  JobFileListSchema,
  JobDeletedSchema,
  HealthViewSchema,
  ModelViewSchema,
  ModelListSchema,
];

// Compile-time drift checks: each schema's type and its api.ts interface must be mutually
// assignable, or `npm run typecheck` fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type SchemaMatchesApi = [
  Assert<Same<z.infer<typeof JobViewSchema>, JobView>>,
  Assert<Same<z.infer<typeof JobCreatedSchema>, JobCreated>>,
  Assert<Same<z.infer<typeof JobListSchema>, JobList>>,
  Assert<Same<z.infer<typeof JobFileListSchema>, JobFileList>>,
  Assert<Same<z.infer<typeof HealthViewSchema>, HealthView>>,
  Assert<Same<z.infer<typeof ModelListSchema>, ModelList>>,
  Assert<Same<z.infer<typeof ApiErrorBodySchema>, ApiErrorBody>>,
];
