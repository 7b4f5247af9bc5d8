/**
 * Building blocks for the built-in image estimators (fixed-weight ONNX graphs): NHWC image I/O,
 * colour transfer functions, channel mixing, Gaussian blurs whose cost does not grow with the
 * radius, and finite-difference gradients. Every block reports the receptive-field radius it
 * adds, so the manifest can state it honestly.
 *
 * Layout: the graphs take and return NHWC tensors [1, H, W, C] (the tiled engine's default);
 * spatial filters run on NCHW copies.
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

  /** Adds an NHWC float input [1, h, w, channels] (h, w symbolic). */
  input(name: string, channels: number): string {
    return this.b.addInput({ name, type: "float32", shape: [1, "h", "w", channels] });
  }

  /** Declares `value` (NHWC) as the output `name`. */
  output(name: string, value: string, channels: number): void {
    this.b.addNode("Identity", [value], {}, [name]);
    this.b.addOutput({ name, type: "float32", shape: [1, "h", "w", channels] });
  }

  /** A float constant; a scalar for a number, shape [n] for an array (broadcasts over the last axis). */
  k(v: number | number[], hint = "k"): string {
    return typeof v === "number" ? this.b.constFloat(hint, [v], []) : this.b.constFloat(hint, v, [v.length]);
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

  /** NHWC → NCHW. */
  nchw(x: string): string {
    return this.b.op("Transpose", [x], { perm: [0, 3, 1, 2] });
  }
  /** NCHW → NHWC. */
  nhwc(x: string): string {
    return this.b.op("Transpose", [x], { perm: [0, 2, 3, 1] });
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

  /** NHWC channel mix: out[..., j] = Σ_i x[..., i]·m[i][j] (MatMul over the last axis). */
  mix(x: string, m: number[][]): string {
    const rows = m.length;
    const cols = m[0].length;
    return this.b.op("MatMul", [x, this.b.constFloat("mix", m.flat(), [rows, cols])]);
  }

  /** Σ over the last (channel) axis, kept as size 1. */
  sumChannels(x: string): string {
    return this.b.op("ReduceSum", [x, this.b.constInt64("axis", [-1])], { keepdims: 1 });
  }

  /** Scales NHWC vectors to unit length (zero vectors stay tiny, never NaN). */
  normalize(x: string): string {
    const len = this.b.op("Sqrt", [this.max(this.sumChannels(this.mul(x, x)), this.k(1e-12))]);
    return this.div(x, len);
  }

  /** Slice of the last axis [from, to). */
  channels(x: string, from: number, to: number): string {
    return this.b.op("Slice", [x, this.b.constInt64("s", [from]), this.b.constInt64("e", [to]), this.b.constInt64("a", [-1])]);
  }

  /** Concatenation along the last axis. */
  concatChannels(xs: string[]): string {
    return this.b.op("Concat", xs, { axis: -1 });
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

  /** One box filter of half-width r along axis 2 (rows) or 3 (columns) of NCHW, by running sums. */
  private boxPass(x: string, axis: 2 | 3, r: number): string {
    // Pad r+1 before and r after: out[t] = S[t+2r+1] − S[t] = Σ x[t−r..t+r], S the running sum.
    const padded = axis === 3 ? this.padEdge(x, 0, 0, r + 1, r) : this.padEdge(x, r + 1, r, 0, 0);
    const sums = this.b.op("CumSum", [padded, this.b.constInt64("axis", [axis], [])]);
    const ax = this.b.constInt64("ax", [axis]);
    const hi = this.b.op("Slice", [sums, this.b.constInt64("s", [2 * r + 1]), this.b.constInt64("e", [TO_END]), ax]);
    const lo = this.b.op("Slice", [sums, this.b.constInt64("s", [0]), this.b.constInt64("e", [-(2 * r + 1)]), ax]);
    return this.mul(this.sub(hi, lo), this.k(1 / (2 * r + 1)));
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
    let y = x;
    for (let pass = 0; pass < 3; pass++) y = this.boxPass(this.boxPass(y, 3, r), 2, r);
    return { y, radius: 3 * r };
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
