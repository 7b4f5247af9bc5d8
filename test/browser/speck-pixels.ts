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
