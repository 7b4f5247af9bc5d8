/**
 * The relief de-lighting recovered from the photo's shading (delight/shading-relief.ts: folds,
 * hollows, the coarser lines the photo resolves) put into N_S with its measured orientation. Its
 * slopes come at base size and are sampled at N_S's size here; σ then blurs N_S into
 * N_D, so N_D carries the folds and not the pores (issue 15). The relief was measured on the
 * photo's diffuse shading, which the skin's subsurface scattering had already smoothed: it is the
 * surface as diffuse light sees it, so N_D takes it back at full height (diffuseReliefRemainder).
 */
import { blurPlane } from "../../image/box-blur.ts";
import type { ImageF32 } from "../../types.ts";

/**
 * What σ's scattering profile takes off a relief slope field (slopes − Σ_k w_k·G_σk ⊛ slopes), to
 * be added to N_D after σ: the relief's shading is the photo's diffuse shading, already scattered,
 * and blurring it again would draw it under light weaker than the division took it out of A_D.
 * `profile`: σ's Gaussians (mm, weights summing to 1); `texelMm`: the slopes' texel size, mm.
 */
export function diffuseReliefRemainder(slopes: ImageF32, profile: readonly { sigmaMm: number; weight: number }[], texelMm: number): ImageF32 {
  if (slopes.channels !== 2) throw new Error(`normals: relief slopes have ${slopes.channels} channels, expected 2`);
  if (!(texelMm > 0)) throw new Error(`normals: relief texel size must be > 0 mm, got ${texelMm}`);
  const { width: W, height: H, data } = slopes;
  const n = W * H;
  const out = Float32Array.from(data);
  const plane = new Float64Array(n);
  for (let c = 0; c < 2; c++) {
    for (const { sigmaMm, weight } of profile) {
      for (let p = 0; p < n; p++) plane[p] = data[p * 2 + c];
      blurPlane(plane, W, H, sigmaMm / texelMm);
      for (let p = 0; p < n; p++) out[p * 2 + c] -= weight * plane[p];
    }
  }
  return { ...slopes, data: out };
}

/**
 * Adds a slope field to N_S in place by reoriented normal mapping (Barré-Brisebois & Hill 2012), as
 * ρ and the microgeometry add theirs. `slopes`: 2 channels, mm/mm, ∂h along +u and ∂h up the image
 * (the tangent frame's +X and +Y), so the detail normal is (−s_u, −s_up, 1); any size with N_S's
 * aspect, sampled bilinearly with texel centres aligned row by row (no full-size copy: at ultra that
 * would be 200 MB).
 *
 * @example
 *   applyReliefSlopes(normalsSpecular, delit.relief.slopes);
 */
export function applyReliefSlopes(normalsSpecular: ImageF32, slopes: ImageF32): void {
  const { width: W, height: H } = normalsSpecular;
  const { width: w, height: h } = slopes;
  if (slopes.channels !== 2 || w * H !== h * W) throw new Error(`normals: relief slopes are ${w}×${h}×${slopes.channels}, expected 2 channels with N_S's ${W}×${H} aspect`);
  if (normalsSpecular.channels !== 3) throw new Error("normals: N_S must have 3 channels");
  const d = normalsSpecular.data, s = slopes.data;
  const sx = w / W, sy = h / H;
  const x0 = new Int32Array(W), x1 = new Int32Array(W), fx = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const c = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    x0[x] = Math.floor(c);
    x1[x] = Math.min(w - 1, x0[x] + 1);
    fx[x] = c - x0[x];
  }
  for (let y = 0; y < H; y++) {
    const cy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const r0 = Math.floor(cy) * w, r1 = Math.min(h - 1, Math.floor(cy) + 1) * w, fy = cy - Math.floor(cy);
    for (let x = 0; x < W; x++) {
      const a = (r0 + x0[x]) * 2, b = (r0 + x1[x]) * 2, c = (r1 + x0[x]) * 2, e = (r1 + x1[x]) * 2, f = fx[x];
      const topU = s[a] + (s[b] - s[a]) * f, botU = s[c] + (s[e] - s[c]) * f;
      const topV = s[a + 1] + (s[b + 1] - s[a + 1]) * f, botV = s[c + 1] + (s[e + 1] - s[c + 1]) * f;
      const su = topU + (botU - topU) * fy, sv = topV + (botV - topV) * fy;
      if (su === 0 && sv === 0) continue;
      const p = y * W + x;
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
}
