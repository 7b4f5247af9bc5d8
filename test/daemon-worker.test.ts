/**
 * The worker-process pipeline runner (src/daemon/pipeline-process.ts), driven with the pipeline
 * TEST DOUBLE module: results and progress cross the process boundary intact, a cancel stops
 * even a stage that never checks its signal, a crash fails one job and the next job still runs.
 */
import { getPriority } from "node:os";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { reconstructInChildProcess, type ChildProcessReconstruct } from "../src/daemon/pipeline-process.ts";
import type { ProgressEvent } from "../src/types.ts";
import { RECONSTRUCT_DEFAULTS, STAGES } from "../src/types.ts";
import { sha256 } from "./daemon-support/reconstruct-test-double.ts";

const DOUBLE = fileURLToPath(new URL("./daemon-support/reconstruct-test-double.ts", import.meta.url));
const photo = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
let worker: ChildProcessReconstruct | null = null;
afterEach(async () => worker?.close());

const start = (behaviour: object) => (worker = reconstructInChildProcess({ module: DOUBLE, env: { PORELIGHT_TEST_DOUBLE: JSON.stringify(behaviour) }, cancelGraceMs: 300 }));

describe("reconstructInChildProcess", () => {
  it("returns the worker's files byte for byte and forwards progress", async () => {
    const run = start({ stageMs: 1 });
    const events: ProgressEvent[] = [];
    const result = await run(photo, RECONSTRUCT_DEFAULTS, { onProgress: (e) => events.push(e) });
    expect(result.files.find((f) => f.name === "maps/photo.png")!.bytes).toEqual(photo);
    expect(result.report.photoSha256).toBe(sha256(photo));
    expect(events.map((e) => e.stage)).toEqual(STAGES.flatMap((s) => [s, s]));
    expect(events.at(-1)!.overallFraction).toBe(1);
    // The same worker serves the next job (sessions stay warm).
    const pid = run.pid;
    expect(pid).toBeGreaterThan(0);
    await run(photo, RECONSTRUCT_DEFAULTS, {});
    expect(run.pid).toBe(pid);
  });

  it("cancels a stage that never looks at its signal by killing the worker", async () => {
    const run = start({ busyMs: 5000, stageMs: 1 });
    const controller = new AbortController();
    let started!: () => void;
    const inStage = new Promise<void>((r) => (started = r));
    const pending = run(photo, RECONSTRUCT_DEFAULTS, { signal: controller.signal, onProgress: () => started() });
    await inStage; // the worker is now spinning inside its first stage, deaf to messages
    await new Promise((r) => setTimeout(r, 100));
    const busyPid = run.pid;
    expect(busyPid).toBeGreaterThan(0);
    const t0 = Date.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    // The stage spins for 5 s without looking at its signal: only the kill (after 300 ms of
    // grace) can end it this soon, and it leaves the next job a new worker process.
    expect(Date.now() - t0).toBeLessThan(2500);
    const next = new AbortController();
    const again = run(photo, RECONSTRUCT_DEFAULTS, { signal: next.signal });
    expect(run.pid).toBeGreaterThan(0);
    expect(run.pid).not.toBe(busyPid);
    next.abort();
    await expect(again).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a crashing worker fails that job with worker_crashed; the next job gets a fresh worker", async () => {
    const run = start({ crashAt: "fit" });
    await expect(run(photo, RECONSTRUCT_DEFAULTS, {})).rejects.toMatchObject({ code: "worker_crashed" });
    expect(run.pid).toBeUndefined();
    await expect(run(photo, RECONSTRUCT_DEFAULTS, {})).rejects.toMatchObject({ code: "worker_crashed" });
  });

  it("carries a pipeline error's code across the process boundary", async () => {
    const run = start({ failWith: { code: "no_face_found", message: "no face in the photo" } });
    await expect(run(photo, RECONSTRUCT_DEFAULTS, {})).rejects.toMatchObject({ code: "no_face_found", message: "no face in the photo" });
  });

  it("runs the worker at the requested lower CPU priority", async () => {
    const run = (worker = reconstructInChildProcess({ module: DOUBLE, env: { PORELIGHT_TEST_DOUBLE: "{}" }, nice: 5 }));
    await run(photo, RECONSTRUCT_DEFAULTS, {});
    expect(getPriority(run.pid!) - getPriority()).toBe(5);
  });

  it("keeps this process's event loop free while the pipeline spins the CPU", async () => {
    const run = start({ busyMs: 150, stageMs: 1 }); // ~1.4 s of synchronous work in the worker
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    await run(photo, RECONSTRUCT_DEFAULTS, {});
    clearInterval(timer);
    const elapsed = Date.now() - t0;
    // Were the loop blocked, ticks would be near 0; allow generous scheduling slack on a busy box.
    expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
  });
});
