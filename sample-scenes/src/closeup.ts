/**
 * Close-up scene (issue 15): nose and cheek seen from ≈ 10 cm under a grazing key light, where
 * N_S's pores and lines show in the highlight, with a slider for the detail strength (the normal
 * map's level: 0 = the mesh's own normals, the flat control of the browser test).
 */
import { ArcRotateCamera, Color3, Ray, Vector3 } from "@babylonjs/core";
import type { Scene } from "@babylonjs/core";
import type { LightingRig } from "../../materials/presets.ts";
import type { LoadedHead } from "./load-job.ts";

export interface CloseupOptions {
  /** Camera distance to the skin, metres. */
  distanceM?: number;
  /** Where to look: offset from the head's centre line toward the viewer's right (the cheek beside the nose), metres. */
  sideOffsetM?: number;
  /** Vertical field of view, radians (0.45: about 4.5 cm of skin across the frame at 10 cm, like a macro lens). */
  fovRad?: number;
  /** Key light direction (travel), grazing across the face from the viewer's right. */
  keyDirection?: [number, number, number];
}

export const CLOSEUP_DEFAULTS: Required<CloseupOptions> = {
  distanceM: 0.1,
  sideOffsetM: 0.018,
  fovRad: 0.45,
  keyDirection: [1, -0.15, -0.3],
};

/** The surface point straight ahead of the face at (x, y) offsets from the head's centre, or null. */
function frontPoint(scene: Scene, head: LoadedHead, dx: number, dy: number): Vector3 | null {
  const origin = head.center.add(new Vector3(dx, dy, head.radius * 3));
  const hit = scene.pickWithRay(new Ray(origin, new Vector3(0, 0, -1), head.radius * 6), (m) => head.meshes.includes(m));
  return hit?.hit && hit.pickedPoint ? hit.pickedPoint : null;
}

/** The nose tip: the front-most surface point over a grid in front of the face (the face looks along +Z). */
function noseTip(scene: Scene, head: LoadedHead): Vector3 | null {
  let best: Vector3 | null = null;
  const r = head.radius;
  for (let i = -6; i <= 6; i++) {
    for (let j = -8; j <= 8; j++) {
      const p = frontPoint(scene, head, (i * r) / 40, (j * r) / 40);
      if (p && (!best || p.z > best.z)) best = p;
    }
  }
  return best;
}

export interface CloseupControls {
  /** N_S's strength: the normal map's level (0 = flat, the mesh's own normals). */
  setDetail(strength: number): void;
  /** Relief only: a uniform skin colour instead of A_D, so that what varies is N_S and A_S alone. */
  setReliefOnly(on: boolean): void;
}

/** Sets up the close-up camera and light. */
export function closeup(scene: Scene, head: LoadedHead, rig: LightingRig, options: CloseupOptions = {}): CloseupControls {
  const o = { ...CLOSEUP_DEFAULTS, ...options };
  // Beside the nose, on the cheek: from the nose tip, sideways and a little down.
  const tip = noseTip(scene, head) ?? head.center;
  const target = frontPoint(scene, head, tip.x - head.center.x + o.sideOffsetM, tip.y - head.center.y - 0.01) ?? tip;
  const camera = scene.activeCamera as ArcRotateCamera;
  camera.setTarget(target);
  camera.radius = o.distanceM;
  camera.fov = o.fovRad;
  camera.lowerRadiusLimit = o.distanceM * 0.3;
  camera.minZ = 0.005;
  camera.alpha = Math.PI / 2 + (o.sideOffsetM > 0 ? 0.45 : -0.45); // from the cheek's side, the nose in the frame's edge
  camera.beta = Math.PI / 2.1;
  // The grazing key light carries the picture: the environment only fills the shadows.
  scene.environmentIntensity = 0.25;
  rig.key.direction.copyFrom(new Vector3(...o.keyDirection).normalize());
  const albedo = new Map(head.skin.map((m) => [m, m.albedoTexture]));
  return {
    setDetail(strength: number) {
      for (const m of head.skin) if (m.bumpTexture) m.bumpTexture.level = strength;
    },
    setReliefOnly(on: boolean) {
      for (const m of head.skin) {
        m.albedoTexture = on ? null : (albedo.get(m) ?? null);
        // Mean facial skin albedo (Xiao et al. 2017, linear), the same as σ's profile weighting.
        m.albedoColor = on ? new Color3(0.399, 0.231, 0.165) : new Color3(1, 1, 1);
      }
    },
  };
}
