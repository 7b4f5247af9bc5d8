/**
 * Gutter filling: every texel outside the UV islands takes the value of a nearby island texel, so
 * that bilinear filtering, mipmaps and the upscaler near island borders never see empty texels.
 */
import type { ImageF32 } from "../../types.ts";

/**
 * For each texel, the index of the island texel it copies (itself when covered), found by a
 * breadth-first flood from all covered texels at once (8-connected, so distances are in the
 * chessboard metric). −1 only when nothing at all is covered.
 */
export function nearestCoveredTexel(width: number, height: number, covered: (texel: number) => boolean): Int32Array {
  const n = width * height;
  const source = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let p = 0; p < n; p++) {
    if (covered(p)) {
      source[p] = p;
      queue[tail++] = p;
    }
  }
  while (head < tail) {
    const p = queue[head++];
    const x = p % width;
    const y = (p - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= width) continue;
        const q = yy * width + xx;
        if (source[q] !== -1) continue;
        source[q] = source[p];
        queue[tail++] = q;
      }
    }
  }
  return source;
}

/** Copies each texel's channels from its source texel (in place). */
export function fillFromSource(image: ImageF32, source: Int32Array): void {
  const c = image.channels;
  const d = image.data;
  for (let p = 0; p < source.length; p++) {
    const s = source[p];
    if (s === p || s < 0) continue;
    for (let k = 0; k < c; k++) d[p * c + k] = d[s * c + k];
  }
}
