/**
 * What the identity-set and resolution-ladder evaluations keep of one reconstruction: the
 * canonical renders (eval/canonical-view.ts) and their identity descriptors, the photo's own
 * descriptor, and the fitted head's vertex positions with their surface weights
 * (eval/shape-consistency.ts). Everything else of the stage results can be dropped after this.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { encodePng } from "../src/image/encode.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { reconstruct } from "../src/pipeline/reconstruct.ts";
import type { ImageF32, Logger, Preset, StageResults } from "../src/types.ts";
import { albedoWithEyes, canonicalViews, type CanonicalView } from "./canonical-view.ts";
import { jobMouthParts } from "./rerender.ts";
import { alignedFace, faceEmbeddings } from "./identity.ts";
import { shapeVertexSets, vertexAreas, type ShapeVertexSets } from "./shape-consistency.ts";
import type { SkinMaps } from "./shade-skin.ts";
import { cropPanel, faceWindow } from "./strip.ts";

/** The stages a head's measures read. */
export type HeadStages = Pick<StageResults, "capture" | "fit" | "unwrap" | "delight" | "specular" | "normals" | "eyes">;

/** The fitted head's shape, as shape-consistency compares it. */
export interface HeadShape {
  positions: Float32Array;
  areas: Float64Array;
  sets: ShapeVertexSets;
}

export interface HeadMeasures {
  shape: HeadShape;
  /** The canonical views (frontal, turned), sRGB renders with the head's projected landmarks. */
  views: CanonicalView[];
  /** Identity descriptors of the views, in CANONICAL_TURNS_DEG order. */
  viewDescriptors: Float32Array[];
  /** Identity descriptor of the photo's face (aligned by the photo's landmarks). */
  photoDescriptor: Float32Array;
  /** The photo's face window (eval/strip.ts faceWindow), side × side sRGB. */
  photoPanel: ImageF32;
}

/** Throws naming the first stage that reported no result. */
export function requireStages(stages: Partial<StageResults>): HeadStages {
  for (const k of ["capture", "fit", "unwrap", "delight", "specular", "normals", "eyes"] as const) {
    if (!stages[k]) throw new Error(`the ${k} stage reported no result`);
  }
  return stages as HeadStages;
}

/** The fitted head's vertices, the skin and face sets, and the surface weights. */
export function headShape(fit: StageResults["fit"]): HeadShape {
  return { positions: fit.mesh.positions, areas: vertexAreas(fit.mesh.positions, fit.mesh.indices), sets: shapeVertexSets(fit.mesh, fit.head.parts) };
}

/** Renders the canonical views and takes the identity descriptors of them and of the photo. */
export async function headMeasures(s: HeadStages, panelSize = 256): Promise<HeadMeasures> {
  const maps = headSkinMaps(s);
  const views = canonicalViews(s.fit.mesh, s.fit.head.landmarkVertices, maps);
  const photo = s.capture.image;
  const [photoDescriptor, ...viewDescriptors] = await faceEmbeddings([alignedFace(photo, s.capture.landmarks), ...views.map((v) => alignedFace(v.image, v.landmarks))]);
  return { shape: headShape(s.fit), views, viewDescriptors, photoDescriptor, photoPanel: cropPanel(photo, faceWindow(s.capture.landmarks), panelSize) };
}

/** The head's maps as the canonical views draw them: A_D with the eyes' irises, the mouth parts plain. */
export function headSkinMaps(s: HeadStages): SkinMaps {
  return {
    albedoDiffuse: albedoWithEyes(s.delight.albedo, s.eyes.texture),
    albedoSpecular: s.specular.specularAlbedo,
    normalsDiffuse: s.normals.normalsDiffuse,
    normalsSpecular: s.normals.normalsSpecular,
    ambientOcclusion: s.unwrap.ambientOcclusion,
    plainParts: jobMouthParts(s, s.fit.mesh),
  };
}

/**
 * Runs the whole pipeline on one photo and collects every stage's result. A failure is returned,
 * not thrown, with whatever stages ran before it.
 */
export async function reconstructStages(bytes: Uint8Array, preset: Preset, logger?: Logger): Promise<{ stages: Partial<StageResults>; failure: string | null }> {
  const stages: Partial<StageResults> = {};
  try {
    await reconstruct(bytes, { preset, face: 0, formats: ["glb"] }, {
      logger,
      onStageResult: <S extends keyof StageResults>(stage: S, value: StageResults[S]) => {
        stages[stage] = value;
      },
    });
    return { stages, failure: null };
  } catch (err) {
    return { stages, failure: (err as Error).message ?? String(err) };
  }
}

/** A file-name-safe form of a person or photo name. */
export const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** Writes the photo panel and the canonical renders as `<base>-photo.png`, `<base>-turn<deg>.png` under outDir; returns their paths relative to it. */
export async function writeHeadImages(outDir: string, base: string, m: HeadMeasures): Promise<{ photo: string; views: string[] }> {
  await mkdir(path.join(outDir, path.dirname(base)), { recursive: true });
  const files = [`${base}-photo.png`, ...m.views.map((v) => `${base}-turn${v.turnDeg}.png`)];
  const images = [m.photoPanel, ...m.views.map((v) => v.image)];
  for (const [i, file] of files.entries()) await writeFileAtomic(path.join(outDir, file), await encodePng(images[i]), { durable: false });
  return { photo: files[0], views: files.slice(1) };
}
