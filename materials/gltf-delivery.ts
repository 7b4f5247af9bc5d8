/**
 * Delivery targets of `head.glb` (docs/design.md §5, "export profiles"): what the GLB carries for
 * a game build. `maps/` keeps its full-precision PNGs whatever the target; only the GLB changes.
 *
 * | target  | textures                                   | geometry                                  |
 * |---------|--------------------------------------------|-------------------------------------------|
 * | source  | lossless PNG (N_S, N_D 16-bit), full size  | float32, as fitted                        |
 * | desktop | WebP ≤ 4096 px: colour q 95, normals q 98  | meshopt (EXT_meshopt_compression +        |
 * | web     | WebP ≤ 2048 px: colour q 85, normals q 92  |   KHR_mesh_quantization), skin LODs       |
 * |         |                                            |   (MSFT_lod, head-lods.ts) on both        |
 *
 * Every pass is a glTF-Transform function (dedup, prune, textureCompress with sharp, meshopt with
 * the `meshoptimizer` package); N_D survives them because it is a texture reference
 * (gltf-diffuse-normal.ts). EXT_texture_webp and EXT_meshopt_compression carry no fallback, so
 * they are listed in extensionsRequired as their specs ask. KTX2 (KHR_texture_basisu) is not
 * shipped: see docs/design.md §5 for what was measured.
 *
 * Deterministic: the passes and the encoders are (same document ⇒ same bytes).
 */
import type { Document } from "@gltf-transform/core";
import { EXTMeshoptCompression, EXTTextureWebP, KHRMaterialsClearcoat, KHRMaterialsDiffuseTransmission, KHRMaterialsIOR, KHRMaterialsSpecular, KHRMeshQuantization } from "@gltf-transform/extensions";
import { compressTexture, dedup, listTextureSlots, meshopt, prune } from "@gltf-transform/functions";
import sharp from "sharp";
import { PorelightDiffuseNormal } from "./gltf-diffuse-normal.ts";
import { MSFTLod } from "./head-lods.ts";

export const DELIVERY_TARGETS = ["web", "desktop", "source"] as const;
export type DeliveryTarget = (typeof DELIVERY_TARGETS)[number];
/** The GLB's default target (the CLI's, the daemon's and reconstruct's). */
export const DEFAULT_DELIVERY_TARGET: DeliveryTarget = "desktop";

/** Every extension a head GLB may use: register these on any NodeIO that reads or writes one. */
export const HEAD_GLTF_EXTENSIONS = [
  KHRMaterialsIOR,
  KHRMaterialsSpecular,
  KHRMaterialsClearcoat,
  KHRMaterialsDiffuseTransmission,
  PorelightDiffuseNormal,
  EXTTextureWebP,
  EXTMeshoptCompression,
  KHRMeshQuantization,
  MSFTLod,
];

interface TextureProfile {
  /** Longest side, px (textures are only ever made smaller, keeping the aspect ratio). */
  maxSize: number;
  /** WebP quality (0–100) of colour and data maps. */
  colourQuality: number;
  /** WebP quality (0–100) of tangent-space normal maps. */
  normalQuality: number;
  /** WebP encoder effort in glTF-Transform's 0–100 scale (sharp's 0–6 × 100/6). */
  webpEffort: number;
}

/**
 * sharp's WebP effort 2 (of 0–6; its default is 4): on the sample job's maps the decoded maps are
 * within 0.1 dB of effort 4 (A_S 1.3 dB better) at the same size, for 60 % of the encode time.
 */
const WEBP_EFFORT = 33;

export const DELIVERY_PROFILES: Record<Exclude<DeliveryTarget, "source">, TextureProfile> = {
  desktop: { maxSize: 4096, colourQuality: 95, normalQuality: 98, webpEffort: WEBP_EFFORT },
  web: { maxSize: 2048, colourQuality: 85, normalQuality: 92, webpEffort: WEBP_EFFORT },
};

/** glTF-Transform texture slots holding tangent-space normals (sharper quality budget). */
const NORMAL_SLOTS = /^(normalTexture|clearcoatNormalTexture|diffuseNormalTexture)$/;

const PNG = /^image\/png$/;

/** Applies a target's passes to a head document in place. */
export async function deliverHeadDocument(doc: Document, target: DeliveryTarget): Promise<void> {
  if (!(DELIVERY_TARGETS as readonly string[]).includes(target)) throw new Error(`delivery target must be one of ${DELIVERY_TARGETS.join(", ")}; got ${String(target)}`);
  // Unused or duplicate images, textures and accessors never ship, whatever the target.
  await doc.transform(dedup(), prune({ keepExtras: true }));
  if (target === "source") return;
  const profile = DELIVERY_PROFILES[target];
  const resize: [number, number] = [profile.maxSize, profile.maxSize];
  const { MeshoptEncoder } = await import("meshoptimizer");
  await MeshoptEncoder.ready;
  // One texture at a time (textureCompress decodes all of them at once: at ultra, four 4096×6144
  // maps decoded and resized together were most of the job's peak memory). Normal maps get the
  // sharper quality budget; the lower WebP effort is where the encode time was saved.
  for (const texture of doc.getRoot().listTextures()) {
    if (!PNG.test(texture.getMimeType())) continue;
    const normal = listTextureSlots(texture).some((slot) => NORMAL_SLOTS.test(slot));
    await compressTexture(texture, { encoder: sharp, targetFormat: "webp", resize, effort: profile.webpEffort, quality: normal ? profile.normalQuality : profile.colourQuality });
  }
  if (doc.getRoot().listTextures().some((texture) => texture.getMimeType() === "image/webp")) doc.createExtension(EXTTextureWebP).setRequired(true);
  await doc.transform(meshopt({ encoder: MeshoptEncoder, level: "medium" }), prune({ keepExtras: true }));
}
