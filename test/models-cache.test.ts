/** The converted-model cache: location, convert-once, checksums, verification and self-repair. */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheDir, ensureModel, lookupModel, onnxSignature, readModelBytes, verifyModel } from "../src/models/cache.ts";
import { disposeSessions, getSession, getSessionFromBytes } from "../src/models/session.ts";
import { MODEL_CATALOG } from "../src/models/catalog.ts";
import { runCli as cli } from "./support/run-cli.ts";

const saved = { dir: process.env.PORELIGHT_CACHE_DIR, xdg: process.env.XDG_CACHE_HOME };
let tmp = "";

describe("model cache", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "porelight-cache-"));
    process.env.PORELIGHT_CACHE_DIR = tmp;
  });
  afterAll(async () => {
    await disposeSessions();
    if (saved.dir === undefined) delete process.env.PORELIGHT_CACHE_DIR;
    else process.env.PORELIGHT_CACHE_DIR = saved.dir;
    if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.xdg;
    await rm(tmp, { recursive: true, force: true });
  });

  it("resolves the directory from PORELIGHT_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache", () => {
    expect(cacheDir()).toBe(tmp);
    delete process.env.PORELIGHT_CACHE_DIR;
    process.env.XDG_CACHE_HOME = "/some/xdg";
    expect(cacheDir()).toBe("/some/xdg/porelight");
    delete process.env.XDG_CACHE_HOME;
    expect(cacheDir()).toBe(path.join(os.homedir(), ".cache", "porelight"));
    process.env.PORELIGHT_CACHE_DIR = tmp;
  });

  it("converts on first use only, reporting the cold cache through onProgress", async () => {
    const events: string[] = [];
    const first = await ensureModel("iris", { onProgress: (e) => events.push(e.phase) });
    expect(events).toEqual(["converting", "done"]);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.inputs).toEqual([{ name: "input_1", type: "float32", shape: ["batch", 64, 64, 3] }]);
    expect(first.outputs[0].shape).toEqual(["batch", 1, 1, 228]);
    const again = await ensureModel("iris", { onProgress: (e) => events.push(e.phase) });
    expect(events).toEqual(["converting", "done"]);
    expect(again).toEqual(first);
    const files = (await readdir(tmp)).sort();
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(files).toEqual([`iris-${first.sha256.slice(0, 16)}.json`, `iris-${first.sha256.slice(0, 16)}.onnx`]);
    expect(onnxSignature(await readFile(first.path)).inputs[0].name).toBe("input_1");
  });

  it("verifies, detects a damaged file and rebuilds it on the next read", async () => {
    expect(await verifyModel("iris")).toEqual({ name: "iris", ok: true });
    const entry = (await lookupModel("iris"))!;
    const bytes = await readFile(entry.path);
    await writeFile(entry.path, bytes.subarray(0, bytes.length - 10));
    const bad = await verifyModel("iris");
    expect(bad.ok).toBe(false);
    expect(bad.problem).toMatch(/sha256/);
    const events: string[] = [];
    const repaired = await readModelBytes("iris", { onProgress: (e) => events.push(e.phase) });
    expect(events).toEqual(["converting", "done"]);
    expect(repaired.byteLength).toBe(bytes.byteLength);
    expect(await verifyModel("iris")).toEqual({ name: "iris", ok: true });
  });

  it("reports an uncached model and rejects unknown names", async () => {
    expect((await verifyModel("selfie")).ok).toBe(false);
    await expect(ensureModel("no-such-model")).rejects.toThrow(/unknown model "no-such-model"; known: blazeface/);
  });

  it("creates each ORT session once and reuses it", async () => {
    const a = await getSession("iris");
    const b = await getSession("iris");
    expect(a).toBe(b);
    expect(a.inputNames).toEqual(["input_1"]);
    const bytes = await readModelBytes("iris");
    const c = await getSessionFromBytes("iris-copy", bytes);
    expect(await getSessionFromBytes("iris-copy", () => { throw new Error("bytes must not be read twice"); })).toBe(c);
  });

  it("`porelight models --json` converts and lists every model; --verify catches a damaged file", async () => {
    const first = await cli(["models", "--json"]);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/converting esrgan-thick-x8 \(first use\)…/);
    const rows = JSON.parse(first.out) as { name: string; source: string; sha256: string; inputs: unknown[]; outputs: unknown[]; bytes: number }[];
    expect(rows.map((r) => r.name)).toEqual(MODEL_CATALOG.map((m) => m.name));
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(["bytes", "inputs", "name", "outputs", "sha256", "source"]);
      expect(r.bytes).toBeGreaterThan(100_000);
      expect(r.inputs.length).toBeGreaterThan(0);
    }
    const warm = await cli(["models", "--verify"]);
    expect(warm.err).toBe("");
    expect(warm.code).toBe(0);
    expect(warm.out).toMatch(/verified 15 models/);
    const entry = (await lookupModel("selfie"))!;
    const bytes = await readFile(entry.path);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(entry.path, bytes);
    const bad = await cli(["models", "--verify"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/selfie: cached ONNX bytes do not match/);
  }, 300_000);
});
