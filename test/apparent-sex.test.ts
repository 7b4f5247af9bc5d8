/**
 * capture's apparent-sex reading (src/pipeline/capture/apparent-sex.ts) with a stand-in network:
 * the crop and its mirror are both read and joined in log-odds; the crop is the aligned face the
 * identity measure uses, at the network's input scale; a network without the output is an error.
 */
import { describe, expect, it } from "vitest";
import { apparentSex } from "../src/pipeline/capture/apparent-sex.ts";
import * as T from "../src/primitives/face-topology.ts";
import { LANDMARK_COUNT, type ImageF32 } from "../src/types.ts";

function photo(): { image: ImageF32; landmarks: Float32Array } {
  const width = 320, height = 320;
  const data = new Float32Array(width * height * 3);
  // Left half of the photo dark, right half light: the mirror crop reads the other way round.
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(x < width / 2 ? 0.2 : 0.8, 3 * (y * width + x), 3 * (y * width + x) + 3);
  const landmarks = new Float32Array(LANDMARK_COUNT * 3);
  const put = (i: number, x: number, y: number) => landmarks.set([x, y, 0], 3 * i);
  put(T.RIGHT_EYE_OUTER, 110, 140); put(T.RIGHT_EYE_INNER, 145, 140);
  put(T.LEFT_EYE_INNER, 175, 140); put(T.LEFT_EYE_OUTER, 210, 140);
  put(T.NOSE_TIP, 160, 180); put(T.MOUTH_RIGHT, 130, 215); put(T.MOUTH_LEFT, 190, 215);
  return { image: { width, height, channels: 3, data, colorSpace: "srgb" }, landmarks };
}

describe("apparent sex (capture)", () => {
  it("joins the crop's and the mirror's readings in log-odds, on 224² crops at 0..255", async () => {
    const { image, landmarks } = photo();
    const seen: number[] = [];
    // The stand-in reads "male" from a crop whose left half is dark.
    const run = async (input: Float32Array, shape: number[]) => {
      expect(shape).toEqual([1, 224, 224, 3]);
      const left = input[3 * (112 * 224 + 20)], right = input[3 * (112 * 224 + 200)];
      expect(Math.max(left, right)).toBeGreaterThan(150);
      const p = left < right ? 0.9 : 0.6;
      seen.push(p);
      return { "gender_pred/Sigmoid": Float32Array.of(p) };
    };
    const sex = await apparentSex(image, landmarks, run);
    expect(seen).toEqual([0.9, 0.6]);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(sex.maleProbability).toBeCloseTo(1 / (1 + Math.exp(-(logit(0.9) + logit(0.6)) / 2)), 6);
    expect(sex.readings).toEqual([0.9, 0.6].map((p) => expect.closeTo(p, 6)));
  });

  it("stays finite when the network saturates, and names a missing output or a linear photo", async () => {
    const { image, landmarks } = photo();
    const sure = await apparentSex(image, landmarks, async () => ({ "gender_pred/Sigmoid": Float32Array.of(1) }));
    expect(sure.maleProbability).toBeGreaterThan(0.99);
    expect(sure.maleProbability).toBeLessThan(1);
    await expect(apparentSex(image, landmarks, async () => ({ other: Float32Array.of(0.5) }))).rejects.toThrow(/gender_pred\/Sigmoid/);
    await expect(apparentSex({ ...image, colorSpace: "linear" }, landmarks, async () => ({ "gender_pred/Sigmoid": Float32Array.of(0.5) }))).rejects.toThrow(/sRGB/);
  });
});
