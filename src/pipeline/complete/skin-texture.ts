/**
 * Which seen skin lends its texture to the filled texels, and how much of it each filled texel
 * takes (complete/synthesis.ts synthesises it).
 */
import { FACE_REGIONS, type RegionMaps } from "../../types.ts";
import type { Grid } from "./grid.ts";
import { skinPriorMask } from "./seen.ts";
import { synthesiseSkinDetail } from "./synthesis.ts";
import { mapF32, mapU8 } from "../../primitives/typed-array.ts";

/** The options the skin texture reads (CompleteOptions' fields of the same names). */
export interface SkinTextureOptions {
  synthesisCell: number;
  synthesisSigma: number;
  synthesisMinConfidence: number;
}

/**
 * Multiplies the texels without photo data of their own (by how much each is fill, 1 − c1; a
 * mirrored texel already has the mirror's texture) by skin texture synthesised from the
 * well-seen skin, in place; false when too little skin is seen to lend it.
 */
export function addSkinTexture(filled: Float32Array, T: Float32Array, c: Float32Array, c1: Float32Array, grid: Grid, regions: RegionMaps | undefined, o: SkinTextureOptions): boolean {
  const { width, height, channels, covered } = grid;
  const n = width * height;
  // The example: the cheeks, where skin shows its mottling with the fewest folds and wrinkles
  // (forehead lines and the nasolabial fold are shading, and copied they read as creases); all
  // skin when the cheeks lend too little.
  const skin = skinPriorMask(regions, n);
  const cheeks = regions ? FACE_REGIONS.indexOf("cheeks") : -1;
  const options = { cell: o.synthesisCell, sigma: o.synthesisSigma, minConfidence: o.synthesisMinConfidence, minSources: 16 };
  const fromCheeks = mapF32(c, (v, p) => (cheeks >= 0 && regions!.weights.data[p * regions!.weights.channels + cheeks] >= 0.5 ? v : 0));
  const axes = regions?.texelAxesMm?.data;
  const share = fillShare(c, c1, covered, n);
  // Only the texels that take texture are synthesised (most of a face's atlas is seen).
  const wanted = mapU8(share, (t) => (t > 0 ? 1 : 0));
  const detail =
    synthesiseSkinDetail(T, channels, fromCheeks, width, height, options, axes, wanted) ??
    synthesiseSkinDetail(T, channels, mapF32(c, (v, p) => (skin[p] >= 0.9 ? v : 0)), width, height, options, axes, wanted);
  if (!detail) return false;
  for (let p = 0; p < n; p++) {
    const t = share[p];
    if (t <= 0) continue;
    for (let k = 0; k < channels; k++) filled[p * channels + k] *= Math.exp(t * detail[p * channels + k]);
  }
  return true;
}

/**
 * Per texel, how much of it is fill (1 − c1) where it has no photo data of its own, else 0: a
 * partly seen texel keeps its photo colour (later stages fit the light to those), however little
 * of it there is.
 */
function fillShare(c: Float32Array, c1: Float32Array, covered: (p: number) => boolean, n: number): Float64Array {
  const share = new Float64Array(n);
  for (let p = 0; p < n; p++) share[p] = covered(p) && c[p] === 0 ? 1 - Math.min(1, c1[p]) : 0;
  return share;
}
