/**
 * The synthesis' parameters over the atlas, at the region maps' (base) size: each texel's
 * microgeometry statistics are its region weights' mix of the per-region table, so region borders
 * blend as softly as the region maps do. Also the tension-line orientation field, built from where
 * the eyes and the mouth are in this atlas (centroids of the eyelid and lip regions), not from a
 * fixed layout.
 */
import type { ImageF32, RegionMaps } from "../../types.ts";
import { REGION_SHAPE_DEFAULTS } from "../unwrap/regions.ts";
import { MICRO_REGION_KEYS, type LineOrientation, type RegionMicroStats } from "./skin-statistics.ts";

/** Channels of the base-size field. */
export const FIELD = {
  poreDensity: 0, // per mm²
  poreDiameter: 1, // mm
  poreDepth: 2, // mm
  relief: 3, // multiplier
  lineDensity: 4, // per mm²
  lineDepth: 5, // mm
  orientCos2: 6, // cos 2θ of the line direction (weighted)
  orientSin2: 7, // sin 2θ
  hair: 8, // weight of regions whose albedo edges are not geometry (brows, scalp, lips' border, the eyes)
  stretchX: 9, // mm of surface per mm of atlas along x (RegionMaps.texelAxesMm over the median texel; 1 unknown)
  stretchY: 10, // the same along y
  areaStretch: 11, // √(stretchX · stretchY): how many times the median's surface a texel holds, as a length ratio
  count: 12,
} as const;

/** Floor of the stretch channels: a texel holding under a quarter of the median's surface (a fold's far side) is taken as a quarter, which bounds how far a feature's footprint reaches (H). */
const MIN_STRETCH = 0.25;

export interface RegionFields {
  width: number;
  height: number;
  /** FIELD.count channels per texel. */
  data: Float32Array;
  /** Largest pore and line densities anywhere, per mm² (sets the candidate grids). */
  maxPoreDensity: number;
  maxLineDensity: number;
  /** Smallest stretch (either axis) over skin texels: features are at most 1/minStretch their mm size in the atlas. */
  minStretch: number;
}

type Point = { x: number; y: number };

function centroid(w: ImageF32, channel: number, keep: (x: number) => boolean): Point | null {
  let sx = 0, sy = 0, s = 0;
  for (let y = 0; y < w.height; y++) {
    for (let x = 0; x < w.width; x++) {
      if (!keep(x)) continue;
      const v = w.data[(y * w.width + x) * w.channels + channel];
      if (v < 0.5) continue;
      sx += v * x;
      sy += v * y;
      s += v;
    }
  }
  return s > 0 ? { x: sx / s, y: sy / s } : null;
}

/** Doubled-angle vector (cos 2θ, sin 2θ) of direction (dx, dy); horizontal when degenerate. */
function doubled(dx: number, dy: number): [number, number] {
  const r2 = dx * dx + dy * dy;
  return r2 > 1e-9 ? [(dx * dx - dy * dy) / r2, (2 * dx * dy) / r2] : [1, 0];
}

/**
 * How much each base texel is the eye itself rather than lid skin: the eyelid region reaches
 * `reachMm` beyond the eye's contour (unwrap/regions.ts), so texels deeper than that inside the
 * region's 0.5 border are the eye opening. Chamfer distance (3-4 weights) at base size.
 */
function eyeOpening(w: ImageF32, channel: number, baseTexelMm: number, reachMm: number): Float32Array {
  const W = w.width, H = w.height, INF = 1e9;
  const d = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) d[p] = w.data[p * w.channels + channel] >= 0.5 ? INF : 0;
  const relax = (p: number, q: number, c: number) => { if (d[q] + c < d[p]) d[p] = d[q] + c; };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    if (d[p] === 0) continue;
    if (x > 0) relax(p, p - 1, 3);
    if (y > 0) { relax(p, p - W, 3); if (x > 0) relax(p, p - W - 1, 4); if (x < W - 1) relax(p, p - W + 1, 4); }
  }
  for (let y = H - 1; y >= 0; y--) for (let x = W - 1; x >= 0; x--) {
    const p = y * W + x;
    if (d[p] === 0) continue;
    if (x < W - 1) relax(p, p + 1, 3);
    if (y < H - 1) { relax(p, p + W, 3); if (x < W - 1) relax(p, p + W + 1, 4); if (x > 0) relax(p, p + W - 1, 4); }
  }
  const out = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const mm = (d[p] / 3) * baseTexelMm;
    out[p] = Math.min(1, Math.max(0, (mm - (reachMm - 1)) / 2)); // 0 → 1 over 2 mm around the contour
  }
  return out;
}

/**
 * Builds the base-size parameter field from the region maps (`null` regions: all "other skin")
 * and an optional coverage map (0 in the atlas' gutters and holes: no detail there).
 * `baseTexelMm`: mm per texel of the field, the atlas' median (to find the eye openings inside
 * the eyelid region, and as the unit of the stretch channels: the atlas is drawn in mm of this
 * scale, and RegionMaps.texelAxesMm says how much surface a texel covers where it is not median:
 * ≈ 8× on the lofted scalp and neck, 3× on the ears).
 */
export function regionFields(regions: RegionMaps | null, coverage: ImageF32 | null, stats: Record<string, RegionMicroStats>, width: number, height: number, baseTexelMm: number, eyelidReachMm = REGION_SHAPE_DEFAULTS.eyelidReachMm): RegionFields {
  const w = regions?.weights ?? null;
  const W = w?.width ?? width, H = w?.height ?? height;
  const keys = MICRO_REGION_KEYS;
  const table = keys.map((k) => stats[k]);
  const lipsIdx = keys.indexOf("lips"), eyelidIdx = keys.indexOf("eyelids"), browIdx = keys.indexOf("brows"), scalpIdx = keys.indexOf("scalp");
  // Landmarks of this atlas: the mouth's centre, and each eye's centre on its side of the mouth.
  const mouth = w ? centroid(w, lipsIdx, () => true) : null;
  const midX = mouth?.x ?? W / 2;
  const eyeL = w ? centroid(w, eyelidIdx, (x) => x < midX) : null;
  const eyeR = w ? centroid(w, eyelidIdx, (x) => x >= midX) : null;
  const data = new Float32Array(W * H * FIELD.count);
  const n = keys.length - 1;
  const eyes = w ? eyeOpening(w, eyelidIdx, baseTexelMm, eyelidReachMm) : null;
  const axes = regions?.texelAxesMm && regions.texelAxesMm.width === W && regions.texelAxesMm.height === H ? regions.texelAxesMm : null;
  let maxPore = 0, maxLine = 0, minStretch = Infinity;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const o = p * FIELD.count;
      const cov = coverage ? Math.min(1, Math.max(0, coverage.data[(coverage.channels * (Math.min(coverage.height - 1, Math.floor(((y + 0.5) * coverage.height) / H)) * coverage.width + Math.min(coverage.width - 1, Math.floor(((x + 0.5) * coverage.width) / W))))])) : 1;
      let rest = 1;
      const eye = x < midX ? eyeL : eyeR;
      for (let r = 0; r <= n; r++) {
        let weight: number;
        if (r < n) {
          weight = w ? w.data[p * w.channels + r] : 0;
          rest -= weight;
        } else weight = Math.max(0, rest);
        if (weight <= 0) continue;
        const s = table[r];
        const density = (s.poreDensityPerCm2 / 100) * weight;
        data[o + FIELD.poreDensity] += density;
        // Size and depth are averaged with the pore density as weight (what a pore here looks like).
        data[o + FIELD.poreDiameter] += s.poreDiameterMm * density;
        data[o + FIELD.poreDepth] += s.poreDepthMm * density;
        data[o + FIELD.relief] += s.reliefScale * weight;
        const lineDensity = (s.lineDensityPerCm2 / 100) * weight;
        data[o + FIELD.lineDensity] += lineDensity;
        data[o + FIELD.lineDepth] += s.lineDepthMm * lineDensity;
        // Indexed, not destructured: destructuring went through the iterator per texel and region.
        const doubledAngle = orientation(s.lineOrientation, x, y, eye, mouth);
        data[o + FIELD.orientCos2] += doubledAngle[0] * weight;
        data[o + FIELD.orientSin2] += doubledAngle[1] * weight;
        if (r === browIdx || r === scalpIdx || r === lipsIdx) data[o + FIELD.hair] += weight;
      }
      const pd = data[o + FIELD.poreDensity];
      if (pd > 0) {
        data[o + FIELD.poreDiameter] /= pd;
        data[o + FIELD.poreDepth] /= pd;
      }
      const ld = data[o + FIELD.lineDensity];
      if (ld > 0) data[o + FIELD.lineDepth] /= ld;
      // None on the eyes: the eye opening is neither skin nor its albedo edges geometry.
      const eyeOpen = eyes ? eyes[p] : 0;
      const skin = cov * (1 - eyeOpen);
      data[o + FIELD.poreDensity] *= skin;
      data[o + FIELD.relief] *= skin;
      data[o + FIELD.lineDensity] *= skin;
      data[o + FIELD.hair] = Math.min(1, data[o + FIELD.hair] + eyeOpen);
      // Unknown (0: gutters, isolated texels) counts as the median scale; floored at MIN_STRETCH.
      const ax = axes ? axes.data[2 * p] : 0, ay = axes ? axes.data[2 * p + 1] : 0;
      data[o + FIELD.stretchX] = ax > 0 ? Math.max(MIN_STRETCH, ax / baseTexelMm) : 1;
      data[o + FIELD.stretchY] = ay > 0 ? Math.max(MIN_STRETCH, ay / baseTexelMm) : 1;
      data[o + FIELD.areaStretch] = Math.sqrt(data[o + FIELD.stretchX] * data[o + FIELD.stretchY]);
      if (skin > 0) minStretch = Math.min(minStretch, data[o + FIELD.stretchX], data[o + FIELD.stretchY]);
      maxPore = Math.max(maxPore, data[o + FIELD.poreDensity]);
      maxLine = Math.max(maxLine, data[o + FIELD.lineDensity]);
    }
  }
  return { width: W, height: H, data, maxPoreDensity: maxPore, maxLineDensity: maxLine, minStretch: Number.isFinite(minStretch) ? minStretch : 1 };
}

function orientation(kind: LineOrientation, x: number, y: number, eye: Point | null, mouth: Point | null): [number, number] {
  switch (kind) {
    case "horizontal":
      return [1, 0];
    case "radial-eye": {
      // Crow's feet fan out radially beside the eye; on the lids above and below, lines follow the
      // lid margin (tangential). The switch is at 45° from the horizontal.
      if (!eye) return [1, 0];
      const [c, s] = doubled(x - eye.x, y - eye.y);
      return c >= 0 ? [c, s] : [-c, -s];
    }
    case "radial-mouth":
      // Lip lines cross the vermilion: near vertical, fanning a little toward the corners (the
      // horizontal offset is weighted 0.15, so they do not converge to a star at the mouth's centre).
      return mouth ? doubled(0.15 * (x - mouth.x), y - mouth.y) : [-1, 0];
    case "eye-to-mouth":
      return eye && mouth ? doubled(mouth.x - eye.x, mouth.y - eye.y) : [1, 0];
  }
}

/** Bilinear sample of one channel at base-texel coordinates (texel centres at integer + 0.5), clamped. */
export function sampleField(f: RegionFields, channel: number, bx: number, by: number): number {
  const x = Math.min(f.width - 1, Math.max(0, bx - 0.5)), y = Math.min(f.height - 1, Math.max(0, by - 0.5));
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(f.width - 1, x0 + 1), y1 = Math.min(f.height - 1, y0 + 1);
  const fx = x - x0, fy = y - y0;
  const C = FIELD.count, d = f.data;
  const a = d[(y0 * f.width + x0) * C + channel], b = d[(y0 * f.width + x1) * C + channel];
  const c = d[(y1 * f.width + x0) * C + channel], e = d[(y1 * f.width + x1) * C + channel];
  return (a + (b - a) * fx) * (1 - fy) + (c + (e - c) * fx) * fy;
}
