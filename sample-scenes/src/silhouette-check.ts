/**
 * Silhouette check (sss.html?check=silhouette, no job needed): a 6 cm sphere of skin material
 * against the background, lit evenly from all sides, with the SSS pre-pass multisampled as
 * the head scenes have it. An antialiased edge pixel is a mix of skin and background, so it must
 * not come out darker than both; Babylon's SSS post-process made such pixels dark (see
 * materials/subsurface-resolve.ts), which the browser test counts (test/browser/specks.test.ts).
 * Uniform maps: albedo 0.5 linear, A_S 0 (no specular), flat normals.
 */
import { Color3, FreeCamera, HemisphericLight, MeshBuilder, Vector3 } from "@babylonjs/core";
import type { PBRMaterial, Scene } from "@babylonjs/core";
import { createSkinMaterial } from "../../materials/skin-material.ts";
import { linearToSrgb } from "../../src/primitives/color.ts";
import { uniformTexture } from "./sss-profile.ts";

const ALBEDO_LINEAR = 0.5;
/** Sphere radius and camera distance, m; the sphere's diameter fills this share of the frame's height. */
const RADIUS_M = 0.03;
const DISTANCE_M = 0.3;
const FILL = 0.8;

/** Builds the check scene; returns its skin material. */
export function buildSilhouetteCheck(scene: Scene): PBRMaterial[] {
  const srgbByte = Math.round(255 * linearToSrgb(ALBEDO_LINEAR));
  const skin = createSkinMaterial("skin", scene, {
    albedoDiffuse: uniformTexture(scene, [srgbByte, srgbByte, srgbByte, 255], true),
    albedoSpecular: uniformTexture(scene, [0, 0, 0, 255], false),
    normalsDiffuse: uniformTexture(scene, [128, 128, 255, 255], false),
    normalsSpecular: uniformTexture(scene, [128, 128, 255, 255], false),
  }, {});
  const sphere = MeshBuilder.CreateSphere("ball", { diameter: 2 * RADIUS_M, segments: 48 }, scene);
  sphere.material = skin;

  // Light from every direction alike: the skin is equally bright up to its outline, so an edge
  // pixel darker than the background is an artefact, not the shading turning away.
  const light = new HemisphericLight("sky", new Vector3(0, 1, 0), scene);
  light.diffuse = Color3.White();
  light.groundColor = Color3.White();
  light.specular = Color3.Black();
  scene.environmentTexture = null;
  scene.ambientColor = Color3.Black();

  const camera = new FreeCamera("camera", new Vector3(0, 0, -DISTANCE_M), scene);
  camera.setTarget(Vector3.Zero());
  camera.minZ = 0.01;
  camera.maxZ = 1;
  camera.fov = 2 * Math.atan(RADIUS_M / FILL / DISTANCE_M); // vertical fov
  scene.activeCamera = camera;
  return [skin];
}
