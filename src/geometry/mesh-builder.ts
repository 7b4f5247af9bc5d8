/** Growable vertex/triangle lists shared by the template head's builders. */

import { distance2 as dist2, type Vec3 as V3 } from "../primitives/vec3.ts";

export type { V3 };

/** Growable vertex/triangle lists. */
export class Builder {
  pos: number[] = [];
  uv: number[] = [];
  skin: number[] = [];
  vertex(p: ArrayLike<number>, uv: ArrayLike<number>): number {
    this.pos.push(p[0], p[1], p[2]);
    this.uv.push(uv[0], uv[1]);
    return this.pos.length / 3 - 1;
  }
  at(v: number): V3 {
    return [this.pos[3 * v], this.pos[3 * v + 1], this.pos[3 * v + 2]];
  }
}

/** Adds quads between two equally long rings (closed unless `open`), split along the shorter diagonal. */
export function stitch(b: Builder, out: number[], r0: number[], r1: number[], closed = true): void {
  const n = r0.length;
  for (let m = 0; m < (closed ? n : n - 1); m++) {
    const a = r0[m], bb = r0[(m + 1) % n], c = r1[(m + 1) % n], d = r1[m];
    const d1 = dist2(b.at(a), b.at(c)), d2 = dist2(b.at(bb), b.at(d));
    if (d1 <= d2) out.push(a, bb, c, a, c, d);
    else out.push(a, bb, d, bb, c, d);
  }
}
