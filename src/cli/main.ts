/**
 * `porelight` command line. Each command lives in its own file under `src/cli/commands/` and
 * exports `register(program)`; this file only wires them up and maps errors to exit codes.
 *
 * Exit codes: 0 success, 1 a job or check failed, 2 bad usage or bad input, 3 no face found.
 */
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.ts";
import { VERSION } from "../version.ts";

type Registrar = (program: Command) => void;

/**
 * Command modules by the command each registers, loaded lazily: a run of one command loads only
 * its module (`reconstruct` then skips the HTTP server's and the Redis queue's packages, ≈ 1–2 CPU s
 * of a fresh process); `--version` alone loads none; help and an unknown command load them all.
 */
const COMMANDS: Record<string, () => Promise<{ register: Registrar }>> = {
  models: () => import("./commands/models.ts"),
  capture: () => import("./commands/capture.ts"),
  demo: () => import("./commands/demo.ts"),
  serve: () => import("./commands/serve.ts"),
  reconstruct: () => import("./commands/reconstruct.ts"),
  batch: () => import("./commands/batch.ts"),
  head: () => import("./commands/head.ts"),
  fit: () => import("./commands/fit.ts"),
  worker: () => import("./commands/worker.ts"),
  queue: () => import("./commands/queue.ts"),
};

/** Every command's name (bin/preload.js names those that run the pipeline in the CLI's process). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/**
 * The modules `argv` needs: its command's alone when its first word names one, none for the
 * version alone, else every module (in the help's order).
 */
function commandsFor(argv: string[]): (() => Promise<{ register: Registrar }>)[] {
  const word = argv.find((a) => !a.startsWith("-"));
  if (word === undefined && argv.some((a) => a === "-V" || a === "--version")) return [];
  const only = word !== undefined && Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  return only ? [only] : Object.values(COMMANDS);
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("porelight")
    .description("Photo to render-ready game head: mesh + diffuse/specular albedo and normals, on a CPU.")
    .version(VERSION, "-V, --version", "print porelight's version")
    .showHelpAfterError()
    .exitOverride();
  for (const load of commandsFor(argv)) (await load()).register(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`porelight: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error & { code?: string; exitCode?: number };
    process.stderr.write(`porelight: ${e?.message ?? String(err)}\n`);
    return typeof e?.exitCode === "number" ? e.exitCode : 1;
  }
}
