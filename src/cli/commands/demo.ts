/**
 * `porelight demo` (`npm run demo`): the bundled public-domain photo through the whole pipeline
 * at `standard` into out/demo/, with progress on the terminal (models are converted on first use,
 * with a line each) and a summary: files, detected problems, lighting, time per stage.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { disposeSessions } from "../../models/session.ts";
import { reconstruct } from "../../pipeline/reconstruct.ts";
import { PRESET_MAP_SIZE, type Logger, type Preset, type StageTiming } from "../../types.ts";
import { CliError } from "../errors.ts";
import { writeOutputs } from "../../io/head-files.ts";
import { createProgressDisplay } from "../progress.ts";

const SAMPLE = fileURLToPath(new URL("../../../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url));

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function timingTable(timings: StageTiming[]): string {
  const total = timings.reduce((s, t) => s + t.ms, 0);
  const rows = timings.map((t) => `  ${t.stage.padEnd(9)} ${(t.ms / 1000).toFixed(2).padStart(7)} s   peak RSS ${mb(t.peakRssBytes).padStart(10)}`);
  return [...rows, `  ${"total".padEnd(9)} ${(total / 1000).toFixed(2).padStart(7)} s`].join("\n");
}

export function register(program: Command): void {
  program
    .command("demo")
    .description("reconstruct the bundled sample photo (NASA, public domain) into out/demo/ at the standard preset")
    .option("--out <dir>", "output folder", "out/demo")
    .option("--preset <preset>", "draft | standard | high | ultra", "standard")
    .action(async (flags: { out: string; preset: string }) => {
      if (!(flags.preset in PRESET_MAP_SIZE)) throw new CliError(`--preset must be one of ${Object.keys(PRESET_MAP_SIZE).join(", ")}`, 2);
      const preset = flags.preset as Preset;
      const out = resolve(flags.out);
      const display = createProgressDisplay();
      const logger: Logger = { debug() {}, info: (m) => display.log(m), warn: (m) => display.log(`warning: ${m}`) };
      const line = display.line("sample photo");
      try {
        const photo = await readFile(SAMPLE);
        const result = await reconstruct(photo, { preset, face: 0, formats: ["glb", "babylon", "maps"] }, { onProgress: (e) => line.update(e), logger });
        line.finish("done");
        display.stop();
        const files = await writeOutputs(out, result);
        const report = result.report as { problems?: { message: string }[]; maps?: { width: number; height: number }; lighting?: { skinAlbedo?: number[] } };
        const lines = [
          `reconstructed the sample photo (NASA, public domain) at ${preset}: ${report.maps?.width}×${report.maps?.height} maps → ${out}`,
          ...files.map((f) => `  ${f.name.padEnd(34)} ${mb(f.bytes).padStart(10)}`),
          "problems detected:",
          ...(report.problems?.length ? report.problems.map((p) => `  - ${p.message}`) : ["  none"]),
          `skin albedo (linear RGB): ${report.lighting?.skinAlbedo?.map((v) => v.toFixed(3)).join(", ")}`,
          "time per stage:",
          timingTable(result.timings),
        ];
        process.stdout.write(lines.join("\n") + "\n");
      } catch (err) {
        line.finish("failed");
        display.stop();
        throw err;
      } finally {
        await disposeSessions();
      }
    });
}
