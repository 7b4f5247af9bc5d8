import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../src/types.ts";
import { PRESET_MAP_SIZE } from "../src/types.ts";
import { StageError, StageRunner, type StageMeter } from "../src/pipeline/reconstruct/stage-runner.ts";
import { PRESETS } from "../src/pipeline/presets.ts";
import { NoFaceFound } from "../src/errors.ts";

/** A meter whose clock advances 10 ms per reading and whose memory grows 1 MB per reading. */
function fakeMeter(): StageMeter {
  let t = 0, m = 0;
  return { now: () => (t += 10), peakRssBytes: () => (m += 1e6) };
}

describe("stage runner", () => {
  it("reports stage and overall fractions weighted by cost, monotonic, ending at 1", async () => {
    const events: ProgressEvent[] = [];
    const runner = new StageRunner({ capture: 1, upscale: 3 }, { onProgress: (e) => events.push(e) }, fakeMeter());
    await runner.run("capture", () => 1);
    await runner.run("upscale", (progress) => {
      progress(0.5, "tile 1 of 2");
      return 2;
    });
    expect(events.map((e) => [e.stage, e.stageFraction, e.overallFraction])).toEqual([
      ["capture", 0, 0],
      ["capture", 1, 0.25],
      ["upscale", 0, 0.25],
      ["upscale", 0.5, 0.625],
      ["upscale", 1, 1],
    ]);
    expect(events[3].message).toBe("tile 1 of 2");
    expect(runner.timings.map((t) => t.stage)).toEqual(["capture", "upscale"]);
    expect(runner.timings[0].ms).toBe(10);
    expect(runner.timings[1].peakRssBytes).toBeGreaterThan(runner.timings[0].peakRssBytes);
  });

  it("stops between stages when the signal is aborted, with the signal's AbortError", async () => {
    const controller = new AbortController();
    const runner = new StageRunner({}, { signal: controller.signal }, fakeMeter());
    await runner.run("capture", () => controller.abort());
    let ran = false;
    await expect(runner.run("fit", () => (ran = true))).rejects.toMatchObject({ name: "AbortError" });
    expect(ran).toBe(false);
  });

  it("names the stage: wraps plain errors in StageError, tags typed input errors, passes aborts through", async () => {
    const runner = new StageRunner({}, {}, fakeMeter());
    const plain = await runner.run("unwrap", () => { throw new RangeError("bad texel"); }).catch((e) => e);
    expect(plain).toBeInstanceOf(StageError);
    expect(plain).toMatchObject({ stage: "unwrap", code: "stage_failed", message: "unwrap failed: bad texel" });
    expect((plain as StageError).cause).toBeInstanceOf(RangeError);
    const typed = await runner.run("capture", () => { throw new NoFaceFound(); }).catch((e) => e);
    expect(typed).toBeInstanceOf(NoFaceFound);
    expect(typed).toMatchObject({ stage: "capture", code: "no_face_found" });
    const abort = new DOMException("stop", "AbortError");
    await expect(runner.run("fit", () => Promise.reject(abort))).rejects.toBe(abort);
  });
});

describe("presets", () => {
  it("upscale to each preset's map size: factor × base, resampled only for ultra", () => {
    for (const [name, p] of Object.entries(PRESETS) as [keyof typeof PRESETS, (typeof PRESETS)["draft"]][]) {
      const size = PRESET_MAP_SIZE[name];
      expect(p.upscale.scale).toBe(size.upscale);
      const w = p.upscale.width || 384 * p.upscale.scale!;
      const h = p.upscale.height || 576 * p.upscale.scale!;
      expect([w, h]).toEqual([size.width, size.height]);
    }
    expect(PRESETS.ultra.upscale.width).toBe(4096);
    expect(PRESETS.high.upscale.width).toBe(0);
  });
});
