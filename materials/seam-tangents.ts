/**
 * Tangents continuous across UV cuts (docs/design.md §5, issue 17's back-of-head seam).
 *
 * The scalp island is cut down the back of the head (u = 0.01 | 0.99): each cut vertex exists
 * twice, and per-vertex tangent accumulation gives each copy the tangent of its own side only
 * (up to 40° apart on the fitted head), so the normal maps' perturbation turned across the cut and
 * drew a streak down the midline that vanished with the normal maps off. Copies that are one
 * surface point (same position and normal) and continue the same chart (same handedness, tangents
 * less than 90° apart) get their averaged tangent. Mirrored charts (opposite tangents or
 * handedness) keep their own, as MikkTSpace splits them.
 */
import type { HeadPartGeometry } from "./head-geometry.ts";

/** A copy of the part with the tangents of seam copies welded (positions, normals, UVs unchanged). */
export function weldSeamTangents(g: HeadPartGeometry): HeadPartGeometry {
  const P = g.positions, N = g.normals;
  const tangents = Float32Array.from(g.tangents);
  const groups = new Map<string, number[]>();
  const n = P.length / 3;
  for (let i = 0; i < n; i++) {
    const key = `${P[3 * i]},${P[3 * i + 1]},${P[3 * i + 2]}`;
    const list = groups.get(key);
    if (list) list.push(i); else groups.set(key, [i]);
  }
  for (const ids of groups.values()) {
    if (ids.length < 2) continue;
    for (const hand of [-1, 1]) {
      const same = ids.filter((i) => g.tangents[4 * i + 3] === hand);
      if (same.length < 2) continue;
      const a = same[0];
      const sameSurface = same.every((i) =>
        N[3 * i] * N[3 * a] + N[3 * i + 1] * N[3 * a + 1] + N[3 * i + 2] * N[3 * a + 2] > 0.999 &&
        g.tangents[4 * i] * g.tangents[4 * a] + g.tangents[4 * i + 1] * g.tangents[4 * a + 1] + g.tangents[4 * i + 2] * g.tangents[4 * a + 2] > 0);
      if (!sameSurface) continue;
      let tx = 0, ty = 0, tz = 0;
      for (const i of same) { tx += g.tangents[4 * i]; ty += g.tangents[4 * i + 1]; tz += g.tangents[4 * i + 2]; }
      const nx = N[3 * a], ny = N[3 * a + 1], nz = N[3 * a + 2];
      const d = tx * nx + ty * ny + tz * nz;
      tx -= d * nx; ty -= d * ny; tz -= d * nz;
      const len = Math.hypot(tx, ty, tz);
      if (!(len > 1e-9)) continue;
      for (const i of same) tangents.set([tx / len, ty / len, tz / len, hand], 4 * i);
    }
  }
  return { ...g, tangents };
}
