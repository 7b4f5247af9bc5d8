/**
 * The seen region's border in A_D seen from farther out (issue 13, the temple line). The border
 * ΔE00 of skin-checks.ts compares 6-texel windows on either side of the border: it sees a step, but
 * not a thin band of a third colour along it, which is what the 45° and profile views showed (the
 * obliquely seen rim of the face, greyer than both the face inside it and the fill outside it). Two
 * measures over bands at a signed distance from the border:
 *
 * - wide step: ΔE00 between the seen interior (INTERIOR texels in) and the fill (FILL texels out):
 *   the low-frequency tone step a blend has to spread;
 * - line: ΔE00 from the rim (the RIM texels nearest the border on the seen side) to the nearest
 *   colour on the way from the interior to the fill (their linear blends), over the border where
 *   the surface faces sideways (temples, the sides of the cheeks and jaw: what the 45° and profile
 *   views look at). A step, sharp or smooth, leaves the rim on that way (≈ 0); a band of a third
 *   colour does not.
 */
import { chamferDistance } from "../src/image/chamfer-distance.ts";
import { ciede2000, linearSrgbToLab } from "../src/primitives/color.ts";

/** Seen texels at most this far (texels) from the nearest unseen skin texel are the rim. */
const RIM: [number, number] = [0, 3];
/** Seen texels this far (texels) from the border are the face's interior (≈ 6–12 mm at the base map's temples). */
const INTERIOR: [number, number] = [6, 12];
/** Unseen texels this far (texels) from the seen region are the fill (past the blend's first texels). */
const FILL: [number, number] = [3, 12];
/** Half-width of the square window around each border texel the bands are averaged over, texels. */
const WINDOW = 12;
/** |n_x| of the object-space normal from which a surface faces sideways (30° or more from the sagittal plane: sin 30° = 0.5). */
const SIDEWAYS = 0.5;
/** Fewest texels a band needs in a window for the window to count. */
const MIN_TEXELS = 4;

export interface SeamChecks {
  /** Median ΔE00 between the seen interior and the fill around each border texel (null: no border). */
  wideDeltaE: number | null;
  /** Median ΔE00 from the rim to the nearest interior–fill blend, over border texels facing sideways (null: none). */
  lineDeltaE: number | null;
  /** Border texels facing sideways that were measured. */
  sideTexels: number;
}

/**
 * The two measures on a base-size linear albedo. `seen`: the photo (or its mirror) saw the texel;
 * `skin`: skin texels without features (lips, eyelids, brows); `normals`: object-space unit
 * normals, xyz per texel (glTF axes: x across the face).
 */
export function seamChecks(albedo: Float32Array, seen: Uint8Array, skin: Uint8Array, normals: Float32Array, W: number, H: number): SeamChecks {
  const toUnseen = chamferDistance(W, H, (p) => skin[p] === 1 && seen[p] === 0);
  const toSeen = chamferDistance(W, H, (p) => skin[p] === 1 && seen[p] === 1);
  const band = (p: number): number => {
    if (!skin[p]) return -1;
    if (seen[p]) return toUnseen[p] <= RIM[1] ? 0 : toUnseen[p] >= INTERIOR[0] && toUnseen[p] <= INTERIOR[1] ? 1 : -1;
    return toSeen[p] >= FILL[0] && toSeen[p] <= FILL[1] ? 2 : -1;
  };
  const bands = Int8Array.from({ length: W * H }, (_, p) => band(p));
  const wide: number[] = [];
  const line: number[] = [];
  const sums = new Float64Array(12);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!skin[p] || !seen[p]) continue;
      if (![p - 1, p + 1, p - W, p + W].some((k) => skin[k] && !seen[k])) continue;
      sums.fill(0);
      for (let yy = Math.max(0, y - WINDOW); yy <= Math.min(H - 1, y + WINDOW); yy++) {
        for (let xx = Math.max(0, x - WINDOW); xx <= Math.min(W - 1, x + WINDOW); xx++) {
          const k = yy * W + xx;
          const b = bands[k];
          if (b < 0) continue;
          for (let c = 0; c < 3; c++) sums[4 * b + c] += albedo[3 * k + c];
          sums[4 * b + 3]++;
        }
      }
      if (sums[7] < MIN_TEXELS || sums[11] < MIN_TEXELS) continue;
      const mean = (b: number) => [0, 1, 2].map((c) => sums[4 * b + c] / sums[4 * b + 3]);
      const inside = mean(1), fill = mean(2);
      wide.push(ciede2000(linearSrgbToLab(inside[0], inside[1], inside[2]), linearSrgbToLab(fill[0], fill[1], fill[2])));
      if (Math.abs(normals[3 * p]) < SIDEWAYS || sums[3] < MIN_TEXELS) continue;
      line.push(offPath(mean(0), inside, fill));
    }
  }
  return { wideDeltaE: median(wide), lineDeltaE: median(line), sideTexels: line.length };
}

/** Blends between the interior and the fill tried for the nearest one to the rim (steps of 1/BLEND_STEPS). */
const BLEND_STEPS = 20;

/** ΔE00 from `rim` to the nearest of the linear blends of `a` and `b` (linear RGB). */
function offPath(rim: number[], a: number[], b: number[]): number {
  const target = linearSrgbToLab(rim[0], rim[1], rim[2]);
  let best = Infinity;
  for (let i = 0; i <= BLEND_STEPS; i++) {
    const t = i / BLEND_STEPS;
    const c = [0, 1, 2].map((k) => (1 - t) * a[k] + t * b[k]);
    best = Math.min(best, ciede2000(target, linearSrgbToLab(c[0], c[1], c[2])));
  }
  return best;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
