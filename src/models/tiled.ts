/**
 * Tiled image-to-image inference for any estimator (docs/design.md §3): a sliding window of at most
 * `inferencePatch` input pixels, neighbouring tiles sharing `overlap` pixels. Within a shared
 * strip each tile's outer `receptiveField` pixels get no weight (the model's zero padding reaches
 * there) and the rest is a raised-cosine cross-fade; weights are normalised to sum to 1, so the
 * result equals one whole-image pass up to float rounding.
 *
 * Memory: each tile's output is added, weighted, straight into the output image and dropped, so
 * at any time we hold the inputs, the outputs and one tile's tensors — never all tile outputs.
 */
import * as ort from "onnxruntime-node";
// The copy that stood here clamped negatives inside pow only, where c > 0.0031308 already: the shared unclamped form is the same function.
import { linearToSrgb, srgbToLinear } from "../primitives/color.ts";
import type { ColorSpace, EstimatorManifest, ImageF32, TensorSpec } from "../types.ts";

export interface TiledOptions {
  /** Called after each tile with the fraction of tiles done, 0..1. */
  onProgress?(fraction: number): void;
  /** Checked before each tile; when aborted the run rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Tiles along one axis: where each starts and their common size, input pixels. */
export interface AxisTiles {
  starts: number[];
  size: number;
}

/**
 * Splits `length` pixels into the fewest tiles of at most `patch` pixels that share at least
 * `overlap` pixels, then shrinks the tiles to the smallest equal size that still covers it (less
 * wasted compute than full-size tiles with a crowded last one).
 */
export function tileAxis(length: number, patch: number, overlap: number): AxisTiles {
  if (length <= patch) return { starts: [0], size: length };
  if (patch <= overlap) throw new Error(`tile size ${patch} must exceed the overlap ${overlap}`);
  const n = Math.ceil((length - overlap) / (patch - overlap));
  const size = Math.ceil((length + (n - 1) * overlap) / n);
  const starts = Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
  return { starts, size };
}

/**
 * Per-tile blend weights along one axis, in output pixels (input pixels × scale). Zero within
 * `margin` of a tile edge that is inside the image, a raised-cosine ramp over the next `ramp`
 * pixels, one elsewhere; then normalised so the tiles covering a pixel sum to exactly 1.
 */
export function blendWeights(tiles: AxisTiles, length: number, scale: number, margin: number, ramp: number): Float32Array[] {
  const size = tiles.size * scale;
  const m = margin * scale;
  const r = ramp * scale;
  const edge = (d: number) => (d < m ? 0 : d < m + r ? 0.5 - 0.5 * Math.cos((Math.PI * (d - m + 0.5)) / r) : 1);
  const raw = tiles.starts.map((start) => {
    const w = new Float64Array(size);
    const innerLeft = start > 0;
    const innerRight = start + tiles.size < length;
    for (let u = 0; u < size; u++) w[u] = Math.min(innerLeft ? edge(u) : 1, innerRight ? edge(size - 1 - u) : 1);
    return w;
  });
  const total = new Float64Array(length * scale);
  tiles.starts.forEach((start, t) => raw[t].forEach((v, u) => (total[start * scale + u] += v)));
  const bad = total.findIndex((v) => !(v > 0));
  if (bad >= 0) throw new Error(`tiles leave output pixel ${bad} without weight (overlap too small for the receptive field)`);
  return tiles.starts.map((start, t) => Float32Array.from(raw[t], (v, u) => v / total[start * scale + u]));
}

/**
 * How image values become model values for one input: colour conversion (`kind`), then the range
 * map. A plain record read by mapValue, not a closure per input: the tile copy's one call site
 * then stays monomorphic and inlined (a closure per input made it polymorphic, and every value
 * came back as a boxed number).
 */
interface InputMapping {
  kind: "range" | "normal" | "toSrgb" | "toLinear";
  lo: number;
  span: number;
}

function inputMapping(spec: TensorSpec, image: ImageF32, label: string): InputMapping {
  const [lo, hi] = spec.range;
  const span = hi - lo;
  if (spec.colorSpace === "normal-tangent" || spec.colorSpace === "normal-object") {
    if (image.colorSpace !== "data") throw new Error(`${label}: the model wants ${spec.colorSpace} normals but the image is ${image.colorSpace}`);
    return { kind: "normal", lo, span };
  }
  if (spec.colorSpace === "data") {
    if (image.colorSpace !== "data") throw new Error(`${label}: the model wants data but the image is ${image.colorSpace} colour`);
    return { kind: "range", lo, span };
  }
  if (image.colorSpace === "data") throw new Error(`${label}: the model wants ${spec.colorSpace} colour but the image is data`);
  if (image.colorSpace === spec.colorSpace) return { kind: "range", lo, span };
  return { kind: spec.colorSpace === "srgb" ? "toSrgb" : "toLinear", lo, span };
}

/** One image value as the model's value under `m`. */
function mapValue(m: InputMapping, v: number): number {
  switch (m.kind) {
    case "range":
      return m.lo + v * m.span;
    case "normal":
      return m.lo + (v + 1) * 0.5 * m.span;
    case "toSrgb":
      return m.lo + linearToSrgb(v) * m.span;
    case "toLinear":
      return m.lo + srgbToLinear(v) * m.span;
  }
}

/** The colour space an output is returned in; values 0..1 (normals −1..1). */
function outputColorSpace(spec: TensorSpec): ColorSpace {
  return spec.colorSpace === "srgb" || spec.colorSpace === "linear" ? spec.colorSpace : "data";
}

/** Checks the inputs against the manifest and the session, and decides how tiles are fed. */
function plan(session: ort.InferenceSession, manifest: EstimatorManifest, inputs: ImageF32[]) {
  const who = `estimator "${manifest.name}"`;
  if (inputs.length !== manifest.inputs.length) {
    throw new Error(`${who} takes ${manifest.inputs.length} input image(s) (${manifest.inputs.map((s) => s.name).join(", ")}), got ${inputs.length}`);
  }
  const { width, height } = inputs[0];
  const maps = inputs.map((img, i) => {
    const spec = manifest.inputs[i];
    const label = `${who}, input ${i} (${spec.name})`;
    if (img.width !== width || img.height !== height) throw new Error(`${label}: ${img.width}×${img.height}, but input 0 is ${width}×${height}`);
    if (img.channels !== spec.channels) throw new Error(`${label}: ${img.channels} channels, the manifest says ${spec.channels}`);
    if (img.data.length !== width * height * img.channels) throw new Error(`${label}: data length ${img.data.length} ≠ ${width}×${height}×${img.channels}`);
    return inputMapping(spec, img, label);
  });
  // One model input: all images concatenated on channels in manifest order. Several: by name.
  let groups: { name: string; members: number[] }[];
  if (session.inputNames.length === 1) {
    groups = [{ name: session.inputNames[0], members: inputs.map((_, i) => i) }];
  } else {
    const missing = session.inputNames.filter((n) => !manifest.inputs.some((s) => s.name === n));
    const extra = manifest.inputs.filter((s) => !session.inputNames.includes(s.name)).map((s) => s.name);
    if (missing.length || extra.length) {
      throw new Error(`${who}: model inputs are [${session.inputNames.join(", ")}], manifest inputs [${manifest.inputs.map((s) => s.name).join(", ")}]`);
    }
    groups = manifest.inputs.map((s, i) => ({ name: s.name, members: [i] }));
  }
  const unknown = manifest.outputs.filter((s) => !session.outputNames.includes(s.name)).map((s) => s.name);
  if (unknown.length) throw new Error(`${who}: outputs [${unknown.join(", ")}] not in the model's [${session.outputNames.join(", ")}]`);
  return { width, height, maps, groups };
}

/** One session run into the preallocated outputs, turning ORT's shape complaint into a manifest error. */
async function runTile(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor>, manifest: EstimatorManifest, tw: number, th: number): Promise<void> {
  try {
    await session.run(feeds, fetches);
  } catch (err) {
    const want = Object.entries(fetches).map(([n, t]) => `${n} [${t.dims.join(", ")}]`).join(", ");
    throw new Error(
      `estimator "${manifest.name}" on a ${tw}×${th} tile: ${(err as Error).message.trim()} — the manifest (scale ${manifest.scale}, ${manifest.layout ?? "nhwc"}) implies outputs ${want}`,
    );
  }
}

/**
 * Runs an image-to-image estimator over images of any size, tile by tile.
 * @param session the estimator's ONNX Runtime session (from the shared cache)
 * @param manifest how to feed it: tensor names, ranges, colour spaces, scale, tile geometry
 * @param inputs one image per manifest input, all the same size, values 0..1 (normals −1..1)
 * @returns one image per manifest output, (width × scale) × (height × scale), in the output's
 *   colour space, values mapped back from the model's range to 0..1 (normals −1..1), not clamped
 * @example
 *   const [hires] = await runTiled(await estimator.session(), estimator.manifest, [texture]);
 */
export async function runTiled(session: ort.InferenceSession, manifest: EstimatorManifest, inputs: ImageF32[], options: TiledOptions = {}): Promise<ImageF32[]> {
  const { width, height, maps, groups } = plan(session, manifest, inputs);
  const k = manifest.scale;
  const nchw = manifest.layout === "nchw";
  const R = manifest.receptiveField;
  const ramp = Math.max(0, manifest.overlap - 2 * R);
  const cols = tileAxis(width, manifest.inferencePatch, manifest.overlap);
  const rows = tileAxis(height, manifest.inferencePatch, manifest.overlap);
  const wx = blendWeights(cols, width, k, R, ramp);
  const wy = blendWeights(rows, height, k, R, ramp);
  const outW = width * k;
  const outH = height * k;
  const acc = manifest.outputs.map((s) => new Float32Array(outW * outH * s.channels));
  const tw = cols.size;
  const th = rows.size;
  const total = cols.starts.length * rows.starts.length;
  let done = 0;
  // Every tile has the same size, so one set of input and output tensors serves them all: ONNX
  // Runtime writes into the preallocated outputs and no per-tile garbage piles up before a GC.
  const feeds: Record<string, ort.Tensor> = {};
  for (const group of groups) {
    const C = group.members.reduce((a, i) => a + inputs[i].channels, 0);
    feeds[group.name] = new ort.Tensor("float32", new Float32Array(th * tw * C), nchw ? [1, C, th, tw] : [1, th, tw, C]);
  }
  const [oh, ow] = [th * k, tw * k];
  const fetches: Record<string, ort.Tensor> = {};
  for (const spec of manifest.outputs) {
    const C = spec.channels;
    fetches[spec.name] = new ort.Tensor("float32", new Float32Array(oh * ow * C), nchw ? [1, C, oh, ow] : [1, oh, ow, C]);
  }

  for (const [ty, y0] of rows.starts.entries()) {
    for (const [tx, x0] of cols.starts.entries()) {
      options.signal?.throwIfAborted();
      for (const group of groups) {
        const C = group.members.reduce((a, i) => a + inputs[i].channels, 0);
        const data = feeds[group.name].data as Float32Array;
        let c0 = 0;
        for (const i of group.members) {
          const img = inputs[i];
          const ch = img.channels;
          const map = maps[i];
          for (let y = 0; y < th; y++) {
            for (let x = 0; x < tw; x++) {
              const src = ((y0 + y) * width + x0 + x) * ch;
              for (let c = 0; c < ch; c++) {
                const dst = nchw ? ((c0 + c) * th + y) * tw + x : (y * tw + x) * C + c0 + c;
                data[dst] = mapValue(map, img.data[src + c]);
              }
            }
          }
          c0 += ch;
        }
      }
      await runTile(session, feeds, fetches, manifest, tw, th);
      manifest.outputs.forEach((spec, o) => {
        const C = spec.channels;
        const src = fetches[spec.name].data as Float32Array;
        const out = acc[o];
        const wxs = wx[tx];
        const wys = wy[ty];
        for (let y = 0; y < oh; y++) {
          const wyv = wys[y];
          if (wyv === 0) continue;
          const rowBase = (y0 * k + y) * outW + x0 * k;
          for (let x = 0; x < ow; x++) {
            const w = wyv * wxs[x];
            if (w === 0) continue;
            const dst = (rowBase + x) * C;
            for (let c = 0; c < C; c++) out[dst + c] += w * src[nchw ? (c * oh + y) * ow + x : (y * ow + x) * C + c];
          }
        }
      });
      options.onProgress?.(++done / total);
    }
  }

  return manifest.outputs.map((spec, o) => {
    const data = acc[o];
    const [lo, hi] = spec.range;
    const normal = spec.colorSpace === "normal-tangent" || spec.colorSpace === "normal-object";
    const a = (normal ? 2 : 1) / (hi - lo);
    const b = normal ? -1 : 0;
    for (let i = 0; i < data.length; i++) data[i] = (data[i] - lo) * a + b;
    return { width: outW, height: outH, channels: spec.channels, data, colorSpace: outputColorSpace(spec) };
  });
}
