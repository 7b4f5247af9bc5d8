/**
 * `npm i -g porelight` as a user does it (SLOW: packs, installs ~500 MB of npm packages from the
 * registry or npm's cache, reconstructs the sample photo twice; minutes). The tarball from
 * `npm pack` goes into a temporary global prefix without the repository's `.npmrc`, with only the
 * documented `ONNXRUNTIME_NODE_INSTALL=skip`; then `porelight --version`, `porelight reconstruct`
 * on the sample photo, and `porelight serve` with one job submitted through the compiled
 * `porelight/client` by plain Node (no tsx), whose types are checked by tsc as a user's project.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanNpmArgs, npmCacheDir, packOnce, refusingProxy, REPO, runCommand, SAMPLE_PHOTO, userEnv, type Outcome } from "./install-support/npm.ts";

const VERSION = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version as string;
const CUDA_EP_FILES = ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so", "libonnxruntime_providers_tensorrt.so"];

let root: string;
let prefix: string;
let home: string;
let env: NodeJS.ProcessEnv;
let installed: string;
let proxy: Awaited<ReturnType<typeof refusingProxy>>;
let install: Outcome;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "porelight-global-"));
  prefix = join(root, "prefix");
  home = join(root, "home");
  mkdirSync(home, { recursive: true });
  const tarball = await packOnce(REPO, join(root, "pack"));
  proxy = await refusingProxy();
  // No models in the user's cache yet: the first run converts them from the installed npm packages.
  env = userEnv(home, { PATH: `${join(prefix, "bin")}:${process.env.PATH}`, GLOBAL_AGENT_HTTP_PROXY: proxy.url });
  const args = ["install", "--global", "--prefix", prefix, ...cleanNpmArgs(join(root, "npm"), await npmCacheDir()), tarball];
  install = await runCommand("npm", args, { cwd: home, env: { ...env, ONNXRUNTIME_NODE_INSTALL: "skip" } });
  installed = join(prefix, "lib", "node_modules", "porelight");
}, 20 * 60_000);

afterAll(async () => {
  await proxy?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("npm i -g porelight", () => {
  it("installs from the tarball with nothing fetched outside npm: no CUDA libraries, no request to the proxy", () => {
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(join(prefix, "bin", "porelight"))).toBe(true);
    const ort = createRequire(join(installed, "package.json")).resolve("onnxruntime-node/package.json").replace(/package\.json$/, "");
    const natives = readdirSync(join(ort, "bin", "napi-v6", "linux", process.arch));
    expect(natives).toContain("onnxruntime_binding.node");
    for (const f of CUDA_EP_FILES) expect(natives).not.toContain(f);
    expect(proxy.requests).toEqual([]);
    // Only what runs is shipped: no tests but the sample photo, no repository tooling.
    expect(existsSync(join(installed, "test", "fixtures", "astronaut-nasa-public-domain.png"))).toBe(true);
    for (const absent of ["test/daemon-api.test.ts", "bench", "eval", "scripts", "plugin", ".npmrc", "tsconfig.json"]) expect(existsSync(join(installed, absent)), absent).toBe(false);
  });

  it("without ONNXRUNTIME_NODE_INSTALL=skip, the same onnxruntime-node install script reaches for NuGet (why the step is documented)", async () => {
    const ort = createRequire(join(installed, "package.json")).resolve("onnxruntime-node/package.json").replace(/package\.json$/, "");
    const before = proxy.requests.length;
    const bare = await runCommand(process.execPath, [join(ort, "script", "install.js")], { cwd: ort, env, timeoutMs: 60_000 });
    expect(bare.code).not.toBe(0); // the proxy refused the download
    expect(proxy.requests.slice(before).join("\n")).toMatch(/^CONNECT api\.nuget\.org:443 /m);
    proxy.requests.splice(before); // the later runs must add nothing
  }, 120_000);

  it("porelight --version prints the package version", async () => {
    const out = await runCommand("porelight", ["--version"], { cwd: home, env, timeoutMs: 180_000 });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe(VERSION);
  }, 200_000);

  it("porelight reconstruct turns the sample photo into a head", async () => {
    const out = join(root, "out");
    const run = await runCommand("porelight", ["reconstruct", SAMPLE_PHOTO, "--out", out, "--preset", "draft", "--json"], { cwd: home, env, timeoutMs: 15 * 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "done", options: { preset: "draft" } });
    for (const f of ["head.glb", "head.babylon", "maps/albedo_diffuse.png", "material.json"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(join(home, ".cache", "porelight")).some((f) => f.endsWith(".onnx"))).toBe(true); // converted from npm packages
    expect(proxy.requests).toEqual([]);
  }, 16 * 60_000);

  it("porelight serve runs a job submitted through the compiled porelight/client, typed for a user's TypeScript project", async () => {
    // A user's project that depends on porelight (linked to the global install). Its job skips the
    // KTX2 encode (target "source", ≈ 4.5 CPU s): the installed encoder already ran in the test above.
    const project = join(root, "project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    symlinkSync(installed, join(project, "node_modules", "porelight"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    const source = `import { readFile } from "node:fs/promises";
import { PorelightClient, type JobFile } from "porelight/client";
const client = new PorelightClient({ baseUrl: process.argv[2] });
const photo = new Uint8Array(await readFile(process.argv[3]));
const { job, files } = await client.reconstruct(photo, { preset: "draft", formats: ["glb", "maps"], target: "source" });
const names: string[] = files.map((f: JobFile) => f.name);
const glb = await client.download(job.id, "head.glb");
console.log(JSON.stringify({ state: job.state, names, glbBytes: glb.byteLength }));
`;
    writeFileSync(join(project, "consumer.ts"), source);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, lib: ["ES2023", "DOM"], typeRoots: [join(REPO, "node_modules", "@types")], types: ["node"], skipLibCheck: false }, files: ["consumer.ts"] }),
    );
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const typecheck = await runCommand(process.execPath, [tsc, "-p", project], { cwd: project, env, timeoutMs: 180_000 });
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);
    // The same program as JavaScript, run by plain node: no TypeScript loader involved.
    writeFileSync(join(project, "consumer.mjs"), source.replace(", type JobFile", "").replace("(f: JobFile)", "(f)").replace("const names: string[]", "const names"));

    const dataDir = join(root, "data");
    const daemon = spawn("porelight", ["serve", "--port", "0", "--data-dir", dataDir], { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    daemon.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => daemon.once("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        daemon.stdout.on("data", (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        void exited.then((code) => reject(new Error(`porelight serve exited with ${code}:\n${stderr}`)));
      });
      const run = await runCommand(process.execPath, [join(project, "consumer.mjs"), url, SAMPLE_PHOTO], { cwd: project, env, timeoutMs: 15 * 60_000 });
      expect(run.code, run.stderr + stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.state).toBe("done");
      expect(result.names).toEqual(expect.arrayContaining(["head.glb", "maps/albedo_diffuse.png"]));
      expect(result.glbBytes).toBeGreaterThan(10_000);
    } finally {
      daemon.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(proxy.requests).toEqual([]);
  }, 20 * 60_000);
});
