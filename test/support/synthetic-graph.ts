/**
 * Writes small TF.js graph models (GraphDef JSON + one weight shard) for converter tests, so
 * ops and attributes the shipped face models never use (align_corners, EXPLICIT padding,
 * dilations, MirrorPad, transposed VALID convolution, quantised weights...) are checked against
 * TF.js too.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { halfFromFloat } from "./half.ts";

export interface SyntheticWeight {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  data: number[];
  /** Store as float16 or as affine uint8 (TF.js's quantisation formats). */
  quantize?: "float16" | "uint8";
}

export interface SyntheticNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** Attribute encoders in the shape TF.js's model.json uses. */
export const A = {
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  str: (v: string) => ({ s: Buffer.from(v).toString("base64") }),
  strs: (v: string[]) => ({ list: { s: v.map((x) => Buffer.from(x).toString("base64")) } }),
  bool: (v: boolean) => ({ b: v }),
  float: (v: number) => ({ f: v }),
  int: (v: number) => ({ i: String(v) }),
  type: (v: string) => ({ type: v }),
};

/** A seeded uniform generator in [lo, hi). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => lo + ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * (hi - lo);
}

function encode(w: SyntheticWeight): { bytes: Buffer; quantization?: Record<string, unknown> } {
  if (w.quantize === "float16") {
    const b = Buffer.alloc(w.data.length * 2);
    w.data.forEach((v, i) => b.writeUInt16LE(halfFromFloat(v), i * 2));
    return { bytes: b, quantization: { dtype: "float16", original_dtype: "float32" } };
  }
  if (w.quantize === "uint8") {
    const min = Math.min(...w.data);
    const scale = (Math.max(...w.data) - min) / 255 || 1;
    return { bytes: Buffer.from(w.data.map((v) => Math.round((v - min) / scale))), quantization: { dtype: "uint8", min, scale, original_dtype: w.dtype } };
  }
  const b = Buffer.alloc(w.data.length * 4);
  w.data.forEach((v, i) => (w.dtype === "float32" ? b.writeFloatLE(v, i * 4) : b.writeInt32LE(v, i * 4)));
  return { bytes: b };
}

/** Writes `model.json` + `weights.bin` into `dir`; returns the model.json path. */
export async function writeGraphModel(dir: string, input: { name: string; shape: number[] }, nodes: SyntheticNode[], weights: SyntheticWeight[], outputs: string[]): Promise<string> {
  const parts = weights.map(encode);
  const all: SyntheticNode[] = [
    { name: input.name, op: "Placeholder", attr: { dtype: A.type("DT_FLOAT"), shape: { shape: { dim: input.shape.map((d) => ({ size: String(d) })) } } } },
    ...weights.map((w) => ({ name: w.name, op: "Const", attr: { dtype: A.type(w.dtype === "float32" ? "DT_FLOAT" : "DT_INT32"), value: { tensor: { dtype: w.dtype === "float32" ? "DT_FLOAT" : "DT_INT32", tensorShape: { dim: w.shape.map((d) => ({ size: String(d) })) } } } } })),
    ...nodes.map((n) => ({ ...n, attr: { T: A.type("DT_FLOAT"), ...n.attr } })),
  ];
  const json = {
    format: "graph-model",
    generatedBy: "porelight test",
    convertedBy: "porelight test",
    modelTopology: { node: all, library: {}, versions: {} },
    signature: {
      inputs: { [`${input.name}:0`]: { name: `${input.name}:0`, dtype: "DT_FLOAT", tensorShape: { dim: input.shape.map((d) => ({ size: String(d) })) } } },
      outputs: Object.fromEntries(outputs.map((o) => [`${o}:0`, { name: `${o}:0`, dtype: "DT_FLOAT" }])),
    },
    weightsManifest: [
      {
        paths: ["weights.bin"],
        weights: weights.map((w, i) => ({ name: w.name, shape: w.shape, dtype: w.dtype, ...(parts[i].quantization ? { quantization: parts[i].quantization } : {}) })),
      },
    ],
  };
  await writeFile(path.join(dir, "weights.bin"), Buffer.concat(parts.map((p) => p.bytes)));
  const file = path.join(dir, "model.json");
  await writeFile(file, JSON.stringify(json));
  return file;
}
