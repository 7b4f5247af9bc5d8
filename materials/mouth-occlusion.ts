/**
 * Ambient occlusion of the mouth parts (cavity, teeth, tongue) for the delivered head: engines draw
 * these parts with constant materials and cast no shadow into the mouth, so without it an open
 * mouth shows a lit red cavity and white back teeth. The value is the share of a uniform sky each
 * vertex sees (unwrap's ambient occlusion), turned into the light the cavity's walls pass on by
 * interreflection (multiBounceOcclusion) and stored per vertex as the parts' glTF COLOR_0 and
 * head.babylon vertex colours, which both engines multiply into the base colour.
 *
 * Pose: the jaw fully open (jawOpen = 1). With the lips at rest the slit between them hides the
 * whole mouth and every part would be black; at the widest opening the lips hide the least, so
 * what remains is the cavity's own depth (cheeks, palate, the teeth in front of the tongue), which
 * no opening removes. It therefore never darkens an open mouth more than its geometry does, and a
 * half-open mouth is at most too bright, as it was before.
 */
import { ambientOcclusion } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { computeNormals } from "../src/geometry/mesh-utils.ts";
import { MOUTH_PARTS, type Blendshape, type Mesh } from "../src/types.ts";
import type { HeadPartGeometry, HeadPartRange } from "./head-geometry.ts";
import type { MouthColours } from "./gltf-mapping.ts";

/** The blendshape that opens the mouth and its weight in the occlusion pose (see the file header). */
export const MOUTH_OCCLUSION_POSE = { blendshape: "jawOpen", weight: 1 } as const;

/**
 * Per mesh vertex: ambient occlusion 0..1 (1 = open sky) of the mouth parts' vertices in the
 * MOUTH_OCCLUSION_POSE, 1 on every other vertex. Null when the mesh has no mouth part or no
 * jawOpen blendshape: then no engine can open the mouth and the parts stay hidden behind the lips.
 */
export function mouthOcclusion(mesh: Mesh, parts: HeadPartRange[], blendshapes: Blendshape[] = []): Float32Array | null {
  if (!parts.some((p) => MOUTH_PARTS.includes(p.part))) return null;
  const open = blendshapes.find((b) => b.name === MOUTH_OCCLUSION_POSE.blendshape);
  if (!open) return null;
  if (open.delta.length !== mesh.positions.length) throw new Error(`mouthOcclusion: ${open.name} has ${open.delta.length / 3} displacements for ${mesh.positions.length / 3} vertices`);
  const posed = new Float32Array(mesh.positions.length);
  for (let i = 0; i < posed.length; i++) posed[i] = mesh.positions[i] + MOUTH_OCCLUSION_POSE.weight * open.delta[i];
  // The jaw turns the lower teeth and tongue: their normals of the posed mesh, not the rest's.
  return mouthPartsOcclusion(posed, computeNormals(posed, mesh.indices), mesh.indices, parts);
}

/**
 * Per mesh vertex: ambient occlusion 0..1 of the mouth parts' vertices of the head as it stands
 * (`positions` with their unit `normals`, any expression), 1 on every other vertex; null when
 * there is no mouth part. The engines' values are this at MOUTH_OCCLUSION_POSE; the evaluation's
 * re-render takes it at the expression it draws (eval/rerender.ts).
 */
export function mouthPartsOcclusion(positions: Float32Array, normals: Float32Array, indices: Uint32Array, parts: HeadPartRange[]): Float32Array | null {
  const mouthRanges = parts.filter((p) => MOUTH_PARTS.includes(p.part));
  if (!mouthRanges.length) return null;
  const vertices = new Set<number>();
  for (const r of mouthRanges) for (const v of indices.subarray(r.firstIndex, r.firstIndex + r.indexCount)) vertices.add(v);
  const ids = [...vertices];
  const points = new Float32Array(ids.length * 3), pointNormals = new Float32Array(ids.length * 3);
  ids.forEach((v, k) => {
    points.set(positions.subarray(3 * v, 3 * v + 3), 3 * k);
    pointNormals.set(normals.subarray(3 * v, 3 * v + 3), 3 * k);
  });
  const ao = ambientOcclusion(positions, indices, points, pointNormals, ids.length);
  const out = new Float32Array(positions.length / 3).fill(1);
  ids.forEach((v, k) => (out[v] = Math.min(1, Math.max(0, ao[k]))));
  return out;
}

/**
 * Multi-bounce occlusion per colour channel: what a point of visibility `v` receives once the
 * surrounding surfaces of albedo `albedo` reflect light onward, from the one-bounce AO. Cubic fit of
 * Jimenez, Wu, Pesce & Jarabo 2016, "Practical Real-Time Strategies for Accurate Indirect
 * Occlusion" (SIGGRAPH 2016 Physically Based Shading course, Activision, p. 78), never below v.
 * The mouth's surfaces are its own parts, so their base colours stand in for the albedo: the
 * light inside a red cavity is red, and pale teeth lose less than the dark mucosa.
 */
export function multiBounceOcclusion(v: number, albedo: readonly [number, number, number]): [number, number, number] {
  return albedo.map((rho) => {
    const a = 2.0404 * rho - 0.3324, b = -4.7951 * rho + 0.6417, c = 2.7552 * rho + 0.6903;
    return Math.min(1, Math.max(v, ((v * a + b) * v + c) * v));
  }) as [number, number, number];
}

/** The parts' vertex colours (linear RGB per part vertex) from their visibility and base colours. */
export function mouthVertexColours(parts: HeadPartGeometry[], colours: MouthColours): HeadPartGeometry[] {
  return parts.map((g) => {
    if (!g.occlusion) return g;
    const albedo = colours[g.part as keyof MouthColours];
    const rgb = new Float32Array(g.occlusion.length * 3);
    g.occlusion.forEach((v, i) => rgb.set(multiBounceOcclusion(v, albedo), 3 * i));
    return { ...g, vertexColour: rgb };
  });
}
