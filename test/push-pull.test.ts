/**
 * relaxMembrane (src/image/push-pull.ts) on hand-built grids: fixed texels stay, an unconstrained
 * texel ends at the mean of its neighbours, islands outside the domain do not bleed, and the
 * three-channel sweep gives bit for bit what relaxing each channel on its own gives.
 */
import { describe, expect, it } from "vitest";
import { relaxMembrane } from "../src/image/push-pull.ts";

function lcg(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe("relaxMembrane", () => {
  it("keeps weight-1 texels, relaxes a free one to its neighbours' mean, and stops at the domain", () => {
    // 3×3, all fixed at 1 except the centre (free, starts at 0) and the right column (outside the domain, 9).
    const data = Float32Array.from([1, 1, 9, 1, 0, 9, 1, 1, 9]);
    const values = data.slice();
    const weight = [1, 1, 1, 1, 0, 1, 1, 1, 1];
    const domain = [1, 1, 0, 1, 1, 0, 1, 1, 0];
    relaxMembrane(data, values, weight, 3, 3, 1, 5, domain);
    expect(Array.from(values)).toEqual([1, 1, 9, 1, 1, 9, 1, 1, 9]);
  });

  it("relaxes three channels exactly as three single-channel relaxations", () => {
    const width = 37, height = 23, n = width * height, rnd = lcg(3);
    const data = Float32Array.from({ length: 3 * n }, rnd);
    const weight = Float32Array.from({ length: n }, () => (rnd() < 0.4 ? 1 : rnd() < 0.5 ? 0 : rnd()));
    const domain = Float32Array.from({ length: n }, () => (rnd() < 0.85 ? 1 : 0));
    const rgb = Float32Array.from({ length: 3 * n }, rnd);
    const planes = [0, 1, 2].map((c) => Float32Array.from({ length: n }, (_, p) => rgb[3 * p + c]));
    const dataPlanes = [0, 1, 2].map((c) => Float32Array.from({ length: n }, (_, p) => data[3 * p + c]));
    const start = planes[0].slice();
    relaxMembrane(data, rgb, weight, width, height, 3, 7, domain);
    planes.forEach((plane, c) => relaxMembrane(dataPlanes[c], plane, weight, width, height, 1, 7, domain));
    const mismatched = [];
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) if (!Object.is(rgb[3 * p + c], planes[c][p])) mismatched.push(p);
    expect(mismatched).toEqual([]);
    // Something moved: the free texels are no longer their starting values.
    expect(planes[0].filter((v, p) => v !== start[p]).length).toBeGreaterThan(n / 4);
  });
});
