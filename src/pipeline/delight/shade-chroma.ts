/**
 * Chromaticity in shade. Light that reaches a shadowed texel has mostly travelled through skin
 * (subsurface scattering and skin-to-skin interreflection), so shadowed skin looks redder and more
 * saturated than the same skin in direct light. Dividing it by a grey shading keeps that colour
 * and brightens it: nostril rims, nasolabial folds and lip corners come out orange against the
 * cheeks. Below a fraction of the median shading, the division's chromaticity is therefore taken
 * progressively from the regional albedo, keeping its own luminance (the detail).
 */
import { type LightingFit, smoothAlbedoAt } from "./fit.ts";
import { lumAt } from "./maps.ts";

/**
 * Rewrites, in place, the shading of texels whose shading luminance is below trust[1] × `median`
 * so that texture / shading has the regional albedo's chromaticity (fully below trust[0] × median)
 * and the luminance of the plain division. Only texels with `seen[p] > 0` and `exclude[p] ≤ 0.5` change.
 */
export function neutraliseShadeChroma(
  shading: Float32Array,
  texture: Float32Array,
  seen: Float32Array,
  fit: Pick<LightingFit, "regionAlbedo">,
  regions: Float32Array | null,
  median: number,
  trust: [number, number],
  exclude?: Float32Array,
): void {
  if (!(median > 0) || !(trust[1] > trust[0])) return;
  const smooth = [0, 0, 0];
  const J = [0, 0, 0];
  for (let p = 0; p < seen.length; p++) {
    if (seen[p] === 0 || (exclude && exclude[p] > 0.5)) continue;
    const t = Math.min(1, Math.max(0, (trust[1] - lumAt(shading, p) / median) / (trust[1] - trust[0])));
    if (t <= 0) continue;
    for (let c = 0; c < 3; c++) J[c] = texture[p * 3 + c] / Math.max(shading[p * 3 + c], 1e-6);
    const jl = lumAt(J, 0);
    smoothAlbedoAt(fit, regions, p, smooth);
    const sl = lumAt(smooth, 0);
    if (!(jl > 0) || !(sl > 0)) continue;
    for (let c = 0; c < 3; c++) {
      const target = jl * ((1 - t) * (J[c] / jl) + t * (smooth[c] / sl));
      if (target > 1e-6 && texture[p * 3 + c] > 0) shading[p * 3 + c] = texture[p * 3 + c] / target;
    }
  }
}
