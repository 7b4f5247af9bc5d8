// unwrap's lid margins (src/pipeline/unwrap/lid-margin.ts): the texels the eye contours cross in the atlas, and the lash line read across the lid line.
import { describe, expect, it } from "vitest";
import { LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR } from "../src/primitives/face-topology.ts";
import { lidMarginTexels, sampleLashLine } from "../src/pipeline/unwrap/lid-margin.ts";
import { buildPhotoPyramid } from "../src/pipeline/unwrap/photo-pyramid.ts";
import type { ImageF32 } from "../src/types.ts";

describe("lidMarginTexels", () => {
  it("marks the texels each eye contour crosses in UV, on skin only, and nothing inside or beyond", () => {
    // Each contour on a circle of radius 8 texels round (16, 16) and (48, 16) of a 64 × 32 atlas;
    // landmark k is vertex k, so the UVs are indexed by landmark.
    const W = 64, H = 32;
    const uvs = new Float32Array(478 * 2);
    const landmarkVertices = Int32Array.from({ length: 478 }, (_, k) => k);
    for (const [contour, cx] of [[RIGHT_EYE_CONTOUR, 16], [LEFT_EYE_CONTOUR, 48]] as const) {
      contour.forEach((k, i) => {
        const a = (2 * Math.PI * i) / contour.length;
        uvs[2 * k] = (cx + 8 * Math.cos(a)) / W;
        uvs[2 * k + 1] = (16 + 8 * Math.sin(a)) / H;
      });
    }
    // The right half of the left eye's loop is not skin (say, another part's triangles).
    const margin = lidMarginTexels(uvs, landmarkVertices, W, H, (p) => p % W < 52);
    let marked = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!margin.data[y * W + x]) continue;
        marked++;
        const r = Math.min(Math.hypot(x + 0.5 - 16, y + 0.5 - 16), Math.hypot(x + 0.5 - 48, y + 0.5 - 16));
        // A 16-gon of radius 8 lies between 7.85 and 8 from its centre: crossed texels within a texel's diagonal.
        expect(Math.abs(r - 7.9)).toBeLessThan(1.2);
        expect(x).toBeLessThan(52);
      }
    }
    // The right loop's circumference (≈ 50 texels) and part of the left's.
    expect(marked).toBeGreaterThan(60);
    expect(margin.data[16 * W + 16]).toBe(0);
    // A landmark without a vertex leaves its contour out.
    const missing = Int32Array.from(landmarkVertices);
    missing[RIGHT_EYE_CONTOUR[3]] = -1;
    expect(lidMarginTexels(uvs, missing, W, H, () => true).data.slice(0, 32 * W).some((v, p) => v > 0 && p % W < 32)).toBe(false);
  });
});

describe("sampleLashLine", () => {
  it("reads the darkest of the band beyond the lid line, never the eye inside it", () => {
    // A photo: sclera (bright) below y = 20, the lid line there; lashes (dark) from 1 to 3 px above
    // it, lid skin beyond. A lid line 2 px off (the detector's error) still finds the lashes.
    const W = 40, H = 40;
    const sclera = [0.7, 0.68, 0.65], lash = [0.02, 0.015, 0.012], skin = [0.4, 0.27, 0.2];
    const data = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const c = y >= 20 ? sclera : y >= 17 ? lash : skin;
      // sRGB-encoded input, as capture's image (the pyramid linearises).
      for (let k = 0; k < 3; k++) data[(y * W + x) * 3 + k] = c[k] <= 0.0031308 ? 12.92 * c[k] : 1.055 * Math.pow(c[k], 1 / 2.4) - 0.055;
    }
    const photo: ImageF32 = { width: W, height: H, channels: 3, colorSpace: "srgb", data };
    const pyramid = buildPhotoPyramid(photo, { x: 0, y: 0, width: W, height: H });
    const out = new Float32Array(3);
    for (const lineY of [20, 22]) {
      sampleLashLine(pyramid, Float64Array.from([20, lineY, 0, -1]), 1, 3, out);
      expect(out[0]).toBeLessThan(0.05);
    }
    // Without any error band, a line 2 px below the lashes reads the sclera's side of them only at its own point.
    sampleLashLine(pyramid, Float64Array.from([20, 22, 0, -1]), 1, 0, out);
    expect(out[0]).toBeGreaterThan(0.5);
  });
});
