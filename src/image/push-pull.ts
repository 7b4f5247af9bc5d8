/**
 * Scattered-data hole filling on an image grid: push-pull pyramid (Gortler et al. 1996, "The
 * Lumigraph") with bilinear push so the fill is smooth, an optional prior that takes over where no
 * data is near at a given scale, and a membrane relaxation that removes the pyramid's kinks.
 */

interface Level {
  width: number;
  height: number;
  /** Σ weight over the base texels this texel covers. */
  sumW: Float64Array;
  /** Σ weight·value per channel, interleaved. */
  sumC: Float64Array;
  /** Base texels per texel (4^level). */
  area: number;
}

function downsample(l: Level, channels: number): Level {
  const width = Math.ceil(l.width / 2);
  const height = Math.ceil(l.height / 2);
  const sumW = new Float64Array(width * height);
  const sumC = new Float64Array(width * height * channels);
  for (let y = 0; y < l.height; y++) {
    const Y = y >> 1;
    for (let x = 0; x < l.width; x++) {
      const p = y * l.width + x;
      const q = Y * width + (x >> 1);
      sumW[q] += l.sumW[p];
      for (let c = 0; c < channels; c++) sumC[q * channels + c] += l.sumC[p * channels + c];
    }
  }
  return { width, height, sumW, sumC, area: l.area * 4 };
}

/** Bilinear sample of a coarse level's `field` at the centre of fine texel (x, y). */
function upsampleInto(coarse: Float64Array, cw: number, ch: number, fine: Float64Array, fw: number, fh: number, channels: number): void {
  for (let y = 0; y < fh; y++) {
    const sy = Math.min(ch - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = sy - y0;
    for (let x = 0; x < fw; x++) {
      const sx = Math.min(cw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = sx - x0;
      const w00 = (1 - tx) * (1 - ty);
      const w10 = tx * (1 - ty);
      const w01 = (1 - tx) * ty;
      const w11 = tx * ty;
      for (let c = 0; c < channels; c++) {
        fine[(y * fw + x) * channels + c] =
          w00 * coarse[(y0 * cw + x0) * channels + c] +
          w10 * coarse[(y0 * cw + x1) * channels + c] +
          w01 * coarse[(y1 * cw + x0) * channels + c] +
          w11 * coarse[(y1 * cw + x1) * channels + c];
      }
    }
  }
}

export interface PushPullOptions {
  /** Value the fill tends to where no data is near (per channel), or null for pure interpolation. */
  prior: ArrayLike<number> | null;
  /**
   * Strength of the prior: at each pyramid level a texel's value is (Σw·v + ε·A·prior)/(Σw + ε·A)
   * with A its area in base texels, so the prior wins where less than a fraction ε of it is seen.
   */
  priorWeight: number;
  /** A coarse texel is used as-is (not interpolated from coarser) once this fraction of it is seen. */
  trustFraction: number;
}

/**
 * Fills an interleaved image where `weight` (0..1 per texel) is below 1: each texel becomes
 * weight·value + (1 − weight)·(smooth interpolation of the surrounding data). Returns a new array.
 */
export function pushPullFill(
  values: Float32Array,
  weight: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  options: PushPullOptions,
): Float32Array {
  const n = width * height;
  const base: Level = { width, height, sumW: new Float64Array(n), sumC: new Float64Array(n * channels), area: 1 };
  for (let p = 0; p < n; p++) {
    const w = Math.min(1, Math.max(0, weight[p]));
    base.sumW[p] = w;
    for (let c = 0; c < channels; c++) base.sumC[p * channels + c] = w * values[p * channels + c];
  }
  const levels: Level[] = [base];
  while (levels[levels.length - 1].width > 1 || levels[levels.length - 1].height > 1) levels.push(downsample(levels[levels.length - 1], channels));

  const eps = options.prior ? options.priorWeight : 0;
  // Normalised value of level l at texel q, blending in the prior.
  const valueAt = (l: Level, q: number, c: number): number => {
    const den = l.sumW[q] + eps * l.area;
    if (den <= 1e-12) return options.prior ? options.prior[c] : 0;
    return (l.sumC[q * channels + c] + (options.prior ? eps * l.area * options.prior[c] : 0)) / den;
  };

  const top = levels[levels.length - 1];
  let filled = new Float64Array(top.width * top.height * channels);
  for (let q = 0; q < top.width * top.height; q++) for (let c = 0; c < channels; c++) filled[q * channels + c] = valueAt(top, q, c);

  for (let li = levels.length - 2; li >= 0; li--) {
    const l = levels[li];
    const coarse = levels[li + 1];
    const up = new Float64Array(l.width * l.height * channels);
    upsampleInto(filled, coarse.width, coarse.height, up, l.width, l.height, channels);
    for (let q = 0; q < l.width * l.height; q++) {
      const beta = li === 0 ? l.sumW[q] : Math.min(1, l.sumW[q] / (options.trustFraction * l.area));
      if (beta <= 0) continue;
      for (let c = 0; c < channels; c++) {
        const i = q * channels + c;
        const own = li === 0 ? values[i] : valueAt(l, q, c);
        up[i] = beta * own + (1 - beta) * up[i];
      }
    }
    filled = up;
  }
  return Float32Array.from(filled);
}

/**
 * Membrane (Laplace) relaxation: minimises Σ w·(x − data)² + Σ |∇x|² by `iterations` Gauss–Seidel
 * sweeps, in place. Texels with weight 1 stay fixed; texels with weight 0 become the mean of their
 * 4-neighbours. Only neighbours with `domain[p] > 0.5` (if given) take part, so separate UV islands
 * do not bleed into each other.
 */
export function relaxMembrane(
  data: Float32Array,
  values: Float32Array,
  weight: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  iterations: number,
  domain?: ArrayLike<number>,
): void {
  const n = width * height;
  const inside = new Uint8Array(n);
  for (let p = 0; p < n; p++) inside[p] = !domain || domain[p] > 0.5 ? 1 : 0;
  // Free texels and their in-domain 4-neighbours, flattened once into typed arrays (the sweeps
  // are the hot loop; building the lists through JS arrays cost as much as the sweeps).
  let freeCount = 0;
  for (let p = 0; p < n; p++) if (weight[p] < 1 && inside[p]) freeCount++;
  const free = new Int32Array(freeCount);
  for (let p = 0, i = 0; p < n; p++) if (weight[p] < 1 && inside[p]) free[i++] = p;
  const nbStart = new Int32Array(free.length + 1);
  const nbs = new Int32Array(4 * free.length);
  const w = new Float32Array(free.length);
  let m = 0;
  for (let i = 0; i < free.length; i++) {
    const p = free[i];
    const x = p % width;
    if (x > 0 && inside[p - 1]) nbs[m++] = p - 1;
    if (x < width - 1 && inside[p + 1]) nbs[m++] = p + 1;
    if (p >= width && inside[p - width]) nbs[m++] = p - width;
    if (p < n - width && inside[p + width]) nbs[m++] = p + width;
    nbStart[i + 1] = m;
    w[i] = Math.max(0, weight[p]);
  }
  const sweep = channels === 3 ? sweepRgb : sweepAnyChannels;
  for (let it = 0; it < iterations; it++) sweep(data, values, free, nbStart, nbs, w, channels);
}

/** One Gauss–Seidel sweep of relaxMembrane: each free texel becomes wi·data + (1 − wi)·mean of its neighbours, channel by channel. */
function sweepAnyChannels(data: Float32Array, values: Float32Array, free: Int32Array, nbStart: Int32Array, nbs: Int32Array, w: Float32Array, channels: number): void {
  for (let i = 0; i < free.length; i++) {
    const a = nbStart[i];
    const b = nbStart[i + 1];
    if (a === b) continue;
    const p = free[i];
    const wi = w[i];
    const inv = (1 - wi) / (b - a);
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let j = a; j < b; j++) s += values[nbs[j] * channels + c];
      values[p * channels + c] = wi * data[p * channels + c] + inv * s;
    }
  }
}

/**
 * sweepAnyChannels for 3 channels, the three sums in one pass over the neighbours: each channel's
 * additions in the same order, so the same bits (a texel is never its own neighbour).
 */
function sweepRgb(data: Float32Array, values: Float32Array, free: Int32Array, nbStart: Int32Array, nbs: Int32Array, w: Float32Array): void {
  for (let i = 0; i < free.length; i++) {
    const a = nbStart[i];
    const b = nbStart[i + 1];
    if (a === b) continue;
    const p3 = free[i] * 3;
    const wi = w[i];
    const inv = (1 - wi) / (b - a);
    let s0 = 0, s1 = 0, s2 = 0;
    for (let j = a; j < b; j++) {
      const q = nbs[j] * 3;
      s0 += values[q];
      s1 += values[q + 1];
      s2 += values[q + 2];
    }
    values[p3] = wi * data[p3] + inv * s0;
    values[p3 + 1] = wi * data[p3 + 1] + inv * s1;
    values[p3 + 2] = wi * data[p3 + 2] + inv * s2;
  }
}
