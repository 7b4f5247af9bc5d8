/**
 * Babylon 9.28's screen-space SSS on a multisampled pre-pass (issue 16, "specks"): the dark specks
 * along the jaw's silhouette, at the lip corners and along the lips' edge over the teeth.
 *
 * The SSS post-process reads the pre-pass's targets after the MSAA resolve, which averages them:
 * - the irradiance target's alpha codes the pixel's diffusion profile (index/255 for skin, 1 for
 *   every other material and the background; `testLightingForSSS` is alpha < 1). An edge pixel
 *   averages it, so it passes as skin with a nonsense profile index (round(alpha × 255), far past
 *   the 5 the uniform arrays hold), and its depth (averaged with the cleared 0 or with a part
 *   behind) and its albedo × irradiance (each averaged with the other samples, so the product goes
 *   as coverage²) are not the skin's: the pixel lost most of its diffuse light and came out darker
 *   than the skin and the background both;
 * - a skin pixel blurs only its disc samples, and the centre pixel counts only when a sample's
 *   rounded offset is 0. At a silhouette the other samples land on the background (skipped) or on
 *   skin centimetres deeper (bilateral weight ≈ 0), so the pixel's diffuse went to 0 even without
 *   MSAA (a black outline at --msaa 1).
 *
 * The guard, patched into the post-process's GLSL (the way diffuse-normal-plugin.ts patches the
 * PBR shader): only pure pixels (alpha × 255 below MAX_PROFILE_CODE) scatter or are sampled; the
 * centre pixel always counts, with the profile's mass over one pixel's area (n × Burley CDF at
 * r = 1/√π pixel: each of the n samples' weights estimates the whole profile's mass, 1); a mixed
 * pixel adds its scattering share of the diffuse light (1 − alpha: the profile code is ≤ 4 of
 * 255) at the albedo × irradiance of its pure scattering neighbours (3 × 3), or, with none, its own
 * albedo × irradiance / coverage² (exact when the rest of the pixel is background).
 * WebGPU's WGSL shader is not patched.
 */
import { ShaderStore } from "@babylonjs/core/Engines/shaderStore.js";
import "@babylonjs/core/Shaders/subSurfaceScattering.fragment.js"; // registers Babylon's shader, which the guard rewrites
import type { Scene } from "@babylonjs/core/scene.js";

/** Babylon's name of the SSS post-process's fragment shader in ShaderStore. */
const SSS_SHADER = "subSurfaceScatteringPixelShader";

/** The define that selects Babylon's own code in the patched shader (before/after renders, tests). */
export const RAW_SSS_DEFINE = "PORELIGHT_RAW_SSS";

/** Babylon holds at most 5 diffusion profiles (indices 0–4, alpha = index/255); any code above is a mixed pixel. */
const MAX_PROFILE_CODE = 4.5;

const FUNCTIONS = `
bool sssPureProfile(float a){return a*255.<${MAX_PROFILE_CODE.toFixed(1)};}
vec3 sssBurleyCdf(float r,vec3 S){return 1.-0.25*exp(-S*r)-0.75*exp(-S*r/3.);}
vec4 sssMixedPixel(vec4 inputColor,vec4 centre,vec2 uv){
float coverage=clamp(1.-centre.a,1./16.,1.);vec3 sum=vec3(0.);float count=0.;
for(int dy=-2;dy<=2;dy++){for(int dx=-2;dx<=2;dx++){if(dx==0&&dy==0)continue;
vec2 p=uv+vec2(float(dx),float(dy))*texelSize;vec4 s=texture2D(irradianceSampler,p);
if(sssPureProfile(s.a)){sum+=texture2D(albedoSampler,p).rgb*s.rgb;count+=1.;}}}
vec3 diffuse=count>0.?sum/count:texture2D(albedoSampler,uv).rgb*centre.rgb/(coverage*coverage);
return vec4(inputColor.rgb+coverage*diffuse,1.);}
`;

/** One replacement: Babylon's text, and what stands in for it unless RAW_SSS_DEFINE is set. */
const PATCHES: [string, string][] = [
  // Samples: pure scattering pixels only, and not the centre pixel (added once, below).
  ["if (testLightingForSSS(textureSample.a))", "if (sssPureProfile(textureSample.a)&&any(notEqual(round((pixelsPerMm*r)*vec2(cosPsi,sinPsi)),vec2(0.))))"],
  // Mixed pixels: no blur, their scattering share of the neighbours' diffuse.
  ["gl_FragColor=inputColor;return;}", "gl_FragColor=inputColor;return;}\nif (!sssPureProfile(irradianceAndDiffusionProfile.a)) {gl_FragColor=sssMixedPixel(inputColor,irradianceAndDiffusionProfile,vUV);return;}"],
  // The centre pixel with its share of the profile's mass.
  ["totalWeight=max(totalWeight,HALF_MIN);", "vec3 sssCentreWeight=float(n)*sssBurleyCdf(0.5641896/pixelsPerMm,S);totalIrradiance+=sssCentreWeight*centerIrradiance;totalWeight+=sssCentreWeight;\ntotalWeight=max(totalWeight,HALF_MIN);"],
];

/** Babylon's shader with the guard, each change behind `#ifndef RAW_SSS_DEFINE`. Throws when Babylon's text moved. */
export function guardedSubsurfaceShader(source: string): string {
  let out = source;
  for (const [from, to] of PATCHES) {
    const at = out.indexOf(from);
    if (at < 0) throw new Error(`subsurface-resolve: Babylon's subSurfaceScattering shader has no "${from}" (pinned 9.28.0); re-check the guard`);
    out = `${out.slice(0, at)}\n#ifdef ${RAW_SSS_DEFINE}\n${from}\n#else\n${to}\n#endif\n${out.slice(at + from.length)}`;
  }
  const anchor = "vec3 EvalBurleyDiffusionProfile(";
  if (!out.includes(anchor)) throw new Error(`subsurface-resolve: Babylon's subSurfaceScattering shader has no "${anchor}"`);
  return out.replace(anchor, `${FUNCTIONS}\n${anchor}`);
}

/**
 * Installs the guarded shader (once; before the SSS post-process compiles, i.e. before SSS is
 * first enabled on a scene). Returns false, leaving Babylon's shader, where it is not registered
 * or its text differs (another Babylon than the pinned one, e.g. an Editor's).
 */
export function guardSubsurfaceResolve(): boolean {
  const store = ShaderStore.ShadersStore;
  const source = store[SSS_SHADER];
  if (!source) return false;
  if (source.includes(RAW_SSS_DEFINE)) return true;
  try {
    store[SSS_SHADER] = guardedSubsurfaceShader(source);
    return true;
  } catch {
    return false;
  }
}

/** Switches a scene's SSS post-process between the guard and Babylon's own code (before/after renders). */
export function useSubsurfaceResolveGuard(scene: Scene, on: boolean): void {
  const config = scene.subSurfaceConfiguration as unknown as { postProcess?: { updateEffect(defines: string | null): void } } | null;
  config?.postProcess?.updateEffect(on ? null : `#define ${RAW_SSS_DEFINE}\n`);
}
