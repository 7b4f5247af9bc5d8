/**
 * Spatial TF ops → ONNX, all computed in NCHW: convolutions (plain, fused, depthwise,
 * transposed), pooling and bilinear resize.
 */
import { attr, tfPadding, transposeData, type ConvertContext, type OpHandler, type TfNode, type Value } from "./context.ts";

/** Applies a TF activation by name to an ONNX tensor already in `layout`-matching form. */
export function applyActivation(ctx: ConvertContext, node: TfNode, act: string, x: string, alpha: Value | undefined, nchw: boolean): string {
  const b = ctx.b;
  switch (act) {
    case "Relu":
      return b.op("Relu", [x]);
    case "Relu6":
      return b.op("Clip", [x, b.constFloat("zero", [0], []), b.constFloat("six", [6], [])]);
    case "Sigmoid":
      return b.op("Sigmoid", [x]);
    case "Tanh":
      return b.op("Tanh", [x]);
    case "Elu":
      return b.op("Elu", [x], { alpha: 1.0 });
    case "LeakyRelu":
      // The standalone op names its slope "alpha"; fused ops call it "leakyrelu_alpha".
      return b.op("LeakyRelu", [x], { alpha: attr.float(node, node.op === "LeakyRelu" ? "alpha" : "leakyrelu_alpha", 0.2) });
    case "Prelu": {
      if (!alpha?.constant) ctx.fail(node, "Prelu alpha must be a constant");
      return b.op("PRelu", [x, nchw ? ctx.constantFor(alpha, "nchw", `${node.name}/alpha`) : ctx.materialise(alpha, `${node.name}/alpha`)]);
    }
    default:
      return ctx.fail(node, `unsupported fused activation ${act}`);
  }
}

function checkFormat(ctx: ConvertContext, node: TfNode): void {
  const fmt = attr.str(node, "data_format", "NHWC");
  if (fmt !== "NHWC") ctx.fail(node, `data_format ${fmt} is not supported (TF.js models are NHWC)`);
}

/** ONNX pads [top, left, bottom, right] and output size for a TF 2-D window op. */
function windowPads(ctx: ConvertContext, node: TfNode, inShape: number[], k: [number, number], s: number[], d: number[]) {
  const mode = attr.str(node, "padding", "VALID");
  if (inShape[1] < 0 || inShape[2] < 0) ctx.fail(node, "spatial size must be known at conversion time");
  if (mode === "EXPLICIT") {
    const e = attr.ints(node, "explicit_paddings"); // NHWC pairs: [0,0, t,b, l,r, 0,0]
    const [t, bt, l, r] = [e[2], e[3], e[4], e[5]];
    const oh = Math.floor((inShape[1] + t + bt - ((k[0] - 1) * d[1] + 1)) / s[1]) + 1;
    const ow = Math.floor((inShape[2] + l + r - ((k[1] - 1) * d[2] + 1)) / s[2]) + 1;
    return { pads: [t, l, bt, r], oh, ow };
  }
  if (mode !== "SAME" && mode !== "VALID") ctx.fail(node, `padding ${mode} is not supported`);
  const h = tfPadding(mode, inShape[1], k[0], s[1], d[1]);
  const w = tfPadding(mode, inShape[2], k[1], s[2], d[2]);
  return { pads: [h.before, w.before, h.after, w.after], oh: h.out, ow: w.out };
}

/** Shared by Conv2D/_FusedConv2D/DepthwiseConv2dNative/FusedDepthwiseConv2dNative. */
function convolution(depthwise: boolean, fused: boolean): OpHandler {
  return (ctx, node, inputs) => {
    checkFormat(ctx, node);
    const [x, filterV, ...args] = inputs;
    const filter = ctx.constantOf(node, filterV, "filter");
    const [kh, kw, inC, outOrMult] = filter.shape;
    const s = attr.ints(node, "strides", [1, 1, 1, 1]);
    const d = attr.ints(node, "dilations", [1, 1, 1, 1]);
    const { pads, oh, ow } = windowPads(ctx, node, x.shape, [kh, kw], s, d);
    const b = ctx.b;
    let weight: string;
    let outC: number;
    if (depthwise) {
      // TF [kh,kw,C,M] → ONNX [C·M, 1, kh, kw] with group = C (output channel c·M + m, as TF).
      outC = inC * outOrMult;
      const data = transposeData(filter.data as Float32Array, filter.shape, [2, 3, 0, 1]);
      weight = b.addInitializer(`${node.name}/W`, { type: "float32", dims: [outC, 1, kh, kw], data });
    } else {
      // TF [kh,kw,in,out] → ONNX [out, in, kh, kw].
      outC = outOrMult;
      const data = transposeData(filter.data as Float32Array, filter.shape, [3, 2, 0, 1]);
      weight = b.addInitializer(`${node.name}/W`, { type: "float32", dims: [outC, inC, kh, kw], data });
    }
    const fusedOps = fused ? attr.strList(node, "fused_ops") : [];
    let argAt = 0;
    let bias = "";
    let batchNorm: Value[] | undefined;
    if (fusedOps[0] === "BiasAdd") {
      bias = ctx.materialise(args[argAt++], `${node.name}/B`);
    } else if (fusedOps[0] === "FusedBatchNorm") {
      batchNorm = args.slice(argAt, argAt + 4);
      argAt += 4;
    }
    const conv = b.op(
      "Conv",
      bias ? [ctx.nchw(x), weight, bias] : [ctx.nchw(x), weight],
      { kernel_shape: [kh, kw], strides: [s[1], s[2]], dilations: [d[1], d[2]], pads, group: depthwise ? inC : 1 },
      node.name,
    );
    let y = conv;
    if (batchNorm) {
      const [scale, offset, mean, variance] = batchNorm.map((v, i) => ctx.materialise(v, `${node.name}/bn${i}`));
      y = b.op("BatchNormalization", [y, scale, offset, mean, variance], { epsilon: attr.float(node, "epsilon", 1e-3) });
    }
    for (const act of fusedOps.slice(1)) y = applyActivation(ctx, node, act, y, act === "Prelu" ? args[argAt++] : undefined, true);
    return { name: y, layout: "nchw", shape: [x.shape[0], oh, ow, outC] };
  };
}

function pool(kind: "MaxPool" | "AveragePool"): OpHandler {
  return (ctx, node, [x]) => {
    checkFormat(ctx, node);
    const k = attr.ints(node, "ksize");
    const s = attr.ints(node, "strides", [1, 1, 1, 1]);
    const { pads, oh, ow } = windowPads(ctx, node, x.shape, [k[1], k[2]], s, [1, 1, 1, 1]);
    // count_include_pad = 0 matches TF's SAME average pooling (padding excluded from the mean).
    const y = ctx.b.op(kind, [ctx.nchw(x)], { kernel_shape: [k[1], k[2]], strides: [s[1], s[2]], pads, ...(kind === "AveragePool" ? { count_include_pad: 0 } : {}) }, node.name);
    return { name: y, layout: "nchw", shape: [x.shape[0], oh, ow, x.shape[3]] };
  };
}

/** Conv2DBackpropInput(input_sizes, filter, dy): the transposed convolution. */
const conv2dBackpropInput: OpHandler = (ctx, node, [sizesV, filterV, dy]) => {
  checkFormat(ctx, node);
  const sizes = Array.from(ctx.constantOf(node, sizesV, "input_sizes").data);
  const filter = ctx.constantOf(node, filterV, "filter");
  const [kh, kw, outC, inC] = filter.shape;
  const s = attr.ints(node, "strides", [1, 1, 1, 1]);
  const d = attr.ints(node, "dilations", [1, 1, 1, 1]);
  const mode = attr.str(node, "padding", "VALID");
  // The forward conv's TF padding (on the output size) is what the transpose crops away.
  const h = tfPadding(mode, sizes[1], kh, s[1], d[1]);
  const w = tfPadding(mode, sizes[2], kw, s[2], d[2]);
  const fullH = (dy.shape[1] - 1) * s[1] + (kh - 1) * d[1] + 1 - h.before - h.after;
  const fullW = (dy.shape[2] - 1) * s[2] + (kw - 1) * d[2] + 1 - w.before - w.after;
  const data = transposeData(filter.data as Float32Array, filter.shape, [3, 2, 0, 1]); // → [in, out, kh, kw]
  const weight = ctx.b.addInitializer(`${node.name}/W`, { type: "float32", dims: [inC, outC, kh, kw], data });
  const y = ctx.b.op(
    "ConvTranspose",
    [ctx.nchw(dy), weight],
    {
      kernel_shape: [kh, kw],
      strides: [s[1], s[2]],
      dilations: [d[1], d[2]],
      pads: [h.before, w.before, h.after, w.after],
      output_padding: [sizes[1] - fullH, sizes[2] - fullW],
    },
    node.name,
  );
  return { name: y, layout: "nchw", shape: [dy.shape[0], sizes[1], sizes[2], outC] };
};

/** ResizeBilinear(images, size) with TF's align_corners / half_pixel_centers semantics. */
const resizeBilinear: OpHandler = (ctx, node, [x, sizeV]) => {
  const [oh, ow] = Array.from(ctx.constantOf(node, sizeV, "size").data);
  const alignCorners = attr.bool(node, "align_corners");
  const halfPixel = attr.bool(node, "half_pixel_centers");
  const b = ctx.b;
  const nc = b.op("Slice", [b.op("Shape", [ctx.nchw(x)]), b.constInt64("s0", [0]), b.constInt64("s2", [2])]);
  const sizes = b.op("Concat", [nc, b.constInt64(`${node.name}/hw`, [oh, ow])], { axis: 0 });
  const y = b.op(
    "Resize",
    [ctx.nchw(x), "", "", sizes],
    { mode: "linear", coordinate_transformation_mode: alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric" },
    node.name,
  );
  return { name: y, layout: "nchw", shape: [x.shape[0], oh, ow, x.shape[3]] };
};

export const CONV_OPS: Record<string, OpHandler> = {
  Conv2D: convolution(false, false),
  _FusedConv2D: convolution(false, true),
  DepthwiseConv2dNative: convolution(true, false),
  FusedDepthwiseConv2dNative: convolution(true, true),
  Conv2DBackpropInput: conv2dBackpropInput,
  MaxPool: pool("MaxPool"),
  AvgPool: pool("AveragePool"),
  ResizeBilinear: resizeBilinear,
};
