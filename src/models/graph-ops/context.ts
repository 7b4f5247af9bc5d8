/**
 * Conversion state for the TF.js graph-model converter: the ONNX builder, every converted
 * value with its TF-order shape and its physical layout, and the constants.
 *
 * Layout: TF tensors are NHWC. Convolutions run in ONNX as NCHW, so a rank-4 value may live in
 * ONNX either as-is ("nhwc") or transposed by [0,3,1,2] ("nchw"). Shapes are always kept in TF
 * order, whatever the physical layout; transposes are emitted lazily and cached per value.
 */
import type { OnnxGraphBuilder } from "../onnx-graph.ts";
import type { TfjsWeight } from "../tfjs-weights.ts";

export type Layout = "nhwc" | "nchw";

/** NHWC → NCHW, and back. */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

/** One converted TF tensor. */
export interface Value {
  /** ONNX tensor name ("" for constants not yet materialised). */
  name: string;
  /** Physical layout in ONNX; "nchw" only for rank-4 values. */
  layout: Layout;
  /** TF-order shape; −1 for unknown dimensions (the batch). */
  shape: number[];
  /** Known constant data in TF order, for weights and shape operands. */
  constant?: TfjsWeight;
}

/** A node of the TF GraphDef as TF.js stores it in model.json. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, any>;
}

/** A converter for one TF op: reads its inputs, emits ONNX nodes, returns its outputs. */
export type OpHandler = (ctx: ConvertContext, node: TfNode, inputs: Value[]) => Value | Value[];

/** Row-major strides of a shape. */
function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Transposes row-major data of `shape` by `perm` (output dim i = input dim perm[i]). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: number[], perm: number[]): T {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const rank = shape.length;
  const idx = new Array(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let rem = o;
    let src = 0;
    for (let d = 0; d < rank; d++) {
      idx[d] = Math.floor(rem / outStrides[d]);
      rem -= idx[d] * outStrides[d];
      src += idx[d] * inStrides[perm[d]];
    }
    out[o] = data[src];
  }
  return out;
}

/** Reads a TF attribute by kind. */
export const attr = {
  str(node: TfNode, key: string, fallback = ""): string {
    const s = node.attr?.[key]?.s;
    return s === undefined ? fallback : Buffer.from(s, "base64").toString("utf8");
  },
  strList(node: TfNode, key: string): string[] {
    return (node.attr?.[key]?.list?.s ?? []).map((s: string) => Buffer.from(s, "base64").toString("utf8"));
  },
  ints(node: TfNode, key: string, fallback: number[] = []): number[] {
    const l = node.attr?.[key]?.list?.i;
    return l ? l.map((x: string | number) => Number(x)) : fallback;
  },
  int(node: TfNode, key: string, fallback = 0): number {
    const i = node.attr?.[key]?.i;
    return i === undefined ? fallback : Number(i);
  },
  float(node: TfNode, key: string, fallback = 0): number {
    const f = node.attr?.[key]?.f;
    return f === undefined ? fallback : Number(f);
  },
  bool(node: TfNode, key: string, fallback = false): boolean {
    const b = node.attr?.[key]?.b;
    return b === undefined ? fallback : Boolean(b);
  },
};

export class ConvertContext {
  private readonly nchwCache = new Map<string, string>();
  private readonly nhwcCache = new Map<string, string>();

  constructor(readonly b: OnnxGraphBuilder) {}

  /** Fails the conversion with the node named, so an unsupported model says where and why. */
  fail(node: TfNode, why: string): never {
    throw new Error(`cannot convert TF node "${node.name}" (${node.op}): ${why}`);
  }

  /** The constant data of a value, or a clear error when the op needs a compile-time constant. */
  constantOf(node: TfNode, v: Value, what: string): TfjsWeight {
    if (!v.constant) this.fail(node, `${what} must be a constant`);
    return v.constant;
  }

  /** Materialises a constant as an initializer in TF order (cached on the value). */
  materialise(v: Value, hint: string): string {
    if (v.name) return v.name;
    const c = v.constant!;
    v.name =
      c.dtype === "float32"
        ? this.b.addInitializer(hint, { type: "float32", dims: c.shape, data: c.data as Float32Array })
        : this.b.addInitializer(hint, { type: "int32", dims: c.shape, data: c.data as Int32Array });
    return v.name;
  }

  /** The value physically in NCHW (rank 4 only). */
  nchw(v: Value, hint = "to_nchw"): string {
    if (v.shape.length !== 4) throw new Error(`internal: nchw() on rank-${v.shape.length} value ${v.name}`);
    if (v.constant) return this.constantFor(v, "nchw", hint);
    if (v.layout === "nchw") return v.name;
    let t = this.nchwCache.get(v.name);
    if (!t) {
      t = this.b.op("Transpose", [v.name], { perm: TO_NCHW }, hint);
      this.nchwCache.set(v.name, t);
    }
    return t;
  }

  /** The value physically in TF order. */
  nhwc(v: Value, hint = "to_nhwc"): string {
    if (v.constant) return this.materialise(v, hint);
    if (v.layout === "nhwc") return v.name;
    let t = this.nhwcCache.get(v.name);
    if (!t) {
      t = this.b.op("Transpose", [v.name], { perm: TO_NHWC }, hint);
      this.nhwcCache.set(v.name, t);
    }
    return t;
  }

  /**
   * A constant shaped to broadcast against a rank-4 tensor in `layout`: TF broadcasting aligns
   * trailing dims, so the constant is left-padded to rank 4 and, for NCHW, transposed.
   */
  constantFor(v: Value, layout: Layout, hint: string): string {
    const c = v.constant!;
    if (layout === "nhwc" || c.shape.length === 0 || c.data.length === 1) return this.materialise(v, hint);
    const shape4 = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
    const data = transposeData(c.data, shape4, TO_NCHW);
    const dims = TO_NCHW.map((p) => shape4[p]);
    return c.dtype === "float32"
      ? this.b.addInitializer(hint, { type: "float32", dims, data: data as Float32Array })
      : this.b.addInitializer(hint, { type: "int32", dims, data: data as Int32Array });
  }

  /** Physical name of `v` in `layout` (rank-4 values only for "nchw"). */
  inLayout(v: Value, layout: Layout, hint?: string): string {
    if (v.constant) return this.constantFor(v, layout, hint ?? "const");
    return layout === "nchw" ? this.nchw(v, hint) : this.nhwc(v, hint);
  }
}

/** Output spatial size and TF padding (before, after) for one axis. */
export function tfPadding(mode: string, inSize: number, k: number, stride: number, dilation: number): { out: number; before: number; after: number } {
  const effK = (k - 1) * dilation + 1;
  if (mode === "VALID") return { out: Math.floor((inSize - effK) / stride) + 1, before: 0, after: 0 };
  // TF SAME: out = ceil(in / stride); the odd pixel of padding goes after (bottom/right).
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effK - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Broadcast of two TF shapes (numpy rules; −1 stays unknown). */
export function broadcastShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === -1 ? y : x);
  }
  return out;
}
