/** Distance transforms on a texel grid. */

/** Chamfer distance (1, √2 steps), texels, from every texel to the nearest where `source` holds (1e9 when none). */
export function chamferDistance(W: number, H: number, source: (p: number) => boolean): Float32Array {
  const d = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) d[p] = source(p) ? 0 : 1e9;
  const step = (p: number, q: number, w: number) => {
    if (d[q] + w < d[p]) d[p] = d[q] + w;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    if (x > 0) step(p, p - 1, 1);
    if (y > 0) {
      step(p, p - W, 1);
      if (x > 0) step(p, p - W - 1, Math.SQRT2);
      if (x < W - 1) step(p, p - W + 1, Math.SQRT2);
    }
  }
  for (let y = H - 1; y >= 0; y--) for (let x = W - 1; x >= 0; x--) {
    const p = y * W + x;
    if (x < W - 1) step(p, p + 1, 1);
    if (y < H - 1) {
      step(p, p + W, 1);
      if (x < W - 1) step(p, p + W + 1, Math.SQRT2);
      if (x > 0) step(p, p + W - 1, Math.SQRT2);
    }
  }
  return d;
}
