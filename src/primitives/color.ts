/**
 * Colour primitives, written once: the sRGB transfer (IEC 61966-2-1), Rec. 709 luminance and
 * Rec. 601 luma weights, CIELAB (D65) and the CIEDE2000 colour difference.
 *
 * Nothing here clamps unless its name says so; callers that want 0..1 use the `Clamped` forms or
 * clamp first. Browser-safe (no node: imports): the plugin and sample scenes may import it.
 */

/** sRGB-encoded → linear light (IEC 61966-2-1), unclamped: values outside 0..1 follow the formula. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Linear light → sRGB-encoded (IEC 61966-2-1), unclamped: negatives take the linear segment, NaN stays NaN. */
export function linearToSrgb(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

/** linearToSrgb of v clamped to 0..1 (NaN → 0; v ≥ 1 → exactly 1, which the formula misses by an ulp). */
export function linearToSrgbClamped(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 1;
  return linearToSrgb(v);
}

/** srgbToLinear tabulated over 0..1 (4096 steps, linear interpolation): a whole photo per call otherwise costs a pow per value. */
const SRGB_DECODE_STEPS = 4096;
let srgbDecodeTable: Float32Array | undefined;

/** srgbToLinear through a table (measured |error| < 10⁻⁷), clamping the input to 0..1 (NaN → 0). */
export function srgbToLinearFast(c: number): number {
  srgbDecodeTable ??= Float32Array.from({ length: SRGB_DECODE_STEPS + 1 }, (_, i) => srgbToLinear(i / SRGB_DECODE_STEPS));
  const x = (c > 0 ? (c < 1 ? c : 1) : 0) * SRGB_DECODE_STEPS;
  const i = Math.floor(x);
  if (i >= SRGB_DECODE_STEPS) return 1;
  const f = x - i;
  return srgbDecodeTable[i] * (1 - f) + srgbDecodeTable[i + 1] * f;
}

/** Rec. 709 (= sRGB primaries) luminance weights of linear R, G, B; they sum to 1. */
export const LUMA_709 = [0.2126, 0.7152, 0.0722] as const;

/** Relative luminance Y of a linear sRGB colour (Rec. 709 weights). */
export function luminance(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Rec. 601 luma weights, applied to gamma-encoded values (Y′ of JPEG/YCbCr and of SSIM). */
export const LUMA_601 = [0.299, 0.587, 0.114] as const;

/** Luma Y′ of an encoded colour with Rec. 601 weights. */
export function luma601(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** CIE XYZ of the D65 white with Y = 1 (the CIELAB reference white here). */
export const D65_WHITE_XYZ = [0.95047, 1, 1.08883] as const;

/** CIE XYZ (Y = 1 for white) of a linear sRGB colour: the sRGB primaries' matrix (IEC 61966-2-1). */
export function linearSrgbToXyz(r: number, g: number, b: number): [number, number, number] {
  return [
    0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
    0.2126729 * r + 0.7151522 * g + 0.072175 * b,
    0.0193339 * r + 0.119192 * g + 0.9503041 * b,
  ];
}

/** CIELAB [L*, a*, b*] of a CIE XYZ colour, relative to the D65 white (L* = 100 at white). */
export function xyzToLab(X: number, Y: number, Z: number): [number, number, number] {
  // CIE 15's exact constants (ε = 216/24389, κ = 24389/27) rather than the rounded 0.008856 / 903.3.
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const fx = f(X / D65_WHITE_XYZ[0]), fy = f(Y / D65_WHITE_XYZ[1]), fz = f(Z / D65_WHITE_XYZ[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIELAB (D65 white) of a linear sRGB colour. */
export function linearSrgbToLab(r: number, g: number, b: number): [number, number, number] {
  const [X, Y, Z] = linearSrgbToXyz(r, g, b);
  return xyzToLab(X, Y, Z);
}

/** Linear sRGB of a CIE XYZ colour (Y = 1 for white): the inverse of linearSrgbToXyz's matrix (IEC 61966-2-1). */
export function xyzToLinearSrgb(X: number, Y: number, Z: number): [number, number, number] {
  return [
    3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z,
    -0.969266 * X + 1.8760108 * Y + 0.041556 * Z,
    0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z,
  ];
}

/** CIE XYZ of a CIELAB colour relative to the D65 white: the inverse of xyzToLab (CIE 15). */
export function labToXyz(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
  const inv = (f: number) => (f > 6 / 29 ? f * f * f : (116 * f - 16) / (24389 / 27));
  return [D65_WHITE_XYZ[0] * inv(fx), D65_WHITE_XYZ[1] * inv(fy), D65_WHITE_XYZ[2] * inv(fz)];
}

/** Linear sRGB of a CIELAB (D65 white) colour; out-of-gamut colours come out negative or above 1, unclipped. */
export function labToLinearSrgb(L: number, a: number, b: number): [number, number, number] {
  const [X, Y, Z] = labToXyz(L, a, b);
  return xyzToLinearSrgb(X, Y, Z);
}

/** Parametric weights of CIEDE2000 (all 1 under the reference conditions). */
export interface Ciede2000Weights {
  kL?: number;
  kC?: number;
  kH?: number;
}

const DEG = Math.PI / 180;
const POW25_7 = 25 ** 7;

/** Hue angle in degrees, 0..360; 0 for a neutral colour (a = b = 0), as the formula defines it. */
function hueDeg(a: number, b: number): number {
  if (a === 0 && b === 0) return 0;
  const h = Math.atan2(b, a) / DEG;
  return h < 0 ? h + 360 : h;
}

/**
 * CIEDE2000 colour difference ΔE00 between two CIELAB colours (CIE 142-2001), following the
 * implementation notes of Sharma, Wu & Dalal (2005), including their rules for the hue mean and
 * hue difference when the two hues straddle 0°/360° or one colour is neutral.
 *
 *   ciede2000([50, 2.6772, -79.7751], [50, 0, -82.7485]); // 2.0425
 */
export function ciede2000(lab1: ArrayLike<number>, lab2: ArrayLike<number>, weights: Ciede2000Weights = {}): number {
  const { kL = 1, kC = 1, kH = 1 } = weights;
  const [L1, a1, b1] = [lab1[0], lab1[1], lab1[2]];
  const [L2, a2, b2] = [lab2[0], lab2[1], lab2[2]];
  // a* is stretched for low-chroma colours (G) so that near-neutral hues are not over-weighted.
  const Cbar = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const Cbar7 = Cbar ** 7;
  const G = 0.5 * (1 - Math.sqrt(Cbar7 / (Cbar7 + POW25_7)));
  const a1p = (1 + G) * a1, a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1), C2p = Math.hypot(a2p, b2);
  const h1p = hueDeg(a1p, b1), h2p = hueDeg(a2p, b2);
  const neutral = C1p * C2p === 0;

  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = h2p - h1p;
  if (neutral) dhp = 0;
  else if (dhp > 180) dhp -= 360;
  else if (dhp < -180) dhp += 360;
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * DEG);

  const Lbarp = (L1 + L2) / 2;
  const Cbarp = (C1p + C2p) / 2;
  let hbarp = h1p + h2p;
  if (!neutral) {
    if (Math.abs(h1p - h2p) <= 180) hbarp /= 2;
    else hbarp = hbarp < 360 ? (hbarp + 360) / 2 : (hbarp - 360) / 2;
  }

  const T = 1 - 0.17 * Math.cos((hbarp - 30) * DEG) + 0.24 * Math.cos(2 * hbarp * DEG) + 0.32 * Math.cos((3 * hbarp + 6) * DEG) - 0.2 * Math.cos((4 * hbarp - 63) * DEG);
  const dTheta = 30 * Math.exp(-(((hbarp - 275) / 25) ** 2));
  const Cbarp7 = Cbarp ** 7;
  const RC = 2 * Math.sqrt(Cbarp7 / (Cbarp7 + POW25_7));
  const l50 = (Lbarp - 50) ** 2;
  const SL = 1 + (0.015 * l50) / Math.sqrt(20 + l50);
  const SC = 1 + 0.045 * Cbarp;
  const SH = 1 + 0.015 * Cbarp * T;
  const RT = -Math.sin(2 * dTheta * DEG) * RC;

  const l = dLp / (kL * SL), c = dCp / (kC * SC), h = dHp / (kH * SH);
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}
