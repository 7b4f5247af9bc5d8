/**
 * Job progress on the terminal: cli-progress bars when stderr is a TTY, otherwise one plain line
 * per stage change (logs and CI stay readable). Progress goes to stderr so stdout stays clean
 * for `--json`.
 */
import cliProgress from "cli-progress";
import type { ProgressEvent } from "../types.ts";

export interface ProgressLine {
  update(event: ProgressEvent): void;
  /** Ends this line with a final word ("done", "failed: …", "skipped"). */
  finish(outcome: string): void;
}

export interface ProgressDisplay {
  /** A progress line for one photo. */
  line(label: string): ProgressLine;
  /** A message that must not be mangled by the bars. */
  log(message: string): void;
  stop(): void;
}

export interface ProgressDisplayOptions {
  stream?: NodeJS.WriteStream;
  /** Force plain lines even on a TTY (e.g. `--json`, `--quiet`). */
  plain?: boolean;
  /** Print nothing at all. */
  silent?: boolean;
}

const SILENT: ProgressDisplay = { line: () => ({ update() {}, finish() {} }), log() {}, stop() {} };

/**
 * Picks bars or plain lines for `stream` (stderr by default).
 *
 *   const display = createProgressDisplay();
 *   const line = display.line("face.jpg");
 *   await reconstruct(photo, options, { onProgress: (e) => line.update(e) });
 *   line.finish("done"); display.stop();
 */
export function createProgressDisplay(options: ProgressDisplayOptions = {}): ProgressDisplay {
  if (options.silent) return SILENT;
  const stream = options.stream ?? process.stderr;
  return stream.isTTY && !options.plain ? barDisplay(stream) : plainDisplay(stream);
}

function plainDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  return {
    line(label) {
      let stage = "";
      return {
        update(event) {
          if (event.stage === stage) return;
          stage = event.stage;
          stream.write(`${label}: ${event.stage} (${Math.round(event.overallFraction * 100)}%)\n`);
        },
        finish(outcome) {
          stream.write(`${label}: ${outcome}\n`);
        },
      };
    },
    log: (message) => void stream.write(`${message}\n`),
    stop() {},
  };
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: "{label} [{bar}] {percentage}% | {stage}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    line(label) {
      const short = label.length > 28 ? `…${label.slice(-27)}` : label.padEnd(28);
      const bar = multi.create(100, 0, { label: short, stage: "queued" });
      return {
        update(event) {
          bar.update(Math.round(event.overallFraction * 100), { stage: event.stage });
        },
        finish(outcome) {
          bar.update(outcome === "done" ? 100 : bar.getProgress() * 100, { stage: outcome });
          bar.stop();
        },
      };
    },
    log: (message) => multi.log(`${message}\n`),
    stop: () => multi.stop(),
  };
}
