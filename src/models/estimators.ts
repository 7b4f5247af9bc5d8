/**
 * The estimator registry: every image-to-image network stage (upscale ζ, delight δ, specular ψ,
 * normals ρ/σ) is found here by stage. Built-in estimators and user manifests register the same
 * way; an Estimator is a manifest plus a way to get its session, and the pipeline never asks
 * where one came from (`origin` is for reports only).
 *
 * Precedence: a user manifest (option or $PORELIGHT_ESTIMATORS) overrides every built-in of its
 * stage; among estimators of the same precedence, the caller's wanted scale picks, then the first
 * registered wins (built-in ESRGAN registers thick first: best quality by default).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { EstimatorManifest, EstimatorStage } from "../types.ts";
import { loadEstimatorManifest } from "./manifest.ts";
import { getSession, getSessionFromBytes, type ort } from "./session.ts";
import { builtinGraphEstimators } from "../estimators/builtin.ts";

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
  /** Stage options a built-in graph is built with, named as in the stage's options (e.g. delight's specularTolerance). */
  options?: Record<string, number>;
}

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

// ---- built-in estimators ---------------------------------------------------------------------

/**
 * ESRGAN tile geometry per size. receptiveField is where a tile edge stops mattering:
 * slim and medium are exact (longest chain of 3×3/5×5 convolutions: 10 and 18 input pixels,
 * measured identical to the bit beyond it); thick's chain is 154 pixels long, but the 0.2
 * residual scaling damps it so that an edge's effect is below 1e-6 of the output range from
 * 14 pixels in (measured on a face and on noise, ×2 and ×8), so 20 is used.
 * inferencePatch bounds memory (ORT holds ≈ 5 KB of activations per input pixel for thick ×8):
 * 384 splits the 384×576 base texture into two tiles of 384×312, ≈ 8 % more pixels than one pass.
 */
const ESRGAN = {
  slim: { input: "LR", range: [0, 255], receptiveField: 10, inferencePatch: 384 },
  medium: { input: "LR", range: [0, 255], receptiveField: 18, inferencePatch: 384 },
  thick: { input: "LR_input", range: [0, 1], receptiveField: 20, inferencePatch: 384 },
} as const satisfies Record<string, { input: string; range: [number, number]; receptiveField: number; inferencePatch: number }>;

/** Width of the blend ramp in the tile overlap of the built-in upscalers, input pixels. */
const ESRGAN_BLEND = 8;

/** The manifest of a built-in ESRGAN upscaler (UpscalerJS ranges: RDN 0..255, RRDN 0..1). */
export function esrganManifest(size: keyof typeof ESRGAN, scale: 2 | 4 | 8): EstimatorManifest {
  const g = ESRGAN[size];
  const range: [number, number] = [g.range[0], g.range[1]];
  return {
    version: 1,
    name: `esrgan-${size}-x${scale}`,
    stage: "upscale",
    model: `builtin:esrgan-${size}-x${scale}`,
    inputs: [{ name: g.input, channels: 3, range, colorSpace: "srgb" }],
    outputs: [{ name: "SR", channels: 3, range, colorSpace: "srgb" }],
    scale,
    trainingPatch: 128,
    inferencePatch: g.inferencePatch,
    overlap: 2 * g.receptiveField + ESRGAN_BLEND,
    receptiveField: g.receptiveField,
    layout: "nhwc",
  };
}

/** Built-in upscalers, thick first (the default), each converted from npm on first use. */
function builtinUpscalers(): Estimator[] {
  return (["thick", "medium", "slim"] as const).flatMap((size) =>
    ([8, 4, 2] as const).map((scale) => {
      const manifest = esrganManifest(size, scale);
      return { manifest, origin: "built-in", session: () => getSession(manifest.name) };
    }),
  );
}

/**
 * Built-in estimator providers, one per module. Stages whose estimators are ONNX graphs built by
 * our own code add a provider here that returns `{ manifest, origin: "built-in", session: () =>
 * getSessionFromBytes(key, build) }`.
 */
export const BUILTIN_PROVIDERS: (() => Estimator[])[] = [builtinUpscalers, builtinGraphEstimators];

/** Environment variable listing user manifest files (separated by the platform's path delimiter). */
export const ESTIMATORS_ENV = "PORELIGHT_ESTIMATORS";

export interface RegistryOptions {
  /** User manifest files; they override the built-ins of their stages. */
  manifests?: string[];
  /** Environment to read $PORELIGHT_ESTIMATORS from (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * A registry with every built-in estimator, then the user's manifests (from the option and the
 * environment) on top.
 * @example
 *   const upscaler = (await createEstimatorRegistry()).resolve("upscale", { scale: 8 });
 */
export async function createEstimatorRegistry(options: RegistryOptions = {}): Promise<EstimatorRegistry> {
  const registry = new EstimatorRegistry();
  for (const provide of BUILTIN_PROVIDERS) for (const e of provide()) registry.register(e, PRECEDENCE.builtIn);
  const fromEnv = (options.env ?? process.env)[ESTIMATORS_ENV]?.split(path.delimiter).filter(Boolean) ?? [];
  for (const file of [...fromEnv, ...(options.manifests ?? [])]) await registry.registerManifestFile(file);
  return registry;
}
