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

/**
 * Distance, mm along the surface, from every texel to the nearest where `source` holds, moving only
 * through texels where `passable` holds (Infinity where none is reachable). Chamfer steps (4 + 4
 * diagonal neighbours) whose lengths are the two texels' mean size in mm along x and y (`axesMm`, 2
 * channels: an atlas stretches the scalp and neck several times more than the face, so a distance in
 * texels is not one on the head; 0 = unknown, taken as the median known size). The forward and
 * backward sweeps repeat until nothing changes: around a hole in the domain one pair is not enough.
 */
export function surfaceDistanceMm(W: number, H: number, source: (p: number) => boolean, passable: (p: number) => boolean, axesMm: ArrayLike<number>): Float32Array {
  const n = W * H;
  const known: number[] = [];
  for (let p = 0; p < n; p++) if (axesMm[2 * p] > 0 && axesMm[2 * p + 1] > 0) known.push(axesMm[2 * p], axesMm[2 * p + 1]);
  known.sort((a, b) => a - b);
  const fallback = known[Math.floor(known.length / 2)] ?? 1;
  const ax = Float32Array.from({ length: n }, (_, p) => (axesMm[2 * p] > 0 ? axesMm[2 * p] : fallback));
  const ay = Float32Array.from({ length: n }, (_, p) => (axesMm[2 * p + 1] > 0 ? axesMm[2 * p + 1] : fallback));
  const d = new Float32Array(n);
  const open = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    open[p] = passable(p) || source(p) ? 1 : 0;
    d[p] = source(p) ? 0 : Infinity;
  }
  let changed = true;
  const step = (p: number, q: number, dx: number, dy: number) => {
    if (!open[q]) return;
    const sx = dx * (ax[p] + ax[q]) / 2, sy = dy * (ay[p] + ay[q]) / 2;
    const v = d[q] + (dx && dy ? Math.hypot(sx, sy) : sx + sy);
    if (v < d[p]) (d[p] = v), (changed = true);
  };
  for (let round = 0; changed && round < 64; round++) {
    changed = false;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (!open[p]) continue;
      if (x > 0) step(p, p - 1, 1, 0);
      if (y > 0) {
        step(p, p - W, 0, 1);
        if (x > 0) step(p, p - W - 1, 1, 1);
        if (x < W - 1) step(p, p - W + 1, 1, 1);
      }
    }
    for (let y = H - 1; y >= 0; y--) for (let x = W - 1; x >= 0; x--) {
      const p = y * W + x;
      if (!open[p]) continue;
      if (x < W - 1) step(p, p + 1, 1, 0);
      if (y < H - 1) {
        step(p, p + W, 0, 1);
        if (x < W - 1) step(p, p + W + 1, 1, 1);
        if (x > 0) step(p, p + W - 1, 1, 1);
      }
    }
  }
  return d;
}
