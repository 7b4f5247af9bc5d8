/**
 * Ground truth on the real template head: a known UV albedo, a known SH light and a known camera,
 * rendered by the project's rasteriser (src/render), then unwrapped by the real unwrap stage.
 * The renderer shades albedo · AO · E(n)/π (+ a white Blinn–Phong highlight, or the skin material's
 * own two GGX lobes at a given A_S: render/skin-specular.ts), with the AO unwrap computes for this
 * mesh, so the only model mismatch delight faces is the highlight. `paleRidge` adds a neutral amount
 * to the truth albedo on the front of the nose (paler and brighter skin, not a highlight).
 */
import { buildTemplateHead } from "../../src/geometry/template-head.ts";
import { lookAtCamera, projectToScreen } from "../../src/render/camera.ts";
import { createFragments, rasterize } from "../../src/raster/rasterize.ts";
import { downsample, interpolate, shadeFragments } from "../../src/render/shade.ts";
import { unwrap } from "../../src/pipeline/unwrap.ts";
import { directionalLightSh, radianceToIrradiance, SH_COUNT, shBasis } from "../../src/render/sh.ts";
import { FACE_REGIONS, LANDMARK_COUNT, type Camera, type ImageF32, type UnwrapResult } from "../../src/types.ts";
import { linearToSrgb, prng } from "./synthetic-skin.ts";
import { addSkinSpecular, lightingFromEstimate, prepareLights, specularLobes } from "../../src/render/skin-specular.ts";
import { SKIN_DEFAULTS } from "../../materials/skin-parameters.ts";

export interface RenderedHead {
  truth: ImageF32; // linear albedo in UV
  unwrapped: UnwrapResult;
  camera: Camera;
  radiance: Float64Array;
  lightDirection: [number, number, number];
}

/** Bilinear lookup of a UV-space image at (u, v), glTF convention. */
function sampleUv(img: ImageF32, u: number, v: number, out: Float32Array): void {
  const x = Math.min(img.width - 1, Math.max(0, u * img.width - 0.5));
  const y = Math.min(img.height - 1, Math.max(0, v * img.height - 0.5));
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(img.width - 1, x0 + 1), y1 = Math.min(img.height - 1, y0 + 1);
  const tx = x - x0, ty = y - y0;
  const C = img.channels;
  for (let c = 0; c < C; c++) {
    const a = img.data[(y0 * img.width + x0) * C + c] * (1 - tx) + img.data[(y0 * img.width + x1) * C + c] * tx;
    const b = img.data[(y1 * img.width + x0) * C + c] * (1 - tx) + img.data[(y1 * img.width + x1) * C + c] * tx;
    out[c] = a * (1 - ty) + b * ty;
  }
}

export interface RenderedHeadOptions {
  width: number;
  height: number;
  yawDeg: number;
  /** Strength of the Blinn–Phong highlight (exponent 40). */
  specular: number;
  /** A_S of the skin material's own lobes instead of the Blinn–Phong highlight. */
  skinSpecularAlbedo?: number;
  /** Neutral amount added to the albedo on the front of the nose (its normal within ~25° of +z). */
  paleRidge?: number;
}

/** True on the front of the nose: the ridge and tip that face the front (nose region, normal z > 0.9). */
export function noseFront(unwrapped: Pick<UnwrapResult, "regions" | "normalsObject">, p: number): boolean {
  const rw = unwrapped.regions.weights;
  return rw.data[p * rw.channels + FACE_REGIONS.indexOf("nose")] > 0.5 && unwrapped.normalsObject.data[p * 3 + 2] > 0.9;
}

export function renderedHead(options: RenderedHeadOptions): RenderedHead {
  const head = buildTemplateHead();
  const { width: W, height: H } = options;
  const fast = { width: W, height: H, aoDirections: 48, aoResolution: 256 };
  const uniform = (v: number, w: number, h: number): ImageF32 => ({ width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(v), colorSpace: "data" });
  const yaw = (options.yawDeg * Math.PI) / 180;
  const target: [number, number, number] = [0, -0.03, -0.06];
  const camera = lookAtCamera({ eye: [target[0] + 0.7 * Math.sin(yaw), target[1] + 0.02, target[2] + 0.7 * Math.cos(yaw)], target, fovYDeg: 26, width: 384, height: 384 });
  const masks = (w: number, h: number) => ({ skin: uniform(1, w, h), hair: uniform(0, w, h), occluder: uniform(0, w, h) });
  const landmarkConfidence = new Float32Array(LANDMARK_COUNT).fill(1);
  const fit = { mesh: head.mesh, camera };

  // Geometry maps (AO, regions) first: they depend on the mesh only.
  const grey: ImageF32 = { width: camera.width, height: camera.height, channels: 3, data: new Float32Array(camera.width * camera.height * 3).fill(0.5), colorSpace: "srgb" };
  const geometry = unwrap({ capture: { image: grey, masks: masks(camera.width, camera.height), landmarkConfidence }, fit, head }, fast);

  // Truth albedo: skin tone (ISSA 38° anchor [S20]) with smooth variation and fine texture,
  // redder lips, dark brows and scalp hair; symmetric through u → 1 − u.
  const rand = prng(11);
  const half = Math.ceil(W / 2);
  const noise = new Float32Array(half * H).map(() => rand() - 0.5);
  const truth: ImageF32 = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3), colorSpace: "linear" };
  const rw = geometry.regions.weights;
  const R = (name: (typeof FACE_REGIONS)[number]) => FACE_REGIONS.indexOf(name);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const xs = x < half ? x : W - 1 - x;
      const us = xs / W;
      const fine = 1 + 0.1 * noise[y * half + xs];
      const low = 1 + 0.06 * Math.sin(us * 17) * Math.cos((y / H) * 11);
      const wl = rw.data[p * rw.channels + R("lips")];
      const wb = Math.min(1, rw.data[p * rw.channels + R("brows")] + rw.data[p * rw.channels + R("scalp")]);
      const skin = [0.429, 0.246, 0.17];
      for (let c = 0; c < 3; c++) {
        let a = skin[c] * low * fine;
        a = a * (1 - wl) + [0.46, 0.19, 0.15][c] * fine * wl;
        a = a * (1 - wb) + [0.1, 0.065, 0.045][c] * wb;
        truth.data[p * 3 + c] = a + (options.paleRidge && noseFront(geometry, p) ? options.paleRidge : 0);
      }
    }
  }

  // Light: a key light from the upper right of the subject plus ambient, neutral.
  const lightDirection: [number, number, number] = [0.5, 0.45, 0.74];
  const n = Math.hypot(...lightDirection);
  for (let i = 0; i < 3; i++) lightDirection[i] /= n;
  const radiance = directionalLightSh(lightDirection, [2, 2, 2], [0.3, 0.3, 0.3]);
  const irradiance = radianceToIrradiance(radiance);

  // Render at 2× and box-filter down (antialiasing).
  const ss = 2;
  const cam2: Camera = { ...camera, width: camera.width * ss, height: camera.height * ss, fx: camera.fx * ss, fy: camera.fy * ss, cx: camera.cx * ss, cy: camera.cy * ss };
  const frags = createFragments(cam2.width, cam2.height);
  rasterize(frags, projectToScreen(cam2, head.mesh.positions), head.mesh.indices, { cull: "back" });
  const eye = [target[0] + 0.7 * Math.sin(yaw), target[1] + 0.02, target[2] + 0.7 * Math.cos(yaw)];
  const uv = new Float32Array(2), nrm = new Float32Array(3), pos = new Float32Array(3), albedo = new Float32Array(3), ao = new Float32Array(1);
  const y = new Float64Array(SH_COUNT);
  const skinLight = prepareLights(lightingFromEstimate({ shRadiance: Array.from(radiance), dominantDirection: lightDirection }, "split")); // the scene is a directional light plus ambient
  const lobes = specularLobes(SKIN_DEFAULTS);
  const specRgb = [0, 0, 0], unitN = [0, 0, 0], unitV = [0, 0, 0], specScratch = new Float64Array(SH_COUNT);
  const photo = shadeFragments(
    frags,
    {
      channels: 3,
      shade(t, b0, b1, b2, _p, out) {
        const m = head.mesh;
        interpolate(m.uvs, 2, m.indices, t, b0, b1, b2, uv);
        interpolate(m.normals, 3, m.indices, t, b0, b1, b2, nrm);
        interpolate(m.positions, 3, m.indices, t, b0, b1, b2, pos);
        const l = Math.hypot(nrm[0], nrm[1], nrm[2]);
        shBasis(nrm[0] / l, nrm[1] / l, nrm[2] / l, y);
        sampleUv(truth, uv[0], uv[1], albedo);
        sampleUv(geometry.ambientOcclusion, uv[0], uv[1], ao);
        const v = [eye[0] - pos[0], eye[1] - pos[1], eye[2] - pos[2]];
        const vl = Math.hypot(v[0], v[1], v[2]);
        const h = [lightDirection[0] + v[0] / vl, lightDirection[1] + v[1] / vl, lightDirection[2] + v[2] / vl];
        const hl = Math.hypot(h[0], h[1], h[2]);
        const nh = Math.max(0, (nrm[0] * h[0] + nrm[1] * h[1] + nrm[2] * h[2]) / (l * hl));
        specRgb[0] = specRgb[1] = specRgb[2] = options.specular * nh ** 40;
        if (options.skinSpecularAlbedo !== undefined) {
          for (let c = 0; c < 3; c++) (unitN[c] = nrm[c] / l), (unitV[c] = v[c] / vl);
          specRgb[0] = specRgb[1] = specRgb[2] = 0;
          addSkinSpecular(unitN, unitV, options.skinSpecularAlbedo, ao[0], skinLight, lobes, specScratch, specRgb);
        }
        for (let c = 0; c < 3; c++) {
          let e = 0;
          for (let k = 0; k < SH_COUNT; k++) e += irradiance[k * 3 + c] * y[k];
          out[c] = Math.min(1, (albedo[c] * ao[0] * Math.max(0, e)) / Math.PI + specRgb[c]);
        }
      },
    },
    "linear",
  );
  const small = downsample(photo, ss);
  const image: ImageF32 = { ...small, data: small.data.map(linearToSrgb), colorSpace: "srgb" };
  const unwrapped = unwrap({ capture: { image, masks: masks(camera.width, camera.height), landmarkConfidence }, fit, head }, fast);
  return { truth, unwrapped, camera, radiance, lightDirection };
}
