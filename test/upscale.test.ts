import { describe, expect, it } from "vitest";
import type { EstimatorManifest, ImageF32 } from "../src/types.ts";
import { BUILTIN_PROVIDERS } from "../src/estimators/builtin.ts";
import { createEstimatorRegistry, EstimatorRegistry, PRECEDENCE } from "../src/models/estimators.ts";
import { OnnxGraphBuilder } from "../src/models/onnx-graph.ts";
import { getSessionFromBytes } from "../src/models/session.ts";
import { pickUpscaler, resampleLanczos, upscale } from "../src/pipeline/upscale.ts";

/** A smooth skin-like texture in linear light with some mid-frequency detail. */
function texture(width: number, height: number): ImageF32 {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = 0.04 * Math.sin(x * 0.7) * Math.cos(y * 0.5);
      const i = (y * width + x) * 3;
      data[i] = 0.45 + 0.2 * (x / width) + d;
      data[i + 1] = 0.25 + 0.1 * (y / height) + d;
      data[i + 2] = 0.18 + d;
    }
  }
  return { width, height, channels: 3, data, colorSpace: "linear" };
}

/** Mean absolute difference between `small` and `big` box-averaged by `factor`. */
function downsampledError(big: ImageF32, small: ImageF32, factor: number): number {
  let sum = 0;
  for (let y = 0; y < small.height; y++) {
    for (let x = 0; x < small.width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) acc += big.data[((y * factor + dy) * big.width + x * factor + dx) * 3 + c];
        sum += Math.abs(acc / (factor * factor) - small.data[(y * small.width + x) * 3 + c]);
      }
    }
  }
  return sum / (small.width * small.height * 3);
}

describe("upscale ζ", () => {
  const input = texture(48, 72);

  it("runs the built-in ESRGAN through the tiled engine: right size, linear, 0..1, same low frequencies", async () => {
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
    const fractions: number[] = [];
    const out = await upscale({ texture: input }, { size: "slim", scale: 2 }, { estimators: registry, onProgress: (f) => fractions.push(f) });
    expect([out.width, out.height, out.channels, out.colorSpace]).toEqual([96, 144, 3, "linear"]);
    expect(out.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(downsampledError(out, input, 2)).toBeLessThan(0.02);
    expect(fractions.at(-1)).toBe(1);
  });

  it("resamples to an exact map size when the factor does not land on it", async () => {
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
    const out = await upscale({ texture: input }, { size: "slim", scale: 2, width: 120, height: 180 }, { estimators: registry });
    expect([out.width, out.height]).toEqual([120, 180]);
    // 120 / 48 = 2.5: compare the mean colour, which resampling must keep.
    for (let c = 0; c < 3; c++) {
      let a = 0, b = 0;
      for (let i = c; i < out.data.length; i += 3) a += out.data[i];
      for (let i = c; i < input.data.length; i += 3) b += input.data[i];
      expect(a / (out.data.length / 3)).toBeCloseTo(b / (input.data.length / 3), 2);
    }
  });

  it("uses a user's upscaler when one is registered (nearest ×2 ONNX graph)", async () => {
    const g = new OnnxGraphBuilder("nearest-x2");
    const x = g.addInput({ name: "x", type: "float32", shape: [1, "h", "w", 3] });
    const scales = g.constFloat("scales", [1, 2, 2, 1], [4]);
    const y = g.addNode("Resize", [x, "", scales], { mode: "nearest", nearest_mode: "floor", coordinate_transformation_mode: "asymmetric" }, ["y"])[0];
    g.addOutput({ name: y, type: "float32", shape: [1, "H", "W", 3] });
    const bytes = g.encode();
    const manifest: EstimatorManifest = {
      version: 1,
      name: "nearest-x2",
      stage: "upscale",
      model: "nearest.onnx",
      inputs: [{ name: "x", channels: 3, range: [0, 1], colorSpace: "linear" }],
      outputs: [{ name: "y", channels: 3, range: [0, 1], colorSpace: "linear" }],
      scale: 2,
      trainingPatch: 64,
      inferencePatch: 32,
      overlap: 8,
      receptiveField: 0,
      layout: "nhwc",
    };
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
    registry.register({ manifest, origin: "test", session: () => getSessionFromBytes("test:nearest-x2", bytes) }, PRECEDENCE.user);
    expect(pickUpscaler(registry, { size: "thick", scale: 8 }).manifest.name).toBe("nearest-x2");
    expect(() => pickUpscaler(new EstimatorRegistry(), {})).toThrow(/no estimator registered/);
    const out = await upscale({ texture: input }, { size: "thick", scale: 2 }, { estimators: registry });
    expect([out.width, out.height]).toEqual([96, 144]);
    let worst = 0;
    for (let y = 0; y < out.height; y++) {
      for (let xx = 0; xx < out.width; xx++) {
        for (let c = 0; c < 3; c++) {
          const a = out.data[(y * out.width + xx) * 3 + c];
          const b = input.data[((y >> 1) * input.width + (xx >> 1)) * 3 + c];
          worst = Math.max(worst, Math.abs(a - b));
        }
      }
    }
    // Tiles of 32 with blended overlaps must reproduce nearest ×2 exactly (up to float rounding).
    expect(worst).toBeLessThan(1e-5);
  });

  it("picks the built-in of the preset's size and scale otherwise", async () => {
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
    expect(pickUpscaler(registry, { size: "medium", scale: 4 }).manifest.name).toBe("esrgan-medium-x4");
    expect(pickUpscaler(registry, { size: "thick", scale: 8 }).manifest.name).toBe("esrgan-thick-x8");
  });

  it("resamples a 1-channel map with Lanczos without shifting it", async () => {
    const w = 20, h = 30;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = x / (w - 1);
    const out = resampleLanczos({ width: w, height: h, channels: 1, data, colorSpace: "data" }, 40, 60);
    // A linear ramp stays a ramp: the middle texel pair straddles 0.5.
    const row = out.data.subarray(30 * 40, 31 * 40);
    expect((row[19] + row[20]) / 2).toBeCloseTo(0.5, 5);
    // Away from the clamped edges every output texel sits on the ramp: x_in = (x + 0.5) / 2 − 0.5.
    for (let x = 6; x < 34; x++) expect(Math.abs(row[x] - ((x + 0.5) / 2 - 0.5) / (w - 1))).toBeLessThan(0.002);
    // Minifying 40 → 13 (×0.325) low-passes: a 2-texel checkerboard averages to grey.
    const checker = new Float32Array(40 * 40).map((_, i) => ((i % 40) + Math.floor(i / 40)) % 2);
    const small = resampleLanczos({ width: 40, height: 40, channels: 1, data: checker, colorSpace: "data" }, 13, 13);
    for (let i = 2 * 13 + 2; i < 11 * 13; i += 13) expect(Math.abs(small.data[i] - 0.5)).toBeLessThan(0.05);
  });
});
