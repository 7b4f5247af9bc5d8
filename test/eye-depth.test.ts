/**
 * The eyes' depth bias (materials/eye-depth.ts, issue 16): head.babylon carries it on the eye
 * material only, and heads loaded without it (GLBs, older head.babylon files) get it from
 * keepEyesBehindLids. The pixels it removes (an eyeball MSAA sample at the closed lids' outer
 * ends) showed on real jobs only, not on a small synthetic scene: they are measured with
 * scripts/eye-closeup.ts --eye-zoffset 0 against the default (docs/evaluation.md, "eyedots").
 */
import { describe, expect, it } from "vitest";
import { NullEngine, PBRMaterial, Scene } from "@babylonjs/core";
import { EYE_DEPTH_SLOPE_OFFSET, EYE_MATERIAL_NAME, keepEyesBehindLids } from "../materials/eye-depth.ts";
import { exportHeadAssets } from "../materials/export-head.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

describe("the eyes' depth bias", () => {
  it("is saved on head.babylon's eye material and on no other", async () => {
    const head = syntheticHead(12);
    const assets = await exportHeadAssets({ ...head, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), target: "source" });
    const materials = JSON.parse(assets.babylon).materials as { name: string; zOffset?: number }[];
    expect(EYE_DEPTH_SLOPE_OFFSET).toBeGreaterThan(0);
    expect(materials.find((m) => m.name === EYE_MATERIAL_NAME)?.zOffset).toBe(EYE_DEPTH_SLOPE_OFFSET);
    for (const m of materials.filter((m) => m.name !== EYE_MATERIAL_NAME)) expect(m.zOffset ?? 0, m.name).toBe(0);
  });

  it("is set on a loaded scene's eye material, not on the skin", () => {
    const engine = new NullEngine();
    try {
      const scene = new Scene(engine);
      const eyes = new PBRMaterial(EYE_MATERIAL_NAME, scene), skin = new PBRMaterial("skin", scene);
      expect(keepEyesBehindLids(scene)).toBe(1);
      expect(eyes.zOffset).toBe(EYE_DEPTH_SLOPE_OFFSET);
      expect(skin.zOffset).toBe(0);
    } finally {
      engine.dispose();
    }
  });
});
