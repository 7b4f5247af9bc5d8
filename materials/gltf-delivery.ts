/**
 * Delivery targets of `head.glb` (docs/design.md §5, "export profiles"): what the GLB carries for
 * a game build. `maps/` keeps its full-precision PNGs whatever the target; only the GLB changes.
 *
 * | target  | textures                                          | geometry                                  |
 * |---------|---------------------------------------------------|-------------------------------------------|
 * | source  | lossless PNG (N_S, N_D 16-bit), full size         | float32, as fitted                        |
 * | desktop | KTX2 ≤ 4096 px, UASTC (level 0, Zstandard), mips  | meshopt (EXT_meshopt_compression +        |
 * | web     | WebP ≤ 2048 px: colour q 85, normals q 92         |   KHR_mesh_quantization), skin LODs       |
 * |         |                                                   |   (MSFT_lod, head-lods.ts) on both        |
 *
 * Every pass is a glTF-Transform function (dedup, prune, textureCompress with sharp, meshopt with
 * the `meshoptimizer` package) except the KTX2 encode (ktx2-encode.ts: glTF-Transform's needs
 * KTX-Software's CLI); N_D survives them because it is a texture reference (gltf-diffuse-normal.ts).
 * KHR_texture_basisu, EXT_texture_webp and EXT_meshopt_compression are written without a fallback
 * (a PNG fallback would multiply the file's size), so they are listed in extensionsRequired as
 * their specs ask: a viewer needs the KTX2 transcoder (three.js's KTX2Loader, Babylon's
 * KhronosTextureContainer2 with ktx2-decoder-babylon.ts) and a meshopt decoder.
 *
 * Deterministic: the passes and the encoders are (same document ⇒ same bytes).
 */
import type { Document } from "@gltf-transform/core";
import { EXTMeshoptCompression, EXTTextureWebP, KHRTextureBasisu, KHRMaterialsClearcoat, KHRMaterialsDiffuseTransmission, KHRMaterialsIOR, KHRMaterialsSpecular, KHRMeshQuantization } from "@gltf-transform/extensions";
import { compressTexture, dedup, listTextureSlots, meshopt, prune } from "@gltf-transform/functions";
import sharp from "sharp";
import { PorelightDiffuseNormal } from "./gltf-diffuse-normal.ts";
import { MSFTLod } from "./head-lods.ts";
import { encodeKtx2 } from "./ktx2-encode.ts";

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
  KHRTextureBasisu,
  EXTMeshoptCompression,
  KHRMeshQuantization,
  MSFTLod,
];

interface TextureProfile {
  /** Texture container: "webp" (EXT_texture_webp) or "ktx2" (KHR_texture_basisu, UASTC). */
  format: "webp" | "ktx2";
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
  desktop: { format: "ktx2", maxSize: 4096, colourQuality: 95, normalQuality: 98, webpEffort: WEBP_EFFORT },
  web: { format: "webp", maxSize: 2048, colourQuality: 85, normalQuality: 92, webpEffort: WEBP_EFFORT },
};

/** glTF-Transform texture slots holding tangent-space normals (sharper quality budget). */
const NORMAL_SLOTS = /^(normalTexture|clearcoatNormalTexture|diffuseNormalTexture)$/;
/** Slots the glTF spec reads as sRGB colour; every other slot is linear data. */
const SRGB_SLOTS = /^(baseColorTexture|emissiveTexture|specularColorTexture|sheenColorTexture|diffuseTransmissionColorTexture)$/;

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
    const slots = listTextureSlots(texture);
    const normal = slots.some((slot) => NORMAL_SLOTS.test(slot));
    if (profile.format === "ktx2") {
      // A texture shared by an sRGB and a linear slot cannot be both: none is in the head's mapping.
      const colourSpace = slots.some((slot) => SRGB_SLOTS.test(slot)) ? "srgb" : "linear";
      texture.setImage(await encodeKtx2(texture.getImage()!, { mode: "uastc", colourSpace, normalMap: normal, maxSize: profile.maxSize })).setMimeType("image/ktx2");
    } else {
      await compressTexture(texture, { encoder: sharp, targetFormat: "webp", resize, effort: profile.webpEffort, quality: normal ? profile.normalQuality : profile.colourQuality });
    }
  }
  const mimes = new Set(doc.getRoot().listTextures().map((texture) => texture.getMimeType()));
  if (mimes.has("image/webp")) doc.createExtension(EXTTextureWebP).setRequired(true);
  if (mimes.has("image/ktx2")) doc.createExtension(KHRTextureBasisu).setRequired(true);
  await doc.transform(meshopt({ encoder: MeshoptEncoder, level: "medium" }), prune({ keepExtras: true }));
}
