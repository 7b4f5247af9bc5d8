/**
 * docs/porelight.service, run the way systemd would run it (systemd itself cannot run here): the
 * unit's ExecStart argv, its WorkingDirectory, an environment made only of systemd's defaults, the
 * User='s login variables and the EnvironmentFile (docs/porelight.env), and, when the test runs as
 * root, an unprivileged user (nobody stands in for User=porelight). Absolute paths are moved under
 * a temporary root; `/usr/local/bin/porelight` there links to this repository's bin, as
 * `npm i -g` links it. The one value changed is the port (0: another process may hold 7860).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
/** The environment systemd gives every service before User= and EnvironmentFile= add theirs. */
const SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NOBODY = 65534;

/** `[Section]` → key → values (a key may repeat), comments and blank lines dropped. */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

/** EnvironmentFile= syntax: KEY=VALUE lines, # and ; comments, optional matching quotes. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`not an environment line: ${line}`);
    const quoted = /^(["'])(.*)\1$/.exec(m[2]);
    env[m[1]] = quoted ? quoted[2] : m[2];
  }
  return env;
}

let root: string;
let child: ChildProcess | null = null;

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("docs/porelight.service", () => {
  it("starts the daemon from its ExecStart, WorkingDirectory, User and EnvironmentFile; SIGTERM stops it cleanly", async () => {
    const unit = parseUnit(readFileSync(join(REPO, "docs", "porelight.service"), "utf8"));
    const service = unit.get("Service")!;
    const one = (key: string) => {
      const v = service.get(key);
      if (!v || v.length !== 1) throw new Error(`the unit needs exactly one ${key}= (has ${v?.length ?? 0})`);
      return v[0];
    };
    const execStart = one("ExecStart").split(/\s+/);
    const workingDirectory = one("WorkingDirectory");
    const environmentFile = one("EnvironmentFile");
    expect(one("User")).toBe("porelight");
    expect(one("KillSignal")).toBe("SIGTERM");
    const stopTimeoutMs = Number(one("TimeoutStopSec")) * 1000;
    // The example file the docs tell users to install as the EnvironmentFile.
    expect(environmentFile).toBe("/etc/porelight/porelight.env");
    const fileEnv = parseEnvironmentFile(readFileSync(join(REPO, "docs", "porelight.env"), "utf8"));
    expect(Object.keys(fileEnv)).toEqual(expect.arrayContaining(["PORELIGHT_HOST", "PORELIGHT_PORT", "PORELIGHT_DATA_DIR", "PORELIGHT_CACHE_DIR"]));

    root = mkdtempSync(join(tmpdir(), "porelight-service-"));
    chmodSync(root, 0o755); // mkdtemp makes it 0700: the service user must reach its directories
    const moved = (p: string) => (p.startsWith("/") ? join(root, p) : p);
    // What `npm i -g` leaves: <prefix>/bin/porelight → the package's bin/porelight.js.
    const binary = moved(execStart[0]);
    mkdirSync(dirname(binary), { recursive: true });
    symlinkSync(join(REPO, "bin", "porelight.js"), binary);
    // StateDirectory= and CacheDirectory= exist and belong to User= before ExecStart runs.
    const runAsNobody = process.getuid?.() === 0;
    for (const [key, base] of [["StateDirectory", "/var/lib"], ["CacheDirectory", "/var/cache"]] as const) {
      const dir = join(root, base, one(key));
      mkdirSync(dir, { recursive: true });
      if (runAsNobody) chownSync(dir, NOBODY, NOBODY);
    }
    const serviceEnv: Record<string, string> = { PATH: SYSTEMD_PATH, LANG: "C.UTF-8", USER: "porelight", LOGNAME: "porelight", HOME: moved(workingDirectory), SHELL: "/usr/sbin/nologin" };
    for (const [k, v] of Object.entries(fileEnv)) serviceEnv[k] = moved(v);
    serviceEnv.PORELIGHT_PORT = "0";
    const cwd = moved(workingDirectory);
    expect(cwd).toBe(serviceEnv.PORELIGHT_DATA_DIR); // the unit runs in the data directory the file names

    const proc = spawn(binary, execStart.slice(1), {
      cwd,
      env: serviceEnv,
      stdio: ["ignore", "pipe", "pipe"],
      ...(runAsNobody ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    child = proc;
    let stderr = "";
    proc.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      proc.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`the daemon exited with ${code} before listening:\n${stderr}`)));
      proc.once("error", reject);
    });

    const health = await (await fetch(`${url}/v1/health`)).json();
    expect(health).toMatchObject({ ok: true, version: JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version });
    expect(readlinkSync(`/proc/${proc.pid}/cwd`)).toBe(cwd);
    if (runAsNobody) expect(readFileSync(`/proc/${proc.pid}/status`, "utf8")).toMatch(/^Uid:\s+65534\s/m);
    // The environment file's directories are the ones in use.
    const models = await (await fetch(`${url}/v1/models`)).json();
    expect(models.cacheDir).toBe(serviceEnv.PORELIGHT_CACHE_DIR);
    expect(readdirSync(serviceEnv.PORELIGHT_DATA_DIR)).toContain("jobs");
    if (runAsNobody) expect(statSync(join(serviceEnv.PORELIGHT_DATA_DIR, "jobs")).uid).toBe(NOBODY);
    const jobs = await fetch(`${url}/v1/jobs`);
    expect(jobs.status).toBe(200);

    const started = Date.now();
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(stopTimeoutMs);
    expect(stderr).toMatch(/SIGTERM: shutting down/);
  }, 240_000);
});
