import type { ImageF32 } from "../../src/types.ts";

/** A width × height image of `channels` channels whose value at (x, y, channel c) is f(x, y, c). */
export function image(width: number, height: number, channels: number, colorSpace: ImageF32["colorSpace"], f: (x: number, y: number, c: number) => number): ImageF32 {
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = f(x, y, c);
  return { width, height, channels, data, colorSpace };
}
