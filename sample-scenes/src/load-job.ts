/**
 * Loads a job's head into a scene: `head.babylon` (skin material with the N_D plugin, SSS profile
 * restored from metadata) from a job URL, e.g. `/v1/jobs/<id>/files/` or any static directory.
 */
import { ArcRotateCamera, Engine, MeshoptCompression, Scene, SceneLoader, Vector3, Color4 } from "@babylonjs/core";
import "@babylonjs/loaders/glTF/2.0/index.js";
import { registerSkinGltfExtension } from "../../materials/gltf-diffuse-normal-babylon.ts";
import type { AbstractMesh, PBRMaterial } from "@babylonjs/core";
import { registerSkinMaterialPlugin } from "../../materials/diffuse-normal-plugin.ts";
import { followSceneImageProcessing, restoreSkinMaterials } from "../../materials/skin-material.ts";
import { HEAD_FILES } from "../../materials/map-files.ts";
import { keepInnerPartsBehindSkin } from "../../materials/eye-depth.ts";
import { useBasisKtx2Decoder } from "../../materials/ktx2-decoder-babylon.ts";

export interface LoadedHead {
  meshes: AbstractMesh[];
  skin: PBRMaterial[];
  /** Centre and radius of the head's bounding sphere, world units (metres). */
  center: Vector3;
  radius: number;
}

/** The job URL from `?job=`, always ending in "/". */
export function jobUrlFromLocation(): string {
  const job = new URLSearchParams(location.search).get("job");
  if (!job) throw new Error("no job: open this page with ?job=/v1/jobs/<id>/files/ (or a folder holding head.babylon and maps/)");
  return job.endsWith("/") ? job : job + "/";
}

export function createEngineAndScene(canvas: HTMLCanvasElement): { engine: Engine; scene: Scene } {
  const engine = new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true, antialias: true });
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.12, 0.12, 0.13, 1);
  window.addEventListener("resize", () => engine.resize());
  return { engine, scene };
}

/** `?glb=<file>`: load that GLB of the job (any --target) instead of head.babylon. */
export function glbFromLocation(): string | null {
  return new URLSearchParams(location.search).get("glb");
}

/** Decoders come with the scenes (build-scenes copies them from node_modules), never from a CDN. */
const MESHOPT_DECODER_URL = "./decoders/meshopt_decoder.js";
/** Binomial's Basis Universal transcoder (its .wasm beside it), for KHR_texture_basisu. */
const BASIS_TRANSCODER_URL = "./decoders/basis_transcoder.js";

export async function loadHead(scene: Scene, jobUrl: string, glb: string | null = null): Promise<LoadedHead> {
  registerSkinMaterialPlugin();
  registerSkinGltfExtension();
  MeshoptCompression.Configuration = { decoder: { url: new URL(MESHOPT_DECODER_URL, location.href).href } };
  useBasisKtx2Decoder(new URL(BASIS_TRANSCODER_URL, location.href).href);
  const result = await SceneLoader.ImportMeshAsync("", jobUrl, glb ?? HEAD_FILES.babylon, scene);
  // A GLB's skin material is set up by the loader extension; head.babylon's is restored here.
  const skin = glb ? scene.materials.filter((m): m is PBRMaterial => m.name === "skin") : restoreSkinMaterials(scene, { rootUrl: jobUrl });
  const meshes = result.meshes.filter((m) => m.getTotalVertices() > 0);
  for (const m of meshes) if (m.material) followSceneImageProcessing(m.material); // the eyes too
  keepInnerPartsBehindSkin(scene); // GLBs and heads saved before head.babylon carried it
  if (meshes.length === 0) throw new Error(`${jobUrl}${HEAD_FILES.babylon} holds no mesh`);
  let min = new Vector3(Infinity, Infinity, Infinity), max = new Vector3(-Infinity, -Infinity, -Infinity);
  for (const m of meshes) {
    m.computeWorldMatrix(true);
    const b = m.getBoundingInfo().boundingBox;
    min = Vector3.Minimize(min, b.minimumWorld);
    max = Vector3.Maximize(max, b.maximumWorld);
  }
  return { meshes, skin, center: min.add(max).scale(0.5), radius: max.subtract(min).length() / 2 };
}

/** Orbit camera framing the head from the front (+Z in Babylon after the glTF conversion). */
export function frameHead(scene: Scene, head: LoadedHead, canvas: HTMLCanvasElement): ArcRotateCamera {
  const camera = new ArcRotateCamera("camera", Math.PI / 2, Math.PI / 2.1, head.radius * 2.4, head.center, scene);
  camera.minZ = head.radius * 0.05; // metres: the default 1 would clip the whole head
  camera.maxZ = head.radius * 100;
  camera.lowerRadiusLimit = head.radius * 1.2;
  camera.wheelPrecision = 200 / head.radius;
  camera.attachControl(canvas, true);
  return camera;
}
