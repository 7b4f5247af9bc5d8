/**
 * The JSON shapes of the daemon's HTTP API (`/v1`). Shared by the server and by `src/client.ts`,
 * so this file imports types only and nothing from Node.
 */
import type { Preset, ReconstructOptions, StageName } from "../types.ts";

export const API_PREFIX = "/v1";

/** Life of a job. `interrupted`: the daemon stopped while the job ran; it never produced outputs. */
export type JobState = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

export const FINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled", "interrupted"];

export function isFinalState(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** Every error body: `{ error: { code, message } }`. `code` is stable and machine-readable. */
export interface ApiErrorBody {
  error: ApiErrorInfo;
}

export interface ApiErrorInfo {
  /** Stable snake_case code, e.g. "no_face_found", "queue_full", "invalid_option". */
  code: string;
  /** One sentence for a person: what is wrong and what to do about it. */
  message: string;
  /** For job errors: the pipeline stage that failed, when known. */
  stage?: StageName;
  /** For job errors: the HTTP status a synchronous call would have answered (422 bad photo, 500 internal). */
  status?: number;
}

/** Where a job's resources live, relative to the daemon's origin. */
export interface JobUrls {
  self: string;
  events: string;
  files: string;
}

/** Wall times of a job, milliseconds. */
export interface JobTimings {
  /** From submission to the start of computing (or to now while queued). */
  queuedMs: number;
  /** From the start of computing to the end (or to now while running); 0 while queued. */
  runMs: number;
  /** Per stage, from the pipeline's progress events. */
  stages: Partial<Record<StageName, number>>;
}

/** `GET /v1/jobs/:id`. */
export interface JobView {
  id: string;
  state: JobState;
  options: ReconstructOptions;
  /** Current (or last) pipeline stage; null before the first progress event. */
  stage: StageName | null;
  /** Whole-job progress, 0..100. */
  percent: number;
  /** Position in the queue (0 = next) while queued, else null. */
  queuePosition: number | null;
  /** ISO 8601 times. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  timings: JobTimings;
  error: ApiErrorInfo | null;
  /** Original upload: sniffed type and decoded size. */
  input: { mediaType: string; width: number; height: number; bytes: number };
  urls: JobUrls;
}

/** `POST /v1/jobs` → 202. */
export interface JobCreated {
  id: string;
  state: JobState;
  urls: JobUrls;
}

/** One output file of a finished job. */
export interface JobFile {
  /** Relative path inside the job's outputs, forward slashes (e.g. "maps/albedo_diffuse.png"). */
  name: string;
  size: number;
  mediaType: string;
  url: string;
}

/** `GET /v1/jobs/:id/files`. */
export interface JobFileList {
  files: JobFile[];
}

/** `GET /v1/jobs` (newest first). */
export interface JobList {
  jobs: JobView[];
}

/** `GET /v1/health` (no auth). */
export interface HealthView {
  ok: true;
  version: string;
  uptimeS: number;
  /** `queued` counts jobs only; `uploading` counts photos still arriving (they are not jobs yet and hold no queue place). */
  queue: { running: number; queued: number; limit: number; uploading: number; uploadLimit: number };
  /** How late the daemon's event loop ran timers since it started, ms: the responsiveness the pipeline worker must not spoil. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

/** One entry of `GET /v1/models`. */
export interface ModelView {
  id: string;
  /** True when the converted ONNX model is in the cache (no conversion on first use). */
  cached: boolean;
  [key: string]: unknown;
}

export interface ModelList {
  cacheDir: string;
  models: ModelView[];
}

/**
 * Server-Sent Events on `GET /v1/jobs/:id/events`:
 * - `event: job` — a full `JobView` on connect and at every state or stage change;
 * - `event: progress` — `{ stage, stageFraction, overallFraction, percent, message? }`, throttled;
 * - `event: end` — the final `JobView`; the server then closes the stream.
 */
export type JobEventName = "job" | "progress" | "end";

export interface ProgressPayload {
  stage: StageName;
  stageFraction: number;
  overallFraction: number;
  percent: number;
  message?: string;
}

/** Multipart fields accepted by `POST /v1/jobs` besides the `photo` file. */
export interface JobFormFields {
  preset?: Preset;
  face?: number;
  /** Comma-separated or repeated: glb, babylon, maps. */
  formats?: ReconstructOptions["formats"];
}
