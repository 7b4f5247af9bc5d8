/**
 * `npm run bench -- queue [--jobs 4] [--preset draft] [--workers 1,2]`: a queued build on a real
 * redis-server (started here, loopback, temp dir) with 1 and then 2 `porelight worker` processes
 * (the real pipeline, one job at a time each) on this machine. Reports throughput, per-job time,
 * and what each job costs Redis: client commands (counted with MONITOR; commands run inside
 * BullMQ's Lua scripts are not round trips and are left out) and bytes in and out (INFO stats,
 * less the MONITOR stream itself). Then scales those to 50 workers on paper.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import sharp from "sharp";
import { batchCommand } from "../src/cli/commands/batch.ts";
import { DEFAULT_DEPS } from "../src/cli/commands/reconstruct.ts";
// The tests' Redis launcher: the same loopback port + temp dir + append-only set-up.
import { startTestRedis } from "../test/queue-support/redis-server.ts";

const BIN = fileURLToPath(new URL("../bin/porelight.js", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url));

function arg(argv: string[], flag: string, fallback: string): string {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
}

/** Bytes Redis has received and sent, from INFO stats. */
async function netBytes(client: Redis): Promise<{ in: number; out: number }> {
  const info = await client.info("stats");
  const get = (k: string) => Number(new RegExp(`${k}:(\\d+)`).exec(info)?.[1] ?? NaN);
  return { in: get("total_net_input_bytes"), out: get("total_net_output_bytes") };
}

/**
 * Counts commands sent by clients (not by Lua scripts), by name, excluding the given client
 * address. A raw socket: MONITOR's stream is one "+<time> [<db> <source>] "<cmd>" …" line per
 * command, and counting its bytes exactly lets them be taken out of Redis's output total.
 */
async function monitor(port: number, exclude: string): Promise<{ counts: Map<string, number>; bytes: () => number; stop(): void }> {
  const counts = new Map<string, number>();
  let bytes = 0;
  let pending = "";
  const socket = createConnection({ port, host: "127.0.0.1" });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  socket.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    pending += chunk.toString("latin1");
    const lines = pending.split("\r\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const m = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!m || m[1] === "lua" || m[1] === exclude) continue;
      const name = m[2].toLowerCase();
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  });
  socket.on("error", () => {}); // destroyed by stop(); a Redis gone mid-bench ends the bench elsewhere
  socket.write("MONITOR\r\n");
  return { counts, bytes: () => bytes, stop: () => socket.destroy() };
}

interface Run {
  workers: number;
  wallS: number;
  jobsPerMin: number;
  p50JobS: number;
  commandsPerJob: number;
  topCommands: string;
  bytesInPerJob: number;
  bytesOutPerJob: number;
  outputBytesPerJob: number;
  inputBytesPerJob: number;
  enqueueMsPerPhoto: number;
}

async function runOnce(workers: number, photos: string[], preset: string, redisUrl: string, port: number, db: number, root: string): Promise<Run> {
  const out = join(root, `out-${workers}`);
  mkdirSync(out);
  const url = `${redisUrl}/${db}`;
  const procs: ChildProcess[] = [];
  const done: number[] = [];
  const jobSeconds: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const p = spawn(process.execPath, [BIN, "worker", "--queue", url, "--out", out, "--name", `bench-${i + 1}`], { stdio: ["ignore", "pipe", "inherit"] });
        procs.push(p);
        let log = "";
        return new Promise<void>((resolve, reject) => {
          p.stdout!.on("data", (c) => {
            log += c;
            if (log.includes("taking jobs")) resolve();
            for (const m of String(c).matchAll(/ info done \S+ → \S+ in ([\d.]+) s/g)) {
              done.push(performance.now());
              jobSeconds.push(Number(m[1]));
            }
          });
          p.once("exit", (code) => reject(new Error(`worker exited (${code})`)));
        });
      }),
    );
    const client = new Redis({ port, host: "127.0.0.1", db });
    const self = ((await client.call("CLIENT", "INFO")) as string).match(/addr=(\S+)/)![1];
    const mon = await monitor(port, self);
    const before = await netBytes(client);
    const t0 = performance.now();
    const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    await batchCommand(photos, { out, preset, queue: url }, { ...DEFAULT_DEPS, stdout: { write: () => true }, stderr });
    const enqueued = performance.now();
    while (done.length < photos.length) {
      if (procs.some((p) => p.exitCode !== null || p.signalCode !== null)) throw new Error("a worker process exited mid-bench");
      await new Promise((r) => setTimeout(r, 100));
    }
    const wallS = (performance.now() - t0) / 1000;
    // Let the last acknowledgements land before reading the counters.
    await new Promise((r) => setTimeout(r, 500));
    const after = await netBytes(client);
    mon.stop();
    const records = readdirSync(out)
      .filter((n) => !n.startsWith("."))
      .map((n) => JSON.parse(readFileSync(join(out, n, ".porelight-build.json"), "utf8")) as { files: { bytes: number }[] });
    const outputBytes = records.reduce((a, r) => a + r.files.reduce((b, f) => b + f.bytes, 0), 0);
    const commands = [...mon.counts.values()].reduce((a, b) => a + b, 0);
    const top = [...mon.counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / photos.length).toFixed(1)}`).join(", ");
    const n = photos.length;
    const sorted = [...jobSeconds].sort((a, b) => a - b);
    client.disconnect();
    return {
      workers,
      wallS,
      jobsPerMin: (n / wallS) * 60,
      p50JobS: sorted[Math.floor(n / 2)],
      commandsPerJob: commands / n,
      topCommands: top,
      bytesInPerJob: (after.in - before.in) / n,
      bytesOutPerJob: (after.out - before.out - mon.bytes()) / n,
      outputBytesPerJob: outputBytes / n,
      inputBytesPerJob: await stagedSize(photos),
      enqueueMsPerPhoto: (enqueued - t0) / n,
    };
  } finally {
    for (const p of procs) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)))));
  }
}

/** Mean size of the normalised PNGs the producer stages (what each worker reads from the share). */
async function stagedSize(photos: string[]): Promise<number> {
  const { acceptPhoto } = await import("../src/daemon/photo-intake.ts");
  let total = 0;
  for (const p of photos) total += (await acceptPhoto(readFileSync(p), { maxPixels: 50e6 })).png.byteLength;
  return total / photos.length;
}

const kB = (b: number) => `${(b / 1024).toFixed(1)} kB`;
const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export async function runQueueBench(argv: string[] = []): Promise<void> {
  const jobs = Number(arg(argv, "--jobs", "4"));
  const preset = arg(argv, "--preset", "draft");
  const counts = arg(argv, "--workers", "1,2").split(",").map(Number);
  const root = join(tmpdir(), `porelight-bench-queue-${process.pid}`);
  mkdirSync(join(root, "photos"), { recursive: true });
  const sample = readFileSync(SAMPLE);
  const photos: string[] = [];
  for (let i = 0; i < jobs; i++) {
    // Distinct photos (one pixel narrower each): distinct build keys, the same work.
    const path = join(root, "photos", `p${i}.png`);
    writeFileSync(path, await sharp(sample).resize(512 - i).png().toBuffer());
    photos.push(path);
  }
  const redis = await startTestRedis();
  console.log(`redis-server on ${redis.url} (append-only file on); ${jobs} photos at ${preset}, ~512 px; each worker one job at a time`);
  const runs: Run[] = [];
  try {
    for (const [i, w] of counts.entries()) {
      const r = await runOnce(w, photos, preset, redis.url, redis.port, i + 1, root);
      runs.push(r);
      console.log(`${w} worker process(es): ${r.wallS.toFixed(1)} s for ${jobs} jobs → ${r.jobsPerMin.toFixed(2)} jobs/min (incl. model loading once per process); job p50 ${r.p50JobS.toFixed(1)} s on the worker`);
    }
  } finally {
    await redis.dispose();
    rmSync(root, { recursive: true, force: true });
  }
  console.log("\n| workers | wall s | jobs/min | job p50 s | Redis commands / job | top commands / job | bytes to Redis / job | bytes from Redis / job | enqueue ms / photo |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of runs) {
    console.log(`| ${r.workers} | ${r.wallS.toFixed(1)} | ${r.jobsPerMin.toFixed(2)} | ${r.p50JobS.toFixed(1)} | ${r.commandsPerJob.toFixed(0)} | ${r.topCommands} | ${kB(r.bytesInPerJob)} | ${kB(r.bytesOutPerJob)} | ${r.enqueueMsPerPhoto.toFixed(0)} |`);
  }
  const last = runs[runs.length - 1];
  const first = runs[0];
  console.log(`\noutputs per job ${MB(last.outputBytesPerJob)} written to --out; staged photo per job ${MB(first.inputBytesPerJob)} written by the producer and read by a worker`);
  if (runs.length > 1) console.log(`speed-up ${runs.length > 1 ? (last.jobsPerMin / first.jobsPerMin).toFixed(2) : "-"}× with ${last.workers} workers on this ${(await import("node:os")).cpus().length}-core machine`);

  // On paper: 50 machines, one worker each, at the standard preset's warm time from docs/benchmarks.md.
  const standardS = 10.2;
  const perS = 50 / standardS;
  const redisCmds = perS * last.commandsPerJob;
  const redisBytes = perS * (last.bytesInPerJob + last.bytesOutPerJob);
  // Outputs are mostly maps: scale draft's measured bytes by the map area (PRESET_MAP_SIZE, 4× at standard).
  const mapScale = preset === "draft" ? 4 : 1;
  const storage = perS * (last.outputBytesPerJob * mapScale + 2 * first.inputBytesPerJob);
  console.log(`\n50 workers on 50 machines at standard (${standardS} s per job, docs/benchmarks.md): ${perS.toFixed(1)} jobs/s`);
  console.log(`  Redis: ~${redisCmds.toFixed(0)} client commands/s and ${kB(redisBytes)}/s (plus idle workers' blocking polls); one Redis core serves tens of thousands of such commands/s`);
  console.log(`  shared storage: ~${MB(storage)}/s (outputs ${MB(last.outputBytesPerJob * mapScale)} per job${mapScale > 1 ? " scaled from draft by map area" : ""}, plus each staged photo written once and read once)`);
}
