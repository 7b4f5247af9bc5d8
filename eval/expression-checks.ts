/**
 * Expression figures (issue 16): how well the head as photographed meets the landmarks, how much
 * expression was taken out of the neutral head, and whether the photo's teeth landed on the lips.
 *
 * Tooth-coloured lips, on A_D (what the issue names): over the lip region of A_D (region "lips"
 * ≥ 0.5, A_D averaged to base size, linear), the share of texels nearer (CIEDE2000) to a tooth's
 * colour in A_D's units than to the lips' own median colour in A_D and than to the skin's around
 * them (A_D's median over the region's soft rim, "lips" 0.05–0.5, seen by the photo). Two tooth
 * colours, a texel nearer to either counts:
 * - the photo's teeth de-lit as the lips were (`teethAsLipAlbedo`): the photo's teeth colour
 *   times the factor that took the lips' photo colour to their A_D (per channel, the median over
 *   the seen lip texels of A_D ÷ completed texture). That is what a tooth texel unwrapped onto the
 *   lips becomes in A_D, whatever the light and scale estimates were, so the figure catches the
 *   failure it is for (teeth laid onto the lips) without trusting the lighting model.
 * - enamel's measured reflectance (delight/references.ts TOOTH_REFLECTANCE, adults' upper front
 *   teeth, Pustina-Krasniqi et al. 2017): A_D is absolute albedo, so a tooth texel that the
 *   division did take to teeth's albedo lands near it, however the photo's teeth were lit.
 * The skin is a reference because the teeth in the mouth's shade can be nearer to skin than to
 * lips (d3dfr-000002: teeth 8 ΔE00 from the skin, 17 from the lips), and the lip region's rim takes
 * a texel or two of skin above the vermilion border: without it those counted as teeth. Null when
 * the photo shows no teeth to land anywhere: measureTeeth found no opening, or what it found
 * between the lips is not enamel by its own test (green/red below TEETH_DEFAULTS.minGreenRed, or too
 * few pixels; src/pipeline/teeth-colour.ts `enamelColour`). Without that test the lightest part of a tongue, the gums or the dark
 * mouth was the "teeth" reference, and lip texels near it counted (d3dfr-vd102's pale upper lip,
 * vd006's shaded vermilion, vd034's mouth corners: 17, 31, 12 % with no tooth in their crops).
 *
 * `lipToothShareTexture` is the same count on the completed photo texture against the photo's
 * teeth alone (the figure before it was read on A_D): it also counts the lips' specular glints,
 * which are nearer the teeth's colour than the lip's, and which A_D should not hold.
 */
import { ciede2000, linearSrgbToLab } from "../src/primitives/color.ts";
import { upperMedian } from "../src/primitives/statistics.ts";
import { FACE_REGIONS, type FitResult, type ImageF32, type RegionMaps } from "../src/types.ts";
import { weightsRecord } from "../src/pipeline/fit/expression.ts";
import { TOOTH_REFLECTANCE } from "../src/pipeline/delight/references.ts";

type Rgb = [number, number, number];

export interface ExpressionChecks {
  /** The photo's weights above 0 (name → 0..1); empty when the expression step did not run. */
  weights: Record<string, number>;
  /** RMS landmark error, share of the inter-ocular distance, of the head as photographed and of the neutral head. */
  landmarkErrorIod: number;
  neutralLandmarkErrorIod: number | null;
  /** Share (0..1) of A_D's lip region that is tooth-coloured (module comment); null without teeth in the photo or lip texels. */
  lipToothShare: number | null;
  /** The same share on the completed photo texture against the photo's teeth; null as above. */
  lipToothShareTexture: number | null;
}

/** What the lip figures read, all at the regions' (base) size: `texture` the completed photo texture and `albedo` A_D, both linear RGB. */
export interface LipMaps {
  texture: ImageF32;
  albedo: ImageF32;
  regions: RegionMaps;
  /** Unwrap confidence (absent: all seen). */
  confidence?: ImageF32;
}

/** The figures for one job: `teeth` the photo's teeth colour (linear) or null. */
export function expressionChecks(fit: FitResult, lips: LipMaps, teeth: Rgb | null): ExpressionChecks {
  const iod = Math.max(1e-9, fit.interocularPx);
  const delit = teeth ? teethAsLipAlbedo(lips, teeth) : null;
  return {
    weights: fit.expression ? weightsRecord(fit.expression.weights) : {},
    landmarkErrorIod: fit.reprojectionErrorPx / iod,
    neutralLandmarkErrorIod: fit.expression ? fit.expression.neutralErrorPx / iod : null,
    lipToothShare: teeth ? lipToothShare(lips.albedo, lips.regions, delit ? [delit, TOOTH_REFLECTANCE.rgb] : [TOOTH_REFLECTANCE.rgb], lips.confidence) : null,
    lipToothShareTexture: teeth ? lipToothShare(lips.texture, lips.regions, [teeth], lips.confidence) : null,
  };
}

/** Lowest unwrap confidence of a texel that speaks for what the photo showed there (below it the texel was filled, not seen). */
const RIM_SEEN = 0.3;

/** Lip membership from which a texel is the lips' own (below it, down to LIP_RIM, the skin around them). */
const LIP_CORE = 0.5;
const LIP_RIM = 0.05;

/**
 * The photo's teeth colour (linear) as A_D would hold it had the teeth landed on the lips: times the
 * per-channel median over the seen lip texels of albedo ÷ texture. Null without such texels.
 */
export function teethAsLipAlbedo(maps: LipMaps, teeth: Rgb): Rgb | null {
  const { texture, albedo, regions } = maps;
  sameSize(texture, regions, "texture");
  sameSize(albedo, regions, "albedo");
  const w = regions.weights, lipsChannel = FACE_REGIONS.indexOf("lips");
  const ratios: number[][] = [[], [], []];
  for (let p = 0; p < w.width * w.height; p++) {
    if (w.data[p * w.channels + lipsChannel] < LIP_CORE || (maps.confidence && maps.confidence.data[p] <= RIM_SEEN)) continue;
    const t = p * texture.channels, a = p * albedo.channels;
    if (!(texture.data[t] > 0 && texture.data[t + 1] > 0 && texture.data[t + 2] > 0)) continue;
    for (let c = 0; c < 3; c++) ratios[c].push(albedo.data[a + c] / texture.data[t + c]);
  }
  if (ratios[0].length === 0) return null;
  return [0, 1, 2].map((c) => teeth[c] * upperMedian(ratios[c])) as Rgb;
}

/**
 * The share of `image`'s lip texels nearer to any of `teeth` (linear RGB, the image's units) than to
 * the lips' median and the seen rim skin's median; `image` linear RGB at the regions' size,
 * `confidence` (absent: all seen) picks the rim's seen texels. Null without lip texels.
 */
export function lipToothShare(image: ImageF32, regions: RegionMaps, teeth: readonly Rgb[], confidence?: ImageF32): number | null {
  const w = regions.weights, lipsChannel = FACE_REGIONS.indexOf("lips");
  sameSize(image, regions, "image");
  if (confidence) sameSize(confidence, regions, "confidence");
  if (teeth.length === 0) throw new Error("lipToothShare: no tooth colour to compare with");
  const labs: Rgb[] = [], rim: Rgb[] = [];
  for (let p = 0; p < w.width * w.height; p++) {
    const lips = w.data[p * w.channels + lipsChannel];
    if (lips < LIP_RIM) continue;
    const i = p * image.channels;
    const lab = linearSrgbToLab(image.data[i], image.data[i + 1], image.data[i + 2]);
    if (lips >= LIP_CORE) labs.push(lab);
    else if (!confidence || confidence.data[p] > RIM_SEEN) rim.push(lab);
  }
  if (labs.length === 0) return null;
  const median = (set: Rgb[]) => [0, 1, 2].map((k) => upperMedian(set.map((l) => l[k])));
  const lip = median(labs), skin = rim.length > 0 ? median(rim) : null, tooth = teeth.map((t) => linearSrgbToLab(...t));
  const toothColoured = (l: Rgb) => Math.min(...tooth.map((t) => ciede2000(l, t))) < Math.min(ciede2000(l, lip), skin ? ciede2000(l, skin) : Infinity);
  return labs.filter(toothColoured).length / labs.length;
}

function sameSize(image: ImageF32, regions: RegionMaps, name: string): void {
  const w = regions.weights;
  if (image.width !== w.width || image.height !== w.height) throw new Error(`lipToothShare: the ${name} (${image.width}×${image.height}) and the regions (${w.width}×${w.height}) differ in size`);
}
