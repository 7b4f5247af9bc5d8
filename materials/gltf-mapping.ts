/**
 * THE skin → glTF mapping (docs/design.md §5): which map and which factor goes into which glTF slot and
 * KHR extension. Pure data, so the package stage (export-head.ts) and the Editor plugin share it.
 *
 * | skin                       | glTF                                                                  |
 * |----------------------------|-----------------------------------------------------------------------|
 * | A_D (sRGB)                 | baseColorTexture                                                      |
 * | base lobe roughness        | roughnessFactor (metallicFactor 0)                                    |
 * | N_S                        | normalTexture and KHR_materials_clearcoat.clearcoatNormalTexture      |
 * | skin IOR                   | KHR_materials_ior.ior                                                 |
 * | A_S → base lobe            | KHR_materials_specular: specularTexture = A_S (alpha, linear),        |
 * |                            | specularColorFactor = baseColorFactor                                 |
 * | A_S → sharp lobe           | KHR_materials_clearcoat: clearcoatTexture = A_S (red, linear),        |
 * |                            | clearcoatFactor = coatFactor, clearcoatRoughnessFactor                |
 * |                            | (A_S is one grey+alpha image, R = A = A_S: stored once)               |
 * | thin-part mask, transl.    | KHR_materials_diffuse_transmission (only when the mask exists)        |
 * | N_D                        | PORELIGHT_materials_diffuse_normal.diffuseNormalTexture (gltf-diffuse-normal.ts) |
 * | SSS profile, params        | material.extras.porelight                                             |
 *
 * specularTexture (alpha) scales F0 as the old sRGB specularColorTexture did; by the glTF spec it
 * also scales F90, where head.babylon's reflectanceTexture keeps F90 = 1 (docs/design.md §5).
 *
 * Not used on purpose: KHR_materials_volume (needs KHR_materials_transmission, which skin is not),
 * the draft KHR_materials_coat. Babylon's glTF loader maps these slots back onto PBRMaterial
 * exactly as skin-material.ts sets them (same F0, coat intensity, roughness, IOR).
 */
import { linearToSrgb as encodeSrgb } from "../src/primitives/color.ts";
import { skinParametersToJson, specularFactors, type ValidSkinParameters } from "./skin-parameters.ts";

/** Our material extension carrying N_D (gltf-diffuse-normal.ts writes it, gltf-diffuse-normal-babylon.ts reads it). */
export const PORELIGHT_DIFFUSE_NORMAL = "PORELIGHT_materials_diffuse_normal";

/** Images the GLB embeds, in this fixed order (deterministic image indices). */
export const GLTF_SKIN_IMAGES = ["albedoDiffuse", "albedoSpecular", "normalsSpecular", "normalsDiffuse", "thinMask"] as const;
export type GltfSkinImage = (typeof GLTF_SKIN_IMAGES)[number];

export interface GltfSkinMaterial {
  baseColorTexture: GltfSkinImage;
  metallicFactor: number;
  roughnessFactor: number;
  normalTexture: GltfSkinImage;
  normalScale: number;
  ior: number;
  specular: { specularFactor: number; specularTexture: GltfSkinImage; specularColorFactor: [number, number, number] };
  clearcoat: {
    clearcoatFactor: number;
    clearcoatTexture: GltfSkinImage;
    clearcoatRoughnessFactor: number;
    clearcoatNormalTexture: GltfSkinImage;
    clearcoatNormalScale: number;
  };
  diffuseTransmission: null | {
    diffuseTransmissionFactor: number;
    diffuseTransmissionTexture: GltfSkinImage;
    diffuseTransmissionColorFactor: [number, number, number];
  };
  /** PORELIGHT_materials_diffuse_normal: N_D and its strength (as normalScale). */
  diffuseNormal: { texture: GltfSkinImage; scale: number };
  /** `material.extras.porelight`: the skin parameters (SSS profile, translucency…) for our loaders. */
  extras: { version: 2; parameters: Record<string, unknown> };
}

/** Maps skin parameters (checked by the caller, once: see ValidSkinParameters) to the glTF material description. */
export function skinToGltfMaterial(p: ValidSkinParameters, hasThinMask: boolean): GltfSkinMaterial {
  const { baseColorFactor, coatFactor } = specularFactors(p);
  return {
    baseColorTexture: "albedoDiffuse",
    metallicFactor: 0,
    roughnessFactor: p.roughnessBase,
    normalTexture: "normalsSpecular",
    normalScale: p.normalStrength,
    ior: p.indexOfRefraction,
    specular: { specularFactor: 1, specularTexture: "albedoSpecular", specularColorFactor: [baseColorFactor, baseColorFactor, baseColorFactor] },
    clearcoat: {
      clearcoatFactor: coatFactor,
      clearcoatTexture: "albedoSpecular",
      clearcoatRoughnessFactor: p.roughnessSharp,
      clearcoatNormalTexture: "normalsSpecular",
      clearcoatNormalScale: p.normalStrength,
    },
    diffuseTransmission: hasThinMask && p.translucency > 0
      ? { diffuseTransmissionFactor: p.translucency, diffuseTransmissionTexture: "thinMask", diffuseTransmissionColorFactor: [...p.translucencyColor] }
      : null,
    diffuseNormal: { texture: "normalsDiffuse", scale: p.normalStrength },
    extras: { version: 2, parameters: skinParametersToJson(p) },
  };
}

/** Linear → sRGB transfer (IEC 61966-2-1), for re-encoding A_S into sRGB-typed glTF slots. */
export function linearToSrgb(v: number): number {
  // Clamped here, not through linearToSrgbClamped: NaN stays NaN and 1 goes through the formula, as before.
  return encodeSrgb(v <= 0 ? 0 : v >= 1 ? 1 : v);
}

/** Eyes: glossy and wet; plain glTF PBR plus a clear coat for the cornea. */
export const GLTF_EYE_MATERIAL = { roughnessFactor: 0.35, clearcoatFactor: 1, clearcoatRoughnessFactor: 0.02, baseColorFactor: [0.8, 0.78, 0.75, 1] } as const;

/** Mouth parts (display choices, no texture; their UVs are the mouth's own atlas, src/geometry/mouth.ts): wet mucosa and gums, enamel, tongue. */
export const GLTF_MOUTH_MATERIALS = {
  mouth: { baseColorFactor: [0.3, 0.05, 0.05, 1], roughnessFactor: 0.35 },
  teeth: { baseColorFactor: [0.7, 0.66, 0.55, 1], roughnessFactor: 0.25 },
  tongue: { baseColorFactor: [0.45, 0.12, 0.12, 1], roughnessFactor: 0.45 },
} as const;

/** Base colour (linear RGB) of each mouth part as a job exports it. */
export type MouthColours = Record<keyof typeof GLTF_MOUTH_MATERIALS, [number, number, number]>;

/** The mouth parts' base colours: GLTF_MOUTH_MATERIALS', the teeth the job's own albedo when given (src/pipeline/teeth-colour.ts). */
export function mouthColours(teethAlbedo?: readonly number[]): MouthColours {
  if (teethAlbedo && (teethAlbedo.length !== 3 || !teethAlbedo.every((v) => Number.isFinite(v) && v >= 0 && v <= 1))) throw new Error(`mouthColours: the teeth albedo must be three linear values in 0..1, got ${JSON.stringify(teethAlbedo)}`);
  const rgb = (name: keyof typeof GLTF_MOUTH_MATERIALS) => GLTF_MOUTH_MATERIALS[name].baseColorFactor.slice(0, 3) as [number, number, number];
  return { mouth: rgb("mouth"), teeth: teethAlbedo ? [teethAlbedo[0], teethAlbedo[1], teethAlbedo[2]] : rgb("teeth"), tongue: rgb("tongue") };
}

