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

/** Command modules, loaded lazily so `porelight --help` stays fast. */
const COMMANDS: (() => Promise<{ register: Registrar }>)[] = [
  () => import("./commands/models.ts"),
  () => import("./commands/capture.ts"),
  () => import("./commands/demo.ts"),
  () => import("./commands/serve.ts"),
  () => import("./commands/reconstruct.ts"),
  () => import("./commands/batch.ts"),
  () => import("./commands/head.ts"),
  () => import("./commands/fit.ts"),
  () => import("./commands/worker.ts"),
  () => import("./commands/queue.ts"),
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command("porelight")
    .description("Photo to render-ready game head: mesh + diffuse/specular albedo and normals, on a CPU.")
    .version(VERSION, "-V, --version", "print porelight's version")
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
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
