/**
 * The photo's mouth opening: inside the inner lip contour (the face mesh's MOUTH_INNER) is teeth,
 * tongue, gums or the dark of the mouth, never skin. Unwrap treats skin-atlas texels that land
 * there as unseen (the fill and the mirror then give them lip colour), so a fit that leaves the
 * lips a little off the photo's still never lays teeth on the lips.
 */
import { MOUTH_INNER } from "../../primitives/face-topology.ts";
import { fillPolygon } from "../../raster/polygon.ts";

/** A photo-space mask of the mouth opening over its bounding box (empty when the landmarks are absent or the lips are closed). */
export interface MouthOpening {
  x0: number;
  y0: number;
  width: number;
  height: number;
  inside: Uint8Array;
}

/** The opening's mask from the photo's landmarks (pixels, capture's convention). */
export function mouthOpening(landmarks: ArrayLike<number> | undefined): MouthOpening | null {
  if (!landmarks || landmarks.length < 3 * 468) return null;
  const xy = MOUTH_INNER.flatMap((i) => [landmarks[3 * i], landmarks[3 * i + 1]]);
  const xs = xy.filter((_, k) => k % 2 === 0), ys = xy.filter((_, k) => k % 2 === 1);
  const x0 = Math.floor(Math.min(...xs)), y0 = Math.floor(Math.min(...ys));
  const width = Math.ceil(Math.max(...xs)) - x0 + 1, height = Math.ceil(Math.max(...ys)) - y0 + 1;
  if (!(width > 0 && height > 0) || width * height > 1e8) return null;
  const inside = new Uint8Array(width * height);
  fillPolygon(inside, width, height, xy, x0, y0);
  return { x0, y0, width, height, inside };
}

/** True when photo point (x, y) is inside the opening. */
export function inMouthOpening(m: MouthOpening | null, x: number, y: number): boolean {
  if (!m) return false;
  const i = Math.floor(x) - m.x0, j = Math.floor(y) - m.y0;
  return i >= 0 && j >= 0 && i < m.width && j < m.height && m.inside[j * m.width + i] === 1;
}
