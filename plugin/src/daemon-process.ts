/**
 * Finding or starting the porelight daemon from inside the Editor. The Editor is an Electron app
 * whose renderer has Node's APIs, so the plugin can spawn `porelight serve` itself when nothing
 * answers at the daemon URL. A daemon the plugin started is stopped again by `close()`.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { nodeFetch } from "./node-fetch.ts";

/** The daemon's default address (`porelight serve`). */
export const DEFAULT_DAEMON_URL = "http://127.0.0.1:7860";
const DEFAULT_PORT = "7860";

export interface EnsureDaemonOptions {
  /** Base URL of the daemon, e.g. http://127.0.0.1:7860. */
  url: string;
  /**
   * How to start porelight: empty for automatic (the repository's `bin/porelight.js` next to the
   * plugin, else the `porelight` package the plugin depends on, else `porelight` on PATH), a path
   * to a `.js` entry (run with node), or a command line
   * such as `npx porelight`. `serve` and the port are appended.
   */
  command?: string;
  /** Folder of the plugin package (where its package.json is), for the automatic command. */
  pluginDir?: string;
  /** How long to wait for `/v1/health` after starting, milliseconds. */
  startTimeoutMs?: number;
  /** Interval between health checks while starting, milliseconds. */
  pollIntervalMs?: number;
  /** Called with each line the daemon writes, for the Editor's console. */
  onOutput?: (line: string) => void;
  /** Injected in tests; the default goes through Node's http (see node-fetch.ts). */
  spawnProcess?: (file: string, args: string[], options: SpawnOptions) => ChildProcess;
  fetchImpl?: typeof fetch;
}

export const ENSURE_DAEMON_DEFAULTS = { startTimeoutMs: 60_000, pollIntervalMs: 400 } as const;

export interface DaemonHandle {
  url: string;
  /** The process the plugin started, or null when a daemon was already running. */
  child: ChildProcess | null;
}

/** True when `GET <url>/v1/health` answers `{ ok: true }` within `timeoutMs`. */
export async function isDaemonUp(url: string, fetchImpl: typeof fetch = nodeFetch, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetchImpl(new URL("/v1/health", url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const body = (await res.json()) as { ok?: unknown };
    return body.ok === true;
  } catch {
    return false;
  }
}

/** Splits a command line on spaces, keeping "double-quoted parts" together. */
export function splitCommandLine(line: string): string[] {
  const parts: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) parts.push(m[1] ?? m[2]);
  return parts;
}

/**
 * The CLI script of the `porelight` package installed with the plugin (its npm dependency), found
 * the way Node would from the plugin's folder; null when there is none.
 */
export function packagedPorelightBin(pluginDir: string): string | null {
  try {
    const pkgPath = createRequire(join(pluginDir, "package.json")).resolve("porelight/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.porelight;
    return bin ? join(dirname(pkgPath), bin) : null;
  } catch {
    return null;
  }
}

/** The program and arguments that start `porelight serve` for `url`. */
export function serveCommand(url: string, command = "", pluginDir?: string): { file: string; args: string[] } {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  const serveArgs = ["serve", ...(port === DEFAULT_PORT ? [] : ["--port", port])];
  let parts = splitCommandLine(command.trim());
  if (parts.length === 0) {
    const repoBin = pluginDir ? join(pluginDir, "..", "bin", "porelight.js") : "";
    const packaged = pluginDir ? packagedPorelightBin(pluginDir) : null;
    parts = repoBin && existsSync(repoBin) ? [repoBin] : packaged ? [packaged] : ["porelight"];
  }
  if (parts.length === 1 && /\.[cm]?js$/.test(parts[0])) parts = ["node", parts[0]];
  return { file: parts[0], args: [...parts.slice(1), ...serveArgs] };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}

/**
 * Returns a handle on a running daemon at `options.url`, starting `porelight serve` first when
 * nothing answers there (loopback URLs only: a remote daemon cannot be started from here).
 * Rejects with the daemon's last output lines when it exits or does not answer in time.
 */
export async function ensureDaemon(options: EnsureDaemonOptions): Promise<DaemonHandle> {
  const fetchImpl = options.fetchImpl ?? nodeFetch;
  const { startTimeoutMs, pollIntervalMs } = { ...ENSURE_DAEMON_DEFAULTS, ...stripUndefined(options) };
  if (await isDaemonUp(options.url, fetchImpl)) return { url: options.url, child: null };
  if (!isLoopback(options.url)) {
    throw new Error(`porelight: no daemon answers at ${options.url}; start it there with \`porelight serve\``);
  }
  const { file, args } = serveCommand(options.url, options.command, options.pluginDir);
  const child = await startProcess(file, args, options);

  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 8) tail.shift();
    options.onOutput?.(line);
  };
  forwardLines(child, onLine);
  let exited: string | null = null;
  child.once("exit", (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await isDaemonUp(options.url, fetchImpl)) return { url: options.url, child };
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  if (!exited) child.kill();
  const why = exited ?? `did not answer within ${Math.round(startTimeoutMs / 1000)} s`;
  const output = tail.length ? `:\n${tail.join("\n")}` : "";
  throw new Error(`porelight: \`${[file, ...args].join(" ")}\` ${why}${output}`);
}

/**
 * Spawns the daemon. When `node` is not on the PATH (common for apps started from a desktop
 * launcher), Electron's own binary runs the script as Node with ELECTRON_RUN_AS_NODE=1.
 */
async function startProcess(file: string, args: string[], options: EnsureDaemonOptions): Promise<ChildProcess> {
  const doSpawn = options.spawnProcess ?? spawn;
  const spawnOptions: SpawnOptions = { stdio: ["ignore", "pipe", "pipe"], windowsHide: true };
  const first = await spawned(doSpawn(file, args, spawnOptions));
  if (first.ok) return first.child;
  const electron = process.versions.electron !== undefined;
  if (file === "node" && electron && first.error.code === "ENOENT") {
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: "1" };
    const second = await spawned(doSpawn(process.execPath, args, { ...spawnOptions, env }));
    if (second.ok) return second.child;
  }
  throw new Error(`porelight: cannot start \`${file}\` (${first.error.message}); set the porelight command in the panel`);
}

type Spawned = { ok: true; child: ChildProcess } | { ok: false; error: NodeJS.ErrnoException };

/** Resolves once the process has started or failed to start (spawn errors arrive as an event). */
function spawned(child: ChildProcess): Promise<Spawned> {
  return new Promise((resolve) => {
    child.once("spawn", () => {
      // Later errors (e.g. kill on an exited process) must not crash the Editor.
      child.on("error", () => {});
      resolve({ ok: true, child });
    });
    child.once("error", (error) => resolve({ ok: false, error }));
  });
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) onLine(line);
    });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Stops a daemon the plugin started (no-op for one it found running). */
export function stopDaemon(handle: DaemonHandle | null): void {
  if (handle?.child && handle.child.exitCode === null) handle.child.kill();
}
