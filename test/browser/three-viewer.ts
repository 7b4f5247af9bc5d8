/**
 * A bare three.js viewer for the browser test three.test.ts (bundled by esbuild at test time, not
 * shipped): GLTFLoader with three's own meshopt decoder (EXT_meshopt_compression), its built-in
 * EXT_texture_webp and its KTX2Loader (KHR_texture_basisu) with the Basis transcoder the `three`
 * package ships (examples/jsm/libs/basis/, served beside the page under basis/), one key light and
 * an environment-free hemisphere light, one frame per call.
 */
import * as THREE from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { KTX2Loader } from "three/examples/jsm/loaders/KTX2Loader.js";
import { MeshoptDecoder } from "three/examples/jsm/libs/meshopt_decoder.module.js";

export interface ThreeLoadReport {
  /** Mesh names in scene order (LOD levels included when the loader keeps them). */
  meshes: string[];
  /** Morph target count per mesh. */
  morphTargets: Record<string, number>;
  /** Node names directly under the scene's root node. */
  parts: string[];
  /** Morph target count per mesh as the file declares it (first primitive's `targets`). */
  declaredMorphTargets: Record<string, number>;
  /** glTF extensions the file uses. */
  extensionsUsed: string[];
  /** GPU formats of the loaded textures (three's format constants; 1023 is RGBA, compressed formats are larger). */
  textureFormats: number[];
}

declare global {
  interface Window {
    threeViewer: { load(url: string): Promise<ThreeLoadReport>; render(azimuth: number): void };
  }
}

const canvas = document.getElementById("view") as HTMLCanvasElement;
const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
renderer.setClearColor(0x4a4a50);
const scene = new THREE.Scene();
scene.add(new THREE.HemisphereLight(0xffffff, 0x404040, 1.5));
const key = new THREE.DirectionalLight(0xffffff, 2.5);
key.position.set(0.4, 0.5, 1);
scene.add(key);
const camera = new THREE.PerspectiveCamera(30, canvas.width / canvas.height, 0.01, 100);
let center = new THREE.Vector3();
let radius = 1;

window.threeViewer = {
  async load(url) {
    const ktx2 = new KTX2Loader().setTranscoderPath("basis/").detectSupport(renderer);
    const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).setKTX2Loader(ktx2);
    const gltf = await loader.loadAsync(url);
    scene.add(gltf.scene);
    const box = new THREE.Box3().setFromObject(gltf.scene);
    center = box.getCenter(new THREE.Vector3());
    radius = box.getSize(new THREE.Vector3()).length() / 2;
    const meshes: string[] = [];
    const morphTargets: Record<string, number> = {};
    const textureFormats = new Set<number>();
    gltf.scene.traverse((o) => {
      if (!(o as THREE.Mesh).isMesh) return;
      const mesh = o as THREE.Mesh;
      meshes.push(mesh.name);
      for (const value of Object.values(mesh.material as unknown as Record<string, unknown>)) if (value instanceof THREE.Texture) textureFormats.add(value.format);
      morphTargets[mesh.name] = Object.values(mesh.geometry.morphAttributes).reduce((n, list) => Math.max(n, list.length), 0);
    });
    const root = gltf.scene.children.length === 1 ? gltf.scene.children[0] : gltf.scene;
    const json = gltf.parser.json as { extensionsUsed?: string[]; meshes?: { name?: string; primitives: { targets?: unknown[] }[] }[] };
    const declaredMorphTargets = Object.fromEntries((json.meshes ?? []).map((m) => [m.name ?? "", m.primitives[0]?.targets?.length ?? 0]));
    return { meshes, morphTargets, declaredMorphTargets, parts: root.children.map((c) => c.name), extensionsUsed: json.extensionsUsed ?? [], textureFormats: [...textureFormats].sort() };
  },
  render(azimuth) {
    const d = (1.1 * radius) / Math.sin(((camera.fov / 2) * Math.PI) / 180); // the bounding sphere fits the frame
    camera.position.set(center.x + d * Math.sin(azimuth), center.y, center.z + d * Math.cos(azimuth));
    camera.lookAt(center);
    renderer.render(scene, camera);
  },
};
