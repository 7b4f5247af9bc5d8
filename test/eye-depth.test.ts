/**
 * The inner parts' depth bias (materials/eye-depth.ts, issue 16): head.babylon carries it on the
 * eye and mouth-part materials, never on the skin, and heads loaded without it (GLBs, older
 * head.babylon files) get it from keepInnerPartsBehindSkin. The pixels it removes (an eyeball
 * sample at the closed lids' outer ends, mouth-wall samples beside the lip corners) showed on real
 * jobs only: they are measured with scripts/eye-closeup.ts --eye-zoffset 0 and
 * scripts/speck-count.ts --z-offset mouth=0,teeth=0,tongue=0 against the default
 * (docs/evaluation.md, "eyedots" and "specks").
 */
import { describe, expect, it } from "vitest";
import { NullEngine, PBRMaterial, Scene } from "@babylonjs/core";
import { EYE_DEPTH_SLOPE_OFFSET, EYE_MATERIAL_NAME, INNER_PART_MATERIAL_NAMES, keepInnerPartsBehindSkin } from "../materials/eye-depth.ts";
import { exportHeadAssets } from "../materials/export-head.ts";
import { validateSkinParameters } from "../materials/skin-parameters.ts";
import { syntheticHead, syntheticMaps } from "./browser/synthetic-head.ts";

describe("the inner parts' depth bias", () => {
  it("names the eyes and the three mouth parts", () => {
    expect([...INNER_PART_MATERIAL_NAMES].sort()).toEqual([EYE_MATERIAL_NAME, "mouth", "teeth", "tongue"].sort());
  });

  it("is saved on head.babylon's eye material and not on the skin", async () => {
    const head = syntheticHead(12);
    const assets = await exportHeadAssets({ ...head, maps: await syntheticMaps(32, 48), parameters: validateSkinParameters({}), target: "source" });
    const materials = JSON.parse(assets.babylon).materials as { name: string; zOffset?: number }[];
    expect(EYE_DEPTH_SLOPE_OFFSET).toBeGreaterThan(0);
    expect(materials.find((m) => m.name === EYE_MATERIAL_NAME)?.zOffset).toBe(EYE_DEPTH_SLOPE_OFFSET);
    for (const m of materials) expect(m.zOffset ?? 0, m.name).toBe(INNER_PART_MATERIAL_NAMES.includes(m.name) ? EYE_DEPTH_SLOPE_OFFSET : 0);
    expect(materials.some((m) => !INNER_PART_MATERIAL_NAMES.includes(m.name))).toBe(true);
  });

  it("is set on a loaded scene's eye and mouth materials, not on the skin", () => {
    const engine = new NullEngine();
    try {
      const scene = new Scene(engine);
      const inner = INNER_PART_MATERIAL_NAMES.map((name) => new PBRMaterial(name, scene));
      const skin = new PBRMaterial("skin", scene);
      expect(keepInnerPartsBehindSkin(scene)).toBe(INNER_PART_MATERIAL_NAMES.length);
      for (const m of inner) expect(m.zOffset, m.name).toBe(EYE_DEPTH_SLOPE_OFFSET);
      expect(skin.zOffset).toBe(0);
    } finally {
      engine.dispose();
    }
  });
});
