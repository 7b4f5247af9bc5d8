/**
 * Runs one job through the real JobStore and JobRunner (pipeline = TEST DOUBLE, in process) on the
 * data directory given as argv[2], then exits. The durability test runs this under strace.
 */
import { JobRunner } from "../../src/daemon/job-runner.ts";
import { JobStore, newJobId, type JobRecord } from "../../src/daemon/job-store.ts";
import { RECONSTRUCT_DEFAULTS } from "../../src/types.ts";
import { createReconstructDouble } from "./reconstruct-test-double.ts";

const store = await JobStore.open(process.argv[2]);
const runner = new JobRunner(store, createReconstructDouble({ stageMs: 1 }), { queueLimit: 1 });
const now = new Date();
const record: JobRecord = {
  version: 1,
  id: newJobId(now.getTime()),
  state: "queued",
  options: { ...RECONSTRUCT_DEFAULTS },
  stage: null,
  percent: 0,
  createdAt: now.toISOString(),
  startedAt: null,
  finishedAt: null,
  stageMs: {},
  error: null,
  input: { mediaType: "image/png", width: 1, height: 1, bytes: 3 },
  files: null,
};
await store.create(record, new Uint8Array([1, 2, 3]));
const ended = new Promise<void>((resolve) => runner.subscribe(record.id, (e) => e.type === "end" && resolve()));
runner.reserve().enqueue(record.id);
await ended;
await runner.close();
process.stdout.write(`${record.id} ${store.get(record.id)!.state}\n`);
