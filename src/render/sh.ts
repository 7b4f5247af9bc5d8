/**
 * Second-order real spherical harmonics for distant lighting (Ramamoorthi & Hanrahan 2001,
 * "An Efficient Representation for Irradiance Environment Maps").
 *
 * Basis order k = 0..8: (0,0), (1,−1), (1,0), (1,1), (2,−2), (2,−1), (2,0), (2,1), (2,2), with
 * Y1−1 ∝ y, Y10 ∝ z, Y11 ∝ x in object space (glTF axes). Coefficients are stored k-major, RGB
 * inner: index k·3 + c.
 *
 * Radiance coefficients L_lm turn into irradiance by the clamped-cosine convolution
 * E(n) = Σ Â_l L_lm Y_lm(n), Â = (π, 2π/3, π/4); a Lambertian surface of albedo a reflects a·E/π.
 */
import { LUMA_709 } from "../primitives/color.ts";

/** Number of SH basis functions up to band 2. */
export const SH_COUNT = 9;

/** Band l of each basis function. */
export const SH_BAND = [0, 1, 1, 1, 2, 2, 2, 2, 2] as const;

/** Clamped-cosine convolution factor Â_l per band. */
export const SH_COSINE_LOBE = [Math.PI, (2 * Math.PI) / 3, Math.PI / 4] as const;

const C0 = 0.28209479177387814; // 1/(2√π)
const C1 = 0.4886025119029199; // √3/(2√π)
const C2 = 1.0925484305920792; // √15/(2√π)
const C20 = 0.31539156525252005; // √5/(4√π)
const C22 = 0.5462742152960396; // √15/(4√π)

/** Writes the 9 basis values at unit direction (x, y, z) into `out` (length ≥ 9) at `offset`. */
export function shBasis(x: number, y: number, z: number, out: Float64Array | Float32Array, offset = 0): void {
  out[offset] = C0;
  out[offset + 1] = C1 * y;
  out[offset + 2] = C1 * z;
  out[offset + 3] = C1 * x;
  out[offset + 4] = C2 * x * y;
  out[offset + 5] = C2 * y * z;
  out[offset + 6] = C20 * (3 * z * z - 1);
  out[offset + 7] = C2 * x * z;
  out[offset + 8] = C22 * (x * x - y * y);
}

/** Radiance coefficients (27, k·3+c) → irradiance coefficients: each band multiplied by Â_l. */
export function radianceToIrradiance(radiance: ArrayLike<number>): Float64Array {
  const out = new Float64Array(27);
  for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) out[k * 3 + c] = radiance[k * 3 + c] * SH_COSINE_LOBE[SH_BAND[k]];
  return out;
}

/** Irradiance coefficients → radiance coefficients (inverse of radianceToIrradiance). */
export function irradianceToRadiance(irradiance: ArrayLike<number>): Float64Array {
  const out = new Float64Array(27);
  for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) out[k * 3 + c] = irradiance[k * 3 + c] / SH_COSINE_LOBE[SH_BAND[k]];
  return out;
}

/**
 * Evaluates Σ_k coeffs[k·3+c]·Y_k(n) per texel of a 3-channel normal image (HWC, unit vectors)
 * into a new 3-channel array. With irradiance coefficients this is E(n).
 */
export function evaluateShImage(coeffs: ArrayLike<number>, normals: Float32Array, texels: number): Float32Array {
  const out = new Float32Array(texels * 3);
  const y = new Float64Array(SH_COUNT);
  for (let p = 0; p < texels; p++) {
    shBasis(normals[p * 3], normals[p * 3 + 1], normals[p * 3 + 2], y);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < SH_COUNT; k++) s += coeffs[k * 3 + c] * y[k];
      out[p * 3 + c] = s;
    }
  }
  return out;
}

/**
 * Direction of the dominant light from radiance coefficients: the luminance of the band-1 terms
 * points toward the light (for a single directional light it is exactly its direction).
 * Returns a unit vector in object space, or (0, 0, 1) for lighting with no band-1 energy.
 */
export function dominantDirection(radiance: ArrayLike<number>): [number, number, number] {
  const lum = (k: number) => LUMA_709[0] * radiance[k * 3] + LUMA_709[1] * radiance[k * 3 + 1] + LUMA_709[2] * radiance[k * 3 + 2];
  const x = lum(3);
  const y = lum(1);
  const z = lum(2);
  const n = Math.hypot(x, y, z);
  return n > 1e-12 ? [x / n, y / n, z / n] : [0, 0, 1];
}

/**
 * Radiance coefficients of a directional light of RGB radiance `color` (times solid angle) toward
 * unit `direction`, plus a uniform ambient radiance `ambient`: L_lm = color·Y_lm(d) + ambient·√(4π)·δ_l0.
 */
export function directionalLightSh(direction: [number, number, number], color: [number, number, number], ambient: [number, number, number]): Float64Array {
  const y = new Float64Array(SH_COUNT);
  const [dx, dy, dz] = direction;
  const n = Math.hypot(dx, dy, dz);
  shBasis(dx / n, dy / n, dz / n, y);
  const out = new Float64Array(27);
  for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) out[k * 3 + c] = color[c] * y[k];
  for (let c = 0; c < 3; c++) out[c] += ambient[c] * Math.sqrt(4 * Math.PI);
  return out;
}

/**
 * Solves the symmetric positive-definite system A·x = b (n×n, row-major) by Cholesky
 * factorisation; A is overwritten. Throws if A is not positive definite (add a ridge first).
 */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) throw new Error(`solveSpd: matrix not positive definite at row ${j} (pivot ${d})`);
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= a[i * n + k] * x[k];
    x[i] = s / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= a[k * n + i] * x[k];
    x[i] = s / a[i * n + i];
  }
  return x;
}

/**
 * The direction of maximum irradiance luminance among the directions the data covers: the light
 * is only known over the normals that were seen, and there the SH bands trade off (over a
 * hemisphere, Y00, Y10 and Y20 are nearly collinear), so band 1 alone can point far from the
 * light. `normals` are unit xyz triplets of seen texels; candidate directions within 12° of one
 * of them count as covered. Falls back to dominantDirection when nothing is covered. Also returns
 * the largest and smallest irradiance luminance over the covered directions.
 */
export function brightestSeenDirection(
  irradiance: ArrayLike<number>,
  normals: ArrayLike<number>,
  count: number,
): { direction: [number, number, number]; maxLuminance: number; minLuminance: number } {
  const candidates = 2048;
  const golden = Math.PI * (3 - Math.sqrt(5));
  const dirs = new Float64Array(candidates * 3);
  for (let i = 0; i < candidates; i++) {
    const y = 1 - (2 * (i + 0.5)) / candidates;
    const r = Math.sqrt(1 - y * y);
    dirs[i * 3] = Math.cos(golden * i) * r;
    dirs[i * 3 + 1] = y;
    dirs[i * 3 + 2] = Math.sin(golden * i) * r;
  }
  const covered = new Uint8Array(candidates);
  const cosLimit = Math.cos((12 * Math.PI) / 180);
  const step = Math.max(1, Math.floor(count / 4096));
  for (let j = 0; j < count; j += step) {
    const nx = normals[j * 3];
    const ny = normals[j * 3 + 1];
    const nz = normals[j * 3 + 2];
    for (let i = 0; i < candidates; i++) if (!covered[i] && dirs[i * 3] * nx + dirs[i * 3 + 1] * ny + dirs[i * 3 + 2] * nz > cosLimit) covered[i] = 1;
  }
  const y = new Float64Array(SH_COUNT);
  const lum = new Float64Array(candidates).fill(-Infinity);
  let best = -Infinity;
  let worst = Infinity;
  for (let i = 0; i < candidates; i++) {
    if (!covered[i]) continue;
    shBasis(dirs[i * 3], dirs[i * 3 + 1], dirs[i * 3 + 2], y);
    let s = 0;
    for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) s += LUMA_709[c] * irradiance[k * 3 + c] * y[k];
    lum[i] = s;
    best = Math.max(best, s);
    worst = Math.min(worst, s);
  }
  if (best === -Infinity) return { direction: dominantDirection(irradianceToRadiance(irradiance)), maxLuminance: 0, minLuminance: 0 };
  // Refine: mean of the covered directions within 1 % of the maximum.
  let x = 0;
  let yy = 0;
  let z = 0;
  for (let i = 0; i < candidates; i++) {
    const w = lum[i] - (best - 0.01 * Math.abs(best));
    if (w <= 0) continue;
    x += w * dirs[i * 3];
    yy += w * dirs[i * 3 + 1];
    z += w * dirs[i * 3 + 2];
  }
  const n = Math.hypot(x, yy, z);
  return { direction: [x / n, yy / n, z / n], maxLuminance: best, minLuminance: worst };
}
