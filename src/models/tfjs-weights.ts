/**
 * Reads the weights of a TF.js model (graph or layers): `model.json`'s weightsManifest plus its
 * binary shards, dequantised to float32 / int32. Shared by the graph and the layers converters.
 *
 * Weight encodings handled (as TF.js writes them):
 * - plain float32, int32, bool (1 byte per value, read as int32 0/1);
 * - float16 storage: `quantization: {dtype: "float16"}` (IEEE half, little-endian);
 * - affine uint8/uint16: `quantization: {dtype: "uint8"|"uint16", scale, min}` → q·scale + min
 *   (rounded when the original dtype is int32);
 * - string weights are not used by any model we convert and are rejected with a clear error.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

/** One dequantised weight tensor. */
export interface TfjsWeight {
  dtype: "float32" | "int32";
  shape: number[];
  data: Float32Array | Int32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

/** IEEE-754 half → float, exact for every half value (subnormals, infinities, NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeOne(entry: ManifestEntry, bytes: Uint8Array, source: string): TfjsWeight {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isInt = entry.dtype === "int32" || entry.dtype === "bool";
  if (q) {
    if (q.dtype === "float16") {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return { dtype: "float32", shape: entry.shape, data: out };
    }
    if (q.dtype === "uint8" || q.dtype === "uint16") {
      if (q.scale === undefined || q.min === undefined) {
        throw new Error(`${source}: weight "${entry.name}" is ${q.dtype}-quantised without scale/min`);
      }
      const wide = q.dtype === "uint16";
      const read = (i: number) => (wide ? dv.getUint16(i * 2, true) : dv.getUint8(i));
      if (isInt) {
        const out = new Int32Array(count);
        for (let i = 0; i < count; i++) out[i] = Math.round(read(i) * q.scale + q.min);
        return { dtype: "int32", shape: entry.shape, data: out };
      }
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = read(i) * q.scale + q.min;
      return { dtype: "float32", shape: entry.shape, data: out };
    }
    throw new Error(`${source}: weight "${entry.name}" uses unsupported quantisation ${q.dtype}`);
  }
  if (entry.dtype === "float32") {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
    return { dtype: "float32", shape: entry.shape, data: out };
  }
  if (entry.dtype === "int32") {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
    return { dtype: "int32", shape: entry.shape, data: out };
  }
  if (entry.dtype === "bool") {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
    return { dtype: "int32", shape: entry.shape, data: out };
  }
  throw new Error(`${source}: weight "${entry.name}" has unsupported dtype ${entry.dtype}`);
}

/** Bytes one manifest entry occupies in its shard group. */
function entryBytes(entry: ManifestEntry): number {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const stored = entry.quantization?.dtype ?? entry.dtype;
  const size = BYTES[stored];
  if (size === undefined) throw new Error(`weight "${entry.name}": unsupported stored dtype ${stored}`);
  return count * size;
}

/**
 * Reads `model.json` and every weight shard next to it.
 * @returns the parsed model.json and the weights by name (dequantised).
 */
export async function readTfjsWeights(modelJsonPath: string): Promise<{ modelJson: any; weights: Map<string, TfjsWeight> }> {
  let modelJson: any;
  try {
    modelJson = JSON.parse(await readFile(modelJsonPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot read TF.js model ${modelJsonPath}: ${(err as Error).message}`);
  }
  const groups: ManifestGroup[] = modelJson.weightsManifest ?? [];
  const dir = path.dirname(modelJsonPath);
  const weights = new Map<string, TfjsWeight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    const total = shards.reduce((a, s) => a + s.byteLength, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      buf.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const entry of group.weights) {
      const size = entryBytes(entry);
      if (offset + size > total) {
        throw new Error(`${modelJsonPath}: weight "${entry.name}" runs past the end of its shards (${offset + size} > ${total} bytes)`);
      }
      // Copy to an aligned slice: shard offsets are not necessarily multiples of 4.
      const slice = buf.slice(offset, offset + size);
      weights.set(entry.name, decodeOne(entry, slice, modelJsonPath));
      offset += size;
    }
  }
  return { modelJson, weights };
}
