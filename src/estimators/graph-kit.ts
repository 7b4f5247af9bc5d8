/**
 * Building blocks for the built-in image estimators (fixed-weight ONNX graphs): image I/O,
 * colour transfer functions, channel mixing, Gaussian blurs whose cost does not grow with the
 * radius, and finite-difference gradients. Every block reports the receptive-field radius it
 * adds, so the manifest can state it honestly.
 *
 * Layout: NCHW throughout, inputs and outputs included (the manifests say layout "nchw"). ONNX
 * Runtime's CPU kernels broadcast a per-pixel plane [1, 1, H, W] over [1, C, H, W] ten times
 * faster than a per-pixel [.., 1] over NHWC's [.., C] (measured: 23 vs 211 ms for ten Muls on
 * 1024² × 3), and every per-texel vector operation here is such a broadcast.
 */
import { OnnxGraphBuilder } from "../models/onnx-graph.ts";

/** A big end index for Slice ("to the end"). */
const TO_END = 2 ** 53 - 1;

/** Normalised 1-D Gaussian taps of standard deviation `sigma`, radius ⌈3σ⌉. */
export function gaussianTaps(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const taps = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += taps[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < taps.length; i++) taps[i] /= s;
  return taps;
}

/** Above this σ (texels) blurs use running sums (cost independent of σ) instead of convolutions. */
export const BOX_BLUR_MIN_SIGMA = 3;

/** A graph under construction with image-level helpers. Tensor arguments are ONNX value names. */
export class ImageGraph {
  readonly b: OnnxGraphBuilder;

  constructor(name: string) {
    this.b = new OnnxGraphBuilder(name);
  }

  /** Adds an NCHW float input [1, channels, h, w] (h, w symbolic). */
  input(name: string, channels: number): string {
    return this.b.addInput({ name, type: "float32", shape: [1, channels, "h", "w"] });
  }

  /** Declares `value` (NCHW) as the output `name`. */
  output(name: string, value: string, channels: number): void {
    this.b.addNode("Identity", [value], {}, [name]);
    this.b.addOutput({ name, type: "float32", shape: [1, channels, "h", "w"] });
  }

  /** A float constant: a scalar for a number, shape [1, n, 1, 1] for an array (one value per channel). */
  k(v: number | number[], hint = "k"): string {
    return typeof v === "number" ? this.b.constFloat(hint, [v], []) : this.b.constFloat(hint, v, [1, v.length, 1, 1]);
  }

  add(a: string, b: string): string {
    return this.b.op("Add", [a, b]);
  }
  sub(a: string, b: string): string {
    return this.b.op("Sub", [a, b]);
  }
  mul(a: string, b: string): string {
    return this.b.op("Mul", [a, b]);
  }
  div(a: string, b: string): string {
    return this.b.op("Div", [a, b]);
  }
  max(a: string, b: string): string {
    return this.b.op("Max", [a, b]);
  }
  min(a: string, b: string): string {
    return this.b.op("Min", [a, b]);
  }
  clip(x: string, lo: number, hi: number): string {
    return this.b.op("Clip", [x, this.k(lo, "lo"), this.k(hi, "hi")]);
  }

  /** sRGB-encoded 0..1 → linear light (IEC 61966-2-1). */
  srgbToLinear(x: string): string {
    const c = this.clip(x, 0, 1);
    const low = this.mul(c, this.k(1 / 12.92));
    const high = this.b.op("Pow", [this.mul(this.add(c, this.k(0.055)), this.k(1 / 1.055)), this.k(2.4)]);
    return this.b.op("Where", [this.b.op("LessOrEqual", [c, this.k(0.04045)]), low, high]);
  }

  /** Linear light → sRGB-encoded, clamped to 0..1. */
  linearToSrgb(x: string): string {
    const c = this.clip(x, 0, 1);
    const low = this.mul(c, this.k(12.92));
    const high = this.sub(this.mul(this.b.op("Pow", [c, this.k(1 / 2.4)]), this.k(1.055)), this.k(0.055));
    return this.b.op("Where", [this.b.op("LessOrEqual", [c, this.k(0.0031308)]), low, high]);
  }

  /** Channel mix: out[j] = Σ_i x[i]·m[i][j], as a 1×1 convolution. */
  mix(x: string, m: number[][]): string {
    const cin = m.length;
    const cout = m[0].length;
    const w = new Float32Array(cout * cin);
    for (let j = 0; j < cout; j++) for (let i = 0; i < cin; i++) w[j * cin + i] = m[i][j];
    return this.b.op("Conv", [x, this.b.constFloat("mix", w, [cout, cin, 1, 1])]);
  }

  /** Σ over the channels, kept as one channel. */
  sumChannels(x: string, channels: number): string {
    return this.mix(x, Array.from({ length: channels }, () => [1]));
  }

  /** Scales 3-vectors (channels) to unit length; zero vectors stay tiny, never NaN. */
  normalize(x: string): string {
    const inv = this.b.op("Reciprocal", [this.b.op("Sqrt", [this.max(this.sumChannels(this.mul(x, x), 3), this.k(1e-12))])]);
    return this.mul(x, inv);
  }

  /** Channels [from, to). */
  channels(x: string, from: number, to: number): string {
    return this.b.op("Slice", [x, this.b.constInt64("s", [from]), this.b.constInt64("e", [to]), this.b.constInt64("a", [1])]);
  }

  /** Concatenation along the channels. */
  concatChannels(xs: string[]): string {
    return this.b.op("Concat", xs, { axis: 1 });
  }

  /** Edge-replicating pad of an NCHW tensor by (top, bottom) rows and (left, right) columns. */
  private padEdge(x: string, top: number, bottom: number, left: number, right: number): string {
    return this.b.op("Pad", [x, this.b.constInt64("pads", [0, 0, top, left, 0, 0, bottom, right])], { mode: "edge" });
  }

  /** Separable convolution of an NCHW tensor (each channel alone) with 1-D taps along x then y; edges replicated. */
  separable(x: string, channels: number, taps: Float32Array): string {
    const r = (taps.length - 1) / 2;
    const kx = new Float32Array(channels * taps.length);
    for (let c = 0; c < channels; c++) kx.set(taps, c * taps.length);
    const wx = this.b.constFloat("kx", kx, [channels, 1, 1, taps.length]);
    const wy = this.b.constFloat("ky", kx, [channels, 1, taps.length, 1]);
    const h = this.b.op("Conv", [this.padEdge(x, 0, 0, r, r), wx], { group: channels });
    return this.b.op("Conv", [this.padEdge(h, r, r, 0, 0), wy], { group: channels });
  }

  /**
   * Three box filters of half-width r along axis 2 (rows) or 3 (columns), by running sums, without
   * their 1/(2r+1) normalisation. The edges are replicated once, 3r before and 3r + 3 after (each
   * pass shortens the tensor by 2r + 1; the extra 3 feed the exclusive running sums' last window).
   */
  private boxCascade(x: string, axis: 2 | 3, r: number): string {
    let y = axis === 3 ? this.padEdge(x, 0, 0, 3 * r, 3 * r + 3) : this.padEdge(x, 3 * r, 3 * r + 3, 0, 0);
    const ax = this.b.constInt64("ax", [axis]);
    const axisScalar = this.b.constInt64("axis", [axis], []);
    const w = 2 * r + 1;
    for (let pass = 0; pass < 3; pass++) {
      // Exclusive running sum S[i] = Σ_{j<i} y[j]; out[t] = S[t + w] − S[t] = Σ y[t .. t + 2r].
      const sums = this.b.op("CumSum", [y, axisScalar], { exclusive: 1 });
      const hi = this.b.op("Slice", [sums, this.b.constInt64("s", [w]), this.b.constInt64("e", [TO_END]), ax]);
      const lo = this.b.op("Slice", [sums, this.b.constInt64("s", [0]), this.b.constInt64("e", [-w]), ax]);
      y = this.sub(hi, lo);
    }
    return y;
  }

  /**
   * Gaussian blur of an NCHW tensor by `sigma` texels, edges replicated. Small σ: a separable
   * convolution; larger σ: three box filters per axis by running sums (variance-matched), whose
   * cost does not depend on σ. Returns the blurred tensor and the receptive-field radius added.
   */
  blur(x: string, channels: number, sigma: number): { y: string; radius: number } {
    if (sigma < 0.3) return { y: x, radius: 0 };
    if (sigma < BOX_BLUR_MIN_SIGMA) {
      const taps = gaussianTaps(sigma);
      return { y: this.separable(x, channels, taps), radius: (taps.length - 1) / 2 };
    }
    // Three boxes of width w = 2r+1 have variance 3·(w²−1)/12 per axis; choose r to match σ².
    const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
    const y = this.boxCascade(this.boxCascade(x, 3, r), 2, r);
    return { y: this.mul(y, this.k(1 / (2 * r + 1) ** 6)), radius: 3 * r };
  }

  /**
   * Central-difference gradient of a 1-channel NCHW tensor, smoothed across (Sobel / 8), per
   * texel: output [1, 2, H, W] = (∂/∂x along columns, ∂/∂y along rows downward). Radius 1.
   */
  gradient(x: string): string {
    const sobelX = [-1, 0, 1, -2, 0, 2, -1, 0, 1].map((v) => v / 8);
    const sobelY = [-1, -2, -1, 0, 0, 0, 1, 2, 1].map((v) => v / 8);
    const w = this.b.constFloat("sobel", [...sobelX, ...sobelY], [2, 1, 3, 3]);
    return this.b.op("Conv", [this.padEdge(x, 1, 1, 1, 1), w], {});
  }

  encode(doc: string): Uint8Array {
    return this.b.encode(doc);
  }
}
