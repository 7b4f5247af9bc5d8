/**
 * The polygonal microrelief: skin's primary and secondary lines, which cross to form small
 * plateaus (Bibb 2006, p. 264: polygons 20–200 µm deep). Drawn as the edges of a Voronoi
 * partition of jittered points in atlas millimetres — a network of grooves with polygonal cells,
 * no orientation, no repeat — at two scales (primary cells, and secondary cells subdividing them).
 * Per texel: the distance to the nearest cell edge, (F2 − F1) / 2 of the two nearest points.
 */
import type { Band } from "./features.ts";
import { rand01 } from "./noise.ts";

export interface ReliefScale {
  /** Cell size (mean spacing of the lines), mm. */
  cellMm: number;
  /** Groove depth, mm, at relief multiplier 1. */
  depthMm: number;
  /** Groove half-width, mm. */
  halfWidthMm: number;
  /** Fraction of the relief's specular hidden at a groove's bottom (from its aspect). */
  stream: number;
}

/**
 * Adds one scale of relief to the band. `relief` holds the per-texel multiplier (region mix) for the
 * band's rows (same layout as band.height); texels whose multiplier is 0 are skipped.
 */
export function addRelief(band: Band, relief: Float32Array, texelMm: number, minFeatureTexels: number, scale: ReliefScale, seed: number): void {
  const w = scale.halfWidthMm;
  const wEff = Math.max(w, 0.5 * minFeatureTexels * texelMm);
  const dEff = (scale.depthMm * w) / wEff;
  // A scale whose grooves, at the narrowest width this map draws, would fill more than a third
  // of its cells is not resolved as polygons (only as noise): it is left to the specular
  // roughness, as Graham et al. 2013 leave microstructure below their 4K scans to the BRDF.
  // Its cavities still hide specular: that goes into A_S as their mean over the area — grooves
  // of profile (1 − (b/w)²)² (integral 16w/15 across) along a Voronoi network of about 2/cell
  // of edge length per unit area (2√λ for a Poisson–Voronoi tessellation of density λ = 1/cell²).
  const hiddenAtBottom = 1 - w / Math.hypot(w, scale.depthMm);
  if (dEff < 1e-5 || 6 * wEff > scale.cellMm) {
    // × 0.576, the mean edge strength: E[√w]² for w uniform on 0.2–1.
    const meanLoss = (0.576 * hiddenAtBottom * 2 * 16 * w) / (15 * scale.cellMm);
    for (let i = 0; i < band.loss.length; i++) band.loss[i] += meanLoss * relief[i];
    return;
  }
  const hidden = hiddenAtBottom * (dEff / scale.depthMm);
  const cell = scale.cellMm;
  const first = band.y0 - band.halo, last = band.y1 + band.halo - 1;
  const W = band.width;
  const cy0 = Math.floor((first * texelMm) / cell) - 1, cy1 = Math.floor(((last + 1) * texelMm) / cell) + 1;
  const cols = Math.floor((W * texelMm) / cell) + 3; // cells −1 … cols − 2
  const rowsC = cy1 - cy0 + 1;
  // Feature points of every cell the band can see, in mm.
  const fx = new Float64Array(rowsC * cols), fy = new Float64Array(rowsC * cols), fw = new Float64Array(rowsC * cols);
  for (let j = 0; j < rowsC; j++) {
    for (let i = 0; i < cols; i++) {
      const cx = i - 1, cy = cy0 + j;
      fx[j * cols + i] = (cx + rand01(cx, cy, scale.stream, seed)) * cell;
      fy[j * cols + i] = (cy + rand01(cx, cy, scale.stream + 1, seed)) * cell;
      // Lines are not all alike: each cell's strength, an edge's depth the geometric mean of its two cells' (0.2–1).
      fw[j * cols + i] = 0.2 + 0.8 * rand01(cx, cy, scale.stream + 2, seed);
    }
  }
  const inv = 1 / wEff;
  const cellsPerTexel = texelMm / cell;
  // The nine candidate points change only when x crosses into the next cell: held in locals.
  let ax = 0, ay = 0, bx = 0, by = 0, cx = 0, cy = 0, dx = 0, dy = 0, ex = 0, ey = 0, gx = 0, gy = 0, hx = 0, hy = 0, kx = 0, ky = 0, lx = 0, ly = 0;
  let aw = 0, bw = 0, cw = 0, dw = 0, ew = 0, gw = 0, hw = 0, kw = 0, lw = 0;
  for (let y = first; y <= last; y++) {
    const Y = (y + 0.5) * texelMm;
    const jc = Math.floor(Y / cell) - cy0;
    const row = (y - first) * W;
    const r0 = (jc - 1) * cols, r1 = jc * cols, r2 = (jc + 1) * cols;
    let icLoaded = -1;
    for (let x = 0; x < W; x++) {
      const m = relief[row + x];
      if (m <= 0) continue;
      const X = (x + 0.5) * texelMm;
      const ic = Math.floor((x + 0.5) * cellsPerTexel) + 1;
      if (ic !== icLoaded) {
        icLoaded = ic;
        ax = fx[r0 + ic - 1]; ay = fy[r0 + ic - 1]; bx = fx[r0 + ic]; by = fy[r0 + ic]; cx = fx[r0 + ic + 1]; cy = fy[r0 + ic + 1];
        dx = fx[r1 + ic - 1]; dy = fy[r1 + ic - 1]; ex = fx[r1 + ic]; ey = fy[r1 + ic]; gx = fx[r1 + ic + 1]; gy = fy[r1 + ic + 1];
        hx = fx[r2 + ic - 1]; hy = fy[r2 + ic - 1]; kx = fx[r2 + ic]; ky = fy[r2 + ic]; lx = fx[r2 + ic + 1]; ly = fy[r2 + ic + 1];
        aw = fw[r0 + ic - 1]; bw = fw[r0 + ic]; cw = fw[r0 + ic + 1]; dw = fw[r1 + ic - 1]; ew = fw[r1 + ic]; gw = fw[r1 + ic + 1]; hw = fw[r2 + ic - 1]; kw = fw[r2 + ic]; lw = fw[r2 + ic + 1];
      }
      let f1 = Infinity, f2 = Infinity, q2 = 0, w1 = 0, w2 = 0;
      // Two smallest of nine squared distances.
      q2 = (ax - X) * (ax - X) + (ay - Y) * (ay - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = aw; } else if (q2 < f2) { f2 = q2; w2 = aw; }
      q2 = (bx - X) * (bx - X) + (by - Y) * (by - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = bw; } else if (q2 < f2) { f2 = q2; w2 = bw; }
      q2 = (cx - X) * (cx - X) + (cy - Y) * (cy - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = cw; } else if (q2 < f2) { f2 = q2; w2 = cw; }
      q2 = (dx - X) * (dx - X) + (dy - Y) * (dy - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = dw; } else if (q2 < f2) { f2 = q2; w2 = dw; }
      q2 = (ex - X) * (ex - X) + (ey - Y) * (ey - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = ew; } else if (q2 < f2) { f2 = q2; w2 = ew; }
      q2 = (gx - X) * (gx - X) + (gy - Y) * (gy - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = gw; } else if (q2 < f2) { f2 = q2; w2 = gw; }
      q2 = (hx - X) * (hx - X) + (hy - Y) * (hy - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = hw; } else if (q2 < f2) { f2 = q2; w2 = hw; }
      q2 = (kx - X) * (kx - X) + (ky - Y) * (ky - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = kw; } else if (q2 < f2) { f2 = q2; w2 = kw; }
      q2 = (lx - X) * (lx - X) + (ly - Y) * (ly - Y); if (q2 < f1) { f2 = f1; w2 = w1; f1 = q2; w1 = lw; } else if (q2 < f2) { f2 = q2; w2 = lw; }
      const e = 0.5 * (Math.sqrt(f2) - Math.sqrt(f1)) * inv;
      if (e >= 1) continue;
      const q = 1 - e * e;
      const prof = q * q * m * Math.sqrt(w1 * w2);
      band.height[row + x] -= dEff * prof;
      band.loss[row + x] += hidden * prof;
    }
  }
}
