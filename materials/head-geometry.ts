/**
 * The head mesh as the export files store it: one compact vertex set per part (skin, each eye),
 * split once and shared by head.glb and head.babylon so both files hold the same vertices.
 */
import type { HeadPart, Mesh } from "../src/types.ts";

/** A part's triangle range in the mesh's index buffer (TemplateHead.parts). */
export interface HeadPartRange {
  part: HeadPart;
  firstIndex: number;
  indexCount: number;
}

/** One part's own vertex arrays; indices refer to them, not to the whole mesh. */
export interface HeadPartGeometry {
  part: HeadPart;
  positions: Float32Array;
  normals: Float32Array;
  tangents: Float32Array;
  uvs: Float32Array;
  indices: Uint32Array;
}

/** Throws, naming what disagrees, when the mesh's attributes or the part ranges do not fit together. */
export function checkHeadMesh(mesh: Mesh, parts: HeadPartRange[]): void {
  const n = mesh.positions.length / 3;
  if (!Number.isInteger(n) || n === 0) throw new Error("exportHeadAssets: mesh.positions must hold xyz triples");
  if (mesh.normals.length !== n * 3 || mesh.uvs.length !== n * 2 || mesh.tangents.length !== n * 4) {
    throw new Error(`exportHeadAssets: mesh attribute lengths disagree with ${n} vertices (normals ×3, uvs ×2, tangents ×4)`);
  }
  if (!parts.some((p) => p.part === "skin")) throw new Error("exportHeadAssets: parts has no 'skin' range");
  for (const p of parts) {
    if (p.firstIndex < 0 || p.indexCount % 3 !== 0 || p.firstIndex + p.indexCount > mesh.indices.length) {
      throw new Error(`exportHeadAssets: part ${p.part} index range [${p.firstIndex}, +${p.indexCount}) is outside the index buffer`);
    }
  }
}

/** Compact per-part vertex arrays (vertices in first-use order), deterministic. */
export function splitParts(mesh: Mesh, parts: HeadPartRange[]): HeadPartGeometry[] {
  return parts.map(({ part, firstIndex, indexCount }) => {
    const remap = new Map<number, number>();
    const indices = new Uint32Array(indexCount);
    for (let i = 0; i < indexCount; i++) {
      const v = mesh.indices[firstIndex + i];
      let r = remap.get(v);
      if (r === undefined) { r = remap.size; remap.set(v, r); }
      indices[i] = r;
    }
    const n = remap.size;
    const out: HeadPartGeometry = { part, positions: new Float32Array(n * 3), normals: new Float32Array(n * 3), tangents: new Float32Array(n * 4), uvs: new Float32Array(n * 2), indices };
    for (const [src, dst] of remap) {
      out.positions.set(mesh.positions.subarray(src * 3, src * 3 + 3), dst * 3);
      out.normals.set(mesh.normals.subarray(src * 3, src * 3 + 3), dst * 3);
      out.tangents.set(mesh.tangents.subarray(src * 4, src * 4 + 4), dst * 4);
      out.uvs.set(mesh.uvs.subarray(src * 2, src * 2 + 2), dst * 2);
    }
    return out;
  });
}
