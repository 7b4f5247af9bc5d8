/**
 * Shape from shading in UV space (issue 12 §2, issue 15): the face's surface detail that the
 * landmarks cannot carry — nasolabial and marionette folds, the brow ridge, under-eye hollows, the
 * chin's dimple, and the coarser lines the photo resolves — recovered as a height field from the
 * shading the fitted light and the smooth albedo do not explain.
 *
 * Under the fitted SH light, the log ratio L = ln(photo / (Ā · AO · E(n) / π)) of a texel is, to
 * first order in the surface's tilt, the directional derivative of its height along the light's
 * direction projected on the surface: L ≈ −(∇_n E · ∇h) / E (Horn's linearised Lambertian SfS,
 * here with the SH irradiance's own gradient, so an ambient light or one along the normal observes
 * nothing and leaves the surface alone). relief-solver.ts solves it regularised. What the data
 * weight leaves out, because there the ratio is not shading of the skin's relief:
 * - texels the photo did not see well (confidence: occluders, hair masks, grazing view), hair and
 *   eye-opening regions, clipped texels, deep cavities (AO, as the lighting fit);
 * - cast shadows and highlights: ratios far outside the robust spread (Tukey's biweight, as the fit);
 * - albedo edges (brows, the lips' border, make-up, moles with colour): the gradient of the photo's
 *   log chromaticity, which white light's shading does not change;
 * - the lowest frequencies: L is high-passed over `bandLimitMm` (the regional albedo and the SH's
 *   own error live there, and the mesh carries that scale).
 *
 * The result is a height (mm) and the object-space normals it tilts N_O to, which delight divides
 * the photo by instead of the mesh's (so the shading moved into geometry is not also left in the
 * albedo), and tangent-space slopes for N_S (normals stage), of which N_D is the diffusion-blurred copy.
 */
import { LUMA_709 } from "../../primitives/color.ts";
import { blurPlane, weightedBlur } from "../../image/box-blur.ts";
import { shBasis, SH_COUNT } from "../../render/sh.ts";
import { weightedMedian } from "../../primitives/statistics.ts";
import type { ImageF32 } from "../../types.ts";
import { solveRelief } from "./relief-solver.ts";
import { f32Of, mapF32, mapF64, mapU8 } from "../../primitives/typed-array.ts";

export interface ShadingReliefInput {
  width: number;
  height: number;
  /** Photo texture T, linear RGB, base size. */
  texture: Float32Array;
  /** Object-space unit normals N_O. */
  normals: Float32Array;
  /** Object-space tangent frame, xyzw (unit tangent along +u, bitangent sign): B = w·N×T points up the image. */
  tangents: Float32Array;
  /** Ambient occlusion 0..1. */
  occlusion: Float32Array;
  /** Per texel: how much the photo is to be trusted here, 0..1 (confidence × not hair, eyes). */
  trust: Float32Array;
  /** 1 inside UV islands. */
  covered: Uint8Array;
  /** The fit's smooth albedo Ā per texel, linear RGB (relative scale). */
  smoothAlbedo: Float32Array;
  /** Irradiance SH coefficients (27, k·3 + c) in the same relative scale. */
  irradiance: ArrayLike<number>;
  /** Texel size on the surface, mm (the median over the skin). */
  texelMm: number;
  /** Mirror texel per texel (complete's symmetry): where the photo saw one side only, the other takes its relief. Absent: none. */
  mirrorTexel?: Int32Array | null;
}

/** The relief's own settings (delight's `shapeFromShading` option); the data gates it shares with the lighting fit are in ShadingReliefOptions. */
export interface ReliefSettings {
  /** Longest wavelength the relief takes, as the σ of the high-pass on the data and the ridge length, mm. */
  bandLimitMm: number;
  /** Smoothing length of the thin-plate prior, mm (about the photo's resolution on the face). */
  smoothingMm: number;
  /** Prior standard deviation of the relief's slope, mm/mm. */
  priorSlope: number;
  /** Albedo-edge scale: chromaticity gradients this many times their median count as edges. */
  chromaEdgeFactor: number;
  /** Largest |height|, mm (clamp). */
  maxHeightMm: number;
  /** Conjugate-gradient iterations at most, and the relative residual that stops them. */
  maxIterations: number;
  tolerance: number;
}

export interface ShadingReliefOptions extends ReliefSettings {
  /** Texels with a linear channel at or above this are clipped and carry no data. */
  clipLevel: number;
  /** Texels with less ambient occlusion carry no data (interreflection breaks the model), 0..1. */
  minOcclusion: number;
  /** Tukey biweight constant on the standardised ratio. */
  tukeyC: number;
}

export const RELIEF_DEFAULTS: ReliefSettings = {
  // A Gaussian high-pass of σ passes half of a wavelength of 5.3σ: 42 mm at 8 mm, so the cheek's
  // and the brow ridge's bulges (a few cm) pass and the head's own shape (the mesh's) does not.
  bandLimitMm: 8,
  // About two base texels on the face (0.6–0.8 mm on the photo set): what the photo resolves, with
  // its noise and the skin's blotches averaged over.
  smoothingMm: 1.5,
  // A fold 1 mm deep over 5 mm of width has slopes ≈ 0.2 (depths below). Chosen between 0.2 and 0.3
  // by eye on a grey render of d3dfr-000055: at 0.3 the shadow side's skin texture came out as lumps.
  priorSlope: 0.2,
  chromaEdgeFactor: 3,
  // Deep nasolabial folds are a few mm: the Wrinkle Severity Rating Scale's "extreme" grade is a
  // fold still > 2 mm when the skin is stretched (as summarised at html.scirp.org/file/83835_1.htm;
  // Day et al. 2004), and Lemperle et al. 2001's grade 1 nasolabial fold is < 0.2 mm deep [S31].
  // 3 mm bounds what a fold can add or take without trusting the data beyond anatomy.
  maxHeightMm: 3,
  // Started from the coarser grid's solution, 50 iterations per level (or 1 % of the right-hand
  // side) leave heights within 6 % (RMS) of 300 iterations on 3ddfa-emma, at a sixth of the time.
  maxIterations: 50,
  tolerance: 1e-2,
};

/** The relief's defaults with the lighting fit's data gates (delight's defaults); for callers outside delight. */
export const SHADING_RELIEF_DEFAULTS: ShadingReliefOptions = {
  ...RELIEF_DEFAULTS,
  clipLevel: 0.95,
  minOcclusion: 0.3,
  // Tukey's 95 %-efficiency constant, as the lighting fit uses (delight/fit.ts).
  tukeyC: 4.685,
};

export interface ShadingRelief {
  /** Height above the mesh, mm, base size, 1 channel ("data"); 0 outside the islands. */
  heightMm: ImageF32;
  /** Slopes of the height in the tangent frame, mm/mm, 2 channels (∂h along +u, ∂h up the image). */
  slopes: ImageF32;
  /** N_O tilted by the slopes, unit, 3 channels. */
  normalsObject: ImageF32;
  /** The data weight the solve used, 0..1 relative (0 = the photo said nothing here). */
  dataWeight: ImageF32;
  /** Conjugate-gradient iterations and final relative residual. */
  iterations: number;
  relativeResidual: number;
}

/** Luminance of Ā_p·E(n) for the normal n (unnormalised; SH basis scratch `y`). */
function shadedLuminance(input: ShadingReliefInput, p: number, nx: number, ny: number, nz: number, y: Float64Array): number {
  const { smoothAlbedo: A, irradiance: e } = input;
  shBasis(nx, ny, nz, y);
  let s = 0;
  for (let c = 0; c < 3; c++) {
    let ec = 0;
    for (let k = 0; k < SH_COUNT; k++) ec += e[k * 3 + c] * y[k];
    s += LUMA_709[c] * A[p * 3 + c] * ec;
  }
  return s;
}

/**
 * Per texel, the luminance of Ā·E(n) and its derivatives along T and B (per unit slope), by central
 * differences on the sphere. (No closure per texel: this runs for every texel with data.)
 */
function shadingAndSensitivity(input: ShadingReliefInput, p: number, y: Float64Array, out: Float64Array): void {
  const { normals: N, tangents: Tg } = input;
  const nx = N[p * 3], ny = N[p * 3 + 1], nz = N[p * 3 + 2];
  const tx = Tg[p * 4], ty = Tg[p * 4 + 1], tz = Tg[p * 4 + 2], w = Tg[p * 4 + 3] < 0 ? -1 : 1;
  const bx = w * (ny * tz - nz * ty), by = w * (nz * tx - nx * tz), bz = w * (nx * ty - ny * tx);
  const h = 0.05;
  out[0] = shadedLuminance(input, p, nx, ny, nz, y);
  // The tilted normal n − s·T for a slope s along T: dE/ds = −∇E·T (likewise for B).
  out[1] = -(shadedLuminance(input, p, nx + h * tx, ny + h * ty, nz + h * tz, y) - shadedLuminance(input, p, nx + -h * tx, ny + -h * ty, nz + -h * tz, y)) / (2 * h);
  out[2] = -(shadedLuminance(input, p, nx + h * bx, ny + h * by, nz + h * bz, y) - shadedLuminance(input, p, nx + -h * bx, ny + -h * by, nz + -h * bz, y)) / (2 * h);
}

/**
 * Per texel, how far its colour says it is not the surrounding skin: the larger, in units of its
 * robust spread over the data, of the gradient of the photo's log chromaticity (log r/g, log b/g)
 * and its distance from the local mean chromaticity over `sigmaTexels`. Shading by a white light
 * changes neither, so both mark albedo (brows, the lips' border, make-up, moles), not relief.
 */
function albedoEdges(input: ShadingReliefInput, use: Float32Array, sigmaTexels: number, factor: number): Float64Array {
  const { width: W, height: H, texture: T } = input;
  const n = W * H;
  const chroma = new Float32Array(n * 2);
  for (let p = 0; p < n; p++) {
    const g = Math.max(T[p * 3 + 1], 1e-4);
    chroma[p * 2] = Math.log(Math.max(T[p * 3], 1e-4) / g);
    chroma[p * 2 + 1] = Math.log(Math.max(T[p * 3 + 2], 1e-4) / g);
  }
  const gradient = new Float64Array(n);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      let s = 0;
      for (let c = 0; c < 2; c++) {
        const gx = chroma[(p + 1) * 2 + c] - chroma[(p - 1) * 2 + c];
        const gy = chroma[(p + W) * 2 + c] - chroma[(p - W) * 2 + c];
        s += gx * gx + gy * gy;
      }
      gradient[p] = 0.5 * Math.sqrt(s);
    }
  }
  // An edge spoils the central differences of the texels next to it too.
  blurPlane(gradient, W, H, 1);
  const { values: local } = weightedBlur(chroma, 2, use, W, H, sigmaTexels);
  const deviation = f32Of(n, (p) => Math.hypot(chroma[p * 2] - local[p * 2], chroma[p * 2 + 1] - local[p * 2 + 1]));
  const gScale = Math.max(factor * weightedMedian(Float32Array.from(gradient), use), 1e-4);
  const dScale = Math.max(factor * weightedMedian(deviation, use), 1e-4);
  return mapF64(gradient, (g, p) => Math.max(g / gScale, deviation[p] / dScale));
}

/**
 * Recovers the relief from the shading; see the file header.
 *
 * @example
 *   const relief = shadingRelief({ width, height, texture, normals, tangents, occlusion, trust, covered, smoothAlbedo, irradiance: fit.irradiance, texelMm: 0.7 }, SHADING_RELIEF_SETTINGS);
 */
export function shadingRelief(input: ShadingReliefInput, o: ShadingReliefOptions): ShadingRelief {
  const { width: W, height: H, texture: T, occlusion: AO, trust, covered } = input;
  const n = W * H;
  const y = new Float64Array(SH_COUNT);
  const s = new Float64Array(3);
  const L = new Float32Array(n), a = new Float32Array(n), b = new Float32Array(n);
  const base = new Float32Array(n);
  // 1. The log ratio and the sensitivities where the model holds.
  for (let p = 0; p < n; p++) {
    if (!covered[p] || !(trust[p] > 0) || AO[p] < o.minOcclusion) continue;
    if (T[p * 3] >= o.clipLevel || T[p * 3 + 1] >= o.clipLevel || T[p * 3 + 2] >= o.clipLevel) continue;
    shadingAndSensitivity(input, p, y, s);
    const predicted = (AO[p] * s[0]) / Math.PI;
    const observed = LUMA_709[0] * T[p * 3] + LUMA_709[1] * T[p * 3 + 1] + LUMA_709[2] * T[p * 3 + 2];
    if (!(predicted > 1e-4 && observed > 1e-4)) continue;
    L[p] = Math.log(observed / predicted);
    a[p] = s[1] / s[0];
    b[p] = s[2] / s[0];
    base[p] = trust[p];
  }
  if (!base.some((v) => v > 0)) return emptyRelief(input);
  // 2. Band: only what varies faster than bandLimitMm is relief (the rest is albedo and light error).
  const sigmaTexels = o.bandLimitMm / input.texelMm;
  const { values: low } = weightedBlur(L, 1, base, W, H, sigmaTexels);
  for (let p = 0; p < n; p++) if (base[p] > 0) L[p] -= low[p];
  // 3. Robust weights: cast shadows, highlights, and albedo edges carry no relief.
  const absL = mapF32(L, (v) => Math.abs(v));
  const sigmaL = Math.max(1.4826 * weightedMedian(absL, base), 1e-3);
  const edges = albedoEdges(input, base, sigmaTexels, o.chromaEdgeFactor);
  const weight = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    if (!(base[p] > 0)) continue;
    // Standardised by the ratio's spread the model expects here: the noise, plus what a relief of
    // the prior's slope can do under this texel's light. Beyond it: a cast shadow or a highlight.
    const expected = Math.hypot(sigmaL, Math.hypot(a[p], b[p]) * o.priorSlope);
    const u = L[p] / (o.tukeyC * expected);
    const tukey = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    const e = edges[p];
    const flat = 1 / (1 + e * e * e * e);
    weight[p] = base[p] * tukey * flat;
  }
  // 4. Solve on the islands near the data (beyond a few band lengths the ridge holds h at 0 anyway),
  // data weight in units of the ratio's variance.
  const near = mapF64(weight, (w) => (w > 0 ? 1 : 0));
  blurPlane(near, W, H, sigmaTexels);
  const active = mapU8(covered, (c, p) => (c && near[p] > 1e-3 ? 1 : 0));
  const solved = solveRelief(
    {
      width: W,
      height: H,
      texelMm: input.texelMm,
      active,
      weight: mapF32(weight, (w) => w / (sigmaL * sigmaL)),
      a,
      b,
      L,
      alpha: 1 / (o.priorSlope * o.priorSlope),
      smoothingMm: o.smoothingMm,
      bandLimitMm: o.bandLimitMm,
    },
    { maxIterations: o.maxIterations, tolerance: o.tolerance },
  );
  let h = solved.heightMm;
  for (let p = 0; p < n; p++) h[p] = Math.max(-o.maxHeightMm, Math.min(o.maxHeightMm, h[p]));
  if (input.mirrorTexel) h = mirrorUnseen(h, weight, input, o.bandLimitMm / 4 / input.texelMm, input.mirrorTexel);
  return { ...reliefMaps(input, h), dataWeight: { width: W, height: H, channels: 1, data: weight, colorSpace: "data" }, iterations: solved.iterations, relativeResidual: solved.relativeResidual };
}

/**
 * Faces are close to symmetric in their folds and hollows, and a turned head shows one side only:
 * where a texel's neighbourhood (σ `sigmaTexels`) carried no data, it takes its mirror texel's
 * relief in the measure that the mirror's neighbourhood did, as completion does for the colour.
 */
function mirrorUnseen(h: Float32Array, weight: Float32Array, input: ShadingReliefInput, sigmaTexels: number, mirror: Int32Array): Float32Array {
  const { width: W, height: H, covered } = input;
  const support = mapF64(weight, (w) => (w > 0 ? 1 : 0));
  blurPlane(support, W, H, sigmaTexels);
  // Half the neighbourhood carrying data is full support: the rest is the solve's interpolation.
  const s = (p: number) => Math.min(1, 2 * support[p]);
  return mapF32(h, (v, p) => {
    const m = mirror[p];
    if (!covered[p] || m < 0 || !covered[m]) return v;
    const own = s(p);
    return own * v + (1 - own) * s(m) * h[m];
  });
}

/** No texel carries data: a flat relief, the mesh's normals. */
function emptyRelief(input: ShadingReliefInput): ShadingRelief {
  const { width: W, height: H } = input;
  const zero = new Float32Array(W * H);
  return { ...reliefMaps(input, zero), dataWeight: { width: W, height: H, channels: 1, data: zero.slice(), colorSpace: "data" }, iterations: 0, relativeResidual: 0 };
}

/** Slopes in the tangent frame and the tilted object-space normals of a height field. */
function reliefMaps(input: ShadingReliefInput, h: Float32Array): Pick<ShadingRelief, "heightMm" | "slopes" | "normalsObject"> {
  const { width: W, height: H, normals: N, tangents: Tg, covered } = input;
  const n = W * H;
  const inv2t = 1 / (2 * input.texelMm);
  const slopes = new Float32Array(n * 2);
  const tilted = Float32Array.from(N);
  const at = (q: number) => (covered[q] ? h[q] : 0);
  for (let yy = 0; yy < H; yy++) {
    for (let x = 0; x < W; x++) {
      const p = yy * W + x;
      if (!covered[p]) continue;
      const st = ((x + 1 < W ? at(p + 1) : 0) - (x > 0 ? at(p - 1) : 0)) * inv2t;
      const sb = ((yy > 0 ? at(p - W) : 0) - (yy + 1 < H ? at(p + W) : 0)) * inv2t;
      slopes[p * 2] = st;
      slopes[p * 2 + 1] = sb;
      if (st === 0 && sb === 0) continue;
      const nx = N[p * 3], ny = N[p * 3 + 1], nz = N[p * 3 + 2];
      const tx = Tg[p * 4], ty = Tg[p * 4 + 1], tz = Tg[p * 4 + 2], w = Tg[p * 4 + 3] < 0 ? -1 : 1;
      const bx = w * (ny * tz - nz * ty), by = w * (nz * tx - nx * tz), bz = w * (nx * ty - ny * tx);
      const ox = nx - st * tx - sb * bx, oy = ny - st * ty - sb * by, oz = nz - st * tz - sb * bz;
      const l = Math.hypot(ox, oy, oz) || 1;
      tilted[p * 3] = ox / l;
      tilted[p * 3 + 1] = oy / l;
      tilted[p * 3 + 2] = oz / l;
    }
  }
  return {
    heightMm: { width: W, height: H, channels: 1, data: h, colorSpace: "data" },
    slopes: { width: W, height: H, channels: 2, data: slopes, colorSpace: "data" },
    normalsObject: { width: W, height: H, channels: 3, data: tilted, colorSpace: "data" },
  };
}
