/**
 * `npm run bench -- daemon [--jobs 50] [--preset draft] [--queue-limit 16] [--photo file]`:
 * one daemon (a child process, started as `porelight serve`, real pipeline in its worker), N jobs
 * submitted at once. Checks every submission is accepted (202) or refused (429, or 503 beyond
 * --max-uploads uploads at once), none lost or duplicated, all accepted jobs complete; reports
 * throughput and the latency of status polls
 * (GET /v1/jobs/:id every 50 ms) while a job computes — the event loop must stay responsive
 * (target p99 < 50 ms).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface Args {
  jobs: number;
  preset: string;
  queueLimit: number;
  photo: string;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  return {
    jobs: Number(get("--jobs", "50")),
    preset: get("--preset", "draft"),
    queueLimit: Number(get("--queue-limit", "16")),
    photo: get("--photo", fileURLToPath(new URL("../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url))),
  };
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Peak resident set of a process, bytes (Linux), or NaN. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function runDaemonBench(argv: string[] = []): Promise<void> {
  const args = parseArgs(argv);
  const dataDir = mkdtempSync(join(tmpdir(), "porelight-bench-daemon-"));
  const bin = fileURLToPath(new URL("../bin/porelight.js", import.meta.url));
  const daemon = spawn(process.execPath, [bin, "serve", "--port", "0", "--data-dir", dataDir, "--queue-limit", String(args.queueLimit)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = "";
      daemon.stdout!.on("data", (c) => {
        out += c;
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      daemon.once("exit", (code) => reject(new Error(`daemon exited (${code}) before listening`)));
    });
    const photo = readFileSync(args.photo);
    console.log(`daemon ${base}; ${args.jobs} jobs at ${args.preset}, queue limit ${args.queueLimit}, photo ${args.photo} (${(photo.length / 1e3).toFixed(0)} kB)`);

    // Status polls run throughout; only those answered while a job was computing are counted.
    const pollLatencies: number[] = [];
    let polling = true;
    let pollTarget: string | null = null;
    const poller = (async () => {
      while (polling) {
        if (pollTarget) {
          const t0 = performance.now();
          const job = (await (await fetch(`${base}/v1/jobs/${pollTarget}`)).json()) as { state: string };
          const dt = performance.now() - t0;
          const health = (await (await fetch(`${base}/v1/health`)).json()) as { queue: { running: number } };
          if (job.state === "running" || health.queue.running > 0) pollLatencies.push(dt);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const submitStart = performance.now();
    const submissions = await Promise.all(
      Array.from({ length: args.jobs }, async () => {
        const form = new FormData();
        form.append("preset", args.preset);
        form.append("photo", new Blob([photo]), "photo.png");
        const t0 = performance.now();
        const res = await fetch(`${base}/v1/jobs`, { method: "POST", body: form });
        const body = (await res.json()) as { id?: string; error?: { code: string } };
        return { status: res.status, id: body.id, code: body.error?.code, ms: performance.now() - t0 };
      }),
    );
    const submitMs = performance.now() - submitStart;
    const accepted = submissions.filter((s) => s.status === 202).map((s) => s.id!);
    const refused = submissions.filter((s) => s.status === 429).length;
    // 503 too_many_uploads: more uploads at once than the daemon reads (--max-uploads); a refusal like 429.
    const busy = submissions.filter((s) => s.status === 503 && s.code === "too_many_uploads").length;
    const other = submissions.filter((s) => s.status !== 202 && s.status !== 429 && !(s.status === 503 && s.code === "too_many_uploads"));
    pollTarget = accepted[accepted.length - 1] ?? null;
    const postLat = submissions.map((s) => s.ms).sort((a, b) => a - b);
    console.log(`submitted in ${ms(submitMs)}: ${accepted.length} accepted (202), ${refused} refused (429), ${busy} refused (503 too_many_uploads), ${other.length} other${other.length ? ` ${JSON.stringify(other.slice(0, 3))}` : ""}; POST latency p50 ${ms(quantile(postLat, 0.5))}, max ${ms(postLat.at(-1) ?? NaN)}`);

    type Job = { id: string; state: string; startedAt: string | null; finishedAt: string | null; error: { code: string } | null; timings: { runMs: number } };
    let jobs: Job[] = [];
    for (;;) {
      jobs = ((await (await fetch(`${base}/v1/jobs`)).json()) as { jobs: Job[] }).jobs;
      const pending = jobs.filter((j) => j.state === "queued" || j.state === "running").length;
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    polling = false;
    await poller;

    const ids = jobs.map((j) => j.id);
    const lost = accepted.filter((id) => !ids.includes(id));
    const unexpected = ids.filter((id) => !accepted.includes(id));
    const duplicated = ids.length - new Set(ids).size;
    const byState = new Map<string, number>();
    for (const j of jobs) byState.set(j.state, (byState.get(j.state) ?? 0) + 1);
    const failures = jobs.filter((j) => j.state === "failed").map((j) => j.error?.code);
    const done = jobs.filter((j) => j.state === "done");
    const firstStart = Math.min(...jobs.filter((j) => j.startedAt).map((j) => Date.parse(j.startedAt!)));
    const lastEnd = Math.max(...jobs.filter((j) => j.finishedAt).map((j) => Date.parse(j.finishedAt!)));
    const spanS = (lastEnd - firstStart) / 1000;
    const runMs = done.map((j) => j.timings.runMs).sort((a, b) => a - b);
    pollLatencies.sort((a, b) => a - b);

    console.log(`states: ${[...byState].map(([s, n]) => `${s} ${n}`).join(", ")}${failures.length ? `; failure codes ${JSON.stringify(failures)}` : ""}`);
    console.log(`lost ${lost.length}, duplicated ${duplicated}, unexpected ${unexpected.length}`);
    console.log(`throughput: ${done.length} jobs in ${spanS.toFixed(1)} s of computing = ${((done.length / spanS) * 60).toFixed(2)} jobs/min; run time per job p50 ${(quantile(runMs, 0.5) / 1000).toFixed(1)} s`);
    console.log(`status poll while computing: n=${pollLatencies.length}, p50 ${ms(quantile(pollLatencies, 0.5))}, p99 ${ms(quantile(pollLatencies, 0.99))}, max ${ms(pollLatencies.at(-1) ?? NaN)}`);
    const health = (await (await fetch(`${base}/v1/health`)).json()) as { eventLoopDelayMs?: { p50: number; p99: number; max: number } };
    if (health.eventLoopDelayMs) {
      const l = health.eventLoopDelayMs;
      console.log(`daemon event-loop delay over the run: p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)} (poll latency above this is the OS scheduling the daemon late)`);
    }
    console.log(`daemon peak RSS ${(peakRss(daemon.pid!) / 2 ** 20).toFixed(0)} MiB (the pipeline runs in its worker process)`);
    const ok = lost.length === 0 && duplicated === 0 && unexpected.length === 0 && other.length === 0 && done.length === accepted.length && quantile(pollLatencies, 0.99) < 50;
    console.log(ok ? "PASS: every job accepted, 429 or 503, none lost or duplicated, all accepted done, poll p99 < 50 ms" : "FAIL: see the figures above");
    if (!ok) process.exitCode = 1;
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
