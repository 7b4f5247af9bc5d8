/** fit's per-vertex visibility of the head as photographed. */
import { projectToScreen, cameraCentre } from "../../render/camera.ts";
import { createFragments, rasterize } from "../../raster/rasterize.ts";
import type { Camera } from "../../types.ts";

/** 1 where a vertex faces the camera and is not hidden behind the z-buffer, else 0. */
export function visibility(positions: Float32Array, normals: Float32Array, indices: Uint32Array, camera: Camera, maxSide: number, tolerance: number): Float32Array {
  const k = Math.min(1, maxSide / Math.max(camera.width, camera.height));
  const W = Math.max(1, Math.round(camera.width * k)), H = Math.max(1, Math.round(camera.height * k));
  const cam: Camera = { ...camera, width: W, height: H, fx: camera.fx * k, fy: camera.fy * k, cx: camera.cx * k, cy: camera.cy * k };
  const screen = projectToScreen(cam, positions);
  const frags = createFragments(W, H);
  rasterize(frags, screen, indices, { cull: "back" });
  const eye = cameraCentre(camera);
  const n = positions.length / 3;
  const vis = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const x = screen[3 * v], y = screen[3 * v + 1], w = screen[3 * v + 2];
    if (!(w > 0) || x < 0 || y < 0 || x >= W || y >= H) continue;
    const view = [eye[0] - positions[3 * v], eye[1] - positions[3 * v + 1], eye[2] - positions[3 * v + 2]];
    if (view[0] * normals[3 * v] + view[1] * normals[3 * v + 1] + view[2] * normals[3 * v + 2] <= 0) continue;
    // Nearest z-buffer depth in the pixel's 3×3 neighbourhood: a vertex on a silhouette edge may fall just outside its own triangles.
    let zb = Infinity;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const px = Math.floor(x) + dx, py = Math.floor(y) + dy;
      if (px >= 0 && py >= 0 && px < W && py < H) zb = Math.min(zb, frags.depth[py * W + px]);
    }
    if (w <= zb + tolerance) vis[v] = 1;
  }
  return vis;
}
