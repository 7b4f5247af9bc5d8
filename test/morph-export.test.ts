/**
 * Blendshapes through the export: a synthetic head with two hand-made shapes (one lifting the
 * skin's top, one turning nothing) written for every delivery target. head.glb validates with 0
 * errors, the skin mesh carries exactly the moving shape as a morph target named in
 * extras.targetNames with the displacement it was given, the eyes carry none; head.babylon loads
 * in Babylon with a MorphTargetManager whose target positions are base + displacement.
 */
import { describe, expect, it } from "vitest";
import { NodeIO } from "@gltf-transform/core";
import { NullEngine, Scene, SceneLoader } from "@babylonjs/core";
import "@babylonjs/core/Loading/Plugins/babylonFileLoader.js";
import { validateBytes } from "gltf-validator";
import { MeshoptDecoder, MeshoptEncoder } from "meshoptimizer";
import { exportHeadAssets } from "../materials/export-head.ts";
import { DELIVERY_TARGETS, HEAD_GLTF_EXTENSIONS } from "../materials/gltf-delivery.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import type { Blendshape } from "../src/types.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

describe("blendshapes in head.glb and head.babylon", () => {
  it("are morph targets with their names and displacements, validator 0 errors, on every target", async () => {
    const head = syntheticHead(16);
    const n = head.mesh.positions.length / 3;
    const skin = head.parts.find((p) => p.part === "skin")!;
    const skinIds = new Set(head.mesh.indices.subarray(skin.firstIndex, skin.firstIndex + skin.indexCount));
    // "browInnerUp": skin vertices above y = 0.05 m rise by 4 mm; "mouthClose": nothing moves.
    const lift = new Float32Array(3 * n);
    let lifted = 0;
    for (let v = 0; v < n; v++) if (skinIds.has(v) && head.mesh.positions[3 * v + 1] > 0.05) { lift[3 * v + 1] = 0.004; lifted++; }
    expect(lifted).toBeGreaterThan(0);
    const blendshapes: Blendshape[] = [{ name: "browInnerUp", delta: lift }, { name: "mouthClose", delta: new Float32Array(3 * n) }];
    const input = { ...head, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), blendshapes };
    await Promise.all([MeshoptEncoder.ready, MeshoptDecoder.ready]);
    const io = new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).registerDependencies({ "meshopt.encoder": MeshoptEncoder, "meshopt.decoder": MeshoptDecoder });
    let babylon = "";
    for (const target of DELIVERY_TARGETS) {
      const assets = await exportHeadAssets({ ...input, target });
      babylon = assets.babylon;
      const report = await validateBytes(assets.glb);
      expect(report.issues.numErrors, `${target}: ${JSON.stringify(report.issues.messages.slice(0, 3))}`).toBe(0);
      const doc = await io.readBinary(assets.glb);
      const meshes = doc.getRoot().listMeshes();
      const skinMesh = meshes.find((m) => m.getName() === "skin")!;
      expect(skinMesh.getExtras()).toEqual({ targetNames: ["browInnerUp"] });
      expect(skinMesh.getWeights()).toEqual([0]);
      const prim = skinMesh.listPrimitives()[0];
      const [t] = prim.listTargets();
      const pos = prim.getAttribute("POSITION")!, delta = t.getAttribute("POSITION")!;
      // Quantised targets (web) move the scale into the node: displacements in head metres are M·d.
      const M = doc.getRoot().listNodes().find((q) => q.getMesh() === skinMesh)!.getWorldMatrix();
      let top = 0, maxY = 0;
      for (let i = 0; i < pos.getCount(); i++) {
        const q = delta.getElement(i, [0, 0, 0]);
        const d = [0, 1, 2].map((r) => M[r] * q[0] + M[4 + r] * q[1] + M[8 + r] * q[2]);
        maxY = Math.max(maxY, d[1]);
        if (Math.abs(d[1] - 0.004) < 1e-4) top++;
        expect(Math.abs(d[0]) + Math.abs(d[2])).toBeLessThan(1e-4);
      }
      expect(top, target).toBe(lifted);
      expect(maxY).toBeCloseTo(0.004, 4);
      for (const m of meshes.filter((q) => q.getName().startsWith("eye"))) expect(m.listPrimitives()[0].listTargets().length).toBe(0);
    }
    // head.babylon: loads with a MorphTargetManager on the head, positions = base + displacement.
    const engine = new NullEngine();
    try {
      const scene = new Scene(engine);
      await SceneLoader.ImportMeshAsync("", "", `data:${babylon}`, scene, undefined, ".babylon");
      const mesh = scene.meshes.find((m) => m.name === "head")!;
      const manager = mesh.morphTargetManager!;
      expect(manager.numTargets).toBe(1);
      const target = manager.getTarget(0);
      expect(target.name).toBe("browInnerUp");
      const base = mesh.getVerticesData("position")!, moved = target.getPositions()!;
      let rises = 0;
      for (let i = 0; i < base.length / 3; i++) if (Math.abs(moved[3 * i + 1] - base[3 * i + 1] - 0.004) < 1e-5) rises++;
      expect(rises).toBe(lifted);
    } finally {
      engine.dispose();
    }
  }, 180_000);
});
