/**
 * A small builder for ONNX graphs, shared by the TF.js converter and the built-in estimators.
 * Encoding is done by onnx-proto (protobufjs classes generated from onnx.proto); we only
 * assemble messages.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** Opset used by every graph we write. 17 has LayerNorm-free ops we need and ORT 1.x runs it. */
export const OPSET = 17;

/** ONNX element types we use. */
export type OnnxElementType = "float32" | "int64" | "int32" | "bool";

const ELEMENT_TYPE: Record<OnnxElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** Attribute values an ONNX node may carry. */
export type AttributeValue = number | string | number[] | Float32Array | { floats: number[] } | { tensor: TensorValue };

/** A constant tensor. */
export interface TensorValue {
  type: OnnxElementType;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

/** A graph input or output: a name, an element type and a shape (string = symbolic dimension). */
export interface ValueInfo {
  name: string;
  type: OnnxElementType;
  shape: (number | string)[];
}

function tensorProto(name: string, t: TensorValue): onnxProto.onnx.ITensorProto {
  const d = t.data;
  // raw_data is little-endian; every machine we target is little-endian, so the typed array's bytes are right.
  const raw = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return { name, dataType: ELEMENT_TYPE[t.type], dims: t.dims, rawData: raw };
}

function attributeProto(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") {
    return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  }
  if (typeof value === "string") return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (value instanceof Float32Array) return { name, type: T.FLOATS, floats: Array.from(value) };
  if ("floats" in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.TENSOR, t: tensorProto(name, value.tensor) };
}

function valueInfoProto(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE[v.type],
        shape: { dim: v.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Accumulates nodes, initializers, inputs and outputs, hands out unique names, and encodes the
 * model. Node order must be topological (ONNX requires it); callers add nodes as they go.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly graphName: string) {}

  /** A fresh tensor name starting with `hint`. */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, "_") || "t";
    let name = base;
    while (this.used.has(name)) name = `${base}__${++this.counter}`;
    this.used.add(name);
    return name;
  }

  addInput(v: ValueInfo): string {
    this.used.add(v.name);
    this.inputs.push(valueInfoProto(v));
    return v.name;
  }

  addOutput(v: ValueInfo): void {
    this.outputs.push(valueInfoProto(v));
  }

  /** Adds a constant; returns its (unique) name. */
  addInitializer(hint: string, t: TensorValue): string {
    const name = this.uniqueName(hint);
    this.initializers.push(tensorProto(name, t));
    return name;
  }

  /** Float32 constant shortcut. */
  constFloat(hint: string, data: ArrayLike<number>, dims: number[]): string {
    return this.addInitializer(hint, { type: "float32", dims, data: Float32Array.from(data) });
  }

  /** Int64 constant shortcut (shapes, axes, pads). */
  constInt64(hint: string, data: ArrayLike<number>, dims: number[] = [data.length]): string {
    return this.addInitializer(hint, { type: "int64", dims, data: BigInt64Array.from(Array.from(data), (x) => BigInt(x)) });
  }

  /**
   * Adds a node. `outputs` may be a count (fresh names derived from `hint`) or explicit names.
   * Returns the output names. Empty-string inputs stand for omitted optional inputs.
   */
  addNode(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue | undefined> = {},
    outputs: number | string[] = 1,
    hint: string = opType,
  ): string[] {
    const outNames =
      typeof outputs === "number"
        ? Array.from({ length: outputs }, (_, i) => this.uniqueName(outputs > 1 ? `${hint}:${i}` : hint))
        : outputs.map((n) => {
            this.used.add(n);
            return n;
          });
    const attribute = Object.entries(attributes)
      .filter((e): e is [string, AttributeValue] => e[1] !== undefined)
      .map(([k, v]) => attributeProto(k, v));
    this.nodes.push({ opType, input: inputs, output: outNames, name: this.uniqueName(`${hint}_node`), attribute });
    return outNames;
  }

  /** Single-output node shortcut. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue | undefined> = {}, hint?: string): string {
    return this.addNode(opType, inputs, attributes, 1, hint ?? opType)[0];
  }

  /** Encodes the model as ONNX protobuf bytes. */
  encode(docString = ""): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "porelight",
      producerVersion: "0.1.0",
      docString,
      opsetImport: [{ domain: "", version: OPSET }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
