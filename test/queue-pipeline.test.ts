/**
 * The queue with the REAL pipeline: a `porelight worker` (in this process, the pipeline in its
 * worker process exactly as the daemon runs it) builds one small photo at draft queued by
 * `batch --queue --wait` on a real redis-server; the head lands in `<out>/<name>/` with its GLB
 * and build record, and the queue's mechanics are in queue.test.ts. One cold draft job.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import sharp from "sharp";
import { afterAll, expect, it } from "vitest";
import { batchCommand } from "../src/cli/commands/batch.ts";
import { DEFAULT_DEPS } from "../src/cli/commands/reconstruct.ts";
import { DEFAULT_WORKER_DEPS, workerCommand } from "../src/cli/commands/worker.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { tempDir } from "./daemon-support/harness.ts";
import { startTestRedis } from "./queue-support/redis-server.ts";

const root = tempDir("queue-pipeline");
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("a draft job from the queue, real pipeline: done, GLB and build record in <out>/<name>/", async () => {
  const redis = await startTestRedis();
  let stop: ((how: "graceful" | "now") => void) | null = null;
  let log = "";
  const out = join(root, "out");
  mkdirSync(out);
  const worker = workerCommand(
    { queue: redis.url, out, name: "real" },
    { ...DEFAULT_WORKER_DEPS, stdout: { write: (t: string) => (log += t) }, stopRequests: (onStop) => (stop = onStop) },
  );
  try {
    const photo = join(root, "astronaut.png");
    writeFileSync(photo, await sharp(ASTRONAUT).resize(256).png().toBuffer());
    const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let table = "";
    const [outcome] = await batchCommand([photo], { out, preset: "draft", queue: redis.url, wait: true }, { ...DEFAULT_DEPS, stdout: { write: (t: string) => (table += t) }, stderr });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("done");
    expect(table).toMatch(/1 built, 0 skipped, 0 failed/);
    expect(log).toMatch(/info done astronaut~[0-9a-f]{20} → astronaut\/ in /);
    const files = readdirSync(join(out, "astronaut"), { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining([".porelight-build.json", "report.json"]));
    expect(files.some((f) => f.endsWith(".glb"))).toBe(true);
    const record = JSON.parse(readFileSync(join(out, "astronaut", ".porelight-build.json"), "utf8"));
    expect(record).toMatchObject({ worker: "real", options: { preset: "draft" } });
    expect(outcome.files).toEqual(record.files);
  } finally {
    (stop as ((how: "graceful" | "now") => void) | null)?.("graceful");
    await worker;
    await redis.dispose();
  }
});
