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
const mode = (name: (typeof FACE_MODE_DIMENSIONS)[number]) => modes.dimensions.indexOf(name);

describe("faceModes: the survey's face dimensions as deformations of the template", () => {
  it("mode k changes its own dimension by 1 m per metre and holds the others' landmarks", () => {
    const nose = modes.fields[mode("noseBreadth")];
    // The alae 98 and 327 move apart by one unit along the line between them.
    const gap = (f: Float64Array) => Math.hypot(...[0, 1, 2].map((c) => centres[3 * 327 + c] + 1e-3 * f[3 * 327 + c] - centres[3 * 98 + c] - 1e-3 * f[3 * 98 + c]));
    expect(gap(nose) - gap(new Float64Array(3 * n))).toBeCloseTo(1e-3, 6);
    // The chin and the nasal root do not move with the nose's breadth.
    for (const i of [152, 168]) for (let c = 0; c < 3; c++) expect(Math.abs(nose[3 * i + c])).toBeLessThan(1e-9);
    // The survey's prior: the nose's breadth varies by several millimetres between people (NIOSH 37.8 ± 4.8 mm, men).
    const sd = Math.sqrt(modes.covariance[mode("noseBreadth") * (modes.count + 1)]);
    expect(sd).toBeGreaterThan(0.003);
    expect(sd).toBeLessThan(0.007);
    // The mouth's width is the expression step's lip modes' (fit/expression-identity.ts), not a mode here.
    expect(mode("mouthWidth")).toBe(-1);
  });
});

describe("facePriorPosterior: the face's image-plane targets under the survey's modes", () => {
  // A face whose jaw angles are 8 mm wider and whose nose is 3 mm longer than the template's (0.8 and 0.7 of the survey's SD), read with independent landmark noise of 2 mm per axis.
  const truth = Float64Array.from(modes.fields[mode("bigonialBreadth")], (v, k) => 0.008 * v + 0.003 * modes.fields[mode("sellionSubnasale")][k]);
  const readingsOf = (seed: number) => Float64Array.from(normals(3 * n, seed), (v, k) => truth[k] + noiseSdM * v);
  const readings = readingsOf(5);
  /** The jaw angles' spread (camera x) and the nose's length (camera y) of a displacement field, mm. */
  const jaw = (d: Float64Array) => { const p = imagePlane(d); return 1000 * ((p[2 * 288] + p[2 * 397]) / 2 - (p[2 * 58] + p[2 * 172]) / 2); };
  const nose = (d: Float64Array) => { const p = imagePlane(d); return 1000 * (p[2 * 168 + 1] - p[2 * 2 + 1]); };

  it("keeps the survey's modes and removes most of the noise", () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    let jawMean = 0, noseMean = 0;
    for (const seed of seeds) {
      const y = readingsOf(seed);
      const post = facePriorPosterior(centres, y, R, ones, modes, beyondSdM, noiseSdM);
      // The readings' error was the noise (2 mm per axis); the posterior's is under a third of it.
      expect(rms(imagePlane(Float64Array.from(post.displacements, (v, k) => v - truth[k])))).toBeLessThan(0.35 * rms(imagePlane(Float64Array.from(y, (v, k) => v - truth[k]))));
      // Kept plus removed is the reading: the head as photographed can take the rest.
      for (let k = 0; k < 3 * n; k++) expect(post.displacements[k] + post.removed[k]).toBeCloseTo(y[k], 12);
      jawMean += jaw(post.displacements) / seeds.length;
      noseMean += nose(post.displacements) / seeds.length;
    }
    // On average over the noise the jaw's 8 mm and the nose's 3 mm stay (within 1 mm): the modes are not shrunk away.
    expect(Math.abs(jawMean - jaw(truth))).toBeLessThan(1);
    expect(Math.abs(noseMean - nose(truth))).toBeLessThan(1);
    expect(jaw(truth)).toBeGreaterThan(7);
    expect(nose(truth)).toBeGreaterThan(2.5);
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
