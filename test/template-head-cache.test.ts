/**
 * The template head's disk cache (src/geometry/template-head-cache.ts): a stored head reads back
 * bit for bit, a damaged or foreign file is rebuilt, and the key covers every module the
 * generator loads (a fresh process reports what it resolved while building the head).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateTemplateHead } from "../src/geometry/template-head.ts";
import { cachedTemplateHead, decodeTemplateHead, encodeTemplateHead, importSpecifiers, templateHeadKey, templateHeadSources, TEMPLATE_HEAD_MODULE } from "../src/geometry/template-head-cache.ts";
import type { TemplateHead } from "../src/types.ts";
import { repoRelative, resolvedByGroup, REPO_ROOT } from "./support/loaded-modules.ts";

const root = mkdtempSync(join(tmpdir(), "porelight-template-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every leaf of a head as text: typed arrays by their type and bytes (base64), numbers and strings as they are. */
function leaves(value: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (ArrayBuffer.isView(value)) out.set(path, `${value.constructor.name}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64")}`);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out);
  else out.set(path, JSON.stringify(value));
  return out;
}

describe("template head disk cache", () => {
  const fresh = generateTemplateHead();
  let builds = 0;
  const generate = (): TemplateHead => (builds++, fresh);

  it("builds once, stores, and reads back every byte of every array", () => {
    const dir = join(root, "store");
    expect(cachedTemplateHead(generate, dir)).toBe(fresh);
    expect(builds).toBe(1);
    expect(readdirSync(dir).filter((n) => n.endsWith(".bin"))).toHaveLength(1);
    const read = cachedTemplateHead(generate, dir);
    expect(builds).toBe(1);
    expect(read).not.toBe(fresh);
    const a = leaves(read), b = leaves(fresh);
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect(a.size).toBeGreaterThan(10);
    for (const [k, v] of b) expect(a.get(k), k).toBe(v);
  });

  it("rebuilds from a damaged file, and rejects a file made under another key", () => {
    const dir = join(root, "store");
    const [name] = readdirSync(dir).filter((n) => n.endsWith(".bin"));
    const bytes = readFileSync(join(dir, name));
    const key = templateHeadKey(templateHeadSources()!);
    expect(decodeTemplateHead(bytes, key)).toBeDefined();
    expect(decodeTemplateHead(bytes, key.replace(/^./, (c) => (c === "0" ? "1" : "0")))).toBeUndefined();
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5] ^= 1; // one bit of the body
    expect(decodeTemplateHead(flipped, key)).toBeUndefined();
    writeFileSync(join(dir, name), bytes.subarray(0, bytes.length >> 1)); // torn write
    const before = builds;
    cachedTemplateHead(generate, dir);
    expect(builds).toBe(before + 1);
    expect(decodeTemplateHead(readFileSync(join(dir, name)), key)).toBeDefined(); // stored again, whole
    expect(decodeTemplateHead(encodeTemplateHead(fresh, key), key)).toBeDefined();
  });

  it("keys on every module the generator loads, and those read no file", () => {
    const sources = templateHeadSources()!;
    expect(sources).toContain(TEMPLATE_HEAD_MODULE);
    // A fresh process builds the head without the cache and reports every module it resolves.
    const [, building] = resolvedByGroup(`mark();
const { generateTemplateHead } = await import("./src/geometry/template-head.ts");
generateTemplateHead();`);
    const loaded = [...new Set(building.filter((r) => r.url.startsWith("file:") && !r.url.includes("/node_modules/")).map((r) => repoRelative(r.url)))];
    expect(loaded).toContain("src/geometry/template-head.ts");
    expect(loaded.filter((f) => !sources.map((s) => relative(REPO_ROOT, s)).includes(f))).toEqual([]);
    // Nothing the generator loads other than the cache's own writer touches the file system, so
    // the sources are all of its inputs (a data file read at run time would need a key of its own).
    const readsFiles = sources.filter((f) => importSpecifiers(readFileSync(f, "utf8")).some((s) => /^(node:)?fs(\/|$)/.test(s)));
    expect(readsFiles.map((f) => relative(REPO_ROOT, f)).sort()).toEqual(["src/geometry/template-head-cache.ts", "src/io/write-atomic.ts"]);
  }, 60_000);

  it("changes its key when any one source file changes", () => {
    const sources = templateHeadSources()!;
    const copy = join(root, "tree");
    const copied = sources.map((f) => {
      const to = join(copy, relative(REPO_ROOT, f));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f, to);
      return to;
    });
    const base = templateHeadKey(copied, copy);
    expect(base).toBe(templateHeadKey(sources, REPO_ROOT)); // the key does not depend on where the tree is
    const keys = new Set([base]);
    for (const f of copied) {
      const text = readFileSync(f);
      writeFileSync(f, Buffer.concat([text, Buffer.from(" ")]));
      keys.add(templateHeadKey(copied, copy));
      writeFileSync(f, text);
    }
    expect(keys.size).toBe(copied.length + 1);
    // An import the walk cannot follow gives no key (no cache) rather than a key missing an input.
    const entry = join(copy, relative(REPO_ROOT, TEMPLATE_HEAD_MODULE));
    writeFileSync(entry, `import "some-package";\n${readFileSync(entry, "utf8")}`);
    expect(templateHeadSources(entry)).toBeUndefined();
    writeFileSync(entry, `import { x } from "./missing.ts";\n${readFileSync(entry, "utf8")}`);
    expect(templateHeadSources(entry)).toBeUndefined();
  });

  it("finds static, side-effect, re-export and dynamic imports", () => {
    expect(importSpecifiers(`import { a } from "./a.ts";\nimport type {\n  B,\n} from "../b.ts";\nimport "./c.ts";\nexport { d } from './d.ts';\nexport * from "./e.ts";\nconst f = await import("./f.ts");\n// import nothing from "./g.ts" in a comment that starts with slashes`).sort()).toEqual(["../b.ts", "./a.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts"]);
  });
});
