/**
 * Tiled inference equals one whole-image pass (within 1e-4) with small tiles forcing many of
 * them, odd image sizes and image edges: on hand-built conv graphs (two named NCHW inputs; one
 * NHWC input fed by channel concatenation, ×2 output) and on the real ESRGAN slim ×2.
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import sharp from "sharp";
import * as ort from "onnxruntime-node";
import { OnnxGraphBuilder } from "../src/models/onnx-graph.ts";
import { blendWeights, runTiled, tileAxis } from "../src/models/tiled.ts";
import { convertLayersModel } from "../src/models/convert-layers.ts";
import { esrganManifest } from "../src/estimators/esrgan.ts";
import type { EstimatorManifest, ImageF32 } from "../src/types.ts";

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

function image(width: number, height: number, channels: number, colorSpace: ImageF32["colorSpace"], seed: number, lo = 0, hi = 1): ImageF32 {
  const r = seeded(seed);
  return { width, height, channels, colorSpace, data: Float32Array.from({ length: width * height * channels }, () => lo + r() * (hi - lo)) };
}

function maxDiff(a: ImageF32, b: ImageF32): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** conv(k×k, dilation) with seeded weights, NCHW. */
function conv(g: OnnxGraphBuilder, x: string, cin: number, cout: number, k: number, dilation: number, rand: () => number): string {
  const w = g.constFloat("conv_w", Array.from({ length: cout * cin * k * k }, () => (rand() - 0.5) * 0.6), [cout, cin, k, k]);
  const b = g.constFloat("conv_b", Array.from({ length: cout }, () => rand() - 0.5), [cout]);
  const p = (dilation * (k - 1)) / 2;
  return g.op("Conv", [x, w, b], { kernel_shape: [k, k], dilations: [dilation, dilation], pads: [p, p, p, p] });
}

/** Two named NCHW inputs (albedo sRGB, normals) → "a" (2 ch data) and "b" (normals). Receptive field 3. */
function twoInputModel(): Uint8Array {
  const g = new OnnxGraphBuilder("two_inputs");
  const rand = seeded(7);
  g.addInput({ name: "albedo", type: "float32", shape: [1, 3, "h", "w"] });
  g.addInput({ name: "normal", type: "float32", shape: [1, 3, "h", "w"] });
  const h = g.op("Relu", [g.op("Add", [conv(g, "albedo", 3, 4, 3, 1, rand), conv(g, "normal", 3, 4, 3, 1, rand)])]);
  g.addNode("Identity", [conv(g, h, 4, 2, 3, 2, rand)], {}, ["a"]);
  g.addNode("Tanh", [conv(g, h, 4, 3, 3, 1, rand)], {}, ["b"]);
  g.addOutput({ name: "a", type: "float32", shape: [1, 2, "h", "w"] });
  g.addOutput({ name: "b", type: "float32", shape: [1, 3, "h", "w"] });
  return g.encode();
}

const twoInputManifest: EstimatorManifest = {
  version: 1,
  name: "two-inputs",
  stage: "delight",
  model: "two-inputs.onnx",
  inputs: [
    { name: "albedo", channels: 3, range: [0, 1], colorSpace: "srgb" },
    { name: "normal", channels: 3, range: [0, 1], colorSpace: "normal-tangent" },
  ],
  outputs: [
    { name: "a", channels: 2, range: [-2, 2], colorSpace: "data" },
    { name: "b", channels: 3, range: [-1, 1], colorSpace: "normal-tangent" },
  ],
  scale: 1,
  trainingPatch: 16,
  inferencePatch: 16,
  overlap: 10,
  receptiveField: 3,
  layout: "nchw",
};

/** One NHWC input of 6 channels → conv → DepthToSpace: ×2, 3 channels. Receptive field 2. */
function concatModel(): Uint8Array {
  const g = new OnnxGraphBuilder("concat_input");
  const rand = seeded(11);
  g.addInput({ name: "x", type: "float32", shape: [1, "h", "w", 6] });
  const x = g.op("Transpose", ["x"], { perm: [0, 3, 1, 2] });
  const y = g.op("DepthToSpace", [conv(g, g.op("Relu", [conv(g, x, 6, 8, 3, 1, rand)]), 8, 12, 3, 1, rand)], { blocksize: 2, mode: "DCR" });
  g.addNode("Transpose", [y], { perm: [0, 2, 3, 1] }, ["y"]);
  g.addOutput({ name: "y", type: "float32", shape: [1, "H", "W", 3] });
  return g.encode();
}

const concatManifest: EstimatorManifest = {
  version: 1,
  name: "concat",
  stage: "upscale",
  model: "concat.onnx",
  inputs: [
    { name: "first", channels: 3, range: [0, 255], colorSpace: "linear" },
    { name: "second", channels: 3, range: [-1, 1], colorSpace: "data" },
  ],
  outputs: [{ name: "y", channels: 3, range: [0, 255], colorSpace: "linear" }],
  scale: 2,
  trainingPatch: 16,
  inferencePatch: 13,
  overlap: 7,
  receptiveField: 2,
};

const whole = (m: EstimatorManifest): EstimatorManifest => ({ ...m, inferencePatch: 4096 });

describe("tile layout and weights", () => {
  it("covers the axis with tiles no larger than the patch, sharing at least the overlap", () => {
    for (const [length, patch, overlap] of [[37, 16, 10], [100, 32, 8], [576, 384, 48], [33, 33, 4], [20, 64, 4]]) {
      const { starts, size } = tileAxis(length, patch, overlap);
      expect(size).toBeLessThanOrEqual(patch);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + size).toBe(length);
      for (let i = 1; i < starts.length; i++) expect(starts[i - 1] + size - starts[i]).toBeGreaterThanOrEqual(overlap);
    }
  });

  it("gives weights that sum to 1, vanish near inner tile edges and change smoothly", () => {
    const length = 61;
    const tiles = tileAxis(length, 20, 12);
    const [scale, margin, ramp] = [2, 3, 6];
    const w = blendWeights(tiles, length, scale, margin, ramp);
    const sum = new Float64Array(length * scale);
    tiles.starts.forEach((s, t) => w[t].forEach((v, u) => (sum[s * scale + u] += v)));
    for (const v of sum) expect(v).toBeCloseTo(1, 6);
    w.forEach((wt, t) => {
      if (t > 0) for (let u = 0; u < margin * scale; u++) expect(wt[u]).toBe(0);
      if (t < w.length - 1) for (let u = 0; u < margin * scale; u++) expect(wt[wt.length - 1 - u]).toBe(0);
      // No jump larger than a cosine ramp over ramp·scale pixels allows (π/2 / width, with slack).
      for (let u = 1; u < wt.length; u++) expect(Math.abs(wt[u] - wt[u - 1])).toBeLessThan(2.5 / (ramp * scale));
    });
  });
});

describe("runTiled", () => {
  it("two named NCHW inputs, two outputs: tiled = whole = a direct run", async () => {
    const session = await ort.InferenceSession.create(twoInputModel());
    const [W, H] = [37, 29];
    const albedo = image(W, H, 3, "linear", 1);
    const normal = image(W, H, 3, "data", 2, -1, 1);
    let calls = 0;
    let last = 0;
    const tiled = await runTiled(session, twoInputManifest, [albedo, normal], { onProgress: (f) => { calls++; expect(f).toBeGreaterThan(last); last = f; } });
    expect(calls).toBe(tileAxis(W, 16, 10).starts.length * tileAxis(H, 16, 10).starts.length);
    expect(calls).toBeGreaterThan(9);
    expect(last).toBe(1);
    const ref = await runTiled(session, whole(twoInputManifest), [albedo, normal]);
    expect(maxDiff(tiled[0], ref[0])).toBeLessThan(1e-4);
    expect(maxDiff(tiled[1], ref[1])).toBeLessThan(1e-4);
    expect(tiled[1].colorSpace).toBe("data");

    // Independent check of feeding and range mapping: run the model directly.
    const toNchw = (img: ImageF32, f: (v: number) => number) => {
      const d = new Float32Array(img.data.length);
      for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) d[c * W * H + i] = f(img.data[i * 3 + c]);
      return new ort.Tensor("float32", d, [1, 3, H, W]);
    };
    const srgb = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
    const out = await session.run({ albedo: toNchw(albedo, srgb), normal: toNchw(normal, (v) => (v + 1) / 2) });
    const a = out.a.data as Float32Array;
    for (const i of [0, 5, 100, W * H - 1]) for (let c = 0; c < 2; c++) expect(ref[0].data[i * 2 + c]).toBeCloseTo((a[c * W * H + i] + 2) / 4, 5);
  });

  it("one model input fed by concatenating the manifest's inputs, ×2 output", async () => {
    const session = await ort.InferenceSession.create(concatModel());
    const [W, H] = [31, 23];
    const first = image(W, H, 3, "srgb", 3);
    const second = image(W, H, 3, "data", 4);
    const tiled = await runTiled(session, concatManifest, [first, second]);
    const ref = await runTiled(session, whole(concatManifest), [first, second]);
    expect([tiled[0].width, tiled[0].height]).toEqual([2 * W, 2 * H]);
    expect(maxDiff(tiled[0], ref[0])).toBeLessThan(1e-4);
  });

  it("ESRGAN slim ×2 on a face crop: tiled = whole", async () => {
    const modelJson = path.join(import.meta.dirname, "../node_modules/@upscalerjs/esrgan-slim/models/x2/model.json");
    const session = await ort.InferenceSession.create(await convertLayersModel(modelJson));
    const { data, info } = await sharp(path.join(import.meta.dirname, "fixtures/astronaut-nasa-public-domain.png"))
      .extract({ left: 170, top: 60, width: 61, height: 75 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const face: ImageF32 = { width: info.width, height: info.height, channels: 3, colorSpace: "srgb", data: Float32Array.from(data, (v) => v / 255) };
    const manifest = { ...esrganManifest("slim", 2), inferencePatch: 40 };
    const tiled = await runTiled(session, manifest, [face]);
    const ref = await runTiled(session, whole(manifest), [face]);
    expect(tileAxis(75, 40, manifest.overlap).starts.length).toBeGreaterThan(2);
    expect(maxDiff(tiled[0], ref[0])).toBeLessThan(1e-4);
    // And the upscale is an upscale: close to the input where the image is smooth.
    expect(Math.abs(ref[0].data[(20 * 2 * 122 + 40) * 3] - face.data[(20 * 61 + 20) * 3])).toBeLessThan(0.2);
  });

  it("stops at an aborted signal and names the problem on bad input", async () => {
    const session = await ort.InferenceSession.create(concatModel());
    const controller = new AbortController();
    const imgs = [image(40, 40, 3, "srgb", 5), image(40, 40, 3, "data", 6)];
    const run = runTiled(session, concatManifest, imgs, { signal: controller.signal, onProgress: () => controller.abort(new Error("cancelled by test")) });
    await expect(run).rejects.toThrow("cancelled by test");
    await expect(runTiled(session, concatManifest, [imgs[0]])).rejects.toThrow(/takes 2 input image\(s\)/);
    await expect(runTiled(session, concatManifest, [imgs[0], image(40, 40, 2, "data", 7)])).rejects.toThrow(/input 1 \(second\): 2 channels, the manifest says 3/);
    await expect(runTiled(session, concatManifest, [imgs[1], imgs[1]])).rejects.toThrow(/wants linear colour but the image is data/);
  });
});

describe("runTiled: manifest/model mismatch", () => {
  it("says what the manifest implies when the model's output shape disagrees", async () => {
    const session = await ort.InferenceSession.create(concatModel());
    const imgs = [image(20, 20, 3, "srgb", 5), image(20, 20, 3, "data", 6)];
    await expect(runTiled(session, { ...concatManifest, scale: 4 }, imgs)).rejects.toThrow(/estimator "concat" on a 12×12 tile: .*computed output shape.*implies outputs y \[1, 48, 48, 3\]/s);
  });
});
