/**
 * package: every output of a job as bytes (docs/design.md §5), not yet written anywhere: `head.glb`,
 * `head.babylon`, `material.json` (through materials/export-head.ts, the one skin → glTF mapping),
 * `maps/*.png`, `report.json`, and `timings.json`.
 *
 * Determinism: identical inputs and options give identical bytes in every file but
 * `timings.json` (wall-clock times and memory), which is kept apart for that reason.
 */
import { exportHeadAssets, type HeadAssets, type HeadMapsPng } from "../../materials/export-head.ts";
import { HEAD_FILES, SKIN_MAP_FILES } from "../../materials/map-files.ts";
import { DEFAULT_DELIVERY_TARGET, type DeliveryTarget } from "../../materials/gltf-delivery.ts";
import { validateSkinParameters, type SkinParameters } from "../../materials/skin-parameters.ts";
import { encodePng, type EncodePngOptions } from "../image/encode.ts";
import type { Blendshape, ImageF32, Mesh, OutputFile, ReconstructOptions, StageTiming, TemplateHead } from "../types.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";

/** The non-deterministic file: stage times and memory. */
export const TIMINGS_FILE = "timings.json";
export const REPORT_FILE = "report.json";

/** A map written only for inspection (maps/<name>.png), not referenced by the head files. */
export interface DebugMap {
  /** File stem, e.g. "confidence" → maps/confidence.png. */
  name: string;
  image: ImageF32;
  bitDepth: 8 | 16;
  /** "signed" for −1..1 data such as normals. */
  range?: EncodePngOptions["range"];
}

/** The head's maps as the stages produced them. */
export interface PackageMaps {
  /** A_D, diffuse albedo, 3 channels; sRGB (linear is converted). */
  albedoDiffuse: ImageF32;
  /** A_S, specular albedo, 1 channel, linear 0..1 (F0 mapping: materials/skin-parameters.ts). */
  albedoSpecular: ImageF32;
  /** N_D, diffuse normals, tangent space, xyz −1..1. */
  normalsDiffuse: ImageF32;
  /** N_S, specular normals, tangent space, xyz −1..1. */
  normalsSpecular: ImageF32;
  /** T̂, the photo texture before de-lighting, 3 channels (linear or sRGB; written as sRGB 8-bit), or its PNG bytes already encoded (so a caller can free the float image early). */
  photoTexture?: ImageF32 | Uint8Array;
  /** Thin parts (ears), 1 channel 0..1; enables diffuse transmission in the GLB. */
  thinMask?: ImageF32;
  /** The eyeballs' albedo (atlas layout, sRGB), as PNG bytes (pipeline/eyes.ts). */
  eyes?: Uint8Array;
  /**
   * The smile's wrinkle map: the folds the photo's smile made, taken out of the neutral A_D and N_S,
   * as a tangent-space detail normal map (xyz −1..1, flat where nothing folds), for the material to
   * blend onto N_S by the smile's blendshape weights (WRINKLE_DRIVERS).
   */
  wrinkleNormals?: ImageF32;
  /** Extra maps for inspection. */
  debug?: DebugMap[];
}

export interface PackageInput {
  /** The fitted head mesh (metres, glTF axes) with the template's UVs and tangents. */
  mesh: Mesh;
  parts: TemplateHead["parts"];
  /** ARKit blendshapes evaluated on `mesh` (src/geometry/blendshapes.ts): morph targets in head.glb and head.babylon; absent: none. */
  blendshapes?: Blendshape[];
  maps: PackageMaps;
  /**
   * Skin material parameters (material.json, GLB and .babylon); missing ones take SKIN_DEFAULTS.
   * Checked here, once, for all three files.
   */
  parameters: Partial<SkinParameters>;
  /** The teeth's albedo, linear RGB (teeth-colour.ts): the teeth material's base colour in head.glb, head.babylon and material.json; absent: the mouth material's default. */
  teethAlbedo?: [number, number, number];
  /** report.json's content; must be deterministic (no times). */
  report: Record<string, unknown>;
  /** Stage times and memory, written to timings.json when given. */
  timings?: StageTiming[];
}

export interface PackageOptions {
  /** Which outputs to produce; "babylon" implies the maps it references. material.json and report.json are always written. */
  formats?: ReconstructOptions["formats"];
  /** Bits per texel of A_S: 8 is enough for a smooth map, 16 keeps a high-preset's precision. */
  specularBitDepth?: 8 | 16;
  /** Write the inspection maps (PackageMaps.debug) as maps/<name>.png, wherever maps are written. */
  debugMaps?: boolean;
  /** head.glb's delivery target (materials/gltf-delivery.ts); maps/ is full precision whatever it is. */
  target?: DeliveryTarget;
}

export const PACKAGE_DEFAULTS: Required<PackageOptions> = {
  formats: ["glb", "babylon", "maps"],
  specularBitDepth: 8,
  debugMaps: true,
  target: DEFAULT_DELIVERY_TARGET,
};

/** PNG of a colour image stored sRGB-encoded (linear input is converted while quantising, without a copy). */
function encodeAsSrgb(image: ImageF32, bitDepth: 8 | 16 = 8): Promise<Uint8Array> {
  if (image.colorSpace !== "srgb" && image.colorSpace !== "linear") throw new Error(`package: expected a colour image, got ${image.colorSpace}`);
  return encodePng(image, { bitDepth, transfer: image.colorSpace === "linear" ? "srgb" : "none" });
}

function expectChannels(name: string, image: ImageF32, channels: number): void {
  if (image.channels !== channels) throw new Error(`package: ${name} has ${image.channels} channels, ${channels} expected`);
  if (image.data.length !== image.width * image.height * channels) throw new Error(`package: ${name} data length does not match ${image.width}×${image.height}×${channels}`);
}

/** RGBA with RGB = 1 and alpha = mask: the layout KHR_materials_diffuse_transmission reads (alpha). */
function thinMaskRgba(mask: ImageF32): ImageF32 {
  const n = mask.width * mask.height;
  const data = new Float32Array(n * 4).fill(1);
  for (let i = 0; i < n; i++) data[4 * i + 3] = mask.data[i * mask.channels];
  return { width: mask.width, height: mask.height, channels: 4, data, colorSpace: "data" };
}

/**
 * JSON with a trailing newline; non-finite numbers become null and typed arrays plain arrays, so
 * the text is valid JSON and depends only on the value.
 */
export function stableJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_key, v) => {
        if (typeof v === "number") return Number.isFinite(v) ? v : null;
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
        return v;
      },
      2,
    ) + "\n"
  );
}

const text = (s: string) => new TextEncoder().encode(s);

/**
 * Encodes every output of a job. Files come back sorted by name; writing them (temp file + rename)
 * is the caller's job. Uses the context's logger and signal (checked between steps).
 *
 *   const files = await packageOutputs({ mesh, parts, maps, parameters, report }, { formats: ["glb"] }, { logger });
 *   for (const f of files) await writeAtomic(path.join(out, f.name), f.bytes);
 */
export async function packageOutputs(input: PackageInput, options: PackageOptions = {}, context: StageContext = {}): Promise<OutputFile[]> {
  const o = withDefaults(PACKAGE_DEFAULTS, options);
  checkMaps(input.maps);
  // The job's parameters enter the export here: checked once, before the maps take seconds to
  // encode, and passed down as ValidSkinParameters, which nothing below checks again.
  const parameters = validateSkinParameters(input.parameters);
  const png = await encodeHeadMaps(input.maps, o.specularBitDepth);
  throwIfAborted(context);
  const assets = await exportHeadAssets({ mesh: input.mesh, parts: input.parts, maps: png, parameters, target: o.target, blendshapes: input.blendshapes, ...(input.teethAlbedo ? { teethAlbedo: input.teethAlbedo } : {}) });
  loggerOf(context).debug(`package: GLB ${assets.glb.byteLength} bytes`);
  throwIfAborted(context);
  const wantMaps = o.formats.includes("maps") || o.formats.includes("babylon");
  const files = [
    ...headFiles(assets, o.formats),
    ...(wantMaps ? await mapFiles(png, input.maps, o.debugMaps) : []),
    ...dataFiles(input),
  ];
  return sortedByName(files);
}

function checkMaps(maps: PackageMaps): void {
  if (maps.wrinkleNormals) expectChannels("the smile's wrinkle map", maps.wrinkleNormals, 3);
  expectChannels("A_D", maps.albedoDiffuse, 3);
  expectChannels("A_S", maps.albedoSpecular, 1);
  expectChannels("N_D", maps.normalsDiffuse, 3);
  expectChannels("N_S", maps.normalsSpecular, 3);
}

/** The maps the head files embed or reference, as PNG (encoded once: the GLB embeds the same bytes maps/ holds). */
async function encodeHeadMaps(maps: PackageMaps, specularBitDepth: 8 | 16): Promise<HeadMapsPng> {
  const png: HeadMapsPng = {
    albedoDiffuse: await encodeAsSrgb(maps.albedoDiffuse),
    albedoSpecular: await encodePng(maps.albedoSpecular, { bitDepth: specularBitDepth }),
    normalsDiffuse: await encodePng(maps.normalsDiffuse, { bitDepth: 16, range: "signed" }),
    normalsSpecular: await encodePng(maps.normalsSpecular, { bitDepth: 16, range: "signed" }),
  };
  if (maps.thinMask) png.thinMask = await encodePng(thinMaskRgba(maps.thinMask), { bitDepth: 8 });
  if (maps.eyes) png.eyes = maps.eyes;
  if (maps.wrinkleNormals) png.wrinkleSmile = await encodePng(maps.wrinkleNormals, { bitDepth: 16, range: "signed" });
  return png;
}

const file = (name: string, bytes: Uint8Array, mediaType: string): OutputFile => ({ name, bytes, mediaType });

/** head.glb, head.babylon (as asked for) and material.json (always: it describes the maps too). */
function headFiles(assets: HeadAssets, formats: ReconstructOptions["formats"]): OutputFile[] {
  const files: OutputFile[] = [];
  if (formats.includes("glb")) files.push(file(HEAD_FILES.glb, assets.glb, "model/gltf-binary"));
  if (formats.includes("babylon")) files.push(file(HEAD_FILES.babylon, text(assets.babylon), "application/json"));
  files.push(file(HEAD_FILES.material, text(assets.materialJson), "application/json"));
  return files;
}

/** maps/*.png: the head's maps, the photo texture and (when asked) the inspection maps. */
async function mapFiles(png: HeadMapsPng, maps: PackageMaps, debugMaps: boolean): Promise<OutputFile[]> {
  const files = [
    file(SKIN_MAP_FILES.albedoDiffuse, png.albedoDiffuse, "image/png"),
    file(SKIN_MAP_FILES.albedoSpecular, png.albedoSpecular, "image/png"),
    file(SKIN_MAP_FILES.normalsDiffuse, png.normalsDiffuse, "image/png"),
    file(SKIN_MAP_FILES.normalsSpecular, png.normalsSpecular, "image/png"),
  ];
  if (png.thinMask) files.push(file(SKIN_MAP_FILES.thinMask, png.thinMask, "image/png"));
  if (png.eyes) files.push(file(SKIN_MAP_FILES.eyes, png.eyes, "image/png"));
  if (png.wrinkleSmile) files.push(file(SKIN_MAP_FILES.wrinkleSmile, png.wrinkleSmile, "image/png"));
  if (maps.photoTexture) {
    files.push(file(SKIN_MAP_FILES.photoTexture, maps.photoTexture instanceof Uint8Array ? maps.photoTexture : await encodeAsSrgb(maps.photoTexture), "image/png"));
  }
  if (debugMaps) for (const d of maps.debug ?? []) files.push(file(`maps/${d.name}.png`, await encodeDebugMap(d), "image/png"));
  return files;
}

function encodeDebugMap(d: DebugMap): Promise<Uint8Array> {
  if (!/^[a-z0-9_]+$/.test(d.name)) throw new Error(`package: debug map name "${d.name}" must be lower-case letters, digits and _`);
  const transfer = d.image.colorSpace === "linear" ? "srgb" : "none";
  return encodePng(d.image, { bitDepth: d.bitDepth, range: d.range ?? "unit", transfer });
}

/** report.json, and timings.json when given (kept apart: the one file that differs between runs). */
function dataFiles(input: PackageInput): OutputFile[] {
  const files = [file(REPORT_FILE, text(stableJson(input.report)), "application/json")];
  if (input.timings) files.push(file(TIMINGS_FILE, text(stableJson({ note: "wall-clock times and memory: the one output that differs between identical runs", stages: input.timings })), "application/json"));
  return files;
}

function sortedByName(files: OutputFile[]): OutputFile[] {
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw new Error(`package: two outputs named ${f.name}`);
    names.add(f.name);
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
