/**
 * Mesh thickness in UV space (src/pipeline/unwrap/thickness.ts): exact on a slab and a sphere,
 * capped where nothing is hit, gutters filled; on the template head parts of the ears are thin and
 * the face is not; the thin-part mask follows exp(−t/ℓ).
 */
import { describe, expect, it } from "vitest";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { FACE_REGIONS, type ImageF32 } from "../src/types.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { interpolateVertexAttribute, atlasGeometry } from "../src/pipeline/unwrap/uv-geometry.ts";
import { vertexRegionWeights } from "../src/pipeline/unwrap/regions.ts";
import { meshThickness, thinPartMask, THICKNESS_DEFAULTS } from "../src/pipeline/unwrap/thickness.ts";

const img = (width: number, height: number, channels: number, values: number[]): ImageF32 => ({ width, height, channels, colorSpace: "data", data: Float32Array.from(values) });

/** Closed box [−a, a] × [−a, a] × [z0, z1] (12 triangles, outward winding irrelevant: both faces count). */
function box(a: number, z0: number, z1: number) {
  const positions = new Float32Array([-a, -a, z0, a, -a, z0, a, a, z0, -a, a, z0, -a, -a, z1, a, -a, z1, a, a, z1, -a, a, z1]);
  const quads = [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]];
  const indices = new Uint32Array(quads.flatMap(([a0, b, c, d]) => [a0, b, c, a0, c, d]));
  return { positions, indices };
}

/** UV sphere of radius r. */
function sphere(r: number, rings = 24, segments = 48) {
  const positions: number[] = [], indices: number[] = [];
  for (let i = 0; i <= rings; i++) for (let j = 0; j <= segments; j++) {
    const th = (i / rings) * Math.PI, ph = (j / segments) * 2 * Math.PI;
    positions.push(r * Math.sin(th) * Math.cos(ph), r * Math.cos(th), r * Math.sin(th) * Math.sin(ph));
  }
  for (let i = 0; i < rings; i++) for (let j = 0; j < segments; j++) {
    const a = i * (segments + 1) + j, b = a + segments + 1;
    indices.push(a, b, a + 1, a + 1, b, b + 1);
  }
  return { positions: Float32Array.from(positions), indices: Uint32Array.from(indices) };
}

describe("meshThickness", () => {
  it("measures a 4 mm slab from both faces, caps misses, fills gutters from the nearest island texel", () => {
    const mesh = box(0.05, 0, 0.004);
    // 4×1 atlas: texel 0 on the top face (normal +z), texel 1 on the bottom face (normal −z),
    // texel 2 a gutter, texel 3 on the top face but pointing away from the slab (a miss).
    const position = img(4, 1, 3, [0.01, 0.0, 0.004, -0.02, 0.01, 0, 0, 0, 0, 0.01, 0.01, 0.004]);
    const normals = img(4, 1, 3, [0, 0, 1, 0, 0, -1, 0, 0, 1, 0, 0, -1]);
    const coverage = img(4, 1, 1, [1, 1, 0, 1]);
    const t = meshThickness({ mesh, position, normalsObject: normals, coverage });
    expect(t.data[0]).toBeCloseTo(4, 3);
    expect(t.data[1]).toBeCloseTo(4, 3);
    expect(t.data[2]).toBeCloseTo(4, 3); // gutter: copy of a neighbour
    expect(t.data[3]).toBe(THICKNESS_DEFAULTS.maxThicknessMm);
    // Only the triangles asked for: without the bottom face (triangles 0–1), the top texel misses.
    const noBottom = meshThickness({ mesh, triangles: [{ first: 2, count: 10 }], position, normalsObject: normals, coverage });
    expect(noBottom.data[0]).toBe(THICKNESS_DEFAULTS.maxThicknessMm);
  });

  it("is the chord 2r through a sphere (r = 6 mm), within the tessellation's error", () => {
    const r = 0.006;
    const mesh = sphere(r);
    const n = 64, pos: number[] = [], nor: number[] = [];
    for (let k = 0; k < n; k++) {
      // Points spread over the sphere (golden spiral), on the true surface.
      const y = 1 - (2 * (k + 0.5)) / n, s = Math.sqrt(1 - y * y), ph = k * 2.399963;
      const d = [s * Math.cos(ph), y, s * Math.sin(ph)];
      pos.push(...d.map((v) => v * r * 0.995)); nor.push(...d);
    }
    const t = meshThickness({ mesh, position: img(n, 1, 3, pos), normalsObject: img(n, 1, 3, nor), coverage: img(n, 1, 1, new Array(n).fill(1)) });
    for (const v of t.data) expect(Math.abs(v - 12)).toBeLessThan(0.25);
  });

  it("rejects mismatched maps", () => {
    const mesh = box(0.05, 0, 0.004);
    expect(() => meshThickness({ mesh, position: img(2, 1, 3, [0, 0, 0, 0, 0, 0]), normalsObject: img(1, 1, 3, [0, 0, 1]), coverage: img(2, 1, 1, [1, 1]) })).toThrow(/normalsObject must be 2×1×3/);
  });
});

describe("thin-part mask", () => {
  it("is exp(−t/3.67 mm): 1 at zero thickness, ≈ 0.44 at 3 mm, < 0.2 % at the 25 mm cap", () => {
    const m = thinPartMask(img(3, 1, 1, [0, 3, 25]));
    expect(m.data[0]).toBeCloseTo(1, 6);
    expect(m.data[1]).toBeCloseTo(Math.exp(-3 / 3.67), 6);
    expect(m.data[2]).toBeLessThan(0.002);
  });

  it("on the template head: a good share of the ears is thinner than 8 mm, the cheeks and forehead nowhere", () => {
    const head = buildTemplateHead();
    const { mesh } = head;
    const W = 192, H = 288;
    const skin = head.parts.find((p) => p.part === "skin")!;
    const skinRange = { first: skin.firstIndex / 3, count: skin.indexCount / 3 };
    const ids = rasterizeUv(mesh.uvs, mesh.indices, W, H, [skinRange]);
    const g = atlasGeometry(mesh, ids);
    const coverage = img(W, H, 1, Array.from(ids.triangle, (t) => (t >= 0 ? 1 : 0)));
    const t = meshThickness({ mesh, triangles: [skinRange], position: g.position, normalsObject: g.normalsObject, coverage });
    const regions = interpolateVertexAttribute(vertexRegionWeights(mesh.positions, head.landmarkVertices), FACE_REGIONS.length, mesh.indices, ids);
    const inRegion = (name: (typeof FACE_REGIONS)[number]) => {
      const k = FACE_REGIONS.indexOf(name), out: number[] = [];
      for (let p = 0; p < W * H; p++) if (coverage.data[p] > 0 && regions.data[p * regions.channels + k] > 0.9) out.push(t.data[p]);
      return out.sort((a, b) => a - b);
    };
    const thinShare = (a: number[]) => a.filter((t) => t < 8).length / a.length;
    const ears = inRegion("ears"), cheeks = inRegion("cheeks"), forehead = inRegion("forehead");
    expect(ears.length).toBeGreaterThan(50);
    // The pinna (its rim at least) is thin; the ear region also holds the scalp around its root.
    expect(thinShare(ears)).toBeGreaterThan(0.05); // 12 % with the reworked ear root, > 50 % before
    expect(thinShare(cheeks)).toBeLessThan(0.01);
    expect(thinShare(forehead)).toBeLessThan(0.01);
    expect(cheeks[Math.floor(cheeks.length / 2)]).toBe(THICKNESS_DEFAULTS.maxThicknessMm);
  });
});
