/**
 * Errors as the daemon reports them: an HTTP status, a stable code and a message, rendered as
 * `{ error: { code, message } }`. Also the mapping from pipeline errors (thrown in the worker,
 * carried as `{ name, code, message }`) to statuses and CLI exit codes.
 */
import type { ApiErrorInfo } from "./api.ts";
import type { StageName } from "../types.ts";
import { STAGES } from "../types.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  toBody(): { error: ApiErrorInfo } {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * The first line of a library's message, at most `max` characters: an API message is one sentence
 * for a person (libvips, for one, appends dozens of lines of trace).
 */
export function oneLine(text: string, max = 160): string {
  const line = text.split("\n")[0].trim().replace(/[:;,.\s]+$/, "");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Pipeline error codes caused by the photo or the options rather than by porelight: the job's
 * client must change its input. Each maps to the HTTP status a synchronous API would answer and
 * to the CLI exit code (see src/cli/main.ts: 2 bad input, 3 no face).
 */
const INPUT_ERRORS: Record<string, { status: number; exitCode: number }> = {
  no_face_found: { status: 422, exitCode: 3 },
  face_index_out_of_range: { status: 422, exitCode: 3 },
  invalid_image: { status: 422, exitCode: 2 },
  empty_upload: { status: 400, exitCode: 2 },
  unsupported_media_type: { status: 415, exitCode: 2 },
  image_too_large: { status: 413, exitCode: 2 },
  invalid_option: { status: 400, exitCode: 2 },
};

/** HTTP status for a pipeline error code (500 for anything not caused by the input). */
export function statusForCode(code: string): number {
  return INPUT_ERRORS[code]?.status ?? 500;
}

/** CLI exit code for a pipeline error code: 3 no face, 2 bad input, 1 anything else. */
export function exitCodeForCode(code: string): number {
  return INPUT_ERRORS[code]?.exitCode ?? 1;
}

/** An error as it crosses a process boundary or gets stored with a job. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  stage?: StageName;
}

/** Turns "NoFaceFound" or "ERR_NO_FACE" into "no_face_found" / "err_no_face". */
function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** True for the error an AbortSignal produces (DOMException "AbortError" or our own "cancelled"). */
export function isAbortError(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | null;
  return e?.name === "AbortError" || e?.code === "cancelled" || e?.code === "ABORT_ERR";
}

/** Reduces any thrown value to a `SerializedError` with a stable snake_case code. */
export function serializeError(err: unknown): SerializedError {
  if (isAbortError(err)) return { name: "AbortError", code: "cancelled", message: "the job was cancelled" };
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; stage?: unknown };
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" && e.message ? e.message : String(err);
  // Prefer an explicit code; Node's own (ENOENT...) and generic errors become "internal".
  let code = typeof e.code === "string" && /^[a-z][a-z0-9_]*$/.test(e.code) ? e.code : "";
  if (!code) code = name !== "Error" && name !== "TypeError" && name !== "RangeError" ? snakeCase(name) : "internal";
  const stage = typeof e.stage === "string" && (STAGES as readonly string[]).includes(e.stage) ? (e.stage as StageName) : undefined;
  return stage ? { name, code, message, stage } : { name, code, message };
}

/** The error stored with a failed job and shown by the API. */
export function jobErrorInfo(err: SerializedError): ApiErrorInfo {
  const info: ApiErrorInfo = { code: err.code, message: err.message, status: statusForCode(err.code) };
  if (err.stage) info.stage = err.stage;
  return info;
}

/** Rebuilds a throwable Error (with `code` and `stage`) from its serialized form. */
export function deserializeError(err: SerializedError): Error & SerializedError {
  const e = new Error(err.message) as Error & SerializedError;
  e.name = err.name;
  e.code = err.code;
  if (err.stage) e.stage = err.stage;
  return e;
}
