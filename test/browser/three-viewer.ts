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
  /** Morph targets with a colour delta (glTF target COLOR_0) per mesh, as three.js loaded them. */
  morphColours: Record<string, number>;
  /** Morph target count per mesh as the file declares it (first primitive's `targets`). */
  declaredMorphTargets: Record<string, number>;
  /** glTF extensions the file uses. */
  extensionsUsed: string[];
  /** GPU formats of the loaded textures (three's format constants; 1023 is RGBA, compressed formats are larger). */
  textureFormats: number[];
}

/** A close-up like the Babylon scene's (sample-scenes/src/closeup.ts), from the GLB. */
export interface ThreeCloseupOptions {
  /** Point of the skin atlas to look at (u right, v down, 0..1): the skin vertex nearest it in UV. */
  uv: [number, number];
  /** Camera distance, metres. */
  distanceM: number;
  /** Vertical field of view, degrees. */
  fovDeg: number;
  /** Camera's and key light's angles from the anchor's normal, on opposite sides, radians. */
  viewAngleRad: number;
  lightAngleRad: number;
  /** Uniform skin colour instead of the base colour map (what differs is then the normals and A_S). */
  reliefOnly: boolean;
}

declare global {
  interface Window {
    threeViewer: {
      load(url: string): Promise<ThreeLoadReport>;
      render(azimuth: number): void;
      /** Aims at a close-up and renders it; returns the anchor's world position. */
      closeup(options: ThreeCloseupOptions): [number, number, number];
      /** The skin's normal-map strength (normalScale and the clear coat's): 0 = flat, the mesh's normals. */
      setNormalScale(scale: number): void;
    };
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
const hemisphere = scene.children.find((o): o is THREE.HemisphereLight => o instanceof THREE.HemisphereLight)!;
let skin: THREE.Mesh[] = [];
/** Mean facial skin albedo (Xiao et al. 2017, linear), as the Babylon close-up's "relief only". */
const SKIN_MEAN_LINEAR: [number, number, number] = [0.399, 0.231, 0.165];

/** World position and normal of the skin vertex whose UV is nearest `uv`. */
function anchorPoint(uv: [number, number]): { position: THREE.Vector3; normal: THREE.Vector3 } {
  let best = { d: Infinity, mesh: null as THREE.Mesh | null, i: -1 };
  for (const mesh of skin) {
    const t = mesh.geometry.getAttribute("uv");
    if (!t) continue;
    for (let i = 0; i < t.count; i++) {
      const d = (t.getX(i) - uv[0]) ** 2 + (t.getY(i) - uv[1]) ** 2;
      if (d < best.d) best = { d, mesh, i };
    }
  }
  if (!best.mesh) throw new Error(`three close-up: no skin vertex near UV ${uv.join(", ")}`);
  const g = best.mesh.geometry;
  best.mesh.updateMatrixWorld(true);
  const position = new THREE.Vector3().fromBufferAttribute(g.getAttribute("position"), best.i).applyMatrix4(best.mesh.matrixWorld);
  const normal = new THREE.Vector3().fromBufferAttribute(g.getAttribute("normal"), best.i).transformDirection(best.mesh.matrixWorld);
  return { position, normal };
}

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
    const morphColours: Record<string, number> = {};
    const textureFormats = new Set<number>();
    gltf.scene.traverse((o) => {
      if (!(o as THREE.Mesh).isMesh) return;
      const mesh = o as THREE.Mesh;
      meshes.push(mesh.name);
      for (const value of Object.values(mesh.material as unknown as Record<string, unknown>)) if (value instanceof THREE.Texture) textureFormats.add(value.format);
      morphTargets[mesh.name] = Object.values(mesh.geometry.morphAttributes).reduce((n, list) => Math.max(n, list.length), 0);
      morphColours[mesh.name] = mesh.geometry.morphAttributes.color?.length ?? 0;
    });
    skin = meshes.length ? collectSkin(gltf.scene) : [];
    const root = gltf.scene.children.length === 1 ? gltf.scene.children[0] : gltf.scene;
    const json = gltf.parser.json as { extensionsUsed?: string[]; meshes?: { name?: string; primitives: { targets?: unknown[] }[] }[] };
    const declaredMorphTargets = Object.fromEntries((json.meshes ?? []).map((m) => [m.name ?? "", m.primitives[0]?.targets?.length ?? 0]));
    return { meshes, morphTargets, morphColours, declaredMorphTargets, parts: root.children.map((c) => c.name), extensionsUsed: json.extensionsUsed ?? [], textureFormats: [...textureFormats].sort() };
  },
  closeup(o) {
    const { position, normal } = anchorPoint(o.uv);
    // The camera leans sideways across the normal, away from the head's centre line; the light the other way.
    const up = Math.abs(normal.y) > 0.9 ? new THREE.Vector3(0, 0, 1) : new THREE.Vector3(0, 1, 0);
    const side = new THREE.Vector3().crossVectors(up, normal).normalize();
    if (side.dot(position.clone().sub(center)) < 0) side.negate();
    const toCamera = normal.clone().multiplyScalar(Math.cos(o.viewAngleRad)).addScaledVector(side, Math.sin(o.viewAngleRad));
    const toLight = normal.clone().multiplyScalar(Math.cos(o.lightAngleRad)).addScaledVector(side, -Math.sin(o.lightAngleRad));
    camera.fov = o.fovDeg;
    camera.near = 0.005;
    camera.updateProjectionMatrix();
    camera.position.copy(position).addScaledVector(toCamera, o.distanceM);
    camera.lookAt(position);
    key.position.copy(position).addScaledVector(toLight, 1);
    key.target.position.copy(position);
    key.target.updateMatrixWorld();
    hemisphere.intensity = 0.3; // the grazing key carries the picture
    for (const mesh of skin) {
      const m = mesh.material as THREE.MeshStandardMaterial;
      if (o.reliefOnly) {
        m.userData.map ??= m.map;
        m.map = null;
        m.color.setRGB(...SKIN_MEAN_LINEAR);
      } else if (m.userData.map) {
        m.map = m.userData.map as THREE.Texture;
        m.color.setRGB(1, 1, 1);
      }
      m.needsUpdate = true;
    }
    renderer.render(scene, camera);
    return [position.x, position.y, position.z];
  },
  setNormalScale(s) {
    for (const mesh of skin) {
      const m = mesh.material as THREE.MeshPhysicalMaterial;
      m.normalScale.set(s, s);
      if (m.clearcoatNormalScale) m.clearcoatNormalScale.set(s, s);
    }
  },
  render(azimuth) {
    const d = (1.1 * radius) / Math.sin(((camera.fov / 2) * Math.PI) / 180); // the bounding sphere fits the frame
    camera.position.set(center.x + d * Math.sin(azimuth), center.y, center.z + d * Math.cos(azimuth));
    camera.lookAt(center);
    renderer.render(scene, camera);
  },
};

/** The skin's meshes: those whose material is named "skin" (the GLB's skin material, materials/head-glb.ts). */
function collectSkin(root: THREE.Object3D): THREE.Mesh[] {
  const out: THREE.Mesh[] = [];
  root.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (mesh.isMesh && !Array.isArray(mesh.material) && mesh.material.name === "skin") out.push(mesh);
  });
  return out;
}
