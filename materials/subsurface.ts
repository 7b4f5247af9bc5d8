/**
 * Screen-space subsurface scattering set-up for a scene measured in metres.
 *
 * Babylon 9.28 reads a diffusion-profile colour two ways (checked in
 * `Rendering/subSurfaceConfiguration.js` and `Shaders/subSurfaceScattering.fragment.js`):
 * the per-channel kernel weight uses the colour as the Burley shape S in mm⁻¹
 * (weight ∝ S·(e^(−S r/3) + e^(−S r))), while the sampling radius and filter radius use
 * max(colour) as a *distance* d in mm. So the documented skin colour (0.75, 0.25, 0.2) makes red the
 * narrowest channel — the opposite of measured skin [sheet §3.5]. We pass S = 1/d per channel (red
 * the smallest S, so the widest), then set the profile's sampling distance to the largest d
 * (HDRP's reading, S = 1/d [S11]) so samples cover the red tail. The profile render test in
 * test/browser checks that red blurs wider than blue.
 */
import { Color3 } from "@babylonjs/core";
import type { Scene } from "@babylonjs/core";

/** Internals of SubSurfaceConfiguration this module corrects (pinned Babylon 9.28.0). */
interface SubSurfaceInternals {
  _ssDiffusionS: number[];
  _ssDiffusionD: number[];
  _ssFilterRadii: number[];
  _sampleBurleyDiffusionProfile(u: number, rcpS: number): number;
  ssDiffusionProfileColors: Color3[];
  metersPerUnit: number;
  addDiffusionProfile(color: Color3): number;
}

/** Burley shape per channel in mm⁻¹ from scattering distances in mm (S = 1/d). */
export function diffusionProfileColor(distancesMm: readonly [number, number, number]): Color3 {
  return new Color3(1 / distancesMm[0], 1 / distancesMm[1], 1 / distancesMm[2]);
}

/**
 * Enables the pre-pass renderer and SSS on `scene` (WebGL2/WebGPU only; returns −1 otherwise),
 * sets metres per unit, adds (or finds) the skin profile and corrects its sampling distance.
 * Returns the profile index for `subSurface._scatteringDiffusionProfileIndex`.
 */
export function configureSkinSubsurface(scene: Scene, distancesMm: readonly [number, number, number], metersPerUnit = 1): number {
  const engine = scene.getEngine() as unknown as { webGLVersion?: number; isWebGPU: boolean };
  if ((engine.webGLVersion ?? 0) < 2 && !engine.isWebGPU) return -1;
  if (!scene.enableSubSurfaceForPrePass()) return -1;
  const config = scene.subSurfaceConfiguration as unknown as SubSurfaceInternals | null;
  if (!config) return -1;
  config.metersPerUnit = metersPerUnit;
  const color = diffusionProfileColor(distancesMm);
  const index = config.addDiffusionProfile(color);
  if (index === 0 && !(color.r === 1 && color.g === 1 && color.b === 1)) return 0; // table full: default profile
  if (Array.isArray(config._ssDiffusionD) && Array.isArray(config._ssFilterRadii) && typeof config._sampleBurleyDiffusionProfile === "function") {
    const dMax = Math.max(...distancesMm);
    config._ssDiffusionD[index] = dMax;
    // HDRP's filter radius: the 99.7 % point of the Burley CDF [S11].
    config._ssFilterRadii[index] = config._sampleBurleyDiffusionProfile(0.997, dMax);
  }
  return index;
}
