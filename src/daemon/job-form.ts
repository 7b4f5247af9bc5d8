/** Validation of the option fields of `POST /v1/jobs` (multipart text fields). */
import { z } from "zod";
import type { ReconstructOptions } from "../types.ts";
import { PRESET_MAP_SIZE, RECONSTRUCT_DEFAULTS } from "../types.ts";
import { HttpError } from "./http-error.ts";

const PRESETS = Object.keys(PRESET_MAP_SIZE) as [ReconstructOptions["preset"], ...ReconstructOptions["preset"][]];
const FORMATS = ["glb", "babylon", "maps"] as const;
/** More faces than this in one photo is not a portrait; the index is almost surely a mistake. */
export const MAX_FACE_INDEX = 31;

const TARGETS = ["web", "desktop", "source"] as const;
const EXPRESSIONS = ["neutral", "photo"] as const;

const one = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);

const schema = z.object({
  preset: z.preprocess(one, z.enum(PRESETS, { message: `must be one of ${PRESETS.join(", ")}` })).optional(),
  face: z.preprocess(
    (v) => (typeof one(v) === "string" && /^\d+$/.test(one(v) as string) ? Number(one(v)) : one(v)),
    z.number({ message: "must be a whole number (0 = the largest face)" }).int().min(0).max(MAX_FACE_INDEX),
  ).optional(),
  formats: z
    .preprocess(
      (v) => (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(",")).map((s) => s.trim()).filter(Boolean),
      z.array(z.enum(FORMATS, { message: `must be a list of ${FORMATS.join(", ")}` })).min(1, "must name at least one format"),
    )
    .optional(),
  target: z.preprocess(one, z.enum(TARGETS, { message: `must be one of ${TARGETS.join(", ")}` })).optional(),
  expression: z.preprocess(one, z.enum(EXPRESSIONS, { message: `must be one of ${EXPRESSIONS.join(", ")}` })).optional(),
});

/** The option fields a job form takes: the schema's own keys, so every carrier of a job's options (the queue, the CLI) can follow it. */
export const JOB_FORM_FIELDS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];
const KNOWN_FIELDS = new Set<string>(JOB_FORM_FIELDS);

/** Parses the form fields into full job options, or throws 400 invalid_option naming the field. */
export function parseJobForm(body: Record<string, unknown> | undefined): ReconstructOptions {
  const fields = body ?? {};
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) throw new HttpError(400, "invalid_option", `unknown field "${key}"; known fields: photo, ${[...KNOWN_FIELDS].join(", ")}`);
  }
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? "options");
    throw new HttpError(400, "invalid_option", `${field} ${issue.message} (got ${JSON.stringify(one(fields[field]))})`);
  }
  const formats = parsed.data.formats ? FORMATS.filter((f) => parsed.data.formats!.includes(f)) : [...RECONSTRUCT_DEFAULTS.formats];
  const options: ReconstructOptions = { preset: parsed.data.preset ?? RECONSTRUCT_DEFAULTS.preset, face: parsed.data.face ?? RECONSTRUCT_DEFAULTS.face, formats };
  if (parsed.data.target) options.target = parsed.data.target;
  if (parsed.data.expression) options.expression = parsed.data.expression;
  return options;
}
export { schema as JOB_FORM_SCHEMA };
