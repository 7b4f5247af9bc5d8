/**
 * The head mesh as the export files store it: one compact vertex set per part (skin, each eye),
 * split once and shared by head.glb and head.babylon so both files hold the same vertices.
 */
import { MOUTH_PARTS, type Blendshape, type HeadPart, type Mesh } from "../src/types.ts";

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
  /** Blendshapes that move this part (ARKit names), displacements per part vertex, metres; absent or empty: none. */
  targets?: MorphTargetGeometry[];
  /** Mouth parts: ambient occlusion 0..1 per part vertex at weight 0 of the morph targets' occlusion line (mouth-occlusion.ts); absent: none. */
  occlusion?: Float32Array;
  /** Linear RGB per part vertex multiplied into the base colour (glTF COLOR_0): the mouth parts' occlusion; absent: none. */
  vertexColour?: Float32Array;
}

/** One blendshape on a part: displacements, and on the mouth parts what it adds to their occlusion and vertex colour at weight 1. */
export interface MorphTargetGeometry {
  name: string;
  /** Displacement per part vertex, metres. */
  delta: Float32Array;
  /** Occlusion delta per part vertex (mouth-occlusion.ts mouthOcclusionMorph); absent: 0. */
  occlusion?: Float32Array;
  /** Linear RGB delta per part vertex of the vertex colour (glTF target COLOR_0); absent: 0. */
  colour?: Float32Array;
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

/** The mouth's occlusion as engines add it up from morph targets: base + weight × delta per blendshape (all per mesh vertex). */
export interface MouthOcclusionMorph {
  base: Float32Array;
  targets: { name: string; delta: Float32Array }[];
}

/**
 * Compact per-part vertex arrays (vertices in first-use order), deterministic. Each part keeps
 * the blendshapes that move one of its vertices, in the order given.
 */
export function splitParts(mesh: Mesh, parts: HeadPartRange[], blendshapes: Blendshape[] = [], mouthOcclusion: MouthOcclusionMorph | null = null): HeadPartGeometry[] {
  return parts.map(({ part, firstIndex, indexCount }) => {
    const ids = mesh.indices.subarray(firstIndex, firstIndex + indexCount);
    const g = compactPart(part, mesh, ids);
    if (blendshapes.length) g.targets = partTargets(ids, g.positions.length / 3, blendshapes);
    if (mouthOcclusion && MOUTH_PARTS.includes(part)) {
      const order = firstUseOrder(ids);
      g.occlusion = Float32Array.from(order, (v) => mouthOcclusion.base[v]);
      for (const t of mouthOcclusion.targets) {
        const target = g.targets?.find((x) => x.name === t.name);
        if (!target) throw new Error(`splitParts: the mouth's occlusion changes with ${t.name}, which does not move the ${part}`);
        target.occlusion = Float32Array.from(order, (v) => t.delta[v]);
      }
    }
    return g;
  });
}

/** The distinct vertices of `indices` in first-use order (compactPart's numbering). */
function firstUseOrder(indices: Uint32Array): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  for (const v of indices) if (!seen.has(v)) { seen.add(v); order.push(v); }
  return order;
}

/** The blendshapes' displacements on a part's compact vertices (first-use order, as compactPart), dropping shapes that leave it still. */
function partTargets(indices: Uint32Array, count: number, blendshapes: Blendshape[]): MorphTargetGeometry[] {
  const order = firstUseOrder(indices);
  const out: MorphTargetGeometry[] = [];
  for (const b of blendshapes) {
    const delta = new Float32Array(count * 3);
    let moves = false;
    order.forEach((v, d) => {
      for (let k = 0; k < 3; k++) {
        const x = b.delta[3 * v + k];
        delta[3 * d + k] = x;
        if (Math.abs(x) > 1e-6) moves = true;
      }
    });
    if (moves) out.push({ name: b.name, delta });
  }
  return out;
}

/**
 * The vertices `indices` use, copied out of `src` in first-use order, and `indices` renumbered to
 * them. Deterministic.
 */
export function compactPart(part: HeadPart, src: Omit<Mesh, "indices">, indices: Uint32Array): HeadPartGeometry {
  const remap = new Map<number, number>();
  const out = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    let r = remap.get(indices[i]);
    if (r === undefined) { r = remap.size; remap.set(indices[i], r); }
    out[i] = r;
  }
  const n = remap.size;
  const g: HeadPartGeometry = { part, positions: new Float32Array(n * 3), normals: new Float32Array(n * 3), tangents: new Float32Array(n * 4), uvs: new Float32Array(n * 2), indices: out };
  for (const [s, d] of remap) {
    g.positions.set(src.positions.subarray(s * 3, s * 3 + 3), d * 3);
    g.normals.set(src.normals.subarray(s * 3, s * 3 + 3), d * 3);
    g.tangents.set(src.tangents.subarray(s * 4, s * 4 + 4), d * 4);
    g.uvs.set(src.uvs.subarray(s * 2, s * 2 + 2), d * 2);
  }
  return g;
}
