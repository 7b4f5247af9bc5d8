/**
 * The template head on disk, so a fresh process reads it (≈ 2 MB, milliseconds) instead of
 * building it again (≈ 1.7–3 CPU s): `<cache dir>/template-head-<key>.bin`, cache dir as for the
 * models (src/io/cache-dir.ts).
 *
 * The head is a pure function of the generator's source code: its data are TypeScript modules
 * (src/geometry/data/), and it reads no file and no option. So the key is a sha256 over every
 * source file the generator's module imports, followed transitively through relative imports,
 * plus the JavaScript engine's version (Math's functions may round differently in another) and
 * this file's format. Any edit to any of those files is a new key; a source tree the walk cannot
 * follow (an import of a package, a file it cannot find) gets no key and no cache.
 *
 * A file that does not match its key, its length or its body's checksum is ignored and rebuilt;
 * a cache directory that cannot be written only costs the rebuild.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TemplateHead } from "../types.ts";
import { cacheDir } from "../io/cache-dir.ts";
import { writeFileAtomicSync } from "../io/write-atomic.ts";

/** Bump when the file layout below changes. */
const FORMAT = 1;
const PREFIX = "template-head-";
/** Entries of other keys (other source trees) unused for this long are removed when one is written. */
const STALE_MS = 24 * 3600_000;

/** The generator's module: the walk over the sources starts here. */
export const TEMPLATE_HEAD_MODULE = fileURLToPath(new URL("./template-head.ts", import.meta.url));

/** Import specifiers of a TypeScript module: static imports and re-exports, side-effect imports, dynamic imports of a literal. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const re of [/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm, /^\s*import\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const m of source.matchAll(re)) found.push(m[1]);
  }
  return found;
}

/**
 * The source files the head is built from: `entry` and every file it imports through relative
 * specifiers, transitively, sorted. Undefined when the walk meets an import of a package (its
 * code would be an input the key cannot see) or a relative import it cannot read.
 */
export function templateHeadSources(entry = TEMPLATE_HEAD_MODULE): string[] | undefined {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    for (const spec of importSpecifiers(source)) {
      if (spec.startsWith("node:")) continue;
      if (!spec.startsWith(".")) return undefined;
      const target = path.resolve(path.dirname(file), spec);
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen].sort();
}

/** The cache key of a head built from `files` (paths hashed relative to `root`, so a moved checkout keeps its key). */
export function templateHeadKey(files: readonly string[], root = path.dirname(path.dirname(TEMPLATE_HEAD_MODULE))): string {
  const h = createHash("sha256");
  h.update(`porelight-template-head v${FORMAT}\0${process.versions.v8}\0`);
  for (const file of files) {
    h.update(`${path.relative(root, file).split(path.sep).join("/")}\0`);
    h.update(readFileSync(file));
    h.update("\0");
  }
  return h.digest("hex");
}

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
const TYPED: Record<string, { new (buffer: ArrayBuffer): TypedArray; BYTES_PER_ELEMENT: number }> = { Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array };

interface Header {
  format: number;
  key: string;
  bodyBytes: number;
  bodySha256: string;
  /** The head as JSON, each typed array replaced by { $typed, offset, length } into the body. */
  value: unknown;
}

/** The file's bytes: one line of JSON header, then the typed arrays' bytes (each at a multiple of 8). */
export function encodeTemplateHead(head: TemplateHead, key: string): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  const value = JSON.parse(JSON.stringify(head, (_k, v) => {
    if (!ArrayBuffer.isView(v)) return v;
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const entry = { $typed: v.constructor.name, offset, length: (v as TypedArray).length };
    const padded = Math.ceil(bytes.length / 8) * 8;
    chunks.push(bytes, Buffer.alloc(padded - bytes.length));
    offset += padded;
    return entry;
  }));
  const body = Buffer.concat(chunks);
  const header: Header = { format: FORMAT, key, bodyBytes: body.length, bodySha256: createHash("sha256").update(body).digest("hex"), value };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]);
}

/** The head stored in `bytes` under `key`; undefined for another key, another format or damaged bytes. */
export function decodeTemplateHead(bytes: Buffer, key: string): TemplateHead | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString("utf8"));
  } catch {
    return undefined;
  }
  const body = bytes.subarray(newline + 1);
  if (header.format !== FORMAT || header.key !== key || header.bodyBytes !== body.length) return undefined;
  if (createHash("sha256").update(body).digest("hex") !== header.bodySha256) return undefined;
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$typed === "string") {
      const Ctor = TYPED[o.$typed];
      const start = o.offset as number;
      if (!Ctor) throw new TypeError(`template head cache: unknown array type ${o.$typed}`);
      const size = (o.length as number) * Ctor.BYTES_PER_ELEMENT;
      if (start + size > body.length) throw new RangeError("template head cache: array beyond the body");
      const own = new ArrayBuffer(size); // a copy: aligned, and not a view into a pooled buffer
      new Uint8Array(own).set(body.subarray(start, start + size));
      return new Ctor(own);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  };
  try {
    return revive(header.value) as TemplateHead;
  } catch {
    return undefined;
  }
}

/** Removes other keys' entries not written for STALE_MS. */
function pruneStale(dir: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(PREFIX) || !name.endsWith(".bin") || name === keep) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
    } catch {
      // another process removed it first
    }
  }
}

/**
 * The head from the disk cache, or `generate()`'s, then stored for the next process. The cache
 * lives in `dir` (default: porelight's cache directory).
 */
export function cachedTemplateHead(generate: () => TemplateHead, dir = cacheDir()): TemplateHead {
  const sources = templateHeadSources();
  if (!sources) return generate();
  const key = templateHeadKey(sources);
  const name = `${PREFIX}${key.slice(0, 32)}.bin`;
  const file = path.join(dir, name);
  try {
    const head = decodeTemplateHead(readFileSync(file), key);
    if (head) return head;
  } catch {
    // not stored yet: build it
  }
  const head = generate();
  try {
    writeFileAtomicSync(file, encodeTemplateHead(head, key), { durable: false });
    pruneStale(dir, name);
  } catch {
    // a cache that cannot be written costs the next process the build, nothing else
  }
  return head;
}
