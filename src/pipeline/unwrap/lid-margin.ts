/**
 * The lid margins in the atlas: the texels the face mesh's eye contours (the lid margins, on the
 * head as landmark vertices) pass through. They carry the lash line whether the eye is open (the
 * margin against the eyeball) or closed (the blink brings the upper margin down onto the lower),
 * so where one sees into the photo's eye opening unwrap reads the photo just clear of it (the
 * lash line, unwrap/photo-openings.ts clearOfOpening) and the completion continues them from each
 * other, while the lid skin beside them that sees into the eye is filled from lid skin
 * (complete/part-fill.ts).
 */
import type { ImageF32 } from "../../types.ts";
import { LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR } from "../../primitives/face-topology.ts";

/** Steps per texel along a contour segment: fine enough that no texel a segment crosses is skipped at a corner. */
const STEPS_PER_TEXEL = 4;

/**
 * 1 on the texels (width × height atlas, glTF UVs: v down) that the two eye contours' closed
 * polylines cross in UV and that `onSkin` accepts, else 0. `landmarkVertices` maps face-mesh
 * landmark k to its vertex (−1 where none); a contour with a missing vertex is left out.
 *
 *   const margin = lidMarginTexels(mesh.uvs, head.landmarkVertices, 384, 576, (p) => skinTexel(p));
 */
export function lidMarginTexels(uvs: Float32Array, landmarkVertices: ArrayLike<number>, width: number, height: number, onSkin: (p: number) => boolean): ImageF32 {
  const out: ImageF32 = { width, height, channels: 1, colorSpace: "data", data: new Float32Array(width * height) };
  for (const contour of [RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR]) {
    const vertices = contour.map((k) => landmarkVertices[k]);
    if (vertices.some((v) => !(v >= 0))) continue;
    for (let i = 0; i < vertices.length; i++) {
      const a = vertices[i], b = vertices[(i + 1) % vertices.length];
      const ax = uvs[2 * a] * width, ay = uvs[2 * a + 1] * height, bx = uvs[2 * b] * width, by = uvs[2 * b + 1] * height;
      const steps = Math.max(1, Math.ceil(STEPS_PER_TEXEL * Math.hypot(bx - ax, by - ay)));
      for (let s = 0; s <= steps; s++) {
        const x = Math.floor(ax + ((bx - ax) * s) / steps), y = Math.floor(ay + ((by - ay) * s) / steps);
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const p = y * width + x;
        if (onSkin(p)) out.data[p] = 1;
      }
    }
  }
  return out;
}
