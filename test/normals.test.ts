import { afterAll, describe, expect, it } from "vitest";
import { normals, fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { disposeSessions } from "../src/models/session.ts";
import { runTiled } from "../src/models/tiled.ts";
import { builtinNormalsDiffuseEstimator, builtinNormalsSpecularEstimator } from "../src/estimators/builtin.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { unwrap } from "../src/pipeline/unwrap.ts";
import { FACE_REGIONS, LANDMARK_COUNT, type ImageF32 } from "../src/types.ts";
import { image } from "./support/image.ts";

afterAll(disposeSessions);

const W = 64;
const H = 96;
const TEXEL_MM = 0.1;

/** Skin-coloured albedo (sRGB) with a round spot at (cx, cy), darker (pit) or brighter (bump). */
const spotAlbedo = (cx: number, cy: number, contrast: number) =>
  image(W, H, 3, "srgb", (x, y, c) => {
    const r2 = (x - cx) ** 2 + (y - cy) ** 2;
    return [0.75, 0.55, 0.45][c] * (1 + contrast * Math.exp(-r2 / (2 * 2.5 ** 2)));
  });
const flatNT = image(W / 4, H / 4, 3, "data", (_x, _y, c) => (c === 2 ? 1 : 0));
const at = (img: ImageF32, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe("normals ρ, σ", () => {
  it("tilts N_S away from a raised bump and into a pit, per glTF tangent space (+X right, +Y up the image)", async () => {
    const bump = await normals({ albedo: spotAlbedo(32, 48, 0.5), normalsTangent: flatNT, texelSizeMm: TEXEL_MM });
    const ns = bump.normalsSpecular;
    // Brighter spot = raised. Right of it the height falls with +x (∂h/∂x < 0) → n_x > 0; left of it n_x < 0.
    expect(at(ns, 35, 48)[0]).toBeGreaterThan(0.05);
    expect(at(ns, 29, 48)[0]).toBeLessThan(-0.05);
    // Below it (larger row) the surface falls toward the bottom of the image, so its normal leans
    // down the image, i.e. toward −Y (tangent +Y points up the image, toward −v): n_y < 0. Above it, n_y > 0.
    expect(at(ns, 32, 51)[1]).toBeLessThan(-0.05);
    expect(at(ns, 32, 45)[1]).toBeGreaterThan(0.05);
    // A pit (darker) tilts the other way.
    const pit = await normals({ albedo: spotAlbedo(32, 48, -0.3), normalsTangent: flatNT, texelSizeMm: TEXEL_MM });
    expect(at(pit.normalsSpecular, 35, 48)[0]).toBeLessThan(-0.05);
    // Far from the spot: the mesh normal.
    expect(at(ns, 5, 5)[2]).toBeGreaterThan(0.9999);
    // Unit length everywhere, both maps.
    for (const map of [ns, bump.normalsDiffuse, pit.normalsSpecular]) {
      for (let p = 0; p < W * H; p++) expect(Math.hypot(map.data[p * 3], map.data[p * 3 + 1], map.data[p * 3 + 2])).toBeCloseTo(1, 4);
    }
    // N_D is N_S smoothed: a smaller tilt at the flank than N_S.
    expect(Math.abs(at(bump.normalsDiffuse, 35, 48)[0])).toBeLessThan(Math.abs(at(ns, 35, 48)[0]));
    expect(at(bump.normalsDiffuse, 35, 48)[0]).toBeGreaterThan(0);
  });

  it("follows the mesh's N_T and scales the detail physically by the texel size", async () => {
    const tilted = image(W / 4, H / 4, 3, "data", (_x, _y, c) => [0.3, 0, Math.sqrt(1 - 0.09)][c]);
    const flat = image(W, H, 3, "srgb", (_x, _y, c) => [0.75, 0.55, 0.45][c]);
    const r = await normals({ albedo: flat, normalsTangent: tilted, texelSizeMm: TEXEL_MM });
    expect(at(r.normalsSpecular, 20, 30)[0]).toBeCloseTo(0.3, 4);
    expect(at(r.normalsDiffuse, 20, 30)[0]).toBeCloseTo(0.3, 4);
    // The same texel pattern on a surface with texels twice as large spans twice the mm: the
    // height change per texel is the same but per mm halves, so slopes halve.
    const fine = await normals({ albedo: spotAlbedo(32, 48, 0.5), normalsTangent: flatNT, texelSizeMm: 0.05 }, { highPassSigmaMm: 0.5 });
    const coarse = await normals({ albedo: spotAlbedo(32, 48, 0.5), normalsTangent: flatNT, texelSizeMm: 0.1 }, { highPassSigmaMm: 1 });
    const slope = (m: ImageF32) => at(m, 35, 48)[0] / at(m, 35, 48)[2];
    expect(slope(fine.normalsSpecular) / slope(coarse.normalsSpecular)).toBeCloseTo(2, 1);
    expect(fullSizeTexelMm(0.8, 384, 3072)).toBeCloseTo(0.1, 10);
  });

  it("gives the same maps tile by tile as in one pass (receptive fields are honest)", async () => {
    const albedo = image(W, H, 3, "srgb", (x, y, c) => [0.7, 0.5, 0.4][c] * (1 + 0.3 * Math.sin(x * 1.3) * Math.cos(y * 0.7)));
    const nt = image(W, H, 3, "data", (_x, _y, c) => (c === 2 ? 1 : 0));
    for (const [make, inputs] of [
      [builtinNormalsSpecularEstimator, [albedo, nt]],
      [builtinNormalsDiffuseEstimator, [image(W, H, 3, "data", (x, y, c) => [0.2 * Math.sin(x), 0.2 * Math.cos(y * 1.7), 0.96][c])]],
    ] as const) {
      // 0.3 mm texels: both the convolution and the running-sum blur paths, receptive fields ≈ 10–15 texels.
      const e = make({ texelSizeMm: 0.3 });
      const whole = (await runTiled(await e.session(), e.manifest, [...inputs]))[0];
      const small = { ...e.manifest, inferencePatch: e.manifest.overlap + 12 };
      expect(small.inferencePatch).toBeLessThan(W);
      const tiled = (await runTiled(await e.session(), small, [...inputs]))[0];
      let maxDiff = 0;
      for (let i = 0; i < whole.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.data[i] - tiled.data[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it("draws the relief from shading in N_D at the height it has in N_S (the photo's shading was already scattered)", async () => {
    // A fold 1.2 mm wide (σ of its height) across the map, at base size (a quarter of the maps').
    const bw = W / 4, bh = H / 4, baseMm = 4 * TEXEL_MM, s = 1.2;
    const slopes = image(bw, bh, 2, "data", (x, _y, c) => {
      const u = (x + 0.5 - bw / 2) * baseMm;
      return c === 0 ? ((-0.1 * u) / s ** 2) * Math.exp(-(u * u) / (2 * s * s)) : 0;
    });
    const flat = image(W, H, 3, "srgb", (_x, _y, c) => [0.75, 0.55, 0.45][c]);
    const r = await normals({ albedo: flat, normalsTangent: flatNT, texelSizeMm: TEXEL_MM, reliefSlopes: slopes });
    // Over the fold's flanks, N_D's tilt against N_S's: the same height, not blurred twice.
    let ds = 0, ss = 0;
    for (let x = 0; x < W; x++) {
      const ns = at(r.normalsSpecular, x, 48), nd = at(r.normalsDiffuse, x, 48);
      ds += (nd[0] / nd[2]) * (ns[0] / ns[2]);
      ss += (ns[0] / ns[2]) ** 2;
    }
    expect(ss).toBeGreaterThan(0.01);
    expect(ds / ss).toBeGreaterThan(0.97);
    expect(ds / ss).toBeLessThan(1.03);
  });

  it("rejects inputs it cannot use", async () => {
    await expect(normals({ albedo: spotAlbedo(1, 1, 0), normalsTangent: flatNT, texelSizeMm: 0 })).rejects.toThrow(/texelSizeMm/);
    await expect(normals({ albedo: spotAlbedo(1, 1, 0), normalsTangent: image(10, 10, 3, "data", () => 0), texelSizeMm: 0.1 })).rejects.toThrow(/atlas/);
  });
});

describe("normals on the template head, through the GLB's tangent frame", () => {
  it("a raised bump painted on the cheek leans N_S away from the bump in object space", async () => {
    const head = buildTemplateHead();
    const W = 192;
    const H = 288;
    const camera = { width: 64, height: 64, fx: 80, fy: 80, cx: 32, cy: 32, rotation: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: Float64Array.from([0, 0, -0.8]) };
    const plane = (v: number): ImageF32 => ({ width: 64, height: 64, channels: 1, data: new Float32Array(64 * 64).fill(v), colorSpace: "data" });
    const grey: ImageF32 = { width: 64, height: 64, channels: 3, data: new Float32Array(64 * 64 * 3).fill(0.5), colorSpace: "srgb" };
    const u = unwrap(
      { capture: { image: grey, masks: { skin: plane(1), hair: plane(0), occluder: plane(0) }, landmarkConfidence: new Float32Array(LANDMARK_COUNT).fill(1) }, fit: { mesh: head.mesh, camera }, head },
      { width: W, height: H, aoDirections: 4, aoResolution: 32 },
    );
    // The bump: on the subject's left cheek, inside the face island.
    const cheek = FACE_REGIONS.indexOf("cheeks");
    let best = -1;
    let bestW = 0;
    for (let p = 0; p < W * H; p++) {
      const w = u.regions.weights.data[p * u.regions.weights.channels + cheek];
      if ((p % W) > W / 2 && w > bestW) (best = p), (bestW = w);
    }
    const cx = best % W;
    const cy = Math.floor(best / W);
    const albedo = image(W, H, 3, "srgb", (x, y, c) => [0.75, 0.55, 0.45][c] * (1 + 0.4 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 2 ** 2))));
    const { normalsSpecular } = await normals({ albedo, normalsTangent: u.normalsTangent, texelSizeMm: u.medianTexelSizeMm });
    const v3 = (img: ImageF32, p: number) => [img.data[p * img.channels], img.data[p * img.channels + 1], img.data[p * img.channels + 2]];
    const centre = v3(u.position, best);
    let checked = 0;
    for (const [dx, dy] of [[3, 0], [-3, 0], [0, 3], [0, -3], [2, 2], [-2, -2], [2, -2], [-2, 2]]) {
      const p = (cy + dy) * W + (cx + dx);
      expect(u.coverage.data[p]).toBe(1);
      const n = v3(u.normalsObject, p);
      const t = v3(u.tangentsObject, p);
      const w = u.tangentsObject.data[p * 4 + 3];
      const b = [w * (n[1] * t[2] - n[2] * t[1]), w * (n[2] * t[0] - n[0] * t[2]), w * (n[0] * t[1] - n[1] * t[0])];
      const ns = v3(normalsSpecular, p);
      const obj = [0, 1, 2].map((k) => t[k] * ns[0] + b[k] * ns[1] + n[k] * ns[2]);
      // Tilt = the part of the perturbed normal off the mesh normal; it must point away from the bump.
      const along = obj[0] * n[0] + obj[1] * n[1] + obj[2] * n[2];
      const tilt = obj.map((v, k) => v - along * n[k]);
      const pos = v3(u.position, p);
      const away = pos.map((v, k) => v - centre[k]);
      const cos = (tilt[0] * away[0] + tilt[1] * away[1] + tilt[2] * away[2]) / (Math.hypot(...tilt) * Math.hypot(...away));
      expect(cos).toBeGreaterThan(0.7);
      checked++;
    }
    expect(checked).toBe(8);
  });
});

