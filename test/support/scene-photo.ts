/**
 * A photo's scene around a face for the scene-light statistics (capture/scene-illuminant.ts): a
 * Mondrian of random patches under a light, as an sRGB photo, with the middle block marked as face
 * skin (the statistics leave it out).
 */
import type { ImageF32 } from "../../src/types.ts";
import { linearToSrgb } from "../../src/primitives/color.ts";
import { prng } from "./synthetic-skin.ts";

export interface MondrianOptions {
  size?: number;
  /** Linear colour behind the patches. */
  backdrop?: readonly number[];
  /** A patch's linear colour from two uniform draws (default: grey-ish, 0.05..0.6, mildly tinted, grey on average). */
  patch?: (rand: () => number) => number[];
  /** Linear colour of the face block. */
  face?: readonly number[];
  /** Linear colour of a shirt: a block below the face, across the lower 30 %, with folds (absent: none). */
  shirt?: readonly number[];
}

const greyish = (rand: () => number) => {
  const base = 0.05 + 0.55 * rand();
  return [0, 1, 2].map(() => base * (0.75 + 0.5 * rand()));
};

/** The scene under a light of colour `light` (linear, per channel), its face-skin mask and the person's (face and shirt). */
export function mondrian(light: readonly number[], options: MondrianOptions = {}): { image: ImageF32; skin: ImageF32; person: ImageF32 } {
  const size = options.size ?? 320;
  const rand = prng(7);
  const colour = options.patch ?? greyish;
  const patches = Array.from({ length: 120 }, () => ({ x: rand() * size, y: rand() * size, w: 10 + rand() * 60, h: 10 + rand() * 60, rgb: colour(rand) }));
  const image: ImageF32 = { width: size, height: size, channels: 3, data: new Float32Array(size * size * 3), colorSpace: "srgb" };
  const skin: ImageF32 = { width: size, height: size, channels: 1, data: new Float32Array(size * size), colorSpace: "data" };
  const person: ImageF32 = { ...skin, data: new Float32Array(size * size) };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rgb: readonly number[] = options.backdrop ?? [0.3, 0.3, 0.3];
      for (const p of patches) if (x >= p.x && x < p.x + p.w && y >= p.y && y < p.y + p.h) rgb = p.rgb;
      const face = Math.abs(x - size / 2) < size / 6 && Math.abs(y - size / 2) < size / 5;
      const shirt = y >= size * 0.7 && Math.abs(x - size / 2) < size / 3 ? options.shirt : undefined;
      if (face) rgb = options.face ?? [0.45, 0.25, 0.18];
      // The cloth's folds: its shading varies across it, so its edges carry the dye as its area does.
      if (shirt) rgb = shirt.map((v) => v * (0.55 + 0.45 * Math.sin((2 * Math.PI * x) / 16)));
      skin.data[y * size + x] = face ? 1 : 0;
      person.data[y * size + x] = face || shirt ? 1 : 0;
      for (let c = 0; c < 3; c++) image.data[(y * size + x) * 3 + c] = linearToSrgb(Math.min(1, rgb[c] * light[c]));
    }
  }
  return { image, skin, person };
}
