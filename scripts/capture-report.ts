/**
 * Runs capture on every photo of a folder (default ../shared/photos) and prints a Markdown table:
 * faces found, pose and quality flags of the largest face. With `--overlay <dir>` it also writes
 * each photo with the 478 landmarks, the face box and the masks drawn over it, to look at.
 *
 *   node --import tsx scripts/capture-report.ts [photosDir] [--overlay out/capture]
 */
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { decodeImage } from "../src/image/decode.ts";
import { capture } from "../src/pipeline/capture.ts";
import { disposeSessions } from "../src/models/session.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { CaptureResult } from "../src/types.ts";

const args = process.argv.slice(2);
const overlayAt = args.indexOf("--overlay");
const overlayDir = overlayAt >= 0 ? args[overlayAt + 1] : undefined;
const dir = args.find((a, i) => !a.startsWith("--") && i !== overlayAt + 1) ?? path.resolve(import.meta.dirname, "../../shared/photos");

/** The photo with masks tinted (skin green, hair blue, occluders red) and landmarks as dots. */
async function writeOverlay(r: CaptureResult, file: string): Promise<void> {
  const { width: w, height: h } = r.image;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const [s, hr, oc] = [r.masks.skin.data[i], r.masks.hair.data[i], r.masks.occluder.data[i]];
    const base = [0, 1, 2].map((c) => r.image.data[i * 3 + c] * 255);
    const tint = [oc, s, hr];
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.min(255, base[c] * (1 - 0.35 * (s + hr + oc)) + 0.35 * 255 * tint[c]);
  }
  const dot = Math.max(1, Math.round(Math.max(w, h) / 600));
  const circles: string[] = [];
  for (let i = 0; i < 478; i++) {
    const color = i >= T.MESH_LANDMARK_COUNT ? "yellow" : r.landmarkConfidence[i] > 0.5 ? "white" : "magenta";
    circles.push(`<circle cx="${r.landmarks[i * 3]}" cy="${r.landmarks[i * 3 + 1]}" r="${dot}" fill="${color}"/>`);
  }
  for (const f of r.faces) circles.push(`<rect x="${f.box.x}" y="${f.box.y}" width="${f.box.width}" height="${f.box.height}" fill="none" stroke="cyan" stroke-width="${dot}"/>`);
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${circles.join("")}</svg>`);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).composite([{ input: svg }]).jpeg({ quality: 85 }).toFile(file);
}

const files = (await readdir(dir)).filter((f) => /\.(jpe?g|png|webp|tiff?)$/i.test(f)).sort();
if (overlayDir) await mkdir(overlayDir, { recursive: true });
console.log("| photo | size | faces | yaw | pitch | roll | eye-corner px | flags | ms |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const f of files) {
  const { image } = await decodeImage(path.join(dir, f));
  const t0 = performance.now();
  try {
    const r = await capture({ image });
    const ms = performance.now() - t0;
    const lm = r.landmarks;
    const eye = Math.hypot(lm[T.LEFT_EYE_OUTER * 3] - lm[T.RIGHT_EYE_OUTER * 3], lm[T.LEFT_EYE_OUTER * 3 + 1] - lm[T.RIGHT_EYE_OUTER * 3 + 1]);
    const flags = (["extremePose", "lowResolution", "partialFace", "occluded", "blurry"] as const).filter((k) => r.flags[k]);
    const p = r.pose;
    console.log(
      `| ${f} | ${image.width}×${image.height} | ${r.faces.length} | ${p.yawDeg.toFixed(0)}° | ${p.pitchDeg.toFixed(0)}° | ${p.rollDeg.toFixed(0)}° | ${eye.toFixed(0)} | ${flags.join(", ") || "–"} | ${ms.toFixed(0)} |`,
    );
    if (r.flags.notes.length && process.env.NOTES) console.log(`|  | ${r.flags.notes.join("; ")} |`);
    if (overlayDir) await writeOverlay(r, path.join(overlayDir, f.replace(/\.\w+$/, ".jpg")));
  } catch (err) {
    console.log(`| ${f} | ${image.width}×${image.height} | 0 | – | – | – | – | ${(err as Error & { code?: string }).code ?? (err as Error).message} | ${(performance.now() - t0).toFixed(0)} |`);
  }
}
await disposeSessions();
