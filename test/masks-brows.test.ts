import { describe, expect, it } from "vitest";
import { faceMasks, SELFIE_INPUT } from "../src/pipeline/capture/masks.ts";
import { maskFactor } from "../src/pipeline/unwrap.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import { frontalLandmarksPx } from "./support/frontal-landmarks.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

/** The canonical face, frontal, 200 px across, on one skin colour, with dark brown brows filling the brow polygons. */
function browedFace() {
  const W = 320, H = 320, pxPerM = 200 / 0.14;
  const lm = frontalLandmarksPx(W, H, pxPerM);
  const brows = new Uint8Array(W * H);
  for (const part of [T.RIGHT_BROW, T.LEFT_BROW]) fillPolygon(brows, W, H, part.flatMap((k) => [lm[k * 3], lm[k * 3 + 1]]), 0, 0);
  const data = new Float32Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const jitter = 0.01 * Math.sin((i % W) * 1.7 + Math.floor(i / W) * 2.3);
    data.set(brows[i] ? [0.2, 0.13, 0.09] : [0.78 + jitter, 0.58 + jitter, 0.5 + jitter], i * 3);
  }
  const image: ImageF32 = { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
  const roi = { cx: W / 2, cy: (lm[T.FOREHEAD_TOP * 3 + 1] + lm[T.CHIN * 3 + 1]) / 2, size: 260, theta: 0 };
  const allPerson = async () => ({ activation_10: new Float32Array(SELFIE_INPUT * SELFIE_INPUT).fill(1) });
  return { image, lm, roi, allPerson, brows };
}

describe("the brows in capture's masks", () => {
  it("are facial hair, seen at full weight like the beard, not left at the skin floor", async () => {
    const { image, lm, roi, allPerson, brows } = browedFace();
    const { masks } = await faceMasks({ image, landmarks: lm, roi }, allPerson);
    const { width: W, height: H } = image;
    let n = 0, weight = 0, hair = 0;
    for (let i = 0; i < W * H; i++) {
      if (!brows[i]) continue;
      n++;
      weight += maskFactor(masks, W, H, (i % W) + 0.5, Math.floor(i / W) + 0.5, 0, 0.25);
      hair += masks.facialHair!.data[i];
    }
    expect(n).toBeGreaterThan(100);
    expect(weight / n).toBeGreaterThan(0.9);
    expect(hair / n).toBeGreaterThan(0.8);
  });
});
