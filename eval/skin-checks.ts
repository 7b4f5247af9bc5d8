/**
 * Is A_D one clean skin? Three checks of issue 13, each computed from the stage results alone
 * (nothing the pipeline itself decided about hair or occluders is trusted):
 *
 * - border: CIEDE2000 between the two sides of the border of the seen region in A_D, median over
 *   the border texels (≤ 2 is about the threshold of a visible step);
 * - contamination: share of upper-face skin texels of A_D that fall outside the person's skin
 *   colour model (a robust Lab model of A_D's own upper-face skin, its redness centred per region);
 * - iris: CIEDE2000 between the iris painted into maps/eyes.png (read from the map: its median over
 *   the iris ring) and the photo's iris pixels below the iris centre, brought to albedo scale by the
 *   skin's own photo → A_D factor.
 */
import { ciede2000, linearSrgbToLab, luminance, srgbToLinear } from "../src/primitives/color.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { toCamera } from "../src/pipeline/unwrap/camera-view.ts";
import * as T from "../src/primitives/face-topology.ts";
import { FACE_REGIONS, type Camera, type ImageF32, type Mesh, type StageResults } from "../src/types.ts";
import { paintedIris } from "../src/pipeline/eyes.ts";
import { toBaseLinear } from "./albedo-checks.ts";
import { weightedMedian } from "./metrics.ts";
import { seamChecks } from "./seam-checks.ts";

export interface SkinChecks {
  /** Median CIEDE2000 across the border of the seen region (null: no border). */
  borderDeltaE: number | null;
  /** Border texels measured. */
  borderTexels: number;
  /** Median ΔE00 between the seen interior and the fill, 6–12 and 3–12 texels from the border (eval/seam-checks.ts): the low-frequency step. */
  borderWideDeltaE: number | null;
  /** Median ΔE00 of the seen rim off the way from interior to fill, where the border faces sideways (temples, profile): a line along the border. */
  borderLineDeltaE: number | null;
  /** Fraction (0..1) of upper-face skin texels outside the skin colour model (redness centred per region). */
  contamination: number | null;
  /** The same with one a* centre for forehead, nose and cheeks (the measure before 2026-12-07), for comparison. */
  contaminationOneModel: number | null;
  /** CIEDE2000 between the painted iris albedo and the photo's iris (null: eyes closed or too small). */
  irisDeltaE: number | null;
}

/**
 * Half-width of the window each side of the border is averaged over, base texels (≈ 4–6 mm on the
 * face): wide enough to see a differently coloured cap or band, not only a one-texel seam.
 */
const BORDER_RADIUS = 6;
/**
 * Confidence (own or the mirror texel's) from which a texel counts as seen: any photo data at all
 * (complete's minConfidence), so the border is where the photo's colour ends and the fill begins.
 */
const SEEN = 0.05;
/** χ² with 3 degrees of freedom at 99.9 %: a skin texel farther than this (robust Mahalanobis²) is not skin. */
const CHI2_3_999 = 16.27;
/** Floors of the robust spread per Lab axis: skin's own pore-to-freckle variation is never smaller. */
const SPREAD_FLOOR = [3, 2, 2];

const regionIndex = (name: string) => FACE_REGIONS.indexOf(name as (typeof FACE_REGIONS)[number]);

/** 1 where a base texel lies on the head's skin part (not the eyeballs' discs). */
function skinPartMask(mesh: Mesh, parts: StageResults["fit"]["head"]["parts"], W: number, H: number): Uint8Array {
  const ranges = parts.filter((p) => p.part === "skin").map((p) => ({ first: p.firstIndex / 3, count: p.indexCount / 3 }));
  const ids = rasterizeUv(mesh.uvs, mesh.indices, W, H, ranges);
  return Uint8Array.from(ids.triangle, (t) => (t >= 0 ? 1 : 0));
}

/**
 * Median ΔE00 between the mean colour of the seen and of the filled skin within BORDER_RADIUS of
 * each border texel (seen texel with a filled 4-neighbour). Lips, eyelids and brows are left out of
 * both sides: their edges are features, not the seen region's border.
 */
export function borderDeltaE(albedo: Float32Array, seen: Uint8Array, skin: Uint8Array, W: number, H: number): { median: number | null; texels: number } {
  const values: number[] = [];
  const r = BORDER_RADIUS;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!skin[p] || !seen[p]) continue;
      const q = [p - 1, p + 1, p - W, p + W];
      if (!q.some((k) => skin[k] && !seen[k])) continue;
      const a = [0, 0, 0, 0], b = [0, 0, 0, 0];
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const k = yy * W + xx;
          if (!skin[k]) continue;
          const acc = seen[k] ? a : b;
          for (let c = 0; c < 3; c++) acc[c] += albedo[3 * k + c];
          acc[3]++;
        }
      }
      if (a[3] < 4 || b[3] < 4) continue;
      const la = linearSrgbToLab(a[0] / a[3], a[1] / a[3], a[2] / a[3]);
      const lb = linearSrgbToLab(b[0] / b[3], b[1] / b[3], b[2] / b[3]);
      values.push(ciede2000(la, lb));
    }
  }
  if (values.length === 0) return { median: null, texels: 0 };
  values.sort((u, v) => u - v);
  return { median: values[Math.floor(values.length / 2)], texels: values.length };
}

/**
 * The person's skin colour model: per Lab axis the median and the robust spread (1.4826·MAD, floored)
 * of the `face` texels; with regions, a* is centred per region (see skinColourModel).
 */
export interface SkinColourModel {
  mid: number[];
  spread: number[];
  /** Per upper-face region (UPPER_FACE_REGIONS order), its own a* centre; absent: one centre for all. */
  regionalA?: number[];
}

/** The regions of the contamination check, in the order of a texel's region index. */
export const UPPER_FACE_REGIONS = ["forehead", "nose", "cheeks"] as const;
/** Texels a region needs for its own a* centre; fewer and it takes the face's. */
const MIN_REGION_TEXELS = 50;

const robustCentre = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const robustSpread = (dev: number[]): number => 1.4826 * [...dev].map(Math.abs).sort((a, b) => a - b)[Math.floor(dev.length / 2)];

/**
 * The robust Lab model of the `face` texels of A_D (linear RGB); null when fewer than 50 face texels.
 *
 * With `region` (per texel its UPPER_FACE_REGIONS index, from upperFaceRegions), redness is
 * centred per region: skin's blood perfusion differs across the face (nose and cheeks redder than
 * the forehead), and CIE L*a*b* differs significantly between facial sites in measured skin (Choi
 * et al., "Facial skin color variability in Korean women", AIC 2017: 157 subjects, seven sites by
 * spectrophotometer). No measured offset fits every person (Xiao et al. 2017 [S7] give forehead and
 * cheek within 0.5 a* of each other, Choi finds the chin reddest), so each region's a* centre is
 * the person's own median there, and the a* spread is the pooled within-region one. Only a* is
 * regional: hair, a shadow or a fringe leave skin mainly by lightness (darker), which keeps one
 * centre for the whole face, so a fringe over most of the forehead still counts.
 */
export function skinColourModel(albedo: Float32Array, face: Uint8Array, region?: Uint8Array): SkinColourModel | null {
  const labs: number[][] = [];
  const regionOf: number[] = [];
  for (let p = 0; p < face.length; p++) if (face[p]) (labs.push(linearSrgbToLab(albedo[3 * p], albedo[3 * p + 1], albedo[3 * p + 2])), regionOf.push(region ? region[p] : 0));
  if (labs.length < 50) return null;
  const mid = [0, 1, 2].map((c) => robustCentre(labs.map((l) => l[c])));
  let regionalA: number[] | undefined;
  if (region) {
    regionalA = UPPER_FACE_REGIONS.map((_, r) => {
      const a = labs.filter((_, k) => regionOf[k] === r).map((l) => l[1]);
      return a.length >= MIN_REGION_TEXELS ? robustCentre(a) : mid[1];
    });
  }
  const centre = (k: number, c: number) => (c === 1 && regionalA ? regionalA[regionOf[k]] : mid[c]);
  const spread = [0, 1, 2].map((c) => Math.max(SPREAD_FLOOR[c], robustSpread(labs.map((l, k) => l[c] - centre(k, c)))));
  return { mid, spread, regionalA };
}

/** Per Lab axis, a colour's signed distance from the model's centre (its region's a* centre, when regional) in its spreads. */
export const skinZ = (lab: number[], model: SkinColourModel, region = 0): number[] =>
  lab.map((v, c) => (v - (c === 1 && model.regionalA ? model.regionalA[region] : model.mid[c])) / model.spread[c]);

/** Whether a Lab colour lies outside the model (robust Mahalanobis² beyond χ²₃ at 99.9 %). */
export const outsideSkin = (lab: number[], model: SkinColourModel, region = 0): boolean => skinZ(lab, model, region).reduce((a, z) => a + z * z, 0) > CHI2_3_999;

/**
 * Per `face` texel, 1 where its Lab colour is farther than χ²₃(99.9 %) from the robust (median,
 * 1.4826·MAD, floored) model of those same texels, regional in a* with `region`; null when fewer
 * than 50 face texels.
 */
export function contaminationOutliers(albedo: Float32Array, face: Uint8Array, region?: Uint8Array): Uint8Array | null {
  const model = skinColourModel(albedo, face, region);
  if (!model) return null;
  const out = new Uint8Array(face.length);
  for (let p = 0; p < face.length; p++) if (face[p] && outsideSkin(linearSrgbToLab(albedo[3 * p], albedo[3 * p + 1], albedo[3 * p + 2]), model, region?.[p] ?? 0)) out[p] = 1;
  return out;
}

/** Share of `face` texels that contaminationOutliers flags (null: too few face texels). */
export function contaminationShare(albedo: Float32Array, face: Uint8Array, region?: Uint8Array): number | null {
  const out = contaminationOutliers(albedo, face, region);
  if (!out) return null;
  let n = 0, bad = 0;
  for (let p = 0; p < face.length; p++) if (face[p]) (n++, (bad += out[p]));
  return bad / n;
}

/** Per texel, the index (UPPER_FACE_REGIONS) of its strongest upper-face region. */
export function upperFaceRegions(regions: StageResults["unwrap"]["regions"]): Uint8Array {
  const rw = regions.weights;
  const N = rw.width * rw.height;
  const channels = UPPER_FACE_REGIONS.map(regionIndex);
  const out = new Uint8Array(N);
  for (let p = 0; p < N; p++) {
    let best = 0;
    for (let r = 1; r < channels.length; r++) if (rw.data[p * rw.channels + channels[r]] > rw.data[p * rw.channels + channels[best]]) best = r;
    out[p] = best;
  }
  return out;
}

/** Projects an object-space point through the fitted camera; null behind it. */
export function project(camera: Camera, x: number, y: number, z: number, pc: Float64Array): [number, number] | null {
  toCamera(camera, x, y, z, pc);
  const dist = -pc[2];
  if (!(dist > 1e-3)) return null;
  return [camera.cx + (camera.fx * pc[0]) / dist, camera.cy - (camera.fy * pc[1]) / dist];
}

/**
 * The photo's iris colour, linear RGB: pixels between 0.45 and 0.8 of the iris radius from its
 * centre and inside the lids, the middle half by luminance (lashes, shadow and catch-lights out),
 * those below the iris centre where there are 20 of them; null when fewer than 20 such pixels
 * (closed or tiny eyes).
 */
export function photoIris(image: ImageF32, lm: Float32Array): [number, number, number] | null {
  const samples: number[][] = [];
  const lowerSamples: number[][] = [];
  // Below the iris centre (the right-to-left iris line turned by +90°): the upper lid's lashes,
  // liner and shadow lie over the upper half, which reads darker than the iris is.
  const [ex, ey] = [lm[T.LEFT_IRIS_START * 3] - lm[T.RIGHT_IRIS_START * 3], lm[T.LEFT_IRIS_START * 3 + 1] - lm[T.RIGHT_IRIS_START * 3 + 1]];
  for (const [contour, start] of [[T.RIGHT_EYE_CONTOUR, T.RIGHT_IRIS_START], [T.LEFT_EYE_CONTOUR, T.LEFT_IRIS_START]] as const) {
    const cx = lm[start * 3], cy = lm[start * 3 + 1];
    let radius = 0;
    for (let k = 1; k <= 4; k++) radius += Math.hypot(lm[(start + k) * 3] - cx, lm[(start + k) * 3 + 1] - cy) / 4;
    if (!(radius > 1)) continue;
    const x0 = Math.max(0, Math.floor(cx - radius)), y0 = Math.max(0, Math.floor(cy - radius));
    const x1 = Math.min(image.width - 1, Math.ceil(cx + radius)), y1 = Math.min(image.height - 1, Math.ceil(cy + radius));
    if (x1 < x0 || y1 < y0) continue;
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const inside = new Uint8Array(bw * bh);
    fillPolygon(inside, bw, bh, contour.flatMap((i) => [lm[i * 3], lm[i * 3 + 1]]), x0, y0);
    const eye: number[][] = [];
    const lower: boolean[] = [];
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
      const r = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
      if (r < 0.45 || r > 0.8 || !inside[(y - y0) * bw + x - x0]) continue;
      const p = (y * image.width + x) * image.channels;
      eye.push([srgbToLinear(image.data[p]), srgbToLinear(image.data[p + 1]), srgbToLinear(image.data[p + 2])]);
      lower.push(-(x + 0.5 - cx) * ey + (y + 0.5 - cy) * ex > 0);
    }
    const lum = eye.map((c) => luminance(c[0], c[1], c[2]));
    const sorted = [...lum].sort((a, b) => a - b);
    const lo = sorted[Math.floor(sorted.length * 0.25)], hi = sorted[Math.floor(sorted.length * 0.75)];
    eye.forEach((c, i) => lum[i] >= lo && lum[i] <= hi && (lower[i] ? lowerSamples : samples).push(c));
  }
  if (lowerSamples.length >= 20) samples.length = 0;
  samples.push(...lowerSamples);
  if (samples.length < 20) return null;
  return [0, 1, 2].map((c) => {
    const v = samples.map((s) => s[c]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  }) as [number, number, number];
}

/**
 * Upper-face skin texels: forehead, nose and cheeks (region weight ≥ 0.5) above the subnasale line
 * in the photo, where beard and moustache do not grow, whatever completion put there, less the nasal
 * base (between the alae, below their line: nostrils and columella). The nostrils are an opening,
 * like the eyes and the mouth the check already leaves out: their dark is the cavity, not the skin's
 * colour, and it counted as contamination on most photos (d3dfr-015259, hrn-00133, d3dfr-000114).
 * `skinNoFeatures`: skin-part texels outside lips, eyelids and brows.
 */
export function upperFaceMask(stages: Pick<StageResults, "capture" | "fit" | "unwrap">, skinNoFeatures: Uint8Array): Uint8Array {
  const { capture: cap, fit, unwrap: u } = stages;
  const N = skinNoFeatures.length;
  const rw = u.regions.weights;
  const reg = (p: number, names: string[]) => names.reduce((s, n) => s + rw.data[p * rw.channels + regionIndex(n)], 0);
  const lm = cap.landmarks;
  const theta = Math.atan2(lm[T.LEFT_EYE_OUTER * 3 + 1] - lm[T.RIGHT_EYE_OUTER * 3 + 1], lm[T.LEFT_EYE_OUTER * 3] - lm[T.RIGHT_EYE_OUTER * 3]);
  const down = (x: number, y: number) => -x * Math.sin(theta) + y * Math.cos(theta);
  const across = (x: number, y: number) => x * Math.cos(theta) + y * Math.sin(theta);
  const limit = down(lm[T.SUBNASALE * 3], lm[T.SUBNASALE * 3 + 1]);
  const [ra, la] = [T.RIGHT_ALA, T.LEFT_ALA].map((k) => [across(lm[k * 3], lm[k * 3 + 1]), down(lm[k * 3], lm[k * 3 + 1])]);
  const alaLine = (ra[1] + la[1]) / 2;
  const [alaMin, alaMax] = [Math.min(ra[0], la[0]), Math.max(ra[0], la[0])];
  const nasalBase = (x: number, y: number) => down(x, y) > alaLine && across(x, y) > alaMin && across(x, y) < alaMax;
  const face = new Uint8Array(N);
  const pc = new Float64Array(3);
  const pos = u.position.data;
  for (let p = 0; p < N; p++) {
    if (!skinNoFeatures[p] || reg(p, ["forehead", "nose", "cheeks"]) < 0.5) continue;
    const xy = project(fit.camera, pos[3 * p], pos[3 * p + 1], pos[3 * p + 2], pc);
    if (xy && down(xy[0], xy[1]) < limit && !nasalBase(xy[0], xy[1])) face[p] = 1;
  }
  return face;
}

/** Skin-part texels of the atlas outside lips, eyelids and brows (whose edges are features, not the seen region's border). */
export function skinFeatureFreeMask(stages: Pick<StageResults, "fit" | "unwrap">): Uint8Array {
  const { fit, unwrap: u } = stages;
  const W = u.confidence.width, H = u.confidence.height;
  const skin = skinPartMask(fit.mesh, fit.head.parts, W, H);
  const rw = u.regions.weights;
  const features = ["lips", "eyelids", "brows"].map(regionIndex);
  return Uint8Array.from(skin, (s, p) => (s && features.reduce((a, c) => a + rw.data[p * rw.channels + c], 0) < 0.2 ? 1 : 0));
}

/** Runs the three checks on one reconstruction. */
export function skinChecks(stages: Pick<StageResults, "capture" | "fit" | "unwrap" | "delight" | "eyes">): SkinChecks {
  const { capture: cap, unwrap: u, delight: delit, eyes } = stages;
  const W = u.confidence.width, H = u.confidence.height, N = W * H;
  const albedo = toBaseLinear(delit.albedo, W, H);
  const conf = u.confidence.data;

  // Seen: the photo (or its mirror through u → 1 − u) saw it. Features are neither side.
  const seen = new Uint8Array(N);
  const skinNoFeatures = skinFeatureFreeMask(stages);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) seen[y * W + x] = Math.max(conf[y * W + x], conf[y * W + (W - 1 - x)]) >= SEEN ? 1 : 0;
  const border = borderDeltaE(albedo, seen, skinNoFeatures, W, H);
  const seam = seamChecks(albedo, seen, skinNoFeatures, u.normalsObject.data, W, H);

  const face = upperFaceMask(stages, skinNoFeatures);
  const contamination = contaminationShare(albedo, face, upperFaceRegions(u.regions));
  const contaminationOneModel = contaminationShare(albedo, face);
  const lm = cap.landmarks;

  // Iris: the photo's, times the light's photo → albedo factor: the skin's measured here on well-seen
  // cheeks, less skin's own correction beyond the light (delight's referenceLight), as the eyes stage does.
  let irisDeltaE: number | null = null;
  const iris = photoIris(cap.image, lm);
  if (iris) {
    const w = new Float32Array(N);
    for (let p = 0; p < N; p++) w[p] = face[p] && conf[p] >= 0.7 ? 1 : 0;
    const gain = [0, 1, 2].map((c) => {
      const a = weightedMedian(Float32Array.from({ length: N }, (_, p) => albedo[3 * p + c]), w);
      const t = weightedMedian(Float32Array.from({ length: N }, (_, p) => u.texture.data[3 * p + c]), w);
      return a > 0 && t > 0 ? a / t / delit.lighting.referenceLight.skinCorrection[c] : Number.NaN;
    });
    if (gain.every(Number.isFinite)) {
      const target = linearSrgbToLab(iris[0] * gain[0], iris[1] * gain[1], iris[2] * gain[2]);
      const painted = linearSrgbToLab(...paintedIris(eyes.texture));
      irisDeltaE = ciede2000(target, painted);
    }
  }
  return { borderDeltaE: border.median, borderTexels: border.texels, borderWideDeltaE: seam.wideDeltaE, borderLineDeltaE: seam.lineDeltaE, contamination, contaminationOneModel, irisDeltaE };
}
