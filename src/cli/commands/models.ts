/**
 * `porelight models [--json] [--verify]`: converts every catalog model to ONNX (once; cached by
 * source checksum), lists them, and with --verify re-hashes sources and cached files and runs
 * each model once on zeros.
 */
import type { Command } from "commander";
import { CliError } from "../errors.ts";
import { MODEL_CATALOG } from "../../models/catalog.ts";
import { cacheDir, ensureModel, verifyModel, type CachedModel, type OnnxTensorInfo } from "../../models/cache.ts";
import { disposeSessions, getSession, ort } from "../../models/session.ts";

const shapeText = (t: OnnxTensorInfo) => `${t.name}[${t.shape.join("×")}]`;

function progressLine(event: { model: string; phase: string; ms?: number }): void {
  if (event.phase === "converting") process.stderr.write(`converting ${event.model} (first use)…\n`);
}

/** Runs a model once on zeros (free dims set to 16) to prove the cached file still loads and runs. */
async function smokeRun(entry: CachedModel): Promise<string | undefined> {
  try {
    const session = await getSession(entry.name);
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of entry.inputs) {
      const dims = input.shape.map((d) => (typeof d === "number" && d > 0 ? d : d === "batch" ? 1 : 16));
      feeds[input.name] = new ort.Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    }
    const out = await session.run(feeds);
    for (const [name, t] of Object.entries(out)) {
      if (!(t.data as Float32Array).every(Number.isFinite)) return `output ${name} is not finite on a zero input`;
    }
    return undefined;
  } catch (err) {
    return `does not run: ${(err as Error).message}`;
  }
}

export function register(program: Command): void {
  program
    .command("models")
    .description("convert (once) and list the pretrained models; --verify re-checks the cache")
    .option("--json", "print a JSON array of {name, source, sha256, inputs, outputs, bytes}")
    .option("--verify", "re-hash sources and cached ONNX files and run each model once; exit 1 on a mismatch")
    .action(async (opts: { json?: boolean; verify?: boolean }) => {
      const entries: CachedModel[] = [];
      for (const spec of MODEL_CATALOG) entries.push(await ensureModel(spec.name, { onProgress: progressLine }));
      const problems: string[] = [];
      if (opts.verify) {
        for (const entry of entries) {
          const v = await verifyModel(entry.name);
          const problem = v.ok ? await smokeRun(entry) : v.problem;
          if (problem) problems.push(`${entry.name}: ${problem}`);
        }
        await disposeSessions();
      }
      if (opts.json) {
        const rows = entries.map(({ name, source, sha256, inputs, outputs, bytes }) => ({ name, source, sha256, inputs, outputs, bytes }));
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      } else {
        process.stdout.write(`cache: ${cacheDir()}\n`);
        const width = Math.max(...entries.map((e) => e.name.length));
        for (const e of entries) {
          const mb = (e.bytes / 1e6).toFixed(1).padStart(6);
          process.stdout.write(`${e.name.padEnd(width)}  ${mb} MB  in: ${e.inputs.map(shapeText).join(", ")}  out: ${e.outputs.map(shapeText).join(", ")}\n`);
        }
        if (opts.verify && problems.length === 0) process.stdout.write(`verified ${entries.length} models: sources, cached files and a test run all match\n`);
      }
      if (problems.length > 0) throw new CliError(`model verification failed:\n  ${problems.join("\n  ")}`, 1);
    });
}
