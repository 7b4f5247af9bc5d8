/**
 * SSS edge check (sss.html, no job needed): a flat plane of skin material seen head-on, its left
 * half lit by a directional light and its right half unlit, so the lighting has a perfectly sharp
 * edge. Screen-space scattering spreads light across that edge; how far, per channel, is the
 * diffusion profile as rendered. For a radial kernel with Burley shape length d, the area between
 * the blurred edge and the sharp step is E|X| = (2/π)·E[r] = 5d/π (mean radius 2.5·d [sheet §3.3]),
 * so each channel's width can be compared with the material's scattering distances in mm.
 *
 * Uniform maps: albedo 0.5 linear (grey, so every channel has the same signal), A_S 0 (no specular
 * step on the lit side), flat normals. The light is HDR (diffuse irradiance/√albedo ≈ 2.7, above
 * the 1.0 at which Babylon's pre-pass clamps unless the skin plugin lifts the clamp), brought back
 * by exposure 1/4 with no tone mapping: the picture is linear up to the display's 1/2.2 gamma.
 * The page's canvas is 1280×320 at 32 px/mm, so pixels within ±12 mm of the edge never sample
 * past the canvas border (where the post-process wraps around).
 */
import { Color3, DirectionalLight, FreeCamera, MeshBuilder, RawTexture, Vector3 } from "@babylonjs/core";
import type { PBRMaterial, Scene } from "@babylonjs/core";
import { createSkinMaterial } from "../../materials/skin-material.ts";
import { SKIN_DEFAULTS } from "../../materials/skin-parameters.ts";
import { linearToSrgb } from "../../src/primitives/color.ts";

/** What the test (and a curious user) reads from `window.porelight.sss`. */
export interface SssCheckInfo {
  /** Screen pixels per millimetre on the plane (canvas pixels). */
  pixelsPerMm: number;
  /** Canvas column (continuous, px) where the lit half ends. */
  edgeColumn: number;
  /**
   * The lit plateau's expected linear value before display gamma: albedo × irradiance / π (Babylon's
   * Lambert) × exposure. Lower on screen means HDR light was clipped on the way.
   */
  litLinear: number;
  /** The material's scattering distances d (R, G, B), mm, and the widths 5d/π they imply. */
  scatteringDistanceMm: [number, number, number];
  expectedWidthMm: [number, number, number];
}

const ALBEDO_LINEAR = 0.5;
const IRRADIANCE = 12;
const EXPOSURE = 0.25;
/** Distance camera → plane (m) and the plane's half-size (m). */
const DISTANCE_M = 0.1;
const HALF_SIZE_M = 0.04;
/** Visible width of the plane across the canvas, mm. */
const VIEW_WIDTH_MM = 40;

function uniformTexture(scene: Scene, rgba: [number, number, number, number], srgb: boolean): RawTexture {
  const data = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) data.set(rgba, 4 * i);
  const t = RawTexture.CreateRGBATexture(data, 4, 4, scene, false, false);
  t.gammaSpace = srgb;
  return t;
}

/** The checks' skin: uniform grey albedo (linear), A_S 0 (no specular), flat normals. */
export function uniformSkinMaterial(scene: Scene, albedoLinear: number): PBRMaterial {
  const srgbByte = Math.round(255 * linearToSrgb(albedoLinear));
  return createSkinMaterial("skin", scene, {
    albedoDiffuse: uniformTexture(scene, [srgbByte, srgbByte, srgbByte, 255], true),
    albedoSpecular: uniformTexture(scene, [0, 0, 0, 255], false),
    normalsDiffuse: uniformTexture(scene, [128, 128, 255, 255], false),
    normalsSpecular: uniformTexture(scene, [128, 128, 255, 255], false),
  }, {});
}

/** The checks' camera: on −Z at `distanceM` looking at the origin, with a vertical fov (radians); no environment light. */
export function checkCamera(scene: Scene, distanceM: number, fov: number): FreeCamera {
  scene.environmentTexture = null;
  scene.ambientColor = Color3.Black();
  const camera = new FreeCamera("camera", new Vector3(0, 0, -distanceM), scene);
  camera.setTarget(Vector3.Zero());
  camera.minZ = 0.01;
  camera.maxZ = 1;
  camera.fov = fov;
  scene.activeCamera = camera;
  return camera;
}

/** Builds the check scene; returns its skin material(s) and the measuring geometry. */
export function buildSssCheck(scene: Scene, canvas: HTMLCanvasElement): { skin: PBRMaterial[]; info: SssCheckInfo } {
  const skin = uniformSkinMaterial(scene, ALBEDO_LINEAR);

  // Two halves of one plane at z = 0, facing the camera (−Z), meeting at x = 0.
  const size = { width: HALF_SIZE_M, height: 2 * HALF_SIZE_M };
  const lit = MeshBuilder.CreatePlane("lit", size, scene);
  lit.position.x = -HALF_SIZE_M / 2;
  const dark = MeshBuilder.CreatePlane("dark", size, scene);
  dark.position.x = HALF_SIZE_M / 2;
  lit.material = skin;
  dark.material = skin;

  const light = new DirectionalLight("key", new Vector3(0, 0, 1), scene);
  light.intensity = IRRADIANCE;
  light.diffuse = Color3.White();
  light.specular = Color3.Black();
  light.includedOnlyMeshes = [lit];

  const aspect = canvas.width / canvas.height;
  checkCamera(scene, DISTANCE_M, 2 * Math.atan(VIEW_WIDTH_MM / 2 / 1000 / aspect / DISTANCE_M)); // vertical fov
  scene.imageProcessingConfiguration.toneMappingEnabled = false;
  scene.imageProcessingConfiguration.exposure = EXPOSURE;
  scene.imageProcessingConfiguration.contrast = 1;

  const d = [...SKIN_DEFAULTS.scatteringDistanceMm] as [number, number, number];
  return {
    skin: [skin],
    info: {
      pixelsPerMm: canvas.width / VIEW_WIDTH_MM,
      edgeColumn: canvas.width / 2,
      litLinear: (ALBEDO_LINEAR * IRRADIANCE * EXPOSURE) / Math.PI,
      scatteringDistanceMm: d,
      expectedWidthMm: d.map((v) => (5 * v) / Math.PI) as [number, number, number],
    },
  };
}
