/**
 * convertLayersModel on a small Functional model built here with TF.js, exercising the layer
 * options ESRGAN does not use: dilation, stride 2 with an even kernel (asymmetric "same"
 * padding), valid padding with a non-square kernel, bilinear and non-square nearest upsampling,
 * concatenation on spatial axes, Multiply, several activations, several outputs, and the
 * upsample-then-convolve rewrite with a 5×5 kernel at ×3.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { convertLayersModel } from "../src/models/convert-layers.ts";
import { initTfjs, loadTfjsLayersModel, tf } from "./support/tfjs-layers.ts";

function buildModel(): tf.LayersModel {
  let seed = 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (args: Parameters<typeof tf.layers.conv2d>[0]) =>
    tf.layers.conv2d({ kernelInitializer: init(), biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed++ }), ...args });
  const img = tf.input({ shape: [null, null, 3], name: "img" });
  const a = conv({ filters: 6, kernelSize: 3, dilationRate: 2, padding: "same", activation: "relu", name: "a" }).apply(img) as tf.SymbolicTensor;
  const b = conv({ filters: 5, kernelSize: 4, strides: 2, padding: "same", activation: "tanh", name: "b" }).apply(a) as tf.SymbolicTensor;
  const c = tf.layers.upSampling2d({ size: [2, 2], interpolation: "bilinear", name: "c" }).apply(b) as tf.SymbolicTensor;
  const d = tf.layers.concatenate({ axis: -1, name: "d" }).apply([a, c]) as tf.SymbolicTensor;
  const e = conv({ filters: 6, kernelSize: 1, padding: "valid", activation: "sigmoid", name: "e" }).apply(d) as tf.SymbolicTensor;
  const f = tf.layers.add({ name: "f" }).apply([e, a]) as tf.SymbolicTensor;
  const g = tf.layers.multiply({ name: "g" }).apply([f, a]) as tf.SymbolicTensor;
  const h = conv({ filters: 3, kernelSize: [3, 5], padding: "valid", name: "h" }).apply(g) as tf.SymbolicTensor;
  const out1 = tf.layers.activation({ activation: "elu", name: "out1" }).apply(h) as tf.SymbolicTensor;
  const out2 = tf.layers.concatenate({ axis: 1, name: "out2" }).apply([e, f]) as tf.SymbolicTensor;
  const out3 = tf.layers.upSampling2d({ size: [3, 2], name: "out3" }).apply(h) as tf.SymbolicTensor;
  // Nearest upsampling read only by a "same" convolution: converted as a low-resolution
  // convolution per sub-pixel phase + DepthToSpace.
  const p = conv({ filters: 4, kernelSize: 3, padding: "same", name: "p" }).apply(img) as tf.SymbolicTensor;
  const up = tf.layers.upSampling2d({ size: [3, 3], name: "up" }).apply(p) as tf.SymbolicTensor;
  const out4 = conv({ filters: 2, kernelSize: 5, padding: "same", activation: "relu", name: "out4" }).apply(up) as tf.SymbolicTensor;
  return tf.model({ inputs: img, outputs: [out1, out2, out3, out4] });
}

describe("convertLayersModel: generic layer options", () => {
  it("matches TF.js on every output", async () => {
    await initTfjs();
    const dir = await mkdtemp(path.join(os.tmpdir(), "porelight-layers-"));
    try {
      const built = buildModel();
      await built.save(
        tf.io.withSaveHandler(async (art) => {
          const weightsManifest = [{ paths: ["w.bin"], weights: art.weightSpecs }];
          const json = { format: "layers-model", modelTopology: art.modelTopology, weightsManifest };
          await writeFile(path.join(dir, "model.json"), JSON.stringify(json));
          await writeFile(path.join(dir, "w.bin"), new Uint8Array(art.weightData as ArrayBuffer));
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
        }),
      );
      const modelJson = path.join(dir, "model.json");
      const original = await loadTfjsLayersModel(modelJson);
      const session = await ort.InferenceSession.create(await convertLayersModel(modelJson));
      const [H, W] = [14, 18];
      const x = Float32Array.from({ length: H * W * 3 }, (_, i) => Math.sin(i * 0.37) * 0.8 + 0.1);
      const want = tf.tidy(() => (original.predict(tf.tensor4d(x, [1, H, W, 3])) as tf.Tensor[]).map((t) => ({ shape: t.shape, data: t.dataSync() })));
      const got = await session.run({ img: new ort.Tensor("float32", x, [1, H, W, 3]) });
      expect(session.outputNames).toEqual(["out1", "out2", "out3", "out4"]);
      session.outputNames.forEach((name, i) => {
        const g = got[name].data as Float32Array;
        expect(got[name].dims, name).toEqual(want[i].shape);
        let maxDiff = 0;
        for (let k = 0; k < g.length; k++) maxDiff = Math.max(maxDiff, Math.abs(g[k] - want[i].data[k]));
        expect(maxDiff, name).toBeLessThan(1e-5);
      });
      await session.release();
      original.dispose();
      built.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the file and the layer when a layer is unsupported", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "porelight-layers-"));
    try {
      const modelTopology = {
        model_config: {
          class_name: "Functional",
          config: {
            layers: [
              { class_name: "InputLayer", name: "x", config: { batch_input_shape: [null, null, null, 3], name: "x" }, inbound_nodes: [] },
              { class_name: "LSTM", name: "rnn", config: { name: "rnn" }, inbound_nodes: [[["x", 0, 0, {}]]] },
            ],
            input_layers: [["x", 0, 0]],
            output_layers: [["rnn", 0, 0]],
          },
        },
      };
      const file = path.join(dir, "model.json");
      await writeFile(file, JSON.stringify({ format: "layers-model", modelTopology, weightsManifest: [] }));
      await expect(convertLayersModel(file)).rejects.toThrow(/model\.json: layer "rnn" has unsupported class LSTM/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
