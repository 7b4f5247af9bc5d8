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
          });
        }
      } finally {
        original.dispose();
        await session.release();
      }
    }, 120_000);
  }
});
