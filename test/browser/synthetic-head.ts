/**
 * TEST DATA ONLY: a synthetic head (an ellipsoid with two eyeballs) and synthetic skin maps, used
 * by the materials tests and the browser scene tests until the real pipeline writes jobs. Nothing
 * here is a result of porelight; the maps are procedural (seeded noise), not estimated from photos.
 */
import { computeTangents } from "../../src/geometry/mesh-utils.ts";
import { encodePng } from "../../src/image/encode.ts";
import type { HeadPart, ImageF32, Mesh } from "../../src/types.ts";
import { prng as mulberry32 } from "../support/synthetic-skin.ts";

export interface SyntheticHead {
  mesh: Mesh;
  parts: { part: HeadPart; firstIndex: number; indexCount: number }[];
}

/** Ellipsoid patch (lat/long grid) with glTF UVs (v down from the top pole). */
function ellipsoid(centre: [number, number, number], radii: [number, number, number], rings: number, segments: number) {
  const positions: number[] = [], normals: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (let r = 0; r <= rings; r++) {
    const theta = (r / rings) * Math.PI; // 0 at the top
    for (let s = 0; s <= segments; s++) {
      // u = 0.5 at the front (+Z), growing toward +X
      const phi = (s / segments - 0.5) * 2 * Math.PI;
      const nx = Math.sin(theta) * Math.sin(phi), ny = Math.cos(theta), nz = Math.sin(theta) * Math.cos(phi);
      positions.push(centre[0] + radii[0] * nx, centre[1] + radii[1] * ny, centre[2] + radii[2] * nz);
      const gx = nx / radii[0], gy = ny / radii[1], gz = nz / radii[2];
      const len = Math.hypot(gx, gy, gz);
      normals.push(gx / len, gy / len, gz / len);
      uvs.push(s / segments, r / rings);
    }
  }
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s, b = a + segments + 1;
      // counter-clockwise seen from outside
      indices.push(a, b, a + 1, a + 1, b, b + 1);
    }
  }
  return { positions, normals, uvs, indices };
}

/** Head-sized ellipsoid (metres: 15 × 22 × 19 cm) plus two 12 mm eyeballs; glTF axes. */
export function syntheticHead(detail = 48): SyntheticHead {
  const pieces = [
    { part: "skin" as const, geo: ellipsoid([0, 0, 0], [0.075, 0.11, 0.095], detail, detail * 2) },
    { part: "eyeLeft" as const, geo: ellipsoid([0.032, 0.025, 0.08], [0.012, 0.012, 0.012], 12, 16) },
    { part: "eyeRight" as const, geo: ellipsoid([-0.032, 0.025, 0.08], [0.012, 0.012, 0.012], 12, 16) },
  ];
  const positions: number[] = [], normals: number[] = [], uvs: number[] = [], indices: number[] = [];
  const parts: SyntheticHead["parts"] = [];
  for (const { part, geo } of pieces) {
    const base = positions.length / 3;
    parts.push({ part, firstIndex: indices.length, indexCount: geo.indices.length });
    positions.push(...geo.positions); normals.push(...geo.normals); uvs.push(...geo.uvs);
    indices.push(...geo.indices.map((i) => i + base));
  }
  const mesh: Mesh = { positions: Float32Array.from(positions), normals: Float32Array.from(normals), uvs: Float32Array.from(uvs), indices: Uint32Array.from(indices), tangents: new Float32Array(0) };
  mesh.tangents = computeTangents(mesh.positions, mesh.normals, mesh.uvs, mesh.indices);
  return { mesh, parts };
}


const toSrgb = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(Math.max(v, 0), 1 / 2.4) - 0.055);

/** Synthetic maps (PNG bytes) at W×H (2:3): pores as seeded noise, a T-zone, lips. */
export async function syntheticMaps(width = 256, height = 384, seed = 7) {
  const rand = mulberry32(seed);
  const n = width * height;
  // Pore height field: sparse pits, then a 1-texel blur.
  const h = new Float32Array(n);
  for (let i = 0; i < n; i++) h[i] = rand() < 0.04 ? -1 : 0;
  const blur = (src: Float32Array, radius: number) => {
    const out = new Float32Array(n);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      let s = 0, c = 0;
      for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) {
        const xx = (x + dx + width) % width, yy = Math.min(height - 1, Math.max(0, y + dy));
        s += src[yy * width + xx]; c++;
      }
      out[y * width + x] = s / c;
    }
    return out;
  };
  const hs = blur(h, 1);
  const hd = blur(hs, 3);
  const normalsOf = (field: Float32Array, strength: number): ImageF32 => {
    const data = new Float32Array(n * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const dx = field[y * width + ((x + 1) % width)] - field[y * width + ((x - 1 + width) % width)];
      const dy = field[Math.min(height - 1, y + 1) * width + x] - field[Math.max(0, y - 1) * width + x];
      const nx = -dx * strength, ny = dy * strength, len = Math.hypot(nx, ny, 1);
      data.set([nx / len, ny / len, 1 / len], i * 3);
    }
    return { width, height, channels: 3, data, colorSpace: "data" };
  };
  // Regions in UV: front of the face is u ≈ 0.5; lips below the middle, T-zone above.
  const region = (x: number, y: number) => {
    const u = x / width, v = y / height;
    const lips = Math.exp(-(((u - 0.5) / 0.05) ** 2) - (((v - 0.66) / 0.02) ** 2));
    const tzone = Math.exp(-(((u - 0.5) / 0.04) ** 2) - (((v - 0.45) / 0.12) ** 2)) + Math.exp(-(((u - 0.5) / 0.12) ** 2) - (((v - 0.3) / 0.05) ** 2));
    return { lips, tzone: Math.min(1, tzone) };
  };
  const ad = new Float32Array(n * 3), as = new Float32Array(n), photo = new Float32Array(n * 3);
  const skin = [0.418, 0.244, 0.183]; // Xiao 2017 Caucasian cheek, linear sRGB [sheet §2.1]
  const lip = [0.36, 0.12, 0.1];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = y * width + x;
    const { lips, tzone } = region(x, y);
    const pore = 1 + 0.25 * hs[i];
    for (let c = 0; c < 3; c++) {
      const lin = (skin[c] * (1 - lips) + lip[c] * lips) * pore;
      ad[i * 3 + c] = toSrgb(lin);
      // "Photo": albedo under a baked light from the upper left, with a specular sheen on the T-zone.
      const shade = 0.35 + 0.9 * Math.max(0, 1 - y / height) * (0.6 + 0.4 * (1 - x / width));
      photo[i * 3 + c] = toSrgb(Math.min(1, lin * shade + 0.05 * tzone));
    }
    as[i] = Math.min(1, Math.max(0, (0.45 + 0.25 * tzone + 0.15 * lips) * (1 + 0.8 * hs[i])));
  }
  return {
    albedoDiffuse: await encodePng({ width, height, channels: 3, data: ad, colorSpace: "srgb" }, { bitDepth: 8 }),
    albedoSpecular: await encodePng({ width, height, channels: 1, data: as, colorSpace: "linear" }, { bitDepth: 8 }),
    normalsSpecular: await encodePng(normalsOf(hs, 6), { bitDepth: 16, range: "signed" }),
    normalsDiffuse: await encodePng(normalsOf(hd, 6), { bitDepth: 16, range: "signed" }),
    photoTexture: await encodePng({ width, height, channels: 3, data: photo, colorSpace: "srgb" }, { bitDepth: 8 }),
  };
}
