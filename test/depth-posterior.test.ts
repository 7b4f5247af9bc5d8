import { describe, expect, it } from "vitest";
import { landmarkGrid as grid, seededNormals as normals } from "./support/landmark-grid.ts";
import { depthPosterior } from "../src/pipeline/fit/depth-posterior.ts";

const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0) / v.length);

describe("depthPosterior: landmark depth smoothed to its noise", () => {
  const centres = grid();
  const n = centres.length / 3;
  const ones = new Float64Array(n).fill(1);
  const bump = Float64Array.from({ length: n }, (_, i) => 0.006 * Math.exp(-(centres[3 * i] ** 2 + centres[3 * i + 1] ** 2) / (2 * 0.02 ** 2)));

  it("takes independent noise of the stated SD down to a fraction of it", () => {
    const noise = normals(n).map((e) => 0.002 * e);
    const r = depthPosterior(centres, noise, ones, 0.002);
    expect(r.residualM).toBeLessThanOrEqual(0.002 * 1.001);
    expect(rms(r.offsets)).toBeLessThan(0.25 * rms(noise));
  });

  it("keeps a broad bump many landmarks agree on (a nose 6 mm deeper than the template's) under the same noise", () => {
    const noise = normals(n, 11).map((e) => 0.002 * e);
    const readings = bump.map((b, i) => b + noise[i]);
    const r = depthPosterior(centres, readings, ones, 0.002);
    const peak = r.offsets[7 * 15 + 7];
    // The discrepancy principle errs on the smooth side: more than half the bump survives, and the result is nearer the truth than the readings.
    expect(peak).toBeGreaterThan(0.003);
    expect(rms(r.offsets.map((v, i) => v - bump[i]))).toBeLessThan(rms(noise));
  });

  it("leaves the tilt to the pose: ramps across x and y are removed, the depth's own scale is kept", () => {
    const readings = Float64Array.from({ length: n }, (_, i) => 0.1 * centres[3 * i] - 0.05 * centres[3 * i + 1] + 0.2 * centres[3 * i + 2]);
    const r = depthPosterior(centres, readings, ones, 1e-4);
    // What is left correlates with z alone: no slope along x or y.
    const slope = (axis: number) => {
      let sxy = 0, sxx = 0;
      for (let i = 0; i < n; i++) {
        sxy += centres[3 * i + axis] * r.offsets[i];
        sxx += centres[3 * i + axis] ** 2;
      }
      return sxy / sxx;
    };
    expect(Math.abs(slope(0))).toBeLessThan(1e-6);
    expect(Math.abs(slope(1))).toBeLessThan(1e-6);
    const depthPart = Float64Array.from({ length: n }, (_, i) => 0.2 * centres[3 * i + 2]);
    expect(rms(r.offsets.map((v, i) => v - depthPart[i]))).toBeLessThan(1e-6);
  });

  it("refuses readings and centres that do not match", () => {
    expect(() => depthPosterior(centres, new Float64Array(3), ones, 0.002)).toThrow(/readings need/);
    expect(() => depthPosterior(centres, bump, ones, 0)).toThrow(/noise SD/);
  });
});
