/**
 * The photo's openings: inside the inner lip contour (the face mesh's MOUTH_INNER) is teeth,
 * tongue, gums or the dark of the mouth, and inside each lid margin (the eye contour) is the eye
 * (sclera, iris, the lashes' shadow); neither is skin. Unwrap treats skin-atlas texels that land
 * there as unseen (the fill and the mirror then give them lip or lid colour), so a fit that leaves
 * the lips or the lids a little off the photo's never lays teeth on the lips or the iris on a lid
 * (which a blink would then stretch over the closed eye). A closed eye's contour encloses nothing,
 * and its lid is textured from the photo.
 */
import { LEFT_EYE_CONTOUR, MOUTH_INNER, RIGHT_EYE_CONTOUR } from "../../primitives/face-topology.ts";
import { fillPolygon } from "../../raster/polygon.ts";

/** A photo-space mask of one opening over its bounding box (empty when the contour encloses nothing). */
export interface PhotoOpening {
  x0: number;
  y0: number;
  width: number;
  height: number;
  inside: Uint8Array;
}

/** The opening inside one closed landmark contour (pixels, capture's convention); null without landmarks. */
export function contourOpening(landmarks: ArrayLike<number> | undefined, contour: number[]): PhotoOpening | null {
  if (!landmarks || landmarks.length < 3 * 468) return null;
  const xy = contour.flatMap((i) => [landmarks[3 * i], landmarks[3 * i + 1]]);
  const xs = xy.filter((_, k) => k % 2 === 0), ys = xy.filter((_, k) => k % 2 === 1);
  const x0 = Math.floor(Math.min(...xs)), y0 = Math.floor(Math.min(...ys));
  const width = Math.ceil(Math.max(...xs)) - x0 + 1, height = Math.ceil(Math.max(...ys)) - y0 + 1;
  if (!(width > 0 && height > 0) || width * height > 1e8) return null;
  const inside = new Uint8Array(width * height);
  fillPolygon(inside, width, height, xy, x0, y0);
  return { x0, y0, width, height, inside };
}

/** The mouth opening (inner lip contour). */
export function mouthOpening(landmarks: ArrayLike<number> | undefined): PhotoOpening | null {
  return contourOpening(landmarks, MOUTH_INNER);
}

/** Both eye openings (inside the lid margins), subject's right then left. */
export function eyeOpenings(landmarks: ArrayLike<number> | undefined): PhotoOpening[] {
  return [RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR].flatMap((c) => contourOpening(landmarks, c) ?? []);
}

/** True when photo point (x, y) is inside the opening. */
export function inOpening(m: PhotoOpening | null, x: number, y: number): boolean {
  if (!m) return false;
  const i = Math.floor(x) - m.x0, j = Math.floor(y) - m.y0;
  return i >= 0 && j >= 0 && i < m.width && j < m.height && m.inside[j * m.width + i] === 1;
}
