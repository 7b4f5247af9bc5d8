/**
 * Element-wise, reduction, shape and dense TF ops → ONNX, keeping each value's layout where
 * the op does not care about element order and converting back to TF order where it does.
 */
import { applyActivation } from "./conv.ts";
import { attr, broadcastShape, TO_NCHW, type ConvertContext, type Layout, type OpHandler, type TfNode, type Value } from "./context.ts";

/** NCHW when every dynamic operand is rank 4 and one of them is already NCHW, else TF order. */
function commonLayout(inputs: Value[]): Layout {
  const dynamic = inputs.filter((v) => !v.constant);
  const allRank4 = dynamic.every((v) => v.shape.length === 4) && inputs.every((v) => v.shape.length <= 4);
  return allRank4 && dynamic.some((v) => v.layout === "nchw") ? "nchw" : "nhwc";
}

function binary(onnxOp: string): OpHandler {
  return (ctx, node, inputs) => {
    const layout = commonLayout(inputs);
    const names = inputs.map((v, i) => ctx.inLayout(v, layout, `${node.name}/in${i}`));
    const y = ctx.b.op(onnxOp, names, {}, node.name);
    return { name: y, layout, shape: inputs.map((v) => v.shape).reduce(broadcastShape) };
  };
}

/** Unary ops keep the layout of their input. */
function unary(build: (ctx: ConvertContext, node: TfNode, x: string) => string): OpHandler {
  return (ctx, node, [x]) => {
    const name = x.constant ? ctx.materialise(x, `${node.name}/in`) : x.name;
    return { name: build(ctx, node, name), layout: x.constant ? "nhwc" : x.layout, shape: x.shape };
  };
}

const activation = (act: string) => unary((ctx, node, x) => applyActivation(ctx, node, act, x, undefined, false));

const prelu: OpHandler = (ctx, node, [x, alpha]) => {
  const nchw = x.layout === "nchw" && x.shape.length === 4;
  return { name: applyActivation(ctx, node, "Prelu", x.name, alpha, nchw), layout: nchw ? "nchw" : "nhwc", shape: x.shape };
};

const addN: OpHandler = (ctx, node, inputs) => {
  const layout = commonLayout(inputs);
  const names = inputs.map((v, i) => ctx.inLayout(v, layout, `${node.name}/in${i}`));
  return { name: ctx.b.op("Sum", names, {}, node.name), layout, shape: inputs.map((v) => v.shape).reduce(broadcastShape) };
};

const identity: OpHandler = (_ctx, _node, [x]) => x;

function normaliseAxes(axes: ArrayLike<number>, rank: number): number[] {
  return Array.from(axes, (a) => (a < 0 ? a + rank : a));
}

/**
 * Chooses the physical form for an op removing `removed` TF axes from `x`: the NCHW tensor
 * can be used directly when the surviving axes keep TF order; otherwise go back to NHWC.
 */
function axesPlan(ctx: ConvertContext, x: Value, tfAxes: number[], keepDims: boolean): { input: string; axes: number[]; layout: Layout } {
  if (x.layout === "nchw" && !x.constant) {
    const physical = tfAxes.map((a) => TO_NCHW.indexOf(a));
    if (keepDims) return { input: x.name, axes: physical, layout: "nchw" };
    const survivors = TO_NCHW.filter((a) => !tfAxes.includes(a));
    if (survivors.every((a, i) => i === 0 || survivors[i - 1] < a)) return { input: x.name, axes: physical, layout: "nhwc" };
  }
  return { input: ctx.nhwc(x), axes: tfAxes, layout: "nhwc" };
}

function reducedShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Reductions; in opset 17 ReduceSum takes axes as an input, the others as an attribute. */
function reduce(onnxOp: string): OpHandler {
  return (ctx, node, [x, axesV]) => {
    const tfAxes = normaliseAxes(ctx.constantOf(node, axesV, "reduction axes").data, x.shape.length);
    const keepDims = attr.bool(node, "keep_dims");
    const plan = axesPlan(ctx, x, tfAxes, keepDims);
    const y =
      onnxOp === "ReduceSum"
        ? ctx.b.op(onnxOp, [plan.input, ctx.b.constInt64(`${node.name}/axes`, plan.axes)], { keepdims: keepDims ? 1 : 0 }, node.name)
        : ctx.b.op(onnxOp, [plan.input], { axes: plan.axes, keepdims: keepDims ? 1 : 0 }, node.name);
    return { name: y, layout: plan.layout, shape: reducedShape(x.shape, tfAxes, keepDims) };
  };
}

const squeeze: OpHandler = (ctx, node, [x]) => {
  let tfAxes = normaliseAxes(attr.ints(node, "squeeze_dims"), x.shape.length);
  if (tfAxes.length === 0) tfAxes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  const plan = axesPlan(ctx, x, tfAxes, false);
  const y = ctx.b.op("Squeeze", [plan.input, ctx.b.constInt64(`${node.name}/axes`, plan.axes)], {}, node.name);
  return { name: y, layout: plan.layout, shape: reducedShape(x.shape, tfAxes, false) };
};

const reshape: OpHandler = (ctx, node, [x, shapeV]) => {
  const target = Array.from(ctx.constantOf(node, shapeV, "shape").data);
  // Reshape depends on element order, so it always runs on the TF-order tensor.
  const y = ctx.b.op("Reshape", [ctx.nhwc(x), ctx.b.constInt64(`${node.name}/shape`, target)], {}, node.name);
  const known = x.shape.every((d) => d >= 0) ? x.shape.reduce((a, d) => a * d, 1) : -1;
  const rest = target.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  return { name: y, layout: "nhwc", shape: target.map((d) => (d === -1 ? (known >= 0 ? known / rest : -1) : d)) };
};

const concat: OpHandler = (ctx, node, inputs) => {
  const parts = inputs.slice(0, -1);
  const rank = parts[0].shape.length;
  const [axis] = normaliseAxes(ctx.constantOf(node, inputs[inputs.length - 1], "concat axis").data, rank);
  const layout = rank === 4 ? commonLayout(parts) : "nhwc";
  const names = parts.map((v, i) => ctx.inLayout(v, layout, `${node.name}/in${i}`));
  const y = ctx.b.op("Concat", names, { axis: layout === "nchw" ? TO_NCHW.indexOf(axis) : axis }, node.name);
  const shape = [...parts[0].shape];
  shape[axis] = parts.some((v) => v.shape[axis] < 0) ? -1 : parts.reduce((a, v) => a + v.shape[axis], 0);
  return { name: y, layout, shape };
};

function pad(mode: "constant" | "reflect"): OpHandler {
  return (ctx, node, [x, paddingsV, valueV]) => {
    const p = Array.from(ctx.constantOf(node, paddingsV, "paddings").data);
    const rank = x.shape.length;
    const nchw = x.layout === "nchw" && rank === 4 && !x.constant;
    const order = nchw ? TO_NCHW : [...Array(rank).keys()];
    // ONNX pads: all begins, then all ends, in physical axis order.
    const pads = [...order.map((a) => p[2 * a]), ...order.map((a) => p[2 * a + 1])];
    if (node.op === "MirrorPad" && attr.str(node, "mode") !== "REFLECT") ctx.fail(node, `MirrorPad mode ${attr.str(node, "mode")} is not supported`);
    const inputs = [nchw ? x.name : ctx.nhwc(x), ctx.b.constInt64(`${node.name}/pads`, pads)];
    if (valueV) inputs.push(ctx.materialise(valueV, `${node.name}/value`));
    const y = ctx.b.op("Pad", inputs, { mode }, node.name);
    return { name: y, layout: nchw ? "nchw" : "nhwc", shape: x.shape.map((d, i) => (d < 0 ? d : d + p[2 * i] + p[2 * i + 1])) };
  };
}

const softmax: OpHandler = (ctx, node, [x]) => {
  const rank = x.shape.length;
  const nchw = x.layout === "nchw" && rank === 4;
  const y = ctx.b.op("Softmax", [x.name], { axis: nchw ? 1 : rank - 1 }, node.name);
  return { name: y, layout: nchw ? "nchw" : "nhwc", shape: x.shape };
};

/** MatMul and _FusedMatMul (BiasAdd + activation) on 2-D operands. */
const matMul: OpHandler = (ctx, node, inputs) => {
  const [a, bV, ...args] = inputs;
  let an = ctx.nhwc(a, `${node.name}/a`);
  let bn = ctx.nhwc(bV, `${node.name}/b`);
  if (attr.bool(node, "transpose_a")) an = ctx.b.op("Transpose", [an], { perm: [1, 0] });
  if (attr.bool(node, "transpose_b")) bn = ctx.b.op("Transpose", [bn], { perm: [1, 0] });
  let y = ctx.b.op("MatMul", [an, bn], {}, node.name);
  const fused = attr.strList(node, "fused_ops");
  let argAt = 0;
  if (fused[0] === "BiasAdd") y = ctx.b.op("Add", [y, ctx.materialise(args[argAt++], `${node.name}/bias`)]);
  else if (fused.length > 0) ctx.fail(node, `unsupported fused op ${fused[0]}`);
  for (const act of fused.slice(1)) y = applyActivation(ctx, node, act, y, act === "Prelu" ? args[argAt++] : undefined, false);
  const m = attr.bool(node, "transpose_a") ? a.shape[1] : a.shape[0];
  const n = attr.bool(node, "transpose_b") ? bV.shape[0] : bV.shape[1];
  return { name: y, layout: "nhwc", shape: [m, n] };
};

const biasAdd: OpHandler = (ctx, node, [x, bias]) => binary("Add")(ctx, node, [x, bias]);

const transpose: OpHandler = (ctx, node, [x, permV]) => {
  const perm = Array.from(ctx.constantOf(node, permV, "perm").data);
  const y = ctx.b.op("Transpose", [ctx.nhwc(x)], { perm }, node.name);
  return { name: y, layout: "nhwc", shape: perm.map((p) => x.shape[p]) };
};

export const BASIC_OPS: Record<string, OpHandler> = {
  Add: binary("Add"),
  AddV2: binary("Add"),
  BiasAdd: biasAdd,
  Sub: binary("Sub"),
  Mul: binary("Mul"),
  RealDiv: binary("Div"),
  Div: binary("Div"),
  Maximum: binary("Max"),
  Minimum: binary("Min"),
  Pow: binary("Pow"),
  AddN: addN,
  Prelu: prelu,
  Relu: activation("Relu"),
  Relu6: activation("Relu6"),
  Sigmoid: activation("Sigmoid"),
  Tanh: activation("Tanh"),
  Elu: activation("Elu"),
  LeakyRelu: activation("LeakyRelu"),
  Abs: unary((ctx, _n, x) => ctx.b.op("Abs", [x])),
  Neg: unary((ctx, _n, x) => ctx.b.op("Neg", [x])),
  Exp: unary((ctx, _n, x) => ctx.b.op("Exp", [x])),
  Sqrt: unary((ctx, _n, x) => ctx.b.op("Sqrt", [x])),
  Rsqrt: unary((ctx, _n, x) => ctx.b.op("Reciprocal", [ctx.b.op("Sqrt", [x])])),
  Square: unary((ctx, _n, x) => ctx.b.op("Mul", [x, x])),
  Identity: identity,
  Mean: reduce("ReduceMean"),
  Sum: reduce("ReduceSum"),
  Max: reduce("ReduceMax"),
  Min: reduce("ReduceMin"),
  Squeeze: squeeze,
  Reshape: reshape,
  ConcatV2: concat,
  Pad: pad("constant"),
  PadV2: pad("constant"),
  MirrorPad: pad("reflect"),
  Softmax: softmax,
  MatMul: matMul,
  _FusedMatMul: matMul,
  Transpose: transpose,
};
