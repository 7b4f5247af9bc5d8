/**
 * The exported head's origin (docs/design.md §5): the base of the skull on the neck axis, where a
 * game attaches a head to a body's neck bone and rotates it.
 *
 * - Neck axis: the vertical (glTF +Y) line through the centroid of the neck's bottom (the skin
 *   vertices within 5 mm of its lowest point: the template's flat neck cut).
 * - Base of the skull: on that axis, at the height of the ears (mean height of the skin's outermost
 *   vertices on each side, the ears' rims): the occipital condyles sit about level with the ear
 *   canals, over the neck.
 *
 * Measured on the fitted skin itself (no landmarks needed), so it follows each head's shape.
 */
import type { HeadPartGeometry } from "./head-geometry.ts";

/** Height band of the neck's bottom, metres. */
const NECK_BAND = 0.005;
/** Share of the skin's vertices, per side, taken as the ears' outermost. */
const EAR_SHARE = 0.005;

/** The pivot [x, y, z] in the mesh's space (metres, glTF axes). */
export function headPivot(skin: HeadPartGeometry): [number, number, number] {
  const p = skin.positions;
  const n = p.length / 3;
  let minY = Infinity;
  for (let i = 0; i < n; i++) minY = Math.min(minY, p[i * 3 + 1]);
  let sx = 0, sz = 0, count = 0;
  for (let i = 0; i < n; i++) {
    if (p[i * 3 + 1] > minY + NECK_BAND) continue;
    sx += p[i * 3]; sz += p[i * 3 + 2]; count++;
  }
  const byX = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a * 3] - p[b * 3] || a - b);
  const k = Math.max(1, Math.round(n * EAR_SHARE));
  const ears = [...byX.slice(0, k), ...byX.slice(n - k)];
  const earY = ears.reduce((s, i) => s + p[i * 3 + 1], 0) / ears.length;
  return [sx / count, earY, sz / count];
}

/** Copies of the parts with every position moved by −pivot (normals, tangents and UVs unchanged). */
export function moveOrigin(parts: HeadPartGeometry[], pivot: [number, number, number]): HeadPartGeometry[] {
  return parts.map((g) => {
    const positions = Float32Array.from(g.positions);
    for (let i = 0; i < positions.length; i += 3) {
      positions[i] -= pivot[0]; positions[i + 1] -= pivot[1]; positions[i + 2] -= pivot[2];
    }
    return { ...g, positions };
  });
}
