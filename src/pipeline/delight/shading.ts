/**
 * The delight steps about the light (docs/design.md §1): fit it with a smooth regional albedo on
 * the seen skin (1), shade a unit albedo with it and correct that shading where the model is not
 * trusted (2), build the shading the division uses, seen or completed (6), and report the light in
 * absolute albedo units (8).
 */
import type { FaceRegion, ImageF32, LightingEstimate } from "../../types.ts";
import { weightedBlur } from "../../image/box-blur.ts";
import { brightestSeenDirection, evaluateShImage, irradianceToRadiance } from "../../render/sh.ts";
import { flipUMirror } from "../complete/mirror.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { AlbedoScale } from "./albedo.ts";
import { fitLighting, smoothAlbedoAt, type LightingFit, type LightingFitOptions } from "./fit.ts";
import { baseTexels, isClipped, lumAt, NOMINAL_DELIGHT_TEXEL_MM, regionSum, type DelightMaps, type DelightSettings } from "./maps.ts";
import { neutraliseShadeChroma } from "./shade-chroma.ts";
import { shadingRelief, type ShadingRelief } from "./shading-relief.ts";
import { f32Of, mapF32, mapF64, u8Of } from "../../primitives/typed-array.ts";

/** Regions kept out of the lighting fit: hair and eye openings do not follow the skin model. */
const NOT_FIT: FaceRegion[] = ["brows", "scalp", "eyelids"];

/** 1. Lighting and smooth regional albedo, fitted on seen, unclipped, open skin; the fit weight per texel. */
export function fitSkinLighting(input: DelightMaps, o: DelightSettings, highlightColour?: readonly number[]): { fit: LightingFit; fitWeight: Float32Array } {
  const { width, height, occlusion } = baseTexels(input);
  const fitWeight = skinFitWeight(input, o);
  const fit = fitLighting(
    { width, height, texture: input.textureBase.data, normals: input.normalsObject.data, occlusion, weight: fitWeight, regions: input.regions?.weights.data ?? null },
    { ...lightingFitOptions(o), ...(highlightColour ? { highlightColour } : {}) },
  );
  return { fit, fitWeight };
}

/** The lighting fit's weight per texel: seen, unclipped, open skin (not hair or eye openings). */
export function skinFitWeight(input: DelightMaps, o: DelightSettings): Float32Array {
  const { n, T, AO, conf, covered } = baseTexels(input);
  const fitWeight = new Float32Array(n);
  const notFit = regionSum(input.regions, NOT_FIT, n);
  for (let p = 0; p < n; p++) {
    const clipped = isClipped(T, p, o.clipLevel);
    if (!covered(p) || clipped || conf[p] < o.minConfidence || AO[p] < o.minOcclusion) continue;
    fitWeight[p] = conf[p] * Math.max(0, 1 - notFit[p]);
  }
  return fitWeight;
}

/** The lighting fit's options from delight's settings. */
export function lightingFitOptions(o: DelightSettings): LightingFitOptions {
  return {
    iterations: o.iterations,
    tukeyC: o.tukeyC,
    ridgeBand1: o.ridge[0],
    ridgeBand2: o.ridge[1],
    regionRidge: o.regionRidge,
    lightColorCoupling: o.lightColorCoupling,
    maxSamples: o.maxFitSamples,
    specularTolerance: o.specularTolerance,
    specularGate: o.specularGate,
  };
}

/**
 * 1b. The relief the shading shows under the fitted light (delight/shading-relief.ts), on the seen
 * skin the lighting fit trusts (hair and eye openings left out); null without tangents or texel size,
 * or when switched off.
 */
export function recoverRelief(input: DelightMaps, fit: LightingFit, o: DelightSettings): ShadingRelief | null {
  const settings = o.shapeFromShading;
  if (!settings || !input.tangentsObject || !(input.baseTexelSizeMm && input.baseTexelSizeMm > 0)) return null;
  const { width, height, n, T, occlusion, conf, covered } = baseTexels(input);
  const notFit = regionSum(input.regions, NOT_FIT, n);
  const regions = input.regions?.weights.data ?? null;
  const smoothAlbedo = new Float32Array(n * 3);
  const tmp = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    smoothAlbedoAt(fit, regions, p, tmp);
    smoothAlbedo.set(tmp, p * 3);
  }
  return shadingRelief(
    {
      width,
      height,
      texture: T,
      normals: input.normalsObject.data,
      tangents: input.tangentsObject.data,
      occlusion,
      trust: mapF32(conf, (c, p) => (c >= o.minConfidence ? c * Math.max(0, 1 - notFit[p]) : 0)),
      covered: u8Of(n, (p) => (covered(p) ? 1 : 0)),
      smoothAlbedo,
      irradiance: fit.irradiance,
      texelMm: input.baseTexelSizeMm,
      mirrorTexel: input.mirrorTexel ?? flipUMirror(width, height),
    },
    { ...settings, clipLevel: o.clipLevel, minOcclusion: o.minOcclusion, tukeyC: o.tukeyC },
  );
}

/**
 * 2. Shading of a unit albedo at every texel, V·E(n)/π (V the fitted light's visibility where
 * delight has it, else AO), with deep shade and shade chroma corrected.
 */
export function unitShading(input: DelightMaps, fit: LightingFit, fitWeight: Float32Array, o: DelightSettings): Float32Array {
  const { n, occlusion, covered } = baseTexels(input);
  const E = evaluateShImage(fit.irradiance, input.normalsObject.data, n);
  const shading = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) shading[p * 3 + c] = (occlusion[p] * E[p * 3 + c]) / Math.PI;
  distrustDeepShade(shading, E, input, fit, fitWeight, o);
  const lums = f32Of(n, (p) => lumAt(shading, p));
  const seenAny = mapF32(input.confidence.data, (v, p) => (covered(p) && v >= o.seenConfidence ? v : 0));
  // Eye openings show sclera and iris, whose colour is not the eyelid skin's.
  neutraliseShadeChroma(shading, input.textureBase.data, seenAny, fit, input.regions?.weights.data ?? null, weightedMedian(lums, fitWeight), o.shadeChromaTrust, regionSum(input.regions, ["eyelids"], n));
  return shading;
}

/**
 * Where the model shading is deep (below shadeTrust[1] × the median over fitted texels), corrects
 * it toward the shading the photo implies against the regional smooth albedo, T/Ā; fully so below
 * shadeTrust[0] × median (geometric blend per channel, in place). Where the model is right the two
 * agree, so only the texels whose geometry or occlusion the model gets wrong change. How much of the
 * photo's structure the correction takes is `deepShadeSlowMm`'s choice (slowCorrection, localBlend).
 * How deep is read on the AO shading AO·E/π (E the irradiance per texel): the template's cavities and
 * its normals turned from the light are what the model may get wrong; a shadow it casts under the
 * fitted light is its prediction there, not a reason to distrust it.
 */
function distrustDeepShade(shading: Float32Array, E: Float32Array, input: DelightMaps, fit: LightingFit, fitWeight: Float32Array, o: DelightSettings): void {
  const { n, AO, covered } = baseTexels(input);
  const lums = f32Of(n, (p) => (AO[p] * lumAt(E, p)) / Math.PI);
  const ref = weightedMedian(lums, fitWeight);
  if (!(ref > 0)) return;
  const trust = o.shadeTrust;
  // Hair is not the skin the regional albedo describes: leave its shading to the model.
  const hair = regionSum(input.regions, ["brows", "scalp"], n);
  const seenWeight = mapF32(input.confidence.data, (c, p) => (c >= o.seenConfidence && covered(p) ? c : 0));
  // Per texel, the model's own weight in the blend (1 = trusted); 1 where the photo cannot correct it.
  const modelShare = f32Of(n, (p) => (seenWeight[p] === 0 || hair[p] > 0.5 ? 1 : Math.min(1, Math.max(0, (lums[p] / ref - trust[0]) / (trust[1] - trust[0])))));
  if (o.deepShadeSlowMm === null) localBlend(shading, input, fit, modelShare, seenWeight, o);
  else slowCorrection(shading, input, fit, modelShare, seenWeight, o.deepShadeSlowMm, o);
}

/** The photo's own colour blurred at σ deepShadeSigma texels over the regional albedo, LP(T)/Ā, as the corrected shading. */
function localBlend(shading: Float32Array, input: DelightMaps, fit: LightingFit, modelShare: Float32Array, seenWeight: Float32Array, o: DelightSettings): void {
  const { width, height, n } = baseTexels(input);
  const { values: local, support } = weightedBlur(input.textureBase.data, 3, seenWeight, width, height, o.deepShadeSigma);
  const regions = input.regions?.weights.data ?? null;
  const smooth = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    const w = modelShare[p];
    if (w >= 1 || support[p] < o.deepShadeSupport) continue;
    smoothAlbedoAt(fit, regions, p, smooth);
    for (let c = 0; c < 3; c++) {
      const implied = Math.max(local[p * 3 + c] / Math.max(smooth[c], 1e-4), 1e-4);
      const model = Math.max(shading[p * 3 + c], 1e-4);
      shading[p * 3 + c] = Math.exp(w * Math.log(model) + (1 - w) * Math.log(implied));
    }
  }
}

/**
 * Only the correction's slow part: the log ratio of T/Ā to the model's shading, averaged over the
 * distrusted texels under a Gaussian of σ `scaleMm`, multiplies the model. A fitted template's
 * cavities are wrong at the scale of the cavities; finer detail is relief, which the relief's
 * normals carry (they shade the model here, and the maps draw them again), or albedo in the shade
 * (lash lines, lid creases, freckles), which no map gives back once divided out. The price: a cast
 * shadow's sharp edge (a cap's brim) is finer than the scale too, and stays in A_D.
 */
function slowCorrection(shading: Float32Array, input: DelightMaps, fit: LightingFit, modelShare: Float32Array, seenWeight: Float32Array, scaleMm: number, o: DelightSettings): void {
  const { width, height, n, T } = baseTexels(input);
  const sigma = scaleMm / baseTexelMm(input);
  const { support } = weightedBlur(new Float32Array(n), 1, seenWeight, width, height, sigma);
  const regions = input.regions?.weights.data ?? null;
  const logRatio = new Float32Array(n * 3);
  const ratioWeight = f32Of(n, (p) => seenWeight[p] * (1 - modelShare[p]));
  const smooth = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    if (ratioWeight[p] === 0) continue;
    smoothAlbedoAt(fit, regions, p, smooth);
    for (let c = 0; c < 3; c++) {
      const implied = Math.max(T[p * 3 + c] / Math.max(smooth[c], 1e-4), 1e-4);
      logRatio[p * 3 + c] = Math.log(implied / Math.max(shading[p * 3 + c], 1e-4));
    }
  }
  const { values: slowRatio } = weightedBlur(logRatio, 3, ratioWeight, width, height, sigma);
  for (let p = 0; p < n; p++) {
    if (ratioWeight[p] === 0 || support[p] < o.deepShadeSupport) continue;
    for (let c = 0; c < 3; c++) shading[p * 3 + c] = Math.max(shading[p * 3 + c], 1e-4) * Math.exp((1 - modelShare[p]) * slowRatio[p * 3 + c]);
  }
}

/**
 * Surface size of one base texel, mm: the input's, else the full-size texel's scaled by the maps'
 * sizes (`texelSizeMm`, when the input is delight's whole input), else NOMINAL_DELIGHT_TEXEL_MM so scaled.
 */
function baseTexelMm(input: DelightMaps & { texelSizeMm?: number; texture?: ImageF32 }): number {
  if (input.baseTexelSizeMm && input.baseTexelSizeMm > 0) return input.baseTexelSizeMm;
  const full = input.texelSizeMm && input.texelSizeMm > 0 ? input.texelSizeMm : NOMINAL_DELIGHT_TEXEL_MM;
  return input.texture ? (full * input.texture.width) / input.textureBase.width : full;
}

/** 6. Division shading: the fitted one where seen, the one the completion implies elsewhere (in absolute albedo units). */
export function divisionShading(input: DelightMaps, shading: Float32Array, seen: Float32Array, albedoRel: Float32Array, fs: number[]): Float32Array {
  const n = input.textureBase.width * input.textureBase.height;
  const implied = impliedShading(input.textureBase, albedoRel);
  const divisor = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const c = seen[p];
    for (let k = 0; k < 3; k++) divisor[p * 3 + k] = (c * shading[p * 3 + k] + (1 - c) * implied[p * 3 + k]) / fs[k];
  }
  return divisor;
}

/**
 * Shading implied by the completed texture and the completed albedo. Unsmoothed: where a texel
 * was rejected (occluder leak, clipped highlight) its texture is the photo's and its albedo the
 * completion's, and the ratio must map exactly one onto the other.
 */
function impliedShading(texture: ImageF32, albedo: Float32Array): Float32Array {
  return mapF32(texture.data, (v, i) => v / Math.max(albedo[i], 1e-4));
}

/** The brightest irradiance among the directions of the normals the lighting fit used (the estimate's dominant direction). */
export function brightestFitDirection(input: DelightMaps, fit: LightingFit, fitWeight: Float32Array): ReturnType<typeof brightestSeenDirection> {
  const n = input.textureBase.width * input.textureBase.height;
  const N = input.normalsObject.data;
  const seenNormals: number[] = [];
  for (let p = 0; p < n; p++) if (fitWeight[p] > 0) seenNormals.push(N[p * 3], N[p * 3 + 1], N[p * 3 + 2]);
  return brightestSeenDirection(fit.irradiance, seenNormals, seenNormals.length / 3);
}

/** 8. The lighting estimate for the report and re-rendering, in absolute albedo units. */
export function lightingEstimate(input: DelightMaps, fit: LightingFit, fitWeight: Float32Array, scale: AlbedoScale, o: DelightSettings): LightingEstimate {
  const radiance = Array.from(irradianceToRadiance(mapF64(fit.irradiance, (v, i) => v / scale.fs[i % 3])));
  const brightest = brightestFitDirection(input, fit, fitWeight);
  return {
    shRadiance: radiance,
    dominantDirection: brightest.direction,
    shadingContrast: brightest.maxLuminance > 0 ? Math.max(0, Math.min(1, 1 - brightest.minLuminance / brightest.maxLuminance)) : 0,
    skinAlbedo: scale.skinAlbedo,
    sceneIlluminant: scale.scene,
    referenceLight: scale.referenceLight,
    albedoScale: { method: o.albedoScale === "chromaticity" ? "chromaticity" : "fixed", targetLuminance: scale.target, ...(scale.cues ? { cues: scale.cues } : {}) },
    fit: { residualSigma: fit.residualSigma, inlierFraction: fit.inlierFraction, texelsUsed: fit.texelsUsed },
  };
}
