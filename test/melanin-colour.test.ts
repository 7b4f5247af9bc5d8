import { describe, expect, it } from "vitest";
import { hairColourLikelihood, skinLogChroma } from "../src/pipeline/capture/melanin-colour.ts";
import { linearToSrgb } from "../src/primitives/color.ts";

/** An sRGB pixel from a linear reflectance under a linear light, per channel. */
const seen = (reflectance: number[], light: number[]) => reflectance.map((r, c) => linearToSrgb(Math.min(1, r * light[c])));
const skinUnder = (skin: number[], light: number[]) => {
  const px = seen(skin, light);
  return skinLogChroma(px, [0]);
};

// Skin albedos at the ends of ISSA's facial range (skin-reflectance.md §2.2).
const PALE_SKIN = [0.498, 0.322, 0.271];
const DARK_SKIN = [0.128, 0.054, 0.028];
const LIGHTS = { neutral: [1, 1, 1], tungsten: [1, 0.68, 0.36], shadeBlue: [0.55, 0.7, 1] };
// Hair: black, brown (eumelanin), red (pheomelanin), grey/white (keratin, no melanin).
const HAIR = { black: [0.03, 0.025, 0.02], brown: [0.16, 0.1, 0.06], red: [0.3, 0.12, 0.05], white: [0.6, 0.6, 0.58] };
// What is not hair: a royal-blue cap's brim, a green scarf. (A pale blue brim over pale skin,
// linear 0.3, 0.36, 0.7, is within the bound: as blue against that skin as grey hair is against the darkest.)
const NOT_HAIR = { blueBrim: [0.1, 0.2, 0.6], greenScarf: [0.08, 0.25, 0.1] };

describe("hair's colour against the face's skin (melanin-colour.ts)", () => {
  for (const [lightName, light] of Object.entries(LIGHTS)) {
    for (const [skinName, skin] of Object.entries({ pale: PALE_SKIN, dark: DARK_SKIN })) {
      it(`keeps every hair colour and rejects a blue brim and a green scarf, ${skinName} skin under ${lightName} light`, () => {
        const reference = skinUnder(skin, light);
        for (const [name, hair] of Object.entries(HAIR)) {
          expect(hairColourLikelihood(...(seen(hair, light) as [number, number, number]), reference), name).toBeGreaterThan(0.95);
        }
        for (const [name, thing] of Object.entries(NOT_HAIR)) {
          expect(hairColourLikelihood(...(seen(thing, light) as [number, number, number]), reference), name).toBeLessThan(0.05);
        }
      });
    }
  }
});
