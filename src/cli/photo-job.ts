/**
 * One photo through the pipeline for the CLI (`reconstruct` and `batch`): read and check the
 * photo exactly as the daemon does, run the pipeline, write the outputs (temp + rename, names
 * validated), and report the outcome as data rather than by throwing.
 */
import type { ReconstructOptions } from "../types.ts";
import { exitCodeForCode, serializeError, type SerializedError } from "../daemon/http-error.ts";
import type { AcceptedPhoto } from "../daemon/photo-intake.ts";
import type { ReconstructFn } from "../daemon/pipeline-loader.ts";
import { loadPhoto, writeOutputs } from "../io/head-files.ts";
import type { ProgressLine } from "./progress.ts";

export interface PhotoJobOutcome {
  photo: string;
  out: string;
  status: "done" | "failed" | "skipped";
  /** Wall time, ms (0 when skipped). */
  ms: number;
  files: { name: string; bytes: number }[];
  error?: SerializedError & { exitCode: number };
}

export interface PhotoJobInput {
  photoPath: string;
  outDir: string;
  options: ReconstructOptions;
  reconstruct: ReconstructFn;
  maxPixels: number;
  line?: ProgressLine;
  signal?: AbortSignal;
  /** Already loaded photo (batch hashes it first). */
  photo?: AcceptedPhoto;
}

/** Runs one photo to its outputs; never throws for a bad photo or a failed job. */
export async function runPhotoJob(input: PhotoJobInput): Promise<PhotoJobOutcome> {
  const started = Date.now();
  const base = { photo: input.photoPath, out: input.outDir };
  try {
    const photo = input.photo ?? (await loadPhoto(input.photoPath, input.maxPixels)).accepted;
    const result = await input.reconstruct(photo.png, input.options, { signal: input.signal, onProgress: (e) => input.line?.update(e) });
    const files = await writeOutputs(input.outDir, result);
    input.line?.finish("done");
    return { ...base, status: "done", ms: Date.now() - started, files };
  } catch (err) {
    const error = serializeError(err);
    const exitCode = error.code === "invalid_input" ? 2 : exitCodeForCode(error.code);
    input.line?.finish(`failed: ${error.code}`);
    return { ...base, status: "failed", ms: Date.now() - started, files: [], error: { ...error, exitCode } };
  }
}

/** "face.jpg: no face found … (capture)" */
export function describeFailure(outcome: PhotoJobOutcome): string {
  const e = outcome.error!;
  return `${outcome.photo}: ${e.message}${e.stage ? ` (stage ${e.stage})` : ""} [${e.code}]`;
}
