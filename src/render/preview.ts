/**
 * Plain-light previews of a mesh: the turntable views of `porelight head --render` and the fit
 * overlay. Lambert shading of the interpolated vertex normals under a key and a fill light fixed
 * to the camera plus a little ambient, so every view is lit alike; output is sRGB.
 */
import { linearToSrgbClamped } from "../primitives/color.ts";
import { boundingSphere, unitByDivision } from "../primitives/vec3.ts";
import type { Camera, HeadPart, ImageF32, Mesh } from "../types.ts";
import { lookAtCamera, projectToScreen, type Vec3 } from "./camera.ts";
import { createFragments, rasterize, type CullMode } from "../raster/rasterize.ts";
import { downsample, shadeFragments } from "./shade.ts";
import { withDefaults } from "../options.ts";
import { mouthColours } from "../../materials/gltf-mapping.ts";

export interface PreviewOptions {
  /** Supersampling factor per axis (anti-aliasing); 1 = off. */
  supersample?: number;
  /** Linear RGB albedo of each triangle range; triangles outside every range use `defaultColor`. */
  parts?: { part: HeadPart; firstIndex: number; indexCount: number }[];
  /** Linear RGB albedo per part. */
  partColors?: Partial<Record<HeadPart, [number, number, number]>>;
  /** Linear RGB albedo where no part applies. */
  defaultColor?: [number, number, number];
  /** sRGB background, 0..1. */
  background?: [number, number, number];
  /** Key light direction in camera space (towards the light; normalised here). */
  keyLight?: Vec3;
  /** Face culling (see rasterize). */
  cull?: CullMode;
}

/** A light skin tone and pale eyeballs, linear RGB. */
const SKIN_LINEAR: [number, number, number] = [0.55, 0.34, 0.26];
const EYE_LINEAR: [number, number, number] = [0.7, 0.7, 0.68];
/** Mouth parts (display choices): wet mucosa and gums, enamel, tongue. */
// The mouth parts as the exported head's materials have them (a job's own teeth colour goes in through partColors).
const { mouth: MOUTH_LINEAR, teeth: TEETH_LINEAR, tongue: TONGUE_LINEAR } = mouthColours();

export const PREVIEW_DEFAULTS: Required<PreviewOptions> = {
  supersample: 2,
  parts: [],
  partColors: { skin: SKIN_LINEAR, eyeLeft: EYE_LINEAR, eyeRight: EYE_LINEAR, mouth: MOUTH_LINEAR, teeth: TEETH_LINEAR, tongue: TONGUE_LINEAR },
  defaultColor: SKIN_LINEAR,
  background: [0.16, 0.17, 0.19],
  keyLight: [-0.45, 0.5, 0.75],
  cull: "back",
};

/**
 * Renders `mesh` seen by `camera` (its width × height) with plain lighting; sRGB, 3 channels.
 *
 *   const image = renderPreview(head.mesh, camera, { parts: head.parts });
 */
export function renderPreview(mesh: Mesh, camera: Camera, options: PreviewOptions = {}): ImageF32 {
  const o = withDefaults(PREVIEW_DEFAULTS, options);
  const ss = Math.max(1, Math.round(o.supersample));
  const cam: Camera = { ...camera, width: camera.width * ss, height: camera.height * ss, fx: camera.fx * ss, fy: camera.fy * ss, cx: camera.cx * ss, cy: camera.cy * ss };
  const frags = createFragments(cam.width, cam.height);
  rasterize(frags, projectToScreen(cam, mesh.positions), mesh.indices, { cull: o.cull });

  const triColor = new Uint8Array(mesh.indices.length / 3); // 0 = default, 1 + k = parts[k]
  const colors: [number, number, number][] = [o.defaultColor];
  o.parts.forEach((p, k) => {
    colors.push(o.partColors[p.part] ?? o.defaultColor);
    triColor.fill(k + 1, p.firstIndex / 3, (p.firstIndex + p.indexCount) / 3);
  });
  const [kx, ky, kz] = unitByDivision(o.keyLight);
  const [fx, fy, fz] = unitByDivision([0.6, -0.1, 0.6]);
  const r = cam.rotation;
  const N = mesh.normals;
  const idx = mesh.indices;
  const background = o.background.map((c) => c);
  const image = shadeFragments(
    frags,
    {
      channels: 3,
      shade(t, b0, b1, b2, _p, out) {
        const i0 = 3 * idx[3 * t], i1 = 3 * idx[3 * t + 1], i2 = 3 * idx[3 * t + 2];
        const wx = b0 * N[i0] + b1 * N[i1] + b2 * N[i2];
        const wy = b0 * N[i0 + 1] + b1 * N[i1 + 1] + b2 * N[i2 + 1];
        const wz = b0 * N[i0 + 2] + b1 * N[i1 + 2] + b2 * N[i2 + 2];
        // World normal → camera space; lights live there.
        const nx = r[0] * wx + r[1] * wy + r[2] * wz;
        const ny = r[3] * wx + r[4] * wy + r[5] * wz;
        const nz = r[6] * wx + r[7] * wy + r[8] * wz;
        const il = 1 / (Math.sqrt(nx * nx + ny * ny + nz * nz) || 1);
        const kd = (nx * kx + ny * ky + nz * kz) * il;
        const fd = (nx * fx + ny * fy + nz * fz) * il;
        const dk = kd > 0 ? kd : 0;
        const df = fd > 0 ? fd : 0;
        const up = 0.5 + 0.5 * ny * il;
        const light = 0.95 * dk + 0.25 * df + 0.12 + 0.1 * up;
        const c = colors[triColor[t]];
        out[0] = encode(c[0] * light);
        out[1] = encode(c[1] * light);
        out[2] = encode(c[2] * light);
      },
    },
    "srgb",
    background,
  );
  return downsample(image, ss);
}

/** sRGB encoding through a table: previews are 8-bit, so 4096 linear steps are plenty. */
const SRGB_LUT = Float32Array.from({ length: 4097 }, (_, i) => linearToSrgbClamped(i / 4096));
function encode(v: number): number {
  return v >= 1 ? 1 : v > 0 ? SRGB_LUT[(v * 4096 + 0.5) | 0] : 0;
}


/** The standard views of a turntable: name and camera direction (from the target towards the camera). */
export const TURNTABLE_VIEWS: { name: string; direction: Vec3; up: Vec3 }[] = [
  { name: "front", direction: [0, 0, 1], up: [0, 1, 0] },
  { name: "three-quarter", direction: [Math.SQRT1_2, 0, Math.SQRT1_2], up: [0, 1, 0] },
  { name: "profile", direction: [1, 0, 0], up: [0, 1, 0] },
  { name: "back", direction: [0, 0, -1], up: [0, 1, 0] },
  { name: "top", direction: [0, 1, 0], up: [0, 0, -1] },
];

export interface TurntableOptions extends PreviewOptions {
  /** Image side, pixels (square views). */
  size?: number;
  /** Vertical field of view, degrees. */
  fovYDeg?: number;
}

/**
 * Renders the mesh from the front, ¾ (subject's left), profile (left), back and top, framed on its
 * bounding sphere. Pure: returns named images; writing them is the caller's business.
 *
 *   for (const { name, image } of renderTurntable(head.mesh, { parts: head.parts })) …
 */
export function renderTurntable(mesh: Mesh, options: TurntableOptions = {}): { name: string; image: ImageF32 }[] {
  const size = options.size ?? 768;
  const fov = options.fovYDeg ?? 20;
  const { centre, radius } = boundingSphere(mesh.positions);
  const distance = (radius / Math.sin((fov * Math.PI) / 360)) * 1.02;
  return TURNTABLE_VIEWS.map((view) => {
    const eye: Vec3 = [centre[0] + view.direction[0] * distance, centre[1] + view.direction[1] * distance, centre[2] + view.direction[2] * distance];
    const camera = lookAtCamera({ eye, target: centre, up: view.up, fovYDeg: fov, width: size, height: size });
    return { name: view.name, image: renderPreview(mesh, camera, options) };
  });
}
