/**
 * Estimator manifests: validation with errors naming file and field, model paths resolved
 * against the manifest, and the registry (built-ins, user override, scale choice, env variable).
 */
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadEstimatorManifest, parseEstimatorManifest } from "../src/models/manifest.ts";
import { BUILTIN_PROVIDERS } from "../src/estimators/builtin.ts";
import { esrganManifest } from "../src/estimators/esrgan.ts";
import { createEstimatorRegistry, EstimatorRegistry, ESTIMATORS_ENV } from "../src/models/estimators.ts";
import { OnnxGraphBuilder } from "../src/models/onnx-graph.ts";
import { runTiled } from "../src/models/tiled.ts";

const minimal = {
  version: 1,
  name: "studio-delight",
  stage: "delight",
  model: "models/delight.onnx",
  inputs: [{ name: "texture", channels: 3, range: [0, 1], colorSpace: "srgb" }],
  outputs: [{ name: "albedo", channels: 3, range: [0, 1], colorSpace: "srgb" }],
  scale: 1,
  receptiveField: 4,
};

/** A model that halves its input: texture → albedo. */
function halveModel(): Uint8Array {
  const g = new OnnxGraphBuilder("halve");
  g.addInput({ name: "texture", type: "float32", shape: [1, "h", "w", 3] });
  g.addNode("Mul", ["texture", g.constFloat("half", [0.5], [])], {}, ["albedo"]);
  g.addOutput({ name: "albedo", type: "float32", shape: [1, "h", "w", 3] });
  return g.encode();
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "porelight-manifest-"));
  await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, "models")));
  await writeFile(path.join(dir, "models/delight.onnx"), halveModel());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeManifest(name: string, json: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

describe("loadEstimatorManifest", () => {
  it("fills defaults and resolves the model against the manifest's folder", async () => {
    const { manifest, modelPath, file } = await loadEstimatorManifest(await writeManifest("ok.json", minimal));
    expect(file).toBe(path.join(dir, "ok.json"));
    expect(modelPath).toBe(path.join(dir, "models/delight.onnx"));
    expect(manifest.inferencePatch).toBe(1536);
    expect(manifest.trainingPatch).toBe(512);
    expect(manifest.overlap).toBe(2 * 4 + 16);
    expect(manifest.layout).toBe("nhwc");
  });

  it.each([
    [{ ...minimal, version: 2 }, /bad\.json: version: must be 1/],
    [{ ...minimal, inputs: [{ ...minimal.inputs[0], range: [1, 0] }] }, /bad\.json: inputs\[0\]\.range: low must be below high, got \[1,0\]/],
    [{ ...minimal, overlap: 5 }, /bad\.json: overlap: must be at least 2 × receptiveField = 8/],
    [{ ...minimal, stage: "sharpen" }, /bad\.json: stage: /],
    [{ ...minimal, scale: 1.5 }, /bad\.json: scale: must be a whole number/],
    [{ ...minimal, colour: "red" }, /bad\.json: \(manifest\): .*colour/],
    [{ ...minimal, outputs: [{ name: "n", channels: 4, range: [-1, 1], colorSpace: "normal-tangent" }] }, /bad\.json: outputs\[0\]\.channels: a normal-tangent tensor has 3 channels/],
    [(({ receptiveField: _, ...rest }) => rest)(minimal), /bad\.json: receptiveField: /],
  ])("rejects %j with the file and field named", async (json, message) => {
    await expect(loadEstimatorManifest(await writeManifest("bad.json", json))).rejects.toThrow(message);
  });

  it("names unreadable, non-JSON and model-less manifests", async () => {
    await expect(loadEstimatorManifest(path.join(dir, "absent.json"))).rejects.toThrow(/cannot read estimator manifest .*absent\.json: ENOENT/);
    await expect(loadEstimatorManifest(await writeManifest("text.json", "{ nope"))).rejects.toThrow(/text\.json: not valid JSON/);
    await expect(loadEstimatorManifest(await writeManifest("nomodel.json", { ...minimal, model: "gone.onnx" }))).rejects.toThrow(/nomodel\.json: model: file .*gone\.onnx does not exist/);
  });

  it("accepts every built-in manifest, whose tensor names are those of the TF.js models", async () => {
    for (const size of ["slim", "medium", "thick"] as const) {
      for (const scale of [2, 4, 8] as const) {
        const m = esrganManifest(size, scale);
        expect(parseEstimatorManifest(m, m.name)).toEqual(m);
        const json = JSON.parse(await readFile(path.join(import.meta.dirname, `../node_modules/@upscalerjs/esrgan-${size}/models/x${scale}/model.json`), "utf8"));
        const cfg = json.modelTopology.model_config.config;
        expect([cfg.input_layers[0][0], cfg.output_layers[0][0]]).toEqual([m.inputs[0].name, m.outputs[0].name]);
      }
    }
  });
});

describe("estimator registry", () => {
  it("resolves built-in upscalers by scale, thick first", async () => {
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { env: {} });
    expect(registry.resolve("upscale", { scale: 4 }).manifest.name).toBe("esrgan-thick-x4");
    expect(registry.resolve("upscale", { scale: 3 }).manifest.name).toBe("esrgan-thick-x4");
    expect(registry.resolve("upscale", { scale: 16 }).manifest.name).toBe("esrgan-thick-x8");
    expect(registry.resolve("upscale", { name: "esrgan-slim-x2" }).origin).toBe("built-in");
    expect(registry.resolve("upscale", { scale: 8, prefer: "esrgan-medium-x8" }).manifest.name).toBe("esrgan-medium-x8");
    expect(() => new EstimatorRegistry().resolve("specular")).toThrow(/no estimator registered for stage "specular"/);
    expect(() => registry.resolve("upscale", { name: "nope" })).toThrow(/no "upscale" estimator named "nope"; registered: esrgan-thick-x8/);
  });

  it("registers exactly the built-in providers its caller hands it, in their order", async () => {
    expect((await createEstimatorRegistry([], { env: {} })).list()).toEqual([]);
    const esrgan = (name: string) => ({ manifest: { ...esrganManifest("slim", 2), name }, origin: "built-in", session: () => Promise.reject(new Error("unused")) });
    const registry = await createEstimatorRegistry([() => [esrgan("a")], () => [esrgan("b"), esrgan("c")]], { env: {} });
    expect(registry.list().map((e) => e.manifest.name)).toEqual(["a", "b", "c"]);
    expect(registry.resolve("upscale").manifest.name).toBe("a");
  });

  it("lets a user manifest (option or environment) override its stage, and runs it like any other", async () => {
    const upscaler = await writeManifest("up.json", { ...minimal, name: "studio-upscale", stage: "upscale", scale: 1 });
    const delight = await writeManifest("delight.json", minimal);
    const registry = await createEstimatorRegistry(BUILTIN_PROVIDERS, { manifests: [upscaler], env: { [ESTIMATORS_ENV]: delight } });
    expect(registry.resolve("upscale", { scale: 8 }).manifest.name).toBe("studio-upscale");
    expect(registry.resolve("upscale", { scale: 8, prefer: "esrgan-thick-x8" }).manifest.name).toBe("studio-upscale");
    const estimator = registry.resolve("delight");
    expect(estimator.origin).toBe(delight);
    const texture = { width: 5, height: 4, channels: 3, colorSpace: "srgb" as const, data: new Float32Array(60).fill(0.8) };
    const [albedo] = await runTiled(await estimator.session(), estimator.manifest, [texture]);
    expect(albedo.data[0]).toBeCloseTo(0.4, 6);
    expect(registry.list("upscale").length).toBe(10);
  });
});
