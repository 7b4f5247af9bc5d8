import { describe, expect, it } from "vitest";
import { landmarkGrid as grid, seededNormals as normals } from "./support/landmark-grid.ts";
import { quaternionToMatrix } from "../src/geometry/procrustes.ts";
import { imagePlanePosterior } from "../src/pipeline/fit/image-posterior.ts";

/** Camera x, y, z of each world displacement. */
function inCamera(R: Float64Array, d: Float64Array): Float64Array {
  return Float64Array.from(d, (_, k) => { const i = Math.floor(k / 3), a = k % 3; return R[3 * a] * d[3 * i] + R[3 * a + 1] * d[3 * i + 1] + R[3 * a + 2] * d[3 * i + 2]; });
}

const rmsOfAxes = (v: Float64Array, axes: number[]) => {
  let s = 0, n = 0;
  for (let i = 0; i < v.length; i += 3) for (const a of axes) { s += v[i + a] ** 2; n++; }
  return Math.sqrt(s / n);
};

describe("imagePlanePosterior: the landmarks' image positions smoothed to their noise", () => {
  const centres = grid();
  const n = centres.length / 3;
  const ones = new Float64Array(n).fill(1);
  // A camera turned 30° about y and 10° about x: the image plane is not the template's xy.
  const [a, b] = [(30 * Math.PI) / 360, (10 * Math.PI) / 360];
  const Ry = quaternionToMatrix(Math.cos(a), 0, Math.sin(a), 0), Rx = quaternionToMatrix(Math.cos(b), Math.sin(b), 0, 0);
  const R = Float64Array.from({ length: 9 }, (_, k) => [0, 1, 2].reduce((s, j) => s + Rx[3 * Math.floor(k / 3) + j] * Ry[3 * j + (k % 3)], 0));
  const sd = 0.002;

  it("takes independent noise of the stated SD down to a fraction of it, and leaves the depth alone", () => {
    const noise = Float64Array.from(normals(3 * n), (v) => sd * v);
    const r = imagePlanePosterior(centres, noise, R, ones, sd);
    const cam = inCamera(R, r.displacements), raw = inCamera(R, noise);
    expect(rmsOfAxes(cam, [0, 1])).toBeLessThan(0.35 * sd);
    for (let i = 0; i < n; i++) expect(cam[3 * i + 2]).toBeCloseTo(raw[3 * i + 2], 12);
    // What was taken off plus what was kept is the reading: the photo's head can take the rest.
    for (let k = 0; k < 3 * n; k++) expect(r.displacements[k] + r.removed[k]).toBeCloseTo(noise[k], 12);
    expect(r.residualM).toBeLessThanOrEqual(sd * 1.0001);
  });

  it("keeps a broad change many landmarks agree on (a chin 5 mm lower) under the same noise", () => {
    const chin = Float64Array.from({ length: 3 * n }, (_, k) => (k % 3 === 1 ? -0.005 / (1 + Math.exp((centres[k] + 0.03) / 0.008)) : 0));
    const noise = normals(3 * n, 11);
    const readings = Float64Array.from(chin, (v, k) => v + sd * noise[k]);
    const r = imagePlanePosterior(centres, readings, R, ones, sd);
    const error = Float64Array.from(r.displacements, (v, k) => v - chin[k]);
    const truth = inCamera(R, chin), kept = inCamera(R, r.displacements);
    // Nearer the truth than the readings were, and the chin's drop mostly kept.
    expect(rmsOfAxes(inCamera(R, error), [0, 1])).toBeLessThan(0.5 * sd);
    const drop = (v: Float64Array) => { let s = 0, m = 0; for (let i = 0; i < n; i++) if (centres[3 * i + 1] < -0.045) { s += v[3 * i + 1]; m++; } return s / m; };
    expect(drop(kept) / drop(truth)).toBeGreaterThan(0.8);
  });

  it("never smooths an affine change (a face 5 % wider than the template's, seen turned)", () => {
    const wider = Float64Array.from({ length: 3 * n }, (_, k) => (k % 3 === 0 ? 0.05 * centres[k] : 0));
    const r = imagePlanePosterior(centres, wider, R, ones, sd);
    for (let k = 0; k < 3 * n; k++) expect(r.displacements[k]).toBeCloseTo(wider[k], 9);
  });

  it("refuses displacements, centres and rotations that do not match", () => {
    expect(() => imagePlanePosterior(centres, new Float64Array(3), R, ones, sd)).toThrow(/landmarks need/);
    expect(() => imagePlanePosterior(centres, new Float64Array(3 * n), new Float64Array(4), ones, sd)).toThrow(/3 × 3/);
    expect(() => imagePlanePosterior(centres, new Float64Array(3 * n), R, ones, 0)).toThrow(/noise SD/);
  });
});
