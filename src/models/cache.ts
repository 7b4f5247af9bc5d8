/**
 * On-disk cache of converted models. Each catalog model is converted from its npm TF.js files
 * once and stored as `<name>-<key>.onnx` with a `.json` sidecar; the key is a sha256 over the
 * source model.json, its weight shards and the converter's own source code, so a new package
 * version or a converter change rebuilds the model by itself.
 *
 * Directory: $PORELIGHT_CACHE_DIR, else $XDG_CACHE_HOME/porelight, else ~/.cache/porelight.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import onnxProto from "onnx-proto";
import { modelSpec, resolveModelSource, type ModelSpec } from "./catalog.ts";
import { cacheDir } from "../io/cache-dir.ts";

/** Bump to invalidate every cached model (e.g. when the sidecar format changes). */
export const CACHE_FORMAT_VERSION = 1;

/** One ONNX graph input or output as stored in the model. */
export interface OnnxTensorInfo {
  name: string;
  /** Element type name, e.g. "float32". */
  type: string;
  /** Dimensions; strings are symbolic (free) dimensions. */
  shape: (number | string)[];
}

/** A converted model in the cache. */
export interface CachedModel {
  name: string;
  /** Package-relative source (see catalog.ts). */
  source: string;
  /** sha256 over the source files and converter (the cache key), hex. */
  sha256: string;
  /** sha256 of the ONNX bytes, hex. */
  onnxSha256: string;
  /** Absolute path of the cached .onnx file. */
  path: string;
  bytes: number;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

export interface EnsureModelOptions {
  /** Called once when the model is not cached and a conversion starts (callers print a line). */
  onProgress?: (event: { model: string; phase: "converting" | "done"; ms?: number }) => void;
}

/** The cache directory (not created). */
export { cacheDir };

const here = path.dirname(fileURLToPath(import.meta.url));

/** Converter sources per kind; hashing them replaces a version constant nobody remembers to bump. */
const CONVERTER_FILES: Record<ModelSpec["kind"], string[]> = {
  graph: ["convert-graph.ts", "graph-ops/context.ts", "graph-ops/conv.ts", "graph-ops/basic.ts", "tfjs-weights.ts", "onnx-graph.ts"],
  layers: ["convert-layers.ts", "tfjs-weights.ts", "onnx-graph.ts"],
};

/** The files a model is made of: model.json then its shards in manifest order. */
async function sourceFiles(modelJsonPath: string): Promise<string[]> {
  const json = JSON.parse(await readFile(modelJsonPath, "utf8"));
  const dir = path.dirname(modelJsonPath);
  return [modelJsonPath, ...(json.weightsManifest ?? []).flatMap((g: { paths: string[] }) => g.paths.map((p) => path.join(dir, p)))];
}

/** The cache key of a model: sha256 over its source files and its converter's code. */
export async function sourceKey(spec: ModelSpec): Promise<string> {
  const h = createHash("sha256");
  h.update(`porelight-cache-v${CACHE_FORMAT_VERSION}\0${spec.kind}\0`);
  for (const file of await sourceFiles(resolveModelSource(spec))) {
    h.update(path.basename(file) + "\0");
    h.update(await readFile(file));
  }
  for (const file of CONVERTER_FILES[spec.kind]) {
    const text = await readFile(path.join(here, file)).catch(() => Buffer.from("missing"));
    h.update(file + "\0");
    h.update(text);
  }
  return h.digest("hex");
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const ELEM_TYPES: Record<number, string> = { 1: "float32", 6: "int32", 7: "int64", 9: "bool", 10: "float16" };

/** Reads the graph inputs/outputs of ONNX bytes (without running anything). */
export function onnxSignature(bytes: Uint8Array): { inputs: OnnxTensorInfo[]; outputs: OnnxTensorInfo[] } {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const info = (v: onnxProto.onnx.IValueInfoProto): OnnxTensorInfo => ({
    name: v.name ?? "",
    type: ELEM_TYPES[v.type?.tensorType?.elemType ?? 0] ?? "unknown",
    shape: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))),
  });
  return {
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? "")).map(info),
    outputs: (graph.output ?? []).map(info),
  };
}

async function convert(spec: ModelSpec): Promise<Uint8Array> {
  const file = resolveModelSource(spec);
  if (spec.kind === "graph") return (await import("./convert-graph.ts")).convertGraphModel(file);
  return (await import("./convert-layers.ts")).convertLayersModel(file);
}

/** Writes via a temporary file and a rename, so readers never see half a file. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function entryPaths(name: string, key: string) {
  const base = path.join(cacheDir(), `${name}-${key.slice(0, 16)}`);
  return { onnx: `${base}.onnx`, meta: `${base}.json` };
}

/** The cached entry for a model if present and consistent with its sidecar, else undefined. */
export async function lookupModel(name: string, key?: string): Promise<CachedModel | undefined> {
  const spec = modelSpec(name);
  const k = key ?? (await sourceKey(spec));
  const { meta } = entryPaths(name, k);
  try {
    const entry = JSON.parse(await readFile(meta, "utf8")) as CachedModel;
    return entry.sha256 === k ? entry : undefined;
  } catch {
    return undefined;
  }
}

const inFlight = new Map<string, Promise<CachedModel>>();

/**
 * Returns the cached ONNX model, converting it first if needed. Prints nothing; reports a cold
 * cache through `onProgress` so the caller can print "converting <name> (first use)…".
 */
export function ensureModel(name: string, options: EnsureModelOptions = {}): Promise<CachedModel> {
  let p = inFlight.get(name);
  if (!p) {
    p = ensureUncached(name, options).finally(() => inFlight.delete(name));
    inFlight.set(name, p);
  }
  return p;
}

async function ensureUncached(name: string, options: EnsureModelOptions): Promise<CachedModel> {
  const spec = modelSpec(name);
  const key = await sourceKey(spec);
  const hit = await lookupModel(name, key);
  if (hit) return hit;
  options.onProgress?.({ model: name, phase: "converting" });
  const start = performance.now();
  const bytes = await convert(spec);
  const paths = entryPaths(name, key);
  await mkdir(cacheDir(), { recursive: true });
  const entry: CachedModel = {
    name,
    source: spec.source,
    sha256: key,
    onnxSha256: sha256(bytes),
    path: paths.onnx,
    bytes: bytes.byteLength,
    ...onnxSignature(bytes),
  };
  await writeAtomic(paths.onnx, bytes);
  await writeAtomic(paths.meta, JSON.stringify(entry, null, 2));
  options.onProgress?.({ model: name, phase: "done", ms: performance.now() - start });
  return entry;
}

/** Reads a cached model's ONNX bytes. */
export async function readModelBytes(name: string, options: EnsureModelOptions = {}): Promise<Uint8Array> {
  const entry = await ensureModel(name, options);
  const bytes = await readFile(entry.path).catch(() => undefined);
  if (bytes && sha256(bytes) === entry.onnxSha256) return bytes;
  // A damaged or deleted cache file is rebuilt rather than loaded.
  await rm(entryPaths(name, entry.sha256).meta, { force: true });
  return readFile((await ensureModel(name, options)).path);
}

/** Result of re-checking one cached model. */
export interface VerifyResult {
  name: string;
  ok: boolean;
  problem?: string;
}

/**
 * Re-hashes a model's sources and its cached ONNX and checks both against the sidecar, and that
 * the ONNX still decodes with the recorded signature.
 */
export async function verifyModel(name: string): Promise<VerifyResult> {
  const spec = modelSpec(name);
  const key = await sourceKey(spec);
  const { meta } = entryPaths(name, key);
  let entry: CachedModel;
  try {
    entry = JSON.parse(await readFile(meta, "utf8"));
  } catch {
    return { name, ok: false, problem: "not cached for the current sources (run `porelight models`)" };
  }
  if (entry.sha256 !== key) return { name, ok: false, problem: "source checksum differs from the cache entry" };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(entry.path);
  } catch {
    return { name, ok: false, problem: `cached file ${entry.path} is missing` };
  }
  if (bytes.byteLength !== entry.bytes || sha256(bytes) !== entry.onnxSha256) {
    return { name, ok: false, problem: "cached ONNX bytes do not match their recorded sha256" };
  }
  const sig = onnxSignature(bytes);
  if (JSON.stringify(sig) !== JSON.stringify({ inputs: entry.inputs, outputs: entry.outputs })) {
    return { name, ok: false, problem: "cached ONNX signature differs from the recorded one" };
  }
  return { name, ok: true };
}
