/** Runs the `porelight` CLI in-process (no child process), capturing stdout, stderr and the exit code. */
import { main } from "../../src/cli/main.ts";

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.stdout.write = saved[0];
    process.stderr.write = saved[1];
    process.exitCode = undefined;
  }
}
