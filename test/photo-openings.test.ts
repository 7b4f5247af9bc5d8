// unwrap's photo openings (src/pipeline/unwrap/photo-openings.ts): built by hand from an inner lip contour and lid margins.
import { describe, expect, it } from "vitest";
import { LEFT_EYE_CONTOUR, MOUTH_INNER, RIGHT_EYE_CONTOUR } from "../src/primitives/face-topology.ts";
import { contourOutward, eyeOpenings, inOpening, mouthOpening, nearOpening } from "../src/pipeline/unwrap/photo-openings.ts";

/** 478 landmarks with the inner lip contour on an ellipse of half-height `open` round (100, 50), pixels. */
function landmarks(open: number): Float32Array {
  const lm = new Float32Array(478 * 3);
  MOUTH_INNER.forEach((i, k) => {
    const a = (2 * Math.PI * k) / MOUTH_INNER.length;
    lm[3 * i] = 100 - 30 * Math.cos(a);
    lm[3 * i + 1] = 50 + open * Math.sin(a);
  });
  return lm;
}

describe("the photo's mouth opening", () => {
  it("holds the teeth between parted lips and nothing beyond the lips", () => {
    const m = mouthOpening(landmarks(10));
    expect(inOpening(m, 100, 50)).toBe(true);
    expect(inOpening(m, 120, 52)).toBe(true);
    expect(inOpening(m, 100, 62)).toBe(false);
    expect(inOpening(m, 135, 50)).toBe(false);
  });

  it("is reached by a texel whose footprint comes within `reach` of the contour, not by one beyond", () => {
    const m = mouthOpening(landmarks(10));
    // 3 px below the lower lip line (y = 60): outside for its centre, within a 4 px reach.
    expect(inOpening(m, 100, 63)).toBe(false);
    expect(nearOpening(m, 100, 63, 4)).toBe(true);
    expect(nearOpening(m, 100, 63, 2)).toBe(false);
    expect(nearOpening(m, 134, 50, 5)).toBe(true);
    expect(nearOpening(m, 100, 50, 0)).toBe(true);
    expect(nearOpening(null, 100, 50, 10)).toBe(false);
  });

  it("is empty when the lips are closed or the landmarks are absent", () => {
    const m = mouthOpening(landmarks(0));
    let inside = 0;
    for (let y = 40; y < 60; y++) for (let x = 60; x < 140; x++) if (inOpening(m, x + 0.5, y + 0.5)) inside++;
    expect(inside).toBeLessThanOrEqual(2);
    expect(inOpening(mouthOpening(undefined), 100, 50)).toBe(false);
  });
});

/** 478 landmarks with each lid margin on an ellipse of half-height `open` round its eye centre, pixels. */
function eyes(open: number): Float32Array {
  const lm = new Float32Array(478 * 3);
  for (const [contour, cx] of [[RIGHT_EYE_CONTOUR, 60], [LEFT_EYE_CONTOUR, 140]] as const) {
    contour.forEach((i, k) => {
      const a = (2 * Math.PI * k) / contour.length;
      lm[3 * i] = cx - 15 * Math.cos(a);
      lm[3 * i + 1] = 40 + open * Math.sin(a);
    });
  }
  return lm;
}

describe("the photo's eye openings", () => {
  it("hold each open eye's iris and nothing of the lids above or below", () => {
    const [right, left] = eyeOpenings(eyes(6));
    expect(inOpening(right, 60, 40)).toBe(true);
    expect(inOpening(left, 140, 40)).toBe(true);
    expect(inOpening(right, 140, 40)).toBe(false);
    expect(inOpening(right, 60, 48)).toBe(false);
    expect(inOpening(left, 140, 32)).toBe(false);
  });

  it("give a texel near a lid line the line's nearest point and the direction away from the eye", () => {
    const [right] = eyeOpenings(eyes(6));
    const out = new Float64Array(4);
    // Upper lid line at (60, 34) (a 16-gon: to half a pixel): 1 px inside, 1 px outside and on it.
    for (const y of [35, 33, 34]) {
      contourOutward(right, 60, y, out);
      expect(out[0]).toBeCloseTo(60, 0);
      expect(out[1]).toBeCloseTo(34, 0);
      expect(out[3]).toBeCloseTo(-1, 1);
      expect(nearOpening(right, out[0] + 3 * out[2], out[1] + 3 * out[3], 2.9)).toBe(false);
    }
    // Lower lid line at (60, 46): 2 px inside, the normal points down, out of the eye.
    contourOutward(right, 60, 44, out);
    expect(out[1]).toBeCloseTo(46, 0);
    expect(out[3]).toBeCloseTo(1, 1);
  });

  it("are absent on a closed eye, whose lid is then textured from the photo (no footprint reaches a meeting line)", () => {
    expect(eyeOpenings(eyes(0))).toHaveLength(0);
    // Less than a pixel between the lids is closed; a slit of a few pixels is open.
    expect(eyeOpenings(eyes(0.01))).toHaveLength(0);
    expect(eyeOpenings(eyes(1))).toHaveLength(2);
  });
});
