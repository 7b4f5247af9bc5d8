/**
 * The picture of one photo's result: a strip of equal-height panels with a caption line, written
 * as one PNG. Panels are sRGB float images; labels are drawn by sharp from SVG text.
 */
import sharp, { type OverlayOptions } from "sharp";
import { linearToSrgbClamped } from "../src/primitives/color.ts";
import { MESH_LANDMARK_COUNT } from "../src/primitives/face-topology.ts";
import type { ImageF32, Landmarks } from "../src/types.ts";
import { warpCrop } from "./identity.ts";

/** A square window of the photo, pixels. */
export interface CropWindow {
  x: number;
  y: number;
  side: number;
}

/**
 * The square around the face that the photo panels show: 2.2× the landmarks' extent, centred a
 * little above their centre so the forehead and scalp of the re-render fit.
 */
export function faceWindow(landmarks: Landmarks): CropWindow {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < MESH_LANDMARK_COUNT; i++) {
    const x = landmarks[3 * i], y = landmarks[3 * i + 1];
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const side = 2.2 * Math.max(x1 - x0, y1 - y0);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2 - 0.12 * (y1 - y0);
  return { x: cx - side / 2, y: cy - side / 2, side };
}

/** The window of an image resampled to size×size (grey outside the image). */
export function cropPanel(image: ImageF32, window: CropWindow, size: number): ImageF32 {
  const a = size / window.side;
  return warpCrop(image, { a, b: 0, tx: -window.x * a, ty: -window.y * a }, size);
}

/** Draws the landmarks on a crop panel: face mesh green, irises red, 2 px dots. */
export function drawLandmarks(panel: ImageF32, landmarks: Landmarks, window: CropWindow): ImageF32 {
  const out = { ...panel, data: new Float32Array(panel.data) };
  const a = panel.width / window.side;
  const n = landmarks.length / 3;
  for (let i = 0; i < n; i++) {
    const x = Math.round((landmarks[3 * i] - window.x) * a), y = Math.round((landmarks[3 * i + 1] - window.y) * a);
    const color = i >= MESH_LANDMARK_COUNT ? [1, 0.15, 0.15] : [0.2, 1, 0.35];
    for (let dy = -1; dy <= 0; dy++) {
      for (let dx = -1; dx <= 0; dx++) {
        const px = x + dx, py = y + dy;
        if (px < 0 || py < 0 || px >= panel.width || py >= panel.height) continue;
        for (let c = 0; c < 3; c++) out.data[(py * panel.width + px) * 3 + c] = color[c];
      }
    }
  }
  return out;
}

/**
 * A UV map as a panel of the given height (2:3 atlas → width = height·W/H): "color" keeps 3 sRGB
 * channels (linear is encoded), "gray" shows one channel as is, "normal" shows xyz as 0.5·n + 0.5.
 */
export function mapPanel(map: ImageF32, height: number, kind: "color" | "gray" | "normal"): ImageF32 {
  const width = Math.round((height * map.width) / map.height);
  const out = new Float32Array(width * height * 3);
  const C = map.channels;
  const fx = map.width / width, fy = map.height / height;
  // Box filter over the source texels each panel pixel covers.
  for (let y = 0; y < height; y++) {
    const sy0 = Math.floor(y * fy), sy1 = Math.max(sy0 + 1, Math.floor((y + 1) * fy));
    for (let x = 0; x < width; x++) {
      const sx0 = Math.floor(x * fx), sx1 = Math.max(sx0 + 1, Math.floor((x + 1) * fx));
      const acc = [0, 0, 0];
      let n = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const p = (sy * map.width + sx) * C;
          for (let c = 0; c < 3; c++) acc[c] += map.data[p + Math.min(c, C - 1)];
          n++;
        }
      }
      for (let c = 0; c < 3; c++) {
        let v = acc[c] / n;
        if (kind === "normal") v = 0.5 * v + 0.5;
        else if (kind === "color" && map.colorSpace === "linear") v = linearToSrgbClamped(v);
        out[(y * width + x) * 3 + c] = v;
      }
    }
  }
  return { width, height, channels: 3, data: out, colorSpace: "srgb" };
}

/** One panel of a strip: an image, or null for "not available" (drawn as a dark box). */
export interface StripPanel {
  label: string;
  image: ImageF32 | null;
  /** Width of the empty box when image is null, pixels. */
  emptyWidth?: number;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function toBytes(image: ImageF32): Buffer {
  const out = Buffer.alloc(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = image.data[p * image.channels + Math.min(c, image.channels - 1)];
      out[p * 3 + c] = Math.round(255 * (v > 0 ? (v < 1 ? v : 1) : 0));
    }
  }
  return out;
}

/**
 * Lays panels side by side (equal height `height`), a label above each and a caption line on top;
 * returns PNG bytes.
 */
export async function stripPng(panels: StripPanel[], caption: string, height: number): Promise<Buffer> {
  const gap = 4, labelH = 18, captionH = 22;
  const widths = panels.map((p) => (p.image ? p.image.width : (p.emptyWidth ?? height)));
  const total = widths.reduce((s, w) => s + w, 0) + gap * (panels.length + 1);
  const H = captionH + labelH + height + gap;
  const layers: OverlayOptions[] = [];
  let x = gap;
  let svgText = `<text x="${gap}" y="16" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#eee">${escapeXml(caption)}</text>`;
  panels.forEach((p, i) => {
    svgText += `<text x="${x + 2}" y="${captionH + 13}" font-family="DejaVu Sans, sans-serif" font-size="12" fill="#bbb">${escapeXml(p.label)}</text>`;
    if (p.image) {
      if (p.image.height !== height) throw new Error(`stripPng: panel "${p.label}" is ${p.image.height} px high, ${height} expected`);
      layers.push({ input: toBytes(p.image), raw: { width: p.image.width, height: p.image.height, channels: 3 }, left: x, top: captionH + labelH });
    } else {
      svgText += `<rect x="${x}" y="${captionH + labelH}" width="${widths[i]}" height="${height}" fill="#2a2a2a"/><text x="${x + widths[i] / 2}" y="${captionH + labelH + height / 2}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#777">n/a</text>`;
    }
    x += widths[i] + gap;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${H}">${svgText}</svg>`;
  layers.unshift({ input: Buffer.from(svg), left: 0, top: 0 });
  return sharp({ create: { width: total, height: H, channels: 3, background: { r: 24, g: 24, b: 26 } } })
    .composite(layers)
    .png({ compressionLevel: 6 })
    .toBuffer();
}
