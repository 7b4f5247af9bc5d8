/**
 * Capture's photo-space masks drawn over the photo, to be looked at: occluders red, scalp hair
 * blue, facial hair green, the photo greyed where none applies less than where one does.
 *
 * As a script, capture only (seconds per photo), one PNG per photo of a directory:
 *   node --import tsx eval/mask-overlay.ts <photos-dir> <out-dir> [a.jpg,b.png]
 */
import type { FaceMasks, ImageF32 } from "../src/types.ts";

/** The photo (sRGB) with the masks blended in: each mask tints toward its colour by its value. */
export function maskOverlay(photo: ImageF32, masks: FaceMasks): ImageF32 {
  const out = new Float32Array(photo.width * photo.height * 3);
  const at = (m: ImageF32 | undefined, p: number) => (m ? m.data[p * m.channels] : 0);
  const tints: [ImageF32 | undefined, number[]][] = [[masks.occluder, [1, 0.1, 0.1]], [masks.hair, [0.15, 0.35, 1]], [masks.facialHair, [0.1, 1, 0.2]]];
  for (let p = 0; p < photo.width * photo.height; p++) {
    const c = [0, 1, 2].map((k) => photo.data[p * photo.channels + Math.min(k, photo.channels - 1)]);
    for (const [m, tint] of tints) {
      const a = 0.6 * Math.max(0, Math.min(1, at(m, p)));
      for (let k = 0; k < 3; k++) c[k] = (1 - a) * c[k] + a * tint[k];
    }
    out.set(c, p * 3);
  }
  return { width: photo.width, height: photo.height, channels: 3, data: out, colorSpace: "srgb" };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [dir, outDir, only] = process.argv.slice(2);
  if (!dir || !outDir) {
    process.stderr.write("usage: node --import tsx eval/mask-overlay.ts <photos-dir> <out-dir> [a.jpg,b.png]\n");
    process.exit(2);
  }
  const { readFile, mkdir } = await import("node:fs/promises");
  const path = await import("node:path");
  const { decodeImage } = await import("../src/image/decode.ts");
  const { capture } = await import("../src/pipeline/capture.ts");
  const { encodePng } = await import("../src/image/encode.ts");
  const { listPhotos } = await import("./run.ts");
  const { cropPanel, faceWindow } = await import("./strip.ts");
  const { disposeSessions } = await import("../src/models/session.ts");
  await mkdir(outDir, { recursive: true });
  for (const name of await listPhotos(dir, only ? only.split(",") : [])) {
    try {
      const t0 = performance.now();
      const { image } = await decodeImage(new Uint8Array(await readFile(path.join(dir, name))));
      const cap = await capture({ image }, {});
      const ms = performance.now() - t0;
      const win = faceWindow(cap.landmarks);
      const panel = cropPanel(maskOverlay(cap.image, cap.masks), win, 384);
      await import("node:fs/promises").then((fs) => encodePng(panel, { bitDepth: 8 }).then((png) => fs.writeFile(path.join(outDir, name.replace(/\.[a-z]+$/i, ".png")), png)));
      process.stdout.write(`${name}: ${cap.flags.occluded ? "occluded" : "clear"} · capture ${ms.toFixed(0)} ms\n`);
    } catch (err) {
      process.stdout.write(`${name}: ${(err as Error).message}\n`);
    }
  }
  await disposeSessions();
}
