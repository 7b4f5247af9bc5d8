import { describe, expect, it } from "vitest";
import { chromaSigmaOfAngularError, GREY_EDGE_ANGULAR_ERROR_DEG, sceneIlluminant, sceneLightReading, sceneRegionsOf } from "../src/pipeline/capture/scene-illuminant.ts";
import { mondrian } from "./support/scene-photo.ts";

describe("scene illuminant (grey-world and grey-edge, the shift both see)", () => {
  it("finds a warm light's colour from the scene around the face", () => {
    const warm: [number, number, number] = [1, 0.62, 0.4];
    const { image, skin } = mondrian(warm);
    const e = sceneIlluminant(image, { exclude: skin });
    expect(e.rgb[0]).toBe(1);
    // Each statistic sees the warm light; the estimate keeps the smaller of the two shifts, so it
    // lies between neutral and the truth, and at least halfway there (in log).
    for (const c of [1, 2]) {
      for (const est of [e.greyWorld, e.greyEdge]) expect(Math.abs(Math.log(est[c] / warm[c]))).toBeLessThan(0.2);
      const share = Math.log(e.rgb[c]) / Math.log(warm[c]);
      expect(share).toBeGreaterThan(0.5);
      expect(share).toBeLessThan(1.1);
    }
    expect(e.pixels).toBeGreaterThan(2000);
  });

  it("stays neutral under a white light, and ignores the face itself", () => {
    const { image, skin } = mondrian([1, 1, 1]);
    const e = sceneIlluminant(image, { exclude: skin });
    for (const v of e.rgb) expect(Math.abs(Math.log(v))).toBeLessThan(0.1);
    // The face (strongly red) is excluded: an all-face mask leaves no scene to measure, hence neutral.
    const all = { ...skin, data: skin.data.map(() => 1) };
    expect(sceneIlluminant(image, { exclude: all }).rgb).toEqual([1, 1, 1]);
  });

  it("reads a cool, a green and a magenta light as it reads a warm one", () => {
    for (const light of [[1, 1.2, 1.35], [1, 1.2, 1], [1, 0.75, 1.1]] as [number, number, number][]) {
      const e = sceneIlluminant(mondrian(light).image, { exclude: mondrian(light).skin });
      // Within the statistics' own error of the truth, as the warm light above (a shift larger than that error at least half read).
      for (const c of [1, 2]) expect(Math.abs(Math.log(e.rgb[c] / light[c]))).toBeLessThan(0.2);
      for (const c of [1, 2]) if (Math.abs(Math.log(light[c])) > 0.15) expect(Math.log(e.rgb[c]) / Math.log(light[c])).toBeGreaterThan(0.4);
      expect(e.sigmaChroma).toBeLessThan(0.2);
    }
  });

  it("takes the smaller of two shifts that agree, none of two that do not, and doubts the reading by their disagreement", () => {
    // A blue backdrop under a white light: grey-world is fooled more than grey-edge.
    const { image, skin } = mondrian([1, 1, 1], { backdrop: [0.2, 0.35, 0.6] });
    const e = sceneIlluminant(image, { exclude: skin });
    expect(e.greyWorld[2]).toBeGreaterThan(1.2);
    expect(e.rgb[2]).toBeLessThanOrEqual(Math.min(e.greyWorld[2], e.greyEdge[2]) + 1e-9);
    // The rule itself: per axis, the smaller agreeing shift; opposite shifts give none.
    const r = sceneLightReading({ greyWorld: [1, 0.6, 1.5], greyEdge: [1, 0.9, 0.8] });
    expect(r.rgb[1]).toBeCloseTo(0.9, 9);
    expect(r.rgb[2]).toBe(1);
    // Agreeing statistics: their published errors joined (grey-edge's alone 0.163 per axis); disagreeing: × the Birge ratio.
    expect(chromaSigmaOfAngularError(GREY_EDGE_ANGULAR_ERROR_DEG)).toBeCloseTo(0.163, 3);
    const same = sceneLightReading({ greyWorld: [1, 0.8, 0.6], greyEdge: [1, 0.8, 0.6] });
    expect(same.birgeRatio).toBe(1);
    expect(same.sigmaChroma).toBeLessThan(0.163);
    expect(r.birgeRatio).toBeGreaterThan(1);
    expect(r.sigmaChroma / same.sigmaChroma).toBeCloseTo(r.birgeRatio, 9);
  });

  it("doubts a reading a large saturated shirt pulls: the person and the background disagree", () => {
    // A studio wall of neutral greys; a blue, a red and a green shirt with folds, under a neutral light.
    const wall = (rand: () => number) => Array(3).fill(0.2 + 0.15 * rand());
    for (const shirt of [[0.05, 0.12, 0.5], [0.5, 0.08, 0.05], [0.1, 0.4, 0.08]]) {
      const { image, skin, person } = mondrian([1, 1, 1], { shirt, patch: wall });
      const e = sceneIlluminant(image, sceneRegionsOf({ skin, person }));
      // Both statistics of the whole scene are pulled toward the dye (0.15–0.23 in ln)…
      const shift = Math.max(...[1, 2].map((c) => Math.abs(Math.log(e.rgb[c]))));
      expect(shift).toBeGreaterThan(0.1);
      // …but the person's readings and the background's disagree, and the doubt covers the pull.
      expect(e.witnesses).toHaveLength(2);
      expect(e.sigmaChroma).toBeGreaterThan(shift);
    }
    // A light both witnesses see keeps its published doubt: a warm light over the wall and a grey shirt.
    const warm = [1, 0.7, 0.5];
    const { image, skin, person } = mondrian(warm, { shirt: [0.3, 0.3, 0.3], patch: wall });
    const e = sceneIlluminant(image, sceneRegionsOf({ skin, person }));
    for (const c of [1, 2]) expect(Math.log(e.rgb[c]) / Math.log(warm[c])).toBeGreaterThan(0.5);
    expect(e.sigmaChroma).toBeLessThan(0.14);
  });

  it("leaves the face's outline out of grey-edge: a ruddy face on a plain grey wall reads neutral", () => {
    // A wall with a few grey patches: the strongest edges are the face's own outline, skin against grey.
    const { image, skin } = mondrian([1, 1, 1], { patch: (rand) => Array(3).fill(0.2 + 0.1 * rand()), face: [0.5, 0.2, 0.1] });
    const e = sceneIlluminant(image, { exclude: skin });
    for (const c of [1, 2]) expect(Math.abs(Math.log(e.greyEdge[c]))).toBeLessThan(0.05);
  });

  it("names a photo that is not sRGB or a mask of another size", () => {
    const { image, skin } = mondrian([1, 1, 1], { size: 64 });
    expect(() => sceneIlluminant({ ...image, colorSpace: "linear" }, { exclude: skin })).toThrow(/sRGB/);
    expect(() => sceneIlluminant(image, { exclude: { ...skin, width: 32 } })).toThrow(/sizes differ/);
  });
});
