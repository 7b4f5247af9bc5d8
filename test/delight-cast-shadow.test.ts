import { afterAll, describe, expect, it } from "vitest";
import { delight } from "../src/pipeline/delight.ts";
import { disposeSessions } from "../src/models/session.ts";
import { directionalLightSh, evaluateShImage, radianceToIrradiance, SH_COUNT, shBasis } from "../src/render/sh.ts";
import { occlusionMasks, skyVisibility } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { LUMA_709 } from "../src/primitives/color.ts";
import { lightVisibility } from "../src/pipeline/delight/light-visibility.ts";
import type { ImageF32 } from "../src/types.ts";
import { linearToSrgb, srgbToLinear } from "./support/synthetic-skin.ts";

afterAll(disposeSessions);

/**
 * A dome of skin, 1 mm texels, with a ridge 20 mm high across its middle, under a key light 25° above the
 * horizon from the ridge's side and an ambient fill: the ridge casts a shadow on the dome beyond it.
 * Inside the shadow the albedo has dark stripes (lash lines, lid creases: albedo in the shade). The
 * photo is the light's shading through the mesh's own visibility. With the occlusion masks the model
 * casts that shadow, so A_D is as flat under it as beside it and keeps the stripes; AO alone leaves
 * the shadow in A_D.
 */
describe("delight casts the mesh's own shadows under the fitted light", () => {
  const W = 97, H = 97, n = W * H, mm = 0.001;
  const ridgeX = 28;
  const ridgeLength = (y: number) => Math.exp(-(Math.max(0, Math.abs(y - 48) - 20) ** 2) / (2 * 3 ** 2));
  const height = (x: number, y: number) => 0.02 * Math.max(0, 1 - ((x - 48) ** 2 + (y - 48) ** 2) / 70 ** 2) + 0.02 * ridgeLength(y) * Math.exp(-((x - ridgeX) ** 2) / (2 * 2.5 ** 2));
  const positions = new Float32Array(n * 3);
  const normals = new Float32Array(n * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      positions.set([x * mm, y * mm, height(x, y)], 3 * p);
      const gx = (height(x + 0.5, y) - height(x - 0.5, y)) / mm, gy = (height(x, y + 0.5) - height(x, y - 0.5)) / mm;
      const l = Math.hypot(gx, gy, 1);
      normals.set([-gx / l, -gy / l, 1 / l], 3 * p);
    }
  }
  const indices: number[] = [];
  for (let y = 0; y + 1 < H; y++) for (let x = 0; x + 1 < W; x++) {
    const p = y * W + x;
    indices.push(p, p + 1, p + W, p + 1, p + W + 1, p + W);
  }
  const rawMasks = occlusionMasks(positions, Uint32Array.from(indices), positions, normals, n, { normalOffsetM: 0.0005, depthBiasM: 0.0005 });
  const masks = { width: W, height: H, ...rawMasks };
  const toward: [number, number, number] = [-Math.cos((25 * Math.PI) / 180), 0, Math.sin((25 * Math.PI) / 180)];
  const radiance = directionalLightSh(toward, [3, 3, 3], [0.04, 0.04, 0.04]);
  const irradiance = radianceToIrradiance(radiance);
  const y9 = new Float64Array(SH_COUNT);
  const visibility = skyVisibility(rawMasks, normals, n, (x, y, z) => {
    shBasis(x, y, z, y9);
    let s = 0;
    for (let k = 0; k < SH_COUNT; k++) for (let c = 0; c < 3; c++) s += LUMA_709[c] * radiance[k * 3 + c] * y9[k];
    return s;
  });
  const E = evaluateShImage(irradiance, normals, n);
  const skin = [0.5, 0.36, 0.3];
  const shadow = (x: number, y: number) => x >= 36 && x <= 56 && y >= 34 && y <= 62;
  const stripe = (y: number) => y % 8 < 3;
  const albedo = (x: number, y: number) => (shadow(x, y) && stripe(y) ? 0.6 : 1);
  const img = (channels: number, f: (p: number, c: number) => number, colorSpace: ImageF32["colorSpace"]): ImageF32 => ({ width: W, height: H, channels, colorSpace, data: Float32Array.from({ length: n * channels }, (_, i) => f(Math.floor(i / channels), i % channels)) });
  const T = img(3, (p, c) => (skin[c] * albedo(p % W, Math.floor(p / W)) * visibility[p] * E[p * 3 + c]) / Math.PI, "linear");
  const ao = skyVisibility(rawMasks, normals, n);
  const input = {
    texture: { ...T, data: T.data.map(linearToSrgb), colorSpace: "srgb" as const },
    textureBase: T,
    confidence: img(1, () => 0.9, "data"),
    normalsObject: img(3, (p, c) => normals[p * 3 + c], "data"),
    ambientOcclusion: img(1, (p) => ao[p], "data"),
    occlusionMasks: masks,
  };
  const meanG = (a: ImageF32, inside: (x: number, y: number) => boolean) => {
    let s = 0, k = 0;
    for (let p = 0; p < n; p++) if (inside(p % W, Math.floor(p / W))) (s += Math.log(srgbToLinear(a.data[p * 3 + 1]))), k++;
    return Math.exp(s / k);
  };
  const plainShadow = (x: number, y: number) => shadow(x, y) && !stripe(y) && y % 8 !== 7 && y % 8 !== 3;
  const stripeCentre = (x: number, y: number) => shadow(x, y) && y % 8 === 1;
  const beside = (x: number, y: number) => x >= 36 && x <= 56 && (y < 14 || y > 82) && y > 4 && y < 92;
  // The shadow must be there to be taken out: at the shadow's centre the key light is mostly blocked.
  it("the scene: the ridge takes most of the key light off the dome behind it", () => {
    expect(visibility[48 * W + 38]).toBeLessThan(0.4);
    expect(visibility[48 * W + 80]).toBeGreaterThan(0.95);
  });

  it("under a uniform light the light's visibility is the ambient occlusion", () => {
    const uniform = radianceToIrradiance(directionalLightSh([0, 0, 1], [0, 0, 0], [1, 1, 1]));
    const v = lightVisibility(masks, input.normalsObject, uniform).data;
    for (let p = 0; p < n; p += 37) expect(Math.abs(v[p] - ao[p])).toBeLessThan(1e-6);
  });

  it("A_D under the shadow is the skin beside it (within 6 %), and its stripes keep their contrast (0.6 ± 0.06)", async () => {
    const withShadows = await delight(input, { shapeFromShading: null });
    expect(withShadows.lightOcclusion).toBeDefined();
    const level = meanG(withShadows.albedo, plainShadow) / meanG(withShadows.albedo, beside);
    expect(Math.abs(level - 1)).toBeLessThan(0.06);
    expect(Math.abs(meanG(withShadows.albedo, stripeCentre) / meanG(withShadows.albedo, plainShadow) - 0.6)).toBeLessThan(0.06);
    // AO alone leaves the cast shadow in A_D.
    const aoOnly = await delight(input, { shapeFromShading: null, castShadows: false });
    expect(meanG(aoOnly.albedo, plainShadow) / meanG(aoOnly.albedo, beside)).toBeLessThan(0.85);
  });
});
