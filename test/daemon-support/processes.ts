/** Daemons as real processes (daemon-entry.ts, pipeline = TEST DOUBLE in its worker), for tests that need two of them or a kill -9. */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DaemonProcess {
  proc: ChildProcess;
  /** Everything the process (and its worker, which shares its stderr) wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Spawns daemon-entry.ts on `dataDir`; every process it starts carries `marker` in its environment. */
export function spawnDaemon(dataDir: string, double: object, marker: string): DaemonProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "daemon-entry.ts"), dataDir], {
    env: { ...process.env, PORELIGHT_TEST_DOUBLE: JSON.stringify(double), PORELIGHT_TEST_MARKER: marker },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr!.on("data", (c) => (err += c));
  const exited = new Promise<number | string>((resolve) => proc.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return { proc, stderr: () => err, exited };
}

/** The URL a daemon prints once it listens; rejects if it exits first. */
export function daemonUrl(d: DaemonProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    d.proc.stdout!.on("data", (chunk) => {
      out += chunk;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void d.exited.then((code) => reject(new Error(`daemon exited early (${code}): ${d.stderr()}`)));
  });
}

/** Pids of live processes carrying `marker` in their environment (a daemon and its pipeline worker). */
export function markedPids(marker: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, "latin1").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
