/**
 * TF.js GRAPH model (GraphDef JSON + weight shards) → ONNX (opset 17).
 *
 * Walks the graph from its outputs, converts each op with the handlers in `graph-ops/`, and
 * tracks a layout per tensor: the NHWC image input is transposed to NCHW once, convolutions run
 * in NCHW, and values go back to TF order only where element order matters (reshape, flatten,
 * graph outputs). Inputs and outputs keep TF.js's names (without ":0"), shapes and layouts,
 * so a converted model is a drop-in replacement for the original.
 */
import { OnnxGraphBuilder } from "./onnx-graph.ts";
import { readTfjsWeights, type TfjsWeight } from "./tfjs-weights.ts";
import { BASIC_OPS } from "./graph-ops/basic.ts";
import { CONV_OPS } from "./graph-ops/conv.ts";
import { ConvertContext, type OpHandler, type TfNode, type Value } from "./graph-ops/context.ts";

/** Bumped whenever the converter's output changes, so cached ONNX files are rebuilt. */
export const GRAPH_CONVERTER_VERSION = 1;

const HANDLERS: Record<string, OpHandler> = { ...BASIC_OPS, ...CONV_OPS };

/** The TF tensor a node input refers to: "node", "node:0" → node 0; "^node" is a control edge. */
function parseInput(ref: string): { node: string; index: number } | undefined {
  if (ref.startsWith("^")) return undefined;
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

/** A Const node's value when it is stored inline rather than in the weight shards. */
function inlineConstant(node: TfNode): TfjsWeight | undefined {
  const t = node.attr?.value?.tensor;
  if (!t) return undefined;
  const shape = (t.tensorShape?.dim ?? []).map((d: { size: string }) => Number(d.size));
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const isFloat = t.dtype === "DT_FLOAT";
  const src: number[] = (isFloat ? t.floatVal : t.intVal) ?? [];
  if (t.tensorContent) {
    const bytes = Buffer.from(t.tensorContent, "base64");
    const data = isFloat ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = isFloat ? bytes.readFloatLE(i * 4) : bytes.readInt32LE(i * 4);
    return { dtype: isFloat ? "float32" : "int32", shape, data };
  }
  // TF stores a splat as one value.
  const fill = (i: number) => Number(src[Math.min(i, src.length - 1)] ?? 0);
  return isFloat
    ? { dtype: "float32", shape, data: Float32Array.from({ length: count }, (_, i) => fill(i)) }
    : { dtype: "int32", shape, data: Int32Array.from({ length: count }, (_, i) => fill(i)) };
}

function placeholderShape(node: TfNode): number[] {
  return (node.attr?.shape?.shape?.dim ?? []).map((d: { size: string }) => Number(d.size));
}

/** Output names in signature order (or the graph's sink nodes when there is no signature). */
function outputRefs(modelJson: any, nodes: Map<string, TfNode>): string[] {
  const sig = modelJson.signature?.outputs ?? modelJson.userDefinedMetadata?.signature?.outputs;
  if (sig) return Object.values(sig).map((o: any) => o.name as string);
  const consumed = new Set<string>();
  for (const n of nodes.values()) for (const i of n.input ?? []) consumed.add(parseInput(i)?.node ?? "");
  return [...nodes.values()].filter((n) => !consumed.has(n.name) && n.op !== "Const").map((n) => n.name);
}

/** Topological order of the nodes the outputs depend on (iterative DFS; graphs can be deep). */
function topoOrder(nodes: Map<string, TfNode>, roots: string[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>();
  for (const root of roots) {
    const stack: { name: string; expanded: boolean }[] = [{ name: root, expanded: false }];
    while (stack.length) {
      const top = stack.pop()!;
      const node = nodes.get(top.name);
      if (!node) throw new Error(`graph refers to missing node "${top.name}"`);
      if (top.expanded) {
        state.set(top.name, 2);
        order.push(node);
        continue;
      }
      if (state.has(top.name)) continue;
      state.set(top.name, 1);
      stack.push({ name: top.name, expanded: true });
      for (const ref of node.input ?? []) {
        const p = parseInput(ref);
        if (p && !state.has(p.node)) stack.push({ name: p.node, expanded: false });
      }
    }
  }
  return order;
}

const onnxName = (tfName: string) => tfName.replace(/:0$/, "");
const onnxShape = (shape: number[]) => shape.map((d, i) => (d >= 0 ? d : i === 0 ? "batch" : `d${i}`));

/**
 * Converts a TF.js graph model to ONNX bytes.
 * @param modelJsonPath path of the model's `model.json` (weight shards next to it)
 */
export async function convertGraphModel(modelJsonPath: string): Promise<Uint8Array> {
  const { modelJson, weights } = await readTfjsWeights(modelJsonPath);
  if (modelJson.format && modelJson.format !== "graph-model") {
    throw new Error(`${modelJsonPath} is a ${modelJson.format}, not a TF.js graph model`);
  }
  const graphNodes: TfNode[] = modelJson.modelTopology?.node ?? [];
  if ((modelJson.modelTopology?.library?.function ?? []).length > 0) {
    throw new Error(`${modelJsonPath}: graphs with control-flow functions are not supported`);
  }
  const nodes = new Map(graphNodes.map((n) => [n.name, n]));
  const outputs = outputRefs(modelJson, nodes);
  const b = new OnnxGraphBuilder(modelJsonPath.split("/").slice(-2).join("/"));
  const ctx: ConvertContext = new ConvertContext(b);
  const values = new Map<string, Value[]>();
  // Reserve the graph's input and output names so no internal tensor takes them.
  const reserved = new Map(outputs.map((o) => [o, b.uniqueName(onnxName(o))]));
  for (const n of graphNodes) if (n.op === "Placeholder") b.uniqueName(onnxName(n.name));

  for (const node of topoOrder(nodes, outputs.map((o) => parseInput(o)!.node))) {
    if (node.op === "Const") {
      const constant = weights.get(node.name) ?? inlineConstant(node);
      if (!constant) ctx.fail(node, "constant has no value in the weights manifest");
      values.set(node.name, [{ name: "", layout: "nhwc", shape: constant.shape, constant }]);
      continue;
    }
    if (node.op === "Placeholder") {
      const dtype = node.attr?.dtype?.type;
      if (dtype && dtype !== "DT_FLOAT") ctx.fail(node, `input dtype ${dtype} is not supported`);
      const shape = placeholderShape(node);
      b.addInput({ name: onnxName(node.name), type: "float32", shape: onnxShape(shape) });
      values.set(node.name, [{ name: onnxName(node.name), layout: "nhwc", shape }]);
      continue;
    }
    const handler = HANDLERS[node.op];
    if (!handler) ctx.fail(node, "op is not supported by porelight's converter");
    const inputs = (node.input ?? []).flatMap((ref) => {
      const p = parseInput(ref);
      if (!p) return [];
      const v = values.get(p.node)?.[p.index];
      if (!v) ctx.fail(node, `input ${ref} was not converted`);
      return [v];
    });
    const out = handler(ctx, node, inputs);
    values.set(node.name, Array.isArray(out) ? out : [out]);
  }

  for (const ref of outputs) {
    const p = parseInput(ref)!;
    const v = values.get(p.node)![p.index];
    const name = reserved.get(ref)!;
    // Outputs in TF order, named as in TF.js; an Identity gives the output its own name.
    b.addNode("Identity", [ctx.nhwc(v, `${name}/nhwc`)], {}, [name]);
    b.addOutput({ name, type: "float32", shape: onnxShape(v.shape) });
  }
  return b.encode(`converted by porelight from ${modelJsonPath.split("/").slice(-1)[0]} (TF.js graph model)`);
}
