/**
 * Dark speck pixels in a rendered frame (issue 16), on 8-bit sRGB luma (Rec. 709 weights). The
 * background is the frame's top-left corner colour.
 *
 * - silhouette: a head pixel touching the background (8-neighbourhood) that is darker than both
 *   the background and the mean of its head neighbours by more than SPECK_MARGIN. An antialiased
 *   edge pixel is a coverage-weighted mix of the two, so it cannot be darker than both.
 * - isolated: a head pixel away from the background (its 5 × 5 window all head) darker than that
 *   window's median by more than ISOLATED_MARGIN: a dot or a one-pixel dash where the skin around
 *   it is smooth. Thin dark features (lash lines, the lips' parting) count too, so compare counts
 *   of the same frames before and after, not against zero.
 */
import sharp from "sharp";

/** Luma levels (of 255) by which a silhouette pixel must undershoot both sides to count. */
export const SPECK_MARGIN = 6;
/** Luma levels (of 255) below the 5 × 5 median for an isolated dark pixel. */
export const ISOLATED_MARGIN = 20;
/** Largest per-channel difference from the corner colour that still counts as background. */
const BACKGROUND_TOLERANCE = 3;

export interface SpeckCounts {
  silhouette: number;
  isolated: number;
}

/** Counts both kinds of speck in a PNG (or any image sharp reads). */
export async function countSpecks(image: Buffer): Promise<SpeckCounts> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return countSpecksRaw(data, info.width, info.height);
}

/** `countSpecks` on raw RGB bytes, row-major. */
export function countSpecksRaw(rgb: Uint8Array, width: number, height: number): SpeckCounts {
  const n = width * height;
  const luma = new Float32Array(n);
  const background = new Uint8Array(n);
  const bg = [rgb[0], rgb[1], rgb[2]];
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
    luma[i] = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    background[i] = Math.abs(r - bg[0]) <= BACKGROUND_TOLERANCE && Math.abs(g - bg[1]) <= BACKGROUND_TOLERANCE && Math.abs(b - bg[2]) <= BACKGROUND_TOLERANCE ? 1 : 0;
  }
  const bgLuma = 0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2];
  let silhouette = 0, isolated = 0;
  const window: number[] = [];
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      const i = y * width + x;
      if (background[i]) continue;
      let touches = false, headSum = 0, headCount = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const j = i + dy * width + dx;
          if (background[j]) touches = true;
          else { headSum += luma[j]; headCount++; }
        }
      }
      if (touches) {
        if (headCount > 0 && luma[i] < Math.min(bgLuma, headSum / headCount) - SPECK_MARGIN) silhouette++;
        continue;
      }
      window.length = 0;
      let clear = true;
      for (let dy = -2; dy <= 2 && clear; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const j = i + dy * width + dx;
          if (background[j]) { clear = false; break; }
          window.push(luma[j]);
        }
      }
      if (!clear) continue;
      window.sort((a, b) => a - b);
      if (luma[i] < window[12] - ISOLATED_MARGIN) isolated++;
    }
  }
  return { silhouette, isolated };
}

/** How much a change moved the skin away from its edges: over pixels whose 5 × 5 window in `a` is all head. */
export interface InteriorDifference {
  /** Mean |a − b| over those pixels and the three channels, 8-bit levels. */
  mean: number;
  /** Share of those pixels whose largest channel difference exceeds 8 levels. */
  changed: number;
  pixels: number;
}

/** Compares two renders of the same frame away from the head's outline (speck fixes should not change it). */
export async function interiorDifference(a: Buffer, b: Buffer): Promise<InteriorDifference> {
  const ra = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rb = await sharp(b).removeAlpha().raw().toBuffer();
  const { width, height } = ra.info, A = ra.data;
  const bg = [A[0], A[1], A[2]];
  const head = (i: number) => [0, 1, 2].some((c) => Math.abs(A[3 * i + c] - bg[c]) > BACKGROUND_TOLERANCE);
  let sum = 0, changed = 0, pixels = 0;
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      let inside = true;
      for (let dy = -2; dy <= 2 && inside; dy++) for (let dx = -2; dx <= 2; dx++) if (!head((y + dy) * width + x + dx)) { inside = false; break; }
      if (!inside) continue;
      const i = y * width + x;
      let largest = 0;
      for (let c = 0; c < 3; c++) { const d = Math.abs(A[3 * i + c] - rb[3 * i + c]); sum += d; largest = Math.max(largest, d); }
      if (largest > 8) changed++;
      pixels++;
    }
  }
  return { mean: sum / Math.max(1, 3 * pixels), changed: changed / Math.max(1, pixels), pixels };
}
