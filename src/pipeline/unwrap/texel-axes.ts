/**
 * The atlas's local scale along each image axis: how many mm of surface one texel step in x and
 * one in y cover. The isotropic texel size (√ of the area ratio) hides stretch: the lofted scalp
 * and neck island is unrolled with different scales across and along, and texture copied there
 * from the face without that correction comes out drawn out in one direction (complete/synthesis.ts).
 */
import type { ImageF32 } from "../../types.ts";

/**
 * Per covered texel, [mm per texel along x, mm per texel along y]: the shorter one-sided difference
 * of the surface position to a covered neighbour (the shorter, so that a step across an island's
 * cut, where neighbouring texels lie far apart on the head, is not taken for stretch). Texels with
 * no covered neighbour along an axis, and gutters, get 0 there (unknown).
 *
 *   const axes = texelAxesMm(position, (p) => ids.triangle[p] >= 0);
 */
export function texelAxesMm(position: ImageF32, covered: (p: number) => boolean): ImageF32 {
  const { width: W, height: H } = position;
  const P = position.data;
  const out = new Float32Array(W * H * 2);
  const dist = (p: number, q: number) => 1000 * Math.hypot(P[3 * p] - P[3 * q], P[3 * p + 1] - P[3 * q + 1], P[3 * p + 2] - P[3 * q + 2]);
  const shorter = (p: number, a: number, b: number) => {
    const da = a >= 0 && covered(a) ? dist(p, a) : Infinity;
    const db = b >= 0 && covered(b) ? dist(p, b) : Infinity;
    const d = Math.min(da, db);
    return Number.isFinite(d) ? d : 0;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    if (!covered(p)) continue;
    out[2 * p] = shorter(p, x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1);
    out[2 * p + 1] = shorter(p, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1);
  }
  return { width: W, height: H, channels: 2, data: out, colorSpace: "data" };
}
