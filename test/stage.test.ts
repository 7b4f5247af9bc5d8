import { describe, expect, it } from "vitest";
import { stageEstimator, tiledOf, withDefaults } from "../src/pipeline/stage.ts";
import { UPSCALE_DEFAULTS, type UpscaleOptions } from "../src/pipeline/upscale.ts";
import type { Estimator, EstimatorRegistry } from "../src/models/estimators.ts";

describe("the stage contract", () => {
  it("withDefaults keeps a default for a field set to undefined, takes every defined value, and copies", () => {
    const o = withDefaults<UpscaleOptions>(UPSCALE_DEFAULTS, { size: undefined, scale: 2, width: 0 });
    expect(o).toEqual({ ...UPSCALE_DEFAULTS, scale: 2, width: 0 });
    expect(o).not.toBe(UPSCALE_DEFAULTS);
    expect(withDefaults(UPSCALE_DEFAULTS, undefined)).toEqual(UPSCALE_DEFAULTS);
  });

  it("stageEstimator takes the registry's first estimator of the stage, or null (the built-in) without a registry", () => {
    const user = { manifest: { name: "user-delight" } } as unknown as Estimator;
    const registry = { list: (stage: string) => (stage === "delight" ? [user] : []) } as unknown as EstimatorRegistry;
    expect(stageEstimator({ estimators: registry }, "delight")).toBe(user);
    expect(stageEstimator({ estimators: registry }, "specular")).toBeNull();
    expect(stageEstimator({}, "delight")).toBeNull();
  });

  it("tiledOf maps the tiled engine's progress into the stage's share and passes the signal", () => {
    const seen: number[] = [];
    const signal = new AbortController().signal;
    const tiled = tiledOf({ signal, onProgress: (f) => seen.push(f) }, 0.5, 0.5);
    tiled.onProgress?.(0);
    tiled.onProgress?.(1);
    expect(seen).toEqual([0.5, 1]);
    expect(tiled.signal).toBe(signal);
    expect(tiledOf(undefined).onProgress).toBeUndefined();
  });
});
