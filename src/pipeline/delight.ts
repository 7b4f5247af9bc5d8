/**
 * delight δ: diffuse albedo A_D from the (upscaled) photo texture by inverse rendering (docs/design.md §1).
 *
 * At base size, in TypeScript: fit the photo's lighting (2nd-order SH) jointly with a smooth
 * regional albedo on the seen skin texels (IRLS, see delight/fit.ts); divide the seen texels by
 * the shading (AO included) after removing specular highlights; complete that albedo through the
 * UV symmetry (a lit and an unlit cheek become the same albedo before mirroring); fix the absolute
 * scale with the measured skin-reflectance prior. Then, at full resolution, the per-texel δ
 * estimator (a built-in ONNX graph, or a user model with the same I/O) divides the upscaled
 * texture by the shading, upsampled.
 *
 * Where the photo did not see a texel, its "shading" is the one the completed texture implies
 * (completed texture / completed albedo, smoothed), so the division returns the completed albedo
 * plus the upscaler's detail instead of dividing a guess by a light that never reached it.
 */
import { runTiled } from "../models/tiled.ts";
import { builtinDelightEstimator, forJob } from "../estimators/builtin.ts";
import { dichromaticWeights, DELIGHT_GRAPH_DEFAULTS, specularExcess, type DelightGraphParams } from "../estimators/delight.ts";
import { resizeImage } from "../estimators/resize.ts";
import { FACE_REGIONS, type FaceRegion, type ImageF32, type LightingEstimate, type RegionMaps } from "../types.ts";
import { complete, skinPriorMask, weightedMedian } from "./complete.ts";
import { matchSkinLocus, MEAN_FACIAL_SKIN_Y } from "./delight/albedo-scale.ts";
import { fitLighting, smoothAlbedoAt, type LightingFit } from "./delight/fit.ts";
import { neutraliseShadeChroma } from "./delight/shade-chroma.ts";
import { weightedBlur } from "../image/box-blur.ts";
import { brightestSeenDirection, evaluateShImage, irradianceToRadiance } from "../render/sh.ts";
import { LUMA_709 } from "../primitives/color.ts";
import { loggerOf, stageEstimator, throwIfAborted, tiledOf, withDefaults, type StageContext } from "./stage.ts";

export interface DelightInput {
  /** Texture T̂ at full map size (the upscaler's output), sRGB or linear, 3 channels. */
  texture: ImageF32;
  /** The completed base-size texture T that was upscaled, linear RGB. */
  textureBase: ImageF32;
  /**
   * 1 channel 0..1: what the photo really saw — complete's sourceConfidence (unwrap's confidence
   * without the texels complete dropped as not skin), or unwrap's confidence.
   */
  confidence: ImageF32;
  /** Object-space unit normals N_O, base size. */
  normalsObject: ImageF32;
  /** Ambient occlusion 0..1, base size. */
  ambientOcclusion: ImageF32;
  /** 1 inside UV islands, base size (absent: all). */
  coverage?: ImageF32;
  /** Region maps, base size: hair, brows and eyelids stay out of the lighting fit; the scale prior reads cheeks and forehead. */
  regions?: RegionMaps;
  /** Mirror texel per base texel (absent: u → 1 − u). */
  mirrorTexel?: Int32Array;
  /**
   * The scene's light colour from the rest of the photo (capture's `illuminant.rgb`, linear, red = 1).
   * Taken out of the skin before its tone is read: a warm light and darker skin shift skin colour
   * the same way, and only the scene can tell them apart. Absent: the photo is taken as white-balanced.
   */
  sceneIlluminant?: [number, number, number];
  /** Surface size of one texel of `texture`, mm (passed to parametric estimators; absent: 0.1). */
  texelSizeMm?: number;
}

export interface DelightOptions {
  /** Texels below this confidence are not used to fit the lighting, 0..1. */
  minConfidence?: number;
  /** Texels with a smaller ambient-occlusion factor are neither fitted nor divided but completed (cavities break the model), 0..1. */
  minOcclusion?: number;
  /** Texels with a linear channel at or above this are clipped by the camera and not used. */
  clipLevel?: number;
  /** Alternation rounds of the light/albedo fit. */
  iterations?: number;
  /** Ridge on SH bands 1 and 2 relative to band 0 (the back of the head is never seen). */
  ridge?: [number, number];
  /**
   * How strongly the light's colour is held uniform over directions, relative to the data (0 = a
   * free colour per SH coefficient; large = one colour). The photo gives no way to tell a tinted
   * shadow from a tinted skin patch, and a free colour lets a white highlight pass as blue light.
   */
  lightColorCoupling?: number;
  /** Absolute scale: "chromaticity" (facial Y from the albedo's green/red, ISSA anchors [S20]) or a fixed median facial luminance Y. */
  albedoScale?: "chromaticity" | number;
  /**
   * Model shading below lo × the median seen shading is not trusted (a fitted template's nostrils
   * and eye sockets rarely match the real ones): there the divisor blends, up to hi × median,
   * toward the shading the photo implies against the regional albedo.
   */
  shadeTrust?: [number, number];
  /**
   * Below hi × the median seen shading, the division's chromaticity blends toward the regional
   * albedo's (fully below lo × median): shadowed skin is reddened by subsurface light, not by its albedo.
   */
  shadeChromaTrust?: [number, number];
  /** Seen texels whose albedo luminance exceeds this multiple of their region's are treated as unseen (completed). */
  maxAlbedoRatio?: number;
  /** Specular separation tolerance, a fraction of luminance (shared with the per-texel graph). */
  specularTolerance?: number;
  /** Specular separation brightness gate (shared with the per-texel graph). */
  specularGate?: number;
  /** Shading floor of the division, linear. */
  shadingFloor?: number;
  /** Confidence from which the photo saw a texel at all, 0..1: below it a texel is neither divided nor trusted for shade colour, and a seen texel next to one is dropped. */
  seenConfidence?: number;
  /** Tukey biweight constant of the lighting fit, robust standard deviations of the relative residual. */
  tukeyC?: number;
  /** Ridge pulling each region's albedo toward the global mean in the lighting fit, relative to its data weight. */
  regionRidge?: number;
  /** At most this many texels (a regular subsample of the weighted ones) enter the lighting fit. */
  maxFitSamples?: number;
  /** Gaussian σ, texels, of the local photo colour the deep-shade correction compares the model shading with. */
  deepShadeSigma?: number;
  /** Share of that neighbourhood (blur support, 0..1) that must be seen for the correction to apply. */
  deepShadeSupport?: number;
}

export const DELIGHT_DEFAULTS: Required<DelightOptions> = {
  minConfidence: 0.3,
  minOcclusion: 0.3,
  clipLevel: 0.95,
  iterations: 8,
  ridge: [1e-3, 1e-2],
  lightColorCoupling: 10,
  albedoScale: "chromaticity",
  maxAlbedoRatio: 2,
  shadeTrust: [0.35, 0.7],
  shadeChromaTrust: [0.5, 1],
  specularTolerance: DELIGHT_GRAPH_DEFAULTS.specularTolerance,
  specularGate: DELIGHT_GRAPH_DEFAULTS.specularGate,
  shadingFloor: DELIGHT_GRAPH_DEFAULTS.shadingFloor,
  seenConfidence: 0.05,
  tukeyC: 4.685,
  regionRidge: 0.05,
  maxFitSamples: 8192,
  deepShadeSigma: 2,
  deepShadeSupport: 0.2,
};

/** Texel size the built-in δ graph is specialised for when the input does not give one, mm. */
const NOMINAL_DELIGHT_TEXEL_MM = 0.1;

export interface DelightResult {
  /** Diffuse albedo A_D, sRGB, the size of `texture`. */
  albedo: ImageF32;
  /** Completed diffuse albedo at base size, linear RGB (previews, evaluation, region statistics). */
  albedoBase: ImageF32;
  /** Lighting estimate for the report and re-rendering. */
  lighting: LightingEstimate;
}

/**
 * Regions where white is not a highlight, so no highlight is removed: teeth show through the
 * lips of an open mouth, eye whites through the eye openings, and hair is not a dielectric skin.
 */
const NO_HIGHLIGHT_REMOVAL: FaceRegion[] = ["lips", "eyelids", "brows", "scalp"];

/** Per texel, how much highlight removal applies: 1 − membership of NO_HIGHLIGHT_REMOVAL. */
function specularWeightMap(regions: RegionMaps | undefined, texels: number): Float32Array {
  const s = regionSum(regions, NO_HIGHLIGHT_REMOVAL, texels);
  return Float32Array.from(s, (v) => Math.max(0, 1 - v));
}

/** Regions kept out of the lighting fit: hair and eye openings do not follow the skin model. */
const NOT_FIT: FaceRegion[] = ["brows", "scalp", "eyelids"];
/** Regions the scale prior is measured on (where the reference's facial measurements were taken). */
const SCALE_REGIONS: FaceRegion[] = ["forehead", "cheeks"];

/** Per texel, the summed weight of the named regions (0 everywhere without region maps). */
function regionSum(regions: RegionMaps | undefined, names: readonly FaceRegion[], texels: number): Float32Array {
  const out = new Float32Array(texels);
  if (!regions) return out;
  const w = regions.weights;
  const idx = names.map((name) => FACE_REGIONS.indexOf(name));
  for (let p = 0; p < texels; p++) for (const i of idx) out[p] += w.data[p * w.channels + i];
  return out;
}

function check(input: DelightInput): void {
  const base = input.textureBase;
  const want = (name: string, img: ImageF32 | undefined, channels: number) => {
    if (!img) return;
    if (img.width !== base.width || img.height !== base.height || img.channels !== channels) {
      throw new Error(`delight: ${name} is ${img.width}×${img.height}×${img.channels}, expected ${base.width}×${base.height}×${channels} (the base texture's size)`);
    }
  };
  want("textureBase", base, 3);
  want("confidence", input.confidence, 1);
  want("normalsObject", input.normalsObject, 3);
  want("ambientOcclusion", input.ambientOcclusion, 1);
  want("coverage", input.coverage, 1);
  want("regions", input.regions?.weights, FACE_REGIONS.length);
  if (base.colorSpace !== "linear") throw new Error(`delight: textureBase must be linear RGB, got ${base.colorSpace}`);
  if (input.texture.channels !== 3 || input.texture.colorSpace === "data") throw new Error("delight: texture must be a 3-channel colour image");
  if (input.texture.width * base.height !== input.texture.height * base.width) {
    throw new Error(`delight: texture ${input.texture.width}×${input.texture.height} is not the base ${base.width}×${base.height} scaled`);
  }
}

/**
 * De-lights the texture: returns A_D (sRGB, full size), the completed base-size albedo and the
 * lighting estimate. Throws when too few skin texels were seen to fit a light. The per-texel δ
 * estimator is the context registry's "delight" one, else the built-in graph; progress is that
 * tiled run's.
 *
 * @example
 *   const { albedo, lighting } = await delight({ texture: upscaled, textureBase: completed.texture,
 *     confidence: unwrap.confidence, normalsObject: unwrap.normalsObject, ambientOcclusion: unwrap.ambientOcclusion }, {}, { estimators, signal });
 */
export async function delight(input: DelightInput, options: DelightOptions = {}, context: StageContext = {}): Promise<DelightResult> {
  const o = withDefaults(DELIGHT_DEFAULTS, options);
  check(input);
  const log = loggerOf(context);
  const { fit, fitWeight } = fitSkinLighting(input, o);
  const shading = unitShading(input, fit, fitWeight, o);
  const seen = seenAlbedo(input, shading, fit, o);
  const albedoRel = completeAlbedo(input, seen, context);
  const scale = absoluteScale(input, albedoRel, seen.skinWeight, o);
  const divisor = divisionShading(input, shading, seen.seen, albedoRel, scale.fs);
  throwIfAborted(context);
  const albedo = await fullResolutionAlbedo(input, divisor, seen.specWeight, scale.skinAlbedo, o, context);
  const lighting = lightingEstimate(input, fit, fitWeight, scale, o);
  const { width, height } = input.textureBase;
  log.debug(`delight: ${fit.texelsUsed} texels, residual σ ${fit.residualSigma.toFixed(3)}, inliers ${(100 * fit.inlierFraction).toFixed(0)} %, skin Y ${scale.target.toFixed(3)}, white balance ${scale.gain.map((g) => g.toFixed(2)).join(",")}, light toward ${lighting.dominantDirection.map((v) => v.toFixed(2)).join(",")}`);
  return {
    albedo: { ...albedo, colorSpace: "srgb" },
    albedoBase: { width, height, channels: 3, data: scale.albedoBase, colorSpace: "linear" },
    lighting,
  };
}

/** 1 inside a UV island (every texel without a coverage map). */
function coveredOf(input: DelightInput): (p: number) => boolean {
  return (p) => !input.coverage || input.coverage.data[p] > 0.5;
}

/** True when a channel of texel p reaches the camera's clip level. */
function isClipped(T: Float32Array, p: number, clipLevel: number): boolean {
  return T[p * 3] >= clipLevel || T[p * 3 + 1] >= clipLevel || T[p * 3 + 2] >= clipLevel;
}

/** 1. Lighting and smooth regional albedo, fitted on seen, unclipped, open skin; the fit weight per texel. */
function fitSkinLighting(input: DelightInput, o: Required<DelightOptions>): { fit: LightingFit; fitWeight: Float32Array } {
  const { width, height } = input.textureBase;
  const n = width * height;
  const T = input.textureBase.data;
  const AO = input.ambientOcclusion.data;
  const conf = input.confidence.data;
  const covered = coveredOf(input);
  const fitWeight = new Float32Array(n);
  const notFit = regionSum(input.regions, NOT_FIT, n);
  for (let p = 0; p < n; p++) {
    const clipped = isClipped(T, p, o.clipLevel);
    if (!covered(p) || clipped || conf[p] < o.minConfidence || AO[p] < o.minOcclusion) continue;
    fitWeight[p] = conf[p] * Math.max(0, 1 - notFit[p]);
  }
  const fit = fitLighting(
    { width, height, texture: T, normals: input.normalsObject.data, occlusion: AO, weight: fitWeight, regions: input.regions?.weights.data ?? null },
    {
      iterations: o.iterations,
      tukeyC: o.tukeyC,
      ridgeBand1: o.ridge[0],
      ridgeBand2: o.ridge[1],
      regionRidge: o.regionRidge,
      lightColorCoupling: o.lightColorCoupling,
      maxSamples: o.maxFitSamples,
      specularTolerance: o.specularTolerance,
      specularGate: o.specularGate,
    },
  );
  return { fit, fitWeight };
}

/** 2. Shading of a unit albedo at every texel, AO·E(n)/π, with deep shade and shade chroma corrected. */
function unitShading(input: DelightInput, fit: LightingFit, fitWeight: Float32Array, o: Required<DelightOptions>): Float32Array {
  const { width, height } = input.textureBase;
  const n = width * height;
  const AO = input.ambientOcclusion.data;
  const covered = coveredOf(input);
  const E = evaluateShImage(fit.irradiance, input.normalsObject.data, n);
  const shading = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) shading[p * 3 + c] = (AO[p] * E[p * 3 + c]) / Math.PI;
  distrustDeepShade(shading, input, fit, fitWeight, o);
  const lums = Float32Array.from({ length: n }, (_, p) => LUMA_709[0] * shading[p * 3] + LUMA_709[1] * shading[p * 3 + 1] + LUMA_709[2] * shading[p * 3 + 2]);
  const seenAny = Float32Array.from(input.confidence.data, (v, p) => (covered(p) && v >= o.seenConfidence ? v : 0));
  // Eye openings show sclera and iris, whose colour is not the eyelid skin's.
  neutraliseShadeChroma(shading, input.textureBase.data, seenAny, fit, input.regions?.weights.data ?? null, weightedMedian(lums, fitWeight), o.shadeChromaTrust, regionSum(input.regions, ["eyelids"], n));
  return shading;
}

/** What the photo says of the albedo where it saw the skin. */
interface SeenAlbedo {
  /** J = T/S with highlights removed, linear RGB, base size (0 where not seen). */
  J: Float32Array;
  /** Per texel, how far J is trusted, 0..1 (0 = completed instead). */
  seen: Float32Array;
  /** `seen` on skin texels at or above minConfidence (the weight of skin medians). */
  skinWeight: Float32Array;
  /** Per texel, how much highlight removal applies. */
  specWeight: Float32Array;
}

/** 3. Seen albedo J = T/S, highlights removed (same maths as the per-texel graph); texels that do not fit are unseen. */
function seenAlbedo(input: DelightInput, shading: Float32Array, fit: LightingFit, o: Required<DelightOptions>): SeenAlbedo {
  const { width, height } = input.textureBase;
  const n = width * height;
  const T = input.textureBase.data;
  const AO = input.ambientOcclusion.data;
  const conf = input.confidence.data;
  const covered = coveredOf(input);
  const J = new Float32Array(n * 3);
  const seen = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const s = Math.min(shading[p * 3], shading[p * 3 + 1], shading[p * 3 + 2]);
    // Clipped texels lost their diffuse colour under the highlight, and deep cavities are lit by
    // interreflection the AO model does not hold: both are completed from their neighbours instead.
    const clipped = isClipped(T, p, o.clipLevel);
    if (!covered(p) || conf[p] < o.seenConfidence || s <= o.shadingFloor || clipped || AO[p] < o.minOcclusion) continue;
    seen[p] = Math.min(1, conf[p]);
    for (let c = 0; c < 3; c++) J[p * 3 + c] = T[p * 3 + c] / shading[p * 3 + c];
  }
  erodeSeen(seen, conf, width, height, covered, o.seenConfidence);
  const skinMask = skinPriorMask(input.regions, n);
  const skinWeight = Float32Array.from(seen, (v, p) => (v >= o.minConfidence ? v * skinMask[p] : 0));
  const relSkin = medianColor(J, skinWeight);
  const graphParams: DelightGraphParams = { skinAlbedo: relSkin, specularTolerance: o.specularTolerance, specularGate: o.specularGate, shadingFloor: o.shadingFloor };
  const w = dichromaticWeights(relSkin);
  const specWeight = specularWeightMap(input.regions, n);
  const texelJ = [0, 0, 0];
  const smooth = [0, 0, 0];
  const regionData = input.regions?.weights.data ?? null;
  for (let p = 0; p < n; p++) {
    if (seen[p] === 0) continue;
    for (let c = 0; c < 3; c++) texelJ[c] = J[p * 3 + c];
    const k = specularExcess(texelJ, w, graphParams) * specWeight[p];
    for (let c = 0; c < 3; c++) J[p * 3 + c] = Math.max(0, J[p * 3 + c] - k);
    // Far brighter than its region's albedo after highlight removal: not this surface (an occluder
    // seen through a visibility error, a clipped or coloured highlight); completed instead.
    smoothAlbedoAt(fit, regionData, p, smooth);
    if (lum3(J, p) > o.maxAlbedoRatio * (LUMA_709[0] * smooth[0] + LUMA_709[1] * smooth[1] + LUMA_709[2] * smooth[2])) seen[p] = 0;
  }
  return { J, seen, skinWeight, specWeight };
}

/** 4. The relative albedo completed through the symmetry and toward the skin prior (complete's defaults). */
function completeAlbedo(input: DelightInput, seen: SeenAlbedo, context: StageContext): Float32Array {
  const { width, height } = input.textureBase;
  return complete(
    { texture: { width, height, channels: 3, data: seen.J, colorSpace: "linear" }, confidence: { width, height, channels: 1, data: seen.seen, colorSpace: "data" }, coverage: input.coverage, regions: input.regions, mirrorTexel: input.mirrorTexel },
    {},
    { logger: context.logger },
  ).texture.data;
}

/** The absolute scale of the albedo and what it was derived from. */
interface AlbedoScale {
  /** Per-channel factor from relative to absolute albedo. */
  fs: number[];
  /** White balance applied (scene light × locus correction), per channel. */
  gain: number[];
  /** Skin luminance the scale aims at. */
  target: number;
  /** The scene illuminant, red = 1. */
  scene: [number, number, number];
  /** Median skin albedo, linear RGB, absolute. */
  skinAlbedo: [number, number, number];
  /** Completed albedo at base size, absolute, linear RGB. */
  albedoBase: Float32Array;
}

/** 5. Absolute scale from the skin-reflectance prior, measured on seen forehead and cheeks. */
function absoluteScale(input: DelightInput, albedoRel: Float32Array, skinWeight: Float32Array, o: Required<DelightOptions>): AlbedoScale {
  const n = input.textureBase.width * input.textureBase.height;
  const scaleRegions = regionSum(input.regions, SCALE_REGIONS, n);
  const scaleWeight = Float32Array.from(skinWeight, (v, p) => (input.regions ? v * scaleRegions[p] : v));
  const useW = scaleWeight.some((v) => v > 0) ? scaleWeight : skinWeight;
  const median = medianColor(albedoRel, useW);
  const lumOf = (c: ArrayLike<number>) => LUMA_709[0] * c[0] + LUMA_709[1] * c[1] + LUMA_709[2] * c[2];
  // A colour cast moves the skin along or off the measured skin locus: the scene's light colour is
  // taken out first (along the locus a warm light passes for darker skin), then the white balance
  // that puts what is left back on the locus. Both are part of the light, not the albedo, and the
  // luminance prior reads the corrected colour.
  const scene = checkIlluminant(input.sceneIlluminant);
  const sceneGain = scene.map((v) => 1 / v);
  const locus = o.albedoScale === "chromaticity" ? matchSkinLocus(median.map((v, c) => v * sceneGain[c])) : null;
  const gain = locus ? locus.gain.map((g, c) => g * sceneGain[c]) : [1, 1, 1];
  const target = locus ? locus.luminance : (o.albedoScale as number);
  if (!(target > 0 && target < 1)) throw new Error(`delight: albedoScale must be "chromaticity" or a luminance in (0, 1), got ${o.albedoScale}`);
  const balanced = median.map((v, c) => v * gain[c]);
  const fs = gain.map((g) => (g * target) / Math.max(lumOf(balanced), 1e-6));
  const albedoBase = Float32Array.from(albedoRel, (v, i) => v * fs[i % 3]);
  const skinAlbedo = median.map((v, c) => v * fs[c]) as [number, number, number];
  return { fs, gain, target, scene, skinAlbedo, albedoBase };
}

/** 6. Division shading: the fitted one where seen, the one the completion implies elsewhere (in absolute albedo units). */
function divisionShading(input: DelightInput, shading: Float32Array, seen: Float32Array, albedoRel: Float32Array, fs: number[]): Float32Array {
  const n = input.textureBase.width * input.textureBase.height;
  const implied = impliedShading(input.textureBase, albedoRel);
  const divisor = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const c = seen[p];
    for (let k = 0; k < 3; k++) divisor[p * 3 + k] = (c * shading[p * 3 + k] + (1 - c) * implied[p * 3 + k]) / fs[k];
  }
  return divisor;
}

/** 7. Full resolution: the per-texel estimator divides T̂ by the upsampled shading. */
async function fullResolutionAlbedo(input: DelightInput, divisor: Float32Array, specWeight: Float32Array, skinAlbedo: [number, number, number], o: Required<DelightOptions>, context: StageContext): Promise<ImageF32> {
  const { width, height } = input.textureBase;
  const tex = input.texture;
  const shadingFull = await resizeImage({ width, height, channels: 3, data: divisor, colorSpace: "linear" }, tex.width, tex.height);
  const weightFull = await resizeImage({ width, height, channels: 1, data: specWeight, colorSpace: "data" }, tex.width, tex.height);
  const estimator = forJob(stageEstimator(context, "delight") ?? builtinDelightEstimator(), {
    texelSizeMm: input.texelSizeMm ?? NOMINAL_DELIGHT_TEXEL_MM,
    skinAlbedo,
    options: { specularTolerance: o.specularTolerance, specularGate: o.specularGate, shadingFloor: o.shadingFloor },
  });
  const [albedo] = await runTiled(await estimator.session(), estimator.manifest, [tex, shadingFull, weightFull], tiledOf(context));
  return albedo;
}

/** 8. The lighting estimate for the report and re-rendering, in absolute albedo units. */
function lightingEstimate(input: DelightInput, fit: LightingFit, fitWeight: Float32Array, scale: AlbedoScale, o: Required<DelightOptions>): LightingEstimate {
  const n = input.textureBase.width * input.textureBase.height;
  const N = input.normalsObject.data;
  const radiance = Array.from(irradianceToRadiance(Float64Array.from(fit.irradiance, (v, i) => v / scale.fs[i % 3])));
  const seenNormals: number[] = [];
  for (let p = 0; p < n; p++) if (fitWeight[p] > 0) seenNormals.push(N[p * 3], N[p * 3 + 1], N[p * 3 + 2]);
  const brightest = brightestSeenDirection(fit.irradiance, seenNormals, seenNormals.length / 3);
  return {
    shRadiance: radiance,
    dominantDirection: brightest.direction,
    shadingContrast: brightest.maxLuminance > 0 ? Math.max(0, Math.min(1, 1 - brightest.minLuminance / brightest.maxLuminance)) : 0,
    skinAlbedo: scale.skinAlbedo,
    sceneIlluminant: scale.scene,
    albedoScale: { method: o.albedoScale === "chromaticity" ? "chromaticity" : "fixed", targetLuminance: scale.target },
    fit: { residualSigma: fit.residualSigma, inlierFraction: fit.inlierFraction, texelsUsed: fit.texelsUsed },
  };
}

/** The scene illuminant normalised to red = 1 ([1, 1, 1] when absent); throws on a non-positive or non-finite colour. */
function checkIlluminant(rgb: [number, number, number] | undefined): [number, number, number] {
  if (!rgb) return [1, 1, 1];
  if (rgb.length !== 3 || !rgb.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`delight: sceneIlluminant must be three positive numbers, got ${JSON.stringify(rgb)}`);
  return [1, rgb[1] / rgb[0], rgb[2] / rgb[0]];
}

/** Per-channel weighted median of an RGB image. */
function medianColor(rgb: Float32Array, weight: Float32Array): [number, number, number] {
  const n = weight.length;
  const ch = new Float32Array(n);
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < n; p++) ch[p] = rgb[p * 3 + c];
    out.push(weightedMedian(ch, weight));
  }
  if (!out.every((v) => v > 0)) throw new Error("delight: no seen skin to measure the albedo on");
  return out as [number, number, number];
}

/**
 * Shading implied by the completed texture and the completed albedo. Unsmoothed: where a texel
 * was rejected (occluder leak, clipped highlight) its texture is the photo's and its albedo the
 * completion's, and the ratio must map exactly one onto the other.
 */
function impliedShading(texture: ImageF32, albedo: Float32Array): Float32Array {
  return Float32Array.from(texture.data, (v, i) => v / Math.max(albedo[i], 1e-4));
}

/**
 * Texels next to an unseen one (inside the same island, confidence below `minSeen`) are dropped:
 * their photo samples straddle an occlusion edge (eyeball, silhouette) and mix in another surface's
 * colour and shading.
 */
function erodeSeen(seen: Float32Array, conf: Float32Array, width: number, height: number, covered: (p: number) => boolean, minSeen: number): void {
  const drop: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (seen[p] === 0) continue;
      let edge = false;
      for (let dy = -1; dy <= 1 && !edge; dy++) {
        for (let dx = -1; dx <= 1 && !edge; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const q = yy * width + xx;
          if (covered(q) && conf[q] < minSeen) edge = true;
        }
      }
      if (edge) drop.push(p);
    }
  }
  for (const p of drop) seen[p] = 0;
}

const lum3 = (rgb: Float32Array, p: number) => LUMA_709[0] * rgb[p * 3] + LUMA_709[1] * rgb[p * 3 + 1] + LUMA_709[2] * rgb[p * 3 + 2];

/**
 * Blends the model shading, where it is deep (below shadeTrust[1] × the median over fitted texels),
 * toward the shading the photo implies against the regional smooth albedo, LP(T)/Ā; fully so
 * below shadeTrust[0] × median. Geometric blend per channel, in place. Where the model is right the
 * two agree, so only the texels whose geometry or occlusion the model gets wrong change.
 */
function distrustDeepShade(shading: Float32Array, input: DelightInput, fit: LightingFit, fitWeight: Float32Array, o: Required<DelightOptions>): void {
  const trust = o.shadeTrust;
  const { width, height } = input.textureBase;
  const n = width * height;
  const lum = (p: number) => LUMA_709[0] * shading[p * 3] + LUMA_709[1] * shading[p * 3 + 1] + LUMA_709[2] * shading[p * 3 + 2];
  const lums = new Float32Array(n);
  for (let p = 0; p < n; p++) lums[p] = lum(p);
  const ref = weightedMedian(lums, fitWeight);
  if (!(ref > 0)) return;
  const seenWeight = Float32Array.from(input.confidence.data, (c, p) => (c >= o.seenConfidence && (!input.coverage || input.coverage.data[p] > 0.5) ? c : 0));
  const { values: local, support } = weightedBlur(input.textureBase.data, 3, seenWeight, width, height, o.deepShadeSigma);
  const regions = input.regions?.weights.data ?? null;
  // Hair is not the skin the regional albedo describes: leave its shading to the model.
  const hair = regionSum(input.regions, ["brows", "scalp"], n);
  const smooth = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    const w = Math.min(1, Math.max(0, (lums[p] / ref - trust[0]) / (trust[1] - trust[0])));
    if (w >= 1 || support[p] < o.deepShadeSupport || seenWeight[p] === 0 || hair[p] > 0.5) continue;
    smoothAlbedoAt(fit, regions, p, smooth);
    for (let c = 0; c < 3; c++) {
      const implied = Math.max(local[p * 3 + c] / Math.max(smooth[c], 1e-4), 1e-4);
      const model = Math.max(shading[p * 3 + c], 1e-4);
      shading[p * 3 + c] = Math.exp(w * Math.log(model) + (1 - w) * Math.log(implied));
    }
  }
}
