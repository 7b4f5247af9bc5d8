/** For CLI commands run in-process with their deps: captured output, and the exit code a run ends with. */
import { PassThrough } from "node:stream";
import { CliError } from "../../src/cli/errors.ts";

/** A stdout and a non-TTY stderr for JobCommandDeps, and what was written to each. */
export function capturedOutput(): { stdout: { write(t: string): unknown }; stderr: NodeJS.WriteStream; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  stderr.on("data", (c) => (err += c));
  return { stdout: { write: (t: string) => (out += t) }, stderr, out: () => out, err: () => err };
}

/** 0 when `p` resolves, the CliError's exit code when it rejects with one; other errors are rethrown. */
export async function exitCodeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof CliError) return e.exitCode;
    throw e;
  }
}
