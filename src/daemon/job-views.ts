/** Turns stored job records into the API's JSON views. */
import type { JobCreated, JobFile, JobUrls, JobView } from "./api.ts";
import { API_PREFIX } from "./api.ts";
import type { JobRecord } from "./job-store.ts";

export function jobUrls(id: string): JobUrls {
  const self = `${API_PREFIX}/jobs/${id}`;
  return { self, events: `${self}/events`, files: `${self}/files` };
}

/** Encodes each path segment of an output name for use in a URL. */
export function fileUrl(id: string, name: string): string {
  return `${jobUrls(id).files}/${name.split("/").map(encodeURIComponent).join("/")}`;
}

export function jobView(record: JobRecord, queuePosition: number | null, now = Date.now()): JobView {
  const created = Date.parse(record.createdAt);
  const started = record.startedAt ? Date.parse(record.startedAt) : null;
  const finished = record.finishedAt ? Date.parse(record.finishedAt) : null;
  return {
    id: record.id,
    state: record.state,
    options: record.options,
    stage: record.stage,
    percent: record.percent,
    queuePosition,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    timings: {
      queuedMs: Math.max(0, (started ?? finished ?? now) - created),
      runMs: started === null ? 0 : Math.max(0, (finished ?? now) - started),
      stages: { ...record.stageMs },
    },
    error: record.error,
    input: record.input,
    urls: jobUrls(record.id),
  };
}

export function jobCreated(record: JobRecord): JobCreated {
  return { id: record.id, state: record.state, urls: jobUrls(record.id) };
}

export function jobFiles(record: JobRecord): JobFile[] {
  return (record.files ?? []).map((f) => ({ ...f, url: fileUrl(record.id, f.name) }));
}
