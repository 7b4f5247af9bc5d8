import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BUILTIN_PROVIDERS, builtinDelightEstimator, builtinGraphEstimators, builtinNormalsDiffuseEstimator, builtinNormalsSpecularEstimator, builtinSpecularEstimator } from "../src/estimators/builtin.ts";
import { buildDelightOnnx, DELIGHT_GRAPH_DEFAULTS, dichromaticWeights, unitLuminanceColour } from "../src/estimators/delight.ts";
import { ImageGraph } from "../src/estimators/graph-kit.ts";
import { resizeImage } from "../src/estimators/resize.ts";
import { specularManifest } from "../src/estimators/specular.ts";
import { parseEstimatorManifest } from "../src/models/manifest.ts";
import { createEstimatorRegistry } from "../src/models/estimators.ts";
import { disposeSessions, ort } from "../src/models/session.ts";
import { specular } from "../src/pipeline/specular.ts";
import type { ImageF32 } from "../src/types.ts";

afterAll(disposeSessions);

const srgb = (c: number) => (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055);

describe("built-in estimator graphs", () => {
  it("have valid manifests, one per stage, with receptive fields that grow as texels shrink", () => {
    const stages = builtinGraphEstimators().map((e) => e.manifest.stage);
    expect(stages.sort()).toEqual(["delight", "normalsDiffuse", "normalsSpecular", "specular"]);
    for (const e of builtinGraphEstimators()) expect(parseEstimatorManifest(JSON.parse(JSON.stringify(e.manifest)), e.manifest.name)).toEqual(e.manifest);
    for (const make of [builtinSpecularEstimator, builtinNormalsSpecularEstimator, builtinNormalsDiffuseEstimator]) {
      const coarse = make({ texelSizeMm: 0.4 }).manifest;
      const fine = make({ texelSizeMm: 0.1 }).manifest;
      // A blur of fixed millimetres spans 4× the texels on 4× finer texels (running-sum boxes round).
      expect(fine.receptiveField / coarse.receptiveField).toBeGreaterThan(3);
      expect(fine.overlap).toBeGreaterThanOrEqual(2 * fine.receptiveField);
    }
    expect(builtinDelightEstimator().manifest.receptiveField).toBe(0);
  });

  it("δ: removes a white highlight from skin, leaves skin and paler-but-not-brighter texels alone", async () => {
    const skin = DELIGHT_GRAPH_DEFAULTS.skinAlbedo;
    const shading = [0.9, 0.9, 0.9];
    // Texels: plain skin; skin + white specular 0.3; a pale (less saturated) patch no brighter than skin.
    const pale = [0.3, 0.24, 0.2];
    const linear = [skin.map((a, c) => a * shading[c]), skin.map((a, c) => a * shading[c] + 0.3), pale.map((a, c) => a * shading[c])];
    const session = await ort.InferenceSession.create(buildDelightOnnx());
    // NCHW, one row of three texels: planes R, G, B.
    const planar = (texels: number[][]) => Float32Array.from([0, 1, 2].flatMap((c) => texels.map((t) => t[c])));
    const texture = new ort.Tensor("float32", planar(linear).map(srgb), [1, 3, 1, 3]);
    const shadingT = new ort.Tensor("float32", planar([shading, shading, shading]), [1, 3, 1, 3]);
    const specularWeight = new ort.Tensor("float32", Float32Array.from([1, 1, 1]), [1, 1, 1, 3]);
    const out = (await session.run({ texture, shading: shadingT, specularWeight })).albedo.data as Float32Array;
    // Where highlight removal is off (teeth, eye whites), the white stays.
    const kept = (await session.run({ texture, shading: shadingT, specularWeight: new ort.Tensor("float32", new Float32Array(3), [1, 1, 1, 3]) })).albedo.data as Float32Array;
    expect(kept[1]).toBeCloseTo(srgb(linear[1][0] / shading[0]), 2);
    const expected = planar([skin, skin, pale]).map(srgb);
    for (let i = 0; i < 9; i++) expect(out[i]).toBeCloseTo(expected[i], 2);
    await session.release();
    // The least-squares weights reproduce κ for an exact skin + κ·(1,1,1) mixture.
    const w = dichromaticWeights(skin);
    const J = skin.map((a) => 2 * a + 0.1);
    expect(J[0] * w[0] + J[1] * w[1] + J[2] * w[2]).toBeCloseTo(0.1, 10);
    // Grey skin (a black-and-white photo) cannot be separated: no removal rather than an error.
    expect(dichromaticWeights([0.3, 0.3, 0.3])).toEqual([0, 0, 0]);
  });

  it("δ: removes a highlight of the light's colour in A_D's units (skin's correction beyond the light) without shifting the skin's hue", async () => {
    const skin = DELIGHT_GRAPH_DEFAULTS.skinAlbedo;
    // A_D = fs·I/S while the light maps by lightFs: a highlight is κ·fs/lightFs in A_D, here warm.
    const skinCorrection: [number, number, number] = [1.12, 1.0, 0.82];
    const shading = [0.9, 0.9, 0.9];
    const texels = [0.15, 0.3].map((kappa) => skin.map((a, c) => (a + kappa * skinCorrection[c]) * shading[c]));
    const session = await ort.InferenceSession.create(buildDelightOnnx({ ...DELIGHT_GRAPH_DEFAULTS, highlightColour: skinCorrection }));
    const planar = (rows: number[][]) => Float32Array.from([0, 1, 2].flatMap((c) => rows.map((t) => t[c])));
    const feeds = {
      texture: new ort.Tensor("float32", planar(texels).map(srgb), [1, 3, 1, 2]),
      shading: new ort.Tensor("float32", planar([shading, shading]), [1, 3, 1, 2]),
      specularWeight: new ort.Tensor("float32", Float32Array.from([1, 1]), [1, 1, 1, 2]),
    };
    const out = (await session.run(feeds)).albedo.data as Float32Array;
    await session.release();
    const expected = planar([skin, skin]).map(srgb);
    // Removed as grey, the warm remainder would leave red up and blue down by ≈ 0.02–0.05 in sRGB.
    for (let i = 0; i < 6; i++) expect(Math.abs(out[i] - expected[i])).toBeLessThan(0.004);
    // In the light's frame J/ĥ the highlight is grey: κ of an exact skin + κ·ĥ mixture is recovered there.
    const h = unitLuminanceColour(skinCorrection);
    const w = dichromaticWeights(skin.map((a, c) => a / h[c]));
    const J = skin.map((a, c) => (2 * a + 0.1 * h[c]) / h[c]);
    expect(J[0] * w[0] + J[1] * w[1] + J[2] * w[2]).toBeCloseTo(0.1, 10);
    expect(() => unitLuminanceColour([1, 0, 1])).toThrow(/three positive numbers/);
  });

  it("δ: A_D moves with skin's factor fs as one per-channel gain when the light stays (the removal reads the photo, not where skin was put)", async () => {
    const skin = DELIGHT_GRAPH_DEFAULTS.skinAlbedo;
    const skinCorrection: [number, number, number] = [0.83, 1.1, 1.14];
    // fs × g moves skin along its correction; the divisor (shading ÷ fs) and skinCorrection follow.
    const g = [1, 1.2, 1.45];
    // Texels in A_D under the first fs: skin + highlight, a brighter cool-tinted (fill-lit) patch, skin.
    const adTexels = [skin.map((a, c) => a + 0.2 * skinCorrection[c]), [0.55, 0.4, 0.4], skin];
    const shading = [0.8, 0.8, 0.8];
    const planar = (rows: number[][]) => Float32Array.from([0, 1, 2].flatMap((c) => rows.map((t) => t[c])));
    const texture = new ort.Tensor("float32", planar(adTexels.map((t) => t.map((a, c) => a * shading[c]))).map(srgb), [1, 3, 1, 3]);
    const specularWeight = new ort.Tensor("float32", Float32Array.from([1, 1, 1]), [1, 1, 1, 3]);
    const run = async (gain: number[]) => {
      const session = await ort.InferenceSession.create(buildDelightOnnx({ ...DELIGHT_GRAPH_DEFAULTS, skinAlbedo: skin.map((a, c) => a * gain[c]) as [number, number, number], highlightColour: skinCorrection.map((v, c) => v * gain[c]) as [number, number, number] }));
      const div = shading.map((v, c) => v / gain[c]);
      const out = (await session.run({ texture, shading: new ort.Tensor("float32", planar([div, div, div]), [1, 3, 1, 3]), specularWeight })).albedo.data as Float32Array;
      await session.release();
      return Array.from(out, (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    };
    const [before, after] = [await run([1, 1, 1]), await run(g)];
    for (let i = 0; i < 9; i++) expect(Math.abs(Math.log(after[i] / (before[i] * g[Math.floor(i / 3)])))).toBeLessThan(0.01);
    // The highlight went in both (its texel is skin's colour), so the test is not passed by removing nothing.
    for (let c = 0; c < 3; c++) expect(Math.abs(Math.log(before[c * 3] / skin[c]))).toBeLessThan(0.01);
  });

  it("resamples images bilinearly with texel centres aligned", async () => {
    const img: ImageF32 = { width: 2, height: 1, channels: 1, data: Float32Array.from([0, 1]), colorSpace: "data" };
    const up = await resizeImage(img, 8, 4);
    // Output texel centres at (x + 0.5)/4 − 0.5 input texels: edges clamp, the middle ramps linearly.
    expect(Array.from(up.data.subarray(0, 8)).map((v) => Number(v.toFixed(4)))).toEqual([0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1]);
  });
});

describe("a user model replaces a built-in by manifest", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "porelight-user-specular-"));
    // A "studio-trained" ψ with the built-in's I/O that does something recognisable: A_S = the
    // albedo's green channel (sRGB) times 0.5, ignoring the regional level.
    const g = new ImageGraph("user_specular");
    const albedo = g.input("albedo", 3);
    const regional = g.input("regionSpecular", 1);
    const green = g.channels(albedo, 1, 2);
    g.output("specularAlbedo", g.add(g.mul(green, g.k(0.5)), g.mul(regional, g.k(0))), 1);
    await writeFile(path.join(dir, "spec.onnx"), g.encode("user test model"));
    const manifest = { ...specularManifest({ texelSizeMm: 1, cavitySigmaMm: 0.5, cavityStrength: 1, minCavityFactor: 0.3 }), name: "studio-specular", model: "spec.onnx", receptiveField: 0, overlap: 8 };
    await writeFile(path.join(dir, "spec.json"), JSON.stringify(manifest));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("ψ from the registry is the user's, and its output is what the specular stage returns", async () => {
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { manifests: [path.join(dir, "spec.json")], env: {} });
    const estimator = registry.resolve("specular");
    expect(estimator.manifest.name).toBe("studio-specular");
    expect(estimator.specialise).toBeUndefined();
    const W = 40;
    const H = 60;
    const albedo: ImageF32 = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3).map((_, i) => (i % 3 === 1 ? ((i / 3) % W) / W : 0.6)), colorSpace: "srgb" };
    const { specularAlbedo } = await specular({ albedo, texelSizeMm: 0.1 }, {}, { estimators: registry });
    for (const p of [0, 17, 39, 1234]) expect(specularAlbedo.data[p]).toBeCloseTo(0.5 * albedo.data[p * 3 + 1], 5);
    // The built-in, by contrast, gives nominal skin specular on this cavity-free ramp.
    const builtin = await specular({ albedo, texelSizeMm: 0.1 });
    expect(builtin.specularAlbedo.data[17]).not.toBeCloseTo(0.5 * albedo.data[17 * 3 + 1], 2);
  });
});
