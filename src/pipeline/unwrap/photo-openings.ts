/**
 * The photo's openings: inside the inner lip contour (the face mesh's MOUTH_INNER) is teeth,
 * tongue, gums or the dark of the mouth, and inside each lid margin (the eye contour) is the eye
 * (sclera, iris, the lashes' shadow); neither is skin. Unwrap treats skin-atlas texels that land
 * there as unseen (the fill and the mirror then give them lip or lid colour), so a fit that leaves
 * the lips or the lids a little off the photo's never lays teeth on the lips or the iris on a lid
 * (which a blink would then stretch over the closed eye). A closed eye's contour encloses nothing,
 * and its lid is textured from the photo.
 *
 * A texel is not a point: it averages the photo over its footprint, and the contour itself is
 * only where the detector put it. So the mouth's test is whether a texel's footprint comes within
 * the contour's error of the opening (`nearOpening`), not whether its centre is inside: a lip
 * texel half a footprint outside the detected inner lip line still samples the teeth when the
 * detector drew the line a pixel or two inside the visible opening (neutral4: the speaking
 * photos' closed neutral lips put their inner-lip texels just outside the contour). The eyes'
 * test is the same on the lid skin, whose texels a blink stretches over the closed eye; a lid
 * margin's texel (unwrap/lid-margin.ts) that sees into the eye reads the lash line across the
 * contour instead (contourOutward, lid-margin.ts sampleLashLine).
 */
import { LEFT_EYE_CONTOUR, MOUTH_INNER, RIGHT_EYE_CONTOUR } from "../../primitives/face-topology.ts";
import { fillPolygon, segmentParameter } from "../../raster/polygon.ts";

/**
 * Per-axis SD of the face-mesh model's inner lip line, fraction of the interocular distance: its
 * own scatter (1.05 %) and the offset it shares along the contour (1.16 %) combined, measured
 * between 13 photos and their mirror images (eval/landmark-noise.ts; docs/evaluation.md,
 * "Correlated landmark noise"). A lower bound: an error the detector makes on both is not seen.
 */
export const INNER_LIP_LINE_SD_IOD = Math.hypot(0.0105, 0.0116);

/**
 * Per-axis SD of the face-mesh model's lid lines (the eye contours), fraction of the interocular
 * distance: own scatter 0.495 % and shared offset 0.81 %, the means of the upper and lower lids of
 * both eyes (0.53 / 0.45 / 0.55 / 0.45 and 1.06 / 0.62 / 0.82 / 0.74 %), combined; same
 * measurement as INNER_LIP_LINE_SD_IOD, and a lower bound for the same reason.
 */
export const LID_LINE_SD_IOD = Math.hypot(0.00495, 0.0081);

/** A photo-space mask of one opening over its bounding box (empty when the contour encloses nothing). */
export interface PhotoOpening {
  x0: number;
  y0: number;
  width: number;
  height: number;
  inside: Uint8Array;
  /** The contour, photo pixels, x y interleaved (closed: the last point joins the first). */
  polygon: Float64Array;
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
  return { x0, y0, width, height, inside, polygon: Float64Array.from(xy) };
}

/** The mouth opening (inner lip contour). */
export function mouthOpening(landmarks: ArrayLike<number> | undefined): PhotoOpening | null {
  return contourOpening(landmarks, MOUTH_INNER);
}

/**
 * Both eye openings (inside the lid margins), subject's right then left; an eye whose lid margins
 * enclose less than a pixel is closed and has none, so no lid texel near its meeting line is
 * judged against it (its lids are textured from the photo).
 */
export function eyeOpenings(landmarks: ArrayLike<number> | undefined): PhotoOpening[] {
  return [RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR].flatMap((c) => contourOpening(landmarks, c) ?? []).filter((m) => enclosedArea(m.polygon) >= 1);
}

/** Area enclosed by the closed polyline `xy` (shoelace), square pixels. */
function enclosedArea(xy: Float64Array): number {
  let twice = 0;
  for (let i = 0, j = xy.length / 2 - 1; i < xy.length / 2; j = i++) twice += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
  return Math.abs(twice) / 2;
}

/** True when photo point (x, y) is inside the opening. */
export function inOpening(m: PhotoOpening | null, x: number, y: number): boolean {
  if (!m) return false;
  const i = Math.floor(x) - m.x0, j = Math.floor(y) - m.y0;
  return i >= 0 && j >= 0 && i < m.width && j < m.height && m.inside[j * m.width + i] === 1;
}

/**
 * True when a texel centred at photo point (x, y) and reaching `reach` pixels round it can see
 * into the opening: its centre is inside, or the contour passes within `reach` of it.
 */
export function nearOpening(m: PhotoOpening | null, x: number, y: number, reach: number): boolean {
  if (!m) return false;
  if (x < m.x0 - reach || y < m.y0 - reach || x > m.x0 + m.width + reach || y > m.y0 + m.height + reach) return false;
  if (inOpening(m, x, y)) return true;
  return reach > 0 && nearestOnContour(m.polygon, x, y).distance <= reach;
}

/**
 * Where the lid meets the eye next to photo point (x, y): the contour's nearest point (out[0],
 * out[1]) and the unit direction away from the opening there (out[2], out[3]): toward (x, y) when
 * it is outside, away from it when inside, away from the opening's centre when on the contour.
 */
export function contourOutward(m: PhotoOpening, x: number, y: number, out: Float64Array): void {
  const { point } = nearestOnContour(m.polygon, x, y);
  const sign = inOpening(m, x, y) ? -1 : 1;
  let nx = sign * (x - point[0]), ny = sign * (y - point[1]);
  if (!(Math.hypot(nx, ny) > 1e-9)) [nx, ny] = [point[0] - (m.x0 + m.width / 2), point[1] - (m.y0 + m.height / 2)];
  const len = Math.hypot(nx, ny) || 1;
  out[0] = point[0];
  out[1] = point[1];
  out[2] = nx / len;
  out[3] = ny / len;
}

/** The point of the closed polyline `xy` nearest (x, y), and its distance, pixels. */
function nearestOnContour(xy: Float64Array, x: number, y: number): { point: [number, number]; distance: number } {
  const n = xy.length / 2;
  let best = Infinity, point: [number, number] = [x, y];
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xy[2 * j], ay = xy[2 * j + 1], bx = xy[2 * i], by = xy[2 * i + 1];
    const t = segmentParameter(ax, ay, bx, by, x, y);
    const px = ax + t * (bx - ax), py = ay + t * (by - ay);
    const d = Math.hypot(x - px, y - py);
    if (d < best) (best = d), (point = [px, py]);
  }
  return { point, distance: best };
}
