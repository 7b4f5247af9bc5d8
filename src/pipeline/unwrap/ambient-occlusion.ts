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

  const open = new Float64Array(count);
  const total = new Float64Array(count);
  const screen = new Float32Array(vertexCount * 2);
  const height = new Float32Array(vertexCount);
  const dirs = fibonacciSphere(o.directions);
  for (let k = 0; k < o.directions; k++) {
    const dx = dirs[3 * k], dy = dirs[3 * k + 1], dz = dirs[3 * k + 2];
    const radiance = options.sky ? options.sky(dx, dy, dz) : 1;
    if (!(radiance > 0)) continue;
    const [ux, uy, uz, vx, vy, vz] = basis(dx, dy, dz);
    for (let v = 0; v < vertexCount; v++) {
      const x = meshPositions[3 * v] - cx, y = meshPositions[3 * v + 1] - cy, z = meshPositions[3 * v + 2] - cz;
      screen[2 * v] = (x * ux + y * uy + z * uz + radius) * toPixel;
      screen[2 * v + 1] = (x * vx + y * vy + z * vz + radius) * toPixel;
      height[v] = x * dx + y * dy + z * dz;
    }
    const top = rasterizeNearest(res, res, screen, height, meshIndices);
    for (let p = 0; p < count; p++) {
      const nx = normals[3 * p], ny = normals[3 * p + 1], nz = normals[3 * p + 2];
      const cos = nx * dx + ny * dy + nz * dz;
      if (!(cos > 0)) continue;
      total[p] += radiance * cos;
      const x = points[3 * p] + nx * o.normalOffsetM - cx;
      const y = points[3 * p + 1] + ny * o.normalOffsetM - cy;
      const z = points[3 * p + 2] + nz * o.normalOffsetM - cz;
      const i = Math.floor((x * ux + y * uy + z * uz + radius) * toPixel);
      const j = Math.floor((x * vx + y * vy + z * vz + radius) * toPixel);
      const h = x * dx + y * dy + z * dz;
      const blocker = i >= 0 && i < res && j >= 0 && j < res ? top[j * res + i] : -Infinity;
      // Slope-scaled bias: across one depth-map pixel a surface tilted from d rises by pixel·tan θ.
      const tan = Math.min(4, Math.sqrt(Math.max(0, 1 - cos * cos)) / cos);
      if (h + o.depthBiasM + pixelM * tan >= blocker) open[p] += radiance * cos;
    }
  }
  const ao = new Float32Array(count);
  for (let p = 0; p < count; p++) ao[p] = total[p] > 0 ? open[p] / total[p] : 1;
  return ao;
}
