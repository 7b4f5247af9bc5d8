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
 * | A_S → base lobe F0         | KHR_materials_specular: specularColorTexture = A_S re-encoded as sRGB |
 * |                            | RGB (the slot is sRGB), specularColorFactor = baseColorFactor         |
 * | A_S → sharp lobe           | KHR_materials_clearcoat: clearcoatTexture = A_S (red, linear),        |
 * |                            | clearcoatFactor = coatFactor, clearcoatRoughnessFactor                |
 * | thin-part mask, transl.    | KHR_materials_diffuse_transmission (only when the mask exists)        |
 * | N_D, SSS profile, params   | material.extras.porelight (N_D as an image index: no glTF slot)       |
 *
 * Not used on purpose: KHR_materials_volume (needs KHR_materials_transmission, which skin is not),
 * the draft KHR_materials_coat. Babylon's glTF loader maps these slots back onto PBRMaterial
 * exactly as skin-material.ts sets them (same F0, coat intensity, roughness, IOR).
 */
import { linearToSrgb as encodeSrgb } from "../src/primitives/color.ts";
import { skinParametersToJson, specularFactors, type ValidSkinParameters } from "./skin-parameters.ts";

/** Images the GLB embeds, in this fixed order (deterministic image indices). */
export const GLTF_SKIN_IMAGES = ["albedoDiffuse", "albedoSpecularSrgb", "albedoSpecular", "normalsSpecular", "normalsDiffuse", "thinMask"] as const;
export type GltfSkinImage = (typeof GLTF_SKIN_IMAGES)[number];

export interface GltfSkinMaterial {
  baseColorTexture: GltfSkinImage;
  metallicFactor: number;
  roughnessFactor: number;
  normalTexture: GltfSkinImage;
  normalScale: number;
  ior: number;
  specular: { specularFactor: number; specularColorFactor: [number, number, number]; specularColorTexture: GltfSkinImage };
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
  /** `material.extras.porelight`; `diffuseNormalImage` is filled with the image index on write. */
  extras: { version: 1; diffuseNormalImage: GltfSkinImage; parameters: Record<string, unknown> };
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
    specular: { specularFactor: 1, specularColorFactor: [baseColorFactor, baseColorFactor, baseColorFactor], specularColorTexture: "albedoSpecularSrgb" },
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
    extras: { version: 1, diffuseNormalImage: "normalsDiffuse", parameters: skinParametersToJson(p) },
  };
}

/** Linear → sRGB transfer (IEC 61966-2-1), for re-encoding A_S into sRGB-typed glTF slots. */
export function linearToSrgb(v: number): number {
  // Clamped here, not through linearToSrgbClamped: NaN stays NaN and 1 goes through the formula, as before.
  return encodeSrgb(v <= 0 ? 0 : v >= 1 ? 1 : v);
}

/** Eyes: glossy and wet; plain glTF PBR plus a clear coat for the cornea. */
export const GLTF_EYE_MATERIAL = { roughnessFactor: 0.35, clearcoatFactor: 1, clearcoatRoughnessFactor: 0.02, baseColorFactor: [0.8, 0.78, 0.75, 1] } as const;
