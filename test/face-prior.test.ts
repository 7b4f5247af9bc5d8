import { describe, expect, it } from "vitest";
import { seededNormals as normals } from "./support/landmark-grid.ts";
import { FACE_LANDMARKS_M } from "../src/geometry/data/canonical-face.ts";
import { FACE_MODE_DIMENSIONS } from "../src/geometry/data/face-dimensions.ts";
import { quaternionToMatrix } from "../src/geometry/procrustes.ts";
import { faceModes } from "../src/pipeline/fit/face-modes.ts";
import { FACE_PRIOR_DEFAULTS, facePriorPosterior } from "../src/pipeline/fit/face-prior.ts";

const ids = Array.from({ length: 468 }, (_, i) => i);
const centres = Float64Array.from(ids.flatMap((i) => [FACE_LANDMARKS_M[3 * i], FACE_LANDMARKS_M[3 * i + 1], FACE_LANDMARKS_M[3 * i + 2]]));
const n = ids.length;
const ones = new Float64Array(n).fill(1);
// A camera turned 20° about y: the image plane is not the template's xy.
const turn = (20 * Math.PI) / 360;
const R = quaternionToMatrix(Math.cos(turn), 0, Math.sin(turn), 0);
const modes = faceModes(FACE_LANDMARKS_M, ids);
const beyondSdM = FACE_PRIOR_DEFAULTS.beyondSdMm / 1000;
const noiseSdM = 0.002;

/** Camera x and y of a world displacement field, as one list. */
const imagePlane = (d: Float64Array) => Float64Array.from({ length: 2 * n }, (_, k) => { const i = k >> 1, a = k & 1; return R[3 * a] * d[3 * i] + R[3 * a + 1] * d[3 * i + 1] + R[3 * a + 2] * d[3 * i + 2]; });
const rms = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
const mode = (name: (typeof FACE_MODE_DIMENSIONS)[number]) => FACE_MODE_DIMENSIONS.indexOf(name);

describe("faceModes: the survey's face dimensions as deformations of the template", () => {
  it("mode k changes its own dimension by 1 m per metre and holds the others' landmarks", () => {
    const mouth = modes.fields[mode("mouthWidth")];
    // Mouth corners 61 and 291 move apart by one unit along the line between them.
    const gap = (f: Float64Array) => Math.hypot(...[0, 1, 2].map((c) => centres[3 * 291 + c] + 1e-3 * f[3 * 291 + c] - centres[3 * 61 + c] - 1e-3 * f[3 * 61 + c]));
    expect(gap(mouth) - gap(new Float64Array(3 * n))).toBeCloseTo(1e-3, 6);
    // The chin and the nasal root do not move with the mouth's width.
    for (const i of [152, 168]) for (let c = 0; c < 3; c++) expect(Math.abs(mouth[3 * i + c])).toBeLessThan(1e-9);
    // The survey's prior: the mouth's width varies by several millimetres between people.
    const sd = Math.sqrt(modes.covariance[mode("mouthWidth") * (modes.count + 1)]);
    expect(sd).toBeGreaterThan(0.003);
    expect(sd).toBeLessThan(0.007);
  });
});

describe("facePriorPosterior: the face's image-plane targets under the survey's modes", () => {
  // A face whose mouth is 5 mm wider and whose nose is 3 mm longer than the template's, plus independent landmark noise of 2 mm per axis.
  const truth = Float64Array.from(modes.fields[mode("mouthWidth")], (v, k) => 0.005 * v + 0.003 * modes.fields[mode("sellionSubnasale")][k]);
  const noise = Float64Array.from(normals(3 * n, 5), (v) => noiseSdM * v);
  const readings = Float64Array.from(truth, (v, k) => v + noise[k]);

  it("keeps the survey's mode and removes most of the noise", () => {
    const post = facePriorPosterior(centres, readings, R, ones, modes, beyondSdM, noiseSdM);
    const error = imagePlane(Float64Array.from(post.displacements, (v, k) => v - truth[k]));
    const before = imagePlane(noise);
    // The readings' error was the noise (2 mm per axis); the posterior's is under a third of it.
    expect(rms(error)).toBeLessThan(0.35 * rms(before));
    // The mouth's 5 mm is kept within 1 mm; the nose's 3 mm, a shorter mode two landmarks carry, more than half of it.
    expect(post.amplitudesM[mode("mouthWidth")]).toBeGreaterThan(0.004);
    expect(post.amplitudesM[mode("mouthWidth")]).toBeLessThan(0.006);
    expect(post.amplitudesM[mode("sellionSubnasale")]).toBeGreaterThan(0.0015);
    expect(post.amplitudesM[mode("sellionSubnasale")]).toBeLessThan(0.004);
    // Kept plus removed is the reading: the head as photographed can take the rest.
    for (let k = 0; k < 3 * n; k++) expect(post.displacements[k] + post.removed[k]).toBeCloseTo(readings[k], 12);
  });

  it("never takes off an affine change (a face 5 % wider than the template's, seen turned), and leaves the depth alone", () => {
    const wider = Float64Array.from({ length: 3 * n }, (_, k) => (k % 3 === 0 ? 0.05 * centres[k] : 0));
    const post = facePriorPosterior(centres, wider, R, ones, modes, beyondSdM, noiseSdM);
    for (let k = 0; k < 3 * n; k++) expect(post.displacements[k]).toBeCloseTo(wider[k], 9);
    const along = (d: Float64Array, i: number) => R[6] * d[3 * i] + R[7] * d[3 * i + 1] + R[8] * d[3 * i + 2];
    const noisy = facePriorPosterior(centres, readings, R, ones, modes, beyondSdM, noiseSdM);
    for (let i = 0; i < n; i++) expect(along(noisy.displacements, i)).toBeCloseTo(along(readings, i), 12);
  });

  it("refuses inputs that do not match", () => {
    expect(() => facePriorPosterior(centres, new Float64Array(3), R, ones, modes, beyondSdM, noiseSdM)).toThrow(/landmarks need/);
    expect(() => facePriorPosterior(centres, readings, new Float64Array(4), ones, modes, beyondSdM, noiseSdM)).toThrow(/3 × 3/);
    expect(() => facePriorPosterior(centres, readings, R, ones, modes, beyondSdM, 0)).toThrow(/noise SD/);
  });
});
