/**
 * The teeth as a second reference of known reflectance inside the photo (issue 14, skin-reflectance
 * reference §5), where the mouth is open: enamel is light and only slightly yellow, so the colour
 * the photo gives it is the light's colour and brightness at the mouth. Delight weighs it with the
 * sclera and the skin-locus prior (delight/references.ts).
 *
 * Measured where enamel can be: between the lips, from the inner lip contour halfway to the outer
 * one (the face mesh puts a smile's inner contour on the teeth's edge, so the teeth show outside
 * it), across the front teeth only (canine to canine). There the dark oral cavity is left out by the opening's own lightness (two classes of ln
 * luminance), and of what is light the teeth are the more neutral class (green/red), lips, gums
 * and tongue the redder; of the teeth, the lit half short of the wet enamel's highlights.
 *
 * Reliability: a mouth opening too small to show teeth, too few pixels, a median whose green/red is
 * that of the mouth's soft tissue rather than of enamel, or clipped pixels.
 */
import { LIPS_OUTER, MOUTH_INNER, MOUTH_LEFT, MOUTH_RIGHT } from "../../primitives/face-topology.ts";
import { withDefaults } from "../../options.ts";
import type { ImageF32 } from "../../types.ts";
import { keepQuantiles, lnLuminance, polygonPixels, robustColour, type ReferencePixel } from "./reference-pixels.ts";

export interface TeethOptions {
  /** The window reaches from the inner lip contour this share of the way to the outer one (teeth show under the lips' edge). */
  lipReach?: number;
  /**
   * Width the front teeth (canine to canine) span across the mouth, corner to corner, as a share of
   * it: 0.758 at rest (Stephan & Henneberg 2003, J Forensic Sci 48(4):725–727: outer canine width over
   * cheilion–cheilion, 93 adults); a smile widens the mouth, not the arch, so this bounds them.
   */
  frontTeethWidth?: number;
  /**
   * Quantiles of the teeth's pixels ranked by their smallest channel kept, 0..1: below the median,
   * enamel in the lips' and the mouth's shade (the upper lip's shadow on the gum side, the gaps
   * between teeth), which neither TOOTH_REFLECTANCE (a probe on the lit middle third) nor the ruler
   * of teeth on the lips means; above the upper one, the wet enamel's highlights.
   */
  litQuantiles?: [number, number];
  /** Pixels needed to trust the measurement. */
  minPixels?: number;
  /** Inner-lip opening (upper to lower lip, mid-line) / mouth width below which no teeth can show. */
  minOpening?: number;
  /**
   * Lowest green/red of the kept median that is still enamel: measured incisors give 0.81 in linear
   * sRGB (see TOOTH_REFLECTANCE, delight/references.ts), lips, gums and tongue about 0.3–0.45; halfway,
   * so that a warm light does not reject real teeth.
   */
  minGreenRed?: number;
  /** sRGB level at or above which a channel counts as clipped. */
  clipLevel?: number;
  /** Share of clipped pixels among those kept above which the measurement is not used. */
  maxClipped?: number;
}

export const TEETH_DEFAULTS: Required<TeethOptions> = {
  lipReach: 0.5,
  frontTeethWidth: 0.758,
  litQuantiles: [0.5, 0.92],
  minPixels: 30,
  minOpening: 0.08,
  minGreenRed: 0.6,
  clipLevel: 0.98,
  maxClipped: 0.2,
};

/** The teeth as the photo shows them. */
export interface TeethMeasurement {
  /** Median colour, linear RGB of the photo (null when nothing was measured). */
  rgb: [number, number, number] | null;
  /** Pixels the median was taken over. */
  pixels: number;
  /** Inner-lip opening / mouth width. */
  opening: number;
  /** Share of the kept pixels with a clipped channel. */
  clipped: number;
  /** Robust spread of the kept pixels: 1.4826 × MAD of ln luminance. */
  spread: number;
  /** Whether delight may use it, and if not, why. */
  reliable: boolean;
  reason: string;
}

/** Upper and lower inner-lip mid-points of the face mesh (MOUTH_INNER's 13 and 14). */
const UPPER_LIP_INNER_MID = 13;
const LOWER_LIP_INNER_MID = 14;

/**
 * Measures the visible teeth in the photo (`image` sRGB, `landmarks` the 478 face-mesh points x, y,
 * z in pixels). Deterministic.
 *
 * @example
 *   const t = measureTeeth(capture.image, capture.landmarks);
 *   if (t.reliable) console.log(t.rgb);
 */
export function measureTeeth(image: ImageF32, landmarks: ArrayLike<number>, options: TeethOptions = {}): TeethMeasurement {
  const o = withDefaults(TEETH_DEFAULTS, options);
  const none = (reason: string, opening = 0): TeethMeasurement => ({ rgb: null, pixels: 0, opening, clipped: 0, spread: 0, reliable: false, reason });
  const found = teethPixelsWithOpening(image, landmarks, o);
  if (typeof found === "string") return none(found);
  const { opening, kept } = found;
  if (opening < o.minOpening) return none(`mouth closed (opening ${opening.toFixed(2)} of its width)`, opening);
  const pixels = kept.length;
  if (pixels === 0) return none("no pixels between the lips", opening);
  const clipped = kept.filter((e) => e.clipped).length / pixels;
  const { rgb, spread } = robustColour(kept.map((e) => e.rgb));
  let reason = "";
  if (pixels < o.minPixels) reason = `only ${pixels} teeth pixels (need ${o.minPixels})`;
  else if (!rgb.every((v) => v > 1e-4)) reason = "teeth black in a channel";
  else if (rgb[1] / rgb[0] < o.minGreenRed) reason = `the mouth shows no enamel (green/red ${(rgb[1] / rgb[0]).toFixed(2)})`;
  else if (clipped > o.maxClipped) reason = `${(100 * clipped).toFixed(0)} % of the teeth pixels clipped`;
  return { rgb, pixels, opening, clipped, spread, reliable: reason === "", reason: reason || "ok" };
}

/**
 * The window between the lips, widened from the inner lip contour toward the outer one by
 * `lipReach` of the lip's width (the mesh's inner contour of a smile lies on the teeth's edge, not
 * the lip's), and in it, the teeth: the light class of a two-class split of ln luminance (the oral
 * cavity is dark whatever the exposure, so its own distribution sets the cut), then of those the
 * class with the higher green/red (enamel is near neutral, lips, gums and tongue red), and of
 * those the lit half short of the highlights (`litQuantiles`).
 */
function teethPixelsWithOpening(image: ImageF32, lm: ArrayLike<number>, o: Required<TeethOptions>): string | { opening: number; kept: ReferencePixel[] } {
  if (lm.length < 478 * 3) return "no face-mesh landmarks";
  const at = (i: number) => [lm[i * 3], lm[i * 3 + 1]];
  const width = Math.hypot(at(MOUTH_LEFT)[0] - at(MOUTH_RIGHT)[0], at(MOUTH_LEFT)[1] - at(MOUTH_RIGHT)[1]);
  if (!(width > 1)) return "mouth not found";
  const gap = at(LOWER_LIP_INNER_MID);
  const opening = Math.hypot(gap[0] - at(UPPER_LIP_INNER_MID)[0], gap[1] - at(UPPER_LIP_INNER_MID)[1]) / width;
  if (opening < o.minOpening) return { opening, kept: [] };
  // MOUTH_INNER and LIPS_OUTER run round the mouth in the same order, point for point.
  const polygon = MOUTH_INNER.flatMap((i, k) => {
    const [x, y] = at(i);
    const [ox, oy] = at(LIPS_OUTER[k]);
    return [x + o.lipReach * (ox - x), y + o.lipReach * (oy - y)];
  });
  // The front teeth only: past the canines the premolars lie in the cheeks' shade (the buccal corridor).
  const [rx, ry] = at(MOUTH_RIGHT);
  const [ax, ay] = [at(MOUTH_LEFT)[0] - rx, at(MOUTH_LEFT)[1] - ry];
  const alongMouth = (e: ReferencePixel) => (((e.index % image.width) + 0.5 - rx) * ax + (Math.floor(e.index / image.width) + 0.5 - ry) * ay) / (width * width);
  const window = polygonPixels(image, polygon, o.clipLevel).filter((e) => Math.abs(alongMouth(e) - 0.5) <= o.frontTeethWidth / 2);
  const light = upperClass(window, (e) => lnLuminance(e.rgb));
  const neutral = upperClass(light, (e) => (e.rgb[0] > 0 ? e.rgb[1] / e.rgb[0] : 0));
  const kept = keepQuantiles(neutral, o.litQuantiles);
  return { opening, kept };
}

/**
 * The members of the upper of two classes of `value` (Otsu's split: the cut that maximises the
 * between-class variance of a 64-bin histogram). All of them when they are too few to split or
 * all alike.
 */
export function upperClass<T>(items: T[], value: (item: T) => number): T[] {
  if (items.length < 4) return items;
  const v = items.map(value);
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!(hi > lo)) return items;
  const bins = 64;
  const hist = new Float64Array(bins);
  const bin = (x: number) => Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins));
  for (const x of v) hist[bin(x)]++;
  const n = v.length;
  let total = 0;
  for (let b = 0; b < bins; b++) total += b * hist[b];
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let cut = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b];
    sum0 += b * hist[b];
    if (w0 === 0 || w0 === n) continue;
    const m0 = sum0 / w0;
    const m1 = (total - sum0) / (n - w0);
    const between = w0 * (n - w0) * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      cut = b;
    }
  }
  return items.filter((_, i) => bin(v[i]) > cut);
}
