/**
 * The scene's light colour in either direction (issue 14): a face of known albedo photographed under
 * a coloured light, the scene around it seen by capture's statistics under the same light, de-lit as
 * reconstruct does (delight given the statistics). Warm, cool, green and magenta casts must come back
 * within 3 ΔE00 of the truth, and a neutral light in a scene made of skin and hair (a close crop)
 * must not be read as a warm one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { complete } from "../src/pipeline/complete.ts";
import { delight } from "../src/pipeline/delight.ts";
import { sceneIlluminant, sceneRegionsOf } from "../src/pipeline/capture/scene-illuminant.ts";
import { sceneLightStatistics } from "../src/pipeline/delight/redness-share.ts";
import { disposeSessions } from "../src/models/session.ts";
import { weightedMedian } from "../src/primitives/statistics.ts";
import { ciede2000, linearSrgbToLab, linearToSrgb } from "../src/primitives/color.ts";
import { FACE_REGIONS } from "../src/types.ts";
import { syntheticScene } from "./support/synthetic-skin.ts";
import { mondrian, type MondrianOptions } from "./support/scene-photo.ts";

afterAll(disposeSessions);

const SCALE_REGIONS = [FACE_REGIONS.indexOf("forehead"), FACE_REGIONS.indexOf("cheeks")];

/** The face's skin `skin` (linear) under `light`, its scene (`scene` options) under the same light: the recovered facial albedo's ΔE00 from the truth. */
async function recover(skin: number[], light: [number, number, number], scene: MondrianOptions = {}) {
  const face = syntheticScene({ exposure: 0.6, skin });
  const n = face.width * face.height;
  const w = Float32Array.from({ length: n }, (_, p) => (face.confidence.data[p] >= 0.3 ? SCALE_REGIONS.reduce((s, r) => s + face.regions.weights.data[p * FACE_REGIONS.length + r], 0) : 0));
  const truth = [0, 1, 2].map((c) => weightedMedian(Float32Array.from({ length: n }, (_, p) => face.albedo.data[p * 3 + c]), w)) as [number, number, number];
  const lit = { ...face.texture, data: face.texture.data.map((v, i) => Math.min(1, v * light[i % 3])) };
  const photo = mondrian(light, { size: 160, face: skin, ...scene });
  const stats = sceneIlluminant(photo.image, sceneRegionsOf(photo));
  const done = complete({ texture: lit, confidence: face.confidence, regions: face.regions }, { rimTone: false });
  const { confidence, normals: normalsObject, occlusion: ambientOcclusion, regions } = face;
  const photoTexture = { ...done.texture, data: done.texture.data.map(linearToSrgb), colorSpace: "srgb" as const };
  // As reconstruct gives it: the scene's statistics, not a light.
  const sceneLight = sceneLightStatistics(stats);
  const result = await delight({ texture: photoTexture, textureBase: done.texture, confidence, normalsObject, ambientOcclusion, regions, sceneLight });
  const dE = ciede2000(linearSrgbToLab(...(result.lighting.skinAlbedo as [number, number, number])), linearSrgbToLab(...truth));
  return { dE, result, stats };
}

/** ISSA facial anchors [S20]: a light and a dark face. */
const TONES: [string, number[]][] = [
  ["ITA 62°", [0.498, 0.322, 0.271]],
  ["ITA −15°", [0.213, 0.098, 0.048]],
];

const CASTS: [string, [number, number, number]][] = [
  ["warm", [1, 0.7, 0.45]],
  ["cool", [0.8, 0.95, 1.1]],
  ["green", [0.85, 1, 0.8]],
  ["magenta", [1, 0.75, 1.1]],
];

describe("the scene's light colour, either way", () => {
  for (const [tone, skin] of TONES) {
    for (const [cast, light] of CASTS) {
      it(`${tone} under a ${cast} light the scene shows: the facial albedo within 3 ΔE00`, async () => {
        // Neutral surfaces around the face (grey patches): statistics that see the cast as it is.
        const { dE, result } = await recover(skin, light, { patch: (rand) => [0, 1, 2].map(() => 0.05 + 0.55 * rand()).fill(0.05 + 0.55 * rand()) });
        if (process.env.TONE_PRINT) console.log(`${tone} ${cast}: ΔE00 ${dE.toFixed(2)}, ${JSON.stringify(result.lighting.albedoScale.cues?.sceneLight)}`);
        expect(result.lighting.albedoScale.cues?.sceneLight?.used).toBe(true);
        expect(dE).toBeLessThan(3);
      });
    }
    it(`${tone} under a neutral light in a scene of skin and hair: not read as a warm light`, async () => {
      // A close crop: neck, ears and shoulders of the face's own skin at every brightness, dark hair between.
      const patch = (rand: () => number) => (rand() < 0.7 ? skin.map((v) => v * (0.5 + rand())) : [0.06, 0.04, 0.03].map((v) => v * (0.5 + rand())));
      const { dE, result, stats } = await recover(skin, [1, 1, 1], { patch, backdrop: skin });
      if (process.env.TONE_PRINT) console.log(`${tone} skin scene: ΔE00 ${dE.toFixed(2)}, ${JSON.stringify(result.lighting.albedoScale.cues?.sceneLight)}`);
      expect(stats.rgb[2]).toBeLessThan(0.8); // the statistics do read the scene as warm…
      expect(result.lighting.albedoScale.cues?.sceneLight?.used).toBe(false); // …the skin says it is not the light
      expect(dE).toBeLessThan(3);
    });
  }
});
