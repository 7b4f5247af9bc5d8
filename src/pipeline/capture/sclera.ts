/**
 * The sclera (the white of the eye) as a reference of known reflectance inside the photo (issue 14,
 * skin-reflectance reference §5): it is near-neutral and far lighter than any skin, so its colour
 * in the photo is the light's colour and brightness where the eyes are, whatever the exposure and
 * white balance of the camera. Delight weighs it against the skin-locus prior (delight/albedo.ts).
 *
 * Measured between the lids (the face mesh's eye contour, shrunk toward its centre so the lid
 * margins and lashes are left out), outside the iris disc (its landmark circle, enlarged to leave
 * the limbal ring out), in the whitest part of what remains short of the catch-lights: ranked by
 * the smallest of the three channels, the sclera (near-neutral and light) comes first, while lashes,
 * lid shadow, the pink caruncle and lid skin (whose blue is low) come last. Robust statistics:
 * per-channel medians, the spread as a MAD of log luminance.
 *
 * Reliability, each a physical reason the measurement may not be the sclera under the face's light:
 * too few pixels (eyes closed or nearly, a small face), an opening much flatter than an open eye's,
 * clipped pixels (the camera's response saturated: only a lower bound on the light is left).
 */
import { LEFT_EYE_CONTOUR, LEFT_IRIS_START, RIGHT_EYE_CONTOUR, RIGHT_IRIS_START } from "../../primitives/face-topology.ts";
import { luminance, srgbToLinear } from "../../primitives/color.ts";
import { fillPolygon } from "../../raster/polygon.ts";
import { withDefaults } from "../../options.ts";
import type { ImageF32 } from "../../types.ts";

export interface ScleraOptions {
  /** The lid contour is shrunk toward its centroid by this factor (lid margins, lashes). */
  contourShrink?: number;
  /** Pixels closer to the iris centre than this multiple of the iris radius are left out (iris, limbal ring). */
  irisMargin?: number;
  /** Quantiles of the opening's pixels ranked by their smallest channel kept, 0..1: below the first lashes, lid shadow and skin; above the second catch-lights. */
  quantiles?: [number, number];
  /** Pixels needed over both eyes to trust the measurement. */
  minPixels?: number;
  /** Opening height / width below which the eye counts as closed (an open eye: ≈ 0.3). */
  minOpenness?: number;
  /** sRGB level at or above which a channel counts as clipped. */
  clipLevel?: number;
  /** Share of clipped pixels among those kept above which the measurement is not used. */
  maxClipped?: number;
}

export const SCLERA_DEFAULTS: Required<ScleraOptions> = {
  contourShrink: 0.8,
  irisMargin: 1.15,
  quantiles: [0.5, 0.9],
  minPixels: 30,
  minOpenness: 0.18,
  clipLevel: 0.98,
  maxClipped: 0.2,
};

/** The sclera as the photo shows it. */
export interface ScleraMeasurement {
  /** Median colour, linear RGB of the photo (null when nothing was measured). */
  rgb: [number, number, number] | null;
  /** Pixels the median was taken over, both eyes. */
  pixels: number;
  /** Mean opening height / width of the two eyes. */
  openness: number;
  /** Share of the kept pixels with a clipped channel. */
  clipped: number;
  /** Robust spread of the kept pixels: 1.4826 × MAD of ln luminance. */
  spread: number;
  /** Whether delight may use it, and if not, why. */
  reliable: boolean;
  reason: string;
}

/** A photo pixel inside a reference's outline: linear RGB, its rank (smallest channel) and whether a channel clipped. */
export interface ReferencePixel {
  rgb: number[];
  rank: number;
  clipped: boolean;
}

/**
 * The pixels of an sRGB image inside a polygon (flat x, y pairs, pixels), but for those inside
 * `exclude` (a disc), as linear RGB ranked by their smallest channel: a near-neutral light surface
 * ranks high, anything saturated or dark low.
 */
export function polygonPixels(image: ImageF32, polygon: number[], clipLevel: number, exclude: { x: number; y: number; r: number } | null = null): ReferencePixel[] {
  const { width: w, height: h, channels } = image;
  const xs = polygon.filter((_, i) => i % 2 === 0);
  const ys = polygon.filter((_, i) => i % 2 === 1);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(...ys)));
  if (x1 < x0 || y1 < y0) return [];
  const bw = x1 - x0 + 1;
  const inside = new Uint8Array(bw * (y1 - y0 + 1));
  fillPolygon(inside, bw, y1 - y0 + 1, polygon, x0, y0);
  const out: ReferencePixel[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!inside[(y - y0) * bw + (x - x0)]) continue;
      if (exclude && Math.hypot(x + 0.5 - exclude.x, y + 0.5 - exclude.y) < exclude.r) continue;
      const p = (y * w + x) * channels;
      const s = [image.data[p], image.data[p + 1], image.data[p + 2]];
      const rgb = s.map(srgbToLinear);
      out.push({ rgb, rank: Math.min(rgb[0], rgb[1], rgb[2]), clipped: s.some((v) => v >= clipLevel) });
    }
  }
  return out;
}

/** The pixels whose rank lies between the given quantiles of all ranks. */
export function keepQuantiles(pixels: ReferencePixel[], quantiles: [number, number]): ReferencePixel[] {
  if (pixels.length === 0) return [];
  const sorted = pixels.map((e) => e.rank).sort((a, b) => a - b);
  const lo = sorted[Math.floor(sorted.length * quantiles[0])];
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * quantiles[1]))];
  return pixels.filter((e) => e.rank >= lo && e.rank <= hi);
}

/** Per-channel median colour and robust spread (1.4826 × MAD of ln luminance) of linear RGB samples. */
export function robustColour(samples: number[][]): { rgb: [number, number, number]; spread: number } {
  const rgb = [0, 1, 2].map((c) => median(samples.map((k) => k[c]))) as [number, number, number];
  const logs = samples.map((k) => Math.log(Math.max(luminance(k[0], k[1], k[2]), 1e-6)));
  const m = median(logs);
  return { rgb, spread: 1.4826 * median(logs.map((v) => Math.abs(v - m))) };
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

/**
 * Measures the sclera of both eyes in the photo (`image` sRGB, `landmarks` the 478 face-mesh
 * points x, y, z in pixels). Deterministic.
 *
 * @example
 *   const s = measureSclera(capture.image, capture.landmarks);
 *   if (s.reliable) console.log(s.rgb);
 */
export function measureSclera(image: ImageF32, landmarks: ArrayLike<number>, options: ScleraOptions = {}): ScleraMeasurement {
  const o = withDefaults(SCLERA_DEFAULTS, options);
  const lm = landmarks;
  const kept: number[][] = [];
  let clippedCount = 0;
  const openness: number[] = [];
  for (const [contour, iris] of [[RIGHT_EYE_CONTOUR, RIGHT_IRIS_START], [LEFT_EYE_CONTOUR, LEFT_IRIS_START]] as const) {
    if (lm.length < (iris + 5) * 3) continue;
    const pts = contour.map((i) => [lm[i * 3], lm[i * 3 + 1]]);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const eyeW = Math.max(...xs) - Math.min(...xs);
    const eyeH = Math.max(...ys) - Math.min(...ys);
    if (!(eyeW > 1)) continue;
    openness.push(eyeH / eyeW);
    const cx0 = xs.reduce((s, v) => s + v, 0) / xs.length;
    const cy0 = ys.reduce((s, v) => s + v, 0) / ys.length;
    const shrunk = pts.flatMap(([x, y]) => [cx0 + o.contourShrink * (x - cx0), cy0 + o.contourShrink * (y - cy0)]);
    const ix = lm[iris * 3];
    const iy = lm[iris * 3 + 1];
    let ir = 0;
    for (let k = 1; k <= 4; k++) ir += Math.hypot(lm[(iris + k) * 3] - ix, lm[(iris + k) * 3 + 1] - iy) / 4;
    const irisDisc = ir > 0 ? { x: ix, y: iy, r: o.irisMargin * ir } : null;
    const eye = polygonPixels(image, shrunk, o.clipLevel, irisDisc);
    for (const e of keepQuantiles(eye, o.quantiles)) {
      kept.push(e.rgb);
      if (e.clipped) clippedCount++;
    }
  }
  const open = openness.length ? openness.reduce((s, v) => s + v, 0) / openness.length : 0;
  const pixels = kept.length;
  const clipped = pixels ? clippedCount / pixels : 0;
  if (pixels === 0) return { rgb: null, pixels, openness: open, clipped, spread: 0, reliable: false, reason: "no sclera pixels between the lids" };
  const { rgb, spread } = robustColour(kept);
  let reason = "";
  if (pixels < o.minPixels) reason = `only ${pixels} sclera pixels (need ${o.minPixels})`;
  else if (open < o.minOpenness) reason = `eyes nearly closed (opening ${open.toFixed(2)} of the eye's width)`;
  else if (clipped > o.maxClipped) reason = `${(100 * clipped).toFixed(0)} % of the sclera pixels clipped`;
  else if (!rgb.every((v) => v > 1e-4)) reason = "sclera black in a channel";
  return { rgb, pixels, openness: open, clipped, spread, reliable: reason === "", reason: reason || "ok" };
}
