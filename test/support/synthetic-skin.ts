/**
 * A synthetic ground-truth scene in UV space for de-lighting tests: a sphere-like head unwrapped
 * by longitude/colatitude (u = 0.5 faces +Z; u → 1 − u mirrors x → −x, like the template atlas),
 * a skin albedo with regional colours and pore-scale texture, a known SH light, AO, white
 * specular highlights, an unknown exposure, and a camera that sees only part of the head.
 */
import { directionalLightSh, evaluateShImage, radianceToIrradiance } from "../../src/render/sh.ts";
import { FACE_REGIONS, type ImageF32, type RegionMaps } from "../../src/types.ts";

export interface SyntheticScene {
  width: number;
  height: number;
  albedo: ImageF32; // linear truth
  normals: ImageF32;
  occlusion: ImageF32;
  regions: RegionMaps;
  /** Photo texture T as unwrap would give it: linear, 0 where unseen. */
  texture: ImageF32;
  confidence: ImageF32;
  /** Truth lighting (radiance SH) in photo units: photo = (albedo + sheen)·AO·E/π + specular. */
  radiance: Float64Array;
  lightDirection: [number, number, number];
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const img = (width: number, height: number, channels: number, colorSpace: ImageF32["colorSpace"]): ImageF32 => ({
  width,
  height,
  channels,
  data: new Float32Array(width * height * channels),
  colorSpace,
});

/** Soft ellipse membership (1 inside, 0 outside, ~2-texel border). */
function ellipse(u: number, v: number, cu: number, cv: number, ru: number, rv: number, soft: number): number {
  const d = Math.hypot((u - cu) / ru, (v - cv) / rv);
  return Math.min(1, Math.max(0, (1 - d) / soft + 0.5));
}

/**
 * `sheen`: skin's neutral surface reflection under the broad part of the light, a reflectance
 * (default 0, as delight's skinSurfaceReflectance; skin's is F0 0.028, SKIN_SURFACE_REFLECTANCE):
 * the photo shows albedo·AO·E/π plus sheen·AO·E/π, besides the sharp highlight (`specular`).
 * `paleForehead`: a neutral amount added to the albedo over the forehead region (paler and brighter
 * skin there than the face's median: albedo, not a highlight).
 */
export function syntheticScene(options: { width?: number; height?: number; yawDeg?: number; exposure?: number; specular?: number; sheen?: number; skin?: readonly number[]; paleForehead?: number } = {}): SyntheticScene {
  const W = options.width ?? 96;
  const H = options.height ?? 144;
  const yaw = ((options.yawDeg ?? 30) * Math.PI) / 180;
  const exposure = options.exposure ?? 0.8;
  const specular = options.specular ?? 0.6;
  const sheen = options.sheen ?? 0;
  const albedo = img(W, H, 3, "linear");
  const normals = img(W, H, 3, "data");
  const occlusion = img(W, H, 1, "data");
  const regions = img(W, H, FACE_REGIONS.length, "data");
  const texture = img(W, H, 3, "linear");
  const confidence = img(W, H, 1, "data");

  // Pore-scale multiplicative texture, symmetric in u so the mirror really is the same skin.
  const rand = prng(7);
  const half = Math.ceil(W / 2);
  const noise = new Float32Array(half * H).map(() => rand() - 0.5);
  const base = options.skin ?? [0.429, 0.246, 0.17]; // default: the ISSA 38° facial anchor [S20]
  const lips = [0.5, 0.2, 0.16];
  const brows = [0.12, 0.07, 0.05];
  const R = (name: string) => FACE_REGIONS.indexOf(name as (typeof FACE_REGIONS)[number]);

  const view = [Math.sin(yaw), 0, Math.cos(yaw)];
  const lightDirection: [number, number, number] = [0.55, 0.55, 0.63];
  const ln = Math.hypot(...lightDirection);
  lightDirection.forEach((v, i) => (lightDirection[i] = v / ln));
  const radiance = directionalLightSh(lightDirection, [1.9, 1.9, 1.9], [0.32, 0.32, 0.32]);
  for (let i = 0; i < radiance.length; i++) radiance[i] *= exposure;

  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const u = (x + 0.5) / W;
      const v = (y + 0.5) / H;
      const phi = (u - 0.5) * 2 * Math.PI;
      const theta = v * Math.PI;
      const n = [Math.sin(theta) * Math.sin(phi), Math.cos(theta), Math.sin(theta) * Math.cos(phi)];
      normals.data.set(n, p * 3);
      occlusion.data[p] = 1 - 0.35 * Math.exp(-(((v - 0.62) / 0.03) ** 2)) * Math.exp(-(((u - 0.5) / 0.12) ** 2));
      const us = Math.min(u, 1 - u); // symmetric coordinate
      const wLips = ellipse(us, v, 0.5, 0.66, 0.06, 0.025, 0.3);
      const wBrows = Math.max(ellipse(us, v, 0.44, 0.4, 0.035, 0.012, 0.3));
      const wCheeks = ellipse(us, v, 0.42, 0.56, 0.05, 0.06, 0.5);
      const wForehead = ellipse(us, v, 0.5, 0.3, 0.12, 0.06, 0.5);
      const wScalp = v < 0.16 ? 1 : 0;
      regions.data[p * FACE_REGIONS.length + R("lips")] = wLips;
      regions.data[p * FACE_REGIONS.length + R("brows")] = wBrows;
      regions.data[p * FACE_REGIONS.length + R("cheeks")] = wCheeks * (1 - wLips);
      regions.data[p * FACE_REGIONS.length + R("forehead")] = wForehead * (1 - wBrows);
      regions.data[p * FACE_REGIONS.length + R("scalp")] = wScalp;
      const xs = x < half ? x : W - 1 - x;
      const fine = 1 + 0.16 * noise[y * half + xs];
      const low = 1 + 0.08 * Math.sin(us * 20) * Math.cos(v * 13);
      for (let c = 0; c < 3; c++) {
        let a = base[c] * low * fine;
        a = a * (1 - wLips) + lips[c] * fine * wLips;
        a = a * (1 - wBrows) + brows[c] * wBrows;
        albedo.data[p * 3 + c] = a + (options.paleForehead ?? 0) * wForehead * (1 - wBrows);
      }
      const facing = n[0] * view[0] + n[1] * view[1] + n[2] * view[2];
      confidence.data[p] = facing > 0.15 ? Math.min(1, (facing - 0.15) * 2.5) : 0;
    }
  }

  const E = evaluateShImage(radianceToIrradiance(radiance), normals.data, W * H);
  for (let p = 0; p < W * H; p++) {
    if (confidence.data[p] === 0) continue;
    const n = normals.data.subarray(p * 3, p * 3 + 3);
    const h = [lightDirection[0] + view[0], lightDirection[1] + view[1], lightDirection[2] + view[2]];
    const hl = Math.hypot(h[0], h[1], h[2]);
    const nh = Math.max(0, (n[0] * h[0] + n[1] * h[1] + n[2] * h[2]) / hl);
    const spec = exposure * specular * nh ** 60;
    for (let c = 0; c < 3; c++) {
      texture.data[p * 3 + c] = Math.min(1, ((albedo.data[p * 3 + c] + sheen) * occlusion.data[p] * E[p * 3 + c]) / Math.PI + spec);
    }
  }
  return { width: W, height: H, albedo, normals, occlusion, regions: { weights: regions }, texture, confidence, radiance, lightDirection };
}

export { linearToSrgb, srgbToLinear } from "../../src/primitives/color.ts";

/** PSNR (dB, peak 1) between two images over texels where `mask(p)` holds. */
export function psnr(a: Float32Array, b: Float32Array, channels: number, mask: (p: number) => boolean): number {
  let se = 0;
  let count = 0;
  for (let p = 0; p < a.length / channels; p++) {
    if (!mask(p)) continue;
    for (let c = 0; c < channels; c++) {
      const d = a[p * channels + c] - b[p * channels + c];
      se += d * d;
      count++;
    }
  }
  return 10 * Math.log10(1 / (se / count));
}
