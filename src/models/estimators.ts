/**
 * The estimator registry: every image-to-image network stage (upscale ζ, delight δ, specular ψ,
 * normals ρ/σ) is found here by stage. Built-in estimators and user manifests register the same
 * way; an Estimator is a manifest plus a way to get its session, and the pipeline never asks
 * where one came from (`origin` is for reports only).
 *
 * The registry knows no estimator itself: the built-ins (src/estimators/builtin.ts's
 * BUILTIN_PROVIDERS) are handed to `createEstimatorRegistry` by its caller, so that nothing here
 * imports the estimators that import this module's types.
 *
 * Precedence: a user manifest (option or $PORELIGHT_ESTIMATORS) overrides every built-in of its
 * stage; among estimators of the same precedence, the caller's wanted scale picks, then the first
 * registered wins (built-in ESRGAN registers thick first: best quality by default).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { EstimatorManifest, EstimatorStage } from "../types.ts";
import { loadEstimatorManifest } from "./manifest.ts";
import { getSessionFromBytes, type ort } from "./session.ts";

/** An estimator ready to run: what it is (manifest) and its ONNX Runtime session. */
export interface Estimator {
  manifest: EstimatorManifest;
  /** Where it came from ("built-in" or a manifest path), for reports and error messages only. */
  origin: string;
  /** The session, created once per process and shared (see session.ts). */
  session(): Promise<ort.InferenceSession>;
  /**
   * Built-in graphs whose weights depend on the job (texel size, measured skin albedo) return
   * themselves rebuilt for it; user models have none and run as they are (see estimators/builtin.ts).
   */
  specialise?(context: EstimatorContext): Estimator;
}

/** What a job knows that a parametric built-in estimator is built for. */
export interface EstimatorContext {
  /** Surface size of one texel of the maps the estimator runs on, millimetres. */
  texelSizeMm: number;
  /** Median diffuse albedo of the skin, linear RGB (after de-lighting's scale prior), when known. */
  skinAlbedo?: [number, number, number];
  /** The highlight's colour in the units the estimator divides into (delight: A_D's, fs × the colour delight/highlight-colour.ts reads in J), when known. */
  highlightColour?: [number, number, number];
  /** Stage options a built-in graph is built with, named as in the stage's options (e.g. delight's specularTolerance). */
  options?: Record<string, number>;
}

/** A source of built-in estimators, called once when a registry is created. */
export type EstimatorProvider = () => Estimator[];

/** Precedence of a registration; higher wins for its stage. */
export const PRECEDENCE = { builtIn: 0, user: 10 } as const;

/** What the caller wants from a stage's estimator. */
export interface EstimatorQuery {
  /** Preferred scale (upscale: the preset's 2/4/8); the nearest larger, else the largest, when absent. */
  scale?: number;
  /** A specific estimator by manifest name (e.g. "esrgan-medium-x4"); overrides precedence. */
  name?: string;
  /**
   * A preferred manifest name, honoured only among the estimators that win by precedence: picks
   * a built-in variant by default without overriding a user's manifest (e.g. "esrgan-medium-x8").
   */
  prefer?: string;
}

interface Entry {
  estimator: Estimator;
  precedence: number;
  order: number;
}

/** Estimators by stage. */
export class EstimatorRegistry {
  private readonly entries: Entry[] = [];

  /** Adds an estimator at the given precedence (built-ins: PRECEDENCE.builtIn; user manifests: PRECEDENCE.user). */
  register(estimator: Estimator, precedence: number = PRECEDENCE.builtIn): void {
    this.entries.push({ estimator, precedence, order: this.entries.length });
  }

  /** Loads a manifest file and registers it with user precedence. */
  async registerManifestFile(file: string, precedence: number = PRECEDENCE.user): Promise<Estimator> {
    const estimator = await estimatorFromManifestFile(file);
    this.register(estimator, precedence);
    return estimator;
  }

  /** Every registered estimator, optionally for one stage, in precedence then registration order. */
  list(stage?: EstimatorStage): Estimator[] {
    return this.sorted()
      .filter((e) => stage === undefined || e.estimator.manifest.stage === stage)
      .map((e) => e.estimator);
  }

  /**
   * The estimator the pipeline should use for a stage.
   * @throws when none is registered, or `query.name` matches none of the stage's estimators
   */
  resolve(stage: EstimatorStage, query: EstimatorQuery = {}): Estimator {
    const candidates = this.sorted().filter((e) => e.estimator.manifest.stage === stage);
    if (candidates.length === 0) throw new Error(`no estimator registered for stage "${stage}"`);
    if (query.name !== undefined) {
      const named = candidates.find((e) => e.estimator.manifest.name === query.name);
      if (!named) {
        throw new Error(`no "${stage}" estimator named "${query.name}"; registered: ${candidates.map((e) => e.estimator.manifest.name).join(", ")}`);
      }
      return named.estimator;
    }
    const top = candidates.filter((e) => e.precedence === candidates[0].precedence);
    const preferred = top.find((e) => e.estimator.manifest.name === query.prefer);
    if (preferred) return preferred.estimator;
    if (query.scale === undefined) return top[0].estimator;
    const exact = top.find((e) => e.estimator.manifest.scale === query.scale);
    if (exact) return exact.estimator;
    // No exact scale at this precedence: the smallest scale above the wanted one (downsample
    // after), else the largest available (upsample after). A user override still wins.
    const above = top.filter((e) => e.estimator.manifest.scale > query.scale!).sort((a, b) => a.estimator.manifest.scale - b.estimator.manifest.scale);
    if (above.length > 0) return above[0].estimator;
    return [...top].sort((a, b) => b.estimator.manifest.scale - a.estimator.manifest.scale)[0].estimator;
  }

  private sorted(): Entry[] {
    return [...this.entries].sort((a, b) => b.precedence - a.precedence || a.order - b.order);
  }
}

/** An estimator from a user manifest: the ONNX file it names, through the shared session cache. */
export async function estimatorFromManifestFile(file: string): Promise<Estimator> {
  const { manifest, file: abs, modelPath } = await loadEstimatorManifest(file);
  return {
    manifest,
    origin: abs,
    session: () => getSessionFromBytes(`file:${modelPath}`, () => readFile(modelPath)),
  };
}

/** Environment variable listing user manifest files (separated by the platform's path delimiter). */
export const ESTIMATORS_ENV = "PORELIGHT_ESTIMATORS";

export interface RegistryOptions {
  /** User manifest files; they override the built-ins of their stages. */
  manifests?: string[];
  /** Environment to read $PORELIGHT_ESTIMATORS from (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * A registry with the built-in estimators of `builtins` (in order), then the user's manifests
 * (from the option and the environment) on top.
 * @example
 *   import { BUILTIN_PROVIDERS } from "../estimators/builtin.ts";
 *   const upscaler = (await createEstimatorRegistry(BUILTIN_PROVIDERS)).resolve("upscale", { scale: 8 });
 */
export async function createEstimatorRegistry(builtins: readonly EstimatorProvider[], options: RegistryOptions = {}): Promise<EstimatorRegistry> {
  const registry = new EstimatorRegistry();
  for (const provide of builtins) for (const e of provide()) registry.register(e, PRECEDENCE.builtIn);
  const fromEnv = (options.env ?? process.env)[ESTIMATORS_ENV]?.split(path.delimiter).filter(Boolean) ?? [];
  for (const file of [...fromEnv, ...(options.manifests ?? [])]) await registry.registerManifestFile(file);
  return registry;
}
