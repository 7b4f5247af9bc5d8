/**
 * Sparse features stamped into a band of the height field: pores (round funnels on the primary
 * furrow network's nodes) and fine lines (short grooves along the local tension-line direction).
 * Fine-line candidates come from a jittered grid in atlas millimetres — one per cell, kept with
 * probability density × cell area — so the pattern
 * is as dense as the region says, never repeats, and a band sees exactly the features whose
 * footprint reaches it (bands are independent: the result does not depend on the band size).
 *
 * Each stamp also adds to an occlusion buffer: the share of the specular lobe a cavity hides at
 * its bottom, scaled by the relative depth at the texel (see `Band.loss`).
 */
import { FIELD, sampleField, type RegionFields } from "./region-fields.ts";
import { rand01 } from "./noise.ts";
import { hashChannel, networkNodes } from "./relief.ts";
import type { Band, StampScale } from "./band.ts";

const STREAM_LINE = 2;

function rowsOf(band: Band): { first: number; last: number } {
  return { first: band.y0 - band.halo, last: band.y1 + band.halo - 1 };
}

/** Where pores sit: the nodes of the primary furrow network (hair follicles open where furrows cross, relief.ts). */
export interface PoreSites {
  /** Primary network's lattice spacing, mm. */
  cellMm: number;
  /** Primary network's hash stream. */
  stream: number;
}

/**
 * Stamps the pores whose funnels reach the band: each node of the primary network carries a pore
 * with probability density × the node's share of the surface (a²·√3/2 of atlas, times the local
 * stretch's area factor; at most one pore per node), so the region's pores per cm² hold while
 * every pore sits on a furrow crossing. A pore's size is in mm of surface: where the atlas is
 * stretched (FIELD.stretchX/Y) it is drawn as an ellipse of radii r/stretch.
 */
export function stampPores(band: Band, field: RegionFields, scale: StampScale, strength: number, sites: PoreSites): void {
  if (field.maxPoreDensity <= 0 || strength <= 0) return;
  const t = scale.texelMm;
  const nodeArea = sites.cellMm * sites.cellMm * (Math.sqrt(3) / 2);
  const maxRadius = (0.5 * 0.5 * 1.4) / field.minStretch + t * scale.minFeatureTexels; // ≥ the largest diameter in the table × jitter
  const seed = scale.seed;
  const wMin = 0.5 * scale.minFeatureTexels * t;
  networkNodes(band, field, scale, sites.cellMm, sites.stream, maxRadius, (node) => {
    const s = (slot: number) => rand01(node.i, node.j, hashChannel(sites.stream, node.k, 11 + slot), seed);
    const bx = node.x / t / scale.fullPerBase, by = node.y / t / scale.fullPerBase;
    const density = sampleField(field, FIELD.poreDensity, bx, by);
    const sx = sampleField(field, FIELD.stretchX, bx, by), sy = sampleField(field, FIELD.stretchY, bx, by);
    if (s(0) >= density * nodeArea * sx * sy * node.weight) return;
    const diameter = sampleField(field, FIELD.poreDiameter, bx, by);
    const depth0 = sampleField(field, FIELD.poreDepth, bx, by) * strength;
    if (!(diameter > 0 && depth0 > 0)) return;
    // Sizes spread ±40 % around the regional value (Flament 2015 report a size distribution, not one size).
    const jitter = 0.6 + 0.8 * s(1);
    const r = 0.5 * diameter * jitter;
    const d = depth0 * jitter;
    // Cosine-weighted share of the sky seen from the bottom of a round hole of radius r, depth d: sin²α, tan α = r/d.
    const hidden = 1 - (r * r) / (r * r + d * d);
    // Atlas radii, widened to the narrowest feature drawn with the funnel's volume kept.
    const rx = r / sx, ry = r / sy;
    const rxEff = Math.max(rx, wMin), ryEff = Math.max(ry, wMin);
    const dEff = d * ((rx * ry) / (rxEff * ryEff));
    stampEllipse(band, node.x / t - 0.5, node.y / t - 0.5, rxEff / t, ryEff / t, dEff, (hidden * dEff) / d);
  });
}

/** A smooth funnel (1 − ρ²)² of radii (rx, ry) texels centred at (cx, cy) in texel-index coordinates. */
function stampEllipse(band: Band, cx: number, cy: number, rx: number, ry: number, depth: number, hidden: number): void {
  const { first, last } = rowsOf(band);
  const yA = Math.max(first, Math.ceil(cy - ry)), yB = Math.min(last, Math.floor(cy + ry));
  const ix2 = 1 / (rx * rx), iy2 = 1 / (ry * ry);
  for (let y = yA; y <= yB; y++) {
    const dy = y - cy;
    const span = rx * Math.sqrt(Math.max(0, 1 - dy * dy * iy2));
    const xA = Math.max(0, Math.ceil(cx - span)), xB = Math.min(band.width - 1, Math.floor(cx + span));
    const row = (y - first) * band.width;
    for (let x = xA; x <= xB; x++) {
      const dx = x - cx;
      const q = 1 - dx * dx * ix2 - dy * dy * iy2;
      if (q <= 0) continue;
      const prof = q * q;
      band.height[row + x] -= depth * prof;
      band.loss[row + x] += hidden * prof;
    }
  }
}

/**
 * Stamps the fine lines whose grooves reach the band. Lengths and widths are mm of surface: where
 * the atlas is stretched, a line is drawn shorter along its direction and narrower across it.
 */
export function stampLines(band: Band, field: RegionFields, scale: StampScale, strength: number, halfWidthMm: number, lengthMm: [number, number]): void {
  if (field.maxLineDensity <= 0 || strength <= 0) return;
  const t = scale.texelMm;
  const cell = 1 / Math.sqrt(field.maxLineDensity);
  const wMin = 0.5 * scale.minFeatureTexels * t;
  const reach = (lengthMm[1] / 2 + halfWidthMm) / field.minStretch + t * scale.minFeatureTexels;
  const { first, last } = rowsOf(band);
  const cy0 = Math.floor((first * t - reach) / cell), cy1 = Math.floor(((last + 1) * t + reach) / cell);
  const cx1 = Math.floor((band.width * t) / cell);
  const seed = scale.seed;
  const s = (cx: number, cy: number, k: number) => rand01(cx, cy, STREAM_LINE * 8 + k, seed);
  for (let cy = cy0; cy <= cy1; cy++) {
    for (let cx = 0; cx <= cx1; cx++) {
      const px = (cx + s(cx, cy, 0)) * cell, py = (cy + s(cx, cy, 1)) * cell;
      const bx = px / t / scale.fullPerBase, by = py / t / scale.fullPerBase;
      const density = sampleField(field, FIELD.lineDensity, bx, by);
      const sx = sampleField(field, FIELD.stretchX, bx, by), sy = sampleField(field, FIELD.stretchY, bx, by);
      if (s(cx, cy, 2) >= density * cell * cell * sx * sy) continue;
      const depth = sampleField(field, FIELD.lineDepth, bx, by) * strength * (0.6 + 0.8 * s(cx, cy, 3));
      if (!(depth > 0)) continue;
      const c2 = sampleField(field, FIELD.orientCos2, bx, by), s2 = sampleField(field, FIELD.orientSin2, bx, by);
      // Direction from the doubled-angle mean, with a ±8° spread between neighbouring lines.
      const theta = 0.5 * Math.atan2(s2, c2) + (s(cx, cy, 4) - 0.5) * 0.28;
      const ux = Math.cos(theta), uy = Math.sin(theta);
      const len = lengthMm[0] + (lengthMm[1] - lengthMm[0]) * s(cx, cy, 5);
      const w = halfWidthMm * (0.7 + 0.6 * s(cx, cy, 6));
      // A V-shaped groove of half-width w and depth d sees sin α of the sky from its bottom (2D slit), tan α = w/d.
      const hidden = 1 - w / Math.hypot(w, depth);
      // Surface mm per atlas mm along the line and across it.
      const along = Math.hypot(sx * ux, sy * uy), across = Math.hypot(sx * uy, sy * ux);
      const wAtlas = w / across;
      const wEff = Math.max(wAtlas, wMin);
      const dEff = depth * (wAtlas / wEff);
      stampSegment(band, px / t - 0.5, py / t - 0.5, ux, uy, len / along / 2 / t, wEff / t, dEff, (hidden * dEff) / depth);
    }
  }
}

/**
 * A groove along unit direction (ux, uy) through (cx, cy), half-length `half` and half-width `hw`
 * (texels): profile (1 − (b/hw)²)² across, tapering as (1 − (a/half)²)² along.
 */
function stampSegment(band: Band, cx: number, cy: number, ux: number, uy: number, half: number, hw: number, depth: number, hidden: number): void {
  const { first, last } = rowsOf(band);
  const ey = Math.abs(uy) * half + Math.abs(ux) * hw;
  const yA = Math.max(first, Math.ceil(cy - ey)), yB = Math.min(last, Math.floor(cy + ey));
  const ex = Math.abs(ux) * half + Math.abs(uy) * hw;
  for (let y = yA; y <= yB; y++) {
    const dy = y - cy;
    const xA = Math.max(0, Math.ceil(cx - ex)), xB = Math.min(band.width - 1, Math.floor(cx + ex));
    const row = (y - first) * band.width;
    for (let x = xA; x <= xB; x++) {
      const dx = x - cx;
      const a = (dx * ux + dy * uy) / half;
      if (a <= -1 || a >= 1) continue;
      const b = (dy * ux - dx * uy) / hw;
      if (b <= -1 || b >= 1) continue;
      const q = 1 - b * b;
      // Both ends taper smoothly to nothing (a linear taper draws a needle's point).
      const along = 1 - a * a;
      const prof = q * q * along * along;
      band.height[row + x] -= depth * prof;
      band.loss[row + x] += hidden * prof;
    }
  }
}
