import { describe, expect, it } from "vitest";
import { fitLighting, type LightingFitOptions } from "../src/pipeline/delight/fit.ts";
import { departsFromGrey } from "../src/pipeline/delight/highlight-colour.ts";
import { FACE_REGIONS } from "../src/types.ts";
import { syntheticScene } from "./support/synthetic-skin.ts";

describe("the lighting fit strips its highlights in their own colour", () => {
  // A white-lit face under a broad, strong highlight that is blue in J (a flash bluer than the
  // light the diffuse shading is balanced to, as on d3dfr-015316): the matte render plus a sheen
  // lobe about the half vector, tinted.
  const flash = [0.77, 1.05, 1.16];
  const matte = syntheticScene({ yawDeg: 20, exposure: 0.5, specular: 0 });
  const { width, height } = matte;
  const view = [Math.sin(Math.PI / 9), 0, Math.cos(Math.PI / 9)];
  const half = matte.lightDirection.map((v, c) => v + view[c]);
  const halfLength = Math.hypot(...half);
  const N = matte.normals.data;
  const texture = Float32Array.from(matte.texture.data, (v, i) => {
    const p = Math.floor(i / 3);
    const nh = Math.max(0, (N[p * 3] * half[0] + N[p * 3 + 1] * half[1] + N[p * 3 + 2] * half[2]) / halfLength);
    return v > 0 ? v + 0.75 * nh ** 8 * flash[i % 3] : 0;
  });
  const scalp = FACE_REGIONS.indexOf("scalp");
  const weight = Float32Array.from(matte.confidence.data, (c, p) => (c >= 0.3 && matte.regions.weights.data[p * FACE_REGIONS.length + scalp] < 0.5 ? c : 0));
  const input = { width, height, texture, normals: N, occlusion: matte.occlusion.data, weight, regions: matte.regions.weights.data };
  const options: LightingFitOptions = { iterations: 8, tukeyC: 4.685, ridgeBand1: 1e-3, ridgeBand2: 1e-2, regionRidge: 0.05, lightColorCoupling: 10, maxSamples: 8192, specularTolerance: 0.04, specularGate: 0.25 };
  /** Angle between the fitted light's band-1 direction (SH order y, z, x) and the true one, degrees. */
  const directionError = (e: Float64Array) => {
    const band1 = (k: number) => e[k * 3] + e[k * 3 + 1] + e[k * 3 + 2];
    const d = [band1(3), band1(1), band1(2)];
    const t = matte.lightDirection;
    return (Math.acos(Math.min(1, (d[0] * t[0] + d[1] * t[1] + d[2] * t[2]) / Math.hypot(...d))) * 180) / Math.PI;
  };

  it("keeps the light's direction and explains the photo where grey does not", () => {
    const grey = fitLighting(input, options);
    const own = fitLighting(input, { ...options, highlightColour: flash });
    // Measured: grey σ 0.45 at its best round (1.48 at its last), 79 % inliers, light 170° off;
    // own colour σ 0.14, 88 %, 28° off.
    expect(grey.residualSigma).toBeGreaterThan(3 * own.residualSigma);
    expect(own.residualSigma).toBeLessThan(0.2);
    expect(own.inlierFraction).toBeGreaterThan(grey.inlierFraction + 0.05);
    expect(directionError(own.irradiance)).toBeLessThan(directionError(grey.irradiance) - 10);
  });

  it("refits only for a highlight off grey by more than the removal's tolerance", () => {
    expect(departsFromGrey(flash, 0.04)).toBe(true);
    expect(departsFromGrey([0.332, 0.341, 0.327], 0.04)).toBe(false); // d3dfr-000031's highlight in J
    expect(departsFromGrey([2, 2, 2], 0.04)).toBe(false);
  });
  it("returns the round that explained the data best: more rounds never leave a larger residual", () => {
    // The grey strip of a blue flash is the alternation at its worst (each round's light explains
    // the data a little worse); a fit with more rounds may only find a better round, never keep a worse one.
    for (const highlightColour of [undefined, flash]) {
      let previous = Infinity;
      for (let iterations = 1; iterations <= options.iterations; iterations++) {
        const sigma = fitLighting(input, { ...options, iterations, highlightColour }).residualSigma;
        expect(sigma).toBeLessThanOrEqual(previous);
        previous = sigma;
      }
    }
  });
});
