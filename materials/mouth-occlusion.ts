/**
 * Ambient occlusion of the mouth parts (cavity, teeth, tongue) for the delivered head: engines draw
 * these parts with constant materials and cast no shadow into the mouth, so without it an open
 * mouth shows a lit red cavity and white back teeth. The value is the share of a uniform sky each
 * vertex sees (unwrap's ambient occlusion), turned into the light the cavity's walls pass on by
 * interreflection (multiBounceOcclusion) and stored per vertex as the parts' glTF COLOR_0 and
 * head.babylon vertex colours, which both engines multiply into the base colour.
 *
 * It follows the opening (mouthOcclusionMorph): per vertex a line in the jawOpen weight fitted to
 * the occlusion ray-traced at several openings, stored as the base colour plus a colour delta on
 * the jawOpen morph target, which glTF and Babylon add up like positions. At rest the lips hide the
 * mouth, so the line is fitted only where it shows. mouthOcclusion gives the value at jawOpen 1.
 */
import { ambientOcclusion } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { computeNormals } from "../src/geometry/mesh-utils.ts";
import { MOUTH_PARTS, type Blendshape, type Mesh } from "../src/types.ts";
import type { HeadPartGeometry, HeadPartRange, MouthOcclusionMorph } from "./head-geometry.ts";
import type { MouthColours } from "./gltf-mapping.ts";

/** The blendshape that opens the mouth, and its widest opening (mouthOcclusion's pose). */
export const MOUTH_OCCLUSION_POSE = { blendshape: "jawOpen", weight: 1 } as const;

/**
 * Per mesh vertex: ambient occlusion 0..1 (1 = open sky) of the mouth parts' vertices in the
 * MOUTH_OCCLUSION_POSE, 1 on every other vertex. Null when the mesh has no mouth part or no
 * jawOpen blendshape: then no engine can open the mouth and the parts stay hidden behind the lips.
 */
export function mouthOcclusion(mesh: Mesh, parts: HeadPartRange[], blendshapes: Blendshape[] = []): Float32Array | null {
  if (!blendshapes.some((b) => b.name === MOUTH_OCCLUSION_POSE.blendshape)) return null;
  return posedMouthOcclusion(mesh, parts, blendshapes, { [MOUTH_OCCLUSION_POSE.blendshape]: MOUTH_OCCLUSION_POSE.weight });
}

/** Per mesh vertex: the mouth parts' ambient occlusion on the head posed with blendshape `weights` (others 0); null without mouth parts. */
export function posedMouthOcclusion(mesh: Mesh, parts: HeadPartRange[], blendshapes: Blendshape[], weights: Record<string, number>): Float32Array | null {
  const posed = Float32Array.from(mesh.positions);
  for (const b of blendshapes) {
    const w = weights[b.name] ?? 0;
    if (!w) continue;
    if (b.delta.length !== posed.length) throw new Error(`mouthOcclusion: ${b.name} has ${b.delta.length / 3} displacements for ${posed.length / 3} vertices`);
    for (let i = 0; i < posed.length; i++) posed[i] += w * b.delta[i];
  }
  // The jaw turns the lower teeth and tongue: their normals of the posed mesh, not the rest's.
  return mouthPartsOcclusion(posed, computeNormals(posed, mesh.indices), mesh.indices, parts);
}

/** Blendshape weights at which each opening shape's occlusion is sampled for its morph delta. */
export const MOUTH_OCCLUSION_SAMPLES = [0.25, 0.5, 0.75, 1] as const;

/**
 * The mouth's occlusion as a function of the opening, in the form glTF morph targets and
 * Babylon's MorphTarget colours evaluate: base + jawOpen × delta. Per vertex the least-squares line
 * through the occlusion ray-traced at jawOpen = MOUTH_OCCLUSION_SAMPLES (the openings at which the
 * mouth is seen; at rest the lips hide it, so the line's value there is free). Other blendshapes
 * carry no occlusion delta (docs/evaluation.md, mouthlight: what they would add). Null as
 * mouthOcclusion.
 */
export function mouthOcclusionMorph(mesh: Mesh, parts: HeadPartRange[], blendshapes: Blendshape[] = []): MouthOcclusionMorph | null {
  const name = MOUTH_OCCLUSION_POSE.blendshape;
  if (!blendshapes.some((b) => b.name === name)) return null;
  const samples: Float32Array[] = [];
  for (const w of MOUTH_OCCLUSION_SAMPLES) {
    const ao = posedMouthOcclusion(mesh, parts, blendshapes, { [name]: w });
    if (!ao) return null;
    samples.push(ao);
  }
  const n = MOUTH_OCCLUSION_SAMPLES.length;
  const mw = MOUTH_OCCLUSION_SAMPLES.reduce((s, w) => s + w, 0) / n;
  const sww = MOUTH_OCCLUSION_SAMPLES.reduce((s, w) => s + (w - mw) ** 2, 0);
  const base = new Float32Array(samples[0].length), delta = new Float32Array(samples[0].length);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  for (let v = 0; v < base.length; v++) {
    const my = samples.reduce((s, a) => s + a[v], 0) / n;
    const slope = MOUTH_OCCLUSION_SAMPLES.reduce((s, w, k) => s + (w - mw) * (samples[k][v] - my), 0) / sww;
    // The line's ends kept in 0..1 (a colour): exact where it stays inside, pulled in where not.
    base[v] = clamp(my - slope * mw);
    delta[v] = clamp(my + slope * (1 - mw)) - base[v];
  }
  return { base, targets: [{ name, delta }] };
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
 * The walls are what surrounds the point (mouthWallAlbedo), not the point itself.
 */
export function multiBounceOcclusion(v: number, albedo: readonly [number, number, number]): [number, number, number] {
  return albedo.map((rho) => {
    const a = 2.0404 * rho - 0.3324, b = -4.7951 * rho + 0.6417, c = 2.7552 * rho + 0.6903;
    return Math.min(1, Math.max(v, ((v * a + b) * v + c) * v));
  }) as [number, number, number];
}

/**
 * The albedo of the walls that pass light on inside the mouth, for every part: the cavity's mucosa
 * (cheeks, palate, floor, lips' inner surfaces), which is most of what a tooth or the tongue sees
 * besides the opening. The light inside a red cavity is red: teeth in its shadow turn a darker,
 * warmer enamel. With the teeth's own pale yellow as their walls, they kept 1.5–2× the cavity's
 * bounce in green and blue, and dark yellow enamel reads olive-grey on screen.
 */
export const mouthWallAlbedo = (colours: MouthColours): [number, number, number] => colours.mouth;

/**
 * The parts' vertex colours (linear RGB per part vertex) from their visibility and the walls' albedo,
 * and on each morph target that carries an occlusion delta the colour's delta: the multi-bounce
 * colour at the target's full weight minus the base's (exact at weights 0 and 1).
 */
export function mouthVertexColours(parts: HeadPartGeometry[], colours: MouthColours): HeadPartGeometry[] {
  return parts.map((g) => {
    if (!g.occlusion) return g;
    const albedo = mouthWallAlbedo(colours);
    const base = g.occlusion;
    const rgb = new Float32Array(base.length * 3);
    base.forEach((v, i) => rgb.set(multiBounceOcclusion(v, albedo), 3 * i));
    const targets = g.targets?.map((t) => {
      if (!t.occlusion) return t;
      const colour = new Float32Array(rgb.length);
      t.occlusion.forEach((d, i) => {
        const full = multiBounceOcclusion(base[i] + d, albedo);
        for (let c = 0; c < 3; c++) colour[3 * i + c] = full[c] - rgb[3 * i + c];
      });
      return { ...t, colour };
    });
    return { ...g, vertexColour: rgb, ...(targets ? { targets } : {}) };
  });
}
