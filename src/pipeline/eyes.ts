/**
 * eyes: the eyeballs' albedo map (maps/eyes.png). The eyeballs are separate meshes whose UVs are
 * two discs in the atlas' bottom row (geometry/uv-atlas.ts, an azimuthal-equidistant projection
 * from the corneal apex), so the map is an atlas-sized image in which only those discs matter:
 * sclera, an iris of the person's colour, a pupil.
 *
 * The iris colour is measured in the photo inside the iris landmarks' circle and the eye opening
 * (pupil, eyelid shadow, lashes and catch-lights left out), then de-lit with the light's per-channel
 * factor: the one de-lighting found for the skin (A_D ÷ photo texture over seen skin), less skin's own
 * correction beyond the light (delight's `referenceLight.skinCorrection`). The iris is lit by the
 * same light as the sclera beside it and the cheeks around it, but the skin-locus prior's pull toward
 * skin colours is a statement about skin only: a blue-grey iris under a neutral light whose skin the
 * locus match made less blue keeps its blue.
 *
 * The stage, `eyes(input, options, context)`, runs after normals: measureIris, then eyeTexture.
 */
import { rowSlot } from "../geometry/uv-atlas.ts";
import { LIMBUS_ANGLE } from "../geometry/eyes.ts";
import type { CaptureResult, ImageF32, ReferenceLight, RegionMaps } from "../types.ts";
import { fillPolygon } from "../raster/polygon.ts";
import { LEFT_EYE_CONTOUR as EYE_CONTOUR_LEFT, LEFT_IRIS_START, RIGHT_EYE_CONTOUR as EYE_CONTOUR_RIGHT, RIGHT_IRIS_START } from "../primitives/face-topology.ts";
import { luminance, srgbToLinear } from "../primitives/color.ts";
import { upperMedian } from "../primitives/statistics.ts";
import { GLTF_EYE_MATERIAL, linearToSrgb } from "../../materials/gltf-mapping.ts";
import { skinPriorMask } from "./complete/seen.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";
import { mapF32 } from "../primitives/typed-array.ts";

export interface EyeTextureOptions {
  /** Width of the map (height = 1.5 × width, the atlas' 2:3). */
  width?: number;
  /** Pupil radius as a fraction of the iris radius (a photo's pupil in ordinary light). */
  pupilFraction?: number;
  /** Iris pixels needed to trust the measurement; fewer (eyes closed, tiny face) ⇒ `fallbackIris`. */
  minIrisPixels?: number;
  /** Linear iris albedo used when the photo shows too little iris: a dark brown, the commonest iris colour. */
  fallbackIris?: [number, number, number];
  /** Ring of the iris disc sampled, as fractions of the iris radius: [pupil rim margin added to pupilFraction, outer edge short of the limbus]. */
  irisRing?: [number, number];
  /** Luminance quantiles of the ring kept, 0..1: below the first are lashes and lid shadow, above the second catch-lights. */
  irisQuantiles?: [number, number];
  /** Range the iris albedo is clamped to, linear (a de-lit iris is neither black nor white). */
  irisAlbedoRange?: [number, number];
  /** How much darker the limbal ring is at the limbus than the iris, 0..1 (it ramps in from 0.75 × the iris radius). */
  limbalDarkening?: number;
  /** Linear albedo of the pupil. */
  pupilAlbedo?: number;
}

export const EYE_TEXTURE_DEFAULTS: Required<EyeTextureOptions> = {
  width: 2048,
  pupilFraction: 0.4,
  minIrisPixels: 12,
  fallbackIris: [0.09, 0.05, 0.03],
  irisRing: [0.1, 0.9],
  irisQuantiles: [0.25, 0.9],
  irisAlbedoRange: [0.005, 0.8],
  limbalDarkening: 0.55,
  pupilAlbedo: 0.01,
};

/** The eyes stage's options: the map's and the iris measurement's, and which skin texels give the de-lighting factor. */
export interface EyesOptions extends EyeTextureOptions {
  /** Skin weight (skin-prior mask × complete's source confidence, 0..1) a texel needs to enter the de-lighting factor. */
  minSkinWeight?: number;
}

export const EYES_DEFAULTS: Required<EyesOptions> = {
  ...EYE_TEXTURE_DEFAULTS,
  minSkinWeight: 0.5,
};

/** What the eyes stage reads: the photo and its landmarks, and how de-lighting changed the skin. */
export interface EyesInput {
  capture: Pick<CaptureResult, "image" | "landmarks">;
  /** The completed base-size photo texture T, linear RGB (complete's texture). */
  textureBase: ImageF32;
  /** What the photo really saw per base texel, 0..1 (complete's sourceConfidence). */
  sourceConfidence: ImageF32;
  /** Region maps, base size (lips, brows, eyelids and scalp are not skin for the factor). */
  regions?: RegionMaps;
  /** Median skin albedo de-lighting found, linear RGB (delight's lighting.skinAlbedo). */
  skinAlbedo: [number, number, number];
  /** The light de-lighting's references decided (delight's lighting.referenceLight): skin's correction beyond it is taken back out of the iris. */
  referenceLight: Pick<ReferenceLight, "skinCorrection">;
  /** Width of the other maps, texels: the eye map is never wider. */
  mapWidth: number;
}

export interface EyesResult {
  /** The iris colour measured and the albedo used. */
  iris: EyeColour;
  /** The eyes' albedo map, sRGB 8-bit codes, 3 channels, width × 1.5·width. */
  texture: { width: number; height: number; codes: Uint8Array };
  /** The light's photo → albedo factor per channel the iris was de-lit by (the teeth take it too, teeth-colour.ts). */
  lightGain: [number, number, number];
}

/**
 * The eyeballs' albedo: the photo's iris colour, de-lit like the skin around it, painted into the
 * eye discs of an atlas-sized map. Pure and synchronous.
 *
 *   const { iris, texture } = eyes({ capture, textureBase: completed.texture, sourceConfidence: completed.sourceConfidence,
 *     regions: unwrapped.regions, skinAlbedo: delit.lighting.skinAlbedo, referenceLight: delit.lighting.referenceLight, mapWidth: 1536 });
 */
export function eyes(input: EyesInput, options: EyesOptions = {}, context: StageContext = {}): EyesResult {
  const o = withDefaults(EYES_DEFAULTS, options);
  throwIfAborted(context);
  const conf = input.sourceConfidence.data;
  const skinWeight = mapF32(skinPriorMask(input.regions, conf.length), (m, p) => m * conf[p]);
  const lightGain = lightDelightGain(skinDelightGain(input.textureBase, input.skinAlbedo, skinWeight, o.minSkinWeight), input.referenceLight.skinCorrection);
  const iris = measureIris(input.capture, lightGain, o);
  loggerOf(context).debug(`eyes: iris ${iris.photo ? "measured over " + iris.pixels + " pixels" : "not visible enough (" + iris.pixels + " pixels): fallback colour"}, albedo ${iris.albedo.map((v) => v.toFixed(3)).join(",")}`);
  const texture = eyeTexture(iris.albedo, { ...o, width: Math.min(o.width, input.mapWidth) });
  return { iris, texture, lightGain };
}

export interface EyeColour {
  /** Iris colour in the photo, linear RGB (median), or null when too little iris was visible. */
  photo: [number, number, number] | null;
  /** Iris albedo used, linear RGB. */
  albedo: [number, number, number];
  /** Photo pixels the median was taken over. */
  pixels: number;
}

const median = upperMedian;

/**
 * The iris colour of the photo and its albedo. `skinGain` is de-lighting's per-channel factor from
 * photo texture to albedo on the skin (linear).
 */
export function measureIris(capture: Pick<CaptureResult, "image" | "landmarks">, skinGain: [number, number, number], options: EyeTextureOptions = {}): EyeColour {
  const o = withDefaults(EYE_TEXTURE_DEFAULTS, options);
  const { image, landmarks: lm } = capture;
  const { width: w, height: h } = image;
  const samples: number[][] = [];
  const lowerSamples: number[][] = [];
  // The face's down direction: the right-to-left iris line turned by +90° (image y grows down).
  const [ex, ey] = [lm[LEFT_IRIS_START * 3] - lm[RIGHT_IRIS_START * 3], lm[LEFT_IRIS_START * 3 + 1] - lm[RIGHT_IRIS_START * 3 + 1]];
  const eyeLine = Math.hypot(ex, ey) || 1;
  const [downX, downY] = [-ey / eyeLine, ex / eyeLine];
  // The eye openings are the face mesh's lid margins; the iris points follow the mesh (MediaPipe order).
  for (const [opening, iris] of [[EYE_CONTOUR_RIGHT, RIGHT_IRIS_START], [EYE_CONTOUR_LEFT, LEFT_IRIS_START]] as const) {
    const cx = lm[iris * 3];
    const cy = lm[iris * 3 + 1];
    let radius = 0;
    for (let k = 1; k <= 4; k++) radius += Math.hypot(lm[(iris + k) * 3] - cx, lm[(iris + k) * 3 + 1] - cy) / 4;
    if (!(radius > 0.5)) continue;
    const x0 = Math.max(0, Math.floor(cx - radius - 1));
    const y0 = Math.max(0, Math.floor(cy - radius - 1));
    const x1 = Math.min(w - 1, Math.ceil(cx + radius + 1));
    const y1 = Math.min(h - 1, Math.ceil(cy + radius + 1));
    if (x1 < x0 || y1 < y0) continue;
    const bw = x1 - x0 + 1;
    const inside = new Uint8Array(bw * (y1 - y0 + 1));
    fillPolygon(inside, bw, y1 - y0 + 1, opening.flatMap((i) => [lm[i * 3], lm[i * 3 + 1]]), x0, y0);
    const eye: number[][] = [];
    const lower: boolean[] = [];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const r = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
        // The ring between the pupil and the limbus, where the lids leave it open.
        if (r < o.pupilFraction + o.irisRing[0] || r > o.irisRing[1] || !inside[(y - y0) * bw + (x - x0)]) continue;
        const p = (y * w + x) * image.channels;
        eye.push([srgbToLinear(image.data[p]), srgbToLinear(image.data[p + 1]), srgbToLinear(image.data[p + 2])]);
        lower.push((x + 0.5 - cx) * downX + (y + 0.5 - cy) * downY > 0);
      }
    }
    // Lashes and lid shadow are the darkest quarter, catch-lights the brightest tenth.
    const lum = eye.map((c) => luminance(c[0], c[1], c[2]));
    const sorted = [...lum].sort((a, b) => a - b);
    const lo = sorted[Math.floor(sorted.length * o.irisQuantiles[0])];
    const hi = sorted[Math.floor(sorted.length * o.irisQuantiles[1])];
    eye.forEach((c, i) => {
      if (lum[i] >= lo && lum[i] <= hi) (lower[i] ? lowerSamples : samples).push(c);
    });
  }
  // The iris below its centre: the upper lid's lashes, liner and shadow lie over the upper half (a
  // narrowed or made-up eye darkens it well beyond the darkest quarter), the lower lid's sparse
  // lashes seldom reach the iris. The whole ring where the lower half shows too little.
  if (lowerSamples.length >= o.minIrisPixels) samples.length = 0;
  samples.push(...lowerSamples);
  if (samples.length < o.minIrisPixels) return { photo: null, albedo: [...o.fallbackIris], pixels: samples.length };
  const photo = [0, 1, 2].map((c) => median(samples.map((s) => s[c]))) as [number, number, number];
  const albedo = photo.map((v, c) => Math.min(o.irisAlbedoRange[1], Math.max(o.irisAlbedoRange[0], v * skinGain[c]))) as [number, number, number];
  return { photo, albedo, pixels: samples.length };
}

/**
 * The eyes' albedo map, sRGB 8-bit codes in the atlas layout (3 channels, width × 1.5·width):
 * sclera everywhere, and in each eye disc an iris of `iris` (linear) with a darker limbal ring and
 * a pupil. Deterministic.
 */
export function eyeTexture(iris: [number, number, number], options: EyeTextureOptions = {}): { width: number; height: number; codes: Uint8Array } {
  const o = withDefaults(EYE_TEXTURE_DEFAULTS, options);
  const width = o.width;
  const height = Math.round(width * 1.5);
  // The sclera keeps the untextured eye material's colour (a glTF base colour factor, linear).
  const scleraLinear = GLTF_EYE_MATERIAL.baseColorFactor.slice(0, 3);
  const code = (linear: number) => Math.round(linearToSrgb(linear) * 255);
  const codes = new Uint8Array(width * height * 3);
  const scleraCodes = scleraLinear.map(code);
  for (let p = 0; p < width * height; p++) codes.set(scleraCodes, p * 3);
  const { discU, discV, v0, irisR } = discGeometry();
  const pupilR = irisR * o.pupilFraction;
  const texel = 1 / (discU * width); // one texel in local-disc units
  // The measured colour is the median over the ring between pupil and limbus: the painted pattern
  // (darker limbal ring and pupil rim) is scaled so that its median over the same ring is that colour.
  const gain = 1 / irisPatternRingMedian(o);
  for (const slot of [0, 4] as const) {
    const [su0] = rowSlot(slot, [0, 0]);
    const xa = Math.max(0, Math.floor(su0 * width));
    const xb = Math.min(width - 1, Math.ceil((su0 + discU) * width));
    const ya = Math.max(0, Math.floor(v0 * height));
    const yb = Math.min(height - 1, Math.ceil((v0 + discV) * height));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const lu = ((x + 0.5) / width - su0) / discU - 0.5;
        const lv = ((y + 0.5) / height - v0) / discV - 0.5;
        const r = Math.hypot(lu, lv);
        if (r > irisR + 2 * texel) continue;
        const pattern = gain * irisPattern(r / irisR, o);
        const toSclera = smooth(irisR - texel, irisR + texel, r);
        const toPupil = 1 - smooth(pupilR - texel, pupilR + texel, r);
        const p = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) {
          const irisC = Math.min(1, iris[c] * pattern);
          const withPupil = irisC * (1 - toPupil) + o.pupilAlbedo * toPupil;
          codes[p + c] = code(withPupil * (1 - toSclera) + scleraLinear[c] * toSclera);
        }
      }
    }
  }
  return { width, height, codes };
}

const smooth = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** The eye discs' layout in the atlas: size and top in UV, the limbus' radius in local-disc units (r = θ / 2π). */
function discGeometry(): { discU: number; discV: number; v0: number; irisR: number } {
  const [u0, v0] = rowSlot(0, [0, 0]);
  const [u1, v1] = rowSlot(0, [1, 1]);
  return { discU: u1 - u0, discV: v1 - v0, v0, irisR: LIMBUS_ANGLE / (2 * Math.PI) };
}

/** The iris' brightness pattern at `s` = radius / limbus radius: a little darker toward the pupil's rim, much darker in the limbal ring. */
function irisPattern(s: number, o: Required<EyeTextureOptions>): number {
  const limbal = 1 - o.limbalDarkening * smooth(0.75, 1, s);
  const inner = 0.8 + 0.2 * smooth(o.pupilFraction, 0.6, s);
  return limbal * inner;
}

/** Area-weighted median of irisPattern over the ring measureIris samples (pupilFraction + irisRing[0] … irisRing[1]). */
function irisPatternRingMedian(o: Required<EyeTextureOptions>): number {
  const [a, b] = [o.pupilFraction + o.irisRing[0], o.irisRing[1]];
  const steps = 200;
  const values: [number, number][] = [];
  for (let k = 0; k < steps; k++) {
    const s = a + ((k + 0.5) / steps) * (b - a);
    values.push([irisPattern(s, o), s]);
  }
  values.sort((x, y) => x[0] - y[0]);
  const total = values.reduce((t, v) => t + v[1], 0);
  let acc = 0;
  for (const [v, w] of values) if ((acc += w) >= total / 2) return v;
  return values[values.length - 1][0];
}

/**
 * The iris colour painted into an eye map (eyeTexture's layout), linear RGB: per channel the median
 * over both discs of the texels in the ring measureIris samples. What a reader of maps/eyes.png sees.
 */
export function paintedIris(texture: { width: number; height: number; codes: Uint8Array }, options: EyeTextureOptions = {}): [number, number, number] {
  const o = withDefaults(EYE_TEXTURE_DEFAULTS, options);
  const { width, height, codes } = texture;
  const { discU, discV, v0, irisR } = discGeometry();
  const [a, b] = [o.pupilFraction + o.irisRing[0], o.irisRing[1]];
  const channels: number[][] = [[], [], []];
  for (const slot of [0, 4] as const) {
    const [su0] = rowSlot(slot, [0, 0]);
    for (let y = Math.max(0, Math.floor(v0 * height)); y <= Math.min(height - 1, Math.ceil((v0 + discV) * height)); y++) {
      for (let x = Math.max(0, Math.floor(su0 * width)); x <= Math.min(width - 1, Math.ceil((su0 + discU) * width)); x++) {
        const s = Math.hypot(((x + 0.5) / width - su0) / discU - 0.5, ((y + 0.5) / height - v0) / discV - 0.5) / irisR;
        if (s < a || s > b) continue;
        for (let c = 0; c < 3; c++) channels[c].push(srgbToLinear(codes[(y * width + x) * 3 + c] / 255));
      }
    }
  }
  return channels.map((v) => (v.length ? median(v) : Number.NaN)) as [number, number, number];
}

/** The light's per-channel factor from photo to albedo: skin's (`skinDelightGain`) ÷ skin's own correction beyond the light. */
export function lightDelightGain(skinGain: [number, number, number], skinCorrection: readonly number[]): [number, number, number] {
  if (skinCorrection.length !== 3 || !skinCorrection.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`eyes: referenceLight.skinCorrection must be three positive numbers, got ${JSON.stringify(skinCorrection)}`);
  return skinGain.map((g, c) => g / skinCorrection[c]) as [number, number, number];
}

/** The per-channel factor from photo texture to albedo on seen skin (weight ≥ minWeight): A_D's skin median ÷ the texture's. */
export function skinDelightGain(textureBase: ImageF32, skinAlbedo: [number, number, number], skinWeight: Float32Array, minWeight = EYES_DEFAULTS.minSkinWeight): [number, number, number] {
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    for (let p = 0; p < skinWeight.length; p++) if (skinWeight[p] >= minWeight) vals.push(textureBase.data[p * textureBase.channels + c]);
    const m = vals.length ? median(vals) : 0;
    out.push(m > 1e-4 ? skinAlbedo[c] / m : 1);
  }
  return out as [number, number, number];
}
