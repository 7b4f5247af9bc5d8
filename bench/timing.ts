/** Timing helpers shared by the model benchmarks. */

import { upperMedian } from "../src/primitives/statistics.ts";

export const median = upperMedian;

/** Median wall time (ms) of `runs` calls of fn, after one untimed warm-up call (first runs allocate and JIT). */
export async function timeRuns(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}
