import { afterAll, describe, expect, it } from "vitest";
import { regionalSpecular, specular, SPECULAR_DEFAULTS, SPECULAR_F0_AT_ONE } from "../src/pipeline/specular.ts";
import { disposeSessions } from "../src/models/session.ts";
import { FACE_REGIONS, type RegionMaps } from "../src/types.ts";
import { image } from "./support/image.ts";

afterAll(disposeSessions);

const W = 64;
const H = 96;

/** Base-size regions: forehead in the top third, brows in a band, the rest "other skin". */
const regions: RegionMaps = {
  weights: image(W / 4, H / 4, FACE_REGIONS.length, "data", (_x, y, c) => {
    if (y < 8) return c === FACE_REGIONS.indexOf("forehead") ? 1 : 0;
    if (y >= 10 && y < 12) return c === FACE_REGIONS.indexOf("brows") ? 1 : 0;
    return 0;
  }),
};

describe("specular ψ", () => {
  it("maps nominal skin to F0 0.028 and modulates it by region", async () => {
    const flat = image(W, H, 3, "srgb", (_x, _y, c) => [0.75, 0.55, 0.45][c]);
    const { specularAlbedo } = await specular({ albedo: flat, regions, texelSizeMm: 0.1 });
    expect(specularAlbedo.channels).toBe(1);
    expect(specularAlbedo.colorSpace).toBe("linear");
    const As = (x: number, y: number) => specularAlbedo.data[y * W + x];
    // Other skin: nominal F0.
    expect(As(30, 80) * SPECULAR_F0_AT_ONE).toBeCloseTo(0.028, 4);
    // Forehead: oilier (×1.28); brows: hair, low.
    expect(As(30, 10) / As(30, 80)).toBeCloseTo(SPECULAR_DEFAULTS.regionLevels.forehead, 2);
    expect(As(30, 44) / As(30, 80)).toBeCloseTo(SPECULAR_DEFAULTS.regionLevels.brows, 1);
  });

  it("lowers specular in cavities (local darkening of A_D at the pore scale)", async () => {
    // A 0.3 mm pore (3 texels at 0.1 mm) 30 % darker than the skin around it.
    const pore = image(W, H, 3, "srgb", (x, y, c) => [0.75, 0.55, 0.45][c] * (1 - 0.3 * Math.exp(-((x - 32) ** 2 + (y - 60) ** 2) / (2 * 1.5 ** 2))));
    const { specularAlbedo } = await specular({ albedo: pore, texelSizeMm: 0.1 });
    const centre = specularAlbedo.data[60 * W + 32];
    const around = specularAlbedo.data[60 * W + 48];
    expect(around * SPECULAR_F0_AT_ONE).toBeCloseTo(0.028, 4);
    expect(centre).toBeLessThan(0.8 * around);
    expect(centre).toBeGreaterThanOrEqual(SPECULAR_DEFAULTS.minCavityFactor * around - 1e-6);
    // The same pore on a mesh with 1 mm texels is 3 mm wide: no longer a pore but a patch of
    // darker skin, so the cavity term nearly vanishes.
    const coarse = await specular({ albedo: pore, texelSizeMm: 1 });
    expect(coarse.specularAlbedo.data[60 * W + 32]).toBeGreaterThan(centre + 0.05);
  });

  it("builds the regional level from soft region weights", () => {
    const level = regionalSpecular(regions, W / 4, H / 4, SPECULAR_DEFAULTS);
    expect(level.data[0]).toBeCloseTo((0.028 / SPECULAR_F0_AT_ONE) * SPECULAR_DEFAULTS.regionLevels.forehead, 6);
  });

  it("rejects inputs it cannot use", async () => {
    const flat = image(W, H, 3, "linear", () => 0.5);
    await expect(specular({ albedo: flat, texelSizeMm: 0.1 })).rejects.toThrow(/sRGB/);
    await expect(specular({ albedo: { ...flat, colorSpace: "srgb" }, texelSizeMm: -1 })).rejects.toThrow(/texelSizeMm/);
  });
});
