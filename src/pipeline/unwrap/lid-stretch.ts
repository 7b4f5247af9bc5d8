/**
 * How the blink stretches what the photo saw. The head is unwrapped as photographed, usually with
 * the eyes open; the eyeBlink shapes then rotate the upper lid down over the globe, and the band
 * between the lid margin and the crease (a few mm in the photo: lashes, margin, the fold's shadow)
 * spreads over the whole closed lid. A texel's photo sample is only as good as the photo's pixels
 * per mm² of the surface it will be shown on, so the foreshortening that counts is the photographed
 * head's (the facing ratio) divided by how many times the texel's surface grows when the lids
 * close: the same facing test then leaves a lid texel the blink stretches to the fill, which takes
 * the seen lid skin around it, and a lid the photo shows closed (no stretch) from the photo.
 */
import type { Blendshape, Camera } from "../../types.ts";
import { NEAR_PLANE_M, toCamera } from "./camera-view.ts";

/** The shapes whose weight-1 sum closes both lids (ARKit names, src/geometry/blendshape-names.ts). */
const CLOSING_SHAPES = ["eyeBlinkLeft", "eyeBlinkRight"];

/**
 * The head with both lids closed: `neutral` (xyz per vertex, metres) plus each eyeBlink shape at
 * weight 1; null when the shapes lack them.
 *
 *   const closed = closedLidPositions(fitted.mesh.positions, fitted.expression.blendshapes);
 */
export function closedLidPositions(neutral: Float32Array, blendshapes: readonly Blendshape[]): Float32Array | null {
  const closing = CLOSING_SHAPES.map((name) => blendshapes.find((s) => s.name === name));
  if (closing.some((s) => !s || s.delta.length !== neutral.length)) return null;
  const out = Float32Array.from(neutral);
  for (const shape of closing) for (let i = 0; i < out.length; i++) out[i] += shape!.delta[i];
  return out;
}

/**
 * Per triangle, how many times larger its area is on `shown` than on `photographed` (same
 * topology, xyz per vertex): at least 1 (a surface that shrinks is sampled more finely, never
 * worse); Infinity where the photographed triangle has no area and the shown one has.
 */
export function triangleStretch(photographed: Float32Array, shown: Float32Array, indices: Uint32Array): Float32Array {
  if (photographed.length !== shown.length) throw new Error(`triangleStretch: ${photographed.length / 3} photographed vertices, ${shown.length / 3} shown`);
  const out = new Float32Array(indices.length / 3);
  for (let t = 0; t < out.length; t++) {
    const a = indices[3 * t], b = indices[3 * t + 1], c = indices[3 * t + 2];
    const seen = doubleArea(photographed, a, b, c), later = doubleArea(shown, a, b, c);
    out[t] = later > seen ? (seen > 0 ? later / seen : Infinity) : 1;
  }
  return out;
}

/** Twice the area of triangle (a, b, c) of a position array. */
function doubleArea(P: Float32Array, a: number, b: number, c: number): number {
  const ux = P[3 * b] - P[3 * a], uy = P[3 * b + 1] - P[3 * a + 1], uz = P[3 * b + 2] - P[3 * a + 2];
  const vx = P[3 * c] - P[3 * a], vy = P[3 * c + 1] - P[3 * a + 1], vz = P[3 * c + 2] - P[3 * a + 2];
  return Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
}

/**
 * Photo pixel (out[0], out[1]) where the point at barycentrics (1 − w1 − w2, w1, w2) of triangle t
 * of the closed-lid head projects through the photo's camera; false when it lies behind the camera.
 * Skin whose closed position falls inside the photo's open eye is the skin that covers the eye
 * when the lids close: the pretarsal strip, which an open eye tucks under the lid fold (the
 * tarsus rides up under the orbital part as the levator lifts it), so the photo shows lashes and
 * the margin where the head puts it. A closed eye in the photo has no opening: its lid keeps the photo.
 */
export function closedLidPoint(camera: Camera, closed: Float32Array, indices: Uint32Array, t: number, w1: number, w2: number, out: Float64Array): boolean {
  const a = 3 * indices[3 * t], b = 3 * indices[3 * t + 1], c = 3 * indices[3 * t + 2];
  const w0 = 1 - w1 - w2;
  toCamera(camera, w0 * closed[a] + w1 * closed[b] + w2 * closed[c], w0 * closed[a + 1] + w1 * closed[b + 1] + w2 * closed[c + 1], w0 * closed[a + 2] + w1 * closed[b + 2] + w2 * closed[c + 2], out);
  const dist = -out[2];
  if (!(dist > NEAR_PLANE_M)) return false;
  const x = camera.cx + (camera.fx * out[0]) / dist, y = camera.cy - (camera.fy * out[1]) / dist;
  out[0] = x;
  out[1] = y;
  return true;
}
