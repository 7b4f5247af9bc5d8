/**
 * The built-in upscalers ζ: UpscalerJS's ESRGAN networks (slim, medium, thick at ×2, ×4, ×8),
 * converted from their npm packages into ONNX on first use (see src/models/catalog.ts), as
 * registry entries.
 */
import type { Estimator } from "../models/estimators.ts";
import { getSession } from "../models/session.ts";
import type { EstimatorManifest } from "../types.ts";

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
export function builtinUpscalers(): Estimator[] {
  return (["thick", "medium", "slim"] as const).flatMap((size) =>
    ([8, 4, 2] as const).map((scale) => {
      const manifest = esrganManifest(size, scale);
      return { manifest, origin: "built-in", session: () => getSession(manifest.name) };
    }),
  );
}
