/**
 * The worker pool with the REAL pipeline, end to end through the command line: a real
 * redis-server on a loopback port, two `porelight worker` processes (bin/porelight.js, models
 * loaded once per pipeline process, as shipped), and `batch --queue --wait` over 5 tiny photos
 * at draft. Mid-build one worker is killed with SIGKILL while a job of its own is running, and
 * then Redis is stopped and restarted; the build still ends with every head built exactly once
 * and complete on disk, and a re-run queues nothing. The queue's finer mechanics (retries,
 * failures, configuration errors) run against a pipeline test double in queue.test.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchCommand } from "../src/cli/commands/batch.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { tempDir } from "./daemon-support/harness.ts";
import { capturedOutput } from "./support/cli-output.ts";
import { DEFAULT_DEPS } from "../src/cli/commands/reconstruct.ts";
import { startTestRedis, type TestRedis } from "./queue-support/redis-server.ts";

const BIN = fileURLToPath(new URL("../bin/porelight.js", import.meta.url));
// Five real jobs exercise every path: both workers busy with one job each, then w1 killed in its
// second (so w2, alone from there, builds the other three, the killed one among them), and Redis
// stopped after the third head with two jobs left. The 12-job exactly-once count runs against the
// test double in queue.test.ts. Each real job costs ~15 s of CPU, and the default suite has a
// 15-minute budget: every job after the kill runs on one worker, so each one is wall time.
const PHOTOS = 5;
// The queue is what is tested, not head.glb's texture encoding: `--target source` skips the KTX2
// encode (≈ 4.5 CPU s of a draft job; gltf-delivery, reconstruct and the browser delivery tests
// check it), while the job still writes head.glb and every other file it records.
const JOB = { preset: "draft", target: "source" } as const;
const root = tempDir("queue-real");
const out = join(root, "out");
const children: ChildProcess[] = [];
let redis: TestRedis;

interface RealWorker {
  proc: ChildProcess;
  log: () => string;
  /** Job ids this worker reported done. */
  done: () => string[];
}

/** `porelight worker` as a user starts it, with a short stall timeout so a killed worker's job moves on quickly. */
async function startWorker(name: string): Promise<RealWorker> {
  const proc = spawn(process.execPath, [BIN, "worker", "--queue", redis.url, "--out", out, "--stalled-after", "5", "--name", name], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let log = "";
  proc.stdout!.on("data", (c) => (log += c));
  proc.stderr!.on("data", (c) => (log += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => log.includes(`porelight worker ${name}: taking jobs`) && (clearInterval(timer), resolve()), 50);
    proc.once("exit", (code) => (clearInterval(timer), reject(new Error(`worker ${name} exited (${code}):\n${log}`))));
  });
  return { proc, log: () => log, done: () => [...log.matchAll(/ info done (\S+) →/g)].map((m) => m[1]) };
}

/** Heads whose build record lists files that all exist at their recorded sizes; throws on any other directory. */
function completeHeads(): string[] {
  const heads = readdirSync(out).filter((n) => !n.startsWith("."));
  for (const name of heads) {
    const record = JSON.parse(readFileSync(join(out, name, ".porelight-build.json"), "utf8")) as { files: { name: string; bytes: number }[] };
    expect(record.files.map((f) => f.name)).toEqual(expect.arrayContaining(["head.glb", "report.json"]));
    for (const f of record.files) expect(statSync(join(out, name, f.name)).size, `${name}/${f.name}`).toBe(f.bytes);
  }
  return heads;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it gives a value; on time-out the workers' logs say where the build stood. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, workers: RealWorker[]): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}; worker logs:\n${workers.map((w) => w.log()).join("\n---\n")}`);
}

beforeAll(async () => {
  redis = await startTestRedis();
  mkdirSync(out);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.dispose();
  rmSync(root, { recursive: true, force: true });
});

it("5 real draft jobs on 2 workers survive a kill -9 and a Redis restart: each head built once, complete; a re-run queues nothing", async () => {
  const dir = join(root, "photos");
  mkdirSync(dir);
  // Distinct photos (each size is its own content key), small enough that a draft job is cheap.
  for (let i = 0; i < PHOTOS; i++) writeFileSync(join(dir, `p${i}.png`), await sharp(ASTRONAUT).resize(192 + 4 * i).png().toBuffer());
  const [w1, w2] = await Promise.all([startWorker("w1"), startWorker("w2")]);
  const client = new Redis({ port: redis.port, host: "127.0.0.1", maxRetriesPerRequest: null });
  const queue = new Queue("porelight", { connection: client });
  // This test's own view of Redis goes down with it mid-test; its reconnect errors are expected.
  client.on("error", () => {});
  queue.on("error", () => {});
  try {
    const cli = capturedOutput();
    const build = batchCommand([dir], { out, ...JOB, queue: redis.url, wait: true }, { ...DEFAULT_DEPS, stdout: cli.stdout, stderr: cli.stderr });

    // 1. Kill w1 while it computes a job of its own: its second, once that has reported a pipeline
    // stage (the build is under way, and a job killed this early wastes the least).
    await until("a first head built by w1", () => (w1.done().length > 0 ? true : undefined), 300_000, [w1, w2]);
    const victim = await until("a second job computing on w1", async () => (await queue.getActive()).find((j) => j.processedBy === "w1" && (j.progress as { stage?: string } | undefined)?.stage)?.id, 300_000, [w1, w2]);
    w1.proc.kill("SIGKILL");
    completeHeads();

    // 2. Stop Redis while jobs remain, then start it again.
    await until("another head after the kill", () => (completeHeads().length >= 3 ? true : undefined), 300_000, [w1, w2]);
    await redis.stop();
    await sleep(2000);
    const builtWhileDown = completeHeads().length;
    await redis.start();

    const outcomes = await build;
    expect(outcomes.map((o) => o.status)).toEqual(Array(PHOTOS).fill("done"));
    expect(builtWhileDown).toBeLessThan(PHOTOS);
    expect(cli.out()).toMatch(new RegExp(`${PHOTOS} built, 0 skipped, 0 failed\\n$`));
    // Exactly once: every job finished by one worker, the killed job by the survivor.
    const done = [...w1.done(), ...w2.done()];
    expect(new Set(done).size).toBe(PHOTOS);
    expect(done).toHaveLength(PHOTOS);
    expect(w2.done()).toContain(victim);
    expect(w2.log()).toMatch(/Redis error[\s\S]*Redis is back; resuming/);
    expect(completeHeads()).toHaveLength(PHOTOS);
    for (const o of outcomes) expect(JSON.parse(readFileSync(join(o.out, "report.json"), "utf8")).options).toMatchObject(JOB);
    expect(readdirSync(join(out, ".porelight-queue", "staging"))).toEqual([]);
    expect(readdirSync(join(out, ".porelight-queue", "inputs"))).toEqual([]);

    // 3. A re-run of the same build queues nothing.
    const counts = await queue.getJobCounts("waiting", "active", "completed");
    const again = capturedOutput();
    expect(await batchCommand([dir], { out, ...JOB, queue: redis.url }, { ...DEFAULT_DEPS, stdout: again.stdout, stderr: again.stderr })).toEqual([]);
    expect(again.err()).toMatch(new RegExp(`^0 queued, 0 already in the queue, ${PHOTOS} up to date, 0 unreadable`));
    expect(await queue.getJobCounts("waiting", "active", "completed")).toEqual(counts);
  } finally {
    await queue.close();
    client.disconnect();
  }
}, 900_000);
