/**
 * Capture's photo-space masks drawn over the photo, to be looked at: occluders red, scalp hair
 * blue, facial hair green, spectacle frames magenta.
 *
 * As a script, capture only (seconds per photo), one PNG per photo of a directory:
 *   node --import tsx eval/mask-overlay.ts <photos-dir> <out-dir> [a.jpg,b.png]
 * With --contamination (the whole pipeline at draft, minutes per photo), the upper-face texels of
 * A_D that the clean-skin check counts as contaminated are also painted yellow where they project:
 *   node --import tsx eval/mask-overlay.ts <photos-dir> <out-dir> [a.jpg,b.png] --contamination
 */
import type { FaceMasks, ImageF32, StageResults } from "../src/types.ts";
import { toBaseLinear } from "./albedo-checks.ts";
import { contaminationOutliers, project, skinFeatureFreeMask, upperFaceMask, upperFaceRegions } from "./skin-checks.ts";

/** The photo (sRGB) with the masks blended in: each mask tints toward its colour by its value. */
export function maskOverlay(photo: ImageF32, masks: FaceMasks): ImageF32 {
  const out = new Float32Array(photo.width * photo.height * 3);
  const at = (m: ImageF32 | undefined, p: number) => (m ? m.data[p * m.channels] : 0);
  const tints: [ImageF32 | undefined, number[]][] = [[masks.occluder, [1, 0.1, 0.1]], [masks.hair, [0.15, 0.35, 1]], [masks.facialHair, [0.1, 1, 0.2]], [masks.spectacles, [1, 0.15, 1]]];
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

/**
 * The mask overlay with the contaminated upper-face texels of A_D (eval/skin-checks.ts) painted
 * yellow, 3×3 pixels each, at their projection into the photo.
 */
export function contaminationOverlay(stages: Pick<StageResults, "capture" | "fit" | "unwrap" | "delight">): ImageF32 {
  const { capture: cap, fit, unwrap: u, delight: d } = stages;
  const W = u.confidence.width, H = u.confidence.height;
  const albedo = toBaseLinear(d.albedo, W, H);
  const bad = contaminationOutliers(albedo, upperFaceMask(stages, skinFeatureFreeMask(stages)), upperFaceRegions(u.regions));
  const img = maskOverlay(cap.image, cap.masks);
  if (!bad) return img;
  const pc = new Float64Array(3), pos = u.position.data;
  for (let p = 0; p < W * H; p++) {
    if (!bad[p]) continue;
    const xy = project(fit.camera, pos[3 * p], pos[3 * p + 1], pos[3 * p + 2], pc);
    if (!xy) continue;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const X = Math.floor(xy[0]) + dx, Y = Math.floor(xy[1]) + dy;
      if (X >= 0 && Y >= 0 && X < img.width && Y < img.height) img.data.set([1, 1, 0], (Y * img.width + X) * 3);
    }
  }
  return img;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const args = process.argv.slice(2);
  const withContamination = args.includes("--contamination");
  const [dir, outDir, only] = args.filter((a) => a !== "--contamination");
  if (!dir || !outDir) {
    process.stderr.write("usage: node --import tsx eval/mask-overlay.ts <photos-dir> <out-dir> [a.jpg,b.png]\n");
    process.exit(2);
  }
  const { readFile, mkdir } = await import("node:fs/promises");
  const path = await import("node:path");
  const { decodeImage } = await import("../src/image/decode.ts");
  const { capture } = await import("../src/pipeline/capture.ts");
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const { encodePng } = await import("../src/image/encode.ts");
  const { listPhotos } = await import("./run.ts");
  const { cropPanel, faceWindow } = await import("./strip.ts");
  const { disposeSessions } = await import("../src/models/session.ts");
  await mkdir(outDir, { recursive: true });
  for (const name of await listPhotos(dir, only ? only.split(",") : [])) {
    try {
      const t0 = performance.now();
      const bytes = new Uint8Array(await readFile(path.join(dir, name)));
      let cap, overlay;
      if (withContamination) {
        const stages: Partial<StageResults> = {};
        await reconstruct(bytes, { preset: "draft", face: 0, formats: ["glb"] }, { onStageResult: (stage, value) => void Object.assign(stages, { [stage]: value }) });
        cap = stages.capture!;
        overlay = contaminationOverlay(stages as StageResults);
      } else {
        cap = await capture({ image: (await decodeImage(bytes)).image }, {});
        overlay = maskOverlay(cap.image, cap.masks);
      }
      const ms = performance.now() - t0;
      const win = faceWindow(cap.landmarks);
      const panel = cropPanel(overlay, win, 384);
      await import("node:fs/promises").then((fs) => encodePng(panel, { bitDepth: 8 }).then((png) => fs.writeFile(path.join(outDir, name.replace(/\.[a-z]+$/i, ".png")), png)));
      process.stdout.write(`${name}: ${cap.flags.occluded ? "occluded" : "clear"} · ${withContamination ? "reconstruct" : "capture"} ${ms.toFixed(0)} ms\n`);
    } catch (err) {
      process.stdout.write(`${name}: ${(err as Error).message}\n`);
    }
  }
  await disposeSessions();
}
