/**
 * How far the head as photographed opens its mouth against the photo (issues 12, 16): capture and
 * fit only, per photo the photo's inner-lip gap at the midline (landmarks 13–14, mm at the lips'
 * depth), the posed head's gap at the lips' seam (the two seam copies at the midline: only the
 * expression parts them, the residual warp cannot), the landmark error, the lip-parting weights,
 * and the share of the photo's inner-lip polygon where the posed head, seen through the fitted
 * camera, shows a mouth part (teeth, cavity, tongue) rather than skin. With --views, a PNG per
 * photo: the photo's mouth | the posed head by part (skin, teeth white, cavity dark, tongue pink) |
 * both blended with the inner-lip polygon hatched.
 *
 *   node --import tsx scripts/mouth-opening.ts [--views <dir>] [--out <file.json>] <photo> …
 *
 * Captures are cached as eval/shape-fit.ts caches them (under <out>-captures/, or the system's temp folder).
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { capturedPhoto } from "../eval/shape-fit.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { fit } from "../src/pipeline/fit.ts";
import { weightsRecord } from "../src/pipeline/fit/expression.ts";
import { LIPS_OUTER, MOUTH_INNER } from "../src/primitives/face-topology.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import { createFragments, rasterize } from "../src/raster/rasterize.ts";
import { projectToScreen } from "../src/render/camera.ts";
import type { Camera, FitResult, ImageF32, TemplateHead } from "../src/types.ts";

/** Colours of the part view, sRGB 0..255. */
const PART_COLOURS: Record<string, [number, number, number]> = { skin: [200, 150, 130], teeth: [250, 250, 240], mouth: [90, 20, 30], tongue: [220, 100, 120] };
/** Width of each view panel, pixels. */
const PANEL = 240;
const LIP_PARTING = ["jawOpen", "mouthUpperUpLeft", "mouthUpperUpRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthShrugUpper", "mouthShrugLower", "mouthSmileLeft", "mouthSmileRight"];

interface MouthRow {
  photo: string;
  /** The photo's landmarks 13–14, mm at the lips' depth. */
  photoGapMm: number;
  /** The head as photographed: the seam copies at the midline, and landmarks 13–14, mm; the neutral head's 13–14. */
  seamGapMm: number;
  landmarkGapMm: number;
  neutralLandmarkGapMm: number;
  /** RMS landmark error of the head as photographed, % IOD. */
  landmarkErrorIod: number;
  /** Share of the photo's inner-lip polygon that the posed head shows as a mouth part, and as teeth. */
  openShare: number;
  teethShare: number;
  weights: Record<string, number>;
}

/** The head as photographed through the fitted camera over the photo's mouth: the open share, and the view's pixels (3 panels side by side, RGB). */
function mouthView(image: ImageF32, landmarks: ArrayLike<number>, fitted: FitResult, head: TemplateHead): { openShare: number; teethShare: number; rgb: Uint8Array; width: number; height: number } {
  const mesh = fitted.photographed ?? fitted.mesh;
  const xs = LIPS_OUTER.map((i) => landmarks[3 * i]), ys = LIPS_OUTER.map((i) => landmarks[3 * i + 1]);
  const pad = 0.35 * (Math.max(...xs) - Math.min(...xs));
  const bx = Math.floor(Math.min(...xs) - pad), by = Math.floor(Math.min(...ys) - pad);
  const k = PANEL / Math.ceil(Math.max(...xs) - Math.min(...xs) + 2 * pad), W = PANEL, H = Math.round((Math.max(...ys) - Math.min(...ys) + 2 * pad) * k);
  const c = fitted.camera;
  const camera: Camera = { ...c, fx: c.fx * k, fy: c.fy * k, cx: (c.cx - bx) * k, cy: (c.cy - by) * k, width: W, height: H };
  const frags = createFragments(W, H);
  rasterize(frags, projectToScreen(camera, mesh.positions), mesh.indices, { cull: "back" });
  const partOf = new Int32Array(mesh.indices.length / 3).fill(-1);
  head.parts.forEach((p, pi) => {
    for (let t = p.firstIndex / 3; t < (p.firstIndex + p.indexCount) / 3; t++) partOf[t] = pi;
  });
  const inner = new Uint8Array(W * H);
  fillPolygon(inner, W, H, MOUTH_INNER.flatMap((i) => [(landmarks[3 * i] - bx) * k, (landmarks[3 * i + 1] - by) * k]));
  const rgb = new Uint8Array(3 * W * 3 * H);
  let n = 0, open = 0, teeth = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, Math.floor(bx + (x + 0.5) / k))), sy = Math.min(image.height - 1, Math.max(0, Math.floor(by + (y + 0.5) / k)));
      const photo = [0, 1, 2].map((ch) => Math.round(255 * Math.min(1, Math.max(0, image.data[image.channels * (sy * image.width + sx) + ch]))));
      const t = frags.triangle[y * W + x];
      const part = t >= 0 ? head.parts[partOf[t]].part : "none";
      const colour = PART_COLOURS[part] ?? (part === "none" ? [30, 30, 30] : [80, 80, 200]);
      if (inner[y * W + x]) {
        n++;
        if (part !== "skin" && part !== "none") open++;
        if (part === "teeth") teeth++;
      }
      const o = (y * 3 * W + x) * 3;
      rgb.set(photo, o);
      rgb.set(colour, o + 3 * W);
      rgb.set(inner[y * W + x] && (x + y) % 3 === 0 ? [255, 255, 0] : colour.map((v, ch) => Math.round((v + photo[ch]) / 2)), o + 6 * W);
    }
  }
  return { openShare: n ? open / n : 0, teethShare: n ? teeth / n : 0, rgb, width: 3 * W, height: H };
}

function mouthRow(name: string, landmarks: ArrayLike<number>, fitted: FitResult, head: TemplateHead): Omit<MouthRow, "openShare" | "teethShare"> {
  const lv = head.landmarkVertices, { upperSeam, lowerSeam } = head.rig;
  const P = fitted.photographed?.positions ?? fitted.mesh.positions, N = fitted.mesh.positions;
  const distanceMm = (A: Float32Array, a: number, b: number) => 1000 * Math.hypot(...[0, 1, 2].map((ch) => A[3 * a + ch] - A[3 * b + ch]));
  const R = fitted.camera.rotation, t = fitted.camera.translation, v = lv[13];
  const depth = -(R[6] * P[3 * v] + R[7] * P[3 * v + 1] + R[8] * P[3 * v + 2] + t[2]);
  const mid = (upperSeam.length - 1) >> 1;
  return {
    photo: name,
    photoGapMm: (Math.hypot(landmarks[39] - landmarks[42], landmarks[40] - landmarks[43]) * 1000 * depth) / fitted.camera.fx,
    seamGapMm: distanceMm(P, upperSeam[mid], lowerSeam[mid]),
    landmarkGapMm: distanceMm(P, lv[13], lv[14]),
    neutralLandmarkGapMm: distanceMm(N, lv[13], lv[14]),
    landmarkErrorIod: (100 * fitted.reprojectionErrorPx) / fitted.interocularPx,
    weights: Object.fromEntries(Object.entries(fitted.expression ? weightsRecord(fitted.expression.weights) : {}).filter(([k]) => LIP_PARTING.includes(k))),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const views = option("--views"), out = option("--out");
  if (args.length === 0) {
    process.stderr.write("usage: mouth-opening.ts [--views <dir>] [--out <file.json>] <photo> …\n");
    process.exitCode = 2;
    return;
  }
  const cacheDir = out ? out.replace(/\.json$/i, "") + "-captures" : path.join(tmpdir(), "porelight-mouth-opening-captures");
  const head = buildTemplateHead();
  const rows: MouthRow[] = [];
  if (views) await mkdir(views, { recursive: true });
  for (const file of args) {
    const photo = await capturedPhoto(file, "photo", cacheDir, (line) => process.stderr.write(line + "\n"));
    const fitted = fit({ capture: photo.capture, head, lens: photo.lens });
    const view = mouthView(photo.capture.image, photo.capture.landmarks, fitted, head);
    const row: MouthRow = { ...mouthRow(photo.name, photo.capture.landmarks, fitted, head), openShare: view.openShare, teethShare: view.teethShare };
    rows.push(row);
    const w = Object.entries(row.weights).map(([k, x]) => `${k} ${x.toFixed(2)}`).join(", ");
    process.stdout.write(`${row.photo}: photo ${row.photoGapMm.toFixed(1)} mm · seam ${row.seamGapMm.toFixed(1)} mm, landmarks ${row.landmarkGapMm.toFixed(1)} mm (neutral ${row.neutralLandmarkGapMm.toFixed(1)}) · open ${(100 * row.openShare).toFixed(0)} % (teeth ${(100 * row.teethShare).toFixed(0)} %) · error ${row.landmarkErrorIod.toFixed(2)} % IOD · ${w || "no lip parting"}\n`);
    if (views) {
      const file = path.join(views, `mouth-${photo.name.replace(/\.[a-z]+$/i, "")}.png`);
      await sharp(Buffer.from(view.rgb), { raw: { width: view.width, height: view.height, channels: 3 } }).png().toFile(`${file}.tmp`);
      await rename(`${file}.tmp`, file);
    }
  }
  if (out) {
    await writeFile(`${out}.tmp`, JSON.stringify(rows, null, 2) + "\n");
    await rename(`${out}.tmp`, out);
  }
}

await main();
