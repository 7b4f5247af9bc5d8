/**
 * Fitting the ears into the head grid: the border loop of the grid cells an ear replaces, the
 * scalp relaxed round that border once it is smoothed, and the ear shell (src/geometry/ear.ts)
 * stitched onto it with its own UV island.
 */
import { growEar, ontoScalp, type EarFrame } from "./ear.ts";
import { Builder, stitch, type V3 } from "./mesh-builder.ts";
import { rowSlot } from "./uv-atlas.ts";

type Implicit = (x: number, y: number, z: number) => number;

/** Grid steps round an ear's footprint over which the scalp is relaxed after the border moved. */
const RELAX_DEPTH = 3;
/** Least distance between the pinna (outside its footprint) and the head surface, metres. */
const EAR_CLEARANCE_M = 0.0008;

export function gradient(f: (x: number, y: number, z: number) => number, p: V3): V3 {
  const e = 1e-4, f0 = f(...p);
  return [(f(p[0] + e, p[1], p[2]) - f0) / e, (f(p[0], p[1] + e, p[2]) - f0) / e, (f(p[0], p[1], p[2] + e) - f0) / e];
}

/**
 * The border of the removed grid cells on one side, as a loop of grid vertex ids running the
 * way the removed cells ran it (so the ear, which replaces them, keeps the orientation).
 */
export function holeLoop(removed: Set<number>, N: number, grid: number[][], side: (i: number) => boolean): number[] {
  const edges = new Map<number, number>();
  const directed = new Set<string>();
  const cells = [...removed].filter((c) => side(c % N));
  for (const c of cells) {
    const k = Math.floor(c / N), i = c % N;
    const q = [grid[k][i], grid[k][i + 1], grid[k + 1][i + 1], grid[k + 1][i]];
    for (let e = 0; e < 4; e++) directed.add(`${q[e]},${q[(e + 1) % 4]}`);
  }
  for (const c of cells) {
    const k = Math.floor(c / N), i = c % N;
    const q = [grid[k][i], grid[k][i + 1], grid[k + 1][i + 1], grid[k + 1][i]];
    for (let e = 0; e < 4; e++) {
      const a = q[e], z = q[(e + 1) % 4];
      if (directed.has(`${z},${a}`)) continue;
      if (edges.has(a)) throw new Error("template head: an ear footprint pinches (two border edges leave one vertex)");
      edges.set(a, z);
    }
  }
  if (edges.size < 8) throw new Error(`template head: ear footprint too small (${edges.size} border edges)`);
  const start = Math.min(...edges.keys());
  const loop = [start];
  for (let v = edges.get(start)!; v !== start; v = edges.get(v)!) {
    loop.push(v);
    if (loop.length > edges.size) throw new Error("template head: ear footprint border is not one loop");
  }
  if (loop.length !== edges.size) throw new Error("template head: ear footprint has more than one border loop");
  return loop;
}

/**
 * After the footprint's border moved onto its ellipse, the scalp grid around it (up to
 * RELAX_DEPTH grid steps out, left side) is relaxed toward its neighbours' mean and put back on
 * the scalp, so that no quad next to the border folds.
 */
export function relaxAroundFootprint(b: Builder, grid: number[][], removed: Set<number>, loop: number[], frame: EarFrame, implicit: Implicit): void {
  const K = grid.length - 1, N = grid[0].length - 1;
  const onLoop = new Set(loop);
  const inside = new Set<number>();
  for (const c of removed) {
    const k = Math.floor(c / N), i = c % N;
    if (i >= N / 2) continue;
    for (const v of [grid[k][i], grid[k][i + 1], grid[k + 1][i], grid[k + 1][i + 1]]) if (!onLoop.has(v)) inside.add(v);
  }
  const where = new Map<number, [number, number]>();
  grid.forEach((row, k) => row.forEach((v, i) => where.set(v, [k, i])));
  const nbrs = (v: number) => {
    const [k, i] = where.get(v)!;
    return ([[1, 0], [-1, 0], [0, 1], [0, -1]] as const).map(([dk, di]) => grid[k + dk]?.[i + di]).filter((w): w is number => w !== undefined);
  };
  let layer = [...loop];
  const depth = new Map<number, number>(loop.map((v) => [v, 0]));
  for (let d = 1; d <= RELAX_DEPTH; d++) {
    const next: number[] = [];
    for (const v of layer) for (const w of nbrs(v)) if (!depth.has(w) && !inside.has(w)) {
      depth.set(w, d);
      next.push(w);
    }
    layer = next;
  }
  const band = [...depth.keys()].filter((v) => depth.get(v)! > 0 && (() => {
    const [k] = where.get(v)!;
    return k > 0 && k < K;
  })()).sort((x, y) => x - y);
  const level = new Map(band.map((v) => [v, implicit(...b.at(v))]));
  for (let it = 0; it < 20; it++) {
    const next = band.map((v) => {
      const ns = nbrs(v);
      const m: V3 = [0, 0, 0];
      for (const w of ns) for (let c = 0; c < 3; c++) m[c] += b.at(w)[c] / ns.length;
      const p = b.at(v);
      return [0, 1, 2].map((c) => 0.5 * p[c] + 0.5 * m[c]) as V3;
    });
    band.forEach((v, j) => b.pos.splice(3 * v, 3, ...ontoScalp(frame, next[j], implicit, level.get(v)!, unit(gradient(implicit, next[j])))));
  }
}

const unit = (v: V3): V3 => {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
};

/** Grows one ear (side +1 left, −1 right, built as the mirror of the left) on a footprint loop. */
export function addEar(b: Builder, frameLeft: EarFrame, loop: number[], side: number, implicit: Implicit): void {
  const mirror = (p: V3): V3 => [side * p[0], p[1], p[2]];
  // Build in left-ear space (a right-ear loop, mirrored there, is the left loop).
  const shell = growEar(frameLeft, loop.map((id) => ({ id, p: mirror(b.at(id)) })), implicit);
  // Nothing of the pinna may sink into the head: push such points out along the ear's normal.
  shell.positions.forEach((p, k) => {
    // Near its root the back of the pinna runs into the head on purpose.
    const clearance = EAR_CLEARANCE_M * shell.lift[k];
    for (let it = 0; it < 40 && implicit(...p) < clearance; it++) for (let c = 0; c < 3; c++) p[c] += frameLeft.normal[c] * 2e-4;
  });
  const slot = side > 0 ? 3 : 1;
  const uvOf = (local: [number, number]): [number, number] => {
    const l: [number, number] = side > 0 ? local : [1 - local[0], local[1]];
    return rowSlot(slot as 1 | 3, l);
  };
  // Ring 0 gets ear-UV copies of the footprint vertices (the footprint is a UV seam).
  const ids: number[][] = shell.rings.map((ring, j) =>
    ring.map((id, m) => (j === 0 ? b.vertex(b.at(id), uvOf(shell.ringUv[0][m])) : b.vertex(mirror(shell.positions[-1 - id]), uvOf(shell.ringUv[j][m])))),
  );
  const centre = b.vertex(mirror(shell.positions[-1 - shell.centre]), uvOf(shell.centreUv));
  const tris: number[] = [];
  // Ring 0 (footprint, M vertices) fans out to ring 1 (3M): polygon a, b, r3, r2, r1, r0 per edge.
  const [r0, r1] = [ids[0], ids[1]];
  const M = r0.length, F = r1.length / M;
  for (let m = 0; m < M; m++) {
    const a = r0[m], bb = r0[(m + 1) % M];
    const fan = Array.from({ length: F + 1 }, (_, r) => r1[(F * m + r) % r1.length]);
    tris.push(a, bb, fan[F - 1], bb, fan[F], fan[F - 1]);
    for (let r = F - 1; r > 0; r--) tris.push(a, fan[r], fan[r - 1]);
  }
  for (let j = 1; j + 1 < ids.length; j++) stitch(b, tris, ids[j], ids[j + 1]);
  const last = ids[ids.length - 1];
  for (let m = 0; m < last.length; m++) tris.push(last[m], last[(m + 1) % last.length], centre);
  // Left: the loop runs the removed cells' way. Right: mirroring turned the winding over.
  if (side > 0) b.skin.push(...tris);
  else for (let t = 0; t < tris.length; t += 3) b.skin.push(tris[t], tris[t + 2], tris[t + 1]);
}
