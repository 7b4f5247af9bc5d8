/**
 * The scene's illuminant colour, from the whole photo outside the face skin: the scene-level cue
 * that resolves de-lighting's skin-tone ambiguity (skin-reflectance reference §5, TRUST [S32]).
 *
 * Why it is needed: on the skin locus, darker skin is redder in exactly the direction a warm light
 * (tungsten, sunset) shifts every colour, so a light-skinned face under warm light and a darker face
 * under neutral light have the same chromaticity. Only the rest of the scene can tell them apart.
 *
 * Two classic statistics, each wrong in its own way: grey-world (Buchsbaum 1980: the mean
 * colour is grey) is fooled by large coloured areas (a brown curtain, a red backdrop); grey-edge
 * (van de Weijer, Gevers, Gijsenij 2007, e^{1,p,σ} with p = 6: the Minkowski mean of colour
 * gradients is grey) is fooled by strongly coloured edges (a blue wall against a dark suit). The
 * reading (`sceneLightReading`) keeps, per chromaticity axis, the shift both agree on, in either
 * direction, with a doubt from their published errors and their disagreement; delight then checks it
 * against the face's skin (delight/scene-light.ts).
 */
import type { ImageF32, SceneIlluminant } from "../../types.ts";
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


/** Box-downsampled copy (integer factor) of an sRGB image and of a mask, both area-averaged. */
function shrink(image: ImageF32, mask: Float32Array, maxSide: number): { rgb: Float32Array; mask: Float32Array; width: number; height: number } {
  const k = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  const width = Math.floor(image.width / k);
  const height = Math.floor(image.height / k);
  const rgb = new Float32Array(width * height * 3);
  const m = new Float32Array(width * height);
  const src = image.data;
  const c = image.channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * width + x;
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const p = (y * k + dy) * image.width + x * k + dx;
          m[o] += mask[p];
          for (let ch = 0; ch < 3; ch++) rgb[o * 3 + ch] += src[p * c + ch];
        }
      }
      m[o] /= k * k;
      for (let ch = 0; ch < 3; ch++) rgb[o * 3 + ch] /= k * k;
    }
  }
  return { rgb, mask: m, width, height };
}

/**
 * Estimates the scene illuminant's colour (linear RGB, red = 1) from the photo outside `exclude`
 * (the face skin mask, photo size, 0..1).
 *
 *   const light = sceneIlluminant(capture.image, capture.masks.skin);
 *   // light.rgb = [1, 0.62, 0.45]: a warm light; divide a skin colour by it to white-balance it.
 */
export function sceneIlluminant(image: ImageF32, exclude: ImageF32, options: SceneIlluminantOptions = {}): SceneIlluminant {
  const o = withDefaults(SCENE_ILLUMINANT_DEFAULTS, options);
  if (image.colorSpace !== "srgb" || image.channels < 3) throw new Error("sceneIlluminant: expects an sRGB photo with 3 channels");
  if (exclude.width !== image.width || exclude.height !== image.height) throw new Error("sceneIlluminant: mask and photo sizes differ");
  const small = shrink(image, exclude.data, o.maxSide);
  const { width: W, height: H } = small;
  const lin = mapF32(small.rgb, srgbToLinear);
  const blurred = gaussianBlurRgb(lin, W, H, o.blurSigma);
  // A clipped or black pixel's colour is not the light's; judged on the box average's largest channel.
  const usable = u8Of(W * H, (p) => {
    if (small.mask[p] > 0.05) return 0;
    const top = Math.max(small.rgb[p * 3], small.rgb[p * 3 + 1], small.rgb[p * 3 + 2]);
    return top < o.clipLevel && top > o.darkLevel ? 1 : 0;
  });
  const world = [0, 0, 0];
  const edge = [0, 0, 0];
  let pixels = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!usable[p] || !usable[p - 1] || !usable[p + 1] || !usable[p - W] || !usable[p + W]) continue;
      pixels++;
      for (let ch = 0; ch < 3; ch++) {
        world[ch] += lin[p * 3 + ch];
        const gx = blurred[(p + 1) * 3 + ch] - blurred[(p - 1) * 3 + ch];
        const gy = blurred[(p + W) * 3 + ch] - blurred[(p - W) * 3 + ch];
        edge[ch] += Math.hypot(gx, gy) ** o.edgeNorm;
      }
    }
  }
  const ratio = (v: number[]): [number, number, number] => (v[0] > 0 && v[1] > 0 && v[2] > 0 ? [1, v[1] / v[0], v[2] / v[0]] : NEUTRAL);
  const greyWorld = pixels >= o.minPixels ? ratio(world) : NEUTRAL;
  const greyEdge = pixels >= o.minPixels ? ratio(edge.map((v) => (v / pixels) ** (1 / o.edgeNorm))) : NEUTRAL;
  if (pixels < o.minPixels) return { rgb: [...NEUTRAL], sigmaChroma: Infinity, greyWorld, greyEdge, pixels };
  const reading = sceneLightReading(greyWorld, greyEdge);
  return { rgb: reading.rgb, sigmaChroma: reading.sigmaChroma, greyWorld, greyEdge, pixels };
}

/** Separable Gaussian blur of an RGB image (edges clamped). */
function gaussianBlurRgb(src: Float32Array, W: number, H: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
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

/** The scene's light as the two statistics read it together (linear RGB, red = 1) and its doubt. */
export interface SceneLightReading {
  rgb: [number, number, number];
  /** σ per axis of ln g/r, ln b/r: the statistics' joined published error × their Birge ratio. */
  sigmaChroma: number;
  /** How far the two disagree beyond their errors, √(χ² / 2) over the two axes, at least 1. */
  birgeRatio: number;
}

/**
 * The light's colour both statistics see. Per axis (ln g/r, ln b/r): where both read a shift the
 * same way, the smaller one; where they read opposite shifts, none. A scene's coloured surfaces pull
 * a statistic toward their own colour, each statistic in its own way (a large wall pulls grey-world,
 * strongly coloured edges pull grey-edge), so a shift only one of them sees is most likely a surface's,
 * and of two that agree in direction the smaller is the less pulled. The rule is the same for every
 * direction: a cool, green or magenta light is read as a warm one is. Its doubt: the two errors joined
 * (inverse variance, `chromaSigmaOfAngularError`), scaled by the Birge ratio of their difference (the
 * usual inflation of readings that disagree beyond their stated errors).
 */
export function sceneLightReading(greyWorld: readonly number[], greyEdge: readonly number[]): SceneLightReading {
  const ln = (v: readonly number[]) => [Math.log(v[1] / v[0]), Math.log(v[2] / v[0])];
  const [w, e] = [ln(greyWorld), ln(greyEdge)];
  const [sw, se] = [chromaSigmaOfAngularError(GREY_WORLD_ANGULAR_ERROR_DEG), chromaSigmaOfAngularError(GREY_EDGE_ANGULAR_ERROR_DEG)];
  if (![...w, ...e].every(Number.isFinite)) return { rgb: [...NEUTRAL], sigmaChroma: Infinity, birgeRatio: Infinity };
  const agreed = w.map((a, k) => (a * e[k] > 0 ? Math.sign(a) * Math.min(Math.abs(a), Math.abs(e[k])) : 0));
  const chi2 = ((w[0] - e[0]) ** 2 + (w[1] - e[1]) ** 2) / (sw * sw + se * se);
  const birgeRatio = Math.max(1, Math.sqrt(chi2 / 2));
  const joined = 1 / Math.sqrt(1 / (sw * sw) + 1 / (se * se));
  return { rgb: [1, Math.exp(agreed[0]), Math.exp(agreed[1])], sigmaChroma: joined * birgeRatio, birgeRatio };
}
