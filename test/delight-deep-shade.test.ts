import { describe, expect, it } from "vitest";
import { DELIGHT_DEFAULTS } from "../src/pipeline/delight.ts";
import { MODEL_REGIONS, type LightingFit } from "../src/pipeline/delight/fit.ts";
import { unitShading } from "../src/pipeline/delight/shading.ts";
import { RELIEF_DEFAULTS } from "../src/pipeline/delight/shading-relief.ts";
import type { ImageF32 } from "../src/types.ts";

/**
 * A flat patch under a uniform light whose template cavity (a disc, ambient occlusion 0.15) is
 * twice as deep as the skin the photo saw there (true occlusion 0.3), and whose albedo inside the
 * cavity has dark stripes 2 mm wide (lash lines, lid creases: albedo in the shade). The deep-shade
 * correction's slow part (deepShadeSlowMm at the relief's band limit) must fix the cavity's level and
 * leave the stripes in T / shading; the local blend (the default) divides them out.
 */
describe("delight's deep-shade correction", () => {
  const W = 96, H = 96, n = W * H, texelMm = 0.5;
  const inCavity = (x: number, y: number) => Math.hypot(x - 48, y - 48) < 22;
  const stripe = (x: number) => x % 10 < 4;
  const Y0 = 0.282095;
  const e = 1.2; // irradiance E = e·π over every normal: band 0 only
  const irradiance = new Float64Array(27);
  for (let c = 0; c < 3; c++) irradiance[c] = (e * Math.PI) / Y0;
  const skin = [0.5, 0.35, 0.28];
  const fit: LightingFit = { irradiance, regionAlbedo: Float64Array.from({ length: MODEL_REGIONS * 3 }, (_, i) => skin[i % 3]), residualSigma: 0.05, inlierFraction: 1, texelsUsed: n };
  const img = (channels: number, f: (p: number, c: number) => number): ImageF32 => ({ width: W, height: H, channels, colorSpace: channels === 3 ? "linear" : "data", data: Float32Array.from({ length: n * channels }, (_, i) => f(Math.floor(i / channels), i % channels)) });
  const xy = (p: number) => [p % W, Math.floor(p / W)] as const;
  const albedo = (p: number) => { const [x, y] = xy(p); return inCavity(x, y) && stripe(x) ? 0.6 : 1; };
  const trueAO = (p: number) => (inCavity(...xy(p)) ? 0.3 : 1);
  const input = {
    textureBase: img(3, (p, c) => skin[c] * albedo(p) * trueAO(p) * e),
    confidence: img(1, () => 0.8),
    normalsObject: img(3, (_, c) => (c === 2 ? 1 : 0)),
    ambientOcclusion: img(1, (p) => (inCavity(...xy(p)) ? 0.15 : 1)),
    baseTexelSizeMm: texelMm,
  };
  const fitWeight = Float32Array.from({ length: n }, (_, p) => (inCavity(...xy(p)) ? 0 : 1));
  const slow = unitShading(input, fit, fitWeight, { ...DELIGHT_DEFAULTS, deepShadeSlowMm: RELIEF_DEFAULTS.bandLimitMm });
  const local = unitShading(input, fit, fitWeight, DELIGHT_DEFAULTS);
  const Jof = (shading: Float32Array) => (p: number) => input.textureBase.data[p * 3 + 1] / shading[p * 3 + 1] / skin[1];
  const J = Jof(slow);
  const stripeContrast = (j: (p: number) => number) => [30, 40, 50, 60].map((x0) => j(48 * W + x0 + 1) / j(48 * W + x0 + 7));

  it("corrects the cavity's level: the log-mean of T / shading there is the region's albedo (the model alone: twice it)", () => {
    let sj = 0, k = 0;
    for (let p = 0; p < n; p++) if (inCavity(...xy(p))) (sj += Math.log(J(p))), k++;
    expect(Math.exp(sj / k)).toBeGreaterThan(0.95);
    expect(Math.exp(sj / k)).toBeLessThan(1.05);
  });

  it("leaves the albedo's stripes in the shade to the albedo (contrast 0.6 ± 0.05)", () => {
    // Stripe centres against the skin between stripes, along the cavity's middle row.
    for (const r of stripeContrast(J)) expect(Math.abs(r - 0.6)).toBeLessThan(0.05);
    // The local blend (σ 2 texels ≈ 1 mm) calls part of every stripe shading: 0.64–1.04 here.
    for (const r of stripeContrast(Jof(local))) expect(r).toBeGreaterThan(0.63);
  });
});
