/**
 * head.glb in Blender (issue 17: "loads without errors in Blender (`source`)"): Blender's own glTF
 * importer in background mode (scripts/blender-check.ts) on a synthetic head with two morph targets.
 * `source` imports with no error: every part a mesh under `head`, UVs, the morph targets as shape
 * keys on the skin and none on the eyes, A_D as sRGB and N_S as non-colour data. The game targets
 * carry EXT_meshopt_compression, which Blender 3.4's importer does not read: it must refuse them
 * with a message naming the extension rather than import a broken head. Skips without Blender.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BLENDER, blenderReport, type BlenderReport } from "../scripts/blender-check.ts";
import { exportHeadAssets } from "../materials/export-head.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import type { Blendshape } from "../src/types.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

const hasBlender = existsSync(BLENDER);
if (!hasBlender) console.warn(`blender-import.test: ${BLENDER} not found, skipping (Debian: apt-get install blender python3-numpy)`);

describe.skipIf(!hasBlender)("head.glb in Blender's glTF importer", () => {
  let dir: string;
  const reports: Partial<Record<"source" | "web", BlenderReport>> = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "porelight-blender-"));
    const head = syntheticHead(16);
    const n = head.mesh.positions.length / 3;
    const skin = head.parts.find((p) => p.part === "skin")!;
    const skinIds = new Set(head.mesh.indices.subarray(skin.firstIndex, skin.firstIndex + skin.indexCount));
    // Two morph targets that move only skin vertices (the eyes get none).
    const lift = new Float32Array(3 * n), push = new Float32Array(3 * n);
    for (const v of skinIds) { lift[3 * v + 1] = 0.004; push[3 * v + 2] = 0.002; }
    const blendshapes: Blendshape[] = [{ name: "browInnerUp", delta: lift }, { name: "jawForward", delta: push }];
    const input = { ...head, maps: await syntheticMaps(64, 96), parameters: validateSkinParameters({}), blendshapes };
    for (const target of ["source", "web"] as const) {
      const file = path.join(dir, `head.${target}.glb`);
      await writeFile(file, (await exportHeadAssets({ ...input, target })).glb);
      reports[target] = await blenderReport(file);
    }
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("source: imports with no error; parts under `head` with UVs; morph targets as the skin's shape keys; colour spaces right", () => {
    const r = reports.source!;
    expect(r.errors).toEqual([]);
    expect(r.result).toEqual(["FINISHED"]);
    const mesh = (name: string) => r.meshes.find((m) => m.name === name);
    for (const part of ["skin", "eyeLeft", "eyeRight"]) {
      expect(mesh(part)?.faces).toBeGreaterThan(0);
      expect(r.objects.find((o) => o.name === part)?.parent).toBe("head");
    }
    expect(mesh("skin")!.uvLayers).toBe(1); // the synthetic eyes are untextured: their UVs are pruned
    expect(mesh("skin")!.shapeKeys).toBe(2);
    expect([mesh("eyeLeft")!.shapeKeys, mesh("eyeRight")!.shapeKeys]).toEqual([0, 0]);
    const skinMaterial = r.materials.find((m) => m.name === "skin")!;
    expect(skinMaterial.images).toEqual(expect.arrayContaining(["albedoDiffuse", "normalsSpecular"]));
    expect(skinMaterial.normalMaps).toBeGreaterThan(0);
    const image = (name: string) => r.images.find((i) => i.name === name);
    expect(image("albedoDiffuse")).toMatchObject({ size: [64, 96], colorspace: "sRGB" });
    expect(image("normalsSpecular")).toMatchObject({ size: [64, 96], colorspace: "Non-Color" });
  });

  it("web (meshopt): refused with a message naming the extension, or imported whole by a newer Blender", () => {
    const r = reports.web!;
    if (r.errors.length) {
      expect(r.errors.join("\n")).toMatch(/EXT_meshopt_compression/);
      expect(r.meshes).toEqual([]);
    } else {
      expect(r.meshes.find((m) => m.name === "skin")?.shapeKeys).toBe(2);
    }
  });
});
