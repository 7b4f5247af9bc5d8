/**
 * `porelight reconstruct <photo> --out <dir>`: one photo, in this process, with a progress bar on
 * a terminal. Exit codes: 0 done, 1 the job failed, 2 bad usage or unreadable/unsupported photo,
 * 3 no face found (or --face beyond the faces found).
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { CONFIG_DEFAULTS, PIPELINE_MODULE } from "../../daemon/config.ts";
import { HttpError } from "../../daemon/http-error.ts";
import { JOB_FORM_FIELDS, parseJobForm } from "../../daemon/job-form.ts";
import { importReconstruct, type ReconstructFn } from "../../daemon/pipeline-loader.ts";
import type { ReconstructOptions } from "../../types.ts";
import { CliError } from "../errors.ts";
import { createProgressDisplay } from "../progress.ts";
import { loadPhoto } from "../../io/head-files.ts";
import { describeFailure, runPhotoJob, type PhotoJobOutcome } from "../photo-job.ts";
import { reconstructInChildProcess, type ChildProcessReconstruct } from "../../daemon/pipeline-process.ts";

export interface JobFlags {
  out: string;
  preset?: string;
  face?: string;
  formats?: string;
  target?: string;
  expression?: string;
  json?: boolean;
  maxMegapixels?: string;
}

/** Job options from CLI flags, validated exactly like the daemon's form fields. */
export function optionsFromFlags(flags: JobFlags): ReconstructOptions {
  try {
    // Every field of the job form (JobFlags must have a flag for each, or this does not compile).
    const fields: Record<string, string> = {};
    for (const field of JOB_FORM_FIELDS) {
      const value = flags[field];
      if (value !== undefined) fields[field] = value;
    }
    return parseJobForm(fields);
  } catch (err) {
    if (err instanceof HttpError) throw new CliError(`--${err.message}`, 2);
    throw err;
  }
}

export function maxPixelsFromFlags(flags: JobFlags): number {
  const mp = flags.maxMegapixels === undefined ? CONFIG_DEFAULTS.maxPixels / 1e6 : Number(flags.maxMegapixels);
  if (!(mp > 0)) throw new CliError(`--max-megapixels must be a positive number (got ${flags.maxMegapixels})`, 2);
  return Math.round(mp * 1e6);
}

/** The pipeline, in-process; a missing or broken pipeline module is exit 1 with its reason. */
export async function loadPipeline(): Promise<ReconstructFn> {
  try {
    return await importReconstruct(PIPELINE_MODULE);
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  }
}

/** An AbortSignal that fires on Ctrl-C (a second Ctrl-C exits at once). */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ninterrupted: stopping after the current stage (Ctrl-C again to quit now)\n");
    controller.abort();
  };
  process.on("SIGINT", onInt);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onInt) };
}

export function addJobOptions(command: Command): Command {
  return command
    .requiredOption("--out <dir>", "output directory")
    .option("--preset <name>", "draft | standard | high | ultra (default standard)")
    .option("--face <n>", "which detected face to reconstruct, 0 = largest (default 0)")
    .option("--formats <list>", "comma-separated: glb, babylon, maps (default all)")
    .option("--target <name>", "what head.glb carries: web | desktop | source (default desktop; maps/ stays full precision)")
    .option("--expression <which>", "neutral | photo: the head neutral (default) or with the photo's expression (its blendshape weights are in report.json either way)")
    .option("--max-megapixels <n>", "refuse photos larger than this (default 50)")
    .option("--json", "print a JSON summary on stdout (progress stays on stderr)");
}

/** What the commands need from outside; tests pass a pipeline test double and capture stdout. */
export interface JobCommandDeps {
  /** The in-process pipeline (default: src/pipeline/reconstruct.ts). */
  loadPipeline: () => Promise<ReconstructFn>;
  /** A worker-process pipeline, for `batch --jobs N` (default: src/pipeline/reconstruct.ts in a child). */
  startWorker: () => ChildProcessReconstruct;
  stdout: { write(text: string): unknown };
  /** Where progress goes (bars when it is a TTY). */
  stderr: NodeJS.WriteStream;
}

export const DEFAULT_DEPS: JobCommandDeps = {
  loadPipeline,
  startWorker: () => reconstructInChildProcess({ module: PIPELINE_MODULE }),
  stdout: process.stdout,
  stderr: process.stderr,
};

/** `porelight reconstruct`: the whole command, minus argument parsing. Throws CliError with the exit code. */
export async function reconstructCommand(photo: string, flags: JobFlags, deps: JobCommandDeps = DEFAULT_DEPS): Promise<PhotoJobOutcome> {
  const options = optionsFromFlags(flags);
  const maxPixels = maxPixelsFromFlags(flags);
  // The photo is checked before the pipeline loads: a typo in a path is exit 2, whatever else.
  let accepted;
  try {
    accepted = (await loadPhoto(photo, maxPixels)).accepted;
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new CliError(`${photo}: ${e.message}${e.code ? ` [${e.code}]` : ""}`, 2);
  }
  const reconstruct = await deps.loadPipeline();
  const display = createProgressDisplay({ plain: flags.json, stream: deps.stderr });
  const interrupt = interruptSignal();
  const outDir = resolve(flags.out);
  // With --json, stdout carries the summary alone: what libraries print while the job runs goes
  // to stderr (Babylon.js announces every engine it creates through a console.log it captured at
  // load time, so replacing console.log would not reach it).
  const stdoutWrite = process.stdout.write;
  if (flags.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let outcome: PhotoJobOutcome;
  try {
    outcome = await runPhotoJob({ photoPath: photo, outDir, options, reconstruct, maxPixels, photo: accepted, line: display.line(photo), signal: interrupt.signal });
  } finally {
    process.stdout.write = stdoutWrite;
  }
  display.stop();
  interrupt.dispose();
  if (flags.json) {
    deps.stdout.write(`${JSON.stringify({ ...outcome, options }, null, 2)}\n`);
  } else if (outcome.status === "done") {
    const total = outcome.files.reduce((a, f) => a + f.bytes, 0);
    deps.stdout.write(`${photo} → ${outDir}: ${outcome.files.length} files, ${(total / 1e6).toFixed(1)} MB, ${(outcome.ms / 1000).toFixed(1)} s\n`);
    for (const f of outcome.files) deps.stdout.write(`  ${f.name}\n`);
  }
  if (outcome.error) throw new CliError(describeFailure(outcome), outcome.error.exitCode);
  return outcome;
}

export function register(program: Command): void {
  addJobOptions(
    program
      .command("reconstruct <photo>")
      .description("photo → head: run the whole pipeline in this process and write the outputs to --out")
      .addHelpText("after", "\nExit codes: 0 done, 1 job failed, 2 bad usage or bad photo, 3 no face found."),
  ).action(async (photo: string, flags: JobFlags) => {
    await reconstructCommand(photo, flags);
  });
}
