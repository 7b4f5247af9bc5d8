/**
 * head.babylon's compact number text loses nothing: loaded in NullEngine, every vertex array of
 * every part equals, as float32, the same array in head.glb's `source` target (float32 as fitted,
 * written by glTF-Transform), −0 included, and each morph target's positions are exactly
 * base + delta in steps of 10 µm (the doubles the text "ke-5" gives).
 */
import { describe, expect, it } from "vitest";
import { NodeIO } from "@gltf-transform/core";
import { NullEngine, Scene, SceneLoader, VertexBuffer } from "@babylonjs/core";
import "@babylonjs/core/Loading/Plugins/babylonFileLoader.js";
import { exportHeadAssets } from "../materials/export-head.ts";
import { HEAD_GLTF_EXTENSIONS } from "../materials/gltf-delivery.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import type { Blendshape } from "../src/types.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

const KINDS = { POSITION: VertexBuffer.PositionKind, NORMAL: VertexBuffer.NormalKind, TANGENT: VertexBuffer.TangentKind, TEXCOORD_0: VertexBuffer.UVKind } as const;

describe("head.babylon's numbers", () => {
  it("load as the GLB's float32 vertex data, bit for bit, and targets as base + delta in 10 µm steps", async () => {
    const head = syntheticHead(12);
    const n = head.mesh.positions.length / 3;
    // Every vertex moved by one odd vector, so the targets' digits are not round numbers.
    const shift = Float32Array.from([0.0012347, -0.0023459, 0.0031]);
    const blendshapes: Blendshape[] = [{ name: "jawOpen", delta: Float32Array.from({ length: 3 * n }, (_, i) => shift[i % 3]) }];
    const assets = await exportHeadAssets({ ...head, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), blendshapes, target: "source" });

    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    const engine = new NullEngine();
    try {
      const scene = new Scene(engine);
      await SceneLoader.ImportMeshAsync("", "", `data:${assets.babylon}`, scene, undefined, ".babylon");
      let compared = 0;
      for (const node of doc.getRoot().listNodes().filter((q) => q.getMesh())) {
        const mesh = scene.meshes.find((m) => m.name === (node.getName() === "skin" ? "head" : node.getName()))!;
        expect(mesh, node.getName()).toBeDefined();
        const prim = node.getMesh()!.listPrimitives()[0];
        for (const [attribute, kind] of Object.entries(KINDS)) {
          const accessor = prim.getAttribute(attribute);
          if (!accessor) continue; // pruned from the GLB where no texture needs it (untextured eyes: no UVs, no tangents)
          const glb = accessor.getArray() as Float32Array;
          const loaded = Float32Array.from(mesh.getVerticesData(kind)!);
          expect(Buffer.from(loaded.buffer).equals(Buffer.from(glb.buffer, glb.byteOffset, glb.byteLength)), `${node.getName()} ${attribute}`).toBe(true);
          compared += glb.length;
        }
        // Targets: base + shift rounded to 10 µm, the very doubles the text "ke-5" gives.
        const base = Float32Array.from(mesh.getVerticesData(VertexBuffer.PositionKind)!);
        const moved = mesh.morphTargetManager!.getTarget(0).getPositions()!;
        expect(moved.length).toBe(base.length);
        const wrong = Array.from(moved).filter((v, i) => v !== Number(`${Math.round((base[i] + shift[i % 3]) * 1e5)}e-5`));
        expect(wrong).toEqual([]);
      }
      expect(compared).toBeGreaterThan(1000);
    } finally {
      engine.dispose();
    }
  }, 180_000);
});
