/**
 * Parity of our TF.js-graph → ONNX converter: every converted face model, run by ONNX Runtime,
 * must match the TF.js original (wasm backend) on a real face crop and on seeded noise, within
 * 1e-3 of the output's range. For bounded outputs (sigmoid/softmax probabilities, unit-norm
 * embeddings) the range is the output's codomain from the catalog, since a one-element output
 * (e.g. facemesh's face flag) or a saturated map (selfie on noise) has no spread of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import * as ort from "onnxruntime-node";
import { convertGraphModel } from "../src/models/convert-graph.ts";
import { MODEL_CATALOG, resolveModelSource, type ModelSpec } from "../src/models/catalog.ts";
import { initTfjs, loadTfjsGraphModel, tf } from "./support/tfjs-graph.ts";
import { A, seeded, writeGraphModel, type SyntheticNode, type SyntheticWeight } from "./support/synthetic-graph.ts";
import { halfToFloat } from "../src/models/tfjs-weights.ts";
import { halfFromFloat } from "./support/half.ts";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const FIXTURE = new URL("./fixtures/astronaut-nasa-public-domain.png", import.meta.url).pathname;
/** Face region of the fixture (hand-picked test input, not a result): x, y, size in pixels. */
const FACE_CROP = { left: 150, top: 28, width: 150, height: 150 };
/** Whole-image models see the full photo. */
const WHOLE_IMAGE_MODELS = new Set(["blazeface", "selfie"]);

const GRAPH_MODELS = MODEL_CATALOG.filter((m) => m.kind === "graph");

/** RGB 0..255 of the fixture (or its face crop) resized to w×h, HWC. */
async function photoInput(spec: ModelSpec, w: number, h: number): Promise<Float32Array> {
  let img = sharp(FIXTURE).removeAlpha();
  if (!WHOLE_IMAGE_MODELS.has(spec.name)) img = img.extract(FACE_CROP);
  const raw = await img.resize(w, h, { fit: "fill" }).raw().toBuffer();
  return Float32Array.from(raw);
}

/** Maps 0..255 pixels into the model's expected input range. */
function toRange(pixels: Float32Array, [lo, hi]: [number, number]): Float32Array {
  return pixels.map((v) => lo + (v / 255) * (hi - lo));
}

/** Deterministic noise in 0..255 (LCG), so a failure reproduces. */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 255);
}

describe("TF.js graph models → ONNX parity", () => {
  beforeAll(async () => {
    await initTfjs("wasm");
  }, 60_000);
  afterAll(() => tf.disposeVariables());

  for (const spec of GRAPH_MODELS) {
    it(`${spec.name}: ONNX Runtime matches TF.js on a face photo and on noise`, async () => {
      const file = resolveModelSource(spec);
      const session = await ort.InferenceSession.create(await convertGraphModel(file));
      const original = await loadTfjsGraphModel(file);
      const input = spec.inputs[0];
      const shape = input.shape.map((d) => (typeof d === "number" ? d : 1));
      const [, h, w] = shape;
      const cases: [string, Float32Array][] = [
        ["photo", toRange(await photoInput(spec, w, h), input.range)],
        ["noise", toRange(noise(h * w * 3, 1234 + h), input.range)],
      ];
      try {
        for (const [label, data] of cases) {
          const ours = await session.run({ [input.name]: new ort.Tensor("float32", data, shape) });
          const ref = tf.tidy(() => {
            const outs = original.execute(tf.tensor(data, shape), original.outputs.map((o) => o.name));
            return (Array.isArray(outs) ? outs : [outs]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
          });
          original.outputs.forEach((o, i) => {
            const name = o.name.replace(/:0$/, "");
            const got = ours[name];
            expect(got, `${spec.name}/${label}: ONNX output ${name}`).toBeDefined();
            expect(got.dims, `${spec.name}/${label}: ${name} shape`).toEqual(ref[i].shape);
            const want = ref[i].data;
            const have = got.data as Float32Array;
            let maxDiff = 0;
            let lo = Infinity;
            let hi = -Infinity;
            for (let j = 0; j < want.length; j++) {
              maxDiff = Math.max(maxDiff, Math.abs(want[j] - have[j]));
              lo = Math.min(lo, want[j]);
              hi = Math.max(hi, want[j]);
            }
            const desc = spec.outputs.find((d) => d.name === name);
            const bounded = desc && desc.range[1] - desc.range[0] <= 2;
            const range = Math.max(hi - lo, bounded ? desc.range[1] - desc.range[0] : 0);
            expect(Number.isFinite(maxDiff), `${spec.name}/${label}: ${name} finite`).toBe(true);
            expect(range, `${spec.name}/${label}: ${name} has a range`).toBeGreaterThan(0);
            expect(maxDiff, `${spec.name}/${label}: ${name} max |Δ| vs range ${range}`).toBeLessThanOrEqual(1e-3 * range);
            // PARITY_REPORT=1 prints the measured ratios (docs/models.md quotes them).
            if (process.env.PARITY_REPORT) process.stderr.write(`PARITY ${spec.name} ${label} ${name} ${(maxDiff / range).toExponential(1)}\n`);
          });
        }
      } finally {
        original.dispose();
        await session.release();
      }
    }, 120_000);
  }
});

/** Runs a converted model and its TF.js original on the same input; returns the worst |Δ| / range. */
async function compare(file: string, inputName: string, data: Float32Array, shape: number[]): Promise<Record<string, number>> {
  const session = await ort.InferenceSession.create(await convertGraphModel(file));
  const original = await loadTfjsGraphModel(file);
  try {
    const ours = await session.run({ [inputName]: new ort.Tensor("float32", data, shape) });
    const result: Record<string, number> = {};
    tf.tidy(() => {
      const outs = original.execute(tf.tensor(data, shape), original.outputs.map((o) => o.name));
      (Array.isArray(outs) ? outs : [outs]).forEach((t, i) => {
        const name = original.outputs[i].name.replace(/:0$/, "");
        const want = t.dataSync();
        const got = ours[name];
        if (!got || got.dims.join() !== t.shape.join()) throw new Error(`${name}: shape ${got?.dims} vs TF.js ${t.shape}`);
        let [maxDiff, lo, hi] = [0, Infinity, -Infinity];
        want.forEach((v, j) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - (got.data as Float32Array)[j]));
          [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        });
        result[name] = maxDiff / Math.max(hi - lo, 1e-6);
      });
    });
    return result;
  } finally {
    original.dispose();
    await session.release();
  }
}

describe("graph converter on ops the face models do not use", () => {
  let dir = "";
  beforeAll(async () => {
    await initTfjs("wasm");
    dir = await mkdtemp(path.join(os.tmpdir(), "porelight-graph-"));
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("half floats decode exactly", () => {
    for (const v of [0, 1, -2.5, 0.1, 65504, 6e-8, -3e-5]) expect(Math.abs(halfToFloat(halfFromFloat(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 6e-8);
  });

  it("matches TF.js: explicit padding, dilation, depthwise ×2, pools, resize modes, pads, transposed conv, reductions, concat, dense", async () => {
    const rnd = seeded(99);
    const w = (name: string, shape: number[], quantize?: SyntheticWeight["quantize"]): SyntheticWeight => ({
      name,
      shape,
      dtype: "float32",
      data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd(-0.5, 0.5)),
      quantize,
    });
    const int = (name: string, data: number[], shape = [data.length]): SyntheticWeight => ({ name, shape, dtype: "int32", data });
    const NHWC = { data_format: A.str("NHWC") };
    const weights: SyntheticWeight[] = [
      w("w1", [3, 3, 4, 6], "uint8"),
      w("w2", [3, 3, 6, 6], "float16"),
      w("wd", [3, 3, 6, 2]),
      w("wt", [3, 3, 3, 6]),
      w("wm", [300, 5]),
      w("bm", [5]),
      w("alpha", [6]),
      int("rsize1", [7, 11]),
      int("rsize2", [13, 6]),
      int("mpads", [0, 0, 1, 2, 2, 1, 0, 0], [4, 2]),
      int("ppads", [0, 0, 1, 0, 0, 1, 1, 1], [4, 2]),
      { name: "pval", shape: [], dtype: "float32", data: [0.5] },
      int("tsizes", [1, 11, 11, 3]),
      int("axes12", [1, 2]),
      int("axisLast", [-1]),
      int("flat", [1, -1]),
    ];
    const nodes: SyntheticNode[] = [
      { name: "c1", op: "Conv2D", input: ["x", "w1"], attr: { ...NHWC, strides: A.ints([1, 2, 2, 1]), padding: A.str("EXPLICIT"), explicit_paddings: A.ints([0, 0, 1, 2, 2, 1, 0, 0]), dilations: A.ints([1, 1, 1, 1]) } },
      { name: "c2", op: "Conv2D", input: ["c1", "w2"], attr: { ...NHWC, strides: A.ints([1, 1, 1, 1]), padding: A.str("SAME"), dilations: A.ints([1, 2, 2, 1]) } },
      { name: "pr", op: "Prelu", input: ["c2", "alpha"] },
      { name: "d1", op: "DepthwiseConv2dNative", input: ["pr", "wd"], attr: { ...NHWC, strides: A.ints([1, 2, 2, 1]), padding: A.str("SAME"), dilations: A.ints([1, 1, 1, 1]) } },
      { name: "mp", op: "MaxPool", input: ["d1"], attr: { ...NHWC, ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.str("SAME") } },
      { name: "ap", op: "AvgPool", input: ["d1"], attr: { ...NHWC, ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 1, 1, 1]), padding: A.str("SAME") } },
      { name: "r1", op: "ResizeBilinear", input: ["c2", "rsize1"], attr: { align_corners: A.bool(true), half_pixel_centers: A.bool(false) } },
      { name: "r2", op: "ResizeBilinear", input: ["c2", "rsize2"], attr: { align_corners: A.bool(false), half_pixel_centers: A.bool(false) } },
      { name: "mpad", op: "MirrorPad", input: ["c1", "mpads"], attr: { mode: A.str("REFLECT"), Tpaddings: A.type("DT_INT32") } },
      { name: "p2", op: "PadV2", input: ["c1", "ppads", "pval"], attr: { Tpaddings: A.type("DT_INT32") } },
      { name: "tc", op: "Conv2DBackpropInput", input: ["tsizes", "wt", "c1"], attr: { ...NHWC, strides: A.ints([1, 2, 2, 1]), padding: A.str("VALID"), dilations: A.ints([1, 1, 1, 1]) } },
      { name: "mean", op: "Mean", input: ["c2", "axes12"], attr: { keep_dims: A.bool(true), Tidx: A.type("DT_INT32") } },
      { name: "sq", op: "Squeeze", input: ["mean"], attr: { squeeze_dims: A.ints([1, 2]) } },
      { name: "sm", op: "Softmax", input: ["sq"] },
      { name: "lr", op: "LeakyRelu", input: ["c2"], attr: { alpha: A.float(0.1) } },
      { name: "cat", op: "ConcatV2", input: ["c2", "lr", "axisLast"], attr: { N: A.int(2), Tidx: A.type("DT_INT32") } },
      { name: "cat_out", op: "Identity", input: ["cat"] },
      { name: "rs", op: "Reshape", input: ["cat", "flat"], attr: { Tshape: A.type("DT_INT32") } },
      { name: "mm", op: "_FusedMatMul", input: ["rs", "wm", "bm"], attr: { transpose_a: A.bool(false), transpose_b: A.bool(false), fused_ops: A.strs(["BiasAdd", "LeakyRelu"]), leakyrelu_alpha: A.float(0.3), num_args: A.int(1), epsilon: A.float(0) } },
    ];
    // cat_out: an Identity sink for cat (TF.js did not return cat itself, which also feeds rs).
    const outputs = ["mp", "ap", "r1", "r2", "mpad", "p2", "tc", "sm", "cat_out", "mm"];
    const file = await writeGraphModel(dir, { name: "x", shape: [1, 9, 9, 4] }, nodes, weights, outputs);
    const input = Float32Array.from({ length: 9 * 9 * 4 }, () => rnd(0, 4));
    const rel = await compare(file, "x", input, [1, 9, 9, 4]);
    expect(Object.keys(rel).sort(), JSON.stringify(rel)).toEqual([...outputs].sort());
    for (const [name, r] of Object.entries(rel)) expect(r, `${name}: max |Δ| / range`).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});
