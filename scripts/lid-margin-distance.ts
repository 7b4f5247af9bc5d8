/**
 * For the lid scripts (lid-band.ts, lid-share-bands.ts): per atlas texel of the template's skin
 * whose upper-lid weight is at least `moves`, its distance in base texels from the upper margin of
 * that eye in the atlas and whether it lies above it; NaN distance elsewhere.
 */
import type { RestRig } from "../src/geometry/blendshape-rig.ts";
import { segmentDistance } from "../src/raster/polygon.ts";
import type { rasterizeUv } from "../src/raster/rasterize.ts";
import type { TemplateHead } from "../src/types.ts";

export function upperMarginDistance(head: TemplateHead, rig: RestRig, ids: ReturnType<typeof rasterizeUv>, W: number, H: number, moves: number): { distance: Float32Array; above: Uint8Array } {
  const { uvs, indices } = head.mesh;
  const distance = new Float32Array(W * H).fill(NaN), above = new Uint8Array(W * H);
  [head.rig.lidRight, head.rig.lidLeft].forEach((loop, side) => {
    // The loop runs lower lid first, then the upper lid back to its start (HeadRig).
    const upper = [...loop.subarray(loop.length / 2), loop[0]];
    const weight = rig.upperLid[side];
    for (let p = 0; p < W * H; p++) {
      const t = ids.triangle[p];
      if (t < 0) continue;
      const w1 = ids.b1[p], w2 = ids.b2[p];
      if ((1 - w1 - w2) * weight[indices[3 * t]] + w1 * weight[indices[3 * t + 1]] + w2 * weight[indices[3 * t + 2]] < moves) continue;
      const x = (p % W) + 0.5, y = Math.floor(p / W) + 0.5;
      for (let k = 0; k + 1 < upper.length; k++) {
        const [a, b] = [upper[k], upper[k + 1]];
        const d = segmentDistance(uvs[2 * a] * W, uvs[2 * a + 1] * H, uvs[2 * b] * W, uvs[2 * b + 1] * H, x, y);
        if (!(d >= distance[p])) [distance[p], above[p]] = [d, y < ((uvs[2 * a + 1] + uvs[2 * b + 1]) / 2) * H ? 1 : 0];
      }
    }
  });
  return { distance, above };
}
