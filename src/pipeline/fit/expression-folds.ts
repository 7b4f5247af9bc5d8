/**
 * Where the photo's smile folds the skin (issue 16): a per-vertex field, then a UV map, of how much
 * the fitted smile compresses the skin's surface. Skin under compression buckles into folds and
 * bunches (the nasolabial fold, the corners' dimples, the cheek's bulge under the eye): the shading
 * of those folds is in the photo, but the template's expressed mesh has no fold, so delight leaves
 * it in A_D. This field says where the neutral head must lose that shading and the smiling head
 * must get it back (delight/expression-shading.ts, the wrinkle map).
 *
 * Compression, not displacement: a smile carries the corner and the cheek several mm without folding
 * them; the fold forms where the moving tissue meets tissue that moves less (the surface's area
 * shrinks there), which is the strain of the displacement field, not its size.
 */
import type { Blendshape, ImageF32, TemplateHead } from "../../types.ts";
import { rasterizeUv } from "../../raster/rasterize.ts";
import { triangleArea } from "../../primitives/vec3.ts";
import { interpolateVertexAttribute } from "../unwrap/uv-geometry.ts";
import { WRINKLE_DRIVERS } from "../../../materials/map-files.ts";

/**
 * The shapes of a smile (FACS AU12 lip corner puller, AU14 dimpler, AU6 cheek raiser: the
 * Duchenne smile) whose weights fold the lower face, the same that bring the wrinkle map back; the
 * other shapes' folds (brow, nose wrinkle) stay in until their wrinkle maps exist.
 */
export const SMILE_FOLD_SHAPES: readonly string[] = WRINKLE_DRIVERS.wrinkleSmile;

/**
 * Per vertex, the surface's compression under the smile part of the expression: 1 − (expressed area
 * / rest area) over the vertex's triangles (area-weighted), 0 where the area grows or stays.
 * `positions` is the neutral head (metres); `weights` in `shapes` order.
 */
export function smileCompression(positions: Float32Array, indices: Uint32Array, triangles: { first: number; count: number }, shapes: Blendshape[], weights: ArrayLike<number>): Float32Array {
  const nv = positions.length / 3;
  const expressed = Float32Array.from(positions);
  const wanted = new Set(SMILE_FOLD_SHAPES);
  shapes.forEach((shape, k) => {
    const w = weights[k];
    if (!wanted.has(shape.name) || !(w > 0)) return;
    for (let i = 0; i < expressed.length; i++) expressed[i] += w * shape.delta[i];
  });
  const sum = new Float64Array(nv), area = new Float64Array(nv);
  for (let t = triangles.first; t < triangles.first + triangles.count; t++) {
    const a = indices[3 * t], b = indices[3 * t + 1], c = indices[3 * t + 2];
    const rest = triangleArea(positions, a, b, c), moved = triangleArea(expressed, a, b, c);
    if (!(rest > 0)) continue;
    const compression = Math.max(0, 1 - moved / rest);
    for (const v of [a, b, c]) {
      sum[v] += rest * compression;
      area[v] += rest;
    }
  }
  const out = new Float32Array(nv);
  for (let v = 0; v < nv; v++) out[v] = area[v] > 0 ? sum[v] / area[v] : 0;
  return out;
}

/**
 * Where the photo's smile folds the skin, 0..1 per texel of a `width` × `height` UV map of the skin
 * part (0 outside its islands): the smile's compression (smileCompression) over the peak compression
 * of a smile of both corners at the mean intensity of an active action (`activeWeight`, the
 * expression prior's, FACS's middle grade), at most 1. So an ordinary smile's fold is taken out
 * whole, a faint one's only in part, and a face the solve finds no smile in keeps all its folds
 * (those are its own, not the expression's).
 */
export function smileFoldMap(head: Pick<TemplateHead, "parts">, mesh: { positions: Float32Array; uvs: Float32Array; indices: Uint32Array }, shapes: Blendshape[], weights: ArrayLike<number>, width: number, height: number, activeWeight: number): ImageF32 {
  if (!(width > 0 && height > 0)) throw new Error(`expression-folds: map size ${width}×${height} is not positive`);
  const skin = head.parts.find((p) => p.part === "skin");
  if (!skin) throw new Error("expression-folds: the head has no skin part");
  const triangles = { first: skin.firstIndex / 3, count: skin.indexCount / 3 };
  const field = smileCompression(mesh.positions, mesh.indices, triangles, shapes, weights);
  const ordinary = shapes.map((s) => (s.name === "mouthSmileLeft" || s.name === "mouthSmileRight" ? activeWeight : 0));
  const peak = smileCompression(mesh.positions, mesh.indices, triangles, shapes, ordinary).reduce((m, v) => Math.max(m, v), 0);
  if (!(peak > 0)) return interpolateVertexAttribute(new Float32Array(field.length), 1, mesh.indices, rasterizeUv(mesh.uvs, mesh.indices, width, height, [triangles]));
  for (let v = 0; v < field.length; v++) field[v] = Math.min(1, field[v] / peak);
  const reach = reachedFolds(mesh.positions, field, FOLD_HALF_WIDTH_M);
  const ids = rasterizeUv(mesh.uvs, mesh.indices, width, height, [triangles]);
  return interpolateVertexAttribute(reach, 1, mesh.indices, ids);
}

/**
 * Half the width of a fold's shading, metres: the crease lies where the compressed tissue meets the
 * tissue that moves less, at the edge of the compression, and its shading spans both sides
 * (a nasolabial fold ≈ 5 mm wide, delight/shading-relief.ts RELIEF_DEFAULTS).
 */
const FOLD_HALF_WIDTH_M = 0.0025;

/** Each vertex takes the largest fold weight around it, falling off as a Gaussian of σ = `sigmaM` in distance (a soft grey dilation, out to 3σ). */
function reachedFolds(positions: Float32Array, field: Float32Array, sigmaM: number): Float32Array {
  const out = Float32Array.from(field);
  const sources: number[] = [];
  for (let v = 0; v < field.length; v++) if (field[v] > 0.01) sources.push(v);
  const r2 = (3 * sigmaM) ** 2;
  for (let v = 0; v < field.length; v++) {
    const x = positions[3 * v], y = positions[3 * v + 1], z = positions[3 * v + 2];
    let best = out[v];
    for (const u of sources) {
      const d2 = (positions[3 * u] - x) ** 2 + (positions[3 * u + 1] - y) ** 2 + (positions[3 * u + 2] - z) ** 2;
      if (d2 < r2) best = Math.max(best, field[u] * Math.exp(-d2 / (2 * sigmaM * sigmaM)));
    }
    out[v] = best;
  }
  return out;
}
