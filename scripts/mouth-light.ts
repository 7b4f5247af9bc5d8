/**
 * How much direct light reaches the open mouth (issue 16, the form of the mouth's occlusion in
 * glTF): on the template head with the jaw open (jawOpen = 1 by default, the pose of the exported
 * occlusion), over the mouth vertices a camera in front of the face sees, per part: the
 * uniform-sky ambient occlusion the engines multiply into the base colour (COLOR_0's one-bounce
 * value), against the share of a directional light's irradiance that reaches the same vertices
 * (visibility × cosine over a 10° disc of light directions, relative to the vertex unoccluded) for
 * the lighting presets' key lights (materials/presets.ts) and for key lights spread over the front
 * of the face (0–60° up, ±60° about the face's forward axis). A light at the camera reaches all
 * that the camera sees.
 * glTF's occlusionTexture would leave that direct light unoccluded (share 1).
 *
 *   node --import tsx scripts/mouth-light.ts [--jaw-open 1]
 */
import { parseArgs } from "node:util";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { computeNormals } from "../src/geometry/mesh-utils.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { ambientOcclusion } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { LIGHTING_PRESETS } from "../materials/presets.ts";
import { MOUTH_PARTS } from "../src/types.ts";

const DEG = Math.PI / 180;
/** Half-angle of the disc of directions that stands for one light, radians (the lattice needs a few directions in it). */
const LIGHT_DISC = 10 * DEG;
/** Sphere directions of the occlusion lattice: ≈ 30 in a 10° disc. */
const DIRECTIONS = 4096;

type Sky = (x: number, y: number, z: number) => number;
/** A light from unit direction `d` (toward the light, head axes: +y up, +z the face's front). */
const lightFrom = (d: [number, number, number]): Sky => {
  const l = Math.hypot(...d);
  return (x, y, z) => ((x * d[0] + y * d[1] + z * d[2]) / l > Math.cos(LIGHT_DISC) ? 1 : 0);
};
/** Key lights spread over the front of the face: 0–60° above the horizon, within 60° of the forward axis. */
const frontKeys: Sky = (x, y, z) => (y >= 0 && y <= Math.sin(60 * DEG) && Math.abs(Math.atan2(x, z)) <= 60 * DEG ? 1 : 0);
/** Babylon's presets give the direction the key shines toward in a left-handed world (the head faces +Z there too): toward the light is its negation with x mirrored. */
const presetKey = (id: keyof typeof LIGHTING_PRESETS): [number, number, number] => {
  const [x, y, z] = LIGHTING_PRESETS[id].key.direction;
  return [x, -y, -z];
};

const { values } = parseArgs({ options: { "jaw-open": { type: "string", default: "1" } } });
const weight = Number(values["jaw-open"]);
if (!(weight >= 0 && weight <= 1)) throw new Error("mouth-light: --jaw-open must be in 0..1");

const head = buildTemplateHead();
const jaw = evaluateBlendshapes(head.mesh.positions, head).find((b) => b.name === "jawOpen")!;
const positions = head.mesh.positions.map((x, i) => x + weight * jaw.delta[i]);
const normals = computeNormals(positions, head.mesh.indices);

const lights: [string, Sky][] = [
  ["studio key", lightFrom(presetKey("studio"))],
  ["outdoor key", lightFrom(presetKey("outdoor"))],
  ["keys over the front", frontKeys],
];
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
process.stdout.write(`jawOpen ${weight}; mean (median) over the vertices a front camera sees\n| part | seen | uniform-sky AO | ${lights.map(([l]) => l).join(" | ")} |\n|---|---|---|${lights.map(() => "---|").join("")}\n`);
for (const part of MOUTH_PARTS) {
  const range = head.parts.find((p) => p.part === part)!;
  const ids = [...new Set(head.mesh.indices.subarray(range.firstIndex, range.firstIndex + range.indexCount))];
  const points = new Float32Array(ids.length * 3), pointNormals = new Float32Array(ids.length * 3);
  ids.forEach((v, k) => {
    points.set(positions.subarray(3 * v, 3 * v + 3), 3 * k);
    pointNormals.set(normals.subarray(3 * v, 3 * v + 3), 3 * k);
  });
  const occlusion = (sky?: Sky) => ambientOcclusion(positions, head.mesh.indices, points, pointNormals, ids.length, sky ? { directions: DIRECTIONS, sky } : {});
  // Seen: most of a small disc around the camera's direction is open, and the vertex faces it.
  const front = occlusion(lightFrom([0, 0, 1]));
  const seen = ids.map((_, k) => k).filter((k) => front[k] > 0.5 && pointNormals[3 * k + 2] > 0);
  const cell = (a: Float32Array) => `${mean(seen.map((k) => a[k])).toFixed(3)} (${median(seen.map((k) => a[k])).toFixed(3)})`;
  const columns = [occlusion(), ...lights.map(([, sky]) => occlusion(sky))];
  process.stdout.write(`| ${part} | ${seen.length} of ${ids.length} | ${columns.map(cell).join(" | ")} |\n`);
}
