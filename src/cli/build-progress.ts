/**
 * One progress bar for a whole queued build (`batch --queue --wait`): jobs finished plus the
 * fractions of those running, over all jobs. On a TTY a cli-progress bar; otherwise one line per
 * finished photo, so logs of a thousand-photo build stay a thousand lines.
 */
import cliProgress from "cli-progress";

export interface BuildProgress {
  /** `finished` whole jobs plus `runningFraction` of jobs in flight; `note` says what runs. */
  update(finished: number, runningFraction: number, note: string): void;
  /** One finished photo (plain mode prints it; the bar only counts it). */
  finished(label: string, outcome: string): void;
  stop(): void;
}

export function createBuildProgress(total: number, stream: NodeJS.WriteStream, plain = false): BuildProgress {
  if (!stream.isTTY || plain) {
    let count = 0;
    return {
      update() {},
      finished(label, outcome) {
        count++;
        stream.write(`[${count}/${total}] ${label}: ${outcome}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: "build [{bar}] {percentage}% | {done}/{total} finished | {note}", hideCursor: true, barsize: 30, fps: 4 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total * 100, 0, { done: 0, note: "waiting for workers" });
  return {
    update(finished, runningFraction, note) {
      bar.update(Math.round((finished + runningFraction) * 100), { done: finished, note });
    },
    finished() {},
    stop: () => bar.stop(),
  };
}
