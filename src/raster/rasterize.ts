/**
 * The one triangle rasteriser: the renderer, fit's visibility pass, unwrap's UV G-buffer, its camera
 * z-buffer and ambient occlusion all draw through this file. Every pass writes per pixel the
 * triangle covering the pixel centre (i + 0.5, j + 0.5) and the barycentric weights there; shading
 * is a second pass over that buffer (src/render/shade.ts), so each pixel is shaded once however many
 * triangles cover it, and callers interpolate only the attributes they need.
 *
 * Three passes, each with its own rule, because their callers need different things:
 * - `rasterize`, the camera view: a centre on an edge belongs to every triangle touching it and the
 *   depth test decides (nearest wins, the earlier triangle on ties); weights perspective-correct.
 * - `rasterizeUv`, the UV atlas: top-left fill rule, so a centre on an edge shared by two triangles
 *   is claimed exactly once (no texel is written twice along a seam); no depth, affine weights,
 *   later triangles overwrite earlier ones.
 * - `rasterizeNearest`, a depth-only pass (the largest interpolated key per pixel) for z-buffers and
 *   ambient-occlusion depth maps: edges inclusive with a 1e-9 tolerance.
 * Their arithmetic differs too (incremental vs directly evaluated edge functions), and outputs are
 * byte-for-byte what they are because of it: change a rule only on purpose.
 */

/** Which triangle covers each pixel centre, and where. Pixel (i, j) is at index j·width + i; row 0 is the top. */
export interface TriangleIds {
  width: number;
  height: number;
  /** Index of the triangle covering the pixel centre (index into indices / 3), −1 where none does. */
  triangle: Int32Array;
  /** Weight of the triangle's 2nd vertex at the pixel centre. */
  b1: Float32Array;
  /** Weight of the triangle's 3rd vertex; the 1st has 1 − b1 − b2. */
  b2: Float32Array;
}

/** A range of triangles to draw: `first` and `count` are in triangles (not indices). */
export interface TriangleRange {
  first: number;
  count: number;
}

/** The camera pass's visibility buffer: the nearest triangle per pixel (perspective-correct weights) and its depth. */
export interface Fragments extends TriangleIds {
  /** Distance along the view axis, metres; +Infinity where empty. */
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
 * top-left, v down), with the top-left rule; every triangle is drawn whatever its orientation, and
 * where islands overlap the later triangle keeps the texel. Weights are affine in UV, so they
 * interpolate 3D attributes over the texels of each island. `ranges` picks the triangles to draw
 * (all by default).
 *
 *   const ids = rasterizeUv(mesh.uvs, mesh.indices, 384, 576);
 */
export function rasterizeUv(
  uvs: Float32Array,
  indices: Uint32Array,
  width: number,
  height: number,
  ranges: TriangleRange[] = [{ first: 0, count: indices.length / 3 }],
): TriangleIds {
  // Texel coordinates rounded to float32, as the atlas's callers compute them (same bits, same texels).
  const screen = new Float32Array(uvs.length);
  for (let v = 0; v < uvs.length / 2; v++) {
    screen[2 * v] = uvs[2 * v] * width;
    screen[2 * v + 1] = uvs[2 * v + 1] * height;
  }
  const triangle = new Int32Array(width * height).fill(-1);
  const b1 = new Float32Array(width * height);
  const b2 = new Float32Array(width * height);
  let current = 0;
  const visit: PixelVisitor = (p, _w0, w1, w2) => {
    triangle[p] = current;
    b1[p] = w1;
    b2[p] = w2;
  };
  for (const { first, count } of ranges) {
    for (let t = first; t < first + count; t++) {
      const a = indices[3 * t];
      const b = indices[3 * t + 1];
      const c = indices[3 * t + 2];
      current = t;
      scanTriangle(width, height, screen[2 * a], screen[2 * a + 1], screen[2 * b], screen[2 * b + 1], screen[2 * c], screen[2 * c + 1], visit);
    }
  }
  return { width, height, triangle, b1, b2 };
}

type PixelVisitor = (pixel: number, w0: number, w1: number, w2: number) => void;

/** Scans one triangle given its three vertices in pixel coordinates; w0..w2 sum to 1. */
function scanTriangle(
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  visit: PixelVisitor,
): void {
  let area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (!(Math.abs(area) > 1e-12)) return; // degenerate or NaN
  // Orient counter-clockwise in a y-down frame so that every edge function is ≥ 0 inside.
  if (area < 0) {
    let t = x1;
    x1 = x2;
    x2 = t;
    t = y1;
    y1 = y2;
    y2 = t;
    area = -area;
    const inner = visit;
    visit = (p, a, b, c) => inner(p, a, c, b);
  }
  const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
  const maxX = Math.min(width - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
  const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
  const maxY = Math.min(height - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
  if (minX > maxX || minY > maxY) return;
  const inv = 1 / area;
  // Edge function e_k is the (doubled) area opposite vertex k; top-left rule via a bias on ties.
  const bias0 = isTopLeft(x1, y1, x2, y2) ? 0 : -1e-9;
  const bias1 = isTopLeft(x2, y2, x0, y0) ? 0 : -1e-9;
  const bias2 = isTopLeft(x0, y0, x1, y1) ? 0 : -1e-9;
  for (let j = minY; j <= maxY; j++) {
    const py = j + 0.5;
    for (let i = minX; i <= maxX; i++) {
      const px = i + 0.5;
      const e0 = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
      const e1 = (x0 - x2) * (py - y2) - (y0 - y2) * (px - x2);
      const e2 = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0);
      if (e0 + bias0 < 0 || e1 + bias1 < 0 || e2 + bias2 < 0) continue;
      visit(j * width + i, e0 * inv, e1 * inv, e2 * inv);
    }
  }
}

/**
 * Top-left rule for a counter-clockwise (in y-down coordinates, i.e. positive area) triangle: an
 * edge owns the centres lying exactly on it when it is a top edge or a left edge.
 */
function isTopLeft(ax: number, ay: number, bx: number, by: number): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  return (dy === 0 && dx < 0) || dy > 0;
}

/**
 * Rasterises a "nearness" key per pixel, keeping the largest (−Infinity where empty). The key is
 * interpolated linearly in screen space, so pass 1/distance for a perspective camera and the
 * height along the view direction for an orthographic one. Written out without callbacks: it runs
 * once per ambient-occlusion direction over the whole mesh, so it is the hot loop of unwrap.
 */
export function rasterizeNearest(
  width: number,
  height: number,
  screen: Float32Array | Float64Array,
  key: Float32Array | Float64Array,
  indices: Uint32Array,
): Float32Array {
  const nearest = new Float32Array(width * height).fill(-Infinity);
  const triangles = indices.length / 3;
  for (let t = 0; t < triangles; t++) {
    const a = indices[3 * t], b = indices[3 * t + 1], c = indices[3 * t + 2];
    const x0 = screen[2 * a], y0 = screen[2 * a + 1];
    const x1 = screen[2 * b], y1 = screen[2 * b + 1];
    const x2 = screen[2 * c], y2 = screen[2 * c + 1];
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (!(Math.abs(area) > 1e-12)) continue;
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const maxX = Math.min(width - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(height - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    if (minX > maxX || minY > maxY) continue;
    // Barycentric weights as affine functions of the pixel centre: w_k = A_k·x + B_k·y + C_k.
    const inv = 1 / area;
    const A0 = (y1 - y2) * inv, B0 = (x2 - x1) * inv, C0 = (x1 * y2 - x2 * y1) * inv;
    const A1 = (y2 - y0) * inv, B1 = (x0 - x2) * inv, C1 = (x2 * y0 - x0 * y2) * inv;
    const k0 = key[a], k1 = key[b], k2 = key[c];
    // The key is affine too: K = KA·x + KB·y + KC.
    const KA = k0 * A0 + k1 * A1 + k2 * (-A0 - A1);
    const KB = k0 * B0 + k1 * B1 + k2 * (-B0 - B1);
    const KC = k0 * C0 + k1 * C1 + k2 * (1 - C0 - C1);
    const eps = -1e-9;
    for (let j = minY; j <= maxY; j++) {
      const py = j + 0.5;
      const row = j * width;
      for (let i = minX; i <= maxX; i++) {
        const px = i + 0.5;
        const w0 = A0 * px + B0 * py + C0;
        const w1 = A1 * px + B1 * py + C1;
        if (w0 < eps || w1 < eps || 1 - w0 - w1 < eps) continue;
        const k = KA * px + KB * py + KC;
        if (k > nearest[row + i]) nearest[row + i] = k;
      }
    }
  }
  return nearest;
}
