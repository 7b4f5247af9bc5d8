/**
 * Runs TF.js Keras layers models (the originals we convert) in Node, for parity tests and the
 * benchmark only: @tensorflow/tfjs is a devDependency and never loaded by the daemon.
 *
 * - a file:// IOHandler over fs (TF.js's own loaders want fetch or tfjs-node);
 * - ESRGAN's custom layers (MultiplyBeta, PixelShuffle{N}x) registered with
 *   tf.serialization.registerClass, with the semantics UpscalerJS gives them;
 * - the wasm backend (the fastest that installs from npm here).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export { tf };

/** Residual scaling of ESRGAN's RRDB blocks: x · 0.2 (UpscalerJS hard-codes β). */
class MultiplyBeta extends tf.layers.Layer {
  static className = "MultiplyBeta";
  constructor(config: { name?: string } = {}) {
    super({ name: config.name });
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 0.2);
  }
}

/** tf.depthToSpace by `scale`, NHWC. */
function pixelShuffle(scale: number) {
  return class PixelShuffle extends tf.layers.Layer {
    static className = `PixelShuffle${scale}x`;
    constructor(config: { name?: string } = {}) {
      super({ name: config.name });
    }
    override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
      const shape = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
      const mul = (d: number | null) => (d === null ? null : d * scale);
      return [shape[0], mul(shape[1]), mul(shape[2]), shape[3] === null ? null : shape[3] / (scale * scale)];
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.depthToSpace((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, scale, "NHWC");
    }
  };
}

let ready: Promise<void> | undefined;

/** Selects the wasm backend (once) and registers the custom layers. */
export function initTfjs(backend: "wasm" | "cpu" = "wasm"): Promise<void> {
  ready ??= (async () => {
    tf.serialization.registerClass(MultiplyBeta);
    for (const s of [2, 3, 4, 8]) tf.serialization.registerClass(pixelShuffle(s));
    if (backend === "wasm") {
      const require = createRequire(import.meta.url);
      const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
      setWasmPaths(dist + path.sep);
    }
    await tf.setBackend(backend);
    await tf.ready();
  })();
  return ready;
}

/** An IOHandler that reads model.json and its shards from the file system. */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(await readFile(modelJsonPath, "utf8"));
      const dir = path.dirname(modelJsonPath);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(await readFile(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

/** Loads a layers model from disk (wasm backend unless `initTfjs("cpu")` ran first). */
export async function loadTfjsLayersModel(modelJsonPath: string): Promise<tf.LayersModel> {
  await initTfjs();
  return tf.loadLayersModel(fileHandler(modelJsonPath));
}

/** Runs a single-input NHWC model on one image (HWC data); returns the NHWC output and its shape. */
export function runTfjs(model: tf.LayersModel, data: Float32Array, height: number, width: number, channels = 3): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor4d(data, [1, height, width, channels])) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}
