/**
 * What every step of the delight stage reads: the base-size maps of its input, the options with
 * their defaults applied, and the per-texel questions the steps share (inside an island? clipped?
 * how much of these regions?).
 */
import { FACE_REGIONS, type FaceRegion, type ImageF32, type OcclusionMasks, type RegionMaps } from "../../types.ts";
import type { ScleraMeasurement } from "../capture/sclera.ts";
import type { TeethMeasurement } from "../capture/teeth.ts";
import type { EdgeMixtures } from "../capture/edge-patches.ts";
import { LUMA_709 } from "../../primitives/color.ts";
import type { ReliefSettings } from "./shading-relief.ts";
import type { SceneLightStatistics } from "./redness-share.ts";

/** Texel size the built-in δ graph is specialised for when the input does not give one, mm. */
export const NOMINAL_DELIGHT_TEXEL_MM = 0.1;

/** The base-size part of DelightInput (../delight.ts), which is all the steps before the full-resolution division read. */
export interface DelightMaps {
  /** The completed base-size texture T that was upscaled, linear RGB. */
  textureBase: ImageF32;
  /**
   * 1 channel 0..1: what the photo really saw — complete's sourceConfidence (unwrap's confidence
   * without the texels complete dropped as not skin), or unwrap's confidence.
   */
  confidence: ImageF32;
  /** Object-space unit normals N_O, base size. */
  normalsObject: ImageF32;
  /** Object-space tangent frame (xyzw, unwrap's tangentsObject), base size: with it, the relief is recovered from the shading (shading-relief.ts). */
  tangentsObject?: ImageF32;
  /** Surface size of one base texel, mm (unwrap's medianTexelSizeMm); the relief's scale. */
  baseTexelSizeMm?: number;
  /**
   * Unit vectors from each texel's surface point toward the photo's camera, object space, base size
   * (specular-bound.ts viewTowardCamera). With it, the highlight removal takes no more than the
   * skin material's specular under the fitted light can put back; absent: the dichromatic test alone.
   */
  viewObject?: ImageF32;
  /** Ambient occlusion 0..1, base size. */
  ambientOcclusion: ImageF32;
  /**
   * The directions each base texel is open toward (unwrap's occlusionMasks): with them the model
   * shading casts the mesh's own shadows under the fitted light (delight/light-visibility.ts);
   * absent: the uniform sky's ambient occlusion shades it.
   */
  occlusionMasks?: OcclusionMasks;
  /**
   * 0..1, base size: the share of the fitted light's irradiance the mesh lets through to each texel
   * (delight/light-visibility.ts), which shades the model in place of `ambientOcclusion`. Delight
   * sets it itself after its first lighting fit; absent: ambient occlusion.
   */
  lightOcclusion?: ImageF32;
  /** 1 inside UV islands, base size (absent: all). */
  coverage?: ImageF32;
  /** Region maps, base size: hair, brows and eyelids stay out of the lighting fit; the scale prior reads cheeks and forehead. */
  regions?: RegionMaps;
  /** Mirror texel per base texel (absent: u → 1 − u). */
  mirrorTexel?: Int32Array;
  /**
   * A scene light colour known from elsewhere (linear, red = 1), taken out of the skin before its tone
   * is read: a warm light and darker skin shift skin colour the same way, and only the scene can tell
   * them apart. Not with `sceneLight`, from which delight reads the light itself (scene-light.ts).
   * Neither: the photo is taken as white-balanced.
   */
  sceneIlluminant?: [number, number, number];
  /**
   * The scene's light statistics (capture's `illuminant`, `sceneLightStatistics`: the whole scene's
   * grey-world and grey-edge, and each witness's): the light's colour the skin's tone is read under, checked against the skin (delight/scene-light.ts), and
   * whether the scene vouches for it, which decides whether the skin's offset off the locus is a
   * tint or its blood (delight/redness-share.ts). Absent: read as a tint.
   */
  sceneLight?: SceneLightStatistics;
  /**
   * The sclera as the photo shows it (capture/sclera.ts): a reference of known reflectance for the
   * light's brightness and colour, weighed against the skin-locus prior (delight/references.ts).
   * Absent or unreliable: the prior alone fixes the scale.
   */
  sclera?: ScleraMeasurement;
  /** The teeth as the photo shows them (capture/teeth.ts), a second reference where the mouth is open. */
  teeth?: TeethMeasurement;
  /** The photo's edge colour mixtures (capture/edge-patches.ts): a cue to the camera's response, with the skin's shading (delight/response.ts). Absent: shading alone. */
  edgeMixtures?: EdgeMixtures;
}

/**
 * DelightOptions (../delight.ts) with its defaults applied, as the steps read them. Spelled out here
 * rather than imported so that the helpers do not import their entry back (test/import-cycles.test.ts);
 * the entry passes its `Required<DelightOptions>`, so the compiler keeps the two in step.
 */
export interface DelightSettings {
  minConfidence: number;
  minOcclusion: number;
  clipLevel: number;
  iterations: number;
  ridge: [number, number];
  lightColorCoupling: number;
  cameraResponse: "estimate" | number;
  useTeeth: boolean | "luminance";
  skinSurfaceReflectance: number;
  skinRednessSigma: number;
  skinRednessShare: number | "scene";
  albedoScale: "chromaticity" | number;
  shadeTrust: [number, number];
  shadeChromaTrust: [number, number];
  maxAlbedoRatio: number;
  specularTolerance: number;
  specularGate: number;
  highlightChroma: "region" | "face";
  shadingFloor: number;
  seenConfidence: number;
  tukeyC: number;
  regionRidge: number;
  maxFitSamples: number;
  deepShadeSigma: number;
  deepShadeSlowMm: number | null;
  deepShadeSupport: number;
  castShadows: boolean;
  shapeFromShading: ReliefSettings | null;
}

/** The base texture's size and the per-texel arrays most steps loop over. */
export interface BaseTexels {
  width: number;
  height: number;
  /** width × height. */
  n: number;
  /** The base texture, linear RGB. */
  T: Float32Array;
  /** Ambient occlusion: what decides a cavity the model does not hold (not fitted, not divided). */
  AO: Float32Array;
  /** The model shading's occlusion: the fitted light's visibility (`lightOcclusion`) where delight has it, else AO. */
  occlusion: Float32Array;
  /** Confidence. */
  conf: Float32Array;
  /** True inside a UV island (every texel without a coverage map). */
  covered: (p: number) => boolean;
}

export function baseTexels(input: DelightMaps): BaseTexels {
  const { width, height } = input.textureBase;
  return {
    width,
    height,
    n: width * height,
    T: input.textureBase.data,
    AO: input.ambientOcclusion.data,
    occlusion: (input.lightOcclusion ?? input.ambientOcclusion).data,
    conf: input.confidence.data,
    covered: (p) => !input.coverage || input.coverage.data[p] > 0.5,
  };
}

/** True when a channel of texel p reaches the camera's clip level. */
export function isClipped(T: Float32Array, p: number, clipLevel: number): boolean {
  return T[p * 3] >= clipLevel || T[p * 3 + 1] >= clipLevel || T[p * 3 + 2] >= clipLevel;
}

/** Per texel, the summed weight of the named regions (0 everywhere without region maps). */
export function regionSum(regions: RegionMaps | undefined, names: readonly FaceRegion[], texels: number): Float32Array {
  const out = new Float32Array(texels);
  if (!regions) return out;
  const w = regions.weights;
  const idx = names.map((name) => FACE_REGIONS.indexOf(name));
  for (let p = 0; p < texels; p++) for (const i of idx) out[p] += w.data[p * w.channels + i];
  return out;
}

/** Rec. 709 luminance of texel p of an interleaved RGB array. */
export const lumAt = (rgb: ArrayLike<number>, p: number) => LUMA_709[0] * rgb[p * 3] + LUMA_709[1] * rgb[p * 3 + 1] + LUMA_709[2] * rgb[p * 3 + 2];
