/**
 * The open mouth's occlusion in the delivered head (materials/mouth-occlusion.ts): the template's
 * mouth parts carry COLOR_0 in head.glb (validator 0 errors) and vertex colours in head.babylon,
 * darker deep in the cavity than at the lips and on the back teeth than on the front ones; the
 * skin carries none; without jawOpen there is nothing to open the mouth with and no colour.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { NodeIO, type Primitive } from "@gltf-transform/core";
import { validateBytes } from "gltf-validator";
import { exportHeadAssets, type HeadAssets } from "../materials/export-head.ts";
import { HEAD_GLTF_EXTENSIONS } from "../materials/gltf-delivery.ts";
import { multiBounceOcclusion } from "../materials/mouth-occlusion.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import type { TemplateHead } from "../src/types.ts";
import { syntheticMaps } from "./browser/synthetic-head.ts";

let head: TemplateHead;
let assets: HeadAssets;
beforeAll(async () => {
  head = buildTemplateHead();
  const blendshapes = evaluateBlendshapes(head.mesh.positions, head).filter((b) => b.name === "jawOpen");
  assets = await exportHeadAssets({ mesh: head.mesh, parts: head.parts, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), blendshapes, target: "source" });
}, 120_000);

/** Mean grey of the COLOR_0 values of the vertices in the front and back tenth of the part by z (head axes: +z forward). */
function frontBack(prim: Primitive): { front: number; back: number; min: number; max: number } {
  const z = prim.getAttribute("POSITION")!.getArray()!;
  const c = prim.getAttribute("COLOR_0")!.getArray()!;
  const n = z.length / 3;
  const order = Array.from({ length: n }, (_, v) => v).sort((a, b) => z[3 * b + 2] - z[3 * a + 2]);
  const k = Math.max(1, Math.round(n / 10));
  const mean = (ids: number[]) => ids.reduce((s, v) => s + c[3 * v], 0) / ids.length;
  const grey = Array.from({ length: n }, (_, v) => c[3 * v]);
  return { front: mean(order.slice(0, k)), back: mean(order.slice(n - k)), min: Math.min(...grey), max: Math.max(...grey) };
}

describe("the open mouth's occlusion in head.glb and head.babylon", () => {
  it("is COLOR_0 on the mouth parts, darker deep inside than at the lips, and the GLB validates", async () => {
    const report = await validateBytes(assets.glb);
    expect(report.issues.numErrors, JSON.stringify(report.issues.messages.slice(0, 3))).toBe(0);
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    const prim = (name: string) => doc.getRoot().listMeshes().find((m) => m.getName() === name)!.listPrimitives()[0];
    expect(prim("skin").getAttribute("COLOR_0")).toBeNull();
    for (const part of ["mouth", "teeth", "tongue"]) {
      const p = prim(part);
      expect(p.getAttribute("COLOR_0"), part).not.toBeNull();
      const { front, back, min, max } = frontBack(p);
      expect(min, part).toBeGreaterThanOrEqual(0);
      expect(max, part).toBeLessThanOrEqual(1);
      if (part !== "tongue") expect(back, part).toBeLessThan(front - 0.1);
    }
    // The tongue's top sees the opening (its template winding is inside out: not black all over).
    expect(frontBack(prim("tongue")).max).toBeGreaterThan(0.1);
    // The cavity's back wall and the tongue are darker than the front teeth that show between the lips.
    expect(frontBack(prim("mouth")).back).toBeLessThan(0.5 * frontBack(prim("teeth")).front);
  });

  it("is the mouth meshes' vertex colours in head.babylon, the same values", async () => {
    const babylon = JSON.parse(assets.babylon) as { meshes: { name: string; geometryId: string; hasVertexAlpha: boolean }[]; geometries: { vertexData: { id: string; colors?: number[] }[] } };
    const geometry = (mesh: string) => babylon.geometries.vertexData.find((g) => g.id === babylon.meshes.find((m) => m.name === mesh)!.geometryId)!;
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    for (const part of ["mouth", "teeth", "tongue"]) {
      const colors = geometry(part).colors!;
      expect(babylon.meshes.find((m) => m.name === part)!.hasVertexAlpha).toBe(false);
      const glb = doc.getRoot().listMeshes().find((m) => m.getName() === part)!.listPrimitives()[0].getAttribute("COLOR_0")!.getArray()!;
      expect(colors.length / 4).toBe(glb.length / 3);
      for (let v = 0; v < glb.length / 3; v += 97) {
        expect(colors[4 * v]).toBeCloseTo(glb[3 * v], 5);
        expect(colors[4 * v + 3]).toBe(1);
      }
    }
    expect(geometry("head").colors).toBeUndefined();
  });

  it("is absent without a jawOpen blendshape: nothing opens the mouth", async () => {
    const closed = await exportHeadAssets({ mesh: head.mesh, parts: head.parts, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), target: "source" });
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(closed.glb);
    for (const m of doc.getRoot().listMeshes()) expect(m.listPrimitives()[0].getAttribute("COLOR_0"), m.getName()).toBeNull();
  });
});

describe("the template's tongue", () => {
  it("faces outward (positive enclosed volume): engines cull its inside, the occlusion samples its outside", () => {
    const t = head.parts.find((p) => p.part === "tongue")!;
    const P = head.mesh.positions, tris = head.mesh.indices.subarray(t.firstIndex, t.firstIndex + t.indexCount);
    let volume = 0;
    for (let i = 0; i < tris.length; i += 3) {
      const [a, b, c] = [3 * tris[i], 3 * tris[i + 1], 3 * tris[i + 2]];
      volume += (P[a] * (P[b + 1] * P[c + 2] - P[b + 2] * P[c + 1]) - P[a + 1] * (P[b] * P[c + 2] - P[b + 2] * P[c]) + P[a + 2] * (P[b] * P[c + 1] - P[b + 1] * P[c])) / 6;
    }
    expect(volume).toBeGreaterThan(5e-6); // ≈ 14 cm³
  });
});

describe("multi-bounce occlusion", () => {
  it("keeps the ends, never darkens below the visibility, and gives back more light from paler walls", () => {
    expect(multiBounceOcclusion(0, [0.9, 0.5, 0.1])).toEqual([0, 0, 0]);
    multiBounceOcclusion(1, [0.9, 0.5, 0.1]).forEach((v) => expect(v).toBeCloseTo(1, 2));
    const [pale, mid, dark] = multiBounceOcclusion(0.3, [0.9, 0.5, 0.1]);
    expect(dark).toBeGreaterThanOrEqual(0.3);
    expect(pale).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(dark);
  });
});
