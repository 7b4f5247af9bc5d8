/**
 * `npm run bench -- <suite>`: every speed and memory figure porelight quotes comes from here.
 * Each suite is one entry of SUITES (lazy import, so a suite only loads what it needs);
 * add yours there. `npm run bench -- all` runs every suite in order.
 */
import os from "node:os";

interface Suite {
  /** One line for the usage text. */
  describe: string;
  run(args: string[]): Promise<void>;
}

const SUITES: Record<string, Suite> = {
  pipeline: {
    describe: "whole jobs on the sample photo per preset (child process each): per-stage time, CPU, peak RSS; --variants: the nine ESRGAN models, speed vs quality",
    async run(args) {
      const { runPipelineBench } = await import("./pipeline.ts");
      await runPipelineBench(args);
    },
  },
  reflectance: {
    describe: "per-texel reflectance graphs (δ, ψ, ρ, σ) and base→full resampling at each preset's map size, tiled (time, peak RSS)",
    async run(args) {
      const { runReflectanceBench } = await import("./reflectance.ts");
      await runReflectanceBench(args);
    },
  },
  models: {
    describe: "every converted network: ONNX Runtime vs TF.js; ESRGAN ×8 thick whole vs tiled (time, peak RSS)",
    async run() {
      const { runModelsBench } = await import("./models.ts");
      await runModelsBench();
    },
  },
  export: {
    describe: "head.glb per delivery target (web, desktop, source): bytes, texture GPU memory, encode time, validator, Babylon PSNR vs source from 5 views; --job <dir>, --runs n, --no-render",
    async run(args) {
      const { runExportBench } = await import("./export.ts");
      await runExportBench(args);
    },
  },
  daemon: {
    describe: "50 concurrent draft jobs against one daemon: none lost or duplicated, throughput, status-poll latency p50/p99",
    async run(args) {
      const { runDaemonBench } = await import("./daemon.ts");
      await runDaemonBench(args);
    },
  },
  "daemon-probe": {
    describe: "issue 20's probe: bad %-escapes, 17 slow uploads vs a normal submission, a second daemon on one data dir, the 413's Connection header; --root <checkout> (repeatable) compares checkouts",
    async run(args) {
      const { runDaemonProbe } = await import("./daemon-probe.ts");
      await runDaemonProbe(args);
    },
  },
  "daemon-fsync": {
    describe: "what fsyncing a finished job costs: the job store writing a draft job's outputs and records, durable vs not",
    async run(args) {
      const { runFsyncBench } = await import("./daemon-fsync.ts");
      await runFsyncBench(args);
    },
  },
  queue: {
    describe: "a queued build on a real redis-server with 1 and 2 `porelight worker` processes: throughput, Redis commands and bytes per job, 50 machines on paper",
    async run(args) {
      const { runQueueBench } = await import("./queue.ts");
      await runQueueBench(args);
    },
  },
};

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  return `${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${load}`;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const names = name === "all" ? Object.keys(SUITES) : [name];
  if (!name || names.some((n) => !(n in SUITES))) {
    const list = Object.entries(SUITES).map(([n, s]) => `  ${n.padEnd(10)} ${s.describe}`).join("\n");
    console.error(`usage: npm run bench -- <suite>|all\nsuites:\n${list}`);
    process.exitCode = 2;
    return;
  }
  console.log(`machine: ${machine()}`);
  for (const n of names) {
    console.log(`\n=== ${n} ===`);
    const t0 = performance.now();
    await SUITES[n].run(args);
    console.log(`(${n}: ${((performance.now() - t0) / 1000).toFixed(0)} s; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(" ")})`);
  }
}

await main();
