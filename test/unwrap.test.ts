import { describe, expect, it } from "vitest";
import type { Camera, CaptureResult, ImageF32, Mesh, TemplateHead } from "../src/types.ts";
import { facingWeight, maskFactor, unwrap } from "../src/pipeline/unwrap.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { ambientOcclusion } from "../src/pipeline/unwrap/ambient-occlusion.ts";
import { MOUTH_INNER, RIGHT_EYE_CONTOUR } from "../src/primitives/face-topology.ts";
import { INNER_LIP_LINE_SD_IOD, LID_LINE_SD_IOD } from "../src/pipeline/unwrap/photo-openings.ts";

/** A grid of quads on the plane z = `z`, spanning x0..x1, y0..y1 (metres), facing +Z, with UVs u0..u1, v0..v1. */
function planeGrid(x0: number, x1: number, y0: number, y1: number, z: number, uv: [number, number, number, number], n = 6) {
  const positions: number[] = [], normals: number[] = [], tangents: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const s = i / n, t = j / n;
      positions.push(x0 + s * (x1 - x0), y1 - t * (y1 - y0), z);
      normals.push(0, 0, 1);
      tangents.push(1, 0, 0, 1);
      uvs.push(uv[0] + s * (uv[1] - uv[0]), uv[2] + t * (uv[3] - uv[2]));
    }
  }
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i, b = a + 1, c = a + n + 1, d = c + 1;
      // Counter-clockwise seen from +Z (x right, y up): a (top-left), c (bottom-left), b (top-right).
      indices.push(a, c, b, b, c, d);
    }
  }
  return { positions, normals, tangents, uvs, indices };
}

function meshOf(...grids: ReturnType<typeof planeGrid>[]): Mesh {
  const m = { positions: [] as number[], normals: [] as number[], tangents: [] as number[], uvs: [] as number[], indices: [] as number[] };
  for (const g of grids) {
    const base = m.positions.length / 3;
    m.positions.push(...g.positions);
    m.normals.push(...g.normals);
    m.tangents.push(...g.tangents);
    m.uvs.push(...g.uvs);
    m.indices.push(...g.indices.map((i) => i + base));
  }
  return {
    positions: Float32Array.from(m.positions),
    normals: Float32Array.from(m.normals),
    tangents: Float32Array.from(m.tangents),
    uvs: Float32Array.from(m.uvs),
    indices: Uint32Array.from(m.indices),
  };
}

const camera: Camera = {
  width: 500,
  height: 700,
  fx: 1000,
  fy: 1000,
  cx: 250,
  cy: 350,
  rotation: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]),
  translation: Float64Array.from([0, 0, -0.5]),
};

/** The known albedo of the back plane, linear RGB, as a function of its UV (u in 0..0.75). */
const truth = (u: number, v: number): [number, number, number] => [0.1 + 0.6 * u, 0.15 + 0.5 * v, 0.4 + 0.25 * Math.sin(6 * u) * Math.cos(4 * v)];
const toSrgb = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);

/** Photographs the back plane (z = 0, x ±0.1, y ±0.15) with its known texture, through `camera`; the occluder is flat grey. */
function photograph(occluder: { x0: number; x1: number; y0: number; y1: number; z: number }): ImageF32 {
  const { width, height } = camera;
  const data = new Float32Array(width * height * 3);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const rx = (i + 0.5 - camera.cx) / camera.fx, ry = -(j + 0.5 - camera.cy) / camera.fy;
      // Ray from the camera at z = 0.5 along (rx, ry, −1): hits z = zp at distance 0.5 − zp.
      const ox = rx * (0.5 - occluder.z), oy = ry * (0.5 - occluder.z);
      let rgb: [number, number, number] = [0, 0, 0];
      if (ox >= occluder.x0 && ox <= occluder.x1 && oy >= occluder.y0 && oy <= occluder.y1) rgb = [0.5, 0.5, 0.5];
      else {
        const x = rx * 0.5, y = ry * 0.5;
        if (Math.abs(x) <= 0.1 && Math.abs(y) <= 0.15) rgb = truth(((x + 0.1) / 0.2) * 0.75, (0.15 - y) / 0.3);
      }
      for (let k = 0; k < 3; k++) data[(j * width + i) * 3 + k] = toSrgb(rgb[k]);
    }
  }
  return { width, height, channels: 3, data, colorSpace: "srgb" };
}

function mask(value: (x: number, y: number) => number): ImageF32 {
  const data = new Float32Array(camera.width * camera.height);
  for (let j = 0; j < camera.height; j++) for (let i = 0; i < camera.width; i++) data[j * camera.width + i] = value(i, j);
  return { width: camera.width, height: camera.height, channels: 1, data, colorSpace: "data" };
}

// Back plane in u 0..0.75 of the atlas; a small occluder 10 cm in front of it, in u 0.8..1.
const occluderBox = { x0: 0.0, x1: 0.05, y0: 0.0, y1: 0.05, z: 0.1 };
const back = planeGrid(-0.1, 0.1, -0.15, 0.15, 0, [0, 0.75, 0, 1], 8);
const front = planeGrid(occluderBox.x0, occluderBox.x1, occluderBox.y0, occluderBox.y1, occluderBox.z, [0.8, 1, 0, 0.25], 2);
const mesh = meshOf(back, front);
const head: Pick<TemplateHead, "mesh" | "parts" | "landmarkVertices"> = {
  mesh,
  parts: [{ part: "skin", firstIndex: 0, indexCount: mesh.indices.length }],
  landmarkVertices: new Int32Array(0),
};
const W = 48, H = 72;
const capture: Pick<CaptureResult, "image" | "masks" | "landmarkConfidence"> = {
  image: photograph(occluderBox),
  masks: { skin: mask(() => 1), hair: mask((x) => (x < 60 ? 1 : 0)), occluder: mask(() => 0) },
  landmarkConfidence: new Float32Array(0),
};
const result = unwrap({ capture, fit: { mesh, camera }, head }, { width: W, height: H, aoDirections: 48, aoResolution: 256 });

/** Back-plane texel (i, j) → its point on the plane, metres. */
const backPoint = (i: number, j: number) => ({ x: -0.1 + (((i + 0.5) / W) / 0.75) * 0.2, y: 0.15 - ((j + 0.5) / H) * 0.3 });
const behindOccluder = (x: number, y: number) => {
  // Seen from (0, 0, 0.5), the occluder at z = 0.1 shadows the plane z = 0 scaled by 0.5 / 0.4.
  const s = 0.5 / 0.4;
  return x >= occluderBox.x0 * s - 0.004 && x <= occluderBox.x1 * s + 0.004 && y >= occluderBox.y0 * s - 0.004 && y <= occluderBox.y1 * s + 0.004;
};

describe("unwrap on a photographed plane with a known texture", () => {
  it("recovers the texture (linear) on visible texels", () => {
    // Two texels from the plane's border: a texel's filter footprint (≈ 8 photo pixels here, read
    // from the mip pyramid) reaches that far into the black background.
    let worst = 0, checked = 0;
    for (let j = 2; j < H - 2; j++) {
      for (let i = 2; i < Math.floor(0.75 * W) - 2; i++) {
        const p = j * W + i;
        const { x, y } = backPoint(i, j);
        if (behindOccluder(x, y) || result.visibility.data[p] === 0) continue;
        const t = truth((i + 0.5) / W, (j + 0.5) / H);
        for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(result.texture.data[3 * p + k] - t[k]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1600);
    expect(worst).toBeLessThan(0.02);
  });

  it("hides texels behind the occluder and shows the occluder itself", () => {
    let hidden = 0, shownBehind = 0;
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < Math.floor(0.75 * W); i++) {
        const { x, y } = backPoint(i, j);
        const s = 0.5 / 0.4;
        const deepInside = x > occluderBox.x0 * s + 0.006 && x < occluderBox.x1 * s - 0.006 && y > occluderBox.y0 * s + 0.006 && y < occluderBox.y1 * s - 0.006;
        if (!deepInside) continue;
        hidden++;
        shownBehind += result.visibility.data[j * W + i];
      }
    }
    expect(hidden).toBeGreaterThan(10);
    expect(shownBehind).toBe(0);
    const occluderTexel = Math.floor(0.1 * H) * W + Math.floor(0.9 * W);
    expect(result.visibility.data[occluderTexel]).toBe(1);
    expect(result.texture.data[3 * occluderTexel]).toBeCloseTo(0.5, 2);
  });

  it("zeroes confidence under the hair mask and keeps facing × mask elsewhere", () => {
    // Photo x < 60 ⇒ plane x < (60 − 250) · 0.5 / 1000 = −0.095.
    const hairTexel = 36 * W + 0; // plane x ≈ −0.097
    const clearTexel = 36 * W + 18;
    expect(result.visibility.data[hairTexel]).toBe(1);
    expect(result.confidence.data[hairTexel]).toBe(0);
    // Facing ratio of a frontal plane seen from 0.5 m: cos of the view angle, > 0.95 near the middle.
    expect(result.confidence.data[clearTexel]).toBeGreaterThan(0.95);
    expect(result.confidence.data[clearTexel]).toBeLessThanOrEqual(1);
  });

  it("bakes geometry maps, fills the gutters, and measures the texel size", () => {
    const gutter = 36 * W + Math.floor(0.775 * W);
    expect(result.coverage.data[gutter]).toBe(0);
    expect(result.texture.data[3 * gutter]).toBe(0);
    expect(Array.from(result.normalsObject.data.subarray(3 * gutter, 3 * gutter + 3))).toEqual([0, 0, 1]);
    const p = 36 * W + 18;
    expect(result.position.data[3 * p + 2]).toBeCloseTo(0, 6);
    // Depth is measured from the frontmost point (the occluder at z = 0.1).
    expect(result.depth.data[p]).toBeCloseTo(0.1, 5);
    // 0.2 m over 0.75 · 48 texels horizontally, 0.3 m over 72 vertically: √(5.556 · 4.167) mm.
    expect(result.texelSizeMm.data[p]).toBeCloseTo(Math.sqrt((200 / 36) * (300 / 72)), 3);
    expect(result.medianTexelSizeMm).toBeGreaterThan(4);
    expect(Array.from(result.normalsTangent.data.subarray(3 * p, 3 * p + 3))).toEqual([0, 0, 1]);
    expect(Array.from(result.tangentsObject.data.subarray(4 * p, 4 * p + 4))).toEqual([1, 0, 0, 1]);
  });

  it("darkens ambient occlusion under the occluder, not in the open", () => {
    const { x: ox, y: oy } = { x: 0.025, y: 0.025 }; // centre of the occluder's footprint on the plane
    const under = Math.round((0.15 - oy) / 0.3 * H - 0.5) * W + Math.round(((ox + 0.1) / 0.2) * 0.75 * W - 0.5);
    const open = Math.round(0.85 * H) * W + Math.round(0.1 * W);
    expect(result.ambientOcclusion.data[open]).toBeGreaterThan(0.97);
    // A 5 cm square 10 cm above a point blocks a solid angle whose cosine-weighted share is ~6 %.
    expect(result.ambientOcclusion.data[under]).toBeLessThan(0.97);
    expect(result.ambientOcclusion.data[under]).toBeGreaterThan(0.85);
  });
});

/**
 * An opening's contour on an ellipse round photo (150, 510), half-axes 60 × 20 px: the plane's
 * lower left (away from the occluder). A texel spans 0.2 m / 36 = 5.6 mm = 11.1 photo pixels
 * across (2000 px per metre at 0.5 m), so its footprint reaches 5.6 px; the contour's error at
 * an interocular distance of 100 px is `sdIod` × 100 px. Every texel whose centre lies outside the
 * contour was seen by the centre test alone.
 */
function expectFootprintTest(contourIds: number[], sdIod: number): void {
  const landmarks = new Float32Array(478 * 3);
  contourIds.forEach((i, k) => {
    const a = (2 * Math.PI * k) / contourIds.length;
    landmarks[3 * i] = 150 - 60 * Math.cos(a);
    landmarks[3 * i + 1] = 510 + 20 * Math.sin(a);
  });
  const contour = contourIds.map((i) => [landmarks[3 * i], landmarks[3 * i + 1]]);
  const distance = (x: number, y: number) => Math.min(...contour.map(([ax, ay], k) => {
    const [bx, by] = contour[(k + 1) % contour.length];
    const t = Math.min(1, Math.max(0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay));
  }));
  const inside = (x: number, y: number) => ((x - 150) / 60) ** 2 + ((y - 510) / 20) ** 2 < 1;
  const reach = 0.5 * (200 / 36) * 2 + sdIod * 100;
  const maps = unwrap({ capture: { ...capture, landmarks }, fit: { mesh, camera, interocularPx: 100 }, head }, { width: W, height: H, aoDirections: 8, aoResolution: 32 });
  const photoPoint = (i: number, j: number) => {
    const { x, y } = backPoint(i, j);
    return { px: camera.cx + 2000 * x, py: camera.cy - 2000 * y };
  };
  let grazing = 0, grazingSeen = 0, beyond = 0, beyondSeen = 0, within = 0, withinSeen = 0;
  for (let j = 2; j < H - 2; j++) {
    for (let i = 2; i < Math.floor(0.75 * W) - 2; i++) {
      const { px, py } = photoPoint(i, j);
      const seen = maps.visibility.data[j * W + i];
      const d = distance(px, py);
      if (inside(px, py) && d > 1) [within, withinSeen] = [within + 1, withinSeen + seen];
      else if (!inside(px, py) && d < reach - 0.5) [grazing, grazingSeen] = [grazing + 1, grazingSeen + seen];
      else if (d > reach + 0.5 && d < 4 * reach) [beyond, beyondSeen] = [beyond + 1, beyondSeen + seen];
    }
  }
  expect(grazing).toBeGreaterThan(5);
  expect(grazingSeen).toBe(0);
  expect(within).toBeGreaterThan(10);
  expect(withinSeen).toBe(0);
  expect(beyond).toBeGreaterThan(20);
  expect(beyondSeen).toBe(beyond);
}

describe("unwrap against the photo's openings", () => {
  it("leaves unseen the texels whose footprint, widened by the inner lip line's error, reaches into the mouth, and sees those beyond", () => {
    expectFootprintTest(MOUTH_INNER, INNER_LIP_LINE_SD_IOD);
  });

  it("leaves unseen the lid-skin texels whose footprint, widened by the lid line's error, reaches into an eye, and sees those beyond", () => {
    // No landmark has a vertex on the plane, so no texel is a lid margin's: all are lid skin.
    expectFootprintTest(RIGHT_EYE_CONTOUR, LID_LINE_SD_IOD);
  });
});

describe("facing weight", () => {
  it("is 0 at grazing angles, the cosine itself when facing, continuous and monotonic between", () => {
    expect(facingWeight(0.1, 0.15, 0.5)).toBe(0);
    expect(facingWeight(0.8, 0.15, 0.5)).toBe(0.8);
    expect(facingWeight(0.5, 0.15, 0.5)).toBeCloseTo(0.5, 12);
    let last = 0;
    for (let c = 0.15; c <= 1; c += 0.01) {
      const w = facingWeight(c, 0.15, 0.5);
      expect(w).toBeGreaterThanOrEqual(last);
      expect(w - last).toBeLessThan(0.05);
      last = w;
    }
  });
});

describe("rasteriser and ambient occlusion primitives", () => {
  it("covers each pixel centre of a square split in two triangles exactly once", () => {
    // Square with corners on texel centres 2.5 and 8.5 of a 16 × 16 atlas (UVs exact in binary):
    // 7 × 7 centres inside or on its edges.
    const uvs = Float32Array.from([2.5, 2.5, 8.5, 2.5, 2.5, 8.5, 8.5, 8.5].map((v) => v / 16));
    const counts = new Int32Array(16 * 16);
    for (const indices of [[0, 2, 1], [1, 2, 3]]) {
      const ids = rasterizeUv(uvs, Uint32Array.from(indices), 16, 16);
      ids.triangle.forEach((t, p) => (counts[p] += t >= 0 ? 1 : 0));
    }
    expect(Math.max(...counts)).toBe(1);
    // Top-left rule: the top and left edges are in, the bottom and right ones out ⇒ 6 × 6.
    expect(counts.reduce((s, c) => s + c, 0)).toBe(36);
  });

  it("gives 1 on an open plane and matches ray casting next to a wall", () => {
    // Floor z = 0 (normal +Z) and a wall x = 0, y −1..1, rising to z = 0.5.
    const floor = planeGrid(-1, 1, -1, 1, 0, [0, 1, 0, 1], 4);
    const wall = {
      positions: [0, -1, 0, 0, 1, 0, 0, -1, 0.5, 0, 1, 0.5],
      normals: [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0],
      tangents: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
      uvs: [0, 0, 0, 0, 0, 0, 0, 0],
      indices: [0, 1, 2, 1, 3, 2],
    };
    const m = meshOf(floor, wall);
    const points = Float32Array.from([0.1, 0, 0, 0.6, 0, 0]);
    const normals = Float32Array.from([0, 0, 1, 0, 0, 1]);
    // Alone, the floor occludes nothing but grazing directions' depth-map quantisation (< 1 %).
    const alone = ambientOcclusion(meshOf(floor).positions, meshOf(floor).indices, points, normals, 2);
    for (const a of alone) expect(a).toBeGreaterThan(0.99);
    const ao = ambientOcclusion(m.positions, m.indices, points, normals, 2, { directions: 256, resolution: 512 });
    // Reference: cosine-weighted ray casting against the exact wall rectangle, many directions.
    const reference = (px: number, py: number) => {
      let open = 0, total = 0;
      const n = 20000, golden = Math.PI * (3 - Math.sqrt(5));
      for (let k = 0; k < n; k++) {
        const z = 1 - (k + 0.5) / n, r = Math.sqrt(1 - z * z); // upper hemisphere only
        const dx = r * Math.cos(golden * k), dy = r * Math.sin(golden * k);
        total += z;
        const s = dx < 0 ? -px / dx : Infinity; // ray reaches x = 0
        const hit = Number.isFinite(s) && Math.abs(py + s * dy) <= 1 && s * z <= 0.5;
        if (!hit) open += z;
      }
      return open / total;
    };
    expect(Math.abs(ao[0] - reference(0.1, 0))).toBeLessThan(0.03);
    expect(Math.abs(ao[1] - reference(0.6, 0))).toBeLessThan(0.03);
    expect(ao[0]).toBeLessThan(0.75); // the wall matters close by
    // A sky shining only from the open side (+x) reaches the point whole; one from the wall's side
    // (−x) holds all the occlusion; the halves weigh the same, so uniform is their mean.
    const halfSky = (sky: (x: number) => number) => ambientOcclusion(m.positions, m.indices, points, normals, 2, { directions: 256, resolution: 512, sky });
    const fromOpen = halfSky((x) => (x > 0 ? 1 : 0)), fromWall = halfSky((x) => (x < 0 ? 1 : 0));
    expect(fromOpen[0]).toBeGreaterThan(0.97);
    expect(fromWall[0]).toBeLessThan(ao[0] - 0.2);
    expect(Math.abs((fromOpen[0] + fromWall[0]) / 2 - ao[0])).toBeLessThan(0.01);
  });
});

describe("unwrap of the template head rendered by src/render with a known texture", () => {
  it("recovers the texture on well-seen texels (> 41.5 dB) and agrees with the renderer's visibility", async () => {
    const { buildTemplateHead } = await import("../src/geometry/template-head.ts");
    const { lookAtCamera, projectToScreen } = await import("../src/render/camera.ts");
    const { createFragments, rasterize } = await import("../src/raster/rasterize.ts");
    const head = buildTemplateHead();
    const { mesh } = head;
    const TW = 192, TH = 288;
    // Known linear texture: smooth colour ramps plus a mid-frequency pattern (≈ 12 texels per period).
    const truth = (u: number, v: number, c: number) => 0.25 + 0.15 * [u, v, 1 - u][c] + 0.08 * Math.sin(2 * Math.PI * 16 * u) * Math.cos(2 * Math.PI * 16 * v);
    const S = 768;
    const camera = lookAtCamera({ eye: [0.25, 0.02, 0.65], target: [0, -0.03, -0.04], fovYDeg: 26, width: S, height: S });
    const frags = createFragments(S, S);
    rasterize(frags, projectToScreen(camera, mesh.positions), mesh.indices, { cull: "back" });
    const toSrgb = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);
    const photo = new Float32Array(S * S * 3);
    for (let p = 0; p < S * S; p++) {
      const t = frags.triangle[p];
      if (t < 0) continue;
      const [a, b, c] = [mesh.indices[3 * t], mesh.indices[3 * t + 1], mesh.indices[3 * t + 2]];
      const w1 = frags.b1[p], w2 = frags.b2[p], w0 = 1 - w1 - w2;
      const u = w0 * mesh.uvs[2 * a] + w1 * mesh.uvs[2 * b] + w2 * mesh.uvs[2 * c];
      const v = w0 * mesh.uvs[2 * a + 1] + w1 * mesh.uvs[2 * b + 1] + w2 * mesh.uvs[2 * c + 1];
      for (let k = 0; k < 3; k++) photo[3 * p + k] = toSrgb(truth(u, v, k));
    }
    const one = (v: number): ImageF32 => ({ width: S, height: S, channels: 1, data: new Float32Array(S * S).fill(v), colorSpace: "data" });
    const r = unwrap(
      { capture: { image: { width: S, height: S, channels: 3, data: photo, colorSpace: "srgb" }, masks: { skin: one(1), hair: one(0), occluder: one(0) }, landmarkConfidence: new Float32Array(478).fill(1) }, fit: { mesh, camera }, head },
      { width: TW, height: TH, aoDirections: 8, aoResolution: 64 },
    );
    let se = 0, n = 0;
    for (let p = 0; p < TW * TH; p++) {
      if (r.confidence.data[p] < 0.5) continue;
      const u = ((p % TW) + 0.5) / TW, v = (Math.floor(p / TW) + 0.5) / TH;
      for (let k = 0; k < 3; k++) se += (r.texture.data[3 * p + k] - truth(u, v, k)) ** 2;
      n += 3;
    }
    const psnr = 10 * Math.log10(1 / (se / n));
    expect(n / 3).toBeGreaterThan(0.25 * TW * TH);
    // 42.7 dB measured; the same run with the principal point off by half a pixel gives 40.4 dB,
    // so this also pins the pixel-centre convention shared with src/render.
    expect(psnr).toBeGreaterThan(41.5);
    // A texel unwrap calls visible projects onto a photo pixel the renderer drew (not background).
    let outside = 0, visible = 0;
    const pc = new Float64Array(3);
    for (let p = 0; p < TW * TH; p++) {
      if (!r.visibility.data[p]) continue;
      visible++;
      const [x, y, z] = r.position.data.subarray(3 * p, 3 * p + 3);
      const R = camera.rotation, T = camera.translation;
      for (let k = 0; k < 3; k++) pc[k] = R[3 * k] * x + R[3 * k + 1] * y + R[3 * k + 2] * z + T[k];
      const px = Math.floor(camera.cx + (camera.fx * pc[0]) / -pc[2]), py = Math.floor(camera.cy - (camera.fy * pc[1]) / -pc[2]);
      if (frags.triangle[py * S + px] < 0) outside++;
    }
    expect(outside / visible).toBeLessThan(0.01);
  });
});

describe("maskFactor", () => {
  const plane = (v: number): ImageF32 => ({ width: 4, height: 4, channels: 1, data: new Float32Array(16).fill(v), colorSpace: "data" });
  const masks = (hair: number, occluder: number) => ({ skin: plane(1), hair: plane(hair), occluder: plane(occluder) });
  it("with dropLikely, keeps a texel that is more likely skin, weighted by that likelihood, and drops one that is more likely hair or an occluder", () => {
    expect(maskFactor(masks(0.3, 0), 4, 4, 2, 2, 0, 0.5, true)).toBeCloseTo(0.7, 6);
    expect(maskFactor(masks(0, 0.4), 4, 4, 2, 2, 0, 0.5, true)).toBeCloseTo(0.6, 6);
    // A likely-hair texel's small skin weight survives the fill (weights are normalised).
    expect(maskFactor(masks(0.7, 0), 4, 4, 2, 2, 0, 0.5, true)).toBe(0);
    expect(maskFactor(masks(0.7, 0), 4, 4, 2, 2, 0, 0.5, false)).toBeCloseTo(0.3, 6);
    // Hair and occluder together: (1 − 0.3)(1 − 0.4) = 0.42 < ½.
    expect(maskFactor(masks(0.3, 0.4), 4, 4, 2, 2, 0, 0.5, true)).toBe(0);
  });
});

describe("unwrap's closed-lid share", () => {
  it("maps the share of each skin texel the open head shows of the closed one, and leaves colour and confidence alone", () => {
    // The closed pose stretches the back plane's upper half (y > 0) 2× vertically: texels there were half seen.
    const closedLids = Float32Array.from(mesh.positions, (v, i) => (i % 3 === 1 && i < back.positions.length && v > 0 ? 2 * v : v));
    const options = { width: W, height: H, aoDirections: 8, aoResolution: 32 };
    const shared = unwrap({ capture, fit: { mesh, camera, closedLids }, head }, options);
    const plain = unwrap({ capture, fit: { mesh, camera }, head }, options);
    const upper = Math.round(((0.15 - 0.1) / 0.3) * H - 0.5) * W + 18; // plane y ≈ 0.1, x ≈ −0.04
    const lower = Math.round(((0.15 + 0.1) / 0.3) * H - 0.5) * W + 18; // plane y ≈ −0.1
    const share = shared.closedLidShare!.data;
    expect(share[upper]).toBeCloseTo(0.5, 3);
    expect(share[lower]).toBe(1);
    expect(plain.closedLidShare).toBeUndefined();
    expect(unwrap({ capture, fit: { mesh, camera, closedLids }, head }, { ...options, closedLidShare: false }).closedLidShare).toBeUndefined();
    expect(Array.from(shared.confidence.data)).toEqual(Array.from(plain.confidence.data));
    expect(Array.from(shared.texture.data)).toEqual(Array.from(plain.texture.data));

    // With lid loops (the upper margin along the plane's row y = 0), only skin within the crease
    // height of it was tucked: the stretched texel 10 cm above is seen skin (share 1), but it is
    // upper lid the closing stretches, so it is no sample for the fill.
    const loop = new Int32Array([44, 36, 36, 44]);
    const rig = { upperSeam: new Int32Array(0), lowerSeam: new Int32Array(0), lidRight: loop, lidLeft: loop, mandible: new Float32Array(0), tongueTip: 0 };
    const rigged = unwrap({ capture, fit: { mesh, camera, closedLids }, head: { ...head, rig } }, options);
    expect(rigged.closedLidShare!.data[upper]).toBe(1);
    expect(rigged.upperLidSkin!.data[upper]).toBe(1);
    expect(rigged.upperLidSkin!.data[lower]).toBe(0);
    expect(shared.upperLidSkin).toBeUndefined();
  });
});
