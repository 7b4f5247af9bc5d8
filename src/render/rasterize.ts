/**
 * The triangle rasteriser every stage reuses. It writes a visibility buffer ("fragments"): per pixel
 * the nearest triangle, its perspective-correct barycentric weights and its depth. Shading is a
 * second pass over that buffer (src/render/shade.ts), so each pixel is shaded once however many
 * triangles cover it, and callers interpolate only the attributes they need.
 *
 * Two spaces share the code: the camera's image (vertices from `projectToScreen`, depth-tested)
 * and a UV atlas (`rasterizeUv`: triangles at their texture coordinates, affine weights), where
 * the weights interpolate 3D attributes over the texels of each UV island.
 */

/** Per-pixel result of rasterisation. Pixel (i, j) is at index j·width + i; row 0 is the top. */
export interface Fragments {
  width: number;
  height: number;
  /** Index of the nearest triangle covering the pixel centre, −1 where none does. */
  triangle: Int32Array;
  /** Weight of the triangle's 2nd vertex at the pixel centre (perspective-correct). */
  b1: Float32Array;
  /** Weight of the triangle's 3rd vertex; the 1st has 1 − b1 − b2. */
  b2: Float32Array;
  /** Distance along the view axis, metres (1 in UV space); +Infinity where empty. */
  depth: Float32Array;
}

/** Which triangles to skip: "back" drops those facing away (clockwise on screen with y up). */
export type CullMode = "back" | "front" | "none";

export interface RasterizeOptions {
  /** Face culling. Triangles are counter-clockwise seen from outside (src/types.ts `Mesh`). */
  cull?: CullMode;
  /** First triangle to draw (index into triangles, not into `indices`). */
  firstTriangle?: number;
  /** Number of triangles to draw from `firstTriangle`; all the rest by default. */
  triangleCount?: number;
}

/** An empty buffer: no triangle, infinite depth. */
export function createFragments(width: number, height: number): Fragments {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`createFragments: size ${width}×${height} must be positive integers`);
  }
  const n = width * height;
  return {
    width,
    height,
    triangle: new Int32Array(n).fill(-1),
    b1: new Float32Array(n),
    b2: new Float32Array(n),
    depth: new Float32Array(n).fill(Infinity),
  };
}

/**
 * Draws triangles into `frags` with a depth test. `screen` holds x, y (pixels, y down) and w
 * (distance along the view axis, > 0) per vertex, as `projectToScreen` returns; a triangle with a
 * vertex whose w is not finite (behind the near plane) is skipped, not clipped. Barycentric
 * weights are perspective-correct: interpolated as λ/w and renormalised.
 *
 *   const frags = createFragments(512, 512);
 *   rasterize(frags, projectToScreen(camera, mesh.positions), mesh.indices, { cull: "back" });
 */
export function rasterize(frags: Fragments, screen: Float32Array, indices: Uint32Array, options: RasterizeOptions = {}): void {
  const cull = options.cull ?? "back";
  const first = options.firstTriangle ?? 0;
  const last = Math.min(indices.length / 3, first + (options.triangleCount ?? Infinity));
  const { width: W, height: H, triangle, b1: B1, b2: B2, depth } = frags;
  for (let t = first; t < last; t++) {
    const i0 = indices[3 * t], i1 = indices[3 * t + 1], i2 = indices[3 * t + 2];
    const x0 = screen[3 * i0], y0 = screen[3 * i0 + 1], w0 = screen[3 * i0 + 2];
    const x1 = screen[3 * i1], y1 = screen[3 * i1 + 1], w1 = screen[3 * i1 + 2];
    const x2 = screen[3 * i2], y2 = screen[3 * i2 + 1], w2 = screen[3 * i2 + 2];
    if (!(w0 > 0 && w1 > 0 && w2 > 0)) continue;
    // Twice the signed area with y down: negative for a triangle counter-clockwise on a y-up screen.
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (area === 0 || !Number.isFinite(area)) continue;
    if (cull === "back" && area > 0) continue;
    if (cull === "front" && area < 0) continue;
    let minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    let maxX = Math.min(W - 1, Math.ceil(Math.max(x0, x1, x2)));
    let minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    let maxY = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    if (minX > maxX || minY > maxY) continue;
    // Edge functions e_k (opposite vertex k), scaled by 1/area so they are the affine weights λ_k.
    const inv = 1 / area;
    const a0 = (y1 - y2) * inv, c0 = (x2 - x1) * inv; // λ0 = a0·x + c0·y + k0
    const a1 = (y2 - y0) * inv, c1 = (x0 - x2) * inv;
    const a2 = (y0 - y1) * inv, c2 = (x1 - x0) * inv;
    const k0 = (x1 * y2 - x2 * y1) * inv;
    const k1 = (x2 * y0 - x0 * y2) * inv;
    const k2 = (x0 * y1 - x1 * y0) * inv;
    const q0 = 1 / w0, q1 = 1 / w1, q2 = 1 / w2;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      let l0 = a0 * (minX + 0.5) + c0 * cy + k0;
      let l1 = a1 * (minX + 0.5) + c1 * cy + k1;
      let l2 = a2 * (minX + 0.5) + c2 * cy + k2;
      let row = py * W + minX;
      for (let px = minX; px <= maxX; px++, row++, l0 += a0, l1 += a1, l2 += a2) {
        if (l0 < 0 || l1 < 0 || l2 < 0) continue;
        const p0 = l0 * q0, p1 = l1 * q1, p2 = l2 * q2;
        const s = p0 + p1 + p2;
        const d = 1 / s;
        if (d >= depth[row]) continue;
        depth[row] = d;
        triangle[row] = t;
        B1[row] = p1 * d;
        B2[row] = p2 * d;
      }
    }
  }
}

/**
 * Rasterises triangles at their texture coordinates into a width × height atlas (glTF UVs: origin
 * top-left, v down). Weights are affine in UV; every triangle is drawn whatever its orientation;
 * where islands overlap the earlier triangle keeps the texel.
 *
 *   const frags = rasterizeUv(mesh.uvs, mesh.indices, 384, 576);
 */
export function rasterizeUv(
  uvs: Float32Array,
  indices: Uint32Array,
  width: number,
  height: number,
  options: Omit<RasterizeOptions, "cull"> = {},
): Fragments {
  const n = uvs.length / 2;
  const screen = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    screen[3 * v] = uvs[2 * v] * width;
    screen[3 * v + 1] = uvs[2 * v + 1] * height;
    screen[3 * v + 2] = 1;
  }
  const frags = createFragments(width, height);
  rasterize(frags, screen, indices, { ...options, cull: "none" });
  return frags;
}
