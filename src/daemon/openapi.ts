/**
 * The OpenAPI 3.1 description of `/v1`, served at `GET /v1/openapi.json`. Request bodies come from
 * the zod schema that validates them (`job-form.ts`), responses from `openapi-schemas.ts`; zod 4's
 * `z.toJSONSchema` turns both into JSON Schema 2020-12, which OpenAPI 3.1 uses as is.
 *
 *   const doc = openApiDocument({ version: "0.1.0" });
 *   doc.paths["/v1/jobs"].post.requestBody
 */
import type { Request, Response } from "express";
import { z } from "zod";
import { JOB_FORM_SCHEMA } from "./job-form.ts";
import {
  API_SCHEMAS,
  ApiErrorBodySchema,
  HealthViewSchema,
  JobCreatedSchema,
  JobDeletedSchema,
  JobFileListSchema,
  JobIdSchema,
  JobListSchema,
  JobViewSchema,
  ModelListSchema,
} from "./openapi-schemas.ts";

export interface OpenApiOptions {
  /** porelight's version, the document's `info.version`. */
  version: string;
}

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const idOf = (schema: z.ZodType): string | undefined => (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;

/**
 * Every API schema with an `id` as `components.schemas`, references as `#/components/schemas/<id>`.
 * zod emits the whole global registry; ids that other modules may register are left out.
 */
function components(): { schemas: Record<string, JsonSchema>; refOf: (schema: z.ZodType) => JsonSchema } {
  const ours = new Set(API_SCHEMAS.map(idOf));
  const all = z.toJSONSchema(z.globalRegistry, { target: "draft-2020-12", io: "output", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas = Object.fromEntries(Object.entries(all.schemas).filter(([id]) => ours.has(id)));
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id; // zod sets it to the reference; a fragment $id is not valid JSON Schema 2020-12
  }
  const refOf = (schema: z.ZodType): JsonSchema => {
    const id = idOf(schema);
    if (!id || !schemas[id]) throw new Error(`openapi: schema ${id ?? "(without id)"} is not among the API schemas`);
    return { $ref: `#/components/schemas/${id}` };
  };
  return { schemas, refOf };
}

/** A standalone schema for a request part, without `$schema`. */
function inline(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output", unrepresentable: "throw" }) as JsonSchema;
  delete out.$schema;
  return out;
}

/**
 * Builds the document. Pure: no I/O, the same output for the same version.
 */
export function openApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const { schemas, refOf } = components();
  const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema: refOf(schema) } } });
  const error = (description: string) => json(ApiErrorBodySchema, description);
  const idParam = { name: "id", in: "path", required: true, schema: inline(JobIdSchema) };
  const auth = [{ bearer: [] }, {}];

  const form = inline(JOB_FORM_SCHEMA) as { properties: Record<string, JsonSchema>; additionalProperties?: unknown };
  form.properties.formats = {
    ...form.properties.formats,
    description: "Repeat the field or separate names with commas (default: all three).",
  };
  const uploadSchema = {
    type: "object",
    required: ["photo"],
    additionalProperties: false,
    properties: { photo: { type: "string", contentMediaType: "application/octet-stream", description: "The photo: JPEG, PNG or WebP." }, ...form.properties },
  };

  const paths: Record<string, Record<string, Operation>> = {
    "/v1/health": {
      get: { operationId: "getHealth", summary: "Liveness, version and queue (no token needed)", security: [], responses: { "200": json(HealthViewSchema, "The daemon is up.") } },
    },
    "/v1/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This description (no token needed)",
        security: [],
        responses: { "200": { description: "OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object" } } } } },
      },
    },
    "/v1/models": {
      get: { operationId: "listModels", summary: "The model catalog and what is cached", responses: { "200": json(ModelListSchema, "Models."), "401": error("Missing or wrong token.") } },
    },
    "/v1/jobs": {
      get: { operationId: "listJobs", summary: "Every job, newest first", responses: { "200": json(JobListSchema, "Jobs."), "401": error("Missing or wrong token.") } },
      post: {
        operationId: "createJob",
        summary: "Submit a photo; the job is queued",
        requestBody: { required: true, content: { "multipart/form-data": { schema: uploadSchema } } },
        responses: {
          "202": { ...json(JobCreatedSchema, "Queued."), headers: { Location: { schema: { type: "string" }, description: "The job's URL." } } },
          "400": error("Bad option, missing photo or malformed form."),
          "401": error("Missing or wrong token."),
          "413": error("The upload, or the photo in pixels, is larger than the daemon accepts."),
          "415": error("Not a photo the daemon can read."),
          "422": error("The photo cannot be decoded."),
          "429": error("The queue is full; retry after Retry-After seconds."),
        },
      },
    },
    "/v1/jobs/{id}": {
      get: { operationId: "getJob", summary: "One job", parameters: [idParam], responses: { "200": json(JobViewSchema, "The job."), "404": error("No such job.") } },
      delete: {
        operationId: "deleteJob",
        summary: "Cancel a queued or running job; delete a finished one with its files",
        parameters: [idParam],
        responses: {
          "200": {
            description: "The cancelled job, or the deletion.",
            content: { "application/json": { schema: { oneOf: [refOf(JobViewSchema), refOf(JobDeletedSchema)] } } },
          },
          "404": error("No such job."),
        },
      },
    },
    "/v1/jobs/{id}/events": {
      get: {
        operationId: "jobEvents",
        summary: "Server-Sent Events: `job` (a Job), `progress`, then `end` (the final Job)",
        parameters: [idParam],
        responses: { "200": { description: "An event stream that ends with the job.", content: { "text/event-stream": { schema: { type: "string" } } } }, "404": error("No such job.") },
      },
    },
    "/v1/jobs/{id}/files": {
      get: {
        operationId: "listJobFiles",
        summary: "The outputs of a finished job",
        parameters: [idParam],
        responses: { "200": json(JobFileListSchema, "Files."), "404": error("No such job."), "409": error("The job is not done."), "422": error("The job failed on its photo.") },
      },
    },
    "/v1/jobs/{id}/files/{name}": {
      get: {
        operationId: "getJobFile",
        summary: "One output file",
        parameters: [idParam, { name: "name", in: "path", required: true, description: 'Output name; slashes kept, e.g. "maps/albedo_diffuse.png".', schema: { type: "string" } }],
        responses: {
          "200": { description: "The file, with its media type.", content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } },
          "400": error("The name is not a valid output name."),
          "404": error("No such job or file."),
          "409": error("The job is not done."),
        },
      },
    },
  };
  for (const ops of Object.values(paths)) for (const op of Object.values(ops)) if (!("security" in op)) op.security = auth;

  return {
    openapi: "3.1.1",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "porelight daemon",
      version: options.version,
      description: "One face photo in, a render-ready head out. Jobs run one at a time; poll a job or follow its events, then download its files.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "http://127.0.0.1:7860", description: "`porelight serve` with its defaults" }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Required when the daemon runs with --token (PORELIGHT_TOKEN)." } },
    },
  };
}

/** `GET /v1/openapi.json`: the document, built once per process. */
export function openApiHandler(options: OpenApiOptions): (req: Request, res: Response) => void {
  let body: string | null = null;
  return (_req, res) => {
    body ??= JSON.stringify(openApiDocument(options));
    res.type("application/json").setHeader("Cache-Control", "no-cache");
    res.send(body);
  };
}
