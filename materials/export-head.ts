/**
 * Package-stage export (Node): from the head mesh, the maps' PNG bytes and checked skin
 * parameters, writes `head.glb` (head-glb.ts), `head.babylon` (head-babylon.ts) and
 * `material.json`, in that order. Identical input gives identical bytes: no clocks, no random
 * ids, fixed order.
 *
 *   const parameters = validateSkinParameters(job.parameters); // once, where they come in
 *   const { glb, babylon, materialJson } = await exportHeadAssets({ mesh, parts, maps, parameters });
 */
import sharp from "sharp";
import type { Blendshape, Mesh } from "../src/types.ts";
import { checkHeadMesh, splitParts, type HeadPartRange } from "./head-geometry.ts";
import { writeHeadGlb } from "./head-glb.ts";
import { mouthOcclusionMorph, mouthVertexColours } from "./mouth-occlusion.ts";
import { headPivot, moveOrigin } from "./head-pivot.ts";
import { weldSeamTangents } from "./seam-tangents.ts";
import { DEFAULT_DELIVERY_TARGET, type DeliveryTarget } from "./gltf-delivery.ts";
import { buildHeadBabylonJson } from "./head-babylon.ts";
import { mouthColours, type MouthColours } from "./gltf-mapping.ts";
import { SKIN_MAP_FILES, WRINKLE_DRIVERS, type HeadMapsPng } from "./map-files.ts";
import { skinParametersToJson, type ValidSkinParameters } from "./skin-parameters.ts";

export type { HeadMapsPng } from "./map-files.ts";

export interface HeadAssetsInput {
  mesh: Mesh;
  /** Triangle ranges per part (TemplateHead.parts). */
  parts: HeadPartRange[];
  maps: HeadMapsPng;
  /** From validateSkinParameters: the export trusts them and checks nothing again. */
  parameters: ValidSkinParameters;
  /** ARKit blendshapes on `mesh` (src/geometry/blendshapes.ts): morph targets in both head files; none if absent. */
  blendshapes?: Blendshape[];
  /** What head.glb carries (gltf-delivery.ts); default "desktop". head.babylon always references maps/. */
  target?: DeliveryTarget;
  /** The teeth material's base colour, linear RGB 0..1 (src/pipeline/teeth-colour.ts); absent: GLTF_MOUTH_MATERIALS.teeth's. */
  teethAlbedo?: [number, number, number];
}

export interface HeadAssets {
  glb: Uint8Array;
  /** head.babylon JSON text; textures referenced as SKIN_MAP_FILES relative to its folder. */
  babylon: string;
  /** material.json text. */
  materialJson: string;
}

/** Exports the head as GLB, .babylon and material.json (see the file header). */
export async function exportHeadAssets(input: HeadAssetsInput): Promise<HeadAssets> {
  checkHeadMesh(input.mesh, input.parts);
  for (const [name, bytes] of Object.entries(input.maps)) await assertPng(name, bytes);
  const { maps, parameters } = input;
  // Origin at the base of the skull on the neck axis (head-pivot.ts), in both head files.
  // The mouth parts' occlusion following jawOpen (mouth-occlusion.ts): vertex colour and its morph-target deltas in both files.
  const parts = splitParts(input.mesh, input.parts, input.blendshapes, mouthOcclusionMorph(input.mesh, input.parts, input.blendshapes));
  // Tangents welded across the scalp's UV cut (seam-tangents.ts): no streak down the back of the head.
  const mouth = mouthColours(input.teethAlbedo);
  const geometry = mouthVertexColours(moveOrigin(parts, headPivot(parts.find((g) => g.part === "skin")!)).map(weldSeamTangents), mouth);
  const glb = await writeHeadGlb(geometry, maps, parameters, input.target ?? DEFAULT_DELIVERY_TARGET, mouth);
  const babylon = await buildHeadBabylonJson(geometry, parameters, { thinMask: !!maps.thinMask, eyes: !!maps.eyes, wrinkleSmile: !!maps.wrinkleSmile }, mouth);
  const materialJson = materialJsonText(parameters, maps, mouth);
  return { glb, babylon, materialJson };
}

async function assertPng(name: string, bytes: Uint8Array | undefined): Promise<void> {
  if (!bytes) return;
  const meta = await sharp(bytes).metadata().catch((e: Error) => {
    throw new Error(`exportHeadAssets: map ${name} is not a readable image: ${e.message}`);
  });
  if (meta.format !== "png") throw new Error(`exportHeadAssets: map ${name} must be PNG, got ${meta.format}`);
}

/** material.json: the parameters and the map files a viewer needs to rebuild the skin material, and the mouth parts' base colours. */
function materialJsonText(parameters: ValidSkinParameters, png: HeadMapsPng, mouth: MouthColours): string {
  const maps: Record<string, string> = {
    albedoDiffuse: SKIN_MAP_FILES.albedoDiffuse,
    albedoSpecular: SKIN_MAP_FILES.albedoSpecular,
    normalsDiffuse: SKIN_MAP_FILES.normalsDiffuse,
    normalsSpecular: SKIN_MAP_FILES.normalsSpecular,
  };
  if (png.thinMask) maps.thinMask = SKIN_MAP_FILES.thinMask;
  if (png.eyes) maps.eyes = SKIN_MAP_FILES.eyes;
  // A wrinkle map is a detail normal map the engine blends onto N_S by the largest of its drivers' weights.
  const wrinkles = png.wrinkleSmile ? { wrinkles: { wrinkleSmile: { map: SKIN_MAP_FILES.wrinkleSmile, blendshapes: WRINKLE_DRIVERS.wrinkleSmile } } } : {};
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  const mouthParts = Object.fromEntries(Object.entries(mouth).map(([part, rgb]) => [part, { baseColorLinear: rgb.map(round4) }]));
  return JSON.stringify({ version: 1, material: "porelight-skin", parameters: skinParametersToJson(parameters), maps, ...wrinkles, mouthParts }, null, 2) + "\n";
}
