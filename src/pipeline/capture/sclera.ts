/**
 * The sclera (the white of the eye) as a reference of known reflectance inside the photo (issue 14,
 * skin-reflectance reference §5): it is near-neutral and far lighter than any skin, so its colour
 * in the photo is the light's colour and brightness where the eyes are, whatever the exposure and
 * white balance of the camera. Delight weighs it against the skin-locus prior (delight/references.ts).
 *
 * Measured between the lids (the face mesh's eye contour, shrunk toward its centre), outside the
 * iris disc (its landmark circle, enlarged to leave the limbal ring out) and lateral of the
 * caruncle (the fissure's medial share that is not the globe, from the canthi's anatomy:
 * capture/sclera-geometry.ts). What is there is not all
 * sclera: lid margins, lashes, the caruncle and lid skin fall inside a landmark contour, and a pixel
 * that straddles the lid mixes skin into the white. Each pixel is therefore tested against the skin
 * beside the eye (the band under the lower lid, the same light): under any light colour, the sclera
 * is greener relative to its red than the lightest skin by ln(g/r) 0.39 (`SCLERA_REFLECTANCE`
 * against the locus's lightest anchor [S20]) and lighter than it (Y 0.7 against ≤ 0.36). Pixels
 * that pass are the candidates; the sclera is their lightness mode (a Gaussian kernel density of
 * ln Y, Silverman's bandwidth): mixing only darkens it, so it is the lightest of the density's modes
 * that holds more than a few pixels and is not a glint (small enough for the light source mirrored
 * in the tear film at its excess, lighter than shading can make it: `scleraCluster`), and the
 * pixels within that mode's half-maximum width are kept:
 * mixed pixels, the shaded corners and catch-lights fall outside it. Per-channel medians of the kept
 * pixels are the reading; `purity` is their share of the opening. Each eye's share of them is kept
 * with its side (`eyes`), for delight to weigh the reading against the light it models at each eye.
 *
 * Reliability, each a physical reason the measurement may not be the sclera under the face's light:
 * too few pure pixels for their mean to have a finite doubt (`meanDoubt`: eyes closed or nearly, a
 * small face, a squint that shows lids only; above that the doubt grows as pixels get fewer), an
 * opening much flatter than an open eye's, clipped pixels (the camera's response saturated: only a
 * lower bound on the light is left).
 */
import { LEFT_EYE_CONTOUR, LEFT_EYE_INNER, LEFT_EYE_OUTER, LEFT_IRIS_START, RIGHT_EYE_CONTOUR, RIGHT_EYE_INNER, RIGHT_EYE_OUTER, RIGHT_IRIS_START } from "../../primitives/face-topology.ts";
import { withDefaults } from "../../options.ts";
import { luminance } from "../../primitives/color.ts";
import type { ImageF32 } from "../../types.ts";
import { SKIN_Y_BY_GREEN_RED } from "../delight/albedo-scale.ts";
import { lnLuminance, meanDoubt, median, MIN_EFFECTIVE_SAMPLES, PIXELS_PER_SAMPLE, polygonPixels, robustColour, type ReferencePixel } from "./reference-pixels.ts";
import { CARUNCLE_SHARE, diffuseTurn, largestBlob, maxGlintDiameter } from "./sclera-geometry.ts";

/**
 * Reflectance of the visible sclera, linear sRGB, and its uncertainty (σ of ln Y, σ of the
 * chromaticity in ln g/r, ln b/r).
 *
 * Not a measured in-vivo value: no published diffuse reflectance of the living sclera in the
 * visible was found in the sources available to this project (ex-vivo spectra exist: Bashkatov,
 * Genina, Kochubey, Kamenskikh, Tuchin 2015, "Optical clearing of human eye sclera by aqueous
 * 30 %-glucose solution", Izv. Saratov Univ. Physics 15(3):18–24, doi:10.18500/1817-3020-2015-15-3-18-24,
 * 400–800 nm; their figures were not available here). What is assumed, and why the σ is wide:
 * a white, strongly scattering collagen tissue (Tseng et al. 2022, Biomed. Opt. Express: scleral
 * opacity from the fibrils' polydisperse packing), off-white and a little yellow-red (conjunctival
 * vessels, age); its colour is stable with age in healthy adults (University of Georgia thesis,
 * openscholar.uga.edu/record/3982). Y 0.7 (the untextured eye material's 0.78 is not a
 * measurement either), chromaticity r:g:b = 1 : 0.96 : 0.9.
 */
export const SCLERA_REFLECTANCE = { rgb: [0.74, 0.71, 0.666] as [number, number, number], sigmaLnY: 0.2, sigmaChroma: 0.05 };

/**
 * The least ln(g/r) by which a sclera pixel exceeds the skin beside it in the same light: the
 * sclera's own ln(g/r) minus the lightest ISSA facial anchor's (g/r 0.647, ITA 62° [S20]), less 2 σ
 * of the sclera's chromaticity. The light's colour multiplies both and cancels in the difference.
 */
export const MIN_SCLERA_WHITENING =
  Math.log(SCLERA_REFLECTANCE.rgb[1] / SCLERA_REFLECTANCE.rgb[0]) - Math.log(SKIN_Y_BY_GREEN_RED[SKIN_Y_BY_GREEN_RED.length - 1][0]) - 2 * SCLERA_REFLECTANCE.sigmaChroma;

export interface ScleraOptions {
  /** The lid contour is shrunk toward its centroid by this factor (lid margins, lashes). */
  contourShrink?: number;
  /** Pixels closer to the iris centre than this multiple of the iris radius are left out (iris, limbal ring). */
  irisMargin?: number;
  /** Share of the fissure, from the medial canthus toward the lateral, left out as not the globe (caruncle, plica: CARUNCLE_SHARE). */
  caruncleShare?: number;
  /** The skin the sclera is tested against: the band between the lid contour scaled by these two factors about its centroid, below the centroid (under the lower lid). */
  skinBand?: [number, number];
  /** Least ln(g/r) of a sclera pixel above the skin beside it (see MIN_SCLERA_WHITENING). */
  minWhitening?: number;
  /** Pixels one independent sample spans (blur, demosaic, JPEG blocks): the reading's doubt counts pixels / this samples, and needs more than MIN_EFFECTIVE_SAMPLES. */
  pixelsPerSample?: number;
  /** Opening height / width below which the eye counts as closed (an open eye: ≈ 0.3). */
  minOpenness?: number;
  /** sRGB level at or above which a channel counts as clipped. */
  clipLevel?: number;
  /** Share of clipped pixels among those lighter than the skin above which the measurement is not used. */
  maxClipped?: number;
}

export const SCLERA_DEFAULTS: Required<ScleraOptions> = {
  contourShrink: 0.8,
  irisMargin: 1.15,
  caruncleShare: CARUNCLE_SHARE,
  skinBand: [1.3, 2],
  minWhitening: MIN_SCLERA_WHITENING,
  pixelsPerSample: PIXELS_PER_SAMPLE,
  minOpenness: 0.18,
  clipLevel: 0.98,
  maxClipped: 0.2,
};

/** The sclera as the photo shows it. */
export interface ScleraMeasurement {
  /** Median colour of the pure sclera pixels, linear RGB of the photo (null when nothing was measured). */
  rgb: [number, number, number] | null;
  /** Pure sclera pixels the median was taken over, both eyes. */
  pixels: number;
  /** Share of the openings' pixels (iris left out) that are pure sclera, 0..1. */
  purity: number;
  /** Median colour of the skin under the lower lids the pixels were tested against, linear RGB (null when none). */
  skinRgb: [number, number, number] | null;
  /** Mean opening height / width of the two eyes. */
  openness: number;
  /** Share of clipped pixels among those lighter than the skin. */
  clipped: number;
  /** Robust spread of the kept pixels: 1.4826 × MAD of ln luminance. */
  spread: number;
  /**
   * σ of ln Y of the reading itself: the doubt of the pixels' mean (`readingSigma`), and the two eyes
   * as two replicate readings (σ of their mean |Δ ln Y| / 2); with one eye only, the spread
   * unaveraged (nothing says how well one eye stands for the face's light). Infinite when the pixels
   * are too few for their mean to have a finite doubt.
   */
  sigmaLnY: number;
  /** Each eye's share of the pure pixels, where it holds a quarter of what a reading needs (none, one or two). */
  eyes: ScleraEyeReading[];
  /** Whether delight may use it, and if not, why. */
  reliable: boolean;
  reason: string;
}

/** One eye's share of the pure sclera pixels. */
export interface ScleraEyeReading {
  /** The subject's eye: "right" (image left on a frontal photo; u < 0.5 in the UV atlas) or "left". */
  side: "right" | "left";
  /** Median colour of this eye's pure sclera pixels, linear RGB of the photo. */
  rgb: [number, number, number];
  /** This eye's pure sclera pixels. */
  pixels: number;
}

/** One eye's opening pixels and the skin under it. */
interface EyeSample {
  opening: ReferencePixel[];
  skin: ReferencePixel[];
  openness: number;
  /** The iris landmarks' radius, pixels (0 when they are degenerate). */
  irisRadius: number;
}

/** One eye's landmarks: its lid contour, the first of its five iris points, its canthi. */
interface EyeLandmarks {
  contour: readonly number[];
  iris: number;
  medial: number;
  lateral: number;
}

const RIGHT_EYE: EyeLandmarks = { contour: RIGHT_EYE_CONTOUR, iris: RIGHT_IRIS_START, medial: RIGHT_EYE_INNER, lateral: RIGHT_EYE_OUTER };
const LEFT_EYE: EyeLandmarks = { contour: LEFT_EYE_CONTOUR, iris: LEFT_IRIS_START, medial: LEFT_EYE_INNER, lateral: LEFT_EYE_OUTER };

/**
 * The pixels of one eye's opening (iris disc and the caruncle's share of the fissure out) and of
 * the skin band under it; null when the contour is degenerate.
 */
function sampleEye(image: ImageF32, lm: ArrayLike<number>, { contour, iris, medial, lateral }: EyeLandmarks, o: Required<ScleraOptions>): EyeSample | null {
  const pts = contour.map((i) => [lm[i * 3], lm[i * 3 + 1]]);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const eyeW = Math.max(...xs) - Math.min(...xs);
  const eyeH = Math.max(...ys) - Math.min(...ys);
  if (!(eyeW > 1)) return null;
  const cx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const cy = ys.reduce((s, v) => s + v, 0) / ys.length;
  const scaled = (f: number) => pts.flatMap(([x, y]) => [cx + f * (x - cx), cy + f * (y - cy)]);
  const ix = lm[iris * 3];
  const iy = lm[iris * 3 + 1];
  let ir = 0;
  for (let k = 1; k <= 4; k++) ir += Math.hypot(lm[(iris + k) * 3] - ix, lm[(iris + k) * 3 + 1] - iy) / 4;
  const irisDisc = ir > 0 ? { x: ix, y: iy, r: o.irisMargin * ir } : null;
  // Along the medial → lateral canthus axis, the first `caruncleShare` of the fissure is not the globe.
  const [mx, my] = [lm[medial * 3], lm[medial * 3 + 1]];
  const [ax, ay] = [lm[lateral * 3] - mx, lm[lateral * 3 + 1] - my];
  const axis2 = ax * ax + ay * ay;
  const onGlobe = (e: ReferencePixel) => {
    const [x, y] = [(e.index % image.width) + 0.5, Math.floor(e.index / image.width) + 0.5];
    return !(axis2 > 0) || ((x - mx) * ax + (y - my) * ay) / axis2 >= o.caruncleShare;
  };
  const opening = polygonPixels(image, scaled(o.contourShrink), o.clipLevel, irisDisc).filter(onGlobe);
  const band = polygonPixels(image, scaled(o.skinBand[1]), o.clipLevel, null, scaled(o.skinBand[0]));
  const skin = band.filter((e) => Math.floor(e.index / image.width) + 0.5 > cy && !e.clipped);
  return { opening, skin, openness: eyeH / eyeW, irisRadius: ir };
}

/** A lightness cluster: a mode of the kernel density and its half-maximum interval. */
export interface DensityCluster {
  mode: number;
  lo: number;
  hi: number;
  /** Samples inside [lo, hi]. */
  count: number;
}

/**
 * The lightness clusters of a sample (Gaussian kernel density, Silverman's rule-of-thumb
 * bandwidth): the density's local modes, each with the interval around it where the density stays
 * above half that mode's peak, darkest first.
 */
export function densityClusters(values: number[]): DensityCluster[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const iqr = sorted[Math.floor(0.75 * (n - 1))] - sorted[Math.floor(0.25 * (n - 1))];
  const h = Math.max(0.9 * Math.min(sd, iqr / 1.34 || sd) * n ** -0.2, 1e-3);
  const step = h / 8;
  const x0 = sorted[0] - 2 * h;
  const steps = Math.ceil((sorted[n - 1] + 2 * h - x0) / step) + 1;
  const density = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const x = x0 + i * step;
    for (const v of sorted) density[i] += Math.exp(-0.5 * ((x - v) / h) ** 2);
  }
  const clusters: DensityCluster[] = [];
  for (let i = 0; i < steps; i++) {
    if ((i > 0 && density[i - 1] >= density[i]) || (i < steps - 1 && density[i + 1] > density[i])) continue;
    let lo = i;
    let hi = i;
    while (lo > 0 && density[lo - 1] >= density[i] / 2 && density[lo - 1] <= density[lo]) lo--;
    while (hi < steps - 1 && density[hi + 1] >= density[i] / 2 && density[hi + 1] <= density[hi]) hi++;
    const [a, b] = [x0 + lo * step, x0 + hi * step];
    clusters.push({ mode: x0 + i * step, lo: a, hi: b, count: sorted.filter((v) => v >= a && v <= b).length });
  }
  return clusters;
}

/**
 * The sclera's cluster among the candidates' lightness clusters (`densityClusters` of their ln Y):
 * the lightest of those holding at least `minCount` pixels (else the fullest), since mixing only
 * darkens the sclera (lid skin, lashes, iris are all darker) — but not a glint. A cluster lighter
 * than the next darker one by an excess e is a glint when in every eye its largest connected
 * group of pixels is no larger than the light source mirrored in the tear film can be at that
 * excess (`maxGlintDiameter`, a disc; at least one sample's footprint, the blur spreading any
 * smaller glint over it), its excess more than the diffuse sclera's shading can change across it
 * (`diffuseTurn`), and the eye shows more of the darker cluster than of it (a glint lies on the
 * sclera): then the next darker cluster is tested in its place.
 */
export function scleraCluster(
  candidates: ReferencePixel[],
  eyes: { opening: ReferencePixel[]; irisRadius: number }[],
  width: number,
  minCount: number,
  pixelsPerSample: number,
): DensityCluster {
  const lnY = candidates.map((e) => lnLuminance(e.rgb));
  const clusters = densityClusters(lnY);
  const real = clusters.filter((c) => c.count >= minCount);
  if (!real.length) return clusters.reduce((best, c) => (c.count > best.count ? c : best));
  const albedo = luminance(...SCLERA_REFLECTANCE.rgb);
  const eyeSets = eyes.map((e) => new Set(e.opening.map((q) => q.index)));
  let k = real.length - 1;
  for (; k > 0; k--) {
    const c = real[k];
    const inCluster = (d: DensityCluster) => candidates.filter((_, i) => lnY[i] >= d.lo && lnY[i] <= d.hi).map((e) => e.index);
    const [members, under] = [inCluster(c), inCluster(real[k - 1])];
    const excess = Math.exp(c.mode - real[k - 1].mode) - 1;
    const glint = eyes.every((eye, j) => {
      const mine = members.filter((i) => eyeSets[j].has(i));
      if (!mine.length) return true;
      const d = maxGlintDiameter(excess, eye.irisRadius, albedo);
      // A glint lies on the diffuse sclera: the eye shows more of that than of the glint.
      const onSclera = under.filter((i) => eyeSets[j].has(i)).length > mine.length;
      const blob = largestBlob(mine, width);
      return onSclera && blob <= Math.max((Math.PI / 4) * d * d, pixelsPerSample) && excess > diffuseTurn(blob, eye.irisRadius);
    });
    if (!glint) break;
  }
  return real[k];
}

/**
 * The reading's own σ of ln Y (see ScleraMeasurement.sigmaLnY): the doubt of the pixels' mean
 * (`meanDoubt`: their spread over the effective samples, widened as they get fewer; infinite at
 * MIN_EFFECTIVE_SAMPLES or fewer), and the two eyes' readings as replicates (half their ln Y
 * difference; with one eye, the spread unaveraged).
 */
export function readingSigma(eyeLnY: number[], spread: number, pixels: number, pixelsPerSample = PIXELS_PER_SAMPLE): number {
  const sampling = meanDoubt(spread, pixels, pixelsPerSample);
  const between = eyeLnY.length === 2 ? Math.abs(eyeLnY[0] - eyeLnY[1]) / 2 : spread;
  return Math.hypot(sampling, between);
}

/**
 * Measures the sclera of both eyes in the photo (`image` sRGB, `landmarks` the 478 face-mesh
 * points x, y, z in pixels). Deterministic. `kept` are the pure sclera pixels (for overlays).
 *
 * @example
 *   const s = measureSclera(capture.image, capture.landmarks);
 *   if (s.reliable) console.log(s.rgb, s.purity);
 */
export function measureSclera(image: ImageF32, landmarks: ArrayLike<number>, options: ScleraOptions = {}): ScleraMeasurement & { kept: number[] } {
  const o = withDefaults(SCLERA_DEFAULTS, options);
  // The pixels a reading with a finite doubt needs: the cluster and each eye's share are counted against it.
  const needed = MIN_EFFECTIVE_SAMPLES * o.pixelsPerSample;
  const eyes: (EyeSample & { side: ScleraEyeReading["side"] })[] = [];
  for (const [marks, side] of [[RIGHT_EYE, "right"], [LEFT_EYE, "left"]] as const) {
    if (landmarks.length < (marks.iris + 5) * 3) continue;
    const eye = sampleEye(image, landmarks, marks, o);
    if (eye) eyes.push({ ...eye, side });
  }
  const openness = eyes.length ? eyes.reduce((s, e) => s + e.openness, 0) / eyes.length : 0;
  const opening = eyes.flatMap((e) => e.opening);
  const eyeOf = new Map<number, number>();
  eyes.forEach((e, k) => e.opening.forEach((q) => eyeOf.set(q.index, k)));
  const skinPixels = eyes.flatMap((e) => e.skin);
  const none = { rgb: null, pixels: 0, purity: 0, openness, clipped: 0, spread: 0, sigmaLnY: 0, reliable: false, kept: [], eyes: [] };
  if (opening.length === 0) return { ...none, skinRgb: null, reason: "no sclera pixels between the lids" };
  if (skinPixels.length === 0) return { ...none, skinRgb: null, reason: "no skin under the lids to test the sclera against" };
  const skinRgb = robustColour(skinPixels.map((e) => e.rgb)).rgb;
  const lnGR = (k: ArrayLike<number>) => Math.log(Math.max(k[1], 1e-6) / Math.max(k[0], 1e-6));
  const skinGR = lnGR(skinRgb);
  const skinLnY = lnLuminance(skinRgb);
  // Lighter than the skin beside it: a clipped pixel is counted (its colour is lost), the rest tested for whiteness.
  const lighter = opening.filter((e) => lnLuminance(e.rgb) > skinLnY);
  const clippedCount = lighter.filter((e) => e.clipped).length;
  const clipped = lighter.length ? clippedCount / lighter.length : 0;
  const candidates = lighter.filter((e) => !e.clipped && lnGR(e.rgb) - skinGR >= o.minWhitening);
  // The lightest cluster holding at least a tenth of the candidates and half the pixels a reading needs, and not glints.
  const cluster = candidates.length ? scleraCluster(candidates, eyes, image.width, Math.max(needed / 2, 0.1 * candidates.length), o.pixelsPerSample) : null;
  const kept = cluster ? candidates.filter((e) => lnLuminance(e.rgb) >= cluster.lo && lnLuminance(e.rgb) <= cluster.hi) : [];
  // Each eye's share, where it holds a quarter of what a reading needs (under a side light the
  // lightest cluster can be the lit eye's sclera alone).
  const keptByEye = eyes.map((_, k) => kept.filter((e) => eyeOf.get(e.index) === k)).map((mine, k) => ({ side: eyes[k].side, mine })).filter((e) => e.mine.length >= needed / 4);
  const eyeReadings: ScleraEyeReading[] = keptByEye.map(({ side, mine }) => ({ side, pixels: mine.length, rgb: robustColour(mine.map((e) => e.rgb)).rgb }));
  const pixels = kept.length;
  const purity = pixels / opening.length;
  const base = { pixels, purity, skinRgb, openness, clipped, kept: kept.map((e) => e.index), eyes: eyeReadings };
  if (clipped > o.maxClipped) return { ...base, rgb: pixels ? robustColour(kept.map((e) => e.rgb)).rgb : null, spread: 0, sigmaLnY: 0, reliable: false, reason: `${(100 * clipped).toFixed(0)} % of the sclera pixels clipped` };
  if (pixels === 0) return { ...base, rgb: null, spread: 0, sigmaLnY: 0, reliable: false, reason: "no pixel between the lids is whiter and lighter than the skin beside it" };
  const { rgb, spread } = robustColour(kept.map((e) => e.rgb));
  const eyeLnY = keptByEye.map(({ mine }) => median(mine.map((e) => lnLuminance(e.rgb))));
  const sigmaLnY = readingSigma(eyeLnY, spread, pixels, o.pixelsPerSample);
  let reason = "";
  if (!Number.isFinite(sigmaLnY)) reason = `weight 0: ${pixels} pure sclera pixels, ${(pixels / o.pixelsPerSample).toFixed(1)} samples (their mean's t variance is infinite at ${MIN_EFFECTIVE_SAMPLES} or fewer; ${(100 * purity).toFixed(0)} % of the opening)`;
  else if (openness < o.minOpenness) reason = `eyes nearly closed (opening ${openness.toFixed(2)} of the eye's width)`;
  else if (!rgb.every((v) => v > 1e-4)) reason = "sclera black in a channel";
  return { ...base, rgb, spread, sigmaLnY, reliable: reason === "", reason: reason || "ok" };
}
