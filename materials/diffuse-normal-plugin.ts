/**
 * The one material plugin of the skin: diffuse lighting (punctual lights, diffuse transmission
 * and image-based irradiance) uses the diffuse normal map N_D, while `bumpTexture` = N_S keeps
 * driving both specular lobes. Everything else is stock PBRMaterial.
 *
 * The plugin rewrites the PBR fragment shader after includes are expanded (regex injection), so
 * every light's diffuse term is replaced once per light. IBL diffuse is re-evaluated from the
 * spherical harmonics with N_D, which needs the irradiance in the fragment shader
 * (`forceIrradianceInFragment`, set by the skin material). GLSL only (WebGL2); on WebGPU the
 * plugin disables itself and the material renders as plain PBR.
 *
 * It also lifts a clamp that darkens every lit skin: with scattering on, Babylon's pre-pass stores
 * the diffuse light divided by √albedo for the SSS blur, clamped to 1 (pbrBlockPrePass), although
 * the target is half float. Under HDR light (a key light of intensity 4 on albedo 0.4 gives 1.6)
 * that cut the diffuse light to a fraction, which is why scattering off looked brighter
 * ("washed out") than scattering on. The SSS edge check in test/browser measures that lit skin
 * keeps its brightness with scattering on.
 */
import { MaterialPluginBase } from "@babylonjs/core/Materials/materialPluginBase.js";
import { ShaderLanguage } from "@babylonjs/core/Materials/shaderLanguage.js";
import { Texture } from "@babylonjs/core/Materials/Textures/texture.js";
import { RegisterClass } from "@babylonjs/core/Misc/typeStore.js";
import type { PBRBaseMaterial } from "@babylonjs/core";
import type { BaseTexture } from "@babylonjs/core";
import type { MaterialDefines } from "@babylonjs/core";
import type { UniformBuffer } from "@babylonjs/core";
import type { Scene } from "@babylonjs/core";
import type { AbstractEngine } from "@babylonjs/core";
import type { SubMesh } from "@babylonjs/core";
import type { AbstractMesh } from "@babylonjs/core";

/** Class name under which the plugin serialises (`plugins.SkinDiffuseNormalPlugin` in .babylon). */
export const SKIN_PLUGIN_CLASS = "SkinDiffuseNormalPlugin";
/** Plugin instance name (one per material). */
export const SKIN_PLUGIN_NAME = "SkinDiffuseNormal";

/** Marker comment present once per replaced diffuse term; tests count it. */
export const INJECTION_MARKER = "/*skinND*/";

const DEFINITIONS = `
#ifdef SKIN_DIFFUSE_NORMAL
uniform sampler2D skinDiffuseNormalSampler;
#endif
vec3 skinDiffuseNormalW=vec3(0.0,1.0,0.0);
preLightingInfo skinDiffusePreInfo(preLightingInfo info){
#ifdef SKIN_DIFFUSE_NORMAL
info.NdotLUnclamped=dot(skinDiffuseNormalW,info.L);info.NdotL=saturateEps(info.NdotLUnclamped);
#endif
return info;}
preLightingInfo skinDiffuseHemiInfo(preLightingInfo info){
#if defined(SKIN_DIFFUSE_NORMAL) && defined(SPECULARTERM)
info.NdotL=saturateEps(dot(skinDiffuseNormalW,info.L)*0.5+0.5);info.NdotLUnclamped=info.NdotL;
#endif
return info;}
`;

// After the albedo and the final (N_S) normal: TBN and vBumpUV exist whenever BUMP is defined.
const BEFORE_LIGHTS = `
#ifdef SKIN_DIFFUSE_NORMAL
skinDiffuseNormalW=perturbNormal(TBN,texture2D(skinDiffuseNormalSampler,vBumpUV+uvOffset).xyz,skinDiffuseNormalInfos.x);
#if defined(TWOSIDEDLIGHTING) && defined(NORMAL)
skinDiffuseNormalW=gl_FrontFacing ? skinDiffuseNormalW : -skinDiffuseNormalW;
#endif
#else
skinDiffuseNormalW=normalW;
#endif
`;

// Re-evaluates the IBL irradiance with N_D right after the reflection block (same maths as
// pbrBlockReflection, for the spherical-harmonics path that forceIrradianceInFragment selects).
const IBL_IRRADIANCE = `#endif
${INJECTION_MARKER}
#if defined(SKIN_DIFFUSE_NORMAL) && defined(REFLECTION) && defined(USESPHERICALFROMREFLECTIONMAP) && !defined(USESPHERICALINVERTEX) && !defined(REALTIME_FILTERING) && !defined(ANISOTROPIC)
{vec3 skinIrradianceVector=vec3(reflectionMatrix*vec4(skinDiffuseNormalW,0)).xyz;
#ifdef REFLECTIONMAP_OPPOSITEZ
skinIrradianceVector.z*=-1.0;
#endif
#ifdef INVERTCUBICMAP
skinIrradianceVector.y*=-1.0;
#endif
reflectionOut.environmentIrradiance=computeEnvironmentIrradiance(skinIrradianceVector)*vReflectionColor.rgb*vReflectionInfos.x;
#ifdef SS_TRANSLUCENCY
reflectionOut.irradianceVector=skinIrradianceVector;
#endif
}
#endif
float reflectanceF0=reflectivityOut.reflectanceF0;`;

/** Upper bound of the SSS pre-pass irradiance after the fix (finite in half float, max 65504). */
export const SSS_IRRADIANCE_MAX = "6.0e4";

/** The regex injections, exported so tests can count their effect. */
export const SKIN_PLUGIN_REGEX = {
  // The pre-pass's SSS irradiance clamp (see the file header).
  sssIrradianceClamp: "clamp\\(irradiance,vec3\\(0\\.\\),vec3\\(1\\.\\)\\)",
  diffuse: "computeDiffuseLighting\\(preInfo,",
  transmitted: "computeDiffuseTransmittedLighting\\(preInfo,",
  hemispheric: "computeHemisphericDiffuseLighting\\(preInfo,",
  // The main-body copy only (it follows an #endif); the clustered-light function has its own copy.
  ibl: "#endif\\nfloat reflectanceF0=reflectivityOut\\.reflectanceF0;",
} as const;

/**
 * Material plugin: diffuse shading with N_D. Attach with `new SkinDiffuseNormalPlugin(material)`
 * and set `diffuseNormalTexture`; a null texture disables it (plain PBR with N_S everywhere).
 */
export class SkinDiffuseNormalPlugin extends MaterialPluginBase {
  private _diffuseNormalTexture: BaseTexture | null = null;
  /** Strength of N_D (scales the tangent-space xy like bumpTexture.level). */
  public diffuseNormalLevel = 1;

  constructor(material: PBRBaseMaterial, addToPluginList = true) {
    super(material, SKIN_PLUGIN_NAME, 150, { SKIN_DIFFUSE_NORMAL: false }, addToPluginList);
    this._enable(true);
  }

  /** The diffuse normal map N_D (tangent space, same UVs and convention as bumpTexture). */
  get diffuseNormalTexture(): BaseTexture | null {
    return this._diffuseNormalTexture;
  }
  set diffuseNormalTexture(texture: BaseTexture | null) {
    if (this._diffuseNormalTexture === texture) return;
    this._diffuseNormalTexture = texture;
    this.markAllDefinesAsDirty();
  }

  override getClassName(): string {
    return SKIN_PLUGIN_CLASS;
  }

  override isCompatible(shaderLanguage: ShaderLanguage): boolean {
    return shaderLanguage === ShaderLanguage.GLSL;
  }

  override isReadyForSubMesh(_defines: MaterialDefines, _scene: Scene, _engine: AbstractEngine, _subMesh: SubMesh): boolean {
    return !this._diffuseNormalTexture || this._diffuseNormalTexture.isReadyOrNotBlocking();
  }

  override prepareDefines(defines: MaterialDefines, _scene: Scene, _mesh: AbstractMesh): void {
    // N_D needs the tangent frame the N_S bump path builds.
    defines["SKIN_DIFFUSE_NORMAL"] = !!this._diffuseNormalTexture && !!defines["BUMP"] && !defines["OBJECTSPACE_NORMALMAP"];
  }

  override getSamplers(samplers: string[]): void {
    samplers.push("skinDiffuseNormalSampler");
  }

  override getUniforms(): { ubo: { name: string; size: number; type: string }[]; fragment: string } {
    return {
      ubo: [{ name: "skinDiffuseNormalInfos", size: 2, type: "vec2" }],
      fragment: "#ifdef SKIN_DIFFUSE_NORMAL\nuniform vec2 skinDiffuseNormalInfos;\n#endif",
    };
  }

  override bindForSubMesh(uniformBuffer: UniformBuffer, _scene: Scene, _engine: AbstractEngine, _subMesh: SubMesh): void {
    if (!this._diffuseNormalTexture) return;
    uniformBuffer.updateFloat2("skinDiffuseNormalInfos", this.diffuseNormalLevel, 0);
    uniformBuffer.setTexture("skinDiffuseNormalSampler", this._diffuseNormalTexture);
  }

  override hasTexture(texture: BaseTexture): boolean {
    return this._diffuseNormalTexture === texture;
  }

  override getActiveTextures(activeTextures: BaseTexture[]): void {
    if (this._diffuseNormalTexture) activeTextures.push(this._diffuseNormalTexture);
  }

  override getAnimatables(animatables: unknown[]): void {
    const t = this._diffuseNormalTexture as (BaseTexture & { animations?: unknown[] }) | null;
    if (t?.animations && t.animations.length > 0) animatables.push(t);
  }

  override dispose(forceDisposeTextures?: boolean): void {
    if (forceDisposeTextures) this._diffuseNormalTexture?.dispose();
  }

  override getCustomCode(shaderType: string, shaderLanguage?: ShaderLanguage): { [pointName: string]: string } | null {
    if (shaderType !== "fragment" || shaderLanguage === ShaderLanguage.WGSL) return null;
    return {
      CUSTOM_FRAGMENT_DEFINITIONS: DEFINITIONS,
      CUSTOM_FRAGMENT_BEFORE_LIGHTS: BEFORE_LIGHTS,
      ["!" + SKIN_PLUGIN_REGEX.diffuse]: `computeDiffuseLighting(${INJECTION_MARKER}skinDiffusePreInfo(preInfo),`,
      ["!" + SKIN_PLUGIN_REGEX.transmitted]: `computeDiffuseTransmittedLighting(${INJECTION_MARKER}skinDiffusePreInfo(preInfo),`,
      ["!" + SKIN_PLUGIN_REGEX.hemispheric]: `computeHemisphericDiffuseLighting(${INJECTION_MARKER}skinDiffuseHemiInfo(preInfo),`,
      ["!" + SKIN_PLUGIN_REGEX.ibl]: IBL_IRRADIANCE,
      ["!" + SKIN_PLUGIN_REGEX.sssIrradianceClamp]: `clamp(irradiance,vec3(0.),vec3(${SSS_IRRADIANCE_MAX}))`,
    };
  }

  override serialize(): any {
    const out: Record<string, unknown> = {
      name: this.name,
      priority: this.priority,
      diffuseNormalLevel: this.diffuseNormalLevel,
    };
    if (this._diffuseNormalTexture) out.diffuseNormalTexture = this._diffuseNormalTexture.serialize();
    return out;
  }

  override parse(source: any, scene: Scene, rootUrl: string): void {
    if (typeof source?.diffuseNormalLevel === "number") this.diffuseNormalLevel = source.diffuseNormalLevel;
    if (source?.diffuseNormalTexture) {
      this.diffuseNormalTexture = Texture.Parse(source.diffuseNormalTexture, scene, rootUrl) as BaseTexture | null;
    }
  }
}

let registered = false;

/**
 * Registers the plugin class for (de)serialisation: `.babylon` files then recreate it on load.
 * Idempotent. A game calls this once before loading a head: `registerSkinMaterialPlugin()`.
 */
export function registerSkinMaterialPlugin(): void {
  if (registered) return;
  RegisterClass(`BABYLON.${SKIN_PLUGIN_CLASS}`, SkinDiffuseNormalPlugin);
  registered = true;
}
