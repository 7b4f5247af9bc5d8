/**
 * Geometry-only GLB of a head (the template, or a fitted head before texturing): one mesh with a
 * primitive per part (skin, eyes, mouth, teeth, tongue), positions, normals, tangents and UVs,
 * plain PBR materials, and optionally the blendshapes as morph targets (extras.targetNames).
 * The textured export with the skin material lives in materials/export-head.ts.
 */
import { Document, NodeIO } from "@gltf-transform/core";
import type { Blendshape, HeadPart, Mesh } from "../types.ts";
import { mouthColours } from "../../materials/gltf-mapping.ts";

/** The mouth parts take the textured export's colours (materials/gltf-mapping.ts), so the template's teeth look like a job's default ones. */
const MOUTH = mouthColours();
const PART_COLOURS: Record<HeadPart, [number, number, number, number]> = {
  skin: [0.55, 0.34, 0.26, 1],
  eyeLeft: [0.8, 0.8, 0.78, 1],
  eyeRight: [0.8, 0.8, 0.78, 1],
  mouth: [...MOUTH.mouth, 1],
  teeth: [...MOUTH.teeth, 1],
  tongue: [...MOUTH.tongue, 1],
};

/**
 * Encodes the mesh as GLB bytes (deterministic: same mesh, same bytes).
 *
 *   const bytes = await meshToGlb(head.mesh, head.parts);
 */
export async function meshToGlb(mesh: Mesh, parts: { part: HeadPart; firstIndex: number; indexCount: number }[], blendshapes: Blendshape[] = []): Promise<Uint8Array> {
  const doc = new Document();
  doc.createBuffer("buffer");
  const gltfMesh = doc.createMesh("head");
  const nv = mesh.positions.length / 3;
  for (const part of parts) {
    // Each primitive carries only the vertices its triangles use.
    const tri = mesh.indices.subarray(part.firstIndex, part.firstIndex + part.indexCount);
    const remap = new Int32Array(nv).fill(-1);
    const used: number[] = [];
    for (const v of tri) if (remap[v] < 0) remap[v] = used.push(v) - 1;
    const pick = (src: Float32Array, k: number): Float32Array<ArrayBuffer> => {
      const out = new Float32Array(used.length * k);
      used.forEach((v, i) => out.set(src.subarray(v * k, v * k + k), i * k));
      return out;
    };
    const acc = (name: string, type: "VEC2" | "VEC3" | "VEC4", array: Float32Array<ArrayBuffer>) => doc.createAccessor(`${part.part}-${name}`).setType(type).setArray(array);
    const material = doc.createMaterial(part.part).setBaseColorFactor(PART_COLOURS[part.part]).setRoughnessFactor(part.part === "skin" ? 0.55 : 0.1).setMetallicFactor(0);
    const prim = doc
      .createPrimitive()
      .setAttribute("POSITION", acc("position", "VEC3", pick(mesh.positions, 3)))
      .setAttribute("NORMAL", acc("normal", "VEC3", pick(mesh.normals, 3)))
      .setAttribute("TANGENT", acc("tangent", "VEC4", pick(mesh.tangents, 4)))
      .setAttribute("TEXCOORD_0", acc("uv", "VEC2", pick(mesh.uvs, 2)))
      .setIndices(doc.createAccessor(`${part.part}-indices`).setType("SCALAR").setArray(Uint32Array.from(tri, (v) => remap[v])))
      .setMaterial(material);
    // Every primitive of a mesh has the same targets (glTF): sparse where the shape moves the part, zeros elsewhere.
    for (const b of blendshapes) {
      const delta = pick(b.delta, 3);
      prim.addTarget(doc.createPrimitiveTarget(b.name).setAttribute("POSITION", acc(`target-${b.name}`, "VEC3", delta).setSparse(sparseWorthIt(delta))));
    }
    gltfMesh.addPrimitive(prim);
  }
  if (blendshapes.length) gltfMesh.setWeights(blendshapes.map(() => 0)).setExtras({ targetNames: blendshapes.map((b) => b.name) });
  const node = doc.createNode("head").setMesh(gltfMesh);
  doc.getRoot().setDefaultScene(doc.createScene("head").addChild(node));
  return new NodeIO().writeBinary(doc);
}

/** Whether a morph target's displacements are better stored sparse: some, but under half, of its vertices move. */
export function sparseWorthIt(delta: Float32Array): boolean {
  let moving = 0;
  for (let v = 0; v < delta.length / 3; v++) if (delta[3 * v] !== 0 || delta[3 * v + 1] !== 0 || delta[3 * v + 2] !== 0) moving++;
  return moving > 0 && moving < delta.length / 6;
}
