/**
 * Silhouette check (sss.html?check=silhouette, no job needed): a 6 cm sphere of skin material
 * against the background, lit evenly from all sides, with the SSS pre-pass multisampled as
 * the head scenes have it. An antialiased edge pixel is a mix of skin and background, so it must
 * not come out darker than both; Babylon's SSS post-process made such pixels dark (see
 * materials/subsurface-resolve.ts), which the browser test counts (test/browser/specks.test.ts).
 * Uniform maps: albedo 0.5 linear, A_S 0 (no specular), flat normals.
 */
import { Color3, HemisphericLight, MeshBuilder, Vector3 } from "@babylonjs/core";
import type { PBRMaterial, Scene } from "@babylonjs/core";
import { checkCamera, uniformSkinMaterial } from "./sss-profile.ts";

const ALBEDO_LINEAR = 0.5;
/** Sphere radius and camera distance, m; the sphere's diameter fills this share of the frame's height. */
const RADIUS_M = 0.03;
const DISTANCE_M = 0.3;
const FILL = 0.8;

/** Builds the check scene; returns its skin material. */
export function buildSilhouetteCheck(scene: Scene): PBRMaterial[] {
  const skin = uniformSkinMaterial(scene, ALBEDO_LINEAR);
  const sphere = MeshBuilder.CreateSphere("ball", { diameter: 2 * RADIUS_M, segments: 48 }, scene);
  sphere.material = skin;
  // Light from every direction alike: the skin is equally bright up to its outline, so an edge
  // pixel darker than the background is an artefact, not the shading turning away.
  const light = new HemisphericLight("sky", new Vector3(0, 1, 0), scene);
  light.diffuse = Color3.White();
  light.groundColor = Color3.White();
  light.specular = Color3.Black();
  checkCamera(scene, DISTANCE_M, 2 * Math.atan(RADIUS_M / FILL / DISTANCE_M)); // vertical fov
  return [skin];
}
