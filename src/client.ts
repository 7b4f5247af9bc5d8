/**
 * A typed client for the porelight daemon, for the Editor plugin and build scripts: submit a photo,
 * follow progress (Server-Sent Events, or polling), download the outputs. Uses only `fetch`,
 * `FormData`, `Blob` and web streams, so it runs in Node ≥ 20, browsers and Electron, and bundles
 * without Node shims.
 *
 *   const client = new PorelightClient({ baseUrl: "http://127.0.0.1:7860" });
 *   const { job, files } = await client.reconstruct(photoBytes, { preset: "high" }, { onProgress: (p) => console.log(p.stage, p.percent) });
 *   for (const f of files) await save(f.name, await client.download(job.id, f.name));
 */
import type { ApiErrorBody, HealthView, JobCreated, JobFile, JobView, ModelList, ProgressPayload } from "./daemon/api.ts";
import { isFinalState } from "./daemon/api.ts";
import type { ReconstructOptions, StageName } from "./types.ts";

export type { ApiErrorInfo, HealthView, JobCreated, JobFile, JobState, JobView, ModelList } from "./daemon/api.ts";

export interface PorelightClientOptions {
  /** Daemon origin; default http://127.0.0.1:7860. */
  baseUrl?: string;
  /** Bearer token, when the daemon was started with --token. */
  token?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** An HTTP error answered by the daemon (`{ error: { code, message } }`). */
export class PorelightApiError extends Error {
  override name = "PorelightApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before retrying, from Retry-After (429, 503). */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

/** A job that ended other than `done`. */
export class PorelightJobError extends Error {
  override name = "PorelightJobError";
  readonly code: string;
  constructor(readonly job: JobView) {
    super(job.error ? `${job.state}: ${job.error.message}` : `the job ended ${job.state}`);
    this.code = job.error?.code ?? job.state;
  }
}

/** Progress as seen by a follower (SSE gives fractions too; polling gives stage and percent). */
export interface FollowProgress {
  stage: StageName | null;
  /** 0..100 */
  percent: number;
  stageFraction?: number;
  message?: string;
}

export interface FollowOptions {
  onProgress?: (progress: FollowProgress) => void;
  /** Called with the full job on connect and at every state or stage change. */
  onJob?: (job: JobView) => void;
  signal?: AbortSignal;
  /** "sse" streams events; "poll" asks every `pollIntervalMs`; "auto" streams and falls back to polling. */
  mode?: "auto" | "sse" | "poll";
  pollIntervalMs?: number;
}

export interface SubmitOptions {
  /** File name sent with the photo (the daemon judges the type from the bytes anyway). */
  filename?: string;
  signal?: AbortSignal;
}

export interface ReconstructCallOptions extends FollowOptions, SubmitOptions {
  /** How many times to retry a submission refused with 429 or 503 too_many_uploads (waiting Retry-After each time). Default 0. */
  retries?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export class PorelightClient {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PorelightClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "http://127.0.0.1:7860").replace(/\/+$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  /** Absolute URL of a daemon path (or of a `urls.*` value from a job). */
  url(path: string): string {
    return `${this.baseUrl}${path.startsWith("/") ? "" : "/"}${path}`;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
    const res = await this.fetchImpl(this.url(path), { ...init, headers });
    if (res.ok) return res;
    let code = `http_${res.status}`;
    let message = `${init.method ?? "GET"} ${path}: HTTP ${res.status}`;
    try {
      const body = (await res.json()) as ApiErrorBody;
      if (body?.error?.code) ({ code, message } = body.error);
    } catch {
      /* not a JSON error body: keep the HTTP status */
    }
    const retry = Number(res.headers.get("retry-after"));
    throw new PorelightApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null);
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  health(): Promise<HealthView> {
    return this.json("/v1/health");
  }

  models(): Promise<ModelList> {
    return this.json("/v1/models");
  }

  /** Uploads a photo and queues a job (202). Throws PorelightApiError (e.g. 429 queue_full, 415, 413). */
  submit(photo: Blob | Uint8Array | ArrayBuffer, options: Partial<ReconstructOptions> = {}, init: SubmitOptions = {}): Promise<JobCreated> {
    const form = new FormData();
    if (options.preset) form.append("preset", options.preset);
    if (options.face !== undefined) form.append("face", String(options.face));
    if (options.formats) form.append("formats", options.formats.join(","));
    const blob = photo instanceof Blob ? photo : new Blob([photo instanceof ArrayBuffer ? photo : new Uint8Array(photo)]);
    form.append("photo", blob, init.filename ?? "photo");
    return this.json("/v1/jobs", { method: "POST", body: form, signal: init.signal });
  }

  job(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.json(`/v1/jobs/${encodeURIComponent(id)}`, { signal });
  }

  async jobs(): Promise<JobView[]> {
    return (await this.json<{ jobs: JobView[] }>("/v1/jobs")).jobs;
  }

  /** Cancels a queued or running job; resolves with the job afterwards. */
  cancel(id: string): Promise<JobView> {
    return this.json(`/v1/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /** Deletes a finished job and its files (cancel it first if it is still going). */
  async delete(id: string): Promise<void> {
    await this.request(`/v1/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  async files(id: string): Promise<JobFile[]> {
    return (await this.json<{ files: JobFile[] }>(`/v1/jobs/${encodeURIComponent(id)}/files`)).files;
  }

  /** One output's bytes, by its relative name (e.g. "maps/albedo_diffuse.png"). */
  async download(id: string, name: string, signal?: AbortSignal): Promise<Uint8Array> {
    const path = `/v1/jobs/${encodeURIComponent(id)}/files/${name.split("/").map(encodeURIComponent).join("/")}`;
    return new Uint8Array(await (await this.request(path, { signal })).arrayBuffer());
  }

  /** Downloads every output and hands each to `write` (the caller decides where bytes go). */
  async downloadAll(id: string, write: (file: JobFile, bytes: Uint8Array) => void | Promise<void>, signal?: AbortSignal): Promise<JobFile[]> {
    const files = await this.files(id);
    for (const file of files) await write(file, await this.download(id, file.name, signal));
    return files;
  }

  /** Waits for a job to end, reporting progress; resolves with the final job (done or not). */
  async follow(id: string, options: FollowOptions = {}): Promise<JobView> {
    const mode = options.mode ?? "auto";
    if (mode !== "poll") {
      try {
        const final = await this.followEvents(id, options);
        if (final) return final;
      } catch (err) {
        if (mode === "sse" || options.signal?.aborted || err instanceof PorelightApiError) throw err;
      }
    }
    return this.followPolling(id, options);
  }

  private async followEvents(id: string, options: FollowOptions): Promise<JobView | null> {
    const res = await this.request(`/v1/jobs/${encodeURIComponent(id)}/events`, { signal: options.signal, headers: { Accept: "text/event-stream" } });
    if (!res.body) return null;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null; // stream dropped before `end`: the caller falls back to polling
        buffer += value.replace(/\r\n?/g, "\n");
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length === 0) continue;
          const payload = JSON.parse(data.join("\n"));
          if (event === "progress") {
            const p = payload as ProgressPayload;
            options.onProgress?.({ stage: p.stage, percent: p.percent, stageFraction: p.stageFraction, message: p.message });
          } else if (event === "job" || event === "end") {
            const job = payload as JobView;
            options.onJob?.(job);
            options.onProgress?.({ stage: job.stage, percent: job.percent });
            if (event === "end") return job;
          }
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  private async followPolling(id: string, options: FollowOptions): Promise<JobView> {
    let last = "";
    for (;;) {
      const job = await this.job(id, options.signal);
      const key = `${job.state}|${job.stage}|${job.percent}`;
      if (key !== last) {
        last = key;
        options.onJob?.(job);
        options.onProgress?.({ stage: job.stage, percent: job.percent });
      }
      if (isFinalState(job.state)) return job;
      await sleep(options.pollIntervalMs ?? 500, options.signal);
    }
  }

  /**
   * Submit, follow to the end, list the outputs. Throws PorelightJobError when the job fails,
   * is cancelled or interrupted; aborting `signal` cancels the job on the daemon too.
   */
  async reconstruct(photo: Blob | Uint8Array | ArrayBuffer, options: Partial<ReconstructOptions> = {}, call: ReconstructCallOptions = {}): Promise<{ job: JobView; files: JobFile[] }> {
    let created: JobCreated;
    for (let attempt = 0; ; attempt++) {
      try {
        created = await this.submit(photo, options, call);
        break;
      } catch (err) {
        // 429: the job queue is full; 503 too_many_uploads: too many photos arriving at once. Both pass.
        const busy = err instanceof PorelightApiError && (err.status === 429 || (err.status === 503 && err.code === "too_many_uploads"));
        if (!busy || attempt >= (call.retries ?? 0)) throw err;
        await sleep((err.retryAfterS ?? 5) * 1000, call.signal);
      }
    }
    const onAbort = () => void this.cancel(created.id).catch(() => {});
    call.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const job = await this.follow(created.id, call);
      if (job.state !== "done") throw new PorelightJobError(job);
      return { job, files: await this.files(job.id) };
    } finally {
      call.signal?.removeEventListener("abort", onAbort);
    }
  }
}
