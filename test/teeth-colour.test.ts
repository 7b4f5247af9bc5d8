import { describe, expect, it } from "vitest";
import { NodeIO } from "@gltf-transform/core";
import { ALL_EXTENSIONS } from "@gltf-transform/extensions";
import { DEFAULT_TEETH_ALBEDO, teethColour, withinEnamelBand } from "../src/pipeline/teeth-colour.ts";
import { TOOTH_REFLECTANCE } from "../src/pipeline/delight/references.ts";
import type { TeethMeasurement } from "../src/pipeline/capture/teeth.ts";
import { luminance } from "../src/primitives/color.ts";
import { exportHeadAssets } from "../materials/export-head.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { directionalLightSh } from "../src/render/sh.ts";
import { lookAtCamera } from "../src/render/camera.ts";
import { renderSkin, type SkinLighting } from "../eval/shade-skin.ts";
import type { ImageF32 } from "../src/types.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

const measured = (rgb: [number, number, number] | null, pixels = 200): TeethMeasurement => ({ rgb, pixels, opening: 0.2, clipped: 0, spread: 0.1, reliable: true, reason: rgb ? "ok" : "mouth closed (opening 0.01 of its width)" });

describe("the teeth's albedo", () => {
  it("de-lights the photo's enamel by the light's gain over the mouth's recess", () => {
    // d3dfr-000002's teeth; a gain that brings them to the middle of the band.
    const t = teethColour(measured([0.34, 0.27, 0.2]), [1.5, 1.5, 1.4]);
    expect(t.source).toBe("photo");
    expect(t.albedo[0]).toBeCloseTo((0.34 * 1.5) / 0.75, 6);
    expect(t.albedo[2]).toBeCloseTo((0.2 * 1.4) / 0.75, 6);
    expect(t.photo).toEqual([0.34, 0.27, 0.2]);
  });

  it("keeps the default where the mouth shows no enamel, and says why", () => {
    const closed = teethColour(measured(null, 0), [1, 1, 1]);
    expect(closed).toMatchObject({ albedo: DEFAULT_TEETH_ALBEDO, source: "default", photo: null });
    expect(closed.reason).toMatch(/closed/);
    expect(teethColour(measured([0.55, 0.24, 0.26]), [1, 1, 1]).source).toBe("default"); // a pink tongue
    expect(() => teethColour(measured([0.34, 0.27, 0.2]), [1, 0, 1])).toThrow(/lightGain/);
  });

  it("bounds the albedo to natural enamel: no grey-brown teeth from a shaded mouth, none whiter than white", () => {
    const refY = luminance(...TOOTH_REFLECTANCE.rgb);
    const dark = withinEnamelBand([0.1, 0.09, 0.08]);
    expect(luminance(...dark)).toBeCloseTo(refY * Math.exp(-0.6), 4);
    const bright = withinEnamelBand([3, 3, 3]);
    expect(Math.max(...bright)).toBeLessThanOrEqual(1);
    const blue = withinEnamelBand([0.5, 0.55, 0.9]);
    expect(blue[2]).toBeLessThan(blue[0]); // enamel is yellowish, never blue
    const inside = [0.6, 0.5, 0.33] as [number, number, number];
    withinEnamelBand(inside).forEach((v, c) => expect(v).toBeCloseTo(inside[c], 6));
  });
});

describe("the teeth's colour in the outputs", () => {
  it("is the teeth material's base colour in head.glb and head.babylon, and named in material.json", async () => {
    const head = syntheticHead(12);
    const parts = head.parts.map((p) => (p.part === "eyeRight" ? { ...p, part: "teeth" as const } : p));
    const teethAlbedo: [number, number, number] = [0.61, 0.52, 0.37];
    const assets = await exportHeadAssets({ mesh: head.mesh, parts, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), target: "source", teethAlbedo });
    const doc = await new NodeIO().registerExtensions(ALL_EXTENSIONS).readBinary(assets.glb);
    const teeth = doc.getRoot().listMaterials().find((m) => m.getName() === "teeth")!;
    teeth.getBaseColorFactor().slice(0, 3).forEach((v, c) => expect(v).toBeCloseTo(teethAlbedo[c], 6));
    const babylon = JSON.parse(assets.babylon) as { materials: { id: string; albedo: number[] }[] };
    expect(babylon.materials.find((m) => m.id === "teeth")!.albedo).toEqual(teethAlbedo);
    expect(JSON.parse(assets.materialJson).mouthParts.teeth.baseColorLinear).toEqual(teethAlbedo);
  });
});

describe("the re-render's plain parts", () => {
  it("draws a part with its own colour and no maps: the mouth's UVs do not read the skin atlas", () => {
    const head = syntheticHead(16);
    const camera = lookAtCamera({ eye: [0, 0, 1], target: [0, 0, 0], fovYDeg: 15, width: 41, height: 41 });
    const lighting: SkinLighting = { ambientSh: Array.from(directionalLightSh([0, 1, 0], [0, 0, 0], [1, 1, 1])), directional: [], directionalDiffuse: "exact" };
    const dark: ImageF32 = { width: 4, height: 4, channels: 3, data: new Float32Array(48).fill(0.05), colorSpace: "linear" };
    const skin = head.parts.find((p) => p.part === "skin")!;
    const img = renderSkin(head.mesh, camera, { albedoDiffuse: dark, albedoSpecular: 0, ambientOcclusion: { ...dark, channels: 1, data: new Float32Array(16).fill(0.2) }, plainParts: [{ ...skin, albedo: [0.6, 0.5, 0.3], albedoSpecular: 0, occlusion: 0.5 }] }, lighting, { supersample: 1 });
    const p = (20 * 41 + 20) * 4;
    // Uniform radiance 1: plain diffuse is the albedo times the part's own occlusion (not the AO map's 0.2, not A_D's 0.05).
    expect(img.data[p]).toBeCloseTo(0.3, 3);
    expect(img.data[p + 2]).toBeCloseTo(0.15, 3);
    const perVertex = new Float32Array(head.mesh.positions.length / 3).fill(0.25);
    const img2 = renderSkin(head.mesh, camera, { albedoDiffuse: dark, albedoSpecular: 0, plainParts: [{ ...skin, albedo: [0.6, 0.5, 0.3], albedoSpecular: 0, occlusion: perVertex }] }, lighting, { supersample: 1 });
    expect(img2.data[p]).toBeCloseTo(0.15, 3);
    expect(() => renderSkin(head.mesh, camera, { albedoDiffuse: dark, albedoSpecular: 0, plainParts: [{ firstIndex: 1, indexCount: 3, albedo: [1, 1, 1], albedoSpecular: 0, occlusion: 1 }] }, lighting)).toThrow(/triangle range/);
  });
});
