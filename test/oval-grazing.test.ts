import { describe, expect, it } from "vitest";
import { slideOvalTargets } from "../src/pipeline/fit/oval-grazing.ts";
import { fitWarp, warpAt } from "../src/pipeline/fit/warp.ts";

/** Warp targets at points scattered over a 20 cm box: smooth displacements plus a per-point wobble. */
function targets(n: number) {
  let s = 7;
  const u = () => ((s = (1103515245 * s + 12345) % 2147483648) / 2147483648) - 0.5;
  const centres = Float64Array.from({ length: 3 * n }, () => 0.2 * u());
  const displacements = Float64Array.from(centres, (c, i) => 0.05 * c * (1 + (i % 3)) + 0.002 * u());
  return { centres, displacements, lambda: new Float64Array(n).fill(1e-4) };
}

describe("the face-oval targets near grazing", () => {
  const t = targets(40), landmarks = 30;
  const graze = [3, 11, 17, 25];
  const share = new Float64Array(landmarks).fill(1);
  const across = new Float64Array(3 * landmarks);
  for (const k of graze) (share[k] = 0), (across[3 * k] = 1);

  it("at grazing keeps the reading across the outline and takes the rest from the warp through the other targets", () => {
    const { displacements, removed } = slideOvalTargets(t, landmarks, { share, across });
    const keep = Array.from({ length: 40 }, (_, k) => k).filter((k) => !graze.includes(k));
    const pick = (a: Float64Array) => Float64Array.from(keep.flatMap((k) => [a[3 * k], a[3 * k + 1], a[3 * k + 2]]));
    const rest = fitWarp(pick(t.centres), pick(t.displacements), Float64Array.from(keep, (k) => t.lambda[k]));
    const d = new Float64Array(3);
    for (const k of graze) {
      warpAt(rest, t.centres[3 * k], t.centres[3 * k + 1], t.centres[3 * k + 2], d);
      expect(displacements[3 * k]).toBe(t.displacements[3 * k]);
      for (const c of [1, 2]) {
        expect(displacements[3 * k + c]).toBeCloseTo(d[c], 9);
        expect(removed[3 * k + c]).toBeCloseTo(t.displacements[3 * k + c] - d[c], 9);
      }
    }
  });

  it("leaves a landmark that faces the camera (share 1) as read", () => {
    const { displacements, removed } = slideOvalTargets(t, landmarks, { share, across });
    for (let k = 0; k < landmarks; k++) {
      if (graze.includes(k)) continue;
      for (let c = 0; c < 3; c++) expect(displacements[3 * k + c]).toBe(t.displacements[3 * k + c]);
      for (let c = 0; c < 3; c++) expect(removed[3 * k + c]).toBe(0);
    }
  });

  it("takes the share sin²α of the reading along the view between facing and grazing", () => {
    const half = Float64Array.from(share, (v) => (v < 1 ? 0.25 : 1));
    const full = slideOvalTargets(t, landmarks, { share, across }).displacements;
    const part = slideOvalTargets(t, landmarks, { share: half, across }).displacements;
    for (const k of graze) expect(part[3 * k + 2]).toBeCloseTo(0.25 * t.displacements[3 * k + 2] + 0.75 * full[3 * k + 2], 12);
  });
});
