/**
 * The open mouth's occlusion in the delivered head (materials/mouth-occlusion.ts): the template's
 * mouth parts carry COLOR_0 in head.glb (validator 0 errors) and vertex colours in head.babylon,
 * with deltas on every morph target (jawOpen's non-zero), so that with the jaw open they are
 * darker deep in the cavity than at the lips and on the back teeth than on the front ones, and
 * follow the opening; the skin carries none; without jawOpen there is nothing to open the mouth
 * with and no colour.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { NodeIO, type Primitive } from "@gltf-transform/core";
import { validateBytes } from "gltf-validator";
import { exportHeadAssets, type HeadAssets } from "../materials/export-head.ts";
import { HEAD_GLTF_EXTENSIONS } from "../materials/gltf-delivery.ts";
import { mouthColours } from "../materials/gltf-mapping.ts";
import { mouthOcclusion, multiBounceOcclusion, posedMouthOcclusion } from "../materials/mouth-occlusion.ts";
import { mouthPlainParts } from "../eval/rerender.ts";
import { renderSkin, type SkinLighting } from "../eval/shade-skin.ts";
import { computeNormals } from "../src/geometry/mesh-utils.ts";
import { lookAtCamera } from "../src/render/camera.ts";
import { directionalLightSh } from "../src/render/sh.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import type { Blendshape, ImageF32, TemplateHead } from "../src/types.ts";
import { syntheticMaps } from "./browser/synthetic-head.ts";

let head: TemplateHead;
let assets: HeadAssets;
let blendshapes: Blendshape[];
beforeAll(async () => {
  head = buildTemplateHead();
  blendshapes = evaluateBlendshapes(head.mesh.positions, head).filter((b) => b.name === "jawOpen");
  assets = await exportHeadAssets({ mesh: head.mesh, parts: head.parts, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), blendshapes, target: "source" });
}, 120_000);

/** COLOR_0 with the jaw open: the base plus the jawOpen target's delta. */
function openColour(prim: Primitive): Float32Array {
  const base = prim.getAttribute("COLOR_0")!.getArray()!;
  const jaw = prim.listTargets().find((t) => t.getName() === "jawOpen")!.getAttribute("COLOR_0")!.getArray()!;
  return Float32Array.from(base, (x, i) => x + jaw[i]);
}

/** Mean grey of the jaw-open colours of the vertices in the front and back tenth of the part by z (head axes: +z forward). */
function frontBack(prim: Primitive): { front: number; back: number; min: number; max: number } {
  const z = prim.getAttribute("POSITION")!.getArray()!;
  const c = openColour(prim);
  const n = z.length / 3;
  const order = Array.from({ length: n }, (_, v) => v).sort((a, b) => z[3 * b + 2] - z[3 * a + 2]);
  const k = Math.max(1, Math.round(n / 10));
  const mean = (ids: number[]) => ids.reduce((s, v) => s + c[3 * v], 0) / ids.length;
  const grey = Array.from({ length: n }, (_, v) => c[3 * v]);
  return { front: mean(order.slice(0, k)), back: mean(order.slice(n - k)), min: Math.min(...grey), max: Math.max(...grey) };
}

describe("the open mouth's occlusion in head.glb and head.babylon", () => {
  it("is COLOR_0 on the mouth parts with a delta on every morph target, with the jaw open darker deep inside than at the lips, and the GLB validates", async () => {
    const report = await validateBytes(assets.glb);
    expect(report.issues.numErrors, JSON.stringify(report.issues.messages.slice(0, 3))).toBe(0);
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    const prim = (name: string) => doc.getRoot().listMeshes().find((m) => m.getName() === name)!.listPrimitives()[0];
    expect(prim("skin").getAttribute("COLOR_0")).toBeNull();
    for (const part of ["mouth", "teeth", "tongue"]) {
      const p = prim(part);
      expect(p.getAttribute("COLOR_0"), part).not.toBeNull();
      expect(p.listTargets().every((t) => t.getAttribute("COLOR_0")), part).toBe(true);
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

  it("is the mouth meshes' vertex colours in head.babylon, the same values, and absolute colours on each of their morph targets", async () => {
    type Manager = { id: number; targets: { name: string; colors?: number[] }[] };
    const babylon = JSON.parse(assets.babylon) as { meshes: { name: string; geometryId: string; hasVertexAlpha: boolean; morphTargetManagerId?: number }[]; geometries: { vertexData: { id: string; colors?: number[] }[] }; morphTargetManagers: Manager[] };
    const geometry = (mesh: string) => babylon.geometries.vertexData.find((g) => g.id === babylon.meshes.find((m) => m.name === mesh)!.geometryId)!;
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    for (const part of ["mouth", "teeth", "tongue"]) {
      const colors = geometry(part).colors!;
      expect(babylon.meshes.find((m) => m.name === part)!.hasVertexAlpha).toBe(false);
      const glb = doc.getRoot().listMeshes().find((m) => m.getName() === part)!.listPrimitives()[0].getAttribute("COLOR_0")!.getArray()!;
      expect(colors.length / 4).toBe(glb.length / 3);
      const open = openColour(doc.getRoot().listMeshes().find((m) => m.getName() === part)!.listPrimitives()[0]);
      const manager = babylon.morphTargetManagers.find((m) => m.id === babylon.meshes.find((x) => x.name === part)!.morphTargetManagerId)!;
      expect(manager.targets.every((t) => t.colors?.length === colors.length), part).toBe(true);
      const jaw = manager.targets.find((t) => t.name === "jawOpen")!.colors!;
      for (let v = 0; v < glb.length / 3; v += 97) {
        expect(colors[4 * v]).toBeCloseTo(glb[3 * v], 5);
        expect(colors[4 * v + 3]).toBe(1);
        expect(jaw[4 * v]).toBeCloseTo(open[3 * v], 3);
      }
    }
    expect(geometry("head").colors).toBeUndefined();
  });

  it("follows the opening: at jawOpen 0.5 the exported colour is nearer the ray-traced occlusion's than the jaw-open colour", async () => {
    const half = posedMouthOcclusion(head.mesh, head.parts, blendshapes, { jawOpen: 0.5 })!;
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(assets.glb);
    const colours = mouthColours();
    let morphError = 0, fixedError = 0, n = 0;
    for (const part of ["mouth", "teeth", "tongue"] as const) {
      const range = head.parts.find((p) => p.part === part)!;
      // The part's vertices in the export's order (first use in its index range).
      const order = [...new Set(head.mesh.indices.subarray(range.firstIndex, range.firstIndex + range.indexCount))];
      const prim = doc.getRoot().listMeshes().find((m) => m.getName() === part)!.listPrimitives()[0];
      const base = prim.getAttribute("COLOR_0")!.getArray()!, open = openColour(prim);
      order.forEach((v, i) => {
        const truth = multiBounceOcclusion(half[v], colours.mouth)[0];
        morphError += Math.abs(base[3 * i] + 0.5 * (open[3 * i] - base[3 * i]) - truth);
        fixedError += Math.abs(open[3 * i] - truth);
        n++;
      });
    }
    expect(morphError / n).toBeLessThan(0.5 * (fixedError / n));
  });

  it("is absent without a jawOpen blendshape: nothing opens the mouth", async () => {
    const closed = await exportHeadAssets({ mesh: head.mesh, parts: head.parts, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), target: "source" });
    const doc = await new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).readBinary(closed.glb);
    for (const m of doc.getRoot().listMeshes()) expect(m.listPrimitives()[0].getAttribute("COLOR_0"), m.getName()).toBeNull();
  });
});

describe("the re-render's mouth (eval/rerender.ts)", () => {
  it("draws cavity, teeth and tongue in their exported colours with the engines' occlusion at the expression drawn", () => {
    const jaw = blendshapes[0];
    const open = head.mesh.positions.map((x, i) => x + jaw.delta[i]);
    const parts = mouthPlainParts({ ...head.mesh, positions: open, normals: computeNormals(open, head.mesh.indices) }, head.parts, [0.6, 0.55, 0.45]);
    const colours = mouthColours([0.6, 0.55, 0.45]);
    expect(parts.map((p) => p.albedo)).toEqual([colours.mouth, colours.teeth, colours.tongue]);
    parts.forEach((p, k) => {
      const range = head.parts.filter((r) => r.part !== "skin" && !r.part.startsWith("eye"))[k];
      expect([p.firstIndex, p.indexCount, p.multiBounce]).toEqual([range.firstIndex, range.indexCount, colours.mouth]);
    });
    // Drawn with the jaw open, the occlusion is what the engines store for that pose.
    const engines = mouthOcclusion(head.mesh, head.parts, blendshapes)!;
    const drawn = parts[0].occlusion as Float32Array;
    const mouthVertices = [...new Set(head.mesh.indices.subarray(parts[0].firstIndex, parts[0].firstIndex + parts[0].indexCount))];
    for (const v of mouthVertices.filter((_, i) => i % 53 === 0)) expect(drawn[v]).toBeCloseTo(engines[v], 6);
    // Drawn at rest, the lips hide the mouth: far darker than with the jaw open.
    const rest = mouthPlainParts(head.mesh, head.parts)[0].occlusion as Float32Array;
    const mean = (a: Float32Array) => mouthVertices.reduce((s, v) => s + a[v], 0) / mouthVertices.length;
    expect(mean(rest)).toBeLessThan(0.5 * mean(drawn));
  });

  it("lights a plain part through the multi-bounce occlusion with its walls' colour, per channel", () => {
    const mesh = { ...head.mesh };
    const skin = head.parts.find((p) => p.part === "skin")!;
    const camera = lookAtCamera({ eye: [0, 0, 1], target: [0, 0, 0.05], fovYDeg: 2, width: 9, height: 9 });
    const lighting: SkinLighting = { ambientSh: Array.from(directionalLightSh([0, 1, 0], [0, 0, 0], [1, 1, 1])), directional: [], directionalDiffuse: "exact" };
    const dark: ImageF32 = { width: 2, height: 2, channels: 3, data: new Float32Array(12).fill(0.05), colorSpace: "linear" };
    const albedo: [number, number, number] = [0.6, 0.3, 0.05];
    const walls: [number, number, number] = [0.3, 0.05, 0.05];
    const draw = (bounce: boolean) => renderSkin(mesh, camera, { albedoDiffuse: dark, albedoSpecular: 0, plainParts: [{ ...skin, albedo, albedoSpecular: 0, occlusion: 0.25, ...(bounce ? { multiBounce: walls } : {}) }] }, lighting, { supersample: 1 });
    const p = (4 * 9 + 4) * 4;
    const once = draw(false), bounced = draw(true);
    const gain = multiBounceOcclusion(0.25, walls);
    // Uniform radiance 1: diffuse = albedo × occlusion, the occlusion per channel when the walls pass light on.
    for (let c = 0; c < 3; c++) {
      expect(once.data[p + c]).toBeCloseTo(albedo[c] * 0.25, 4);
      expect(bounced.data[p + c]).toBeCloseTo(albedo[c] * gain[c], 4);
    }
    expect(bounced.data[p] / once.data[p]).toBeGreaterThan(bounced.data[p + 2] / once.data[p + 2]);
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

describe("the template's tongue and lower arch", () => {
  it("fills the arch: level with the crowns, the tongue's border reaches within 2 mm of the lower teeth at the premolars and molars, never past them", () => {
    const P = head.mesh.positions;
    const ids = (part: string) => { const r = head.parts.find((p) => p.part === part)!; return [...new Set(head.mesh.indices.subarray(r.firstIndex, r.firstIndex + r.indexCount))]; };
    const tongue = ids("tongue"), lower = ids("teeth").filter((v) => head.rig.mandible[v] === 1);
    const top = Math.max(...lower.map((v) => P[3 * v + 1])), front = Math.max(...lower.map((v) => P[3 * v + 2]));
    for (const behind of [0.024, 0.028]) {
      // A slice 4 mm deep under the crowns' top, 4 mm long, this far behind the incisors.
      const slice = (v: number) => Math.abs(P[3 * v + 2] - (front - behind)) < 0.002 && P[3 * v + 1] > top - 0.004;
      const border = Math.max(...tongue.filter(slice).map((v) => Math.abs(P[3 * v])));
      const teeth = Math.min(...lower.filter(slice).map((v) => Math.abs(P[3 * v])));
      expect(teeth - border, `${behind * 1000} mm behind`).toBeGreaterThan(0);
      expect(teeth - border, `${behind * 1000} mm behind`).toBeLessThan(0.002);
    }
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
