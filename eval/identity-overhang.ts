/**
 * Where the single-photo identity gap between our re-render and the baseline's comes from
 * (`node --import tsx eval/identity-overhang.ts <photos-dir> a.jpg,b.png [--focal35=N] [--crops=<dir>]`): the draft
 * reconstruction, then ours and the baseline (the same mesh with the photo as its texture,
 * eval/photo.ts) composited four ways, each scored against the photo as the evaluation does:
 *   plain          — the composite the evaluation scores;
 *   hair           — under the photo's hair and occluders (eval/rerender.ts underHairAndOccluders);
 *   person         — only inside the photo's person outline (masks.person, soft): the head's
 *                    overhang beyond the person (ears, neck over the background) shows the photo;
 *   hair+person    — both;
 *   skin only      — the photo everywhere but the face's skin (masks.skin), which shows the render:
 *                    what the skin's appearance alone costs (the eyes, brows, lips, ears, neck and
 *                    scalp are the photo's);
 *   skin, tone-matched — that, with the render's skin given the photo's per-channel mean and SD
 *                    over the skin mask (sRGB): what is left once the skin's tone and contrast are
 *                    the photo's is its structure (shading, blotches, detail).
 * The baseline paints what the camera saw on every part of the mesh, so a head wider than the
 * person shows the background on its overhang and hides it; ours paints skin there. `--focal35=N`
 * fixes the lens (35 mm-equivalent on the photo's diagonal) by setting the fit's default
 * `focalLengthFactor` in this process (a diagnostic: reconstruct passes no fit options), to see
 * what the focal length does to the gap. `--crops` writes the aligned crops the identity network sees.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { encodePng } from "../src/image/encode.ts";
import path from "node:path";
import { reconstruct } from "../src/pipeline/reconstruct.ts";
import { INTRINSICS_DEFAULTS } from "../src/pipeline/fit/intrinsics.ts";
import { decodeImage } from "../src/image/decode.ts";
import { disposeSessions } from "../src/models/session.ts";
import type { ImageF32, StageResults } from "../src/types.ts";
import { alignedFace, cosine, faceEmbeddings } from "./identity.ts";
import { rerenderScene, type CollectedStages } from "./photo.ts";
import { photoOver, rerenderOverPhoto, underHairAndOccluders } from "./rerender.ts";

/** The composite where the mask (person, or skin) says so, the photo elsewhere (soft, blended in linear light). */
const insideMask = (composite: ImageF32, photo: ImageF32, mask: ImageF32): ImageF32 => photoOver(composite, photo, (p) => 1 - mask.data[p]);

/** `image` inside the mask (≥ ½) moved to the photo's per-channel mean and SD there (sRGB values); the rest unchanged. */
function toneMatched(image: ImageF32, photo: ImageF32, mask: ImageF32): ImageF32 {
  const data = new Float32Array(image.data);
  for (let c = 0; c < 3; c++) {
    let n = 0, sa = 0, saa = 0, sb = 0, sbb = 0;
    for (let p = 0; p < mask.data.length; p++) if (mask.data[p] >= 0.5) {
      const a = image.data[3 * p + c], b = photo.data[photo.channels * p + c];
      n++; sa += a; saa += a * a; sb += b; sbb += b * b;
    }
    if (n < 2) continue;
    const ma = sa / n, mb = sb / n, da = Math.sqrt(Math.max(1e-12, saa / n - ma * ma)), db = Math.sqrt(Math.max(0, sbb / n - mb * mb));
    for (let p = 0; p < mask.data.length; p++) if (mask.data[p] >= 0.5) data[3 * p + c] = Math.min(1, Math.max(0, mb + ((image.data[3 * p + c] - ma) * db) / da));
  }
  return { ...image, data };
}

/** The aligned crops the identity network sees, side by side (photo first, then the variants). */
async function writeCrops(file: string, crops: ImageF32[]): Promise<void> {
  const { width: w, height: h } = crops[0];
  const data = new Float32Array(w * crops.length * h * 3);
  crops.forEach((c, k) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) data[3 * (y * w * crops.length + k * w + x) + ch] = c.data[c.channels * (y * w + x) + ch];
  });
  await writeFile(`${file}.tmp`, await encodePng({ width: w * crops.length, height: h, channels: 3, data, colorSpace: crops[0].colorSpace }, { bitDepth: 8 }));
  await rename(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  const [dir, list, ...flags] = process.argv.slice(2);
  if (!dir || !list) throw new Error("usage: node --import tsx eval/identity-overhang.ts <photos-dir> a.jpg,b.png [--focal35=N] [--crops=<dir>]");
  const focal35 = Number(flags.find((f) => f.startsWith("--focal35="))?.slice(10) ?? 0);
  const cropsDir = flags.find((f) => f.startsWith("--crops="))?.slice(8);
  if (cropsDir) await mkdir(cropsDir, { recursive: true });
  for (const name of list.split(",")) {
    const bytes = new Uint8Array(await readFile(path.join(dir, name)));
    if (focal35 > 0) {
      const { image } = await decodeImage(bytes);
      (INTRINSICS_DEFAULTS as { focalLengthFactor: number }).focalLengthFactor = ((focal35 / Math.hypot(36, 24)) * Math.hypot(image.width, image.height)) / Math.max(image.width, image.height);
    }
    const stages: CollectedStages = {};
    await reconstruct(bytes, { preset: "draft", face: 0, formats: ["glb"] }, { onStageResult: <S extends keyof StageResults>(stage: S, value: StageResults[S]) => void (stages[stage] = value) });
    const cap = stages.capture!, fit = stages.fit!;
    const photo = cap.image;
    const { ours, base, light, seen } = rerenderScene(stages);
    const person = cap.masks.person;
    const rows: string[] = [];
    const [ePhoto] = await faceEmbeddings([alignedFace(photo, cap.landmarks)]);
    for (const [label, maps] of [["ours", ours], ["baseline", base]] as const) {
      const plain = rerenderOverPhoto(photo, seen, fit.camera, maps, light).composite;
      const hair = underHairAndOccluders(plain, photo, cap.masks);
      const skinOnly = insideMask(plain, photo, cap.masks.skin);
      const variants = person ? [plain, hair, insideMask(plain, photo, person), insideMask(hair, photo, person), skinOnly, toneMatched(skinOnly, photo, cap.masks.skin)] : [plain, hair];
      const crops = variants.map((image) => alignedFace(image, cap.landmarks));
      const e = await faceEmbeddings(crops);
      if (cropsDir) await writeCrops(path.join(cropsDir, `${name.replace(/\.[a-z]+$/i, "")}-${label}.png`), [alignedFace(photo, cap.landmarks), ...crops]);
      rows.push(`${label.padEnd(8)} ${e.map((x) => cosine(ePhoto, x).toFixed(3)).join("  ")}`);
    }
    const est = fit.cameraEstimate;
    process.stdout.write(`${name} (focal ${est.focal35mm.toFixed(0)} mm, ${est.distanceM.toFixed(2)} m): plain  hair  person  hair+person  skin-only  skin-tone-matched\n${rows.map((r) => `  ${r}`).join("\n")}\n`);
  }
}

try {
  await main();
} finally {
  await disposeSessions();
}
