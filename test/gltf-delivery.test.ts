/**
 * head.glb's delivery (materials/gltf-delivery.ts, gltf-diffuse-normal.ts): N_D stays N_D through
 * glTF-Transform's optimize passes, every target validates with 0 errors and 0 warnings and is
 * deterministic, A_S is stored once, skin and eyes are separate nodes, Babylon attaches N_D.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { NodeIO, type Document, type Texture } from "@gltf-transform/core";
import { dedup, flatten, instance, join, meshopt, palette, prune, resample, sparse, textureCompress, weld } from "@gltf-transform/functions";
import { FreeCamera, NullEngine, PBRMaterial, Scene, SceneLoader, Vector3 } from "@babylonjs/core";
import "@babylonjs/loaders/glTF/index.js";
import { validateBytes } from "gltf-validator";
import sharp from "sharp";
import { MeshoptDecoder, MeshoptEncoder } from "meshoptimizer";
import { exportHeadAssets, type HeadAssetsInput } from "../materials/export-head.ts";
import { DELIVERY_TARGETS, HEAD_GLTF_EXTENSIONS, type DeliveryTarget } from "../materials/gltf-delivery.ts";
import { PORELIGHT_DIFFUSE_NORMAL, type DiffuseNormal } from "../materials/gltf-diffuse-normal.ts";
import { registerSkinGltfExtension } from "../materials/gltf-diffuse-normal-babylon.ts";
import { SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "../materials/diffuse-normal-plugin.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";
import { MSFT_LOD, SKIN_LOD_SCREEN_COVERAGE, simplifySkinLods, type Lod } from "../materials/head-lods.ts";
import { splitParts } from "../materials/head-geometry.ts";
import { headPivot, moveOrigin } from "../materials/head-pivot.ts";
import { weldSeamTangents } from "../materials/seam-tangents.ts";
import { validatorFindings } from "../bench/export.ts";
import { decodeKtx2 } from "./support/ktx2-decode.ts";
import { read as readKtx2 } from "ktx-parse";

/** Positions (rounded to 1e-6 m) of the vertices on open borders (edges used by one triangle, welded by position). */
function borderPositions(g: { positions: Float32Array; indices: Uint32Array }): Set<string> {
  const key = (v: number) => Array.from(g.positions.subarray(v * 3, v * 3 + 3), (x) => x.toFixed(6)).join(",");
  const edges = new Map<string, number>();
  for (let t = 0; t < g.indices.length; t += 3) for (let e = 0; e < 3; e++) {
    const a = key(g.indices[t + e]), b = key(g.indices[t + ((e + 1) % 3)]);
    const k = a < b ? `${a}|${b}` : `${b}|${a}`;
    edges.set(k, (edges.get(k) ?? 0) + 1);
  }
  const out = new Set<string>();
  for (const [k, n] of edges) if (n === 1) for (const p of k.split("|")) out.add(p);
  return out;
}

async function io(): Promise<NodeIO> {
  await Promise.all([MeshoptEncoder.ready, MeshoptDecoder.ready]);
  return new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).registerDependencies({ "meshopt.encoder": MeshoptEncoder, "meshopt.decoder": MeshoptDecoder });
}

/** RGB pixels of an embedded image (PNG, WebP or KTX2), 8-bit. */
async function rgb(bytes: Uint8Array): Promise<Float64Array> {
  if (bytes[1] === 0x4b && bytes[2] === 0x54 && bytes[3] === 0x58) { // «KTX 20»
    const { rgba } = await decodeKtx2(bytes);
    return Float64Array.from(rgba.filter((_, i) => i % 4 !== 3));
  }
  const { data } = await sharp(bytes).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return Float64Array.from(data);
}

const meanAbs = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

function ndTexture(doc: Document): Texture {
  const skin = doc.getRoot().listMaterials().find((m) => m.getName() === "skin")!;
  const nd = skin.getExtension<DiffuseNormal>(PORELIGHT_DIFFUSE_NORMAL);
  expect(nd).not.toBeNull();
  return nd!.getDiffuseNormalTexture()!;
}

describe("head.glb delivery", () => {
  let input: HeadAssetsInput;
  const glb: Partial<Record<DeliveryTarget, Uint8Array>> = {};
  let ndPixels: Float64Array;
  let nsPixels: Float64Array;

  beforeAll(async () => {
    const head = syntheticHead(24);
    input = { ...head, maps: await syntheticMaps(64, 96), parameters: validateSkinParameters({ translucency: 0.4 }) };
    for (const target of DELIVERY_TARGETS) glb[target] = (await exportHeadAssets({ ...input, target })).glb;
    ndPixels = await rgb(input.maps.normalsDiffuse);
    nsPixels = await rgb(input.maps.normalsSpecular);
    expect(meanAbs(ndPixels, nsPixels)).toBeGreaterThan(1); // the check below can tell N_D from N_S
  }, 120_000);

  it("keeps N_D as N_D through glTF-Transform's optimize passes (an image pruned ahead of it, WebP, meshopt)", async () => {
    const doc = await (await io()).readBinary(glb.source!);
    // The first image loses its last user, so prune drops it and every later image index shifts
    // (what made the old extras index point at the thin mask).
    const skin = doc.getRoot().listMaterials().find((m) => m.getName() === "skin")!;
    expect(doc.getRoot().listTextures()[0]).toBe(skin.getBaseColorTexture());
    skin.setBaseColorTexture(null);
    // The passes of `gltf-transform optimize` (simplify off), in its order.
    await doc.transform(
      dedup(), instance(), palette(), flatten(), join(), weld(), resample(), prune(), sparse(),
      textureCompress({ encoder: sharp, targetFormat: "webp", quality: 95 }),
      meshopt({ encoder: MeshoptEncoder, level: "medium" }),
    );
    expect(doc.getRoot().listTextures().map((t) => t.getName())).not.toContain("albedoDiffuse");
    const reread = await (await io()).readBinary(await (await io()).writeBinary(doc));
    const nd = await rgb(ndTexture(reread).getImage()!);
    expect(meanAbs(nd, ndPixels)).toBeLessThan(meanAbs(nd, nsPixels) / 3);
  });

  for (const target of DELIVERY_TARGETS) {
    it(`${target}: validator 0 errors, 0 warnings (beside its not knowing KTX2); same bytes twice; A_S once; parts as nodes`, async () => {
      const report = await validateBytes(glb[target]!);
      const findings = validatorFindings(report, glb[target]!);
      expect(findings.issues.map((m) => `${m.code} ${m.pointer ?? ""}: ${m.message}`)).toEqual([]);
      // Two per KTX2 image (mime type, header) and nothing else; none where there is no KTX2.
      expect(findings.ktx2Unknown).toBe(target === "desktop" ? 2 * (input.maps.thinMask ? 5 : 4) : 0);
      expect(report.info.extensionsUsed).toContain(PORELIGHT_DIFFUSE_NORMAL);
      const again = (await exportHeadAssets({ ...input, target })).glb;
      expect(Buffer.from(again).equals(Buffer.from(glb[target]!))).toBe(true);

      const doc = await (await io()).readBinary(glb[target]!);
      const names = doc.getRoot().listTextures().map((t) => t.getName());
      // A_D, A_S (once), N_S, N_D (+ thin mask): no dead image, nothing twice.
      expect(names.length).toBe(input.maps.thinMask ? 5 : 4);
      expect(new Set(names).size).toBe(names.length);
      expect(ndTexture(doc).getName()).toBe("normalsDiffuse");
      const head = doc.getRoot().listScenes()[0].listChildren()[0];
      expect(head.listChildren().map((n) => n.getName())).toEqual(["skin", "eyeLeft", "eyeRight"]);
      const mime = { source: "image/png", web: "image/webp", desktop: "image/ktx2" }[target];
      for (const t of doc.getRoot().listTextures()) expect(t.getMimeType()).toBe(mime);
      const textureExtension = { source: [], web: ["EXT_texture_webp"], desktop: ["KHR_texture_basisu"] }[target];
      if (target !== "source") expect(report.info.extensionsRequired).toEqual(expect.arrayContaining([...textureExtension, "EXT_meshopt_compression", "KHR_mesh_quantization"]));
      const nd = await rgb(ndTexture(doc).getImage()!);
      expect(meanAbs(nd, ndPixels)).toBeLessThan(meanAbs(nd, nsPixels));
      if (target === "desktop") {
        // KTX2 stores its transfer function: sRGB for the colour slot (A_D) only, linear for data and normals.
        const baseColor = doc.getRoot().listMaterials().find((m) => m.getName() === "skin")!.getBaseColorTexture();
        for (const t of doc.getRoot().listTextures()) expect(readKtx2(t.getImage()!).dataFormatDescriptor[0].transferFunction).toBe(t === baseColor ? 2 : 1);
      }
    });
  }

  it("skin LODs: fewer triangles per level, every open border (eye and mouth contours, neck) kept; MSFT_lod in game targets", async () => {
    const parts = splitParts(input.mesh, input.parts);
    const skin = moveOrigin(parts, headPivot(parts.find((p) => p.part === "skin")!)).find((p) => p.part === "skin")!;
    const lods = await simplifySkinLods(skin);
    const border = borderPositions(skin);
    expect(border.size).toBeGreaterThan(0);
    let previous = skin.indices.length;
    for (const lod of lods) {
      expect(lod.indices.length).toBeLessThan(previous);
      previous = lod.indices.length;
      const kept = borderPositions(lod);
      for (const p of border) expect(kept.has(p)).toBe(true);
    }
    for (const target of ["web", "desktop"] as const) {
      const doc = await (await io()).readBinary(glb[target]!);
      const node = doc.getRoot().listNodes().find((n) => n.getName() === "skin")!;
      const levels = node.getExtension<Lod>(MSFT_LOD)!.listLods();
      expect(levels.map((n) => n.getMesh()!.listPrimitives()[0].getIndices()!.getCount())).toEqual(lods.map((l) => l.indices.length));
      expect(node.getExtras()).toEqual({ MSFT_screencoverage: [...SKIN_LOD_SCREEN_COVERAGE] });
    }
    const source = await (await io()).readBinary(glb.source!);
    expect(source.getRoot().listNodes().map((n) => n.getName())).not.toContain("skin_lod1");
  });

  it("puts the origin at the base of the skull on the neck axis (the pivot of the exported skin is 0)", async () => {
    const doc = await (await io()).readBinary(glb.source!);
    const skin = doc.getRoot().listMeshes().find((m) => m.getName() === "skin")!.listPrimitives()[0];
    const positions = skin.getAttribute("POSITION")!.getArray() as Float32Array;
    const pivot = headPivot({ part: "skin", positions, normals: positions, tangents: positions, uvs: positions, indices: new Uint32Array() });
    for (const v of pivot) expect(Math.abs(v)).toBeLessThan(1e-6);
    // The same head placed elsewhere exports to the same place: the origin is the head's, not the fit's.
    const moved = Float32Array.from(input.mesh.positions, (v, i) => v + [0.1, -0.2, 0.05][i % 3]);
    const again = await (await io()).readBinary((await exportHeadAssets({ ...input, mesh: { ...input.mesh, positions: moved }, target: "source" })).glb);
    const positions2 = again.getRoot().listMeshes().find((m) => m.getName() === "skin")!.listPrimitives()[0].getAttribute("POSITION")!.getArray() as Float32Array;
    expect(positions2.every((v, i) => Math.abs(v - positions[i]) < 1e-6)).toBe(true);
  });

  it("welds tangents across the scalp's UV cut (the back-of-head seam), not across mirrored charts", async () => {
    const { buildTemplateHead } = await import("../src/geometry/template-head.ts");
    const head = buildTemplateHead();
    const skin = splitParts(head.mesh, head.parts).find((p) => p.part === "skin")!;
    const angles = (g: typeof skin) => {
      const byPos = new Map<string, number[]>();
      for (let i = 0; i < g.positions.length / 3; i++) {
        const k = Array.from(g.positions.subarray(3 * i, 3 * i + 3)).join();
        (byPos.get(k) ?? byPos.set(k, []).get(k)!).push(i);
      }
      const out: number[] = [];
      for (const ids of byPos.values()) {
        const [a, b] = ids;
        if (ids.length !== 2 || Math.abs(g.uvs[2 * a] - g.uvs[2 * b]) < 0.5) continue; // the cut: u 0.01 | 0.99
        const dot = g.tangents[4 * a] * g.tangents[4 * b] + g.tangents[4 * a + 1] * g.tangents[4 * b + 1] + g.tangents[4 * a + 2] * g.tangents[4 * b + 2];
        out.push((Math.acos(Math.min(1, dot)) * 180) / Math.PI);
      }
      return out;
    };
    const before = angles(skin), after = angles(weldSeamTangents(skin));
    expect(before.length).toBeGreaterThan(20);
    expect(Math.max(...before)).toBeGreaterThan(5);
    expect(Math.max(...after)).toBeLessThan(0.01);
  });

  it("loads in Babylon with the N_D plugin on the GLB's own N_D texture and the skin's scattering", async () => {
    registerSkinGltfExtension();
    const engine = new NullEngine();
    engine.getCaps().standardDerivatives = true;
    const scene = new Scene(engine);
    new FreeCamera("camera", new Vector3(0, 0, -0.5), scene);
    await SceneLoader.ImportMeshAsync("", "", glb.source!, scene, undefined, ".glb");
    const skin = scene.getMaterialByName("skin") as PBRMaterial;
    const plugin = skin.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
    expect(plugin?.diffuseNormalTexture).toBeTruthy();
    expect(plugin!.diffuseNormalTexture).not.toBe(skin.bumpTexture);
    expect(plugin!.diffuseNormalTexture).not.toBe(skin.albedoTexture);
    expect(skin.subSurface.isScatteringEnabled).toBe(true);
    expect(skin.subSurface.isTranslucencyEnabled).toBe(!!input.maps.thinMask);
    expect(scene.meshes.filter((m) => m.getTotalVertices() > 0).map((m) => m.name).sort()).toEqual(["eyeLeft", "eyeRight", "skin"]);
    engine.dispose();
  });

  it("Babylon gets the skin's LOD levels switched by screen coverage", async () => {
    registerSkinGltfExtension();
    // The web GLB without meshopt (Babylon's meshopt decoder is a browser script; the scenes serve it).
    const doc = await (await io()).readBinary(glb.web!);
    doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === "EXT_meshopt_compression")!.dispose();
    const plain = await (await io()).writeBinary(doc);
    const engine = new NullEngine();
    const scene = new Scene(engine);
    new FreeCamera("camera", new Vector3(0, 0, -0.5), scene);
    await SceneLoader.ImportMeshAsync("", "", plain, scene, undefined, ".glb");
    const skin = scene.getMeshByName("skin") as import("@babylonjs/core").Mesh;
    expect(skin.useLODScreenCoverage).toBe(true);
    const levels = skin.getLODLevels();
    expect(levels.map((l) => l.distanceOrScreenCoverage).sort()).toEqual([...SKIN_LOD_SCREEN_COVERAGE.slice(0, 2)].sort());
    for (const l of levels) expect(l.mesh!.getTotalIndices()).toBeLessThan(skin.getTotalIndices());
    expect(levels.every((l) => l.mesh!.parent === skin.parent)).toBe(true);
    engine.dispose();
  });
});

describe("--target as a job option", () => {
  it("the daemon's form and the CLI flags take web|desktop|source, refuse others naming the field, and default to none (desktop)", async () => {
    const { parseJobForm } = await import("../src/daemon/job-form.ts");
    const { optionsFromFlags } = await import("../src/cli/commands/reconstruct.ts");
    expect(parseJobForm({ target: "web" }).target).toBe("web");
    expect(parseJobForm({}).target).toBeUndefined();
    expect(() => parseJobForm({ target: "mobile" })).toThrow(/target must be one of web, desktop, source/);
    expect(optionsFromFlags({ out: "x", target: "source" }).target).toBe("source");
    expect(() => optionsFromFlags({ out: "x", target: "ktx" })).toThrow(/--target/);
  });
});
