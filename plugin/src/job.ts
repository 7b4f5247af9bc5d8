/**
 * One reconstruction job on the daemon, from the plugin: upload the photo, follow the job, and
 * download its outputs into a fresh staging folder, through the typed client (`src/client.ts`)
 * over Node's http (see node-fetch.ts for why not the renderer's fetch).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PorelightClient } from "../../src/client.ts";
import { writeFileAtomic } from "../../src/io/write-atomic.ts";
import type { Preset } from "../../src/types.ts";
import { nodeFetch } from "./node-fetch.ts";

/** A photo as the panel reads it from the file picker. */
export interface JobPhoto {
  name: string;
  /** MIME type from the picker (the daemon sniffs the bytes anyway). */
  type: string;
  bytes: Uint8Array;
}

export interface RunJobOptions {
  /** Daemon base URL. */
  url: string;
  /** Bearer token, when the daemon requires one. */
  token?: string;
  preset: Preset;
  signal?: AbortSignal;
  /** Whole job progress 0..1 (compute, then download) with a short message. */
  onProgress?: (fraction: number, message: string) => void;
  fetchImpl?: typeof fetch;
}

/** Share of the job's progress bar spent computing; the rest is the download. */
const COMPUTE_SHARE = 0.9;

export interface JobResult {
  id: string;
  /** Staging folder holding the outputs (the caller removes it). */
  dir: string;
  files: string[];
}

/** Relative, forward slashes, no empty, "." or ".." segment: it cannot leave the staging folder. */
export function isSafeOutputName(name: string): boolean {
  return name.length > 0 && !name.startsWith("/") && !name.includes("\\") && !/^[A-Za-z]:/.test(name) && name.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/**
 * Runs one job to its end and downloads every output. Cancelling through `signal` cancels the job
 * on the daemon too. Rejects with the daemon's own message when the job fails.
 *
 *   const { dir } = await runJob(photo, { url: "http://127.0.0.1:7860", preset: "draft" });
 */
export async function runJob(photo: JobPhoto, options: RunJobOptions): Promise<JobResult> {
  const client = new PorelightClient({ baseUrl: options.url, token: options.token, fetch: options.fetchImpl ?? nodeFetch });
  const report = options.onProgress ?? (() => {});
  const signal = options.signal;

  report(0, `uploading ${photo.name}`);
  const { job, files } = await client.reconstruct(
    photo.bytes,
    { preset: options.preset },
    {
      filename: photo.name,
      signal,
      retries: 2,
      onProgress: (p) => report((COMPUTE_SHARE * p.percent) / 100, `reconstructing${p.stage ? `: ${p.stage}` : ""}`),
    },
  );

  const dir = await mkdtemp(join(tmpdir(), "porelight-job-"));
  try {
    for (const [i, file] of files.entries()) {
      if (!isSafeOutputName(file.name)) throw new Error(`porelight daemon: refusing the output name ${JSON.stringify(file.name)}`);
      report(COMPUTE_SHARE + ((1 - COMPUTE_SHARE) * i) / files.length, `downloading ${file.name}`);
      const bytes = await client.download(job.id, file.name, signal);
      await writeFileAtomic(join(dir, ...file.name.split("/")), bytes, { durable: false });
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  report(1, "downloaded");
  return { id: job.id, dir, files: files.map((f) => f.name) };
}
