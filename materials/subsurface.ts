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
 * (HDRP's reading, S = 1/d [S11]) so samples cover the red tail.
 *
 * Measured by render (test/browser/sss.test.ts, the SSS edge check page): the post-process places
 * its samples twice as far on screen as the profile says. Its pixel size is
 * 2·|corner − centre| with the corner half a texel away in UV (0..1) coordinates, but UV 0..1
 * spans the viewport's NDC −1..1, so pixels-per-mm comes out 2× too large; a half-lit skin plane
 * blurred R/G/B edges to 2.11×, 2.00×, 2.02× the widths 5d/π of the profile. We pass d/2 to cancel it
 * (BABYLON_SSS_SCREEN_SCALE), which keeps `metersPerUnit` meaning what it says for the scene.
 */
import { Color3 } from "@babylonjs/core/Maths/math.color.js";
import type { Scene } from "@babylonjs/core";
import { guardSubsurfaceResolve } from "./subsurface-resolve.ts";

/** Internals of SubSurfaceConfiguration this module corrects (pinned Babylon 9.28.0). */
interface PostProcessInternals {
  _textureType: number;
  _disposeTextures(): void;
  markTextureDirty(): void;
}

interface SubSurfaceInternals {
  _porelightHdr?: boolean;
  _ssDiffusionS: number[];
  _ssDiffusionD: number[];
  _ssFilterRadii: number[];
  _sampleBurleyDiffusionProfile(u: number, rcpS: number): number;
  ssDiffusionProfileColors: Color3[];
  metersPerUnit: number;
  addDiffusionProfile(color: Color3): number;
}

/**
 * How many times wider than its profile Babylon 9.28's SSS post-process blurs on screen (see the
 * file header; 2 by the shader's arithmetic, 2.0–2.1× measured on the edge check).
 */
export const BABYLON_SSS_SCREEN_SCALE = 2;

/**
 * Burley shape per channel in mm⁻¹ as the post-process reads it, from scattering distances in mm:
 * S = 1/d, with d divided by BABYLON_SSS_SCREEN_SCALE.
 */
export function diffusionProfileColor(distancesMm: readonly [number, number, number]): Color3 {
  const k = BABYLON_SSS_SCREEN_SCALE;
  return new Color3(k / distancesMm[0], k / distancesMm[1], k / distancesMm[2]);
}

/**
 * Enables the pre-pass renderer and SSS on `scene` (WebGL2/WebGPU only; returns −1 otherwise),
 * sets metres per unit when given (otherwise the scene keeps its own; Babylon's default is 1),
 * adds (or finds) the skin profile and corrects its sampling distance.
 * Returns the profile index for `subSurface._scatteringDiffusionProfileIndex`.
 */
export function configureSkinSubsurface(scene: Scene, distancesMm: readonly [number, number, number], metersPerUnit?: number): number {
  const engine = scene.getEngine() as unknown as { webGLVersion?: number; isWebGPU: boolean };
  if ((engine.webGLVersion ?? 0) < 2 && !engine.isWebGPU) return -1;
  guardSubsurfaceResolve(); // before the post-process compiles
  if (!scene.enableSubSurfaceForPrePass()) return -1;
  enablePrePassMsaa(scene);
  const config = scene.subSurfaceConfiguration as unknown as SubSurfaceInternals | null;
  if (!config) return -1;
  if (metersPerUnit !== undefined) config.metersPerUnit = metersPerUnit;
  keepScatteringHdr(config, scene);
  const color = diffusionProfileColor(distancesMm);
  const index = config.addDiffusionProfile(color);
  if (index === 0 && !(color.r === 1 && color.g === 1 && color.b === 1)) return 0; // table full: default profile
  if (Array.isArray(config._ssDiffusionD) && Array.isArray(config._ssFilterRadii) && typeof config._sampleBurleyDiffusionProfile === "function") {
    const dMax = Math.max(...distancesMm) / BABYLON_SSS_SCREEN_SCALE;
    config._ssDiffusionD[index] = dMax;
    // HDRP's filter radius: the 99.7 % point of the Burley CDF [S11].
    config._ssFilterRadii[index] = config._sampleBurleyDiffusionProfile(0.997, dMax);
  }
  return index;
}

/** MSAA samples of the pre-pass (the scene's render target while SSS is on); capped by the GPU. */
export const SKIN_PREPASS_MSAA_SAMPLES = 4;

/**
 * With SSS on, the scene renders into the pre-pass's own target, not the canvas, so the canvas's
 * `antialias` does nothing and silhouettes were stair-stepped: multisample that target instead.
 * Babylon resolves it before the SSS and image-processing passes read it.
 */
export function enablePrePassMsaa(scene: Scene, samples = SKIN_PREPASS_MSAA_SAMPLES): void {
  const renderer = scene.prePassRenderer;
  if (!renderer) return;
  const n = Math.max(1, Math.min(samples, scene.getEngine().getCaps().maxMSAASamples ?? 1));
  if (renderer.samples !== n) renderer.samples = n;
}

/** Constants.TEXTURETYPE_HALF_FLOAT. */
const TEXTURETYPE_HALF_FLOAT = 2;

/**
 * With the pre-pass on, Babylon applies image processing (exposure, tone mapping) in a
 * post-process whose input target is 8-bit: the SSS pass writes the lit scene into it, so every
 * pixel, skin or not, was clipped at 1.0 before exposure (measured on the SSS edge check: a lit
 * plateau of linear 1.9 at exposure 1/4 came out 0.25 instead of 0.48, with scattering on or off).
 * Half float keeps the light HDR. The composition post-process is created during a render, so
 * each frame checks for a new one (a few property reads).
 */
function keepScatteringHdr(config: SubSurfaceInternals, scene: Scene): void {
  if (config._porelightHdr || !scene.getEngine().getCaps().textureHalfFloatRender) return;
  config._porelightHdr = true;
  scene.onAfterRenderObservable.add(() => {
    const targets = (scene.prePassRenderer?.renderTargets ?? []) as unknown as { imageProcessingPostProcess?: PostProcessInternals | null }[];
    for (const target of targets) {
      const pp = target.imageProcessingPostProcess;
      if (!pp || pp._textureType === TEXTURETYPE_HALF_FLOAT) continue;
      pp._textureType = TEXTURETYPE_HALF_FLOAT;
      pp._disposeTextures(); // its texture cache would hand back the 8-bit target
      pp.markTextureDirty(); // re-created with the new type at the next frame
    }
  });
}
