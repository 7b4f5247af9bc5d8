/**
 * The Redis/BullMQ worker pool (issue 19) against a REAL redis-server started here (loopback port,
 * temp dir, append-only file), with `porelight worker` processes whose pipeline is the TEST DOUBLE
 * in pipeline worker processes (the real pipeline through `porelight worker` is in queue-real.test.ts): two
 * workers build 12 photos exactly once; a re-run queues nothing; a worker killed with SIGKILL
 * mid-job has its job finished by the other and leaves no half-written output; Redis stopped and
 * restarted mid-build loses nothing; bad input fails at once, crashes are retried a bounded number
 * of times; bad configuration is exit 2 with a sentence.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchCommand } from "../src/cli/commands/batch.ts";
import { queueStatusCommand } from "../src/cli/commands/queue.ts";
import { DEFAULT_DEPS, type JobCommandDeps } from "../src/cli/commands/reconstruct.ts";
import { DEFAULT_WORKER_DEPS, workerCommand } from "../src/cli/commands/worker.ts";
import { CliError } from "../src/cli/errors.ts";
import { acceptPhoto } from "../src/daemon/photo-intake.ts";
import { watchJobs } from "../src/queue/watch.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { tempDir } from "./daemon-support/harness.ts";
import { capturedOutput, exitCodeOf } from "./support/cli-output.ts";
import { sha256 } from "./daemon-support/reconstruct-test-double.ts";
import { startTestRedis, type TestRedis } from "./queue-support/redis-server.ts";

const WORKER_ENTRY = fileURLToPath(new URL("./queue-support/worker-entry.ts", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/porelight.js", import.meta.url));
const root = tempDir("queue");
const children: ChildProcess[] = [];
let redis: TestRedis;

interface RunningWorker {
  proc: ChildProcess;
  name: string;
  log: () => string;
  /** Job ids this worker reported done. */
  done: () => string[];
}

/** Starts a worker process (pipeline = test double) and waits for its banner line. */
async function startWorker(name: string, url: string, out: string, behaviour: object = { stageMs: 60 }): Promise<RunningWorker> {
  const proc = spawn(process.execPath, ["--import", "tsx", WORKER_ENTRY, "--queue", url, "--out", out, "--stalled-after", "4", "--name", name], {
    env: { ...process.env, PORELIGHT_TEST_DOUBLE: JSON.stringify(behaviour) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let log = "";
  proc.stdout!.on("data", (c) => (log += c));
  proc.stderr!.on("data", (c) => (log += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes(`porelight worker ${name}: taking jobs`)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    proc.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`worker ${name} exited (${code}):\n${log}`));
    });
  });
  return { proc, name, log: () => log, done: () => [...log.matchAll(/ info done (\S+) →/g)].map((m) => m[1]) };
}

function io(): { d: JobCommandDeps; out: () => string; err: () => string } {
  const { stdout, stderr, out, err } = capturedOutput();
  return { d: { ...DEFAULT_DEPS, stdout, stderr }, out, err };
}

/** `count` distinct tiny photos (different sizes of the sample) in a new directory. */
async function photos(dir: string, count: number, first: number): Promise<string> {
  const path = join(root, dir);
  mkdirSync(path, { recursive: true });
  for (let i = 0; i < count; i++) {
    const w = 40 + 2 * (first + i);
    writeFileSync(join(path, `${dir}-${i}.png`), await sharp(ASTRONAUT).resize(w, w).png().toBuffer());
  }
  return path;
}

/** Every head directory in `out` is complete: its build record lists files that all exist at their sizes. */
function assertNoHalfWrittenOutput(out: string): string[] {
  const heads = readdirSync(out).filter((n) => !n.startsWith("."));
  for (const name of heads) {
    const record = JSON.parse(readFileSync(join(out, name, ".porelight-build.json"), "utf8")) as { files: { name: string; bytes: number }[] };
    expect(record.files.map((f) => f.name).sort()).toEqual(["maps/photo.png", "report.json"]);
    for (const f of record.files) expect(statSync(join(out, name, f.name)).size, `${name}/${f.name}`).toBe(f.bytes);
  }
  return heads;
}

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe("two workers on one queue", () => {
  const out = join(root, "out");
  let w1: RunningWorker;
  let w2: RunningWorker;
  let queue: Queue;
  let client: Redis;

  beforeAll(async () => {
    mkdirSync(out);
    [w1, w2] = await Promise.all([startWorker("w1", redis.url, out), startWorker("w2", redis.url, out)]);
    client = new Redis({ port: redis.port, host: "127.0.0.1", maxRetriesPerRequest: null });
    queue = new Queue("porelight", { connection: client });
    // This test's own view of Redis goes down with it mid-test; its reconnect errors are expected.
    client.on("error", () => {});
    queue.on("error", () => {});
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
  });

  it("12 draft photos: each built exactly once, by both workers between them; the local batch's table and exit 0", async () => {
    const dir = await photos("a", 12, 0);
    const cli = io();
    const outcomes = await batchCommand([dir], { out, preset: "draft", queue: redis.url, wait: true }, cli.d);
    expect(outcomes.map((o) => o.status)).toEqual(Array(12).fill("done"));
    expect(cli.err()).toMatch(/^12 queued, 0 already in the queue, 0 up to date, 0 unreadable/);
    expect(cli.err().match(/^\[\d+\/12\] .*: done \(w[12]\)$/gm)).toHaveLength(12);
    expect(cli.out()).toMatch(/12 built, 0 skipped, 0 failed\n$/);
    const done = [...w1.done(), ...w2.done()];
    expect(done).toHaveLength(12);
    expect(new Set(done).size).toBe(12);
    expect(done.every((id) => /^a-\d+~[0-9a-f]{20}$/.test(id))).toBe(true);
    expect(w1.done().length).toBeGreaterThan(0);
    expect(w2.done().length).toBeGreaterThan(0);
    expect(assertNoHalfWrittenOutput(out)).toHaveLength(12);
    // Each head was built from its own photo's normalised pixels, at draft.
    for (const o of outcomes) {
      const report = JSON.parse(readFileSync(join(o.out, "report.json"), "utf8"));
      expect(report.photoSha256).toBe(sha256((await acceptPhoto(readFileSync(o.photo), { maxPixels: 1e6 })).png));
      expect(report.options.preset).toBe("draft");
    }
    // Staged photos are removed once their head is published; no staging debris.
    expect(readdirSync(join(out, ".porelight-queue", "inputs"))).toEqual([]);
    expect(readdirSync(join(out, ".porelight-queue", "staging"))).toEqual([]);
  });

  it("a re-run of the same build queues nothing", async () => {
    const before = await queue.getJobCounts("waiting", "active", "completed");
    const cli = io();
    expect(await batchCommand([join(root, "a")], { out, preset: "draft", queue: redis.url }, cli.d)).toEqual([]);
    expect(cli.err()).toMatch(/^0 queued, 0 already in the queue, 12 up to date, 0 unreadable/);
    expect(await queue.getJobCounts("waiting", "active", "completed")).toEqual(before);
    // With --wait it ends like a local batch of up-to-date photos.
    const waited = await batchCommand([join(root, "a")], { out, preset: "draft", queue: redis.url, wait: true }, io().d);
    expect(waited.map((o) => o.status)).toEqual(Array(12).fill("skipped"));
    // --force queues an up-to-date photo again, and the worker really rebuilds it.
    const record = () => JSON.parse(readFileSync(join(out, "a-0", ".porelight-build.json"), "utf8")) as { builtAt: string };
    const builtAt = record().builtAt;
    const forced = await batchCommand([join(root, "a", "a-0.png")], { out, preset: "draft", queue: redis.url, wait: true, force: true }, io().d);
    expect(forced.map((o) => o.status)).toEqual(["done"]);
    expect(record().builtAt).not.toBe(builtAt);
  });

  it("a job whose head an earlier attempt published before dying completes without recomputing (its staged photo is gone)", async () => {
    const a1 = (await queue.getJobs(["completed"])).find((j) => j.data.name === "a-1")!;
    expect(existsSync(join(out, a1.data.input.file))).toBe(false);
    await queue.add("reconstruct", a1.data, { jobId: "replayed", attempts: 3 });
    const ends = await watchJobs(queue, ["replayed"]);
    expect(ends.get("replayed")).toMatchObject({ state: "completed", result: { name: "a-1", built: false } });
  });

  it("kill -9 of a worker mid-job: the other worker finishes its job; no output directory is half written", async () => {
    const dir = await photos("b", 4, 12);
    const build = batchCommand([dir], { out, preset: "draft", queue: redis.url, wait: true }, io().d);
    let victim: string | undefined;
    for (const until = Date.now() + 30_000; !victim && Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      const active = await queue.getActive();
      const early = (j: (typeof active)[number]) => ["capture", "fit", "unwrap", "complete"].includes((j.progress as { stage?: string }).stage ?? "");
      victim = active.find((j) => j.processedBy === "w1" && early(j))?.id;
    }
    expect(victim, "w1 never ran a job").toBeDefined();
    w1.proc.kill("SIGKILL");
    assertNoHalfWrittenOutput(out);
    const outcomes = await build;
    expect(outcomes.map((o) => o.status)).toEqual(Array(4).fill("done"));
    expect(w2.done()).toContain(victim);
    expect(w1.done()).not.toContain(victim);
    const job = (await queue.getJob(victim!))!;
    expect(job.processedBy).toBe("w2");
    expect(job.stalledCounter + job.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(assertNoHalfWrittenOutput(out)).toHaveLength(16);
    expect(readdirSync(join(out, ".porelight-queue", "staging"))).toEqual([]);
  });

  it("Redis stopped and restarted mid-build: the workers wait and resume, nothing is lost", async () => {
    w1 = await startWorker("w3", redis.url, out);
    const dir = await photos("c", 8, 16);
    const cli = io();
    const build = batchCommand([dir], { out, preset: "draft", queue: redis.url, wait: true }, cli.d);
    const heads = () => readdirSync(out).filter((n) => n.startsWith("c-")).length;
    for (const until = Date.now() + 30_000; heads() < 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 25));
    expect(heads()).toBeGreaterThanOrEqual(2);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    const builtWhileDown = heads();
    await redis.start();
    const outcomes = await build;
    expect(builtWhileDown).toBeLessThan(8);
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill("done"));
    expect(assertNoHalfWrittenOutput(out)).toHaveLength(24);
    for (const w of [w1, w2]) expect(w.log()).toMatch(/Redis error[\s\S]*Redis is back; resuming/);
    expect(cli.err()).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable .*; waiting for it\n[\s\S]*Redis is back\n/);
    // Nothing lost: every job of the build is completed in Redis after the restart.
    expect(await queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it("queue status: counts and each worker's finished jobs", async () => {
    let text = "";
    const status = await queueStatusCommand({ queue: redis.url }, { write: (t: string) => (text += t) });
    expect(status.counts).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    expect(status.counts.done).toBeGreaterThanOrEqual(24);
    const byName = new Map(status.workers.map((w) => [w.name, w]));
    expect(byName.get("w1")?.connected).toBe(false); // killed
    expect(byName.get("w2")?.connected).toBe(true);
    expect([...byName.values()].reduce((a, w) => a + w.done, 0)).toBeGreaterThanOrEqual(24);
    expect(text).toMatch(/^redis:\/\/127\.0\.0\.1:\d+: 0 waiting, 0 active, \d+ done, 0 failed\n[\s\S]*w2 +connected/);
  });
});

describe("failures", () => {
  it("--wait counts a job that failed once and then completed as done, and keeps the code of one that failed", async () => {
    const c = new Redis(`${redis.url}/7`, { maxRetriesPerRequest: null });
    const q = new Queue("porelight", { connection: c });
    let runs = 0;
    const wc = c.duplicate();
    const worker = new Worker(
      "porelight",
      async (job) => {
        if (job.id === "flaky" && runs++ === 0) throw new Error("worker_crashed: the pipeline worker process died");
        if (job.id === "faceless") throw new UnrecoverableError("no_face_found: no face found in the photo (stage capture)");
        return { name: job.id, built: true, files: 1, bytes: 1, ms: 1, worker: "inline" };
      },
      { connection: wc, name: "inline" },
    );
    try {
      await q.add("reconstruct", {}, { jobId: "flaky", attempts: 2 });
      await q.add("reconstruct", {}, { jobId: "faceless", attempts: 3 });
      const ends = await watchJobs(q, ["flaky", "faceless"]);
      expect(ends.get("flaky")).toMatchObject({ state: "completed", attempts: 2, worker: "inline" });
      expect(ends.get("faceless")).toMatchObject({ state: "failed", attempts: 1, error: { code: "no_face_found", message: "no face found in the photo", stage: "capture" } });
    } finally {
      await worker.close();
      await q.close();
      wc.disconnect();
      c.disconnect();
    }
  });

  it("bad input fails at once; a crashing pipeline is retried, then failed after 3 runs; neither stops the build", async () => {
    const facelessOut = join(root, "out-faceless");
    const crashOut = join(root, "out-crash");
    mkdirSync(facelessOut);
    mkdirSync(crashOut);
    const faceless = `${redis.url}/1`;
    const crashing = `${redis.url}/2`;
    await Promise.all([
      startWorker("faceless", faceless, facelessOut, { stageMs: 5, failWith: { code: "no_face_found", message: "no face found in the photo" } }),
      startWorker("crashing", crashing, crashOut, { stageMs: 5, crashAt: "unwrap" }),
    ]);
    const dir = await photos("f", 1, 30);
    const unreadable = join(dir, "notes.png");
    writeFileSync(unreadable, "not a photo");
    const cli = io();
    expect(await exitCodeOf(batchCommand([dir], { out: facelessOut, queue: faceless, wait: true }, cli.d))).toBe(1);
    expect(cli.out()).toMatch(/f-0\.png +failed .*no_face_found: no face found in the photo/);
    expect(cli.out()).toMatch(/notes\.png +failed .*unsupported_media_type/);
    const crash = io();
    expect(await exitCodeOf(batchCommand([join(dir, "f-0.png")], { out: crashOut, queue: crashing, wait: true }, crash.d))).toBe(1);
    expect(crash.out()).toMatch(/worker_crashed/);
    const attempts = async (url: string) => {
      const c = new Redis(url, { maxRetriesPerRequest: null });
      const q = new Queue("porelight", { connection: c });
      const [job] = await q.getFailed();
      await q.close();
      c.disconnect();
      return job.attemptsMade;
    };
    expect(await attempts(faceless)).toBe(1);
    expect(await attempts(crashing)).toBe(3);
    expect(readdirSync(facelessOut).filter((n) => !n.startsWith("."))).toEqual([]);
  });

  it("bad configuration: exit 2 and a sentence (URL, unreachable Redis, --out, incompatible queue)", async () => {
    const out = join(root, "out-config");
    mkdirSync(out);
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const c = new Redis(`${redis.url}/5`);
    await c.set("bull:porelight:porelight:format", "99");
    c.disconnect();
    const closedPort = `redis://127.0.0.1:${redis.port === 65535 ? 65534 : redis.port + 1}`;
    const never = { ...DEFAULT_WORKER_DEPS, startPipeline: () => expect.fail("no pipeline may start on bad configuration") };
    const failure = async (p: Promise<unknown>) => {
      const err = await p.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      return err as CliError;
    };
    // Thunks, run one at a time: a rejected promise nobody awaits yet would count as unhandled.
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => workerCommand({ queue: "http://127.0.0.1:6379", out }, never), /scheme must be redis: or rediss:/],
      [() => workerCommand({ queue: `${redis.url}/x`, out }, never), /path must be a database number/],
      [() => workerCommand({ queue: closedPort, out }, never), /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\); is redis-server running/],
      [() => workerCommand({ queue: redis.url, out: join(root, "not-mounted") }, never), /is not an existing directory: is the shared storage mounted/],
      [() => workerCommand({ queue: `${redis.url}/5`, out }, never), /holds jobs in format 99, this porelight reads format 1/],
      [() => workerCommand({ queue: redis.url, out, concurrency: "0" }, never), /--concurrency must be a whole number 1\.\.16/],
      [() => batchCommand([join(root, "a")], { queue: redis.url, out: join(file, "out") }, io().d), /this producer cannot write to .* \(a path component is a file\)/],
      [() => batchCommand([join(root, "a")], { queue: `${redis.url}/5`, out }, io().d), /holds jobs in format 99/],
      [() => queueStatusCommand({ queue: `${redis.url}/5` }, { write: () => {} }), /holds jobs in format 99/],
      [() => batchCommand([join(root, "a")], { out, wait: true }, io().d), /--wait only means something with --queue/],
    ];
    for (const [run, message] of cases) {
      const err = await failure(run());
      expect(err.message).toMatch(message);
      expect(err.exitCode, err.message).toBe(2);
    }
    expect(existsSync(join(root, "not-mounted"))).toBe(false);
    // The command line itself: `porelight worker` is registered and maps the error to exit 2.
    const cli = spawn(process.execPath, [BIN, "worker", "--queue", "redis://", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    cli.stderr!.on("data", (c) => (err += c));
    const code = await new Promise((resolve) => cli.once("exit", resolve));
    expect(err).toMatch(/^porelight: --queue "redis:\/\/" names no host/);
    expect(code).toBe(2);
  });
});
