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
 *
 * The steps, numbered in the order `delight` calls them, live in delight/: shading.ts the light and
 * the shading (1, 2, 6, 8), albedo.ts the albedo read off the photo (3, 4, 5), maps.ts what they
 * share; the full-resolution division (7) runs the estimator here.
 */
import { runTiled } from "../models/tiled.ts";
import { mapF32 } from "../primitives/typed-array.ts";
import { measureEdgePatches } from "./capture/edge-patches.ts";
import { measureSclera } from "./capture/sclera.ts";
import { measureTeeth } from "./capture/teeth.ts";
import { builtinDelightEstimator, forJob } from "../estimators/builtin.ts";
import { DELIGHT_GRAPH_DEFAULTS } from "../estimators/delight.ts";
import { resizeImage } from "../estimators/resize.ts";
import { FACE_REGIONS, type CameraResponseEstimate, type ImageF32, type LightingEstimate } from "../types.ts";
import { absoluteScale, completeAlbedo, seenAlbedo, shadingLevel, type AlbedoScale } from "./delight/albedo.ts";
import { NOMINAL_DELIGHT_TEXEL_MM, type DelightMaps } from "./delight/maps.ts";
import { brightestFitDirection, divisionShading, fitSkinLighting, lightingEstimate, lightingFitOptions, recoverRelief, skinFitWeight, unitShading } from "./delight/shading.ts";
import type { LightingFit } from "./delight/fit.ts";
import { removableSpecular } from "./delight/specular-bound.ts";
import { lightVisibility } from "./delight/light-visibility.ts";
import { departsFromGrey, highlightColour } from "./delight/highlight-colour.ts";
import { ESTIMATE_SPECULAR_DEFAULT, type EstimateSpecular } from "../render/skin-specular.ts";
import { estimateResponse, fixedResponse, relinearise } from "./delight/response.ts";
import { SKIN_REDNESS_SIGMA_A } from "./delight/albedo-scale.ts";
import { RELIEF_DEFAULTS, type ReliefSettings, type ShadingRelief } from "./delight/shading-relief.ts";
import { LARGEST_PORE_MM, neutralExpressionAlbedo, splitReliefSlopes } from "./delight/expression-shading.ts";
import { loggerOf, stageEstimator, throwIfAborted, tiledOf, withDefaults, type StageContext } from "./stage.ts";

/** The stage's input: the base-size maps every step reads (delight/maps.ts), and the upscaled texture the last step divides. */
export interface DelightInput extends DelightMaps {
  /** Texture T̂ at full map size (the upscaler's output), sRGB or linear, 3 channels. */
  texture: ImageF32;
  /** Surface size of one texel of `texture`, mm (passed to parametric estimators; absent: 0.1). */
  texelSizeMm?: number;
  /**
   * Where the photo's smile folds the skin, 0..1, 1 channel, any size with the atlas's aspect (fit/expression-folds.ts; base size is enough, it is smooth):
   * there A_D takes the unfolded neighbours' statistics and the relief goes to `wrinkleSlopes`
   * (delight/expression-shading.ts). Absent: the photo's expression stays in A_D and the relief.
   */
  smileFolds?: ImageF32;
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
  /**
   * The camera's tone curve (delight/response.ts): "estimate" reads its mid-tone contrast k from the
   * shading consistency of the skin, weighed against plain sRGB; a number fixes k (1 = plain sRGB).
   */
  cameraResponse?: "estimate" | number;
  /**
   * Whether the teeth (where the mouth shows them) weigh in as a reference of known reflectance, with
   * the sclera (delight/references.ts); "luminance": their lightness only, read under the white
   * balance the other cues give (their colour is not the light's: portrait teeth are often bleached).
   */
  useTeeth?: boolean | "luminance";
  /**
   * Skin's neutral surface reflection, absolute (0..1): the photo's skin is diffuse albedo plus it,
   * so the scale's cues read the diffuse part and A_D leaves it to A_S (delight/albedo-scale.ts
   * SKIN_SURFACE_REFLECTANCE, F0 0.028 [S20]); 0 reads the whole apparent colour as albedo, the
   * prior on the diffuse locus's nearest point, as before it existed.
   */
  skinSurfaceReflectance?: number;
  /**
   * Person-to-person σ of facial redness (CIELAB a*) the skin-locus prior allows for when it reads
   * which melanin level a colour is (delight/albedo-scale.ts SKIN_REDNESS_SIGMA_A, 2): more blood moves
   * a colour mostly along the locus toward darker skin, so without it a ruddy face reads darker. 0
   * reads the plain nearest point. This is the reading of the colour as the skin's own blood; how
   * much it counts against the reading as a camera's tint is `skinRednessShare`.
   */
  skinRednessSigma?: number;
  /**
   * The share (0..1) of the skin-locus prior that reads a colour's offset along more blood as the
   * skin's own redness (`skinRednessSigma`) rather than as a magenta tint of the camera or light
   * (the plain nearest point). One colour cannot tell the two apart, so the prior is their mixture:
   * ln Y the share-weighted mean of the two readings, its variance grown by the mixture's own,
   * share × (1 − share) × (their difference)²; where they disagree, any reference decides. "scene"
   * (the default): the share the scene's light statistics give, from how sure they are of the light's
   * colour (delight/redness-share.ts; 0 without them); a number fixes it (0 the tint alone, 1 the redness alone).
   */
  skinRednessShare?: number | "scene";
  /**
   * Bound the highlight removal at the specular the material can put back under the fitted light
   * and the photo's view (delight/specular-bound.ts; needs `viewObject`); false takes out the whole
   * dichromatic amount.
   */
  boundHighlightRemoval?: boolean;
  /** What the material's lobes reflect of the fitted light in that bound (render/skin-specular.ts EstimateSpecular; the re-render's default). */
  boundSpecularLight?: EstimateSpecular;
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
  /**
   * Whose colour the highlight removal reads a texel's excess against: "region" (the lighting
   * fit's smooth albedo of the texel's region, as the fit's own strip does, and no more than the
   * face's median would take) or "face" (the median skin colour alone, as before; a region paler
   * than the median, the forehead, then loses its paleness as sheen).
   */
  highlightChroma?: "region" | "face";
  /**
   * Shading floor of the division, a fraction of the photo's own light level (the median unit
   * shading over the seen face): below it a texel is completed rather than divided, and the
   * full-resolution divisor is held at it. Relative, as the shading carries the exposure.
   */
  shadingFloor?: number;
  /** Confidence from which the photo saw a texel at all, 0..1: below it a texel is neither divided nor trusted for shade colour, and a seen texel next to one is dropped. */
  seenConfidence?: number;
  /** Tukey biweight constant of the lighting fit, robust standard deviations of the relative residual. */
  tukeyC?: number;
  /** Ridge pulling each region's albedo toward the regions' data-weighted mean in the lighting fit, relative to the region's own data weight. */
  regionRidge?: number;
  /** At most this many texels (a regular subsample of the weighted ones) enter the lighting fit. */
  maxFitSamples?: number;
  /** Gaussian σ, texels, of the local photo colour the deep-shade correction compares the model shading with (when `deepShadeSlowMm` is null). */
  deepShadeSigma?: number;
  /**
   * A number: the deep-shade correction takes only its slow part, the ratio of the photo's implied
   * shading to the model's averaged over this Gaussian σ, mm, and leaves the finer structure to the
   * model's normals (the relief's) and to A_D (delight/shading.ts slowCorrection). null: the photo's
   * colour blurred at `deepShadeSigma` texels is the corrected shading.
   */
  deepShadeSlowMm?: number | null;
  /** Share of that neighbourhood (blur support, 0..1) that must be seen for the correction to apply. */
  deepShadeSupport?: number;
  /**
   * With the input's `occlusionMasks`: after the first lighting fit, the model shading casts the
   * mesh's own shadows under the fitted light (its visibility in place of ambient occlusion,
   * delight/light-visibility.ts) and the light is fitted once more with them. false: AO shades the model.
   */
  castShadows?: boolean;
  /**
   * Shape from shading (delight/shading-relief.ts): the relief the photo's shading shows under the
   * fitted light (folds, hollows, ridges), its settings (lengths in mm); null = off. Needs the
   * input's tangentsObject and baseTexelSizeMm. The albedo is then divided by the shading of the
   * relief's normals, so shading moved into geometry is not also left in A_D.
   */
  shapeFromShading?: ReliefSettings | null;
}

export const DELIGHT_DEFAULTS: Required<DelightOptions> = {
  minConfidence: 0.3,
  minOcclusion: 0.3,
  clipLevel: 0.95,
  iterations: 8,
  ridge: [1e-3, 1e-2],
  lightColorCoupling: 10,
  // Plain sRGB until the estimate is trustworthy: it recovers an S-curve and a gamma off sRGB on
  // every synthetic tone (the edge mixtures decide there), but on the identity photos both cues
  // read k ≈ 1.2–1.4 and lighten most faces (with the edge cue: within-person ΔE00 5.46 → 5.72,
  // between 9.79 → 7.94; docs/evaluation.md, skin tone).
  cameraResponse: 1,
  // Their lightness only: where both are seen, portrait teeth are as neutral as the sclera, not the
  // enamel reference's yellow (b* 24), so their colour read the light as blue and darkened faces
  // (`true`); read under the other cues' white balance, on the identity set within-person ΔE00
  // 3.75 → 3.51, ratio 0.37 → 0.38 (docs/evaluation.md, tone11).
  useTeeth: "luminance",
  // Off until the prior reads dark skin's colour with its sheen well: skin plus F0's sheen folds the
  // locus (ITA −45° … 12° within 0.1 of each other in chromaticity), the soft match then pulls
  // prior-decided faces to the middle (alex.png ITA 32° → 8°) and misses ITA −50° by 3.3–3.8 ΔE00
  // in the synthetic test (docs/evaluation.md, tone7). SKIN_SURFACE_REFLECTANCE is the physical value.
  skinSurfaceReflectance: 0,
  // The share from the scene: a fixed share read test/delight.test.ts's magenta cast (no scene
  // around it) as blood (½ moved its blue 14 %, it allows 8 %; docs/evaluation.md, tone9, tone12);
  // the scene's light statistics say how sure the light's colour is (tone13).
  skinRednessSigma: SKIN_REDNESS_SIGMA_A,
  skinRednessShare: "scene",
  // Off: what the bound leaves is the photo's sheen painted into A_D (white nose ridge, forehead band,
  // chalky cheeks that do not move with the engine's light), though the re-render's identity rises
  // 0.671 → 0.711 on ten photos: our lobes do not put the sheen where the photo has it (docs/evaluation.md,
  // "The highlight removal bounded by the material's specular").
  boundHighlightRemoval: false,
  boundSpecularLight: ESTIMATE_SPECULAR_DEFAULT,
  albedoScale: "chromaticity",
  maxAlbedoRatio: 2,
  shadeTrust: [0.35, 0.7],
  shadeChromaTrust: [0.5, 1],
  specularTolerance: DELIGHT_GRAPH_DEFAULTS.specularTolerance,
  specularGate: DELIGHT_GRAPH_DEFAULTS.specularGate,
  // Off: on eight photos it moves identity +0.002 and PSNR +0.43 dB but lets residual shading rise
  // (0.10 → 0.14; d3dfr-000002 0.11 → 0.30) and leaves 000002's forehead a pale band with a hard top
  // edge: what it keeps is partly shading the template misses (docs/evaluation.md, sheenpale).
  highlightChroma: "face",
  // A twentieth of the face's median light. A camera that puts the face's median in the mid-tones
  // (sRGB code 60…150) puts a twentieth of it at code 7…32, the sRGB toe, where one 8-bit step is
  // 5…13 % of the value (JPEG noise more): dividing there returns the quantiser's noise. The old
  // absolute 0.02 was about this on a well-exposed light face and swallowed every texel of a dark
  // face at half exposure (test/tone.test.ts).
  shadingFloor: 0.05,
  seenConfidence: 0.05,
  tukeyC: 4.685,
  regionRidge: 0.05,
  maxFitSamples: 8192,
  deepShadeSigma: 2,
  // Off: at the relief's band limit (8 mm) it keeps A_D's detail in the shade (lash lines, lid
  // creases; single-photo identity +0.004 on eight photos) but leaves the shadows the template does
  // not cast in A_D (d3dfr-000037's cap brim: residual shading 0.10 → 0.24; dark bands beside
  // alex-lacamoire.png's nose): identity set gap 0.174 → 0.169, EER 0.119 → 0.182 (docs/evaluation.md, detail).
  // The mesh's cast shadows (castShadows) do not remove those bands: they are the template's shading, not shadows (castshadow).
  deepShadeSlowMm: null,
  deepShadeSupport: 0.2,
  castShadows: true,
  shapeFromShading: RELIEF_DEFAULTS,
};

/**
 * What delight reads from the photo itself, for whoever builds its input: the references of known
 * reflectance (sclera, teeth), and the edge mixtures only when the camera's response is estimated
 * (they are a cue to nothing else).
 */
export function photoReferences(image: ImageF32, landmarks: ArrayLike<number>, options: DelightOptions = {}): Pick<DelightInput, "sclera" | "edgeMixtures"> & Required<Pick<DelightInput, "teeth">> {
  const response = options.cameraResponse ?? DELIGHT_DEFAULTS.cameraResponse;
  return {
    sclera: measureSclera(image, landmarks),
    teeth: measureTeeth(image, landmarks),
    ...(response === "estimate" ? { edgeMixtures: measureEdgePatches(image) } : {}),
  };
}

export interface DelightResult {
  /** Diffuse albedo A_D, sRGB, the size of `texture`. */
  albedo: ImageF32;
  /** Completed diffuse albedo at base size, linear RGB (previews, evaluation, region statistics). */
  albedoBase: ImageF32;
  /** Lighting estimate for the report and re-rendering. */
  lighting: LightingEstimate;
  /** The relief recovered from the shading, base size (absent when shapeFromShading is off or the input has no tangents); with `smileFolds`, its slopes without the smile's folds. */
  relief?: ShadingRelief;
  /**
   * The share of the fitted light's irradiance the mesh lets through per base texel, 0..1 (delight/light-visibility.ts),
   * which shaded the model in place of AO: a render under the photo's light draws the mesh's shadows with it. Absent without the input's occlusionMasks.
   */
  lightOcclusion?: ImageF32;
  /** The smile's folds as relief slopes (base size, 2 channels, mm/mm, as `relief.slopes`): the smiling head's wrinkle map. Only with `smileFolds` and a relief. */
  wrinkleSlopes?: ImageF32;
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
  want("tangentsObject", input.tangentsObject, 4);
  want("ambientOcclusion", input.ambientOcclusion, 1);
  const masks = input.occlusionMasks;
  if (masks && (masks.width !== base.width || masks.height !== base.height || masks.bits.length !== masks.width * masks.height * masks.words || masks.words * 32 < masks.directions)) {
    throw new Error(`delight: occlusionMasks are ${masks.width}×${masks.height} with ${masks.words} words for ${masks.directions} directions (${masks.bits.length} words in all), expected the base texture's ${base.width}×${base.height}`);
  }
  want("viewObject", input.viewObject, 3);
  want("coverage", input.coverage, 1);
  want("regions", input.regions?.weights, FACE_REGIONS.length);
  if (base.colorSpace !== "linear") throw new Error(`delight: textureBase must be linear RGB, got ${base.colorSpace}`);
  if (input.texture.channels !== 3 || input.texture.colorSpace === "data") throw new Error("delight: texture must be a 3-channel colour image");
  if (input.texture.width * base.height !== input.texture.height * base.width) {
    throw new Error(`delight: texture ${input.texture.width}×${input.texture.height} is not the base ${base.width}×${base.height} scaled`);
  }
  const folds = input.smileFolds;
  if (folds && (folds.channels !== 1 || folds.width * base.height !== folds.height * base.width)) {
    throw new Error(`delight: smileFolds is ${folds.width}×${folds.height}×${folds.channels}, expected 1 channel with the atlas's ${base.width}×${base.height} aspect`);
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
  const { response, input: linearised } = linearisedInput(input, o);
  input = linearised;
  let { fit, fitWeight, relief, lit, shading } = lightAndShading(input, o);
  // The skin's tone is read on the diffuse colour the dichromatic test leaves, sheen and all taken
  // out, whatever of that sheen A_D then keeps under the bound (2b): the sheen is not the skin's colour.
  // Before the light is decided the test takes the highlight as grey in J.
  const dichromatic = seenAlbedo(lit, shading, fit, o);
  const toneAlbedo = completeAlbedo(lit, dichromatic, context);
  const scale = absoluteScale(lit, toneAlbedo.albedo, dichromatic.skinWeight, o, shading);
  const bound = o.boundHighlightRemoval ? specularBound(input, lit, fit, fitWeight, shading, scale.fs, o.boundSpecularLight) : null;
  // Once it is, the highlight's colour in J is read off the highlights (delight/highlight-colour.ts):
  // the albedo the division blends in where the photo is half trusted, and the completion's sources,
  // lose that colour, not grey (grey in J left a warm light's highlight as a yellow-green residue).
  const light = highlightColour(lit, shading, fit, dichromatic.excess, scale.referenceLight.gain.map((g) => 1 / g), o.specularTolerance).rgb;
  // The lighting fit stripped its highlights as grey in J: one of another colour (a blue flash on
  // d3dfr-015316) left the difference in the data the light, the regional albedo and the relief were
  // fitted to. Fitted again with the highlight's colour, where it is off grey by more than skin's own
  // chroma variation (the removal's tolerance); the scale stays the first pass's.
  if (departsFromGrey(light, o.specularTolerance)) ({ fit, fitWeight, relief, lit, shading } = lightAndShading(input, o, light));
  const again = bound !== null || light.some((v) => Math.abs(v - light[0]) > 1e-6 * light[0]);
  const seen = again ? seenAlbedo(lit, shading, fit, o, bound, light) : dichromatic;
  const { albedo: albedoRel, toneWeight } = again ? completeAlbedo(lit, seen, context) : toneAlbedo;
  const albedoBase = again ? mapF32(albedoRel, (v, i) => v * scale.fs[i % 3]) : scale.albedoBase;
  // Where the lips' highlights were removed at base size, the division maps the texture onto that albedo (the graph removes none there).
  const divisor = divisionShading(lit, shading, mapF32(toneWeight, (v, p) => v * (1 - seen.ownRemoval[p])), albedoRel, scale.fs);
  throwIfAborted(context);
  const divisorFloor = o.shadingFloor * shadingLevel(divisor, seen.seen);
  const photoAlbedo = await fullResolutionAlbedo(input, divisor, divisorFloor, seen.specWeight, scale, light, o, context);
  const { albedo, relief: neutralRelief, wrinkleSlopes } = withoutSmileFolds(input, photoAlbedo, relief ?? undefined, o);
  const { dichromatic: found, removed } = seen.removal;
  const highlightRemoval = { removedShare: found > 0 ? removed / found : 1 };
  const lighting = { ...lightingEstimate(input, fit, fitWeight, scale, o), response, highlightRemoval };
  const { width, height } = input.textureBase;
  if (relief) log.debug(`delight: relief from shading in ${relief.iterations} CG iterations (residual ${relief.relativeResidual.toExponential(1)})`);
  log.debug(`delight: ${fit.texelsUsed} texels, residual σ ${fit.residualSigma.toFixed(3)}, inliers ${(100 * fit.inlierFraction).toFixed(0)} %, response k ${response.contrast.toFixed(2)} (${response.decided}), skin Y ${scale.target.toFixed(3)} (${scale.cues?.decided ?? "fixed"}), white balance ${scale.gain.map((g) => g.toFixed(2)).join(",")}, light toward ${lighting.dominantDirection.map((v) => v.toFixed(2)).join(",")}, highlight removal ${(100 * highlightRemoval.removedShare).toFixed(0)} % of the dichromatic amount`);
  return {
    albedo: { ...albedo, colorSpace: "srgb" },
    albedoBase: { width, height, channels: 3, data: albedoBase, colorSpace: "linear" },
    lighting,
    ...(neutralRelief ? { relief: neutralRelief } : {}),
    ...(lit.lightOcclusion ? { lightOcclusion: lit.lightOcclusion } : {}),
    ...(wrinkleSlopes ? { wrinkleSlopes } : {}),
  };
}

/**
 * 1, 1b, 2. The light and regional albedo fitted on the seen skin (its highlights stripped as
 * `highlight`'s colour in J, grey when absent), the relief the shading shows under that light, and
 * the unit shading on the relief's normals (with a relief, the shading it explains leaves the albedo).
 */
function lightAndShading(input: DelightInput, o: Required<DelightOptions>, highlight?: readonly number[]): { fit: LightingFit; fitWeight: Float32Array; relief: ShadingRelief | null; lit: DelightInput; shading: Float32Array } {
  let { fit, fitWeight } = fitSkinLighting(input, o, highlight);
  // The light fitted under AO decides where the mesh shadows it; fitted once more with those shadows.
  if (o.castShadows && input.occlusionMasks) {
    input = { ...input, lightOcclusion: lightVisibility(input.occlusionMasks, input.normalsObject, fit.irradiance) };
    ({ fit, fitWeight } = fitSkinLighting(input, o, highlight));
  }
  const relief = recoverRelief(input, fit, o);
  const lit = relief ? { ...input, normalsObject: relief.normalsObject } : input;
  return { fit, fitWeight, relief, lit, shading: unitShading(lit, fit, fitWeight, o) };
}

/** 9. The smile's fold shading out of A_D and its relief into the wrinkle slopes, where `smileFolds` says the smile folded the skin. */
function withoutSmileFolds(input: DelightInput, albedo: ImageF32, relief: ShadingRelief | undefined, o: Required<DelightOptions>): { albedo: ImageF32; relief?: ShadingRelief; wrinkleSlopes?: ImageF32 } {
  const folds = input.smileFolds;
  if (!folds) return { albedo, ...(relief ? { relief } : {}) };
  const srgb: ImageF32 = { ...albedo, colorSpace: "srgb" };
  const skin = unfoldableSkin(input);
  const neutral = neutralExpressionAlbedo({ albedo: srgb, folds, skin, texelMm: input.texelSizeMm ?? NOMINAL_DELIGHT_TEXEL_MM }, { fineMm: LARGEST_PORE_MM, neighbourMm: (o.shapeFromShading ?? RELIEF_DEFAULTS).bandLimitMm });
  if (!relief) return { albedo: neutral };
  const split = splitReliefSlopes(relief.slopes, folds);
  return { albedo: neutral, relief: { ...relief, slopes: split.neutral }, wrinkleSlopes: split.wrinkles };
}

/** Per base texel: the skin that may lend its statistics to a fold, 1 − (lips, brows, lids, scalp), 0 outside the islands. */
function unfoldableSkin(input: DelightInput): ImageF32 {
  const { width, height } = input.textureBase;
  const regions = input.regions?.weights;
  const notSkin = (["lips", "brows", "eyelids", "scalp"] as const).map((r) => FACE_REGIONS.indexOf(r));
  const data = new Float32Array(width * height);
  for (let q = 0; q < data.length; q++) {
    let s = input.coverage ? input.coverage.data[q] : 1;
    if (regions) for (const k of notSkin) s -= regions.data[q * regions.channels + k];
    data[q] = Math.min(1, Math.max(0, s));
  }
  return { width, height, channels: 1, data, colorSpace: "data" };
}

/**
 * 0. The camera's response (delight/response.ts), estimated on the skin the lighting fit would use,
 * and the input re-linearised under it: both textures and the references' photo colours.
 */
function linearisedInput(input: DelightInput, o: Required<DelightOptions>): { response: CameraResponseEstimate; input: DelightInput } {
  if (o.cameraResponse !== "estimate" && !(typeof o.cameraResponse === "number" && o.cameraResponse > 0)) {
    throw new Error(`delight: cameraResponse must be "estimate" or a positive contrast, got ${o.cameraResponse}`);
  }
  const response = o.cameraResponse === "estimate" ? estimateResponse(input, skinFitWeight(input, o), lightingFitOptions(o)) : fixedResponse(o.cameraResponse);
  const k = response.contrast;
  if (k === 1) return { response, input };
  const relin = (img: ImageF32): ImageF32 => ({ ...img, data: relinearise(img.data, k, img.colorSpace === "linear") , colorSpace: "linear" });
  const reference = <T extends { rgb: [number, number, number] | null }>(m: T | undefined): T | undefined =>
    m?.rgb ? { ...m, rgb: Array.from(relinearise(Float32Array.from(m.rgb), k, true)) as [number, number, number] } : m;
  return { response, input: { ...input, textureBase: relin(input.textureBase), texture: relin(input.texture), sclera: reference(input.sclera), teeth: reference(input.teeth) } };
}

/**
 * 2b. The most specular the highlight removal may take per texel (delight/specular-bound.ts), when
 * the input gives the photo's view; null otherwise. `fs` takes the fitted light (relative) to the
 * material's absolute units.
 */
function specularBound(input: DelightInput, lit: DelightInput, fit: LightingFit, fitWeight: Float32Array, shading: Float32Array, fs: number[], specular: EstimateSpecular): Float32Array | null {
  const view = input.viewObject;
  if (!view) return null;
  return removableSpecular({ ...lit, viewObject: view }, fit, shading, fs, brightestFitDirection(input, fit, fitWeight).direction, specular);
}

/** 7. Full resolution: the per-texel estimator divides T̂ by the upsampled shading, held at `divisorFloor` (absolute units), removing highlights of `highlight`'s colour (in J, relative units) in those units. */
async function fullResolutionAlbedo(input: DelightInput, divisor: Float32Array, divisorFloor: number, specWeight: Float32Array, scale: Pick<AlbedoScale, "skinAlbedo" | "fs">, highlight: readonly number[], o: Required<DelightOptions>, context: StageContext): Promise<ImageF32> {
  const { width, height } = input.textureBase;
  const tex = input.texture;
  const shadingFull = await resizeImage({ width, height, channels: 3, data: divisor, colorSpace: "linear" }, tex.width, tex.height);
  const weightFull = await resizeImage({ width, height, channels: 1, data: specWeight, colorSpace: "data" }, tex.width, tex.height);
  const estimator = forJob(stageEstimator(context, "delight") ?? builtinDelightEstimator(), {
    texelSizeMm: input.texelSizeMm ?? NOMINAL_DELIGHT_TEXEL_MM,
    skinAlbedo: scale.skinAlbedo,
    // The divisor carries skin's factor fs: the highlight's colour in J, in A_D's units (estimators/delight.ts).
    highlightColour: highlight.map((v, c) => v * scale.fs[c]) as [number, number, number],
    options: { specularTolerance: o.specularTolerance, specularGate: o.specularGate, shadingFloor: divisorFloor },
  });
  const [albedo] = await runTiled(await estimator.session(), estimator.manifest, [tex, shadingFull, weightFull], tiledOf(context));
  return albedo;
}
