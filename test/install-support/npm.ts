/**
 * Packing this repository and installing the tarballs the way a user would (tests only): npm with
 * no project `.npmrc`, empty user and global config, a fresh HOME, and none of the `npm_*`
 * variables `npm test` exports (the repository's `.npmrc` reaches scripts through them).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const SAMPLE_PHOTO = join(REPO, "test", "fixtures", "astronaut-nasa-public-domain.png");

const run = promisify(execFile);

/** `npm pack` in `dir` (runs prepack/prepare); returns the tarball's path. */
export async function npmPack(dir: string, destination: string): Promise<string> {
  mkdirSync(destination, { recursive: true });
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", destination], { cwd: dir, maxBuffer: 64 << 20 });
  // Lifecycle scripts print to stdout too; the JSON report is the last thing npm writes.
  const at = stdout.startsWith("[") ? 0 : stdout.lastIndexOf("\n[") + 1;
  const [info] = JSON.parse(stdout.slice(at)) as { filename: string }[];
  return join(destination, info.filename);
}

/**
 * `npm pack` of `dir` once per test run: the tarball is kept in the run's shared scratch folder
 * (test/support/global-setup.ts) and the next test file of the run installs the same one. The
 * sources cannot change during a run, so the tarball is what a second `npm pack` would make.
 * Files run two at a time, so a file that finds another one packing waits for its tarball rather
 * than packing again (a lock folder marks the packer). Outside a run with that folder, packs into
 * `fallback`.
 */
export async function packOnce(dir: string, fallback: string): Promise<string> {
  const scratch = inject("runScratch");
  if (!scratch) return npmPack(dir, fallback);
  const kept = join(scratch, "pack", encodeURIComponent(dir));
  mkdirSync(join(scratch, "pack"), { recursive: true });
  for (;;) {
    if (existsSync(kept)) return join(kept, readdirSync(kept)[0]);
    if (takeLock(`${kept}.lock`)) break;
    await new Promise((resolve) => setTimeout(resolve, 250)); // another file is packing
  }
  try {
    if (existsSync(kept)) return join(kept, readdirSync(kept)[0]); // packed between the check and the lock
    // Packed beside the final folder, then renamed: a reader never sees half a tarball.
    const staging = mkdtempSync(join(scratch, "pack", ".staging-"));
    const tarball = await npmPack(dir, staging);
    renameSync(staging, kept);
    return join(kept, tarball.slice(staging.length + 1));
  } finally {
    rmSync(`${kept}.lock`, { recursive: true, force: true }); // a waiter packs itself if this one failed
  }
}

/** Creates the folder `lock`; false when it exists (another process holds it). */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

/** The user's environment minus anything npm or onnxruntime-node would read as configuration. */
export function userEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_|ONNXRUNTIME_|GLOBAL_AGENT_|INIT_CWD$|PORELIGHT_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, XDG_CACHE_HOME: join(home, ".cache"), XDG_DATA_HOME: join(home, ".local", "share"), ...extra };
}

/**
 * npm arguments for a machine without the repository's configuration: empty user and global
 * npmrc (created under `scratch`), the real package cache (the registry is still asked when it
 * lacks something), no audit or funding requests.
 */
export function cleanNpmArgs(scratch: string, cacheDir: string): string[] {
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, "user.npmrc"), "");
  writeFileSync(join(scratch, "global.npmrc"), "");
  return [
    "--userconfig", join(scratch, "user.npmrc"),
    "--globalconfig", join(scratch, "global.npmrc"),
    "--cache", cacheDir,
    "--prefer-offline", "--no-audit", "--no-fund", "--no-update-notifier",
  ];
}

/** npm's own cache directory as configured for the user running the tests. */
export async function npmCacheDir(): Promise<string> {
  const { stdout } = await run("npm", ["config", "get", "cache"], { cwd: "/" });
  return stdout.trim();
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, never rejecting: the exit code and output are the result. */
export function runCommand(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : null;
    child.once("error", (err) => resolve({ code: -1, stdout, stderr: stderr + String(err) }));
    child.once("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * An HTTP proxy that refuses everything and remembers each request line. onnxruntime-node's
 * install script sends its downloads through `GLOBAL_AGENT_HTTP_PROXY` (npm itself does not read
 * that variable), so an empty `requests` means the script fetched nothing from outside npm.
 */
export async function refusingProxy(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    socket.once("data", (d) => {
      requests.push(d.toString("latin1").split("\r\n")[0]);
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
