/**
 * Mirror fill through the atlas's left/right symmetry: the low-frequency exposure gain between
 * each side and its mirror, and the blend of the gain-matched mirror into texels not well seen.
 */
import { blurPlane, weightedBlur } from "../../image/box-blur.ts";
import { pushPullFill } from "../../image/push-pull.ts";
import type { Grid } from "./grid.ts";
import { mapF32 } from "../../primitives/typed-array.ts";

/** The options the mirror fill reads (CompleteOptions' fields of the same names). */
export interface MirrorOptions {
  gainSigma: number;
  gainMinSupport: number;
  maxGain: number;
  pushPullTrust: number;
  mirrorTrust: number;
  smallHoleSupport: [number, number];
  mirrorTrustSigma: number;
  mirrorSmoothSigma: number;
  seenLevel: number;
}

/** The default mirror: texel (x, y) ↔ (W − 1 − x, y), i.e. u → 1 − u. */
export function flipUMirror(width: number, height: number): Int32Array {
  const m = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) m[y * width + x] = y * width + (width - 1 - x);
  return m;
}

/**
 * Exposure matching: low-frequency log gain between each texel's neighbourhood and its mirror's,
 * measured where both are seen, then extrapolated by push-pull. The field is antisymmetric
 * (gain(m) = 1/gain(p)), so it is stored and extrapolated on one side of each pair only (p < m);
 * otherwise the coarse levels of the fill would average the two signs to zero.
 */
export function mirrorExposureGain(T: Float32Array, c: Float32Array, mirror: Int32Array, grid: Grid, o: MirrorOptions): Float32Array {
  const { width, height, channels, covered } = grid;
  const n = width * height;
  const sigma = Math.max(1, o.gainSigma * width);
  const { values: local, support } = weightedBlur(T, channels, c, width, height, sigma);
  const logGain = new Float32Array(n * channels);
  const gainWeight = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const m = mirror[p];
    if (m <= p || !covered(p) || !covered(m)) continue;
    const s = Math.min(support[p], support[m]);
    if (s < o.gainMinSupport) continue;
    gainWeight[p] = s;
    for (let k = 0; k < channels; k++) {
      const a = local[p * channels + k];
      const b = local[m * channels + k];
      const g = a > 1e-6 && b > 1e-6 ? Math.log(a / b) : 0;
      logGain[p * channels + k] = Math.max(-Math.log(o.maxGain), Math.min(Math.log(o.maxGain), g));
    }
  }
  return pushPullFill(logGain, gainWeight, width, height, channels, { prior: null, priorWeight: 0, trustFraction: o.pushPullTrust });
}

/**
 * Mirror fill: blends the gain-matched mirror texel into texels that are not well seen. The blend
 * weights come from the confidence smoothed over a couple of texels, not texel by texel: confidence
 * is speckled (occluder specks, the hair floor), and per-texel weights mixed each texel with its
 * mirror in a different ratio, a patchwork of squares wherever the two sides differ (an
 * asymmetric hairline). A small hole inside seen texture is left to the fill from its own
 * neighbours for the same reason. Returns the blend, its confidence c1, and how many covered texels reach seenLevel.
 */
export function mirrorFill(T: Float32Array, c: Float32Array, mirror: Int32Array, gainFill: Float32Array, grid: Grid, o: MirrorOptions): { mixed: Float32Array; c1: Float32Array; mirrored: number } {
  const { width, height, channels, covered } = grid;
  const n = width * height;
  const { selfTrust, smallHole } = mirrorBlendWeights(c, width, height, o.mirrorTrust, o.smallHoleSupport, o.mirrorTrustSigma, o.seenLevel);
  // The gain-matched mirror colour and how much each texel wants it, then both smoothed over a
  // texel or so: along an island's rim the mirror texel falls in and out of its own island every
  // other texel, and an unsmoothed blend turned that into a hatch.
  const mirrorColor = new Float32Array(n * channels);
  const mirrorWant = new Float32Array(n);
  const wSelf = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const m = mirror[p];
    wSelf[p] = c[p] > 0 ? selfTrust[p] : 0;
    if (m < 0 || !covered(p) || c[m] <= 0) continue;
    mirrorWant[p] = (1 - wSelf[p]) * selfTrust[m] * (1 - smallHole[p]);
    for (let k = 0; k < channels; k++) {
      const logG = m > p ? gainFill[p * channels + k] : m < p ? -gainFill[m * channels + k] : 0;
      mirrorColor[p * channels + k] = Math.exp(logG) * T[m * channels + k];
    }
  }
  const mirrorSmooth = weightedBlur(mirrorColor, channels, mirrorWant, width, height, o.mirrorSmoothSigma);
  const mixed = new Float32Array(n * channels);
  const c1 = new Float32Array(n);
  let mirrored = 0;
  for (let p = 0; p < n; p++) {
    const wMirror = covered(p) ? Math.min(1 - wSelf[p], mirrorSmooth.support[p]) : 0;
    c1[p] = wSelf[p] + wMirror;
    if (c1[p] >= o.seenLevel && covered(p)) mirrored++;
    for (let k = 0; k < channels; k++) {
      const own = wSelf[p] > 0 ? T[p * channels + k] : 0;
      const other = wMirror > 0 ? mirrorSmooth.values[p * channels + k] : 0;
      mixed[p * channels + k] = c1[p] > 0 ? (wSelf[p] * own + wMirror * other) / c1[p] : 0;
    }
  }
  return { mixed, c1, mirrored };
}

/**
 * Mirror-blend weights from the confidence smoothed by blurPlane at `sigma` (σ ≈ 1.4 texels at 1.5).
 * `selfTrust`: how far a texel's own data is kept, ramping to 1 at a smoothed confidence of `trust`.
 * `smallHole`: how much an unseen texel (below `seenLevel`) is a small hole (its neighbourhood well
 * seen, ramped over `support`), which its neighbours fill better than its mirror; the inside and
 * the rim of a large unseen area score 0.
 */
function mirrorBlendWeights(conf: Float32Array, width: number, height: number, trust: number, support: [number, number], sigma: number, seenLevel: number): { selfTrust: Float32Array; smallHole: Float32Array } {
  const plane = Float64Array.from(conf);
  blurPlane(plane, width, height, sigma);
  const [lo, hi] = support;
  const selfTrust = mapF32(plane, (v, p) => Math.min(1, Math.max(conf[p], v) / trust));
  const smallHole = mapF32(plane, (v, p) => (conf[p] >= seenLevel ? 0 : Math.min(1, Math.max(0, (v - lo) / (hi - lo)))));
  return { selfTrust, smallHole };
}
