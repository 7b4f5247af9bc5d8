/**
 * TF.js Keras layers model (model.json with `modelTopology.model_config`, class Functional/Model)
 * → ONNX (opset 17), written with OnnxGraphBuilder.
 *
 * The ONNX model keeps the TF.js model's I/O exactly: NHWC float32 in, NHWC out, same value
 * ranges, same input/output names (the Keras input/output layer names), batch 1, dynamic H and W.
 * Inside, every image tensor carries a layout tag; convolutions and resizes want NCHW, so the
 * input is transposed once when first needed and the outputs once at the end. Elementwise ops
 * and concatenations work in whatever layout their inputs share (concat axes are remapped).
 *
 * Layers handled: InputLayer, Conv2D (same/valid, strides, dilation, groups, activation),
 * Activation, Concatenate, Add/Subtract/Multiply/Maximum/Minimum/Average, UpSampling2D
 * (nearest/bilinear, TF.js semantics), and ESRGAN's custom MultiplyBeta and PixelShuffle{N}x.
 * Only rank-4 image tensors flow through these layers, which is all ESRGAN needs.
 */
import { OnnxGraphBuilder } from "./onnx-graph.ts";
import { readTfjsWeights, type TfjsWeight } from "./tfjs-weights.ts";

type Layout = "NHWC" | "NCHW";

/** A value in the graph under construction: its ONNX name and how its axes are ordered. */
interface Tensor {
  name: string;
  layout: Layout;
  /** Channel count when known statically (needed to express per-channel scaling as a convolution). */
  channels?: number;
  /** The same tensor in the other layout, once a transpose has been emitted (shared by consumers). */
  other?: Tensor;
  /** Nearest-neighbour upsampling by this factor still to be applied (fused into the next convolution). */
  pendingUpsample?: number;
}

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, any>;
  /** Keras 2 format: one entry per call of the layer; each lists [layer, nodeIndex, tensorIndex, kwargs]. */
  inbound_nodes: [string, number, number, unknown?][][];
}

/** Where an NHWC axis lands in NCHW. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

/** Keras activation name → builder of ONNX nodes. `linear` is the identity. */
const ACTIVATIONS: Record<string, (g: OnnxGraphBuilder, x: string, hint: string) => string> = {
  linear: (_g, x) => x,
  relu: (g, x, h) => g.op("Relu", [x], {}, h),
  relu6: (g, x, h) => g.op("Clip", [x, g.constFloat(`${h}/lo`, [0], []), g.constFloat(`${h}/hi`, [6], [])], {}, h),
  sigmoid: (g, x, h) => g.op("Sigmoid", [x], {}, h),
  tanh: (g, x, h) => g.op("Tanh", [x], {}, h),
  elu: (g, x, h) => g.op("Elu", [x], {}, h), // alpha defaults to 1, as in Keras
  selu: (g, x, h) => g.op("Selu", [x], {}, h),
  softplus: (g, x, h) => g.op("Softplus", [x], {}, h),
  softsign: (g, x, h) => g.op("Softsign", [x], {}, h),
  exponential: (g, x, h) => g.op("Exp", [x], {}, h),
  // TF.js hardSigmoid is clip(0.2x + 0.5, 0, 1), ONNX's HardSigmoid defaults.
  hard_sigmoid: (g, x, h) => g.op("HardSigmoid", [x], { alpha: 0.2, beta: 0.5 }, h),
  swish: (g, x, h) => g.op("Mul", [x, g.op("Sigmoid", [x], {}, `${h}/sig`)], {}, h),
};

const ELEMENTWISE: Record<string, string> = { Add: "Add", Subtract: "Sub", Multiply: "Mul", Maximum: "Max", Minimum: "Min" };

/**
 * β of a MultiplyBeta layer. UpscalerJS's TF.js class hard-codes 0.2; the saved config carries
 * the same value, which we honour in case a model was trained with another.
 */
function betaOf(config: Record<string, any>): number {
  return typeof config.beta === "number" ? config.beta : 0.2;
}

/** Converts one Keras layers model to ONNX bytes. */
class LayersConverter {
  private readonly g: OnnxGraphBuilder;
  private readonly tensors = new Map<string, Tensor>();
  /** Conv2D layers whose output is only ever scaled by a MultiplyBeta: β folded into their weights. */
  private readonly foldedScale = new Map<string, number>();
  /** UpSampling2D layers whose only reader is a convolution that runs at low resolution instead. */
  private readonly fusedUpsample = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly weights: Map<string, TfjsWeight>,
  ) {
    this.g = new OnnxGraphBuilder("tfjs_layers_model");
  }

  convert(modelConfig: any): Uint8Array {
    const cls = modelConfig?.class_name;
    if (cls !== "Functional" && cls !== "Model") {
      throw new Error(`${this.source}: model class "${cls}" is not supported (expected a Functional/Model layers model)`);
    }
    const cfg = modelConfig.config;
    const outputs: [string, number, number][] = cfg.output_layers;
    // Reserve the Keras output names first so no internal tensor takes them.
    const outNames = outputs.map(([layer]) => this.g.uniqueName(layer));
    this.planFusions(cfg.layers, outputs);
    for (const layer of cfg.layers as KerasLayer[]) this.convertLayer(layer);
    outputs.forEach(([layer, node, index], i) => {
      const t = this.get(`${layer}:${node}:${index}`);
      if (t.layout === "NHWC") this.g.addNode("Identity", [t.name], {}, [outNames[i]]);
      else this.g.addNode("Transpose", [t.name], { perm: [0, 2, 3, 1] }, [outNames[i]]);
      this.g.addOutput({ name: outNames[i], type: "float32", shape: [1, `${outNames[i]}_h`, `${outNames[i]}_w`, t.channels ?? `${outNames[i]}_c`] });
    });
    return this.g.encode(`converted from TF.js layers model ${this.source}`);
  }

  /**
   * Plans two exact rewrites that save whole passes over big tensors:
   * - a MultiplyBeta fed by a linear Conv2D that nothing else reads: β goes into the weights;
   * - a nearest UpSampling2D read only by a stride-1 "same" Conv2D (ESRGAN slim/medium's tail):
   *   the convolution runs on the small image with one kernel per sub-pixel phase, then
   *   DepthToSpace. Same result, without the s²-times larger upsampled tensor (≈ 11 GB for
   *   192 channels at 3072×4608).
   */
  private planFusions(layers: KerasLayer[], outputs: [string, number, number][]): void {
    const nameOf = (l: KerasLayer) => l.name ?? l.config.name;
    const readers = new Map<string, KerasLayer[]>();
    const outputNames = new Set(outputs.map(([l]) => l));
    for (const layer of layers) {
      for (const node of layer.inbound_nodes) for (const [l] of node) readers.set(l, [...(readers.get(l) ?? []), layer]);
    }
    const onlyReader = (name: string) => (outputNames.has(name) ? undefined : readers.get(name)?.length === 1 ? readers.get(name)![0] : undefined);
    const byName = new Map(layers.map((l) => [nameOf(l), l]));
    for (const layer of layers) {
      if (layer.inbound_nodes.length !== 1) continue;
      const src = byName.get(layer.inbound_nodes[0][0][0]);
      if (layer.class_name === "MultiplyBeta" && src?.class_name === "Conv2D" && (src.config.activation ?? "linear") === "linear") {
        if (src.inbound_nodes.length === 1 && onlyReader(nameOf(src)) === layer) this.foldedScale.set(nameOf(src), betaOf(layer.config));
      }
      if (layer.class_name === "UpSampling2D" && (layer.config.interpolation ?? "nearest") === "nearest") {
        const size = Array.isArray(layer.config.size) ? layer.config.size : [layer.config.size, layer.config.size];
        const conv = onlyReader(nameOf(layer));
        const cc: Record<string, any> = conv?.config ?? {};
        const fusable =
          size[0] === size[1] && Number.isInteger(size[0]) && size[0] >= 2 && conv?.class_name === "Conv2D" && conv.inbound_nodes.length === 1 &&
          cc.padding === "same" && (cc.groups ?? 1) === 1 && (cc.strides ?? [1, 1]).every((v: number) => v === 1) &&
          (cc.dilation_rate ?? [1, 1]).every((v: number) => v === 1) && cc.kernel_size.every((v: number) => v % 2 === 1);
        if (fusable) this.fusedUpsample.add(nameOf(layer));
      }
    }
  }

  private get(key: string): Tensor {
    const t = this.tensors.get(key);
    if (!t) throw new Error(`${this.source}: tensor ${key} is used before it is defined`);
    return t;
  }

  /** The tensor in the wanted layout, emitting (once) the transpose if needed. */
  private as(t: Tensor, layout: Layout): Tensor {
    if (t.layout === layout) return t;
    if (!t.other) {
      const perm = layout === "NCHW" ? [0, 3, 1, 2] : [0, 2, 3, 1];
      const name = this.g.op("Transpose", [t.name], { perm }, `${t.name}/${layout}`);
      t.other = { name, layout, channels: t.channels, other: t };
    }
    return t.other;
  }

  private weight(name: string, layer: string): TfjsWeight {
    const w = this.weights.get(name);
    if (!w) throw new Error(`${this.source}: layer "${layer}" needs weight "${name}", which the weights manifest lacks`);
    return w;
  }

  private convertLayer(layer: KerasLayer): void {
    const name = layer.name ?? layer.config.name;
    if (layer.class_name === "InputLayer") {
      const shape = layer.config.batch_input_shape ?? layer.config.batch_shape;
      if (!Array.isArray(shape) || shape.length !== 4) {
        throw new Error(`${this.source}: input "${name}" has shape ${JSON.stringify(shape)}; only NHWC images are supported`);
      }
      const dims = [1, shape[1] ?? "h", shape[2] ?? "w", shape[3] ?? "c"];
      this.g.addInput({ name, type: "float32", shape: dims });
      this.tensors.set(`${name}:0:0`, { name, layout: "NHWC", channels: typeof dims[3] === "number" ? dims[3] : undefined });
      return;
    }
    layer.inbound_nodes.forEach((node, nodeIndex) => {
      const inputs = node.map(([l, n, i]) => this.get(`${l}:${n}:${i}`));
      const hint = layer.inbound_nodes.length > 1 ? `${name}_${nodeIndex}` : name;
      this.tensors.set(`${name}:${nodeIndex}:0`, this.apply(layer, name, hint, inputs));
    });
  }

  private apply(layer: KerasLayer, name: string, hint: string, inputs: Tensor[]): Tensor {
    const c = layer.config;
    const g = this.g;
    const cls = layer.class_name;
    if (cls === "Conv2D") return this.conv2d(name, hint, c, inputs[0]);
    if (cls === "Activation") {
      const x = inputs[0];
      return { name: this.activation(c.activation, x.name, hint, name), layout: x.layout, channels: x.channels };
    }
    if (cls === "Concatenate") {
      const layout: Layout = inputs.some((t) => t.layout === "NCHW") ? "NCHW" : "NHWC";
      const axis = c.axis ?? -1;
      const nhwcAxis = axis < 0 ? axis + 4 : axis;
      if (nhwcAxis < 0 || nhwcAxis > 3) throw new Error(`${this.source}: layer "${name}" concatenates on axis ${axis} of a rank-4 tensor`);
      const onnxAxis = layout === "NCHW" ? NHWC_TO_NCHW_AXIS[nhwcAxis] : nhwcAxis;
      const channels = nhwcAxis !== 3 ? inputs[0].channels : inputs.every((t) => t.channels !== undefined) ? inputs.reduce((a, t) => a + t.channels!, 0) : undefined;
      return { name: g.op("Concat", inputs.map((t) => this.as(t, layout).name), { axis: onnxAxis }, hint), layout, channels };
    }
    if (cls in ELEMENTWISE || cls === "Average") {
      const layout: Layout = inputs.some((t) => t.layout === "NCHW") ? "NCHW" : "NHWC";
      const names = inputs.map((t) => this.as(t, layout).name);
      const channels = inputs.find((t) => t.channels !== undefined)?.channels;
      if (cls === "Average") {
        const sum = names.slice(1).reduce((a, b, i) => g.op("Add", [a, b], {}, `${hint}/sum${i}`), names[0]);
        return { name: g.op("Mul", [sum, g.constFloat(`${hint}/inv_n`, [1 / names.length], [])], {}, hint), layout, channels };
      }
      const op = ELEMENTWISE[cls];
      const out = names.slice(1).reduce((a, b, i) => g.op(op, [a, b], {}, i === names.length - 2 ? hint : `${hint}/${i}`), names[0]);
      return { name: out, layout, channels };
    }
    if (cls === "MultiplyBeta") return this.multiplyBeta(layer, hint, inputs[0]);
    const shuffle = /^PixelShuffle(\d+)x$/.exec(cls);
    if (shuffle) {
      // tf.depthToSpace (NHWC): out[h·s+i, w·s+j, c] = in[h, w, (i·s + j)·C' + c], which is ONNX's DCR order.
      const scale = Number(shuffle[1]);
      if (typeof c.scale === "number" && c.scale !== scale) {
        throw new Error(`${this.source}: layer "${name}" is ${cls} but its config says scale ${c.scale}`);
      }
      const x = this.as(inputs[0], "NCHW");
      const channels = x.channels === undefined ? undefined : x.channels / (scale * scale);
      return { name: g.op("DepthToSpace", [x.name], { blocksize: scale, mode: "DCR" }, hint), layout: "NCHW", channels };
    }
    if (cls === "UpSampling2D") return this.upsample(name, hint, c, inputs[0]);
    throw new Error(`${this.source}: layer "${name}" has unsupported class ${cls}`);
  }

  /**
   * ESRGAN's residual scaling, x · β. Folded into the producing convolution when planned;
   * otherwise a depthwise 1×1 convolution rather than a Mul, because ONNX Runtime's blocked
   * (NCHWc) CPU layout covers convolutions and their residual Adds but not a Mul by a scalar:
   * one Mul would send every following dense block back to plain NCHW with reorders around each
   * convolution.
   */
  private multiplyBeta(layer: KerasLayer, hint: string, x: Tensor): Tensor {
    const source = layer.inbound_nodes[0][0][0];
    if (this.foldedScale.has(source)) return x;
    const beta = betaOf(layer.config);
    if (x.channels === undefined) {
      return { name: this.g.op("Mul", [x.name, this.g.constFloat(`${hint}/beta`, [beta], [])], {}, hint), layout: x.layout };
    }
    const c = x.channels;
    const w = this.g.constFloat(`${hint}/beta`, new Float32Array(c).fill(beta), [c, 1, 1, 1]);
    const name = this.g.op("Conv", [this.as(x, "NCHW").name, w], { kernel_shape: [1, 1], group: c }, hint);
    return { name, layout: "NCHW", channels: c };
  }

  private activation(kind: string | undefined, x: string, hint: string, layer: string): string {
    const act = ACTIVATIONS[kind ?? "linear"];
    if (!act) throw new Error(`${this.source}: layer "${layer}" uses unsupported activation "${kind}"`);
    return act(this.g, x, hint);
  }

  private conv2d(name: string, hint: string, c: Record<string, any>, input: Tensor): Tensor {
    if (c.data_format && c.data_format !== "channels_last") {
      throw new Error(`${this.source}: Conv2D "${name}" uses data_format ${c.data_format}; only channels_last is supported`);
    }
    if (input.pendingUpsample) return this.upsampledConv2d(name, hint, c, input, input.pendingUpsample);
    const kernel = this.weight(`${name}/kernel`, name);
    const [kh, kw, cinPerGroup, cout] = kernel.shape;
    // TF kernel [kh, kw, cin/groups, cout] → ONNX [cout, cin/groups, kh, kw].
    const src = kernel.data;
    const scale = this.foldedScale.get(name) ?? 1;
    const w = new Float32Array(src.length);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < cinPerGroup; i++)
          for (let o = 0; o < cout; o++) w[((o * cinPerGroup + i) * kh + y) * kw + x] = scale * src[((y * kw + x) * cinPerGroup + i) * cout + o];
    const inputs = [this.as(input, "NCHW").name, this.g.constFloat(`${name}/W`, w, [cout, cinPerGroup, kh, kw])];
    if (c.use_bias !== false) inputs.push(this.g.constFloat(`${name}/B`, this.weight(`${name}/bias`, name).data.map((b) => b * scale), [cout]));
    const strides: number[] = c.strides ?? [1, 1];
    const dilations: number[] = c.dilation_rate ?? [1, 1];
    const attrs: Record<string, number[] | number | string> = {
      kernel_shape: [kh, kw],
      strides,
      dilations,
      group: c.groups ?? 1,
    };
    if (c.padding === "same") {
      if (strides[0] === 1 && strides[1] === 1) {
        // TF "same", stride 1: total padding (k−1)·d, the odd pixel going after.
        const th = (kh - 1) * dilations[0];
        const tw = (kw - 1) * dilations[1];
        attrs.pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
      } else {
        attrs.auto_pad = "SAME_UPPER"; // TF puts the extra padding at the end, as SAME_UPPER does.
      }
    } else if (c.padding === "valid") {
      attrs.pads = [0, 0, 0, 0];
    } else {
      throw new Error(`${this.source}: Conv2D "${name}" uses padding "${c.padding}"; only same/valid are supported`);
    }
    const act = c.activation ?? "linear";
    const conv = this.g.op("Conv", inputs, attrs, act === "linear" ? hint : `${hint}/conv`);
    return { name: this.activation(act, conv, hint, name), layout: "NCHW", channels: cout };
  }

  /**
   * conv(upsample_nearest(x, s)) as DepthToSpace(conv'(x)): HR output pixel (s·y+i, s·x+j) reads
   * HR input (s·y+i+dy, …) = LR pixel (y + ⌊(i+dy)/s⌋, …), so the phase-(i, j) kernel sums the
   * original taps that land on the same LR neighbour. Zero padding agrees at the borders, since
   * an HR tap falls outside exactly when its LR pixel does.
   */
  private upsampledConv2d(name: string, hint: string, c: Record<string, any>, input: Tensor, s: number): Tensor {
    const kernel = this.weight(`${name}/kernel`, name);
    const [kh, kw, cin, cout] = kernel.shape;
    const [rh, rw] = [(kh - 1) / 2, (kw - 1) / 2];
    const [Rh, Rw] = [Math.ceil(rh / s), Math.ceil(rw / s)];
    const [KH, KW] = [2 * Rh + 1, 2 * Rw + 1];
    const scale = this.foldedScale.get(name) ?? 1;
    const src = kernel.data;
    const w = new Float32Array(s * s * cout * cin * KH * KW);
    for (let i = 0; i < s; i++)
      for (let j = 0; j < s; j++)
        for (let dy = -rh; dy <= rh; dy++)
          for (let dx = -rw; dx <= rw; dx++) {
            const ey = Math.floor((i + dy) / s) + Rh;
            const ex = Math.floor((j + dx) / s) + Rw;
            for (let ci = 0; ci < cin; ci++)
              for (let o = 0; o < cout; o++) {
                const oc = (i * s + j) * cout + o; // DCR order: phase-major, as DepthToSpace expects
                w[((oc * cin + ci) * KH + ey) * KW + ex] += scale * src[(((dy + rh) * kw + dx + rw) * cin + ci) * cout + o];
              }
          }
    const inputs = [this.as(input, "NCHW").name, this.g.constFloat(`${name}/W`, w, [s * s * cout, cin, KH, KW])];
    if (c.use_bias !== false) {
      const b = this.weight(`${name}/bias`, name).data;
      inputs.push(this.g.constFloat(`${name}/B`, Float32Array.from({ length: s * s * cout }, (_, k) => scale * b[k % cout]), [s * s * cout]));
    }
    const attrs = { kernel_shape: [KH, KW], pads: [Rh, Rw, Rh, Rw] };
    const lowRes = this.activation(c.activation ?? "linear", this.g.op("Conv", inputs, attrs, `${hint}/lowres`), `${hint}/act`, name);
    return { name: this.g.op("DepthToSpace", [lowRes], { blocksize: s, mode: "DCR" }, hint), layout: "NCHW", channels: cout };
  }

  private upsample(name: string, hint: string, c: Record<string, any>, input: Tensor): Tensor {
    if (c.data_format && c.data_format !== "channels_last") {
      throw new Error(`${this.source}: UpSampling2D "${name}" uses data_format ${c.data_format}; only channels_last is supported`);
    }
    const size: number[] = Array.isArray(c.size) ? c.size : [c.size ?? 2, c.size ?? 2];
    if (this.fusedUpsample.has(name)) return { name: input.name, layout: input.layout, channels: input.channels, other: input.other, pendingUpsample: size[0] };
    const interpolation = c.interpolation ?? "nearest";
    // TF.js resizes with alignCorners = false and halfPixelCenters = false: source = dest / s,
    // i.e. ONNX "asymmetric"; nearest rounds down.
    const attrs =
      interpolation === "nearest"
        ? { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" }
        : interpolation === "bilinear"
          ? { mode: "linear", coordinate_transformation_mode: "asymmetric" }
          : undefined;
    if (!attrs) throw new Error(`${this.source}: UpSampling2D "${name}" uses interpolation "${interpolation}"; only nearest/bilinear are supported`);
    const x = this.as(input, "NCHW");
    const scales = this.g.constFloat(`${hint}/scales`, [1, 1, size[0], size[1]], [4]);
    return { name: this.g.op("Resize", [x.name, "", scales], attrs, hint), layout: "NCHW", channels: x.channels };
  }
}

/**
 * Converts a TF.js Keras layers model to ONNX.
 * @param modelJsonPath path to `model.json`; its weight shards are read from the same folder.
 * @returns the ONNX model bytes (opset 17): NHWC in and out, as the TF.js model.
 * @example
 *   const onnx = await convertLayersModel("node_modules/@upscalerjs/esrgan-slim/models/x4/model.json");
 */
export async function convertLayersModel(modelJsonPath: string): Promise<Uint8Array> {
  const { modelJson, weights } = await readTfjsWeights(modelJsonPath);
  if (modelJson.format !== undefined && modelJson.format !== "layers-model") {
    throw new Error(`${modelJsonPath}: format is "${modelJson.format}", not a layers model`);
  }
  const topology = modelJson.modelTopology;
  const modelConfig = topology?.model_config ?? (topology?.class_name ? topology : undefined);
  if (!modelConfig) throw new Error(`${modelJsonPath}: no modelTopology.model_config (is this a TF.js layers model?)`);
  return new LayersConverter(modelJsonPath, weights).convert(modelConfig);
}
