/**
 * Mesh thickness in UV space and the thin-part mask made from it (diffuse transmission: ears, the
 * rims of the nostrils). For each covered texel a ray leaves the surface point inward (along −N)
 * and the distance to the first triangle it meets is the thickness there. Thin parts pass light
 * (a backlit ear glows red); thick parts pass none.
 *
 *   const thicknessMm = meshThickness({ mesh, triangles: [skinRange], position, normalsObject, coverage });
 *   const mask = thinPartMask(thicknessMm);   // 1 channel, 0..1, the package stage's thinMask
 */
import type { ImageF32, Mesh, TemplateHead, UnwrapResult } from "../../types.ts";
import { fillGutters, GUTTER_FILL_DEFAULTS } from "../../image/gutter.ts";
import type { TriangleRange } from "../../raster/rasterize.ts";
import { withDefaults } from "../../options.ts";

export interface ThicknessOptions {
  /**
   * Rays stop here, millimetres; texels with nothing closer (or nothing at all: an open mesh) get
   * this value. Beyond ~25 mm no light passes (exp(−25/3.67) < 0.2 %, see THIN_MASK_DEFAULTS).
   */
  maxThicknessMm?: number;
  /** Hits closer than this to the ray's start are the start triangle itself, millimetres. */
  selfHitMm?: number;
}

export const THICKNESS_DEFAULTS: Required<ThicknessOptions> = {
  maxThicknessMm: 25,
  selfHitMm: 0.05,
};

export interface ThicknessInput {
  /** The head mesh (metres), in the same space as `position`. */
  mesh: Pick<Mesh, "positions" | "indices">;
  /** Triangles rays can hit (e.g. the skin only, not the eyeballs); all when absent. */
  triangles?: TriangleRange[];
  /** Surface point per texel, xyz metres (UnwrapResult.position). */
  position: ImageF32;
  /** Unit outward normal per texel (UnwrapResult.normalsObject). */
  normalsObject: ImageF32;
  /** 1 where the texel is inside a UV island (UnwrapResult.coverage); gutters copy the nearest island texel. */
  coverage: ImageF32;
}

/**
 * Thickness of the mesh behind each texel, millimetres (1 channel, "data"): distance along −N from
 * the surface point to the next triangle, capped at `maxThicknessMm`.
 */
export function meshThickness(input: ThicknessInput, options: ThicknessOptions = {}): ImageF32 {
  const o = withDefaults(THICKNESS_DEFAULTS, options);
  const { position, normalsObject, coverage } = input;
  const { width: W, height: H } = coverage;
  for (const [name, img, ch] of [["position", position, 3], ["normalsObject", normalsObject, 3], ["coverage", coverage, 1]] as const) {
    if (img.width !== W || img.height !== H || img.channels !== ch) throw new Error(`meshThickness: ${name} must be ${W}×${H}×${ch}, got ${img.width}×${img.height}×${img.channels}`);
  }
  if (!(o.maxThicknessMm > o.selfHitMm && o.selfHitMm >= 0)) throw new Error(`meshThickness: need maxThicknessMm > selfHitMm ≥ 0, got ${o.maxThicknessMm}, ${o.selfHitMm}`);
  const bvh = buildBvh(input.mesh.positions, input.mesh.indices, input.triangles ?? [{ first: 0, count: input.mesh.indices.length / 3 }]);
  const out: ImageF32 = { width: W, height: H, channels: 1, colorSpace: "data", data: new Float32Array(W * H).fill(o.maxThicknessMm) };
  const tMin = o.selfHitMm / 1000;
  const tMax = o.maxThicknessMm / 1000;
  for (let p = 0; p < W * H; p++) {
    if (!(coverage.data[p] > 0)) continue;
    const px = position.data[3 * p], py = position.data[3 * p + 1], pz = position.data[3 * p + 2];
    const nx = normalsObject.data[3 * p], ny = normalsObject.data[3 * p + 1], nz = normalsObject.data[3 * p + 2];
    const t = nearestHit(bvh, px, py, pz, -nx, -ny, -nz, tMin, tMax);
    if (t < tMax) out.data[p] = t * 1000;
  }
  fillGutters(out.data, W, H, 1, (p) => coverage.data[p] > 0, { ...GUTTER_FILL_DEFAULTS, method: "nearest" });
  return out;
}

export interface ThinMaskOptions {
  /**
   * Diffusion length of red light in skin, mm: transmission through a slab of thickness t falls as
   * exp(−t/ℓ). Jensen et al. 2001 Skin1, 1/σtr = 3.67 mm (red) [S10 D]; the material's
   * translucency colour carries the other channels' stronger falloff.
   */
  diffusionLengthMm?: number;
}

export const THIN_MASK_DEFAULTS: Required<ThinMaskOptions> = {
  diffusionLengthMm: 3.67,
};

/** The thin-part mask, 0..1 (1 channel, "data"): exp(−thickness/ℓ), 1 for a vanishing slab. */
export function thinPartMask(thicknessMm: ImageF32, options: ThinMaskOptions = {}): ImageF32 {
  const o = withDefaults(THIN_MASK_DEFAULTS, options);
  if (!(o.diffusionLengthMm > 0)) throw new Error(`thinPartMask: diffusionLengthMm must be > 0, got ${o.diffusionLengthMm}`);
  if (thicknessMm.channels !== 1) throw new Error(`thinPartMask: thickness must have 1 channel, got ${thicknessMm.channels}`);
  const data = new Float32Array(thicknessMm.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.exp(-Math.max(0, thicknessMm.data[i]) / o.diffusionLengthMm);
  return { width: thicknessMm.width, height: thicknessMm.height, channels: 1, colorSpace: "data", data };
}

/**
 * The thin-part mask of a fitted head (diffuse transmission: ears, nostril rims), base size:
 * exp(−t/ℓ) of the skin's thickness t behind each texel of unwrap's geometry maps.
 */
export function thinMask(unwrapped: UnwrapResult, mesh: Mesh, parts: TemplateHead["parts"]): ImageF32 {
  const skin = parts.filter((p) => p.part === "skin").map((p) => ({ first: p.firstIndex / 3, count: p.indexCount / 3 }));
  const thickness = meshThickness({ mesh, triangles: skin, position: unwrapped.position, normalsObject: unwrapped.normalsObject, coverage: unwrapped.coverage });
  return thinPartMask(thickness);
}

/**
 * Bounding-volume hierarchy over triangles, flattened: node i has bounds[6i..6i+5] (min xyz, max
 * xyz); an inner node's children are i+1 and `second[i]`; a leaf holds `count[i] > 0` triangles
 * from `start[i]` in `order`.
 */
interface Bvh {
  bounds: Float32Array;
  second: Int32Array;
  start: Int32Array;
  count: Int32Array;
  order: Int32Array;
  /** Triangle vertices, 9 floats per triangle in `order`'s numbering. */
  verts: Float32Array;
}

const LEAF_SIZE = 4;

function buildBvh(positions: Float32Array, indices: Uint32Array, ranges: TriangleRange[]): Bvh {
  const tris: number[] = [];
  for (const r of ranges) for (let t = r.first; t < r.first + r.count; t++) tris.push(t);
  const n = tris.length;
  const verts = new Float32Array(n * 9);
  const centroid = new Float32Array(n * 3);
  for (let k = 0; k < n; k++) {
    const t = tris[k];
    for (let j = 0; j < 3; j++) {
      const v = indices[3 * t + j];
      for (let a = 0; a < 3; a++) {
        verts[9 * k + 3 * j + a] = positions[3 * v + a];
        centroid[3 * k + a] += positions[3 * v + a] / 3;
      }
    }
  }
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const maxNodes = 2 * n + 1; // leaves hold ≥ 2 triangles after a median split, so nodes < n
  const bounds = new Float32Array(maxNodes * 6);
  const second = new Int32Array(maxNodes);
  const start = new Int32Array(maxNodes);
  const count = new Int32Array(maxNodes);
  let nodes = 0;
  // Iterative build (explicit stack): median split on the longest centroid axis.
  const stack: [number, number, number][] = [];
  const push = (lo: number, hi: number, parent: number) => stack.push([lo, hi, parent]);
  push(0, n, -1);
  while (stack.length > 0) {
    const [lo, hi, parent] = stack.pop()!;
    const node = nodes++;
    if (parent >= 0) second[parent] = node; // the first child is always parent + 1 (pushed last, popped first)
    let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
    let cMinX = Infinity, cMinY = Infinity, cMinZ = Infinity, cMaxX = -Infinity, cMaxY = -Infinity, cMaxZ = -Infinity;
    for (let k = lo; k < hi; k++) {
      const t = order[k];
      for (let j = 0; j < 3; j++) {
        const x = verts[9 * t + 3 * j], y = verts[9 * t + 3 * j + 1], z = verts[9 * t + 3 * j + 2];
        if (x < minX) minX = x; if (x > maxX) maxX = x;
        if (y < minY) minY = y; if (y > maxY) maxY = y;
        if (z < minZ) minZ = z; if (z > maxZ) maxZ = z;
      }
      const cx = centroid[3 * t], cy = centroid[3 * t + 1], cz = centroid[3 * t + 2];
      if (cx < cMinX) cMinX = cx; if (cx > cMaxX) cMaxX = cx;
      if (cy < cMinY) cMinY = cy; if (cy > cMaxY) cMaxY = cy;
      if (cz < cMinZ) cMinZ = cz; if (cz > cMaxZ) cMaxZ = cz;
    }
    bounds.set([minX, minY, minZ, maxX, maxY, maxZ], 6 * node);
    if (hi - lo <= LEAF_SIZE) {
      start[node] = lo;
      count[node] = hi - lo;
      continue;
    }
    const ex = cMaxX - cMinX, ey = cMaxY - cMinY, ez = cMaxZ - cMinZ;
    const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
    const mid = (lo + hi) >> 1;
    const sorted = Array.from(order.subarray(lo, hi)).sort((a, b) => centroid[3 * a + axis] - centroid[3 * b + axis] || a - b);
    order.set(sorted, lo);
    // Right child pushed first so the left one is built next, at node + 1.
    push(mid, hi, node);
    stack.push([lo, mid, -1]);
  }
  // Leaves index triangles through `order`; store vertices in that order to read them linearly.
  const ordered = new Float32Array(n * 9);
  for (let k = 0; k < n; k++) ordered.set(verts.subarray(9 * order[k], 9 * order[k] + 9), 9 * k);
  return { bounds: bounds.subarray(0, nodes * 6), second: second.subarray(0, nodes), start: start.subarray(0, nodes), count: count.subarray(0, nodes), order, verts: ordered };
}

const traversal = new Int32Array(128);

/** Distance to the nearest triangle along the ray within (tMin, tMax), or tMax when none. */
function nearestHit(bvh: Bvh, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, tMin: number, tMax: number): number {
  const ix = 1 / dx, iy = 1 / dy, iz = 1 / dz;
  const { bounds, second, start, count, verts } = bvh;
  let best = tMax;
  let sp = 0;
  if (bounds.length === 0) return best;
  traversal[sp++] = 0;
  while (sp > 0) {
    const node = traversal[--sp];
    const b = 6 * node;
    // Slab test against the box.
    let t0 = (bounds[b] - ox) * ix, t1 = (bounds[b + 3] - ox) * ix;
    let near = t0 < t1 ? t0 : t1, far = t0 < t1 ? t1 : t0;
    t0 = (bounds[b + 1] - oy) * iy; t1 = (bounds[b + 4] - oy) * iy;
    near = Math.max(near, t0 < t1 ? t0 : t1); far = Math.min(far, t0 < t1 ? t1 : t0);
    t0 = (bounds[b + 2] - oz) * iz; t1 = (bounds[b + 5] - oz) * iz;
    near = Math.max(near, t0 < t1 ? t0 : t1); far = Math.min(far, t0 < t1 ? t1 : t0);
    if (!(near <= far) || far < tMin || near > best) continue;
    if (count[node] > 0) {
      for (let k = start[node], end = start[node] + count[node]; k < end; k++) {
        const t = intersect(verts, 9 * k, ox, oy, oz, dx, dy, dz);
        if (t > tMin && t < best) best = t;
      }
    } else {
      traversal[sp++] = second[node];
      traversal[sp++] = node + 1;
    }
  }
  return best;
}

/** Möller–Trumbore: ray parameter of the hit with the triangle at verts[v..v+8], or −1. Both faces count. */
function intersect(verts: Float32Array, v: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  const ax = verts[v], ay = verts[v + 1], az = verts[v + 2];
  const e1x = verts[v + 3] - ax, e1y = verts[v + 4] - ay, e1z = verts[v + 5] - az;
  const e2x = verts[v + 6] - ax, e2y = verts[v + 7] - ay, e2z = verts[v + 8] - az;
  const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
  const det = e1x * px + e1y * py + e1z * pz;
  if (Math.abs(det) < 1e-18) return -1;
  const inv = 1 / det;
  const sx = ox - ax, sy = oy - ay, sz = oz - az;
  const u = (sx * px + sy * py + sz * pz) * inv;
  if (u < 0 || u > 1) return -1;
  const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
  const w = (dx * qx + dy * qy + dz * qz) * inv;
  if (w < 0 || u + w > 1) return -1;
  return (e2x * qx + e2y * qy + e2z * qz) * inv;
}
