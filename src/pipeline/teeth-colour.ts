/**
 * The teeth's albedo (issues 16, 12): the photo's enamel colour, de-lit by the light the skin and
 * the references decided (the same photo → albedo factor the iris takes, eyes.ts lightDelightGain),
 * over the teeth's recess in the mouth (TOOTH_RECESS: the lips shade them and hide part of the
 * sky), and kept inside the reflectance natural enamel has; where the photo shows no enamel, the
 * mouth material's default. One colour for the teeth part of every output (GLB, .babylon,
 * material.json, report.json, the eval's re-render, the preview).
 *
 * The band: TOOTH_REFLECTANCE (adults' front teeth in vivo, Pustina-Krasniqi et al. 2017; delight/references.ts) ± 2σ of its
 * ln Y and of its ln chromaticity (σ 0.3 and 0.2 there): luminance Y 0.32…1 (L* ≈ 63…100), chroma
 * from about half to twice the reference's yellow. Outside it the reading is the de-lighting's error
 * (a mouth in the lips' shadow, a wrong light colour), not the person's teeth.
 */
import { GLTF_MOUTH_MATERIALS } from "../../materials/gltf-mapping.ts";
import { luminance } from "../primitives/color.ts";
import { TEETH_DEFAULTS, type TeethMeasurement } from "./capture/teeth.ts";
import { TOOTH_RECESS, TOOTH_REFLECTANCE } from "./delight/references.ts";

type Rgb = [number, number, number];

/** The teeth's colour for every output: linear RGB albedo, and where it came from. */
export interface TeethColour {
  /** Linear RGB albedo of the teeth part (a glTF baseColorFactor's first three). */
  albedo: Rgb;
  /** "photo": the photo's enamel de-lit and bounded; "default": the mouth material's (GLTF_MOUTH_MATERIALS.teeth). */
  source: "photo" | "default";
  /** The enamel colour the photo shows, linear RGB (null when it shows none). */
  photo: Rgb | null;
  /** Why the default was kept, or "ok". */
  reason: string;
}

/** The teeth's albedo where the photo shows no enamel: the mouth material's display colour. */
export const DEFAULT_TEETH_ALBEDO: Rgb = GLTF_MOUTH_MATERIALS.teeth.baseColorFactor.slice(0, 3) as Rgb;

/** How many σ of TOOTH_REFLECTANCE's spread the albedo may lie from it (≈ 95 % of a normal spread). */
const BAND_SIGMAS = 2;

/**
 * The teeth's colour when what measureTeeth found between the lips is enamel (its own green/red and
 * pixel-count tests), else null. Clipped teeth are still teeth: their level is bounded afterwards.
 */
export function enamelColour(teeth: TeethMeasurement): Rgb | null {
  const rgb = teeth.rgb;
  if (!rgb || teeth.pixels < TEETH_DEFAULTS.minPixels || !(rgb[0] > 0)) return null;
  return rgb[1] / rgb[0] >= TEETH_DEFAULTS.minGreenRed ? rgb : null;
}

/**
 * The teeth's albedo from the photo's measurement and the light's photo → albedo factor per channel
 * (`lightGain`, eyes.ts lightDelightGain). Pure.
 *
 *   const teeth = teethColour(measureTeeth(capture.image, capture.landmarks), eyesResult.lightGain);
 */
export function teethColour(teeth: TeethMeasurement, lightGain: readonly number[]): TeethColour {
  if (lightGain.length !== 3 || !lightGain.every((g) => Number.isFinite(g) && g > 0)) throw new Error(`teethColour: lightGain must be three positive numbers, got ${JSON.stringify(lightGain)}`);
  const photo = enamelColour(teeth);
  if (!photo) return { albedo: [...DEFAULT_TEETH_ALBEDO], source: "default", photo: null, reason: teeth.rgb ? `no enamel (${teeth.reason})` : teeth.reason };
  const delit = photo.map((v, c) => (v * lightGain[c]) / TOOTH_RECESS.factor) as Rgb;
  return { albedo: withinEnamelBand(delit), source: "photo", photo, reason: "ok" };
}

/** `rgb` (linear) moved into the band of natural enamel (module comment): ln Y and each channel's ln chromaticity clamped. */
export function withinEnamelBand(rgb: Rgb): Rgb {
  const ref = TOOTH_REFLECTANCE, refY = luminance(...ref.rgb);
  const clamp = (v: number, mid: number, half: number) => Math.min(mid + half, Math.max(mid - half, v));
  const y = Math.max(1e-6, luminance(...rgb));
  const lnY = Math.min(0, clamp(Math.log(y), Math.log(refY), BAND_SIGMAS * ref.sigmaLnY));
  const chroma = rgb.map((v, c) => Math.exp(clamp(Math.log(Math.max(1e-6, v) / y), Math.log(ref.rgb[c] / refY), BAND_SIGMAS * ref.sigmaChroma)));
  // Keep the clamped luminance: the chromaticities re-normalised to unit luminance, then scaled.
  const unit = luminance(chroma[0], chroma[1], chroma[2]);
  return chroma.map((k) => Math.min(1, (k / unit) * Math.exp(lnY))) as Rgb;
}
