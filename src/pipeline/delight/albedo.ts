/**
 * The delight steps that read the albedo off the photo (docs/design.md §1): divide the seen texels
 * by the shading and strip their highlights (3), complete what the photo did not see through the
 * UV symmetry (4), and pin the absolute scale with the skin-reflectance prior (5).
 */
import { dichromaticWeights, specularExcess, unitLuminanceColour, type DelightGraphParams } from "../../estimators/delight.ts";
import type { FaceRegion, ReferenceLight, RegionMaps } from "../../types.ts";
import { complete } from "../complete.ts";
import { skinPriorMask } from "../complete/seen.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { StageContext } from "../stage.ts";
import { matchSkinLocus, rednessDirection, softMatchSkinLocus, SKIN_LOCUS_TOLERANCE, SKIN_LOCUS_Y_RANGE, type SkinLocusMatch } from "./albedo-scale.ts";
import { lightOfGain, rednessShare } from "./redness-share.ts";
import { combineCues, referenceLightOf, scleraCue, teethCue, type EyeShading, type ReferenceCueInput, type ScaleCues, type SkinPrior } from "./references.ts";
import { smoothAlbedoAt, type LightingFit } from "./fit.ts";
import { decideSceneLight } from "./scene-light.ts";
import { baseTexels, isClipped, lumAt, regionSum, type DelightMaps, type DelightSettings } from "./maps.ts";
import { offPlane, regionalExcess } from "./dichromatic.ts";
import { mapF32 } from "../../primitives/typed-array.ts";

/**
 * Regions the per-texel graph removes no highlight from (in proportion to their share): the lips'
 * own texels have theirs removed here (OWN_COLOUR_HIGHLIGHTS), eye whites show through the eye
 * openings, and hair is not a dielectric skin.
 */
const NO_HIGHLIGHT_REMOVAL: FaceRegion[] = ["lips", "eyelids", "brows", "scalp"];

/**
 * Regions whose highlights are read against their own albedo, here at base size, not by the
 * per-texel graph (which reads every texel against the face's skin colour and brightness): the
 * lips are redder and darker than the face's median skin, so against it a glint on them passes the
 * brightness gate only once brighter than skin and leaves its chroma's part behind. Their surface
 * reflects the light's colour as skin's does (a dielectric; moist lips shinier than the rest of the
 * face, Weyrich et al. 2006 via GPU Gems 3, reference skin-reflectance.md §1.2 [S3]), so a glint
 * there is the lips' colour plus the light's, and is taken out as one. A texel of the region is the
 * lips' where their albedo plus the light's colour explains it at least as well as the face's skin
 * plus the light's (`offPlane`); otherwise it is the skin a texel or two above the vermilion border
 * the region takes in (paler and less red: read as lip plus light it would darken toward the lips'
 * red), and the graph removes its highlight in proportion to its share of skin, as before (a glint
 * off both colours' planes is not subtracted against the wrong one). Of a texel that is partly lip,
 * the lips' share of the highlight is read against their colour, the rest against skin's, both here.
 * The unwrap keeps the photo's mouth opening
 * off the lips (unwrap.ts mouthOpeningUnseen), so white there is no longer taken for teeth.
 */
const OWN_COLOUR_HIGHLIGHTS: FaceRegion[] = ["lips"];

/**
 * Membership from which a texel counts as the region's own: its soft rim is mostly the skin around
 * it, whose highlight the graph removes as skin's (read against the region's blend there, the
 * removal patched the skin above the upper lip, d3dfr-000002).
 */
const OWN_CORE = 0.5;

/** Regions the scale prior is measured on (where the reference's facial measurements were taken). */
const SCALE_REGIONS: FaceRegion[] = ["forehead", "cheeks"];

/** Per texel, how much highlight removal applies: 1 − membership of NO_HIGHLIGHT_REMOVAL. */
function specularWeightMap(regions: RegionMaps | undefined, texels: number): Float32Array {
  const s = regionSum(regions, NO_HIGHLIGHT_REMOVAL, texels);
  return mapF32(s, (v) => Math.max(0, 1 - v));
}

/** What the photo says of the albedo where it saw the skin. */
export interface SeenAlbedo {
  /** J = T/S with highlights removed, linear RGB, base size (0 where not seen). */
  J: Float32Array;
  /** Per texel, how far J is trusted, 0..1 (0 = completed instead). */
  seen: Float32Array;
  /** `seen` on skin texels at or above minConfidence (the weight of skin medians). */
  skinWeight: Float32Array;
  /** Per texel, how much highlight removal applies (the regions' share, times the bound's where it cut the removal). */
  specWeight: Float32Array;
  /** Σ over the seen texels of the dichromatic amount κ and of the amount removed (κ capped by the bound). */
  removal: { dichromatic: number; removed: number };
  /** Per texel, the dichromatic amount κ found (luminance of the highlight, J's units; 0 where none or unseen). */
  excess: Float32Array;
  /**
   * Per texel, 1 where a highlight was removed here against the region's own colour
   * (OWN_COLOUR_HIGHLIGHTS): the per-texel graph removes none there, so the full-size division must
   * map the texture onto J (the implied shading), not divide by the model's.
   */
  ownRemoval: Float32Array;
}

/**
 * 3. Seen albedo J = T/S, highlights removed (same maths as the per-texel graph); texels that do not
 * fit are unseen. `bound` (specular-bound.ts): per texel, the most specular the removal may take, in
 * J's units; the returned specWeight carries it to the full-size division (the share of the
 * dichromatic amount kept). null: the dichromatic test alone. `light`: the light's colour in J's
 * units, ĥ (any scale). A white surface under the light comes out of J = T/S as 1/lightFs (the
 * light's white balance, `ReferenceLight.gain`), so that is the colour a highlight has in J; grey
 * only until the light is decided. Removing grey from a highlight of another colour leaves the
 * difference behind (a warm light's highlight left a yellow-green residue on the forehead).
 */
export function seenAlbedo(input: DelightMaps, shading: Float32Array, fit: LightingFit, o: DelightSettings, bound: Float32Array | null = null, light: readonly number[] = [1, 1, 1]): SeenAlbedo {
  const { width, height, n, T, AO, conf, covered } = baseTexels(input);
  const J = new Float32Array(n * 3);
  const seen = new Float32Array(n);
  // The floor is relative to the photo's own light: the unit shading carries the exposure.
  const floor = o.shadingFloor * shadingLevel(shading, mapF32(conf, (v, p) => (covered(p) && v >= o.minConfidence ? v : 0)));
  for (let p = 0; p < n; p++) {
    const s = Math.min(shading[p * 3], shading[p * 3 + 1], shading[p * 3 + 2]);
    // Clipped texels lost their diffuse colour under the highlight, and deep cavities are lit by
    // interreflection the AO model does not hold: both are completed from their neighbours instead.
    const clipped = isClipped(T, p, o.clipLevel);
    if (!covered(p) || conf[p] < o.seenConfidence || s <= floor || clipped || AO[p] < o.minOcclusion) continue;
    seen[p] = Math.min(1, conf[p]);
    for (let c = 0; c < 3; c++) J[p * 3 + c] = T[p * 3 + c] / shading[p * 3 + c];
  }
  erodeSeen(seen, conf, width, height, covered, o.seenConfidence);
  const skinMask = skinPriorMask(input.regions, n);
  const skinWeight = mapF32(seen, (v, p) => (v >= o.minConfidence ? v * skinMask[p] : 0));
  const relSkin = medianColor(J, skinWeight);
  // The test runs in the light's frame J/ĥ, where the highlight is grey (as the per-texel graph does).
  const h = unitLuminanceColour(light);
  const toFrame = (rgb: ArrayLike<number>, out: number[]) => {
    for (let c = 0; c < 3; c++) out[c] = rgb[c] / h[c];
    return out;
  };
  const skinInFrame = toFrame(relSkin, [0, 0, 0]) as [number, number, number];
  const graphParams: DelightGraphParams = { skinAlbedo: skinInFrame, specularTolerance: o.specularTolerance, specularGate: o.specularGate, shadingFloor: floor, highlightColour: [1, 1, 1] };
  const w = dichromaticWeights(skinInFrame);
  const specWeight = specularWeightMap(input.regions, n);
  const ownShare = regionSum(input.regions, OWN_COLOUR_HIGHLIGHTS, n);
  const ownRemoval = new Float32Array(n);
  const texelJ = [0, 0, 0];
  const smooth = [0, 0, 0];
  const regionData = input.regions?.weights.data ?? null;
  const removal = { dichromatic: 0, removed: 0 };
  const found = new Float32Array(n);
  const smoothInFrame = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    if (seen[p] === 0) continue;
    for (let c = 0; c < 3; c++) texelJ[c] = J[p * 3 + c] / h[c];
    smoothAlbedoAt(fit, regionData, p, smooth);
    const regional = toFrame(smooth, smoothInFrame);
    // The lips' own texel (OWN_COLOUR_HIGHLIGHTS): their share of its highlight comes out here.
    const ownSurface = ownShare[p] >= OWN_CORE && offPlane(texelJ, regional) <= offPlane(texelJ, skinInFrame);
    const excess = specularExcess(texelJ, w, graphParams) * specWeight[p];
    const own = o.highlightChroma === "region" ? Math.min(excess, regionalExcess(texelJ, regional, graphParams) * specWeight[p]) : excess;
    const k = bound ? Math.min(own, Math.max(0, bound[p])) : own;
    if (excess > 0) specWeight[p] *= k / excess;
    const lips = ownSurface ? regionalExcess(texelJ, regional, graphParams) * Math.min(1, ownShare[p]) : 0;
    const kOwn = bound ? Math.min(lips, Math.max(0, bound[p] - k)) : lips;
    // J then holds the texel's whole removal, skin's share too: the division maps onto it and the graph removes nothing more.
    if (kOwn > 0) {
      ownRemoval[p] = 1;
      specWeight[p] = 0;
    }
    removal.dichromatic += excess + lips;
    found[p] = excess + lips;
    removal.removed += k + kOwn;
    for (let c = 0; c < 3; c++) J[p * 3 + c] = Math.max(0, J[p * 3 + c] - (k + kOwn) * h[c]);
    // Far brighter than its region's albedo after highlight removal: not this surface (an occluder
    // seen through a visibility error, a clipped or coloured highlight); completed instead.
    if (lumAt(J, p) > o.maxAlbedoRatio * lumAt(smooth, 0)) seen[p] = 0;
    // A highlight whose colour is not skin plus the light's leaves the rest off skin's colour after
    // removal (a channel compressed at the camera's shoulder, a coloured reflection): completed instead.
    if (excess > 0 && offPlane(texelJ, skinInFrame) > 2 * o.specularTolerance) seen[p] = 0;
  }
  return { J, seen, skinWeight, specWeight, removal, excess: found, ownRemoval };
}

/**
 * 4. The relative albedo completed through the symmetry and toward the skin prior. complete's
 * defaults, but no rim drop and the rim's tone from the well-seen face (rimTone): the complete stage already dropped the photo's unreliable rims, and the
 * holes here are highlights and outliers whose surroundings are good albedo. Also the weight the
 * full-size division gives the model shading: the seen weight, 0 where the rim's tone was replaced
 * (trusting the shading there brought the rim's biased tone back at full size: the darker patches
 * under d3dfr-000002's chin).
 */
export function completeAlbedo(input: DelightMaps, seen: SeenAlbedo, context: StageContext): { albedo: Float32Array; toneWeight: Float32Array } {
  const { width, height } = input.textureBase;
  const done = complete(
    { texture: { width, height, channels: 3, data: seen.J, colorSpace: "linear" }, confidence: { width, height, channels: 1, data: seen.seen, colorSpace: "data" }, coverage: input.coverage, regions: input.regions, mirrorTexel: input.mirrorTexel },
    // The albedo's oblique rim is biased by the shading's fall-off there: its tone comes from the well-seen face.
    // The unseen head continues the person's measured skin, not the fill's mean of every seen colour.
    { rimWidth: 0, rimTone: true, headTone: true },
    { logger: context.logger },
  );
  // toneWeight: how far the full-size division may trust the model shading (0 in the rim whose tone was replaced).
  return { albedo: done.texture.data, toneWeight: done.toneConfidence.data };
}

/** The absolute scale of the albedo and what it was derived from. */
export interface AlbedoScale {
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
  /** Which cues fixed the scale and colour, and how sure (absent for a fixed luminance). */
  cues?: ScaleCues;
  /** The light's own white balance and skin's correction beyond it (types.ts ReferenceLight). */
  referenceLight: ReferenceLight;
}

/**
 * 5. Absolute scale, measured on seen forehead and cheeks: the skin-reflectance prior, weighed
 * against the sclera where the photo shows it reliably (delight/references.ts). `shading` is the
 * unit shading of step 2 (the sclera's light is read against the face's).
 */
export function absoluteScale(input: DelightMaps, albedoRel: Float32Array, skinWeight: Float32Array, o: DelightSettings, shading?: Float32Array): AlbedoScale {
  const n = input.textureBase.width * input.textureBase.height;
  const scaleRegions = regionSum(input.regions, SCALE_REGIONS, n);
  const scaleWeight = mapF32(skinWeight, (v, p) => (input.regions ? v * scaleRegions[p] : v));
  const useW = scaleWeight.some((v) => v > 0) ? scaleWeight : skinWeight;
  const median = medianColor(albedoRel, useW);
  if (o.useTeeth !== true && o.useTeeth !== false && o.useTeeth !== "luminance") throw new Error(`delight: useTeeth must be true, false or "luminance", got ${JSON.stringify(o.useTeeth)}`);
  if (!(o.skinRednessSigma >= 0 && Number.isFinite(o.skinRednessSigma))) throw new Error(`delight: skinRednessSigma must be a finite a* spread ≥ 0, got ${o.skinRednessSigma}`);
  if (o.skinRednessShare !== "scene" && !(o.skinRednessShare >= 0 && o.skinRednessShare <= 1)) throw new Error(`delight: skinRednessShare must be "scene" or in [0, 1], got ${JSON.stringify(o.skinRednessShare)}`);
  if (!(o.skinSurfaceReflectance >= 0 && o.skinSurfaceReflectance < SKIN_LOCUS_Y_RANGE[0])) {
    throw new Error(`delight: skinSurfaceReflectance must be in [0, ${SKIN_LOCUS_Y_RANGE[0].toFixed(3)}) (under the darkest face's luminance), got ${o.skinSurfaceReflectance}`);
  }
  if (o.albedoScale !== "chromaticity" && !(typeof o.albedoScale === "number" && o.albedoScale > 0 && o.albedoScale < 1)) {
    throw new Error(`delight: albedoScale must be "chromaticity" or a luminance in (0, 1), got ${o.albedoScale}`);
  }
  // The prior as a function of the white balance and its doubt: the soft locus match of the
  // balanced colour, sheen and all, on the locus as photos see skin (albedo-scale.ts).
  const sheen = o.skinSurfaceReflectance;
  // With no sheen, the nearest point of the diffuse locus (it does not fold).
  const prior: SkinPrior = (wb, sigmaChroma) => {
    const balanced = median.map((v, c) => v * wb[c]);
    const read = (redness: number): SkinLocusMatch & { spreadLnY?: number } =>
      sheen > 0 ? softMatchSkinLocus(balanced, sheen, sigmaChroma, SKIN_LOCUS_TOLERANCE, redness) : matchSkinLocus(balanced, SKIN_LOCUS_TOLERANCE, redness);
    const tint = read(0);
    // Whose the offset off the locus is, the light's or the skin's blood: the scene's light statistics decide (redness-share.ts).
    const share = o.skinRednessShare === "scene" ? rednessShare(tint.offset, rednessDirection(balanced).chroma, SKIN_LOCUS_TOLERANCE, o.skinRednessSigma, input.sceneLight, lightOfGain(wb)) : o.skinRednessShare;
    const m = rednessOrTint(tint, read(o.skinRednessSigma), share);
    return { luminance: m.luminance, distance: m.distance, extrapolated: m.extrapolated, spreadLnY: m.spreadLnY, mixtureLnY: m.mixtureLnY, rednessShare: share, gain: m.gain.map((g, c) => g * wb[c]) };
  };
  // A colour cast moves the skin along or off the measured skin locus: the scene's light colour is
  // taken out first (along the locus a warm light passes for darker skin), then the white balance
  // that puts what is left back on the locus. Both are part of the light, not the albedo, and the
  // luminance prior reads the corrected colour. The scene's statistics are checked against the skin (scene-light.ts).
  const sceneLight = decideSceneLight(prior, input.sceneLight, input.sceneIlluminant && checkIlluminant(input.sceneIlluminant));
  const scene = sceneLight.light;
  const sceneGain = sceneLight.gain;
  let fs: number[];
  let lightFs: number[];
  let cues: ScaleCues | undefined;
  if (o.albedoScale === "chromaticity") {
    const sclera = input.sclera;
    const teeth = o.useTeeth ? input.teeth : undefined;
    const scleraRef = shading && sclera ? scleraCue(sclera, eyeShading(input, shading, scaleRegions, o.minConfidence)) : null;
    const teethRef = shading && teeth ? teethCue(teeth, frontShading(input, shading, scaleRegions, o.minConfidence), o.useTeeth === "luminance") : null;
    const references: ReferenceCueInput[] = [
      { name: "sclera", cue: scleraRef, reason: sclera ? sclera.reason : "not measured", pixels: sclera?.pixels ?? 0, clipped: sclera?.clipped ?? 0, purity: sclera?.purity ?? null },
      { name: "teeth", cue: teethRef, reason: teeth ? teeth.reason : o.useTeeth ? "not measured" : "not used (useTeeth false)", pixels: teeth?.pixels ?? 0, clipped: teeth?.clipped ?? 0, purity: null },
    ];
    const combined = combineCues(prior, sceneGain, references, median, sheen, sceneLight.sigmaChroma);
    fs = withoutSheen(combined.fs, median, sheen);
    lightFs = combined.lightFs;
    cues = { ...combined.cues, sceneLight: sceneLight.verdict };
  } else {
    // A fixed luminance asked for is a decision, not a prior: the references do not override it.
    const Y = o.albedoScale as number;
    fs = [1, 1, 1].map((g) => (g * Y) / Math.max(lumAt(median, 0), 1e-6));
    lightFs = fs;
  }
  const referenceLight = referenceLightOf(fs, lightFs);
  const gain = fs.map((v) => v / fs[0]);
  const albedoBase = mapF32(albedoRel, (v, i) => v * fs[i % 3]);
  const skinAlbedo = median.map((v, c) => v * fs[c]) as [number, number, number];
  const target = lumAt(skinAlbedo, 0);
  return { fs, gain, target, scene, skinAlbedo, albedoBase, cues, referenceLight };
}

/**
 * The skin-locus prior as the mixture of two readings of one colour (delight's `skinRednessShare`):
 * its offset from the locus as a camera's or light's tint (`tint`, the plain nearest point) and as
 * the skin's own blood (`redness`, weighed `share`). ln Y, the white balance (per channel, in ln),
 * the distance and the extrapolation are share-weighted means; `mixtureLnY` is the mixture's own σ of
 * ln Y, √(share (1 − share)) × the readings' difference in ln Y, a doubt the prior adds to its own.
 */
export function rednessOrTint<T extends SkinLocusMatch & { spreadLnY?: number }>(tint: T, redness: T, share: number): T & { mixtureLnY: number } {
  const mix = (a: number, b: number) => (1 - share) * a + share * b;
  const [lt, lr] = [Math.log(tint.luminance), Math.log(redness.luminance)];
  return {
    ...tint,
    luminance: Math.exp(mix(lt, lr)),
    gain: tint.gain.map((g, c) => Math.exp(mix(Math.log(g), Math.log(redness.gain[c])))) as [number, number, number],
    distance: mix(tint.distance, redness.distance),
    extrapolated: mix(tint.extrapolated, redness.extrapolated),
    redness: share * redness.redness,
    ...(tint.spreadLnY === undefined || redness.spreadLnY === undefined ? {} : { spreadLnY: mix(tint.spreadLnY, redness.spreadLnY) }),
    mixtureLnY: Math.sqrt(share * (1 - share)) * Math.abs(lr - lt),
  };
}

/**
 * The scale to the diffuse albedo: `fs` maps the relative skin median to its apparent colour, diffuse
 * plus the neutral sheen; per channel, the factor that maps the median to the apparent colour less
 * the sheen (fs − sheen / median). Every texel then loses the sheen in proportion to its own level
 * (the sheen of a texel twice as light is taken as twice the median's), so no texel goes negative.
 * Held at a fifth of the apparent factor: a channel whose apparent value is under 1.25 × the sheen is
 * darker than the darkest ISSA face's blue (0.028 [S20]) plus the sheen, i.e. a colour the locus
 * match did not put on skin.
 */
function withoutSheen(fs: number[], median: ArrayLike<number>, sheen: number): number[] {
  return fs.map((f, c) => Math.max(f - sheen / Math.max(median[c], 1e-9), 0.2 * f));
}

/**
 * The light the sclera gets, as the fitted model shades a unit albedo: the median unit shading over
 * the eye openings (the "eyelids" region, whose normals and ambient occlusion are those of the
 * orbit), over both eyes and over each (`sides`: the subject's right eye at u < 0.5 of the atlas),
 * or else over the front of the face the scale is read on (forehead and cheeks the photo saw). Both
 * sets are the geometry's, not the exposure's: the seen-skin set leaves out texels too dark to
 * divide, which would bias the face's light up in a dark photo.
 */
function eyeShading(input: DelightMaps, shading: Float32Array, scaleRegions: Float32Array, minConfidence: number): EyeShading {
  const n = scaleRegions.length;
  const width = input.textureBase.width;
  const eyes = regionSum(input.regions, ["eyelids"], n);
  const cov = input.coverage?.data;
  const w = mapF32(eyes, (v, p) => (input.regions && (!cov || cov[p] > 0) ? v : 0));
  const median = (weight: Float32Array) => {
    if (!weight.some((v) => v > 0.5)) return null;
    try {
      return medianColor(shading, weight);
    } catch {
      return null; // no positive shading there
    }
  };
  const both = median(w);
  if (!both) return { rgb: frontShading(input, shading, scaleRegions, minConfidence), inOrbit: false };
  const side = (right: boolean) => median(mapF32(w, (v, p) => ((p % width) + 0.5 < width / 2 === right ? v : 0)));
  return { rgb: both, inOrbit: true, sides: { right: side(true), left: side(false) } };
}

/** The median unit shading over the front of the face the scale is read on (forehead and cheeks the photo saw). */
function frontShading(input: DelightMaps, shading: Float32Array, scaleRegions: Float32Array, minConfidence: number): [number, number, number] {
  const cov = input.coverage?.data;
  const conf = input.confidence.data;
  const front = mapF32(scaleRegions, (v, p) => ((!cov || cov[p] > 0) && conf[p] >= minConfidence ? (input.regions ? v : 1) : 0));
  return medianColor(shading, front);
}

/** A known scene illuminant normalised to red = 1; throws on a non-positive or non-finite colour. */
function checkIlluminant(rgb: [number, number, number]): [number, number, number] {
  if (rgb.length !== 3 || !rgb.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`delight: sceneIlluminant must be three positive numbers, got ${JSON.stringify(rgb)}`);
  return [1, rgb[1] / rgb[0], rgb[2] / rgb[0]];
}

/** The light level of a shading (unit or division): the weighted median of its luminance. */
export function shadingLevel(shading: Float32Array, weight: Float32Array): number {
  const lums = mapF32(weight, (_, p) => lumAt(shading, p));
  return weightedMedian(lums, weight);
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
