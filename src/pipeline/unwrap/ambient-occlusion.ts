/**
 * Ambient occlusion by hemispherical sampling with orthographic depth maps: the mesh is drawn once
 * from each of N directions spread evenly over the sphere (a Fibonacci lattice, so the result is
 * deterministic without any random numbers); a surface point is open toward a direction when
 * nothing of the mesh lies above it in that direction's depth map. AO is the cosine-weighted
 * fraction of open directions over the point's hemisphere, i.e. the irradiance a uniform white sky
 * would give relative to an unoccluded point.
 *
 * Compared with ray tracing against a BVH this costs N rasterisations of the mesh plus N look-ups
 * per point, which is far cheaper in JavaScript for the ~220k texels of the base atlas.
 */
import { rasterizeNearest } from "../../raster/rasterize.ts";
import { withDefaults } from "../../options.ts";
import type { DirectionMasks } from "../../types.ts";

export interface AmbientOcclusionOptions {
  /** Number of directions over the whole sphere (about half fall in each point's hemisphere). */
  directions?: number;
  /** Depth-map size, pixels per side (square, fitted to the mesh's bounding sphere). */
  resolution?: number;
  /** Offset of the look-up point along its normal, metres (avoids self-shadowing "acne"). */
  normalOffsetM?: number;
  /** Depth tolerance of the look-up, metres. */
  depthBiasM?: number;
  /**
   * Relative radiance of the sky toward unit direction (x, y, z), ≥ 0; absent: a uniform sky.
   * The result is then the irradiance that sky gives the point relative to the same point unoccluded.
   */
  sky?: (x: number, y: number, z: number) => number;
}

export const AMBIENT_OCCLUSION_DEFAULTS: Required<Omit<AmbientOcclusionOptions, "sky">> = {
  directions: 96,
  resolution: 384,
  normalOffsetM: 0.0015,
  depthBiasM: 0.001,
};

/** `count` unit vectors spread evenly over the sphere (golden-angle spiral). */
export function fibonacciSphere(count: number): Float64Array {
  const out = new Float64Array(count * 3);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < count; i++) {
    const z = 1 - (2 * (i + 0.5)) / count;
    const r = Math.sqrt(Math.max(0, 1 - z * z));
    const phi = golden * i;
    out[3 * i] = r * Math.cos(phi);
    out[3 * i + 1] = r * Math.sin(phi);
    out[3 * i + 2] = z;
  }
  return out;
}

/** An orthonormal basis (u, v) perpendicular to unit vector d. */
function basis(dx: number, dy: number, dz: number): [number, number, number, number, number, number] {
  // Pick the world axis least aligned with d to build u.
  let ax = 0;
  let ay = 0;
  let az = 0;
  if (Math.abs(dx) <= Math.abs(dy) && Math.abs(dx) <= Math.abs(dz)) ax = 1;
  else if (Math.abs(dy) <= Math.abs(dz)) ay = 1;
  else az = 1;
  let ux = ay * dz - az * dy;
  let uy = az * dx - ax * dz;
  let uz = ax * dy - ay * dx;
  const n = Math.hypot(ux, uy, uz);
  ux /= n;
  uy /= n;
  uz /= n;
  return [ux, uy, uz, dy * uz - dz * uy, dz * ux - dx * uz, dx * uy - dy * ux];
}

/**
 * Which of `options.directions` Fibonacci-sphere directions each of `count` query points (unit
 * normals, positions in metres) is open toward: nothing of the mesh lies above the point in that
 * direction's depth map. Directions below a point's horizon are left closed. The masks let a sky
 * known only later (delight's fitted light) weigh the same visibility (`skyVisibility`).
 */
export function occlusionMasks(
  meshPositions: Float32Array,
  meshIndices: Uint32Array,
  points: Float32Array,
  normals: Float32Array,
  count: number,
  options: Omit<AmbientOcclusionOptions, "sky"> = {},
): DirectionMasks {
  const o = withDefaults(AMBIENT_OCCLUSION_DEFAULTS, options);
  const vertexCount = meshPositions.length / 3;
  // Bounding sphere (box centre, max distance) sets a fixed orthographic frame for every direction.
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let v = 0; v < vertexCount; v++) {
    const x = meshPositions[3 * v], y = meshPositions[3 * v + 1], z = meshPositions[3 * v + 2];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2, cz = (minZ + maxZ) / 2;
  let radius = 0;
  for (let v = 0; v < vertexCount; v++) {
    radius = Math.max(radius, Math.hypot(meshPositions[3 * v] - cx, meshPositions[3 * v + 1] - cy, meshPositions[3 * v + 2] - cz));
  }
  radius = radius * 1.01 + o.normalOffsetM;
  const res = o.resolution;
  const toPixel = res / (2 * radius);
  const pixelM = 1 / toPixel;

  const words = Math.ceil(o.directions / 32);
  const bits = new Uint32Array(count * words);
  const screen = new Float32Array(vertexCount * 2);
  const height = new Float32Array(vertexCount);
  const dirs = fibonacciSphere(o.directions);
  for (let k = 0; k < o.directions; k++) {
    const dx = dirs[3 * k], dy = dirs[3 * k + 1], dz = dirs[3 * k + 2];
    const [ux, uy, uz, vx, vy, vz] = basis(dx, dy, dz);
    for (let v = 0; v < vertexCount; v++) {
      const x = meshPositions[3 * v] - cx, y = meshPositions[3 * v + 1] - cy, z = meshPositions[3 * v + 2] - cz;
      screen[2 * v] = (x * ux + y * uy + z * uz + radius) * toPixel;
      screen[2 * v + 1] = (x * vx + y * vy + z * vz + radius) * toPixel;
      height[v] = x * dx + y * dy + z * dz;
    }
    const top = rasterizeNearest(res, res, screen, height, meshIndices);
    const word = k >>> 5, bit = 1 << (k & 31);
    for (let p = 0; p < count; p++) {
      const nx = normals[3 * p], ny = normals[3 * p + 1], nz = normals[3 * p + 2];
      const cos = nx * dx + ny * dy + nz * dz;
      if (!(cos > 0)) continue;
      const x = points[3 * p] + nx * o.normalOffsetM - cx;
      const y = points[3 * p + 1] + ny * o.normalOffsetM - cy;
      const z = points[3 * p + 2] + nz * o.normalOffsetM - cz;
      const i = Math.floor((x * ux + y * uy + z * uz + radius) * toPixel);
      const j = Math.floor((x * vx + y * vy + z * vz + radius) * toPixel);
      const h = x * dx + y * dy + z * dz;
      const blocker = i >= 0 && i < res && j >= 0 && j < res ? top[j * res + i] : -Infinity;
      // Slope-scaled bias: across one depth-map pixel a surface tilted from d rises by pixel·tan θ.
      const tan = Math.min(4, Math.sqrt(Math.max(0, 1 - cos * cos)) / cos);
      if (h + o.depthBiasM + pixelM * tan >= blocker) bits[p * words + word] |= bit;
    }
  }
  return { directions: o.directions, words, bits };
}

/**
 * Per point, the irradiance `sky` (relative radiance toward unit (x, y, z), negative read as 0;
 * absent: uniform) gives through the open directions of `masks`, relative to the same point
 * unoccluded: Σ sky·cos⁺·open / Σ sky·cos⁺ over the directions (1 where the sky gives the point nothing).
 */
export function skyVisibility(
  masks: DirectionMasks,
  normals: Float32Array,
  count: number,
  sky?: (x: number, y: number, z: number) => number,
): Float32Array {
  const dirs = fibonacciSphere(masks.directions);
  const radiance = Float64Array.from({ length: masks.directions }, (_, k) => (sky ? Math.max(0, sky(dirs[3 * k], dirs[3 * k + 1], dirs[3 * k + 2])) || 0 : 1));
  const { words, bits } = masks;
  const out = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    const nx = normals[3 * p], ny = normals[3 * p + 1], nz = normals[3 * p + 2];
    let open = 0, total = 0;
    for (let k = 0; k < masks.directions; k++) {
      const cos = nx * dirs[3 * k] + ny * dirs[3 * k + 1] + nz * dirs[3 * k + 2];
      if (!(cos > 0) || radiance[k] === 0) continue;
      const w = radiance[k] * cos;
      total += w;
      if (bits[p * words + (k >>> 5)] & (1 << (k & 31))) open += w;
    }
    out[p] = total > 0 ? open / total : 1;
  }
  return out;
}

/**
 * Ambient occlusion (0..1, 1 = open) for `count` query points with unit normals, occluded by the
 * triangles of the mesh (positions in metres).
 */
export function ambientOcclusion(
  meshPositions: Float32Array,
  meshIndices: Uint32Array,
  points: Float32Array,
  normals: Float32Array,
  count: number,
  options: AmbientOcclusionOptions = {},
): Float32Array {
  const { sky, ...rest } = options;
  return skyVisibility(occlusionMasks(meshPositions, meshIndices, points, normals, count, rest), normals, count, sky);
}
