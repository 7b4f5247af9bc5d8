/**
 * The edge where rendered previews become files: 8-bit PNGs through the project's deterministic
 * encoder, each written atomically.
 */
import { join } from "node:path";
import { encodePng } from "../image/encode.ts";
import { writeFileAtomic } from "../io/write-atomic.ts";
import type { ImageF32 } from "../types.ts";

/**
 * Writes `<dir>/<name>.png` for every image (sRGB or data values 0..1) and returns the paths.
 *
 *   await writePngs("out/turntable", renderTurntable(head.mesh));
 */
export async function writePngs(dir: string, images: { name: string; image: ImageF32 }[]): Promise<string[]> {
  const paths: string[] = [];
  for (const { name, image } of images) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`writePngs: "${name}" is not a plain file name`);
    const path = join(dir, `${name}.png`);
    await writeFileAtomic(path, await encodePng(image, { bitDepth: 8 }), { durable: false });
    paths.push(path);
  }
  return paths;
}
