/**
 * Runs one job through the real JobStore and JobRunner (pipeline = TEST DOUBLE, in process) on the
 * data directory given as argv[2], then exits. The durability test runs this under strace.
 */
import { JobRunner } from "../../src/daemon/job-runner.ts";
import { JobStore, newJobRecord } from "../../src/daemon/job-store.ts";
import { RECONSTRUCT_DEFAULTS } from "../../src/types.ts";
import { createReconstructDouble } from "./reconstruct-test-double.ts";

const store = await JobStore.open(process.argv[2]);
const runner = new JobRunner(store, createReconstructDouble({ stageMs: 1 }), { queueLimit: 1 });
const record = newJobRecord({ ...RECONSTRUCT_DEFAULTS }, { mediaType: "image/png", width: 1, height: 1, bytes: 3 });
await store.create(record, new Uint8Array([1, 2, 3]));
const ended = new Promise<void>((resolve) => runner.subscribe(record.id, (e) => e.type === "end" && resolve()));
runner.reserve().enqueue(record.id);
await ended;
await runner.close();
process.stdout.write(`${record.id} ${store.get(record.id)!.state}\n`);
