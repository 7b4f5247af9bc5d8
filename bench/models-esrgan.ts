/**
 * `npm run bench -- models`, ESRGAN half:
 * 1. every ESRGAN model on ONNX Runtime vs its TF.js original (wasm backend), same input, same
 *    process, median of RUNS timed runs after a warm-up;
 * 2. ESRGAN ×8 thick on the 384×576 base texture: wall time, achieved GFLOP/s against the
 *    convolution FLOP count, and peak RSS, as one whole-image pass and tiled — each in its own
 *    child process so peak RSS is that run's alone — plus the max |tiled − whole| difference.
 *
 *   node --import tsx bench/main.ts models
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import * as ort from "onnxruntime-node";
import { resolveModelSource, modelSpec } from "../src/models/catalog.ts";
import { getSession, sessionOptions } from "../src/models/session.ts";
import { esrganManifest } from "../src/estimators/esrgan.ts";
import { runTiled } from "../src/models/tiled.ts";
import { OnnxGraphBuilder } from "../src/models/onnx-graph.ts";
import type { ImageF32 } from "../src/types.ts";
import { timeRuns } from "./timing.ts";

const RUNS = 5;
const SIZES = ["slim", "medium", "thick"] as const;
const SCALES = [2, 4, 8] as const;
/** Input of the ORT-vs-TF.js comparison, H×W. */
const CMP_SIZE = [64, 64] as const;
const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, "../test/fixtures/astronaut-nasa-public-domain.png");


/** The astronaut photo resized to W×H, RGB 0..1 sRGB. */
async function photo(width: number, height: number): Promise<ImageF32> {
  const { data } = await sharp(FIXTURE).resize(width, height, { fit: "fill" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, channels: 3, colorSpace: "srgb", data: Float32Array.from(data, (v) => v / 255) };
}

/**
 * Convolution FLOPs (2 per multiply-add) per input pixel of a Keras ESRGAN model: layers after
 * the upsampling layer run on scale² as many pixels.
 */
async function flopsPerInputPixel(modelJsonPath: string, scale: number): Promise<number> {
  const json = JSON.parse(await readFile(modelJsonPath, "utf8"));
  let pixels = 1;
  let flops = 0;
  const channels = new Map<string, number>();
  for (const layer of json.modelTopology.model_config.config.layers) {
    const c = layer.config;
    const ins: number[] = (layer.inbound_nodes[0] ?? []).map(([l]: [string]) => channels.get(l) ?? 0);
    let out = ins[0] ?? c.batch_input_shape?.[3] ?? 3;
    if (layer.class_name === "Conv2D") {
      flops += 2 * pixels * c.kernel_size[0] * c.kernel_size[1] * ins[0] * c.filters;
      out = c.filters;
    } else if (layer.class_name === "Concatenate") out = ins.reduce((a, b) => a + b, 0);
    else if (layer.class_name === "UpSampling2D") pixels = scale * scale;
    else if (layer.class_name.startsWith("PixelShuffle")) {
      pixels = scale * scale;
      out = ins[0] / (scale * scale);
    }
    channels.set(layer.name ?? c.name, out);
  }
  return flops;
}

export interface EsrganRow {
  model: string;
  input: string;
  ortMs: number;
  tfjsMs: number;
  ratio: number;
  /** Convolution GFLOP/s ONNX Runtime achieved. */
  ortGflops: number;
}

/** ORT vs TF.js (wasm) for all nine ESRGAN models on a 64×64 face-photo input. */
export async function benchEsrganModels(): Promise<{ rows: EsrganRow[]; tfjsBackend: string; tfjsThreads: number }> {
  const { initTfjs, loadTfjsLayersModel, tf } = await import("../test/support/tfjs-layers.ts");
  const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
  await initTfjs("wasm");
  const [H, W] = CMP_SIZE;
  const img = await photo(W, H);
  const rows: EsrganRow[] = [];
  for (const size of SIZES) {
    for (const scale of SCALES) {
      const manifest = esrganManifest(size, scale);
      const x = img.data.map((v) => v * manifest.inputs[0].range[1]);
      const session = await getSession(manifest.name);
      const feeds = { [manifest.inputs[0].name]: new ort.Tensor("float32", x, [1, H, W, 3]) };
      const ortMs = await timeRuns(() => session.run(feeds), RUNS);
      const file = resolveModelSource(modelSpec(manifest.name));
      const model = await loadTfjsLayersModel(file);
      const input = tf.tensor4d(x, [1, H, W, 3]);
      const tfjsMs = await timeRuns(async () => {
        const y = model.predict(input) as ReturnType<typeof tf.tensor>;
        await y.data();
        y.dispose();
      }, RUNS);
      input.dispose();
      model.dispose();
      const flops = (await flopsPerInputPixel(file, scale)) * H * W;
      rows.push({ model: manifest.name, input: `${H}×${W}`, ortMs, tfjsMs, ratio: tfjsMs / ortMs, ortGflops: flops / (ortMs / 1000) / 1e9 });
    }
  }
  return { rows, tfjsBackend: tf.getBackend(), tfjsThreads: getThreadsCount() };
}

/** Dense 3×3 convolution 64→64 on 192×192 in ORT: the machine's reachable GFLOP/s, for reference. */
export async function referenceConvGflops(): Promise<number> {
  const [C, S] = [64, 192];
  const g = new OnnxGraphBuilder("conv3x3");
  g.addInput({ name: "x", type: "float32", shape: [1, C, S, S] });
  const w = g.constFloat("w", Float32Array.from({ length: C * C * 9 }, (_, i) => Math.sin(i) * 0.05), [C, C, 3, 3]);
  g.addNode("Conv", ["x", w, g.constFloat("b", new Float32Array(C), [C])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, ["y"]);
  g.addOutput({ name: "y", type: "float32", shape: [1, C, S, S] });
  const session = await ort.InferenceSession.create(g.encode(), sessionOptions());
  const x = new ort.Tensor("float32", new Float32Array(C * S * S).fill(0.5), [1, C, S, S]);
  const ms = await timeRuns(() => session.run({ x }), RUNS);
  await session.release();
  return (2 * 9 * C * C * S * S) / (ms / 1000) / 1e9;
}

export interface BigRun {
  mode: string;
  /** Tile size used, input pixels (whole = the image). */
  patch: number;
  tiles: number;
  ms: number;
  /** CPU time of the process during the run (user + system), seconds: less sensitive to other load than wall time. */
  cpuS: number;
  gflops: number;
  /** Peak RSS of the child process, MiB. */
  peakRssMiB: number;
  /** RSS after the session was created, before the run, MiB. */
  loadedRssMiB: number;
  /** Max |this − whole| over the output (0..1 scale), when compared. */
  maxDiffVsWhole?: number;
}

const BIG = { width: 384, height: 576, size: "thick", scale: 8 } as const;

/** Child-process body: one ×8 thick run on 384×576 with the given tile size; output to `outFile`. */
async function childRun(patch: number, outFile: string): Promise<void> {
  const manifest = { ...esrganManifest(BIG.size, BIG.scale), inferencePatch: patch };
  const img = await photo(BIG.width, BIG.height);
  const session = await getSession(manifest.name);
  const loadedRssMiB = process.memoryUsage().rss / 2 ** 20;
  let tiles = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const [out] = await runTiled(session, manifest, [img], { onProgress: () => tiles++ });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  await writeFile(outFile, new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  const flops = (await flopsPerInputPixel(resolveModelSource(modelSpec(manifest.name)), BIG.scale)) * BIG.width * BIG.height;
  const result: BigRun = { mode: patch >= Math.max(BIG.width, BIG.height) ? "whole" : "tiled", patch, tiles, ms, cpuS, gflops: flops / (ms / 1000) / 1e9, peakRssMiB, loadedRssMiB };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** ESRGAN ×8 thick on 384×576: whole and tiled, each in a fresh child process. */
export async function benchBigUpscale(patches: number[] = [4096, esrganManifest(BIG.size, BIG.scale).inferencePatch, 192]): Promise<{ runs: BigRun[]; gflopTotal: number }> {
  await getSession(esrganManifest(BIG.size, BIG.scale).name); // convert into the cache before timing children
  const self = fileURLToPath(import.meta.url);
  const runs: BigRun[] = [];
  const files: string[] = [];
  try {
    for (const patch of patches) {
      const file = path.join(os.tmpdir(), `porelight-bench-${process.pid}-${patch}.f32`);
      files.push(file);
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", self, "--child", String(patch), file], { maxBuffer: 1 << 20 });
      runs.push(JSON.parse(stdout.trim().split("\n").at(-1)!));
    }
    const wholeIndex = runs.findIndex((r) => r.mode === "whole");
    if (wholeIndex >= 0) {
      const whole = new Float32Array((await readFile(files[wholeIndex])).buffer.slice(0));
      for (const [i, run] of runs.entries()) {
        if (i === wholeIndex) continue;
        const other = new Float32Array((await readFile(files[i])).buffer.slice(0));
        let m = 0;
        for (let k = 0; k < whole.length; k++) m = Math.max(m, Math.abs(whole[k] - other[k]));
        run.maxDiffVsWhole = m;
      }
    }
  } finally {
    for (const f of files) await rm(f, { force: true });
  }
  const flops = await flopsPerInputPixel(resolveModelSource(modelSpec(esrganManifest(BIG.size, BIG.scale).name)), BIG.scale);
  return { runs, gflopTotal: (flops * BIG.width * BIG.height) / 1e9 };
}

export function formatEsrganRows(r: Awaited<ReturnType<typeof benchEsrganModels>>): string {
  const head = "model              input    ORT ms   TF.js ms  TF.js/ORT  ORT GFLOP/s";
  const lines = r.rows.map(
    (x) =>
      `${x.model.padEnd(18)} ${x.input.padEnd(7)} ${x.ortMs.toFixed(1).padStart(7)} ${x.tfjsMs.toFixed(1).padStart(10)} ${x.ratio.toFixed(2).padStart(9)}× ${x.ortGflops.toFixed(0).padStart(11)}`,
  );
  return [head, ...lines, `(median of ${RUNS} runs after a warm-up; TF.js backend ${r.tfjsBackend}, ${r.tfjsThreads} thread(s))`].join("\n");
}

export function formatBigRuns(r: Awaited<ReturnType<typeof benchBigUpscale>>, refGflops: number): string {
  const head = `ESRGAN thick ×8, 384×576 → 3072×4608 (${(r.gflopTotal / 1000).toFixed(2)} TFLOP of convolutions), one child process each
mode    patch  tiles   time s  CPU s  GFLOP/s  peak RSS MiB  (after load)  max |Δ| vs whole`;
  const lines = r.runs.map(
    (x) =>
      `${x.mode.padEnd(7)} ${String(x.patch).padStart(5)} ${String(x.tiles).padStart(6)} ${(x.ms / 1000).toFixed(1).padStart(8)} ${x.cpuS.toFixed(0).padStart(6)} ${x.gflops.toFixed(0).padStart(8)} ${x.peakRssMiB.toFixed(0).padStart(13)} ${x.loadedRssMiB.toFixed(0).padStart(13)}  ${x.maxDiffVsWhole === undefined ? "" : x.maxDiffVsWhole.toExponential(1)}`,
  );
  const floor = r.gflopTotal / refGflops;
  return [head, ...lines, `(floor at the reference conv rate ${refGflops.toFixed(0)} GFLOP/s: ${floor.toFixed(1)} s)`].join("\n");
}

// Child mode: `node --import tsx bench/models-esrgan.ts --child <patch> <outFile>`.
if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === "--child") {
  await childRun(Number(process.argv[3]), process.argv[4]);
}
