/**
 * The scene's illuminant colour, from the photo outside the face skin: the scene-level cue that
 * resolves de-lighting's skin-tone ambiguity (skin-reflectance reference §5, TRUST [S32]).
 *
 * Why it is needed: on the skin locus, darker skin is redder in exactly the direction a warm light
 * (tungsten, sunset) shifts every colour, so a light-skinned face under warm light and a darker face
 * under neutral light have the same chromaticity. Only the rest of the scene can tell them apart.
 *
 * Two classic statistics, each wrong in its own way: grey-world (Buchsbaum 1980: the mean
 * colour is grey) is fooled by large coloured areas (a brown curtain, a red backdrop); grey-edge
 * (van de Weijer, Gevers, Gijsenij 2007, e^{1,p,σ} with p = 6: the Minkowski mean of colour
 * gradients is grey) is fooled by strongly coloured edges (a blue wall against a dark suit). An edge
 * whose gradient reaches the face's skin is left out (the face's outline against a dark wall is
 * skin-coloured). The reading (`sceneLightReading`) keeps, per chromaticity axis, the shift both
 * agree on, in either direction; its doubt comes from their published errors and from how far the
 * person (hair, neck, clothing: a few large surfaces of their own pigment or dye, which pull both
 * statistics the same way) and the background, read apart as two witnesses, disagree. Delight then
 * checks it against the face's skin (delight/scene-light.ts).
 */
import type { FaceMasks, ImageF32, LightStatistics, SceneIlluminant } from "../../types.ts";
import { srgbToLinear } from "../../primitives/color.ts";
import { withDefaults } from "../../options.ts";
import { mapF32, u8Of } from "../../primitives/typed-array.ts";

export interface SceneIlluminantOptions {
  /** Longest side of the working copy, px (the statistics need the scene, not its texture). */
  maxSide?: number;
  /** Gaussian σ (px of the working copy) before the gradients: grey-edge's scale. */
  blurSigma?: number;
  /** Minkowski norm of grey-edge. */
  edgeNorm?: number;
  /** sRGB level at or above which a pixel counts as clipped (its colour is not the scene's). */
  clipLevel?: number;
  /** sRGB level below which a pixel is too dark to carry colour (noise, black). */
  darkLevel?: number;
  /** Fewer usable pixels than this: no estimate (neutral). */
  minPixels?: number;
}

export const SCENE_ILLUMINANT_DEFAULTS: Required<SceneIlluminantOptions> = {
  maxSide: 512,
  blurSigma: 2,
  edgeNorm: 6,
  clipLevel: 0.98,
  darkLevel: 0.02,
  minPixels: 2000,
};

const NEUTRAL: [number, number, number] = [1, 1, 1];


/** Box-downsampled copy (integer factor) of an sRGB image and of masks, all area-averaged. */
function shrink(image: ImageF32, masks: Float32Array[], maxSide: number): { rgb: Float32Array; masks: Float32Array[]; width: number; height: number } {
  const k = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  const width = Math.floor(image.width / k);
  const height = Math.floor(image.height / k);
  const rgb = new Float32Array(width * height * 3);
  const ms = masks.map(() => new Float32Array(width * height));
  const src = image.data;
  const c = image.channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * width + x;
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const p = (y * k + dy) * image.width + x * k + dx;
          for (let i = 0; i < masks.length; i++) ms[i][o] += masks[i][p];
          for (let ch = 0; ch < 3; ch++) rgb[o * 3 + ch] += src[p * c + ch];
        }
      }
      for (const m of ms) m[o] /= k * k;
      for (let ch = 0; ch < 3; ch++) rgb[o * 3 + ch] /= k * k;
    }
  }
  return { rgb, masks: ms, width, height };
}

/** What of the photo is not the scene, and which part of the scene is read apart (photo size, 0..1). */
export interface SceneRegions {
  /** Not the scene: the face's skin, whose colour is the one to be found. */
  exclude: ImageF32;
  /** A part of the scene read as a witness of its own (the person): its statistics and the rest's disagreement is the reading's doubt. */
  apart?: ImageF32;
}

/**
 * The scene as the photo's masks tell it: not the scene, the face's skin (its colour is the one to be
 * found); read apart, the person around it (hair, neck, clothing: a few large surfaces whose colour
 * is their own pigment's or dye's), against the background.
 */
export function sceneRegionsOf(masks: Pick<FaceMasks, "skin" | "person">): SceneRegions {
  return masks.person ? { exclude: masks.skin, apart: masks.person } : { exclude: masks.skin };
}

/** Grey-world's and grey-edge's sums over one region of the working copy. */
interface RegionSums {
  world: number[];
  edge: number[];
  pixels: number;
  edgePixels: number;
}

/**
 * Estimates the scene illuminant's colour (linear RGB, red = 1) from the photo outside
 * `regions.exclude`; `regions.apart` and the rest are read as two witnesses for its doubt (`sceneLightReading`).
 *
 *   const light = sceneIlluminant(capture.image, sceneRegionsOf(capture.masks));
 *   // light.rgb = [1, 0.62, 0.45]: a warm light; divide a skin colour by it to white-balance it.
 */
export function sceneIlluminant(image: ImageF32, regions: SceneRegions, options: SceneIlluminantOptions = {}): SceneIlluminant {
  const o = withDefaults(SCENE_ILLUMINANT_DEFAULTS, options);
  if (image.colorSpace !== "srgb" || image.channels < 3) throw new Error("sceneIlluminant: expects an sRGB photo with 3 channels");
  for (const m of [regions.exclude, regions.apart]) if (m && (m.width !== image.width || m.height !== image.height)) throw new Error("sceneIlluminant: mask and photo sizes differ");
  const small = shrink(image, [regions.exclude.data, ...(regions.apart ? [regions.apart.data] : [])], o.maxSide);
  const { width: W, height: H } = small;
  const lin = mapF32(small.rgb, srgbToLinear);
  const blurred = gaussianBlurRgb(lin, W, H, o.blurSigma);
  const [exclude, apart] = small.masks;
  // Each pixel's region: 0 not the scene (a pixel the excluded surfaces reach into), 1 the rest, 2 the part read apart.
  const region = u8Of(W * H, (p) => (exclude[p] > 0.05 ? 0 : apart && apart[p] >= 0.5 ? 2 : 1));
  // A clipped or black pixel's colour is not the light's; judged on the box average's largest channel.
  const usable = u8Of(W * H, (p) => {
    if (!region[p]) return 0;
    const top = Math.max(small.rgb[p * 3], small.rgb[p * 3 + 1], small.rgb[p * 3 + 2]);
    return top < o.clipLevel && top > o.darkLevel ? 1 : 0;
  });
  // A gradient of the blurred copy at p reads every pixel within the blur's reach of p ± 1: where that
  // reaches another region, the edge is between two surfaces of which one is not this region's, and
  // its colour is partly that surface's (the face's outline against a dark wall is skin-coloured).
  const reach = blurReach(o.blurSigma) + 1;
  // Sums over the whole scene (0), the rest (1) and the part read apart (2); a region's edges are those that reach no other region.
  const near = [0, 1, 2].map((r) => dilated(u8Of(W * H, (p) => (r === 0 ? region[p] === 0 : region[p] !== r) ? 1 : 0), W, H, reach));
  const sums: RegionSums[] = [0, 1, 2].map(() => ({ world: [0, 0, 0], edge: [0, 0, 0], pixels: 0, edgePixels: 0 }));
  const gradient = [0, 0, 0];
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!usable[p] || !usable[p - 1] || !usable[p + 1] || !usable[p - W] || !usable[p + W]) continue;
      for (let ch = 0; ch < 3; ch++) {
        const gx = blurred[(p + 1) * 3 + ch] - blurred[(p - 1) * 3 + ch];
        const gy = blurred[(p + W) * 3 + ch] - blurred[(p - W) * 3 + ch];
        gradient[ch] = Math.hypot(gx, gy) ** o.edgeNorm;
      }
      for (const r of [0, region[p]]) {
        const s = sums[r];
        s.pixels++;
        for (let ch = 0; ch < 3; ch++) s.world[ch] += lin[p * 3 + ch];
        if (near[r][p]) continue;
        s.edgePixels++;
        for (let ch = 0; ch < 3; ch++) s.edge[ch] += gradient[ch];
      }
    }
  }
  const enough = (s: RegionSums) => s.pixels >= o.minPixels && s.edgePixels >= o.minPixels;
  const statistics = (s: RegionSums): LightStatistics => ({ greyWorld: ratio(s.world), greyEdge: ratio(s.edge.map((v) => (v / s.edgePixels) ** (1 / o.edgeNorm))) });
  const [whole, ...parts] = sums;
  const { pixels, edgePixels } = whole;
  if (!enough(whole)) return { rgb: [...NEUTRAL], sigmaChroma: Infinity, greyWorld: NEUTRAL, greyEdge: NEUTRAL, witnesses: [], pixels, edgePixels };
  // The witnesses are the regions that can be read on their own; with fewer than two, the whole is the one.
  const read = parts.filter(enough);
  const witnesses = read.length === 2 ? read.map(statistics) : [statistics(whole)];
  const reading = sceneLightReading(statistics(whole), witnesses);
  return { rgb: reading.rgb, sigmaChroma: reading.sigmaChroma, ...statistics(whole), witnesses, pixels, edgePixels };
}

const ratio = (v: number[]): [number, number, number] => (v[0] > 0 && v[1] > 0 && v[2] > 0 ? [1, v[1] / v[0], v[2] / v[0]] : NEUTRAL);

/** Half-width of the Gaussian kernel of σ `sigma` (gaussianBlurRgb's), px. */
const blurReach = (sigma: number) => Math.max(1, Math.ceil(3 * sigma));

/** 1 where any pixel within `radius` (Chebyshev, px) of it is set in `mask` (separable max). */
function dilated(mask: Uint8Array, W: number, H: number, radius: number): Uint8Array {
  // Along x (lines are rows, step 1), then along y (lines are columns, step W).
  return maxAlongLines(maxAlongLines(mask, H, W, W, 1, radius), W, H, 1, W, radius);
}

/** Max over ±radius along `lines` lines of `length` pixels, line k starting at k·lineStride, pixels `step` apart. */
function maxAlongLines(src: Uint8Array, lines: number, length: number, lineStride: number, step: number, radius: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let k = 0; k < lines; k++) {
    for (let i = 0; i < length; i++) {
      let v = 0;
      for (let j = Math.max(0, i - radius); j <= Math.min(length - 1, i + radius) && !v; j++) v = src[k * lineStride + j * step];
      out[k * lineStride + i * step] = v;
    }
  }
  return out;
}

/** Separable Gaussian blur of an RGB image (edges clamped). */
function gaussianBlurRgb(src: Float32Array, W: number, H: number, sigma: number): Float32Array {
  const r = blurReach(sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ch = 0; ch < 3; ch++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * src[(y * W + Math.min(W - 1, Math.max(0, x + i))) * 3 + ch];
        tmp[(y * W + x) * 3 + ch] = s;
      }
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ch = 0; ch < 3; ch++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * tmp[(Math.min(H - 1, Math.max(0, y + i)) * W + x) * 3 + ch];
        out[(y * W + x) * 3 + ch] = s;
      }
    }
  }
  return out;
}

/**
 * Median angular errors (degrees between the estimated and the true illuminant's RGB) of the two
 * statistics on the reprocessed Gehler–Shi ColorChecker set, 568 photos under every kind of light:
 * grey-world 6.3°, first-order grey-edge 4.5° (Gijsenij, Gevers, van de Weijer 2011, "Computational
 * color constancy: survey and experiments", IEEE Trans Image Process 20(9):2475–2489, as tabulated
 * there). Our photos are camera-balanced JPEGs, not raw ones, but the statistics' error comes from
 * the scene's own colours, which the camera does not change.
 */
export const GREY_WORLD_ANGULAR_ERROR_DEG = 6.3;
export const GREY_EDGE_ANGULAR_ERROR_DEG = 4.5;

/**
 * σ per axis of (ln g/r, ln b/r) of an estimate whose median angular error is `medianDeg`. An
 * isotropic 2-D Gaussian error of σ_θ per axis in the plane normal to grey has the median radial
 * error σ_θ √(2 ln 2). A step (0, x, y) in ln chromaticity, less its grey component, over |(1, 1, 1)|,
 * is the angle J·(x, y) with JᵀJ = [[2, −1], [−1, 2]] / 9; the error's covariance in ln chromaticity
 * is σ_θ² (JᵀJ)⁻¹ = σ_θ² [[6, 3], [3, 6]], so σ per axis = √6 σ_θ (4.5° → 0.163).
 */
export function chromaSigmaOfAngularError(medianDeg: number): number {
  return (Math.sqrt(6) * medianDeg * Math.PI) / 180 / Math.sqrt(2 * Math.LN2);
}

/** The scene's light as the statistics read it together (linear RGB, red = 1) and its doubt. */
export interface SceneLightReading {
  rgb: [number, number, number];
  /** σ per axis of ln g/r, ln b/r: the two statistics' joined published error × their Birge ratio. */
  sigmaChroma: number;
  /** How far the statistics disagree beyond their errors, √(χ² / dof) over the two axes, at least 1. */
  birgeRatio: number;
}

/**
 * The light's colour both statistics of the whole scene see, and its doubt from every witness (a
 * region of the scene read on its own: the background, the person). Per axis (ln g/r, ln b/r): where
 * grey-world and grey-edge read a shift the same way, the smaller one; where they read opposite
 * shifts, none. A scene's coloured surfaces pull a statistic toward their own colour, each statistic
 * in its own way (a large wall pulls grey-world, strongly coloured edges pull grey-edge), so a shift
 * only one of them sees is most likely a surface's, and of two that agree in direction the smaller
 * is the less pulled. The rule is the same for every direction: a cool, green or magenta light is
 * read as a warm one is. Its doubt: the two statistics' published errors joined (inverse variance,
 * `chromaSigmaOfAngularError`; a witness is a part of one photo, not another photo, so more witnesses
 * do not narrow it), scaled by the Birge ratio of all the witnesses' readings about their weighted
 * mean (the usual inflation of readings that disagree beyond their stated errors): a shirt whose dye
 * pulls both statistics of the whole the same way is seen in the disagreement between the person's
 * readings and the background's, which the whole's two alone cannot show.
 */
export function sceneLightReading(whole: LightStatistics, witnesses: readonly LightStatistics[] = [whole]): SceneLightReading {
  const ln = (v: readonly number[]) => [Math.log(v[1] / v[0]), Math.log(v[2] / v[0])];
  const [sw, se] = [chromaSigmaOfAngularError(GREY_WORLD_ANGULAR_ERROR_DEG), chromaSigmaOfAngularError(GREY_EDGE_ANGULAR_ERROR_DEG)];
  const [w, e] = [ln(whole.greyWorld), ln(whole.greyEdge)];
  const readings = witnesses.flatMap((v) => [{ at: ln(v.greyWorld), sigma: sw }, { at: ln(v.greyEdge), sigma: se }]);
  if (!readings.length || ![...w, ...e, ...readings.flatMap((r) => r.at)].every(Number.isFinite)) return { rgb: [...NEUTRAL], sigmaChroma: Infinity, birgeRatio: Infinity };
  const agreed = w.map((a, k) => (a * e[k] > 0 ? Math.sign(a) * Math.min(Math.abs(a), Math.abs(e[k])) : 0));
  const weight = readings.map((r) => 1 / (r.sigma * r.sigma));
  const totalWeight = weight.reduce((a, b) => a + b, 0);
  const mean = [0, 1].map((k) => readings.reduce((s, r, i) => s + weight[i] * r.at[k], 0) / totalWeight);
  const chi2 = readings.reduce((s, r, i) => s + weight[i] * ((r.at[0] - mean[0]) ** 2 + (r.at[1] - mean[1]) ** 2), 0);
  const birgeRatio = Math.max(1, Math.sqrt(chi2 / (2 * (readings.length - 1))));
  const joined = 1 / Math.sqrt(1 / (sw * sw) + 1 / (se * se));
  return { rgb: [1, Math.exp(agreed[0]), Math.exp(agreed[1])], sigmaChroma: joined * birgeRatio, birgeRatio };
}
