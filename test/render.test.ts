import { describe, expect, it } from "vitest";
import { lookAtCamera, projectToScreen } from "../src/render/camera.ts";
import { createFragments, rasterize, rasterizeUv } from "../src/raster/rasterize.ts";
import { interpolate, shadeFragments } from "../src/render/shade.ts";
import { renderPreview } from "../src/render/preview.ts";
import { computeNormals, computeTangents } from "../src/geometry/mesh-utils.ts";
import type { Mesh } from "../src/types.ts";

/** A UV sphere of radius r: rings × segments quads, poles as fans. Counter-clockwise from outside. */
function sphere(r: number, rings: number, segments: number): Mesh {
  const pos: number[] = [];
  const uv: number[] = [];
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j <= segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      pos.push(r * Math.sin(th) * Math.sin(ph), r * Math.cos(th), r * Math.sin(th) * Math.cos(ph));
      uv.push(j / segments, i / rings);
    }
  }
  const idx: number[] = [];
  const at = (i: number, j: number) => i * (segments + 1) + j;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      if (i > 0) idx.push(at(i, j), at(i + 1, j), at(i, j + 1));
      if (i < rings - 1) idx.push(at(i, j + 1), at(i + 1, j), at(i + 1, j + 1));
    }
  }
  const positions = new Float32Array(pos);
  const indices = new Uint32Array(idx);
  const uvs = new Float32Array(uv);
  const normals = computeNormals(positions, indices);
  return { positions, indices, uvs, normals, tangents: computeTangents(positions, normals, uvs, indices) };
}

describe("camera", () => {
  it("projects the look-at target to the image centre and a point to the right of it to the right", () => {
    const cam = lookAtCamera({ eye: [0, 0, 2], target: [0, 0, 0], fovYDeg: 40, width: 200, height: 100 });
    const s = projectToScreen(cam, [0, 0, 0, 0.1, 0.05, 0]);
    expect(s[0]).toBeCloseTo(100, 5);
    expect(s[1]).toBeCloseTo(50, 5);
    expect(s[2]).toBeCloseTo(2, 6);
    const f = 50 / Math.tan((20 * Math.PI) / 180);
    expect(s[3]).toBeCloseTo(100 + (f * 0.1) / 2, 4);
    expect(s[4]).toBeCloseTo(50 - (f * 0.05) / 2, 4); // y up in the world is up in the image
  });
});

describe("rasterize", () => {
  it("covers a triangle's area, keeps the nearer of two overlapping triangles and culls back faces", () => {
    const frags = createFragments(64, 64);
    // Screen-space triangles (x, y, w): far one first, then a nearer one over it; both CCW on a y-up screen.
    const screen = new Float32Array([8, 56, 3, 56, 56, 3, 8, 8, 3, 8, 56, 1, 56, 56, 1, 8, 8, 1]);
    rasterize(frags, screen, new Uint32Array([0, 1, 2, 3, 4, 5]));
    let covered = 0;
    for (let p = 0; p < 64 * 64; p++) if (frags.triangle[p] >= 0) covered++;
    expect(Math.abs(covered - 48 * 48 * 0.5)).toBeLessThan(60);
    for (let p = 0; p < 64 * 64; p++) if (frags.triangle[p] >= 0) expect(frags.triangle[p]).toBe(1);
    const culled = createFragments(64, 64);
    rasterize(culled, screen, new Uint32Array([0, 2, 1]));
    expect(culled.triangle.every((t) => t < 0)).toBe(true);
  });

  it("interpolates perspective-correctly: the interpolated world point reprojects onto its pixel", () => {
    const cam = lookAtCamera({ eye: [0.3, 0.2, 0.5], target: [0, 0, 0], fovYDeg: 50, width: 96, height: 96 });
    // A slanted triangle spanning a large depth range.
    const positions = new Float32Array([-0.3, -0.2, -0.4, 0.3, -0.2, 0.1, 0, 0.3, -0.2]);
    const indices = new Uint32Array([0, 1, 2]);
    const frags = createFragments(96, 96);
    rasterize(frags, projectToScreen(cam, positions), indices, { cull: "none" });
    const p = new Float32Array(3);
    let checked = 0;
    for (let j = 0; j < 96; j += 7) {
      for (let i = 0; i < 96; i += 7) {
        const k = j * 96 + i;
        if (frags.triangle[k] < 0) continue;
        interpolate(positions, 3, indices, 0, 1 - frags.b1[k] - frags.b2[k], frags.b1[k], frags.b2[k], p);
        const s = projectToScreen(cam, p);
        expect(s[0]).toBeCloseTo(i + 0.5, 3);
        expect(s[1]).toBeCloseTo(j + 0.5, 3);
        expect(s[2]).toBeCloseTo(frags.depth[k], 4);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("rasterises in UV space with affine weights that interpolate 3D attributes", () => {
    // Two triangles tiling the unit square in UV; the attribute is the UV itself scaled.
    const uvs = new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]);
    const indices = new Uint32Array([0, 3, 1, 1, 3, 2]);
    const attr = new Float32Array([0, 0, 2, 0, 2, 3, 0, 3]);
    const frags = rasterizeUv(uvs, indices, 16, 24);
    const img = shadeFragments(frags, { channels: 2, shade: (t, b0, b1, b2, _p, out) => interpolate(attr, 2, indices, t, b0, b1, b2, out) }, "data");
    for (let j = 0; j < 24; j++) {
      for (let i = 0; i < 16; i++) {
        expect(frags.triangle[j * 16 + i]).toBeGreaterThanOrEqual(0);
        expect(img.data[2 * (j * 16 + i)]).toBeCloseTo(((i + 0.5) / 16) * 2, 5);
        expect(img.data[2 * (j * 16 + i) + 1]).toBeCloseTo(((j + 0.5) / 24) * 3, 5);
      }
    }
  });
});

describe("preview", () => {
  it("lights a sphere brighter on the key-light side and leaves the corners as background", () => {
    const mesh = sphere(0.1, 24, 48);
    const cam = lookAtCamera({ eye: [0, 0, 0.6], target: [0, 0, 0], fovYDeg: 25, width: 64, height: 64 });
    const img = renderPreview(mesh, cam, { supersample: 1, keyLight: [-1, 0, 0.3], background: [0, 0, 0] });
    const at = (x: number, y: number) => img.data[3 * (y * 64 + x)];
    expect(at(0, 0)).toBe(0);
    expect(at(20, 32)).toBeGreaterThan(at(44, 32) + 0.1);
  });

  it("computes outward normals and unit tangents along +u", () => {
    const mesh = sphere(1, 12, 24);
    for (let v = 0; v < mesh.positions.length / 3; v += 17) {
      const p = mesh.positions.subarray(3 * v, 3 * v + 3);
      const n = mesh.normals.subarray(3 * v, 3 * v + 3);
      expect(p[0] * n[0] + p[1] * n[1] + p[2] * n[2]).toBeGreaterThan(0.95);
      const t = mesh.tangents.subarray(4 * v, 4 * v + 4);
      expect(Math.hypot(t[0], t[1], t[2])).toBeCloseTo(1, 5);
      expect(Math.abs(t[0] * n[0] + t[1] * n[1] + t[2] * n[2])).toBeLessThan(1e-5);
    }
  });
});
