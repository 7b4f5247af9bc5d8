/**
 * The fitted camera's view of the head: per-vertex camera-space coordinates and photo pixels, and a
 * z-buffer over the head's projected bounding box (at a bounded resolution).
 */
import type { Camera } from "../../types.ts";
import { rasterizeNearest } from "../../raster/rasterize.ts";

/** Points closer than this to the camera plane are treated as behind it, metres. */
export const NEAR_PLANE_M = 0.01;

/** Camera-space point (x right, y up, −z forward) of a world point. */
export function toCamera(camera: Camera, x: number, y: number, z: number, out: Float64Array): void {
  const r = camera.rotation;
  const t = camera.translation;
  out[0] = r[0] * x + r[1] * y + r[2] * z + t[0];
  out[1] = r[3] * x + r[4] * y + r[5] * z + t[1];
  out[2] = r[6] * x + r[7] * y + r[8] * z + t[2];
}

/** Camera-space direction of a world direction (rotation only). */
export function rotateToCamera(camera: Camera, x: number, y: number, z: number, out: Float64Array): void {
  const r = camera.rotation;
  out[0] = r[0] * x + r[1] * y + r[2] * z;
  out[1] = r[3] * x + r[4] * y + r[5] * z;
  out[2] = r[6] * x + r[7] * y + r[8] * z;
}

/** Camera-space positions and photo pixels of every vertex. */
export interface VertexProjection {
  /** xyz per vertex, camera space, metres. */
  cameraSpace: Float64Array;
  /** xy per vertex, photo pixels (NaN when behind the near plane). */
  pixels: Float64Array;
}

export function projectVertices(camera: Camera, positions: Float32Array): VertexProjection {
  const n = positions.length / 3;
  const cameraSpace = new Float64Array(n * 3);
  const pixels = new Float64Array(n * 2);
  const p = new Float64Array(3);
  for (let v = 0; v < n; v++) {
    toCamera(camera, positions[3 * v], positions[3 * v + 1], positions[3 * v + 2], p);
    cameraSpace.set(p, 3 * v);
    const dist = -p[2];
    pixels[2 * v] = dist > NEAR_PLANE_M ? camera.cx + (camera.fx * p[0]) / dist : NaN;
    pixels[2 * v + 1] = dist > NEAR_PLANE_M ? camera.cy - (camera.fy * p[1]) / dist : NaN;
  }
  return { cameraSpace, pixels };
}

/** Nearest surface distance per pixel over a window of the photo. */
export interface ZBuffer {
  /** Photo pixel of the buffer's top-left corner. */
  x0: number;
  y0: number;
  /** Photo pixels per buffer pixel (≥ 1 when the head is large in the photo). */
  scale: number;
  width: number;
  height: number;
  /** 1 / distance (−Z, metres) of the nearest surface; −Infinity where empty. */
  inverseDepth: Float32Array;
}

/**
 * Rasterises the mesh's inverse depth as seen by the camera, over the projected bounding box of the
 * vertices in front of it, at most `maxSize` buffer pixels on the long side.
 */
export function buildZBuffer(camera: Camera, projection: VertexProjection, indices: Uint32Array, maxSize: number): ZBuffer {
  const { cameraSpace, pixels } = projection;
  const n = pixels.length / 2;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let v = 0; v < n; v++) {
    const x = pixels[2 * v], y = pixels[2 * v + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  // Only the part inside the photo matters; a margin keeps edge look-ups inside the buffer.
  minX = Math.max(-1, Math.floor(minX) - 1);
  minY = Math.max(-1, Math.floor(minY) - 1);
  maxX = Math.min(camera.width + 1, Math.ceil(maxX) + 1);
  maxY = Math.min(camera.height + 1, Math.ceil(maxY) + 1);
  if (!(maxX > minX && maxY > minY)) {
    return { x0: 0, y0: 0, scale: 1, width: 1, height: 1, inverseDepth: new Float32Array([-Infinity]) };
  }
  const scale = Math.max(1, Math.max(maxX - minX, maxY - minY) / maxSize);
  const width = Math.max(1, Math.ceil((maxX - minX) / scale));
  const height = Math.max(1, Math.ceil((maxY - minY) / scale));
  const screen = new Float32Array(n * 2);
  const key = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    screen[2 * v] = (pixels[2 * v] - minX) / scale;
    screen[2 * v + 1] = (pixels[2 * v + 1] - minY) / scale;
    key[v] = 1 / -cameraSpace[3 * v + 2];
  }
  // Triangles crossing the near plane would smear across the buffer: leave them out.
  const kept: number[] = [];
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    if (Number.isFinite(pixels[2 * a]) && Number.isFinite(pixels[2 * b]) && Number.isFinite(pixels[2 * c])) kept.push(a, b, c);
  }
  const inverseDepth = rasterizeNearest(width, height, screen, key, Uint32Array.from(kept));
  return { x0: minX, y0: minY, scale, width, height, inverseDepth };
}

/** Inverse depth of the nearest surface at photo pixel (x, y); −Infinity outside the buffer or where empty. */
export function zBufferAt(z: ZBuffer, x: number, y: number): number {
  const i = Math.floor((x - z.x0) / z.scale);
  const j = Math.floor((y - z.y0) / z.scale);
  if (i < 0 || j < 0 || i >= z.width || j >= z.height) return -Infinity;
  return z.inverseDepth[j * z.width + i];
}
