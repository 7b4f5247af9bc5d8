import { describe, expect, it } from "vitest";
import { faceMasks, SELFIE_INPUT } from "../src/pipeline/capture/masks.ts";
import { maskFactor } from "../src/pipeline/unwrap.ts";
import { frontalLandmarksPx } from "./support/frontal-landmarks.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

/**
 * A synthetic photo: the canonical face, frontal, 200 px across, on one skin colour that continues
 * past the face oval over the temples and cheeks to the image's sides, with dark hair above the
 * forehead. The person model says "person" everywhere.
 */
function skinPastTheOval() {
  const W = 320, H = 320, pxPerM = 200 / 0.14;
  const lm = frontalLandmarksPx(W, H, pxPerM);
  const hairlineY = lm[T.FOREHEAD_TOP * 3 + 1] - 6;
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // A little deterministic variation so the colour models have a spread.
      const jitter = 0.01 * Math.sin(x * 1.7 + y * 2.3);
      const rgb = y < hairlineY ? [0.16, 0.11, 0.08] : [0.78 + jitter, 0.58 + jitter, 0.5 + jitter];
      data.set(rgb, (y * W + x) * 3);
    }
  }
  const image: ImageF32 = { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
  const faceCentreY = (lm[T.FOREHEAD_TOP * 3 + 1] + lm[T.CHIN * 3 + 1]) / 2;
  const roi = { cx: W / 2, cy: faceCentreY, size: 260, theta: 0 };
  const allPerson = async () => ({ activation_10: new Float32Array(SELFIE_INPUT * SELFIE_INPUT).fill(1) });
  return { image, lm, roi, allPerson };
}

describe("skin beyond the face oval", () => {
  it("the unwrap weight does not step at the oval's outline where skin continues past it, and hair above stays out", async () => {
    const { image, lm, roi, allPerson } = skinPastTheOval();
    const { masks } = await faceMasks({ image, landmarks: lm, roi }, allPerson);
    const { width: W, height: H } = image;
    // Along the ray from the face's centre through each temple landmark: 5 px inside and 5 px outside the oval.
    const cx = W / 2, cy = roi.cy;
    for (const k of [127, 356, 162, 389]) {
      const [x, y] = [lm[k * 3], lm[k * 3 + 1]];
      const len = Math.hypot(x - cx, y - cy);
      const at = (d: number): [number, number] => [x + ((x - cx) / len) * d, y + ((y - cy) / len) * d];
      const inside = maskFactor(masks, W, H, ...at(-5), 0, 0.25);
      const outside = maskFactor(masks, W, H, ...at(5), 0, 0.25);
      expect(inside).toBeGreaterThan(0.9);
      expect(Math.abs(outside - inside)).toBeLessThan(0.1);
      // The fit's reading of the oval's skin is unchanged: 0 outside it.
      const [ox, oy] = at(5).map(Math.floor);
      expect(masks.skin.data[oy * W + ox]).toBe(0);
    }
    // The hair above the forehead is not skin beyond the oval.
    const hx = Math.floor(cx), hy = Math.floor(lm[T.FOREHEAD_TOP * 3 + 1] - 25);
    expect(masks.skinBeyondOval!.data[hy * W + hx]).toBeLessThan(0.05);
    expect(maskFactor(masks, W, H, hx, hy, 0, 0.25)).toBeLessThan(0.1);
  });
});
