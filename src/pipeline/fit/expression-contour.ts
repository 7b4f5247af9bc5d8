/**
 * The shapes as the landmark detector sees them on the lips. A blendshape moves material points
 * (a smile draws the skin and lips round each corner with a 12 mm falloff), but the face-mesh
 * detector's lip landmarks are not material points: they are spaced along the lip contours
 * between the corners, so when the corners move out the landmarks spread evenly between them, the
 * middle of each lip line included. Read through the material displacement, a broad smile's lips
 * look stretched in the middle beyond what the smile explains, and the mouth-width identity mode
 * (which moves every lip landmark in proportion to its distance from the midline) took that
 * stretch into the neutral head.
 *
 * So for the solve, each lip landmark's sideways displacement under a shape is the corners'
 * sideways displacement interpolated along the contour by its position between them (outer line
 * between the outer corners, inner lines between the inner ones); its vertical and depth
 * displacement stay the material ones (sliding along a contour changes them to second order).
 * The displacement fields the head is built from stay material: only the solve's reading of the
 * lips changes.
 *
 *   const seen = detectorView(shapes, positions, head.landmarkVertices);
 */
import type { Blendshape } from "../../types.ts";
import { LIPS_OUTER, MOUTH_INNER, MOUTH_LEFT, MOUTH_RIGHT } from "../../primitives/face-topology.ts";

/** The inner lip lines' corners (face mesh indices): subject's right, left. */
const INNER_CORNERS: [number, number] = [78, 308];

/** Each shape with its lip landmarks' x displacement replaced by the corners' interpolated along the contour (new arrays; other vertices unchanged). */
export function detectorView(shapes: Blendshape[], positions: Float32Array, landmarkVertices: Int32Array): Blendshape[] {
  const lines: { ids: number[]; corners: [number, number] }[] = [
    { ids: LIPS_OUTER, corners: [MOUTH_RIGHT, MOUTH_LEFT] },
    { ids: MOUTH_INNER, corners: INNER_CORNERS },
  ];
  // Per lip landmark vertex: its contour's corner vertices and its position t (0 at the right corner, 1 at the left).
  const slides: { v: number; right: number; left: number; t: number }[] = [];
  for (const { ids, corners } of lines) {
    const [right, left] = corners.map((i) => landmarkVertices[i]);
    const [xr, xl] = [positions[3 * right], positions[3 * left]];
    if (!(Math.abs(xl - xr) > 0)) continue;
    for (const i of ids) {
      if (i === corners[0] || i === corners[1]) continue;
      const v = landmarkVertices[i];
      slides.push({ v, right, left, t: Math.min(1, Math.max(0, (positions[3 * v] - xr) / (xl - xr))) });
    }
  }
  return shapes.map((shape) => {
    const delta = Float32Array.from(shape.delta);
    for (const { v, right, left, t } of slides) delta[3 * v] = (1 - t) * shape.delta[3 * right] + t * shape.delta[3 * left];
    return { name: shape.name, delta };
  });
}
