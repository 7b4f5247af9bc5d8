/**
 * One process-wide cache of ONNX Runtime sessions: each model is loaded once and reused by
 * every stage (and by the tiled engine). Graph optimisation "all", intra-op threads = cores, not spinning.
 */
import os from "node:os";
import * as ort from "onnxruntime-node";
import { ensureModel, readModelBytes, type EnsureModelOptions } from "./cache.ts";

export { ort };

/**
 * Session options shared by every model porelight runs. The CPU memory arena is off: with it,
 * each of a job's five sessions (ESRGAN, δ, ψ, ρ, σ) keeps its largest tile's working set for
 * the life of the process, and an ultra job peaked at 5.0 GiB RSS; without it 3.3 GiB (measured
 * on the sample photo, 2026-11-25), for ≈ 20 % more CPU in the ESRGAN run.
 */
export function sessionOptions(): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: "all",
    intraOpNumThreads: os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: "sequential",
    enableCpuMemArena: false,
    enableMemPattern: false,
    // Idle intra-op threads sleep instead of spinning: between a job's many small runs (tiles, the
    // per-texel graphs' short ops) a spinning thread burns a core the other process sharing the
    // machine (a second test file, the daemon) needs. The work and its split are unchanged, so are the results.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function cached(key: string, create: () => Promise<ort.InferenceSession>): Promise<ort.InferenceSession> {
  let s = sessions.get(key);
  if (!s) {
    // A failed creation is not cached, so a later call can retry (e.g. after fixing the cache).
    s = create().catch((err) => {
      sessions.delete(key);
      throw err;
    });
    sessions.set(key, s);
  }
  return s;
}

/**
 * The session of a catalog model (converted and cached on first use).
 * @param name catalog name, e.g. "blazeface" or "esrgan-thick-x8"
 */
export function getSession(name: string, options: EnsureModelOptions = {}): Promise<ort.InferenceSession> {
  return cached(`catalog:${name}`, async () => {
    await ensureModel(name, options);
    return ort.InferenceSession.create(await readModelBytes(name), sessionOptions());
  });
}

/**
 * A session over ONNX bytes the caller already has (user estimators, built-in graphs),
 * cached under `key`; the bytes are only read the first time.
 */
export function getSessionFromBytes(key: string, bytes: Uint8Array | (() => Uint8Array | Promise<Uint8Array>)): Promise<ort.InferenceSession> {
  const fullKey = `bytes:${key}`;
  const hit = sessions.get(fullKey);
  if (hit) {
    // Move to the back: the Map's insertion order is the recency order of byte-built sessions.
    sessions.delete(fullKey);
    sessions.set(fullKey, hit);
    return hit;
  }
  const created = cached(fullKey, async () => ort.InferenceSession.create(typeof bytes === "function" ? await bytes() : bytes, sessionOptions()));
  evictOldByteSessions();
  return created;
}

/**
 * Built-in graphs are specialised per job (skin colour, texel size), so a long-running daemon
 * would otherwise collect one session per photo. A job uses at most four at once (δ, ψ, ρ, σ)
 * and jobs run one at a time, so keeping the most recent few never drops one in use.
 */
export const MAX_BYTE_SESSIONS = 8;

function evictOldByteSessions(): void {
  const byteKeys = [...sessions.keys()].filter((k) => k.startsWith("bytes:"));
  for (const key of byteKeys.slice(0, Math.max(0, byteKeys.length - MAX_BYTE_SESSIONS))) {
    const old = sessions.get(key)!;
    sessions.delete(key);
    void old.then((s) => s.release()).catch(() => undefined);
  }
}

/** How many sessions are alive (for tests and the daemon's health report). */
export function sessionCount(): number {
  return sessions.size;
}

/** Releases every session (tests, daemon shutdown). */
export async function disposeSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.release()));
}
