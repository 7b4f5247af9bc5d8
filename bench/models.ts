/**
 * The `models` bench suite: reference convolution rate, the face graph models (bench/models-graph.ts)
 * and the ESRGAN models (bench/models-esrgan.ts) on ONNX Runtime vs TF.js, then ESRGAN ×8 thick
 * whole vs tiled. Prints tables and writes bench-out/models.json.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchBigUpscale, benchEsrganModels, formatBigRuns, formatEsrganRows, referenceConvGflops } from "./models-esrgan.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export async function runModelsBench(): Promise<void> {
  const report: Record<string, unknown> = {};
  const ref = await referenceConvGflops();
  report.referenceConvGflops = ref;
  console.log(`reference: ORT dense 3×3 convolution 64→64 on 192×192: ${ref.toFixed(0)} GFLOP/s\n`);

  if (existsSync(path.join(here, "models-graph.ts"))) {
    const { benchGraphModels, formatGraphRows } = await import("./models-graph.ts");
    const rows = await benchGraphModels();
    report.graphModels = rows;
    console.log(`${formatGraphRows(rows)}\n`);
  }

  const esrgan = await benchEsrganModels();
  report.esrgan = esrgan;
  console.log(`${formatEsrganRows(esrgan)}\n`);

  const big = await benchBigUpscale();
  report.esrganThickX8 = big;
  console.log(formatBigRuns(big, ref));

  const out = path.join(here, "../bench-out/models.json");
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2));
  console.log(`\n(written to ${path.relative(process.cwd(), out)})`);
}
