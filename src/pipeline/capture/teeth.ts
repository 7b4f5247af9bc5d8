/**
 * The teeth as a second reference of known reflectance inside the photo (issue 14, skin-reflectance
 * reference §5), where the mouth is open: enamel is light and only slightly yellow, so the colour
 * the photo gives it is the light's colour and brightness at the mouth. Delight weighs it with the
 * sclera and the skin-locus prior (delight/references.ts).
 *
 * Measured inside the inner lip contour (the face mesh's MOUTH_INNER, shrunk toward its centre so
 * the lip margins are left out), in the whitest part of what is there short of the wet enamel's
 * highlights: ranked by the smallest channel, like the sclera (capture/sclera.ts), teeth come first
 * while the dark mouth interior, tongue, gums and lips (whose green and blue are low) come last.
 *
 * Reliability: a mouth opening too small to show teeth, too few pixels, a median whose green/red is
 * that of the mouth's soft tissue rather than of enamel, or clipped pixels.
 */
import { MOUTH_INNER, MOUTH_LEFT, MOUTH_RIGHT } from "../../primitives/face-topology.ts";
import { withDefaults } from "../../options.ts";
import type { ImageF32 } from "../../types.ts";
import { keepQuantiles, polygonPixels, robustColour } from "./reference-pixels.ts";

export interface TeethOptions {
  /** The inner lip contour is shrunk toward its centroid by this factor (lip margins). */
  contourShrink?: number;
  /** Quantiles of the opening's pixels ranked by their smallest channel kept, 0..1: below, mouth interior, tongue and lips; above, highlights on the enamel. */
  quantiles?: [number, number];
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
  contourShrink: 0.85,
  quantiles: [0.6, 0.92],
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
  const lm = landmarks;
  const none = (reason: string, opening = 0): TeethMeasurement => ({ rgb: null, pixels: 0, opening, clipped: 0, spread: 0, reliable: false, reason });
  if (lm.length < 478 * 3) return none("no face-mesh landmarks");
  const at = (i: number) => [lm[i * 3], lm[i * 3 + 1]];
  const width = Math.hypot(at(MOUTH_LEFT)[0] - at(MOUTH_RIGHT)[0], at(MOUTH_LEFT)[1] - at(MOUTH_RIGHT)[1]);
  if (!(width > 1)) return none("mouth not found");
  const gap = at(LOWER_LIP_INNER_MID);
  const opening = Math.hypot(gap[0] - at(UPPER_LIP_INNER_MID)[0], gap[1] - at(UPPER_LIP_INNER_MID)[1]) / width;
  if (opening < o.minOpening) return none(`mouth closed (opening ${opening.toFixed(2)} of its width)`, opening);
  const pts = MOUTH_INNER.map(at);
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const shrunk = pts.flatMap(([x, y]) => [cx + o.contourShrink * (x - cx), cy + o.contourShrink * (y - cy)]);
  const kept = keepQuantiles(polygonPixels(image, shrunk, o.clipLevel), o.quantiles);
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
