/**
 * TEST DOUBLE of `src/pipeline/reconstruct.ts`, used only by the daemon/client/CLI tests to
 * exercise queueing, persistence, cancellation and crash handling quickly. It reconstructs
 * nothing: it walks the stage list with delays, honours the abort signal, and returns files
 * derived from its input so tests can check what was stored. Never shipped, never imported by src/.
 */
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { STAGES, type ReconstructHooks, type ReconstructOptions, type ReconstructResult } from "../../src/types.ts";

export interface DoubleBehaviour {
  /** Time spent "in" each stage, ms. */
  stageMs?: number;
  /** Throw this (with `code`) at the capture stage, like the real pipeline on a faceless photo. */
  failWith?: { code: string; message: string };
  /** Return these extra file names (e.g. a traversal attempt) besides the normal outputs. */
  extraFileNames?: string[];
  /** Spin the CPU synchronously for this long per stage (to show the event loop is elsewhere). */
  busyMs?: number;
  /** While spinning, report progress every this many ms, without yielding (as tiled stages do). */
  busyProgressMs?: number;
  /** Kill the hosting process at this stage (crash simulation). */
  crashAt?: string;
  /** Also return "big.bin" of this many zero bytes (downloads that a client aborts). */
  bigFileBytes?: number;
  /** Append one line "<pid>" to this file at the start of every run (counts runs across processes). */
  runLog?: string;
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function createReconstructDouble(behaviour: DoubleBehaviour = {}) {
  const calls: { options: ReconstructOptions; photoSha256: string }[] = [];
  const fn = async (photo: Uint8Array, options: ReconstructOptions, hooks: ReconstructHooks): Promise<ReconstructResult> => {
    calls.push({ options, photoSha256: sha256(photo) });
    if (behaviour.runLog) appendFileSync(behaviour.runLog, `${process.pid}\n`);
    for (const [i, stage] of STAGES.entries()) {
      hooks.signal?.throwIfAborted();
      hooks.onProgress?.({ stage, stageFraction: 0, overallFraction: i / STAGES.length });
      if (behaviour.crashAt === stage) process.exit(70);
      if (stage === "capture" && behaviour.failWith) throw Object.assign(new Error(behaviour.failWith.message), { code: behaviour.failWith.code });
      if (behaviour.busyMs) {
        const until = Date.now() + behaviour.busyMs;
        let reportAt = Date.now() + (behaviour.busyProgressMs ?? Infinity);
        while (Date.now() < until) {
          /* deliberately blocking */
          if (Date.now() >= reportAt) {
            reportAt += behaviour.busyProgressMs!;
            hooks.onProgress?.({ stage, stageFraction: 0.5, overallFraction: (i + 0.5) / STAGES.length });
          }
        }
      }
      await sleep(behaviour.stageMs ?? 5, undefined, { signal: hooks.signal });
      hooks.onProgress?.({ stage, stageFraction: 1, overallFraction: (i + 1) / STAGES.length });
    }
    const report = { double: true, photoSha256: sha256(photo), options };
    const text = new TextEncoder().encode(JSON.stringify(report));
    const files = [
      { name: "report.json", bytes: text, mediaType: "application/json" },
      { name: "maps/photo.png", bytes: photo, mediaType: "image/png" },
      ...(behaviour.extraFileNames ?? []).map((name) => ({ name, bytes: text, mediaType: "text/plain" })),
      ...(behaviour.bigFileBytes ? [{ name: "big.bin", bytes: new Uint8Array(behaviour.bigFileBytes), mediaType: "application/octet-stream" }] : []),
    ];
    return { files, report };
  };
  return Object.assign(fn, { calls });
}

/** The module-level export a worker process imports; behaviour from PORELIGHT_TEST_DOUBLE (JSON). */
export const reconstruct = createReconstructDouble(JSON.parse(process.env.PORELIGHT_TEST_DOUBLE ?? "{}") as DoubleBehaviour);
