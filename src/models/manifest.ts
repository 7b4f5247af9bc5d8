/**
 * Estimator manifests (docs/design.md §1): JSON files that say how to run an image-to-image ONNX model.
 * Validation errors name the file and the field, e.g.
 * `my.json: inputs[1].range: low must be below high, got [1, 0]`.
 *
 * Fields with defaults (may be left out of the JSON): trainingPatch 512, inferencePatch 1536,
 * overlap 2 × receptiveField + 16, layout "nhwc".
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { EstimatorManifest, EstimatorStage, TensorSpec } from "../types.ts";

/** Inference tile size when a manifest gives none (docs/design.md §1). */
export const DEFAULT_INFERENCE_PATCH = 1536;
/** Training patch size when a manifest gives none (informational). */
export const DEFAULT_TRAINING_PATCH = 512;
/** Width of the blend ramp added to 2 × receptiveField when a manifest gives no overlap, input pixels. */
export const DEFAULT_BLEND_WIDTH = 16;

const STAGES = ["upscale", "delight", "specular", "normalsSpecular", "normalsDiffuse"] as const satisfies readonly EstimatorStage[];

const tensorSpecSchema = z.strictObject({
  name: z.string().min(1, "must be a non-empty ONNX tensor name"),
  channels: z.number().int().min(1).max(64),
  range: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, { error: (i) => `low must be below high, got ${JSON.stringify(i.input)}` }),
  colorSpace: z.enum(["srgb", "linear", "normal-tangent", "normal-object", "data"]),
}) satisfies z.ZodType<TensorSpec>;

const uniqueNames = (specs: TensorSpec[]) => new Set(specs.map((s) => s.name)).size === specs.length;

const manifestSchema = z
  .strictObject({
    version: z.literal(1, { error: "must be 1 (the only manifest format so far)" }),
    name: z.string().min(1),
    stage: z.enum(STAGES),
    model: z.string().min(1, "must name the ONNX file, relative to the manifest"),
    inputs: z.array(tensorSpecSchema).min(1).refine(uniqueNames, "input names must be unique"),
    outputs: z.array(tensorSpecSchema).min(1).refine(uniqueNames, "output names must be unique"),
    scale: z.number().int("must be a whole number (1 for per-texel models, 2/4/8 for super-resolution)").min(1),
    trainingPatch: z.number().int().positive().default(DEFAULT_TRAINING_PATCH),
    inferencePatch: z.number().int().min(8).default(DEFAULT_INFERENCE_PATCH),
    overlap: z.number().int().min(0).optional(),
    receptiveField: z.number().int().min(0),
    layout: z.enum(["nhwc", "nchw"]).default("nhwc"),
  })
  .transform((m) => ({ ...m, overlap: m.overlap ?? 2 * m.receptiveField + DEFAULT_BLEND_WIDTH }))
  .superRefine((m, ctx) => {
    if (m.overlap < 2 * m.receptiveField) {
      ctx.addIssue({
        code: "custom",
        path: ["overlap"],
        message: `must be at least 2 × receptiveField = ${2 * m.receptiveField} (each tile edge loses receptiveField pixels to padding), got ${m.overlap}`,
      });
    }
    if (m.inferencePatch <= m.overlap) {
      ctx.addIssue({ code: "custom", path: ["inferencePatch"], message: `must exceed overlap (${m.overlap}), got ${m.inferencePatch}` });
    }
    for (const [i, spec] of m.inputs.entries()) {
      if (spec.colorSpace.startsWith("normal") && spec.channels !== 3) {
        ctx.addIssue({ code: "custom", path: ["inputs", i, "channels"], message: `a ${spec.colorSpace} tensor has 3 channels, got ${spec.channels}` });
      }
    }
    for (const [i, spec] of m.outputs.entries()) {
      if (spec.colorSpace.startsWith("normal") && spec.channels !== 3) {
        ctx.addIssue({ code: "custom", path: ["outputs", i, "channels"], message: `a ${spec.colorSpace} tensor has 3 channels, got ${spec.channels}` });
      }
    }
  });

function fieldPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "") || "(manifest)";
}

/**
 * Validates a parsed manifest object.
 * @param source the file (or other origin) named in error messages
 * @returns the manifest with defaults filled in
 * @throws Error listing every problem as `source: field: message`
 */
export function parseEstimatorManifest(json: unknown, source: string): EstimatorManifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${fieldPath(i.path)}: ${i.message}`);
    throw new Error(`invalid estimator manifest\n  ${lines.join("\n  ")}`);
  }
  return result.data satisfies EstimatorManifest;
}

/** A manifest read from disk, with its model resolved to an absolute path. */
export interface LoadedManifest {
  manifest: EstimatorManifest;
  /** Absolute path of the manifest file. */
  file: string;
  /** Absolute path of the ONNX model (manifest.model resolved against the manifest's folder). */
  modelPath: string;
}

/**
 * Reads and validates an estimator manifest, and checks that its ONNX model exists.
 * @example
 *   const { manifest, modelPath } = await loadEstimatorManifest("studio/delight.json");
 */
export async function loadEstimatorManifest(file: string): Promise<LoadedManifest> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, "utf8");
  } catch (err) {
    throw new Error(`cannot read estimator manifest ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${abs}: not valid JSON (${(err as Error).message})`);
  }
  const manifest = parseEstimatorManifest(json, abs);
  const modelPath = path.resolve(path.dirname(abs), manifest.model);
  if (!existsSync(modelPath)) throw new Error(`${abs}: model: file ${modelPath} does not exist`);
  return { manifest, file: abs, modelPath };
}
