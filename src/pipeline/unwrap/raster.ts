/**
 * Triangle scan conversion on a pixel grid, the one primitive unwrap needs three times: the
 * G-buffer in UV space (which triangle covers each texel, with barycentrics), the camera z-buffer,
 * and the orthographic depth maps of ambient occlusion.
 *
 * Pixel (i, j) has its centre at (i + 0.5, j + 0.5) in the continuous coordinates the vertices are
 * given in. A pixel is covered when its centre is inside the triangle; edges shared by two
 * triangles use a top-left rule so that no centre is claimed twice.
 */

/** Which triangle covers each pixel, and where. */
export interface TriangleIdBuffer {
  width: number;
  height: number;
  /** Triangle number (index into indices / 3) per pixel, −1 where none. */
  triangle: Int32Array;
  /** Barycentric weights of the triangle's 2nd and 3rd vertex; the 1st is 1 − b1 − b2. */
  b1: Float32Array;
  b2: Float32Array;
}

/** A range of triangles to draw: `first` and `count` are in triangles (not indices). */
export interface TriangleRange {
  first: number;
  count: number;
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
 * Rasterises triangles into an id buffer, later triangles overwriting earlier ones (no depth test:
 * used in UV space, where islands do not overlap).
 */
export function rasterizeTriangleIds(
  width: number,
  height: number,
  screen: Float32Array | Float64Array,
  indices: Uint32Array,
  ranges: TriangleRange[],
): TriangleIdBuffer {
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
