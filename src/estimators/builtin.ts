/**
 * The built-in graph estimators (δ per-texel part, ψ, ρ, σ) as registry entries. Their graphs
 * depend on the job (texel size in mm, measured skin albedo), so each entry is built with nominal
 * parameters for listing and offers `specialise(context)`, which returns the same estimator built
 * for the job. User models have no `specialise`; the pipeline calls it when present and never
 * asks where an estimator came from. BUILTIN_PROVIDERS lists every built-in (these and the
 * upscalers) for the caller that creates the registry.
 */
import { getSessionFromBytes } from "../models/session.ts";
import type { Estimator, EstimatorContext, EstimatorProvider } from "../models/estimators.ts";
import type { EstimatorManifest } from "../types.ts";
import { quantise } from "./builtin-manifest.ts";
import { builtinUpscalers } from "./esrgan.ts";
import { buildDelightOnnx, delightManifest, DELIGHT_GRAPH_DEFAULTS, normaliseDelightParams } from "./delight.ts";
import {
  buildNormalsDiffuseOnnx,
  buildNormalsSpecularOnnx,
  normalsDiffuseManifest,
  normalsSpecularManifest,
  NORMALS_DIFFUSE_DEFAULTS,
  NORMALS_SPECULAR_DEFAULTS,
} from "./normals.ts";
import { buildSpecularOnnx, specularManifest, SPECULAR_GRAPH_DEFAULTS } from "./specular.ts";

/** Texel size the listed (unspecialised) entries are built for, mm: the base map's order of magnitude. */
export const NOMINAL_TEXEL_SIZE_MM = 1;

function entry(manifest: EstimatorManifest, key: string, build: () => Uint8Array, specialise: (c: EstimatorContext) => Estimator): Estimator {
  // The cache key carries every parameter the graph was built from, so equal keys mean equal bytes.
  return { manifest, origin: "built-in", session: () => getSessionFromBytes(`builtin:${key}`, build), specialise };
}

function texel(c: EstimatorContext): number {
  if (!(c.texelSizeMm > 0)) throw new Error(`built-in estimators need the texel size in mm (> 0), got ${c.texelSizeMm}`);
  return quantise(c.texelSizeMm);
}

/** Numeric stage options named in `keys`, from the context. */
function pick<K extends string>(context: EstimatorContext | undefined, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) if (typeof context?.options?.[k] === "number") out[k] = context.options[k];
  return out;
}

export function builtinDelightEstimator(context?: EstimatorContext): Estimator {
  const params = normaliseDelightParams({
    ...DELIGHT_GRAPH_DEFAULTS,
    ...(context?.skinAlbedo ? { skinAlbedo: context.skinAlbedo } : {}),
    ...(context?.highlightColour ? { highlightColour: context.highlightColour } : {}),
    ...pick(context, ["specularTolerance", "specularGate", "shadingFloor"] as const),
  });
  return entry(delightManifest(), `delight:${JSON.stringify(params)}`, () => buildDelightOnnx(params), builtinDelightEstimator);
}

export function builtinSpecularEstimator(context?: EstimatorContext): Estimator {
  const params = {
    ...SPECULAR_GRAPH_DEFAULTS,
    ...pick(context, ["cavitySigmaMm", "cavityStrength", "minCavityFactor"] as const),
    texelSizeMm: context ? texel(context) : NOMINAL_TEXEL_SIZE_MM,
  };
  return entry(specularManifest(params), `specular:${JSON.stringify(params)}`, () => buildSpecularOnnx(params), builtinSpecularEstimator);
}

export function builtinNormalsSpecularEstimator(context?: EstimatorContext): Estimator {
  const params = {
    ...NORMALS_SPECULAR_DEFAULTS,
    ...pick(context, ["highPassSigmaMm", "depthPerLogUnitMm"] as const),
    texelSizeMm: context ? texel(context) : NOMINAL_TEXEL_SIZE_MM,
  };
  return entry(normalsSpecularManifest(params), `normalsSpecular:${JSON.stringify(params)}`, () => buildNormalsSpecularOnnx(params), builtinNormalsSpecularEstimator);
}

export function builtinNormalsDiffuseEstimator(context?: EstimatorContext): Estimator {
  const skinAlbedo = (context?.skinAlbedo ?? NORMALS_DIFFUSE_DEFAULTS.skinAlbedo).map((v) => quantise(v, 2)) as [number, number, number];
  const params = {
    ...NORMALS_DIFFUSE_DEFAULTS,
    ...pick(context, ["mergeAboveMm"] as const),
    skinAlbedo,
    texelSizeMm: context ? texel(context) : NOMINAL_TEXEL_SIZE_MM,
  };
  return entry(normalsDiffuseManifest(params), `normalsDiffuse:${JSON.stringify(params)}`, () => buildNormalsDiffuseOnnx(params), builtinNormalsDiffuseEstimator);
}

/** Registry provider: one entry per stage, built with nominal parameters. */
export function builtinGraphEstimators(): Estimator[] {
  return [builtinDelightEstimator(), builtinSpecularEstimator(), builtinNormalsSpecularEstimator(), builtinNormalsDiffuseEstimator()];
}

/**
 * Every built-in estimator provider, the upscalers first (thick first: the default); what the
 * pipeline hands to `createEstimatorRegistry`. Stages whose estimators are ONNX graphs built by
 * our own code add a provider here that returns `{ manifest, origin: "built-in", session: () =>
 * getSessionFromBytes(key, build) }`.
 */
export const BUILTIN_PROVIDERS: readonly EstimatorProvider[] = [builtinUpscalers, builtinGraphEstimators];

/** The estimator for this job: the built-in specialised to it, or a user model as it is. */
export function forJob(estimator: Estimator, context: EstimatorContext): Estimator {
  return estimator.specialise ? estimator.specialise(context) : estimator;
}
