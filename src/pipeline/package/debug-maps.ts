/**
 * The maps a job writes for inspection beside the material's maps (package writes them unless its
 * `debugMaps` option is off): unwrap's intermediate results at base size.
 */
import type { UnwrapResult } from "../../types.ts";
import type { DebugMap } from "../package.ts";

/** Base-size maps written for inspection: the raw photo texture, its confidence, ambient occlusion. */
export function debugMaps(unwrapped: UnwrapResult): DebugMap[] {
  return [
    { name: "texture_unwrapped", image: unwrapped.texture, bitDepth: 8 },
    { name: "confidence", image: unwrapped.confidence, bitDepth: 8 },
    { name: "ambient_occlusion", image: unwrapped.ambientOcclusion, bitDepth: 8 },
  ];
}
