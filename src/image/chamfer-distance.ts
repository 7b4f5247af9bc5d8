/** Distance transforms on a texel grid. */
import { f32Of } from "../primitives/typed-array.ts";

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
 * through texels where `passable` holds (Infinity where none is reachable). Shortest paths over the
 * 8-neighbour grid (Dijkstra, a binary heap) whose steps are the two texels' mean size in mm along x
 * and y (`axesMm`, 2 channels: an atlas stretches the scalp and neck several times more than the
 * face, so a distance in texels is not one on the head; 0 = unknown, taken as the median known size).
 */
export function surfaceDistanceMm(W: number, H: number, source: (p: number) => boolean, passable: (p: number) => boolean, axesMm: ArrayLike<number>): Float32Array {
  const n = W * H;
  const fallback = medianKnownSize(axesMm, n);
  const ax = f32Of(n, (p) => (axesMm[2 * p] > 0 ? axesMm[2 * p] : fallback));
  const ay = f32Of(n, (p) => (axesMm[2 * p + 1] > 0 ? axesMm[2 * p + 1] : fallback));
  const d = new Float32Array(n).fill(Infinity);
  const open = new Uint8Array(n);
  const heap = new MinHeap(n);
  for (let p = 0; p < n; p++) {
    open[p] = passable(p) || source(p) ? 1 : 0;
    if (source(p)) (d[p] = 0), heap.push(p, 0);
  }
  const DX = [-1, 1, 0, 0, -1, 1, -1, 1], DY = [0, 0, -1, 1, -1, -1, 1, 1];
  while (heap.size > 0) {
    const dp = heap.topKey();
    const p = heap.pop();
    if (dp > d[p]) continue; // a stale entry
    const x = p % W, y = (p - x) / W;
    for (let k = 0; k < 8; k++) {
      const dx = DX[k], dy = DY[k];
      const qx = x + dx, qy = y + dy;
      if (qx < 0 || qy < 0 || qx >= W || qy >= H) continue;
      const q = qy * W + qx;
      if (!open[q]) continue;
      const sx = dx ? (ax[p] + ax[q]) / 2 : 0, sy = dy ? (ay[p] + ay[q]) / 2 : 0;
      const v = dp + (dx && dy ? Math.hypot(sx, sy) : sx + sy);
      if (v < d[q]) (d[q] = v), heap.push(q, v);
    }
  }
  return d;
}

/** The median of the sizes (both axes) of the texels whose two sizes are known (> 0); 1 when none is. */
function medianKnownSize(axesMm: ArrayLike<number>, n: number): number {
  let count = 0;
  for (let p = 0; p < n; p++) if (axesMm[2 * p] > 0 && axesMm[2 * p + 1] > 0) count += 2;
  // A typed array sorts natively (no comparator): ~10⁵ sizes per call.
  const known = new Float64Array(count);
  for (let p = 0, i = 0; p < n; p++) if (axesMm[2 * p] > 0 && axesMm[2 * p + 1] > 0) (known[i++] = axesMm[2 * p]), (known[i++] = axesMm[2 * p + 1]);
  known.sort();
  return known[Math.floor(known.length / 2)] ?? 1;
}

/** A binary min-heap of (index, key) pairs, growing as needed (lazy deletion: stale entries stay). */
class MinHeap {
  private ids: Int32Array;
  private keys: Float64Array;
  size = 0;
  constructor(capacity: number) {
    this.ids = new Int32Array(Math.max(16, capacity));
    this.keys = new Float64Array(Math.max(16, capacity));
  }

  push(id: number, key: number): void {
    if (this.size === this.ids.length) {
      const ids = new Int32Array(2 * this.size), keys = new Float64Array(2 * this.size);
      ids.set(this.ids), keys.set(this.keys);
      (this.ids = ids), (this.keys = keys);
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.ids[i] = this.ids[parent];
      this.keys[i] = this.keys[parent];
      i = parent;
    }
    this.ids[i] = id;
    this.keys[i] = key;
  }

  /** The smallest key (the next pop's). */
  topKey(): number {
    return this.keys[0];
  }

  /** Removes the entry with the smallest key and returns its index. */
  pop(): number {
    const top = this.ids[0];
    const id = this.ids[--this.size], key = this.keys[this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= key) break;
      this.ids[i] = this.ids[child];
      this.keys[i] = this.keys[child];
      i = child;
    }
    this.ids[i] = id;
    this.keys[i] = key;
    return top;
  }
}
