/**
 * How much surface detail N_S carries, per facial region: the RMS slope of its deviation from the
 * mesh's normal N_T (tan of the angle between them, over texels whose region weight is ≥ 0.5),
 * and the radially averaged power spectrum of that deviation's slope in cycles per millimetre,
 * so that a pore-scale pattern (≈ 1–3 cycles/mm) can be told from fold-scale shading
 * (< 0.5 cycles/mm). Reference values to compare with are in docs/evaluation.md.
 */
import { FACE_REGIONS, type ImageF32, type RegionMaps } from "../src/types.ts";

export interface RegionDetail {
  /** RMS of tan(angle(N_S, N_T)) over the region's texels. */
  slopeRms: number;
  /** Texels measured. */
  texels: number;
  /** Radially averaged power of the detail slope (x component) per band; `bandsCyclesPerMm` gives the band edges. */
  spectrum: number[];
}

export interface NormalDetail {
  texelSizeMm: number;
  /** Band edges of every region's `spectrum`, cycles/mm (n + 1 edges for n bands). */
  bandsCyclesPerMm: number[];
  regions: Partial<Record<(typeof FACE_REGIONS)[number], RegionDetail>>;
}

/** Side of the square patches the spectrum is taken over, texels (a few at each region's centre). */
const PATCH = 32;

function bilinear3(img: ImageF32, fx: number, fy: number, out: number[]): void {
  const x = Math.min(img.width - 1, Math.max(0, fx - 0.5)), y = Math.min(img.height - 1, Math.max(0, fy - 0.5));
  const x0 = Math.floor(x), y0 = Math.floor(y), x1 = Math.min(img.width - 1, x0 + 1), y1 = Math.min(img.height - 1, y0 + 1);
  const ax = x - x0, ay = y - y0, d = img.data, c = img.channels;
  for (let k = 0; k < 3; k++) {
    const a = d[(y0 * img.width + x0) * c + k], b = d[(y0 * img.width + x1) * c + k];
    const e = d[(y1 * img.width + x0) * c + k], f = d[(y1 * img.width + x1) * c + k];
    out[k] = (a + (b - a) * ax) * (1 - ay) + (e + (f - e) * ax) * ay;
  }
}

/** Slope of N_S relative to N_T in N_T's frame (x and y components), at full-size texel (x, y). */
function detailSlope(ns: ImageF32, nt: ImageF32, x: number, y: number, tmp: number[]): [number, number] {
  bilinear3(nt, ((x + 0.5) * nt.width) / ns.width, ((y + 0.5) * nt.height) / ns.height, tmp);
  const p = (y * ns.width + x) * 3;
  const sx = ns.data[p], sy = ns.data[p + 1], sz = ns.data[p + 2];
  const l = Math.hypot(tmp[0], tmp[1], tmp[2]) || 1;
  const tx = tmp[0] / l, ty = tmp[1] / l, tz = tmp[2] / l;
  // A frame around N_T (the slopes are small, so any orthonormal completion does).
  let ax = 1 - tx * tx, ay = -tx * ty, az = -tx * tz;
  const al = Math.hypot(ax, ay, az) || 1;
  ax /= al; ay /= al; az /= al;
  const bx = ty * az - tz * ay, by = tz * ax - tx * az, bz = tx * ay - ty * ax;
  const n = Math.max(1e-3, sx * tx + sy * ty + sz * tz);
  return [(sx * ax + sy * ay + sz * az) / n, (sx * bx + sy * by + sz * bz) / n];
}

/**
 * Measures N_S's detail per region. `stride` subsamples the RMS (every stride-th texel per axis);
 * the spectrum always uses full-resolution patches.
 */
export function normalDetail(ns: ImageF32, nt: ImageF32, regions: RegionMaps, texelSizeMm: number, stride = 2): NormalDetail {
  const rw = regions.weights;
  const nyquist = 0.5 / texelSizeMm;
  const bands = [0, 0.25, 0.5, 1, 2, 4, 8].filter((b) => b < nyquist).concat([nyquist]);
  const out: NormalDetail = { texelSizeMm, bandsCyclesPerMm: bands, regions: {} };
  const tmp = [0, 0, 0];
  const region = (x: number, y: number, r: number) => rw.data[(Math.min(rw.height - 1, Math.floor(((y + 0.5) * rw.height) / ns.height)) * rw.width + Math.min(rw.width - 1, Math.floor(((x + 0.5) * rw.width) / ns.width))) * rw.channels + r];
  FACE_REGIONS.forEach((name, r) => {
    let sum = 0, n = 0, cx = 0, cy = 0;
    for (let y = 0; y < ns.height; y += stride) {
      for (let x = 0; x < ns.width; x += stride) {
        if (region(x, y, r) < 0.5) continue;
        const [a, b] = detailSlope(ns, nt, x, y, tmp);
        sum += a * a + b * b;
        n++;
        cx += x;
        cy += y;
      }
    }
    if (n === 0) return;
    out.regions[name] = { slopeRms: Math.sqrt(sum / n), texels: n, spectrum: spectrumAt(ns, nt, Math.round(cx / n), Math.round(cy / n), texelSizeMm, bands, tmp) };
  });
  return out;
}

/** Radially averaged power of the detail's x slope over a PATCH² window (Hann-tapered DFT), per band. */
function spectrumAt(ns: ImageF32, nt: ImageF32, cx: number, cy: number, texelSizeMm: number, bands: number[], tmp: number[]): number[] {
  const P = Math.min(PATCH, ns.width, ns.height);
  const x0 = Math.max(0, Math.min(ns.width - P, cx - P / 2)), y0 = Math.max(0, Math.min(ns.height - P, cy - P / 2));
  const v = new Float64Array(P * P);
  let mean = 0;
  for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) mean += v[y * P + x] = detailSlope(ns, nt, x0 + x, y0 + y, tmp)[0];
  mean /= P * P;
  for (let y = 0; y < P; y++) {
    for (let x = 0; x < P; x++) {
      const w = (0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / P)) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / P));
      v[y * P + x] = (v[y * P + x] - mean) * w;
    }
  }
  const power = new Array(bands.length - 1).fill(0), count = new Array(bands.length - 1).fill(0);
  // Separable DFT: rows, then columns.
  const re = new Float64Array(P * P), im = new Float64Array(P * P);
  for (let y = 0; y < P; y++) {
    for (let k = 0; k < P; k++) {
      let a = 0, b = 0;
      for (let x = 0; x < P; x++) {
        const ang = (-2 * Math.PI * k * x) / P;
        a += v[y * P + x] * Math.cos(ang);
        b += v[y * P + x] * Math.sin(ang);
      }
      re[y * P + k] = a;
      im[y * P + k] = b;
    }
  }
  for (let k = 0; k < P; k++) {
    for (let l = 0; l < P; l++) {
      let a = 0, b = 0;
      for (let y = 0; y < P; y++) {
        const ang = (-2 * Math.PI * l * y) / P, c = Math.cos(ang), s = Math.sin(ang);
        a += re[y * P + k] * c - im[y * P + k] * s;
        b += re[y * P + k] * s + im[y * P + k] * c;
      }
      const fx = (k <= P / 2 ? k : k - P) / (P * texelSizeMm), fy = (l <= P / 2 ? l : l - P) / (P * texelSizeMm);
      const f = Math.hypot(fx, fy);
      for (let i = 0; i < bands.length - 1; i++) {
        if (f >= bands[i] && f < bands[i + 1]) {
          power[i] += (a * a + b * b) / (P * P);
          count[i]++;
          break;
        }
      }
    }
  }
  return power.map((p, i) => (count[i] ? p / count[i] : 0));
}
