/**
 * Lighting presets (neutral studio, outdoor, night): an environment made from a CC0 HDRI of
 * @pmndrs/assets (built into `<env>.hdr` by scripts/build-environments.ts), its intensity and
 * rotation, one key light, and the camera exposure. Browser-safe (no Node imports).
 */
import { Color3, DirectionalLight, HDRCubeTexture, ImageProcessingConfiguration, Vector3 } from "@babylonjs/core";
import type { Scene } from "@babylonjs/core";

export type EnvironmentId = "studio" | "outdoor" | "night";

/**
 * Environments: `source` names the @pmndrs/assets HDRI, `file` the built Radiance file.
 * `rowsBottomUp`: the decoded rows start at the ground (checked by eye on a preview: the assets
 * do not agree on row order, and three's EXRLoader reports flipY = false for all of them).
 */
export const ENVIRONMENTS: Record<EnvironmentId, { source: string; file: string; label: string; rowsBottomUp: boolean }> = {
  studio: { source: "studio", file: "studio.hdr", label: "Neutral studio", rowsBottomUp: false },
  outdoor: { source: "park", file: "outdoor.hdr", label: "Outdoor (park, daylight)", rowsBottomUp: true },
  night: { source: "city", file: "night.hdr", label: "Night (city)", rowsBottomUp: true },
};

export interface LightingPreset {
  id: EnvironmentId;
  /** Scale of the image-based light. */
  environmentIntensity: number;
  /** Rotation of the environment about +Y, radians. */
  environmentRotationY: number;
  /**
   * Key light: direction it shines toward (Babylon world, left-handed), colour, intensity. A head
   * loaded from a job faces +Z (glTF front, converted as Babylon's glTF loader does), so a key
   * light in front of the face travels toward −Z.
   */
  key: { direction: [number, number, number]; color: [number, number, number]; intensity: number };
  /** Camera exposure (image processing). */
  exposure: number;
}

export const LIGHTING_PRESETS: Record<EnvironmentId, LightingPreset> = {
  studio: { id: "studio", environmentIntensity: 0.4, environmentRotationY: 0, key: { direction: [-0.5, -0.4, -0.75], color: [1, 0.98, 0.95], intensity: 4 }, exposure: 1 },
  outdoor: { id: "outdoor", environmentIntensity: 1, environmentRotationY: 1.2, key: { direction: [0.4, -0.7, -0.6], color: [1, 0.95, 0.85], intensity: 3 }, exposure: 0.9 },
  night: { id: "night", environmentIntensity: 1.5, environmentRotationY: 0, key: { direction: [0.6, -0.2, -0.75], color: [0.75, 0.82, 1], intensity: 0.8 }, exposure: 1.4 },
};

/** What applyLightingPreset created, so callers can rotate the light or swap the preset. */
export interface LightingRig {
  key: DirectionalLight;
  environment: HDRCubeTexture;
  preset: LightingPreset;
}

/** Cube size of the prefiltered environment (per face). */
const ENVIRONMENT_CUBE_SIZE = 128;

/**
 * Applies a preset to `scene`: environment texture (from `environmentsUrl` + file), key light,
 * exposure. Reuses the lights/textures of a previous rig when given.
 *
 *   const rig = applyLightingPreset(scene, "studio", "/scenes/environments/");
 */
export function applyLightingPreset(scene: Scene, id: EnvironmentId, environmentsUrl: string, previous?: LightingRig): LightingRig {
  const preset = LIGHTING_PRESETS[id];
  if (!preset) throw new Error(`unknown lighting preset "${id}" (known: ${Object.keys(LIGHTING_PRESETS).join(", ")})`);
  const url = environmentsUrl + ENVIRONMENTS[id].file;
  let environment = previous?.environment;
  if (!environment || previous?.preset.id !== id) {
    previous?.environment.dispose();
    // size, noMipmap, generateHarmonics, gammaSpace, prefilterOnLoad: GGX-prefiltered on the GPU.
    environment = new HDRCubeTexture(url, scene, ENVIRONMENT_CUBE_SIZE, false, true, false, true);
    environment.name = ENVIRONMENTS[id].file;
  }
  environment.rotationY = preset.environmentRotationY;
  scene.environmentTexture = environment;
  scene.environmentIntensity = preset.environmentIntensity;

  const key = previous?.key ?? new DirectionalLight("key", new Vector3(0, -1, 1), scene);
  key.direction = new Vector3(...preset.key.direction).normalize();
  key.diffuse = new Color3(...preset.key.color);
  key.specular = new Color3(...preset.key.color);
  key.intensity = preset.key.intensity;

  scene.imageProcessingConfiguration.exposure = preset.exposure;
  scene.imageProcessingConfiguration.toneMappingEnabled = true;
  scene.imageProcessingConfiguration.toneMappingType = ImageProcessingConfiguration.TONEMAPPING_KHR_PBR_NEUTRAL;
  return { key, environment, preset };
}

/** Rotates the key light about +Y by `angle` radians from the preset's direction. */
export function rotateKeyLight(rig: LightingRig, angle: number): void {
  const [x, y, z] = rig.preset.key.direction;
  const c = Math.cos(angle), s = Math.sin(angle);
  rig.key.direction = new Vector3(c * x + s * z, y, -s * x + c * z).normalize();
}
