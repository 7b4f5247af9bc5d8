/**
 * `npm run bench -- models`, face-model half: each converted graph model on ONNX Runtime vs
 * its TF.js original (wasm backend, the fastest TF.js backend that installs here), same input,
 * same process, median of RUNS timed runs after one warm-up each.
 */
import * as ort from "onnxruntime-node";
import { MODEL_CATALOG, resolveModelSource } from "../src/models/catalog.ts";
import { readModelBytes } from "../src/models/cache.ts";
import { sessionOptions } from "../src/models/session.ts";
import { initTfjs, loadTfjsGraphModel, tf } from "../test/support/tfjs-graph.ts";
import { timeRuns } from "./timing.ts";

/** One benchmark line. */
export interface Row {
  model: string;
  /** Input shape, e.g. "1×192×192×3". */
  input: string;
  /** Median ONNX Runtime inference time, ms. */
  ortMs: number;
  /** Median TF.js time (execute + read back), ms. */
  tfjsMs: number;
  /** tfjsMs / ortMs: how many times faster ONNX Runtime is. */
  ratio: number;
  /** TF.js backend used. */
  tfjsBackend: string;
  runs: number;
}

const RUNS = 7;


/** Benchmarks every graph model in the catalog. */
export async function benchGraphModels(): Promise<Row[]> {
  await initTfjs("wasm");
  const backend = tf.getBackend();
  const rows: Row[] = [];
  for (const spec of MODEL_CATALOG.filter((m) => m.kind === "graph")) {
    const input = spec.inputs[0];
    const shape = input.shape.map((d) => (typeof d === "number" ? d : 1));
    let s = 42;
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return input.range[0] + (s / 2 ** 32) * (input.range[1] - input.range[0]);
    });
    const session = await ort.InferenceSession.create(await readModelBytes(spec.name), sessionOptions());
    const feeds = { [input.name]: new ort.Tensor("float32", data, shape) };
    const ortMs = await timeRuns(() => session.run(feeds), RUNS);
    await session.release();

    const model = await loadTfjsGraphModel(resolveModelSource(spec));
    const x = tf.tensor(data, shape);
    const names = model.outputs.map((o) => o.name);
    const tfjsMs = await timeRuns(async () => {
      const outs = model.execute(x, names);
      const list = Array.isArray(outs) ? outs : [outs];
      await Promise.all(list.map((t) => t.data()));
      tf.dispose(list);
    }, RUNS);
    x.dispose();
    model.dispose();
    rows.push({ model: spec.name, input: shape.join("×"), ortMs, tfjsMs, ratio: tfjsMs / ortMs, tfjsBackend: backend, runs: RUNS });
  }
  return rows;
}

/** Renders rows as a fixed-width table. */
export function formatGraphRows(rows: Row[]): string {
  const head = "model            input            ORT ms   TF.js ms  TF.js/ORT";
  const lines = rows.map(
    (r) => `${r.model.padEnd(16)} ${r.input.padEnd(15)} ${r.ortMs.toFixed(2).padStart(7)} ${r.tfjsMs.toFixed(2).padStart(10)} ${r.ratio.toFixed(2).padStart(9)}×`,
  );
  return [head, ...lines, `(median of ${rows[0]?.runs ?? RUNS} runs after a warm-up; TF.js backend: ${rows[0]?.tfjsBackend ?? "?"})`].join("\n");
}

// Run directly: `node --import tsx bench/models-graph.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatGraphRows(await benchGraphModels()));
}
