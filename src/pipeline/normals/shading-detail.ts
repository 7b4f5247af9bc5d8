/**
 * The relief de-lighting recovered from the photo's shading (delight/shading-relief.ts: folds,
 * hollows, the coarser lines the photo resolves) put into N_S with its measured orientation. Its
 * slopes come at base size and are resampled to N_S's size by the caller; σ then blurs N_S into
 * N_D, so N_D carries the folds and not the pores (issue 15).
 */
import type { ImageF32 } from "../../types.ts";

/**
 * Adds a slope field to N_S in place by reoriented normal mapping (Barré-Brisebois & Hill 2012), as
 * ρ and the microgeometry add theirs. `slopes`: 2 channels at N_S's size, mm/mm, ∂h along +u and
 * ∂h up the image (the tangent frame's +X and +Y), so the detail normal is (−s_u, −s_up, 1).
 *
 * @example
 *   applyReliefSlopes(normalsSpecular, await resizeImage(delit.relief.slopes, W, H));
 */
export function applyReliefSlopes(normalsSpecular: ImageF32, slopes: ImageF32): void {
  const { width: W, height: H } = normalsSpecular;
  if (slopes.width !== W || slopes.height !== H || slopes.channels !== 2) throw new Error(`normals: relief slopes are ${slopes.width}×${slopes.height}×${slopes.channels}, expected ${W}×${H}×2`);
  if (normalsSpecular.channels !== 3) throw new Error("normals: N_S must have 3 channels");
  const d = normalsSpecular.data, s = slopes.data;
  for (let p = 0; p < W * H; p++) {
    const su = s[p * 2], sv = s[p * 2 + 1];
    if (su === 0 && sv === 0) continue;
    // Reoriented normal mapping of the detail (−su, −sv, 1) onto n: t = n + (0,0,1), u = (su, sv, 1).
    const tx = d[p * 3], ty = d[p * 3 + 1], tz = d[p * 3 + 2] + 1;
    const k = (tx * su + ty * sv + tz) / Math.max(1e-3, tz);
    const nx = tx * k - su, ny = ty * k - sv, nz = tz * k - 1;
    const l = 1 / Math.max(1e-6, Math.hypot(nx, ny, nz));
    d[p * 3] = nx * l;
    d[p * 3 + 1] = ny * l;
    d[p * 3 + 2] = nz * l;
  }
}
