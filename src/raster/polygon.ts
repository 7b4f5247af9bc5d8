/**
 * Polygon scan conversion for masks drawn from landmark contours (capture's face masks, the eye
 * opening in the eyes stage): the same pixel-centre convention as the triangle rasteriser (rasterize.ts).
 */

/**
 * Rasterises a closed polygon into a 0/1 mask (even-odd, pixel centres), OR-ed into `into`,
 * which covers the photo window starting at (ox, oy) of size width × height.
 */
export function fillPolygon(into: Uint8Array | Float32Array, width: number, height: number, xy: number[], ox = 0, oy = 0): void {
  const n = xy.length / 2;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) [minY, maxY] = [Math.min(minY, xy[2 * i + 1] - oy), Math.max(maxY, xy[2 * i + 1] - oy)];
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(height - 1, Math.ceil(maxY));
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 + oy;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [ax, ay, bx, by] = [xy[2 * j], xy[2 * j + 1], xy[2 * i], xy[2 * i + 1]];
      if (ay > py !== by > py) xs.push(ax + ((py - ay) / (by - ay)) * (bx - ax) - ox);
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(width - 1, Math.floor(xs[k + 1] - 0.5));
      for (let x = from; x <= to; x++) into[y * width + x] = 1;
    }
  }
}

/** Where on the segment a–b the point nearest (x, y) lies: 0 at a, 1 at b (0 when a = b). */
export function segmentParameter(ax: number, ay: number, bx: number, by: number, x: number, y: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return len2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
}

/** Distance from (x, y) to the segment a–b (a point when a = b). */
export function segmentDistance(ax: number, ay: number, bx: number, by: number, x: number, y: number): number {
  const t = segmentParameter(ax, ay, bx, by, x, y);
  return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay));
}
