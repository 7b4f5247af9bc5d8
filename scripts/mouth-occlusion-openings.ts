/**
 * How well each stored form of the mouth's occlusion follows the opening (issue 16): on the
 * template head, the uniform-sky ambient occlusion of the mouth vertices ray-traced (unwrap's depth
 * maps) at rest, at jawOpen 0.25, 0.5, 0.75, 1, at the expressions scene's "ah" and smile and with the
 * lip-parting shapes, against what
 * an engine shows from each form:
 *   - fixed: the value at jawOpen 1 whatever the opening (head.glb's COLOR_0 before);
 *   - fixed at 0.5: the value at a typical speaking opening;
 *   - morph: COLOR_0 plus jawOpen × its delta on the jawOpen morph target (mouth-occlusion.ts
 *     mouthOcclusionMorph), what glTF's targets and Babylon's MorphTarget colours add up.
 * Per part and pose: mean |engine − reference| and mean engine / reference over the vertices a
 * camera in front of the face sees in that pose (one-bounce values; the multi-bounce map after it
 * is monotone).
 *
 *   node --import tsx scripts/mouth-occlusion-openings.ts
 */
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { computeNormals } from "../src/geometry/mesh-utils.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { ambientOcclusion } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { mouthOcclusionMorph, posedMouthOcclusion } from "../materials/mouth-occlusion.ts";
import { MOUTH_PARTS } from "../src/types.ts";
import { MOUTH_POSES } from "./mouth-poses.ts";

const head = buildTemplateHead();
const blendshapes = evaluateBlendshapes(head.mesh.positions, head);
const mesh = head.mesh, parts = head.parts;
const POSES: [string, Record<string, number>][] = [
  ...MOUTH_POSES,
  ["lips apart (upperUp, lowerDown 1)", { mouthUpperUpLeft: 1, mouthUpperUpRight: 1, mouthLowerDownLeft: 1, mouthLowerDownRight: 1 }],
  ["funnel 1", { mouthFunnel: 1 }],
  ["jaw 0.5, lips apart", { jawOpen: 0.5, mouthUpperUpLeft: 1, mouthUpperUpRight: 1, mouthLowerDownLeft: 1, mouthLowerDownRight: 1 }],
];

const fixed = posedMouthOcclusion(mesh, parts, blendshapes, { jawOpen: 1 })!;
const fixedHalf = posedMouthOcclusion(mesh, parts, blendshapes, { jawOpen: 0.5 })!;
const morph = mouthOcclusionMorph(mesh, parts, blendshapes)!;
const fromMorph = (weights: Record<string, number>) => {
  const out = Float32Array.from(morph.base);
  for (const t of morph.targets) {
    const w = weights[t.name] ?? 0;
    if (w) for (let v = 0; v < out.length; v++) out[v] += w * t.delta[v];
  }
  return out;
};

const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : NaN);
process.stdout.write(`morph targets carrying occlusion: ${morph.targets.map((t) => t.name).join(", ")}\n`);
process.stdout.write("| part | pose | seen | reference | fixed (jaw 1) | fixed (jaw 0.5) | morph |\n|---|---|---|---|---|---|---|\n");
for (const [label, weights] of POSES) {
  const reference = posedMouthOcclusion(mesh, parts, blendshapes, weights)!;
  const posed = Float32Array.from(mesh.positions);
  for (const b of blendshapes) {
    const w = weights[b.name] ?? 0;
    if (w) for (let i = 0; i < posed.length; i++) posed[i] += w * b.delta[i];
  }
  const normals = computeNormals(posed, mesh.indices);
  const engine = fromMorph(weights);
  for (const part of MOUTH_PARTS) {
    const range = parts.find((p) => p.part === part)!;
    const ids = [...new Set(mesh.indices.subarray(range.firstIndex, range.firstIndex + range.indexCount))];
    const points = new Float32Array(ids.length * 3), pointNormals = new Float32Array(ids.length * 3);
    ids.forEach((v, k) => {
      points.set(posed.subarray(3 * v, 3 * v + 3), 3 * k);
      pointNormals.set(normals.subarray(3 * v, 3 * v + 3), 3 * k);
    });
    // Seen: most of a 10° disc around the camera's direction (+z) is open, and the vertex faces it.
    const disc = Math.cos((10 * Math.PI) / 180);
    const front = ambientOcclusion(posed, mesh.indices, points, pointNormals, ids.length, { directions: 4096, sky: (_x, _y, z) => (z > disc ? 1 : 0) });
    const seen = ids.filter((v, k) => front[k] > 0.5 && pointNormals[3 * k + 2] > 0 && reference[v] > 0.01);
    const cell = (form: Float32Array) => `${mean(seen.map((v) => Math.abs(form[v] - reference[v]))).toFixed(3)} (×${mean(seen.map((v) => form[v] / reference[v])).toFixed(2)})`;
    process.stdout.write(`| ${part} | ${label} | ${seen.length} | ${mean(seen.map((v) => reference[v])).toFixed(3)} | ${cell(fixed)} | ${cell(fixedHalf)} | ${cell(engine)} |\n`);
  }
}
