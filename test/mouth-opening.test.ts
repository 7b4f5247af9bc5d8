// unwrap's mouth opening (src/pipeline/unwrap/mouth-opening.ts): built by hand from an inner lip contour.
import { describe, expect, it } from "vitest";
import { MOUTH_INNER } from "../src/primitives/face-topology.ts";
import { inMouthOpening, mouthOpening } from "../src/pipeline/unwrap/mouth-opening.ts";

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
    expect(inMouthOpening(m, 100, 50)).toBe(true);
    expect(inMouthOpening(m, 120, 52)).toBe(true);
    expect(inMouthOpening(m, 100, 62)).toBe(false);
    expect(inMouthOpening(m, 135, 50)).toBe(false);
  });

  it("is empty when the lips are closed or the landmarks are absent", () => {
    const m = mouthOpening(landmarks(0));
    let inside = 0;
    for (let y = 40; y < 60; y++) for (let x = 60; x < 140; x++) if (inMouthOpening(m, x + 0.5, y + 0.5)) inside++;
    expect(inside).toBeLessThanOrEqual(2);
    expect(inMouthOpening(mouthOpening(undefined), 100, 50)).toBe(false);
  });
});
