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
 * It also carries the optional wrinkle map (an animated detail normal map, e.g. the smile's folds):
 * scaled by `wrinkleWeights` (one per side of the face) and blended onto N_S (both specular lobes:
 * base and clear coat) and N_D by reoriented normal mapping, so a blendshape that folds the skin
 * brings the folds back (wrinkle-maps.ts binds the weights to the blendshapes). Weight 0 returns the
 * maps' samples untouched: the same shading as without the map.
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
import { Matrix } from "@babylonjs/core/Maths/math.vector.js";
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

/** Marker comment present once per normal sample the wrinkle map is blended into; tests count it. */
export const WRINKLE_MARKER = "/*skinWrinkle*/";

/**
 * Half width of the midline band, in the mesh's units (metres), across which the weight passes
 * from the right side's to the left's: the philtrum and the chin fold with either side, while the
 * nasolabial folds and dimples (2–4 cm out, beside the mouth corners) take their own side's weight.
 */
export const WRINKLE_MIDLINE_HALF_WIDTH_M = 0.005;

// Wrinkle blend on an encoded ([0,1]) tangent-space normal sample. The weight is the side's (mesh
// x > 0 is the subject's left, glTF axes), so a one-sided smile folds one cheek; it scales the
// detail's slopes (xy over z): a fold's depth times w has w times its gradient. Blend: reoriented
// normal mapping (Barré-Brisebois & Hill 2012, "Blending in Detail"), which rotates the detail onto
// the base normal instead of adding slopes, so folds keep their shape on the pores' and lips' relief.
const WRINKLE_DEFINITIONS = `
#ifdef SKIN_WRINKLE
uniform sampler2D skinWrinkleSampler;
#endif
vec3 skinWrinkle(vec3 encoded,vec2 uv){
#ifdef SKIN_WRINKLE
float side=smoothstep(-${WRINKLE_MIDLINE_HALF_WIDTH_M},${WRINKLE_MIDLINE_HALF_WIDTH_M},(skinWrinkleFromWorld*vec4(vPositionW,1.0)).x);
float weight=mix(skinWrinkleWeights.y,skinWrinkleWeights.x,side);
if(weight>0.0){
vec3 d=texture2D(skinWrinkleSampler,uv).xyz*2.0-1.0;
d=normalize(vec3(d.xy*weight,max(d.z,1e-3)));
vec3 t=encoded*2.0-1.0+vec3(0.0,0.0,1.0);
vec3 u=d*vec3(-1.0,-1.0,1.0);
return normalize(t*dot(t,u)/t.z-u)*0.5+0.5;}
#endif
return encoded;}
`;

const DEFINITIONS = `${WRINKLE_DEFINITIONS}
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
skinDiffuseNormalW=perturbNormal(TBN,${WRINKLE_MARKER}skinWrinkle(texture2D(skinDiffuseNormalSampler,vBumpUV+uvOffset).xyz,vBumpUV+uvOffset),skinDiffuseNormalInfos.x);
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
  // N_S as the bump block samples it (tangent-space path), and the clear coat's copy of it.
  specularNormal: "perturbNormal\\(TBN,TEXRD\\(bumpSampler,vBumpUV\\+uvOffset\\)\\.xyz,",
  clearCoatNormal: "vec4 clearCoatBumpMapData=TEXRD\\(clearCoatBumpSampler,vClearCoatBumpUV\\+uvOffset\\);",
} as const;

/**
 * Material plugin: diffuse shading with N_D. Attach with `new SkinDiffuseNormalPlugin(material)`
 * and set `diffuseNormalTexture`; a null texture disables it (plain PBR with N_S everywhere).
 */
export class SkinDiffuseNormalPlugin extends MaterialPluginBase {
  private _diffuseNormalTexture: BaseTexture | null = null;
  private _wrinkleTexture: BaseTexture | null = null;
  /** Strength of N_D (scales the tangent-space xy like bumpTexture.level). */
  public diffuseNormalLevel = 1;
  /** How far the wrinkle map is folded in on the subject's left and right, 0…1 (its slopes times this); 0 = shading without it. Set per frame (wrinkle-maps.ts). */
  public wrinkleWeights = { left: 0, right: 0 };
  private readonly _fromWorld = new Matrix();

  constructor(material: PBRBaseMaterial, addToPluginList = true) {
    super(material, SKIN_PLUGIN_NAME, 150, { SKIN_DIFFUSE_NORMAL: false, SKIN_WRINKLE: false }, addToPluginList);
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

  /** The wrinkle map: tangent-space detail normals (same UVs and convention as bumpTexture), flat (0, 0, 1) where nothing folds. */
  get wrinkleTexture(): BaseTexture | null {
    return this._wrinkleTexture;
  }
  set wrinkleTexture(texture: BaseTexture | null) {
    if (this._wrinkleTexture === texture) return;
    this._wrinkleTexture = texture;
    this.markAllDefinesAsDirty();
  }

  override getClassName(): string {
    return SKIN_PLUGIN_CLASS;
  }

  override isCompatible(shaderLanguage: ShaderLanguage): boolean {
    return shaderLanguage === ShaderLanguage.GLSL;
  }

  override isReadyForSubMesh(_defines: MaterialDefines, _scene: Scene, _engine: AbstractEngine, _subMesh: SubMesh): boolean {
    return (!this._diffuseNormalTexture || this._diffuseNormalTexture.isReadyOrNotBlocking()) && (!this._wrinkleTexture || this._wrinkleTexture.isReadyOrNotBlocking());
  }

  override prepareDefines(defines: MaterialDefines, _scene: Scene, _mesh: AbstractMesh): void {
    // N_D needs the tangent frame the N_S bump path builds.
    const tangentBump = !!defines["BUMP"] && !defines["OBJECTSPACE_NORMALMAP"];
    defines["SKIN_DIFFUSE_NORMAL"] = !!this._diffuseNormalTexture && tangentBump;
    defines["SKIN_WRINKLE"] = !!this._wrinkleTexture && tangentBump;
  }

  override getSamplers(samplers: string[]): void {
    samplers.push("skinDiffuseNormalSampler", "skinWrinkleSampler");
  }

  override getUniforms(): { ubo: { name: string; size: number; type: string }[]; fragment: string } {
    return {
      ubo: [
        { name: "skinDiffuseNormalInfos", size: 2, type: "vec2" },
        { name: "skinWrinkleWeights", size: 2, type: "vec2" },
        { name: "skinWrinkleFromWorld", size: 16, type: "mat4" },
      ],
      fragment: "#ifdef SKIN_DIFFUSE_NORMAL\nuniform vec2 skinDiffuseNormalInfos;\n#endif\n#ifdef SKIN_WRINKLE\nuniform vec2 skinWrinkleWeights;\nuniform mat4 skinWrinkleFromWorld;\n#endif",
    };
  }

  override bindForSubMesh(uniformBuffer: UniformBuffer, _scene: Scene, _engine: AbstractEngine, subMesh: SubMesh): void {
    if (this._wrinkleTexture) {
      const clamp = (w: number) => Math.min(Math.max(w, 0), 1);
      uniformBuffer.updateFloat2("skinWrinkleWeights", clamp(this.wrinkleWeights.left), clamp(this.wrinkleWeights.right));
      uniformBuffer.updateMatrix("skinWrinkleFromWorld", subMesh.getMesh().getWorldMatrix().invertToRef(this._fromWorld));
      uniformBuffer.setTexture("skinWrinkleSampler", this._wrinkleTexture);
    }
    if (!this._diffuseNormalTexture) return;
    uniformBuffer.updateFloat2("skinDiffuseNormalInfos", this.diffuseNormalLevel, 0);
    uniformBuffer.setTexture("skinDiffuseNormalSampler", this._diffuseNormalTexture);
  }

  override hasTexture(texture: BaseTexture): boolean {
    return this._diffuseNormalTexture === texture || this._wrinkleTexture === texture;
  }

  override getActiveTextures(activeTextures: BaseTexture[]): void {
    if (this._diffuseNormalTexture) activeTextures.push(this._diffuseNormalTexture);
    if (this._wrinkleTexture) activeTextures.push(this._wrinkleTexture);
  }

  override getAnimatables(animatables: unknown[]): void {
    for (const t of [this._diffuseNormalTexture, this._wrinkleTexture] as ((BaseTexture & { animations?: unknown[] }) | null)[]) {
      if (t?.animations && t.animations.length > 0) animatables.push(t);
    }
  }

  override dispose(forceDisposeTextures?: boolean): void {
    if (!forceDisposeTextures) return;
    this._diffuseNormalTexture?.dispose();
    this._wrinkleTexture?.dispose();
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
      ["!" + SKIN_PLUGIN_REGEX.specularNormal]: `perturbNormal(TBN,${WRINKLE_MARKER}skinWrinkle(TEXRD(bumpSampler,vBumpUV+uvOffset).xyz,vBumpUV+uvOffset),`,
      ["!" + SKIN_PLUGIN_REGEX.clearCoatNormal]: `vec4 clearCoatBumpMapData=${WRINKLE_MARKER}TEXRD(clearCoatBumpSampler,vClearCoatBumpUV+uvOffset);clearCoatBumpMapData.xyz=skinWrinkle(clearCoatBumpMapData.xyz,vClearCoatBumpUV+uvOffset);`,
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
    if (this._wrinkleTexture) out.wrinkleTexture = this._wrinkleTexture.serialize();
    return out;
  }

  override parse(source: any, scene: Scene, rootUrl: string): void {
    if (typeof source?.diffuseNormalLevel === "number") this.diffuseNormalLevel = source.diffuseNormalLevel;
    if (source?.diffuseNormalTexture) {
      this.diffuseNormalTexture = Texture.Parse(source.diffuseNormalTexture, scene, rootUrl) as BaseTexture | null;
    }
    if (source?.wrinkleTexture) this.wrinkleTexture = Texture.Parse(source.wrinkleTexture, scene, rootUrl) as BaseTexture | null;
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
