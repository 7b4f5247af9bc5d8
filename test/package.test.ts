import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { validateBytes } from "gltf-validator";
import { FreeCamera, NullEngine, Scene, SceneLoader, Vector3, type PBRMaterial } from "@babylonjs/core";
import type { ImageF32, OutputFile } from "../src/types.ts";
import { packageOutputs, stableJson, type PackageInput } from "../src/pipeline/package.ts";
import { encodePng, quantize } from "../src/image/encode.ts";
import { syntheticHead } from "./browser/synthetic-head.ts";

const W = 32, H = 48;

function map(channels: number, colorSpace: ImageF32["colorSpace"], f: (x: number, y: number, c: number) => number): ImageF32 {
  const data = new Float32Array(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < channels; c++) data[(y * W + x) * channels + c] = f(x, y, c);
  return { width: W, height: H, channels, data, colorSpace };
}

/** Tangent-space normals tilted by a bump pattern, unit length. */
function normals(strength: number): ImageF32 {
  return map(3, "data", (x, y, c) => {
    const nx = strength * Math.sin(x / 3), ny = strength * Math.cos(y / 4), len = Math.hypot(nx, ny, 1);
    return [nx / len, ny / len, 1 / len][c];
  });
}

function input(): PackageInput {
  const head = syntheticHead(12);
  return {
    ...head,
    maps: {
      albedoDiffuse: map(3, "linear", (x, y, c) => [0.42, 0.24, 0.18][c] * (0.9 + 0.2 * ((x + y) % 2))),
      albedoSpecular: map(1, "linear", (x) => 0.3 + x / (2 * W)),
      normalsDiffuse: normals(0.05),
      normalsSpecular: normals(0.3),
      photoTexture: map(3, "linear", (x, y, c) => 0.1 + 0.01 * c + y / (2 * H)),
      thinMask: map(1, "data", (x) => (x < 4 ? 1 : 0)),
      debug: [{ name: "confidence", image: map(1, "data", (x) => x / W), bitDepth: 8 }],
    },
    parameters: { roughnessBase: 0.7 },
    report: { version: 1, preset: "draft", quality: { visibleFraction: 0.5, notANumber: Number.NaN }, samples: Float32Array.from([0.25, 0.5]) },
    timings: [{ stage: "package", ms: 12.5, peakRssBytes: 1e8 }],
  };
}

const byName = (files: OutputFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} among ${files.map((x) => x.name).join(", ")}`);
  return f;
};

async function readRaw(png: Uint8Array, sixteen: boolean, channels: number) {
  const space = channels === 1 ? (sixteen ? "grey16" : "b-w") : sixteen ? "rgb16" : "srgb";
  const { data, info } = await sharp(png).toColourspace(space).raw(sixteen ? { depth: "ushort" } : {}).toBuffer({ resolveWithObject: true });
  return { info, values: sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data) };
}

describe("package", () => {
  let files: OutputFile[];
  beforeAll(async () => {
    files = await packageOutputs(input());
  });

  it("writes every output, sorted by name", () => {
    expect(files.map((f) => f.name)).toEqual([
      "head.babylon",
      "head.glb",
      "maps/albedo_diffuse.png",
      "maps/albedo_specular.png",
      "maps/confidence.png",
      "maps/normals_diffuse.png",
      "maps/normals_specular.png",
      "maps/texture.png",
      "maps/thin_mask.png",
      "material.json",
      "report.json",
      "timings.json",
    ]);
  });

  it("encodes each map with its convention: A_D sRGB 8-bit, A_S linear, normals 16-bit signed", async () => {
    const ad = await sharp(byName(files, "maps/albedo_diffuse.png").bytes).metadata();
    expect([ad.width, ad.height, ad.channels, ad.depth]).toEqual([W, H, 3, "uchar"]);
    // A_D came in linear: stored as sRGB, so 0.42·0.9 linear → ≈ 0.65 sRGB → code ≈ 166.
    const adRaw = await readRaw(byName(files, "maps/albedo_diffuse.png").bytes, false, 3);
    expect(adRaw.values[0]).toBeGreaterThan(160);
    expect(adRaw.values[0]).toBeLessThan(172);
    const as = await readRaw(byName(files, "maps/albedo_specular.png").bytes, false, 1);
    expect(as.info.channels).toBe(1);
    expect(as.values[0]).toBe(Math.round(0.3 * 255)); // linear, not gamma-encoded
    for (const name of ["maps/normals_diffuse.png", "maps/normals_specular.png"]) {
      const { info, values } = await readRaw(byName(files, name).bytes, true, 3);
      expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
      for (let i = 0; i < values.length; i += 3 * 37) {
        const n = [0, 1, 2].map((k) => (values[i + k] / 65535) * 2 - 1);
        expect(Math.hypot(...n)).toBeCloseTo(1, 4);
      }
    }
    const thin = await sharp(byName(files, "maps/thin_mask.png").bytes).metadata();
    expect([thin.channels, thin.hasAlpha]).toEqual([4, true]);
  });

  it("writes a GLB the Khronos validator accepts with zero errors", async () => {
    const report = await validateBytes(byName(files, "head.glb").bytes);
    expect(report.issues.numErrors).toBe(0);
    expect(report.info.extensionsUsed).toEqual(expect.arrayContaining(["KHR_materials_specular", "KHR_materials_diffuse_transmission"]));
  });

  it("writes a head.babylon that loads in NullEngine with the maps it references", async () => {
    const engine = new NullEngine();
    const scene = new Scene(engine);
    new FreeCamera("camera", new Vector3(0, 0, -0.5), scene);
    const text = new TextDecoder().decode(byName(files, "head.babylon").bytes);
    const loaded = await SceneLoader.ImportMeshAsync("", "", "data:" + text, scene);
    const head = loaded.meshes.find((m) => m.name === "head")!;
    expect(head.getTotalVertices()).toBeGreaterThan(100);
    const skin = head.material as PBRMaterial;
    for (const tex of [skin.albedoTexture, skin.bumpTexture]) expect(files.some((f) => f.name === tex?.name)).toBe(true);
    engine.dispose();
  });

  it("writes a deterministic report (NaN → null) and keeps times in timings.json only", async () => {
    const report = JSON.parse(new TextDecoder().decode(byName(files, "report.json").bytes));
    expect(report.quality.notANumber).toBeNull();
    expect(report.samples).toEqual([0.25, 0.5]);
    expect(JSON.stringify(report)).not.toMatch(/"ms"/);
    expect(JSON.parse(new TextDecoder().decode(byName(files, "timings.json").bytes)).stages[0].ms).toBe(12.5);
  });

  it("gives identical bytes for identical input", async () => {
    const again = await packageOutputs(input());
    expect(again.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of again.entries()) expect(Buffer.from(f.bytes).equals(Buffer.from(files[i].bytes)), f.name).toBe(true);
  });

  it("writes the smile's wrinkle map and names it with the blendshapes that drive it in material.json", async () => {
    const withWrinkles = input();
    withWrinkles.maps.wrinkleNormals = normals(0.2);
    const out = await packageOutputs(withWrinkles, { formats: ["maps"] });
    const png = await readRaw(byName(out, "maps/normals_wrinkle_smile.png").bytes, true, 3);
    expect(png.info.channels).toBe(3);
    const material = JSON.parse(new TextDecoder().decode(byName(out, "material.json").bytes));
    expect(material.wrinkles.wrinkleSmile.map).toBe("maps/normals_wrinkle_smile.png");
    expect(material.wrinkles.wrinkleSmile.blendshapes).toContain("mouthSmileLeft");
    expect(JSON.parse(new TextDecoder().decode(byName(files, "material.json").bytes)).wrinkles).toBeUndefined();
  });

  it("honours formats: GLB only still gives material.json and report.json, no maps", async () => {
    const only = await packageOutputs({ ...input(), timings: undefined }, { formats: ["glb"] });
    expect(only.map((f) => f.name)).toEqual(["head.glb", "material.json", "report.json"]);
  });

  it("rejects maps with the wrong channel count, naming the map", async () => {
    const bad = input();
    bad.maps.albedoSpecular = map(3, "linear", () => 0.5);
    await expect(packageOutputs(bad)).rejects.toThrow(/A_S has 3 channels/);
  });
});

describe("PNG encoding", () => {
  it("quantises with rounding and clamping, NaN to 0, and writes no metadata chunks that vary", async () => {
    const img: ImageF32 = { width: 4, height: 1, channels: 1, data: Float32Array.from([-0.5, 0.5, 1.5, Number.NaN]), colorSpace: "data" };
    expect(Array.from(quantize(img, { bitDepth: 8 }))).toEqual([0, 128, 255, 0]);
    expect(Array.from(quantize({ ...img, data: Float32Array.from([-1, 0, 1, 2]) }, { bitDepth: 16, range: "signed" }))).toEqual([0, 32768, 65535, 65535]);
    const png = Buffer.from(await encodePng(img, { bitDepth: 16 }));
    const chunks: string[] = [];
    for (let o = 8; o < png.length; o += 12 + png.readUInt32BE(o)) chunks.push(png.toString("latin1", o + 4, o + 8));
    expect(chunks.filter((c) => !["IHDR", "pHYs", "IDAT", "IEND"].includes(c))).toEqual([]);
    expect(stableJson({ a: Number.POSITIVE_INFINITY })).toBe('{\n  "a": null\n}\n');
  });
});
