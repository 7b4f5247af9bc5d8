/**
 * The canonical face's landmarks as a detector would return them for a frontal photo: centred in a
 * width × height image at pxPerM pixels per metre (photo px, y down, z toward the camera negative).
 */
import { FACE_LANDMARKS_M } from "../../src/geometry/data/canonical-face.ts";

export function frontalLandmarksPx(width: number, height: number, pxPerM: number): Float32Array {
  const n = FACE_LANDMARKS_M.length / 3;
  const lm = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    lm[i * 3] = width / 2 + FACE_LANDMARKS_M[i * 3] * pxPerM;
    lm[i * 3 + 1] = height / 2 - FACE_LANDMARKS_M[i * 3 + 1] * pxPerM;
    lm[i * 3 + 2] = -FACE_LANDMARKS_M[i * 3 + 2] * pxPerM;
  }
  return lm;
}
