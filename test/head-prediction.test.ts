import { describe, expect, it } from "vitest";
import { HEAD_NORMS, headFrame } from "../src/geometry/head-shape.ts";
import { HEAD_INDEX, predictHeadFromFace, predictHeadFromFaceAndSex } from "../src/geometry/head-prediction.ts";
import { headProportionField, UNCHANGED_PROPORTIONS } from "../src/geometry/head-proportions.ts";
import { HEAD_DIMENSIONS, LOG_MEAN, LOG_MEAN_FEMALE, LOG_MEAN_MALE } from "../src/geometry/data/head-regression.ts";

describe("head prediction from the face (ANSUR II covariances)", () => {
  it("carries the survey's means: the pooled mean is the mean of the sexes', and near the template's norms", () => {
    LOG_MEAN.forEach((m, j) => expect(m).toBeCloseTo((LOG_MEAN_MALE[j] + LOG_MEAN_FEMALE[j]) / 2, 6));
    // Geometric vs arithmetic means differ by ~SD²/2 (< 0.2 %): within 1 mm of the sex-averaged norms [S1].
    const mm = (d: (typeof HEAD_DIMENSIONS)[number]) => Math.exp(LOG_MEAN[3 + HEAD_INDEX[d]]);
    expect(mm("headbreadth")).toBeCloseTo(1000 * HEAD_NORMS.headBreadth, -0.3);
    expect(mm("headlength")).toBeCloseTo(1000 * HEAD_NORMS.headLength, -0.3);
    expect(mm("tragiontopofhead")).toBeCloseTo(1000 * HEAD_NORMS.tragionToVertex, -0.3);
  });

  it("predicts the mean head from the mean face, with less spread than the population", () => {
    const p = predictHeadFromFace([0, 0, 0], [0.02, 0.02, 0.04]);
    for (const r of p.logRatio) expect(Math.abs(r)).toBeLessThan(1e-12);
    p.logSd.forEach((sd, i) => {
      expect(sd).toBeLessThanOrEqual(p.priorLogSd[i]);
      expect(sd).toBeGreaterThan(0);
    });
  });

  it("reads proportions, not size: a uniformly larger face predicts (almost) the mean head", () => {
    const p = predictHeadFromFace([0.08, 0.08, 0.08]);
    for (const r of p.logRatio) expect(Math.abs(r)).toBeLessThan(2e-3);
  });

  it("with the face's size read (the iris), a uniformly larger face predicts a larger vault, by less than the face (the survey's allometry), a neck by more, and both less the looser the reading", () => {
    const larger = [0.08, 0.08, 0.08], noise = [0.02, 0.02, 0.02];
    const tight = predictHeadFromFace(larger, noise, 0.02), loose = predictHeadFromFace(larger, noise, 0.1);
    expect(tight.logRatio[HEAD_INDEX.neckcircumference]).toBeGreaterThan(0.08);
    for (const d of ["headbreadth", "headlength", "tragiontopofhead", "neckcircumference"] as const) {
      const [t, l] = [tight.logRatio[HEAD_INDEX[d]], loose.logRatio[HEAD_INDEX[d]]];
      expect(t).toBeGreaterThan(0.02);
      if (d !== "neckcircumference") expect(t).toBeLessThan(0.06);
      expect(l).toBeGreaterThan(0);
      expect(l).toBeLessThan(t);
      // A known size explains more of the head than proportions alone.
      expect(tight.logSd[HEAD_INDEX[d]]).toBeLessThan(predictHeadFromFace(larger, noise).logSd[HEAD_INDEX[d]]);
    }
    expect(() => predictHeadFromFace(larger, noise, 0)).toThrow(/scale's SD/);
  });

  it("a face broad for its length predicts a broader head and neck, less so the noisier the measure", () => {
    const broad = [0.05, -0.05, 0];
    const exact = predictHeadFromFace(broad);
    const noisy = predictHeadFromFace(broad, [0.05, 0.05, 0.05]);
    for (const d of ["headbreadth", "neckcircumference", "bitragionsubmandibulararc"] as const) {
      expect(exact.logRatio[HEAD_INDEX[d]]).toBeGreaterThan(0);
      expect(noisy.logRatio[HEAD_INDEX[d]]).toBeGreaterThan(0);
      expect(noisy.logRatio[HEAD_INDEX[d]]).toBeLessThan(exact.logRatio[HEAD_INDEX[d]]);
    }
    // Mirror image: a narrow face, the opposite.
    const narrow = predictHeadFromFace([-0.05, 0.05, 0]);
    expect(narrow.logRatio[HEAD_INDEX.headbreadth]).toBeCloseTo(-exact.logRatio[HEAD_INDEX.headbreadth], 12);
  });

  it("rejects the wrong number of face dimensions and non-finite values", () => {
    expect(() => predictHeadFromFace([0, 0])).toThrow(/3 face dimensions/);
    expect(() => predictHeadFromFace([0, NaN, 0])).toThrow(/finite/);
  });
});

describe("head prediction with the face's apparent sex (ANSUR II's male and female records)", () => {
  const noise = [0.02, 0.02, 0.03];
  const neck = HEAD_INDEX.neckcircumference;

  it("a woman's head against her face has a thinner neck than a man's, by about the survey's difference less the faces'", () => {
    const woman = predictHeadFromFaceAndSex([0, 0, 0], 0, noise), man = predictHeadFromFaceAndSex([0, 0, 0], 1, noise);
    // Neck girth: the sexes' means differ by ln 0.187; their faces by ln 0.03–0.08 (size is taken out).
    const gap = man.logRatio[neck] - woman.logRatio[neck];
    expect(gap).toBeGreaterThan(0.09);
    expect(gap).toBeLessThan(0.187);
    // Against her face a woman's vault is slightly larger (her face is smaller than her head by more).
    expect(woman.logRatio[HEAD_INDEX.headbreadth]).toBeGreaterThan(man.logRatio[HEAD_INDEX.headbreadth]);
    // Knowing the sex leaves less spread than the pooled prediction.
    expect(woman.logSd[neck]).toBeLessThan(predictHeadFromFace([0, 0, 0], noise).logSd[neck]);
    expect(woman.maleProbability).toBe(0);
    expect(man.maleProbability).toBe(1);
  });

  it("an even reading gives the pooled mean head; the prediction moves monotonically with the probability", () => {
    const even = predictHeadFromFaceAndSex([0, 0, 0], 0.5, noise);
    for (const r of even.logRatio) expect(Math.abs(r)).toBeLessThan(1e-9);
    const necks = [0.02, 0.2, 0.5, 0.8, 0.98].map((p) => predictHeadFromFaceAndSex([0, 0, 0], p, noise).logRatio[neck]);
    for (let i = 1; i < necks.length; i++) expect(necks[i]).toBeGreaterThan(necks[i - 1]);
    // An uncertain reading spreads the prediction over both sexes.
    expect(even.logSd[neck]).toBeGreaterThan(predictHeadFromFaceAndSex([0, 0, 0], 0, noise).logSd[neck]);
  });

  it("the face's own proportions weigh in: a long narrow face reads more male than a short broad one at the same apparent sex", () => {
    const long = predictHeadFromFaceAndSex([-0.03, 0.03, 0], 0.5, noise), short = predictHeadFromFaceAndSex([0.03, -0.03, 0], 0.5, noise);
    expect(long.maleProbability).toBeGreaterThan(0.5);
    expect(short.maleProbability).toBeLessThan(0.5);
    // A confident reading is moved only a little.
    expect(predictHeadFromFaceAndSex([0.03, -0.03, 0], 0.95, noise).maleProbability).toBeGreaterThan(0.9);
  });

  it("rejects a probability outside [0, 1] and what predictHeadFromFace rejects", () => {
    expect(() => predictHeadFromFaceAndSex([0, 0, 0], 1.2)).toThrow(/\[0, 1\]/);
    expect(() => predictHeadFromFaceAndSex([0, 0, 0], NaN)).toThrow(/\[0, 1\]/);
    expect(() => predictHeadFromFaceAndSex([0, 0], 0.5)).toThrow(/3 face dimensions/);
  });
});

describe("head proportion field", () => {
  const frame = headFrame();
  const at = (k: typeof UNCHANGED_PROPORTIONS, p: number[]) => {
    const out = [0, 0, 0];
    headProportionField(frame, k)(p[0], p[1], p[2], out);
    return out;
  };
  const [tx, ty, tz] = frame.tragion;

  it("is zero for unchanged proportions", () => {
    for (const p of [[tx, ty + 0.05, tz], [0, frame.vertexY, tz], [0.05, frame.chinY - 0.04, tz]]) for (const d of at(UNCHANGED_PROPORTIONS, p)) expect(Math.abs(d)).toBe(0);
  });

  it("moves the vault, the back of the head and the neck the way each ratio says", () => {
    const eurion = [0.075, ty + 0.04, tz];
    expect(at({ ...UNCHANGED_PROPORTIONS, breadth: 1.05 }, eurion)[0]).toBeCloseTo(0.05 * 0.075, 6);
    expect(at({ ...UNCHANGED_PROPORTIONS, height: 1.05 }, [0, frame.vertexY, tz])[1]).toBeCloseTo(0.05 * (frame.vertexY - ty), 6);
    // Longer head: the back moves back by the whole change (the face holds the glabella).
    expect(at({ ...UNCHANGED_PROPORTIONS, length: 1.05 }, [0, ty + 0.04, frame.backZ])[2]).toBeCloseTo(-0.05 * HEAD_NORMS.headLength, 6);
    // Thicker neck: a point on the side of the mid-neck moves out.
    expect(at({ ...UNCHANGED_PROPORTIONS, neck: 1.1 }, [0.05, frame.chinY - 0.05, tz])[0]).toBeGreaterThan(0.004);
    // The face's own region (in front of the tragion, at eye level) does not take the length change.
    expect(at({ ...UNCHANGED_PROPORTIONS, length: 1.05 }, [0, ty + 0.04, tz + 0.1])[2]).toBe(0);
  });
});
