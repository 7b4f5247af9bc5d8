/**
 * Quality presets (docs/design.md §2): a preset only picks option values for the stages; every stage
 * keeps its own defaults for the rest. Map sizes come from PRESET_MAP_SIZE in the types module.
 *
 * Upscaler per preset, from `npm run bench -- pipeline --variants` and `-- models` (speed vs
 * quality of the nine ESRGAN models on this 2-core machine; docs/benchmarks.md, "Upscaler per preset"). Thick costs
 * ~20 s on the base map at any factor (its residual body dominates), slim/medium 1–3 s. At ×8
 * only thick beats a Lanczos resample in PSNR (+0.25 dB; slim/medium −1.5 dB), so high and ultra
 * take thick; at ×4 thick gains 0.8 dB over medium but would take most of standard's 30 s, so
 * standard takes medium; at ×2 no ESRGAN beats Lanczos in PSNR and draft takes the fastest, slim.
 */
import type { Preset } from "../types.ts";
import { PRESET_MAP_SIZE } from "../types.ts";
import type { PackageOptions } from "./package.ts";
import type { UnwrapOptions } from "./unwrap.ts";
import type { UpscaleOptions } from "./upscale.ts";

/** Option values a preset sets, per stage. */
export interface PresetOptions {
  unwrap: UnwrapOptions;
  upscale: UpscaleOptions;
  package: PackageOptions;
}

/** Width × height the upscaler's factor gives from the base map; 0 = no resample needed. */
function finalSize(preset: Preset): { width: number; height: number } {
  const { width, height, upscale } = PRESET_MAP_SIZE[preset];
  return width === 384 * upscale && height === 576 * upscale ? { width: 0, height: 0 } : { width, height };
}

export const PRESETS: Record<Preset, PresetOptions> = {
  draft: {
    unwrap: { aoDirections: 48, aoResolution: 256 },
    upscale: { size: "slim", scale: 2, ...finalSize("draft") },
    package: { specularBitDepth: 8 },
  },
  standard: {
    unwrap: { aoDirections: 96, aoResolution: 384 },
    upscale: { size: "medium", scale: 4, ...finalSize("standard") },
    package: { specularBitDepth: 8 },
  },
  high: {
    unwrap: { aoDirections: 128, aoResolution: 512 },
    upscale: { size: "thick", scale: 8, ...finalSize("high") },
    package: { specularBitDepth: 16 },
  },
  ultra: {
    unwrap: { aoDirections: 128, aoResolution: 512 },
    upscale: { size: "thick", scale: 8, ...finalSize("ultra") },
    package: { specularBitDepth: 16 },
  },
};

/** The option values of a preset, with a clear error for an unknown name. */
export function presetOptions(preset: Preset): PresetOptions {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset "${String(preset)}"; one of ${Object.keys(PRESETS).join(", ")}`);
  return p;
}
