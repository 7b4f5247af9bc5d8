/**
 * Shape consistency of fitted heads: how far apart two reconstructions' surfaces are once pose and
 * size are taken out. Every fitted head is the template deformed (same vertices, same order), so
 * vertex i of one head corresponds to vertex i of another. A similarity (rotation, translation,
 * scale; Horn's method, src/geometry/procrustes.ts) aligns one head onto the other over a vertex
 * set, and the RMS of the remaining distances is weighted by each vertex's share of the surface
 * (a third of its triangles' area), so the densely subdivided face does not outweigh the scalp.
 * Because the scale is fitted, the RMS is in the frame of the head aligned onto: each pair is
 * aligned both ways and the two RMS averaged, so the measure is symmetric.
 *
 * Units: the fitted mesh is in the template's metric frame (metres, src/types.ts Mesh); the
 * figures are reported in millimetres of that frame.
 *
 * Vertex sets: "skin" is every vertex of the skin part (face, scalp, neck, ears; not the
 * eyeballs); "face" is the skin vertices whose UV lies in the atlas' face island
 * (src/geometry/uv-atlas.ts: the face mesh, the mouth seam and the eye sockets).
 */
import { fitSimilarity, applySimilarity } from "../src/geometry/procrustes.ts";
import { ATLAS } from "../src/geometry/uv-atlas.ts";
import type { Mesh, TemplateHead } from "../src/types.ts";

/** The vertex sets compared and the per-vertex surface weights, from one head. */
export interface ShapeVertexSets {
  skin: Uint32Array;
  face: Uint32Array;
}

/** The vertices of the skin part, and those of them in the face island, ascending. */
export function shapeVertexSets(mesh: Pick<Mesh, "indices" | "uvs" | "positions">, parts: TemplateHead["parts"]): ShapeVertexSets {
  const skinPart = parts.find((p) => p.part === "skin");
  if (!skinPart) throw new Error("shapeVertexSets: the head has no skin part");
  const used = new Uint8Array(mesh.positions.length / 3);
  for (let i = skinPart.firstIndex; i < skinPart.firstIndex + skinPart.indexCount; i++) used[mesh.indices[i]] = 1;
  const skin: number[] = [], face: number[] = [];
  const F = ATLAS.face;
  for (let v = 0; v < used.length; v++) {
    if (!used[v]) continue;
    skin.push(v);
    const u = mesh.uvs[2 * v], w = mesh.uvs[2 * v + 1];
    if (u >= F.u0 && u <= F.u1 && w >= F.v0 && w <= F.v1) face.push(v);
  }
  return { skin: Uint32Array.from(skin), face: Uint32Array.from(face) };
}

/** Each vertex's share of the surface: a third of the area of every triangle it belongs to, m². */
export function vertexAreas(positions: ArrayLike<number>, indices: ArrayLike<number>): Float64Array {
  const area = new Float64Array(positions.length / 3);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    const ux = positions[3 * b] - positions[3 * a], uy = positions[3 * b + 1] - positions[3 * a + 1], uz = positions[3 * b + 2] - positions[3 * a + 2];
    const vx = positions[3 * c] - positions[3 * a], vy = positions[3 * c + 1] - positions[3 * a + 1], vz = positions[3 * c + 2] - positions[3 * a + 2];
    const third = Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 6;
    area[a] += third;
    area[b] += third;
    area[c] += third;
  }
  return area;
}

function gather(positions: ArrayLike<number>, vertices: Uint32Array): Float64Array {
  const out = new Float64Array(vertices.length * 3);
  for (let i = 0; i < vertices.length; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = positions[3 * vertices[i] + c];
  return out;
}

/** Weighted RMS distance, metres, after the best similarity taking `source` onto `target`. */
function rmsOnto(source: Float64Array, target: Float64Array, weights: Float64Array): number {
  const moved = applySimilarity(fitSimilarity(source, target, weights), source);
  let sum = 0, wsum = 0;
  for (let i = 0; i < weights.length; i++) {
    const d2 = (moved[3 * i] - target[3 * i]) ** 2 + (moved[3 * i + 1] - target[3 * i + 1]) ** 2 + (moved[3 * i + 2] - target[3 * i + 2]) ** 2;
    sum += weights[i] * d2;
    wsum += weights[i];
  }
  return Math.sqrt(sum / wsum);
}

/**
 * Similarity-aligned RMS distance between two heads over `vertices`, metres: the mean of aligning
 * a onto b and b onto a, each weighted by the mean of the two heads' vertex areas.
 *
 *   const mm = 1000 * alignedRms(headA.positions, headB.positions, sets.face, areasA, areasB);
 */
export function alignedRms(a: ArrayLike<number>, b: ArrayLike<number>, vertices: Uint32Array, areasA: Float64Array, areasB: Float64Array): number {
  if (a.length !== b.length) throw new Error(`alignedRms: the heads have ${a.length / 3} and ${b.length / 3} vertices; the same template is needed`);
  const pa = gather(a, vertices), pb = gather(b, vertices);
  const w = Float64Array.from(vertices, (v) => (areasA[v] + areasB[v]) / 2);
  return (rmsOnto(pa, pb, w) + rmsOnto(pb, pa, w)) / 2;
}

/** One head for shape comparison. */
export interface ShapeItem {
  person: string;
  positions: Float32Array;
  areas: Float64Array;
}

export interface ShapeStats {
  /** Mean RMS over pairs of heads of the same person, mm; null: no such pair. */
  withinMm: number | null;
  /** Mean RMS over pairs of heads of different people, mm. */
  betweenMm: number | null;
  /** withinMm / betweenMm. */
  ratio: number | null;
  /** Per person: mean within RMS, mm. */
  perPerson: Record<string, number | null>;
}

const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);

/** Within- and between-person mean aligned RMS over `vertices`, millimetres. */
export function shapeStats(items: ShapeItem[], vertices: Uint32Array): ShapeStats {
  const within: number[] = [], between: number[] = [];
  const per: Record<string, number[]> = {};
  for (const it of items) per[it.person] ??= [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const mm = 1000 * alignedRms(items[i].positions, items[j].positions, vertices, items[i].areas, items[j].areas);
      if (items[i].person === items[j].person) {
        within.push(mm);
        per[items[i].person].push(mm);
      } else between.push(mm);
    }
  }
  const w = mean(within), b = mean(between);
  return { withinMm: w, betweenMm: b, ratio: w !== null && b ? w / b : null, perPerson: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, mean(v)])) };
}

/** Aligned RMS between every pair of heads, mm (symmetric matrix, 0 on the diagonal). */
export function rmsMatrixMm(heads: { positions: Float32Array; areas: Float64Array }[], vertices: Uint32Array): number[][] {
  return heads.map((a, i) => heads.map((b, j) => (i === j ? 0 : 1000 * alignedRms(a.positions, b.positions, vertices, a.areas, b.areas))));
}
