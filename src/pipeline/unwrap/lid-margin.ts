/**
 * The lid margins in the atlas: the texels the face mesh's eye contours (the lid margins, on the
 * head as landmark vertices) pass through. They carry the lash line whether the eye is open (the
 * margin against the eyeball) or closed (the blink brings the upper margin down onto the lower),
 * so where one sees into the photo's eye opening unwrap reads the lash line across the contour
 * for it (sampleLashLine) and the completion continues them from each other, while the lid skin
 * beside them that sees into the eye is filled from lid skin (complete/part-fill.ts).
 */
import type { ImageF32 } from "../../types.ts";
import { luminance } from "../../primitives/color.ts";
import { LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR } from "../../primitives/face-topology.ts";
import { samplePhoto, type PhotoPyramid } from "./photo-pyramid.ts";

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

/** Spacing, photo pixels, of the reads across the lid line's error band (half a pixel: the photo's own sampling). */
const LASH_READ_STEP_PX = 0.5;

/**
 * The lash line where a lid margin's texel meets the photo's eye opening: `across` is the lid
 * line's point and its outward unit normal (photo-openings.ts contourOutward: x, y, nx, ny). The
 * detector puts the line within `errorPx` of the lid's edge, so the texel (its footprint just
 * clear of the line) is read at every half pixel out to `errorPx` beyond, and the darkest read
 * is kept: the lashes and the margin's shadow are the darkest thing at a lid's edge, and every
 * read lies outside the eye. Linear RGB into `out`.
 */
export function sampleLashLine(pyramid: PhotoPyramid, across: Float64Array, footprintPx: number, errorPx: number, out: Float32Array): void {
  const read = new Float32Array(3);
  const steps = Math.max(1, Math.ceil(errorPx / LASH_READ_STEP_PX));
  let darkest = Infinity;
  for (let k = 0; k <= steps; k++) {
    const d = 0.5 * footprintPx + (errorPx * k) / steps;
    samplePhoto(pyramid, across[0] + d * across[2], across[1] + d * across[3], footprintPx, read);
    const y = luminance(read[0], read[1], read[2]);
    if (y < darkest) (darkest = y), out.set(read);
  }
}
