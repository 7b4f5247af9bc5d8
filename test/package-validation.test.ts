/**
 * Skin parameters are validated once, where they enter the export (packageOutputs), and travel
 * down as the validated type. A pass-through spy on the module counts every call made from other
 * modules; it does not change what the function returns.
 */
import { describe, expect, it, vi } from "vitest";
import type { ImageF32 } from "../src/types.ts";
import { packageOutputs, type PackageInput } from "../src/pipeline/package.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { syntheticHead } from "./browser/synthetic-head.ts";

vi.mock("../materials/skin-parameters.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../materials/skin-parameters.ts")>();
  return { ...original, validateSkinParameters: vi.fn(original.validateSkinParameters) };
});

const flat = (channels: number, value: number[], colorSpace: ImageF32["colorSpace"]): ImageF32 => {
  const data = new Float32Array(8 * 8 * channels);
  for (let i = 0; i < data.length; i++) data[i] = value[i % channels];
  return { width: 8, height: 8, channels, data, colorSpace };
};

function input(parameters: PackageInput["parameters"]): PackageInput {
  return {
    ...syntheticHead(8),
    maps: {
      albedoDiffuse: flat(3, [0.6, 0.45, 0.4], "srgb"),
      albedoSpecular: flat(1, [0.5], "linear"),
      normalsDiffuse: flat(3, [0, 0, 1], "data"),
      normalsSpecular: flat(3, [0, 0, 1], "data"),
      thinMask: flat(1, [1], "data"),
    },
    parameters,
    report: {},
  };
}

describe("package: skin parameters", () => {
  it("are validated once per job, at the entry, for GLB, .babylon and material.json together", async () => {
    const spy = vi.mocked(validateSkinParameters);
    spy.mockClear();
    const files = await packageOutputs(input({ roughnessBase: 0.7 }), { formats: ["glb", "babylon", "maps"] });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith({ roughnessBase: 0.7 });
    // ...and that one validated value is what every file carries.
    const material = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === "material.json")!.bytes));
    expect(material.parameters.roughnessBase).toBe(0.7);
    const babylon = new TextDecoder().decode(files.find((f) => f.name === "head.babylon")!.bytes);
    expect(JSON.parse(babylon).materials.find((m: { name: string }) => m.name === "skin").metadata.porelightSkin.parameters.roughnessBase).toBe(0.7);
  });

  it("rejects an out-of-range parameter with an error naming the field", async () => {
    const spy = vi.mocked(validateSkinParameters);
    spy.mockClear();
    await expect(packageOutputs(input({ roughnessSharp: 1.5 }))).rejects.toThrow(/roughnessSharp = 1\.5: must be within \[0, 1\]/);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
