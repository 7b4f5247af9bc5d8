/**
 * `npm run bench -- pipeline`: per-stage wall time and peak RSS of a whole job on the sample photo,
 * for each preset, each preset in its own child process so that its peak RSS is its own. Each
 * child runs the job twice: "cold" (a fresh process: sessions created, template head built;
 * models already converted) and "warm" (the daemon's steady state). Writes bench-out/pipeline.json.
 *
 *   npm run bench -- pipeline                      # all presets
 *   npm run bench -- pipeline --presets draft,high
 *   npm run bench -- pipeline --variants           # the nine ESRGAN models: speed vs quality
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Preset, StageTiming } from "../src/types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(here, "..");
const SAMPLE = path.join(ROOT, "test/fixtures/astronaut-nasa-public-domain.png");
const PRESETS: Preset[] = ["draft", "standard", "high", "ultra"];
/** Targets from the issue: wall time per job (warm), and peak RSS at ultra. */
const TARGET_S: Record<Preset, number> = { draft: 10, standard: 30, high: 60, ultra: 120 };
const RSS_TARGET_BYTES = 3 * 2 ** 30;

interface ChildResult {
  preset: Preset;
  cold: StageTiming[];
  warm: StageTiming[];
  coldMs: number;
  warmMs: number;
  peakRssBytes: number;
}

/** Child side: two jobs in this process, JSON on stdout. */
async function child(preset: Preset): Promise<void> {
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const photo = await readFile(SAMPLE);
  const timed = async () => {
    const t0 = performance.now();
    const result = await reconstruct(photo, { preset, face: 0, formats: ["glb", "babylon", "maps"] });
    return { ms: performance.now() - t0, timings: result.timings };
  };
  const cold = await timed();
  const warm = await timed();
  const out: ChildResult = {
    preset,
    cold: cold.timings,
    warm: warm.timings,
    coldMs: cold.ms,
    warmMs: warm.ms,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

const fmtS = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
const fmtGiB = (b: number) => (b / 2 ** 30).toFixed(2);

function table(results: ChildResult[]): string {
  const stages = [...new Set(results.flatMap((r) => r.warm.map((t) => t.stage)))];
  const header = `stage (warm, s)  ${results.map((r) => r.preset.padStart(10)).join("")}`;
  const rows = stages.map((s) => `${s.padEnd(16)} ${results.map((r) => fmtS(r.warm.find((t) => t.stage === s)?.ms ?? 0).padStart(10)).join("")}`);
  const total = `${"total warm".padEnd(16)} ${results.map((r) => fmtS(r.warmMs).padStart(10)).join("")}`;
  const cpu = `${"CPU s (warm)".padEnd(16)} ${results.map((r) => fmtS(r.warm.reduce((s, t) => s + (t.cpuMs ?? 0), 0)).padStart(10)).join("")}`;
  const cold = `${"total cold".padEnd(16)} ${results.map((r) => fmtS(r.coldMs).padStart(10)).join("")}`;
  const target = `${"target".padEnd(16)} ${results.map((r) => `< ${TARGET_S[r.preset]}`.padStart(10)).join("")}`;
  const rss = `${"peak RSS GiB".padEnd(16)} ${results.map((r) => fmtGiB(r.peakRssBytes).padStart(10)).join("")}`;
  return [header, ...rows, total, cpu, cold, target, rss].join("\n");
}

export async function runPipelineBench(args: string[]): Promise<void> {
  if (args.includes("--variants")) {
    const { runVariantsBench } = await import("./pipeline-variants.ts");
    await runVariantsBench();
    return;
  }
  const i = args.indexOf("--presets");
  const presets = i >= 0 ? (args[i + 1] ?? "").split(",").filter((p): p is Preset => PRESETS.includes(p as Preset)) : PRESETS;
  const results: ChildResult[] = [];
  for (const preset of presets) {
    process.stdout.write(`${preset}: running (cold + warm job in a child process)…\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", preset], {
      cwd: ROOT,
      maxBuffer: 16 * 2 ** 20,
      env: { ...process.env },
    });
    const line = stdout.trim().split("\n").at(-1) ?? "";
    const r = JSON.parse(line) as ChildResult;
    results.push(r);
    const dominant = [...r.warm].sort((a, b) => b.ms - a.ms)[0];
    const cpuS = r.warm.reduce((s, t) => s + (t.cpuMs ?? 0), 0);
    process.stdout.write(
      `${preset}: warm ${fmtS(r.warmMs)} s (CPU ${fmtS(cpuS)} s; target < ${TARGET_S[preset]} s), cold ${fmtS(r.coldMs)} s, peak RSS ${fmtGiB(r.peakRssBytes)} GiB; ` +
        `dominant stage ${dominant.stage} ${fmtS(dominant.ms)} s\n`,
    );
  }
  process.stdout.write("\n" + table(results) + "\n");
  const ultra = results.find((r) => r.preset === "ultra");
  if (ultra) process.stdout.write(`ultra peak RSS ${fmtGiB(ultra.peakRssBytes)} GiB (target < ${fmtGiB(RSS_TARGET_BYTES)} GiB)\n`);
  await mkdir(path.join(ROOT, "bench-out"), { recursive: true });
  await writeFile(path.join(ROOT, "bench-out/pipeline.json"), JSON.stringify(results, null, 2) + "\n");
}

// Child mode: `node --import tsx bench/pipeline.ts --child <preset>`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href && process.argv[2] === "--child") {
  await child(process.argv[3] as Preset);
}
