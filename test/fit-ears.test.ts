// The ears read from the photo's outline (fit/ears.ts), on synthetic photos: the template seen
// frontally, the person and skin masks drawn from a head whose ears are known.
import { beforeAll, describe, expect, it } from "vitest";
import { HEAD_INDEX, predictHeadFromFace, type HeadPrediction } from "../src/geometry/head-prediction.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { weldMap } from "../src/geometry/mesh-utils.ts";
import { fitEars } from "../src/pipeline/fit/ears.ts";
import { frontalCamera, outlinePhoto } from "./support/outline-photo.ts";
import type { Camera, TemplateHead } from "../src/types.ts";

let head: TemplateHead;
beforeAll(() => {
  head = buildTemplateHead();
});

const W = 1280;
const IOD_PX = (0.063 * (1.2 * W)) / 0.9;

const camera = (): Camera => frontalCamera(W);

/** A prediction from a mean face, with the ears' prior moved to (and held tight at) the given ln ratios. */
function prediction(earLength = 0, earProtrusion = 0, sd?: number): HeadPrediction {
  const p = predictHeadFromFace([0, 0, 0]);
  const logRatio = [...p.logRatio], logSd = [...p.logSd];
  logRatio[HEAD_INDEX.earlength] = earLength;
  logRatio[HEAD_INDEX.earprotrusion] = earProtrusion;
  if (sd !== undefined) logSd[HEAD_INDEX.earlength] = logSd[HEAD_INDEX.earprotrusion] = sd;
  return { ...p, logRatio, logSd };
}

/** The template with ears of the given ln length and protrusion ratios (the prior's mean, no photo read). */
function withEars(length: number, protrusion: number): Float32Array {
  return fitEars({ head, camera: camera(), image: photo(head.mesh.positions).image, positions: Float32Array.from(head.mesh.positions), interocularPx: IOD_PX, prediction: prediction(length, protrusion, 1e-6) }).positions;
}

/** Photo and masks of a bald head at `skin`; with `hairAt`, striped hair out to that head's outline (over the ears too). */
function photo(skinAt: Float32Array, hairAt?: Float32Array) {
  return outlinePhoto(head, camera(), skinAt, hairAt);
}

function read(p: ReturnType<typeof photo>) {
  return fitEars({ head, camera: camera(), image: p.image, masks: p.masks, positions: Float32Array.from(head.mesh.positions), interocularPx: IOD_PX, prediction: prediction() });
}

/** Farthest a vertex moved, metres. */
function largestMove(a: Float32Array, b: ArrayLike<number>): number {
  let m = 0;
  for (let v = 0; v < a.length / 3; v++) m = Math.max(m, Math.hypot(a[3 * v] - b[3 * v], a[3 * v + 1] - b[3 * v + 1], a[3 * v + 2] - b[3 * v + 2]));
  return m;
}

describe("fitEars", () => {
  // Known gap (why the step is off by default): in a frontal view the read trades length for protrusion, and a 15 % longer ear comes back as the template's length standing further out.
  it.todo("reads longer ears as longer (today only the protrusion follows)");
  it("reads ears that stand further off the head than the template's", () => {
    const big = withEars(Math.log(1.15), Math.log(1.15 * 1.25));
    const { report, positions } = read(photo(big));
    expect(report.evidence).toBe(true);
    expect(report.rows.left.skin).toBeGreaterThan(5);
    expect(report.rows.right.skin).toBeGreaterThan(5);
    // Toward ln 1.44 = 0.36 from a prior at 0 (SD 0.144).
    expect(report.protrusion.mean).toBeGreaterThan(0.15);
    expect(report.protrusion.sd).toBeLessThan(report.protrusion.priorSd);
    expect(largestMove(positions, head.mesh.positions)).toBeGreaterThan(0.003);
  });

  it("leaves the template's ears where the photo shows them", () => {
    const { report } = read(photo(Float32Array.from(head.mesh.positions)));
    expect(report.evidence).toBe(true);
    expect(Math.abs(report.length.mean)).toBeLessThan(0.05);
    expect(Math.abs(report.protrusion.mean)).toBeLessThan(0.05);
    expect(Math.abs(report.height.mean)).toBeLessThan(0.002);
  });

  // Known gap: hair over larger-than-template ears still moves the length by ≈ 0.16 (skin rows above and below the hair).
  it("keeps the prior where hair covers the ears", () => {
    const hairline = withEars(Math.log(1.3), Math.log(1.3 * 1.4));
    const { report } = read(photo(Float32Array.from(head.mesh.positions), hairline));
    expect(report.rows.left.hair + report.rows.right.hair).toBeGreaterThan(0);
    expect(Math.abs(report.protrusion.mean)).toBeLessThan(0.04);
    expect(Math.abs(report.height.mean)).toBeLessThan(0.002);
  });
  it("without a person mask applies the prior alone", () => {
    const p = photo(withEars(Math.log(1.15), Math.log(1.4)));
    const { report, positions } = read({ ...p, masks: { ...p.masks, person: undefined } });
    expect(report.evidence).toBe(false);
    expect(report.length.mean).toBe(report.length.priorMean);
    // The prior from a mean face is the template's ear, within a fraction of a millimetre.
    expect(largestMove(positions, head.mesh.positions)).toBeLessThan(3e-4);
  });

  it("moves the pinna and the scalp it sits on together (no seam opens)", () => {
    const moved = withEars(Math.log(1.2), Math.log(1.5));
    const weld = weldMap(head.mesh.positions);
    let gap = 0;
    for (let v = 0; v < weld.length; v++) {
      const r = weld[v];
      gap = Math.max(gap, Math.hypot(moved[3 * v] - moved[3 * r], moved[3 * v + 1] - moved[3 * r + 1], moved[3 * v + 2] - moved[3 * r + 2]));
    }
    expect(gap).toBe(0);
    expect(largestMove(moved, head.mesh.positions)).toBeGreaterThan(0.005);
  });
});
