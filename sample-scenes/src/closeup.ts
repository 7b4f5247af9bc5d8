/**
 * Close-up scene (issue 15): nose and cheek seen from ≈ 10 cm under a grazing key light, where
 * N_S's pores and lines show in the highlight, with a slider for the detail strength (the normal
 * map's level: 0 = the mesh's own normals, the flat control of the browser test).
 */
import { ArcRotateCamera, Ray, Vector3 } from "@babylonjs/core";
import type { Scene } from "@babylonjs/core";
import type { LightingRig } from "../../materials/presets.ts";
import type { LoadedHead } from "./load-job.ts";

export interface CloseupOptions {
  /** Camera distance to the skin, metres. */
  distanceM?: number;
  /** Where to look: offset from the head's centre line toward the viewer's right (the cheek beside the nose), metres. */
  sideOffsetM?: number;
  /** Key light direction (travel), grazing across the face from the viewer's right. */
  keyDirection?: [number, number, number];
}

export const CLOSEUP_DEFAULTS: Required<CloseupOptions> = {
  distanceM: 0.1,
  sideOffsetM: 0.018,
  keyDirection: [-1, -0.15, -0.3],
};

/** The surface point straight ahead of the face at (x, y) offsets from the head's centre, or null. */
function frontPoint(scene: Scene, head: LoadedHead, dx: number, dy: number): Vector3 | null {
  const origin = head.center.add(new Vector3(dx, dy, head.radius * 3));
  const hit = scene.pickWithRay(new Ray(origin, new Vector3(0, 0, -1), head.radius * 6), (m) => head.meshes.includes(m));
  return hit?.hit && hit.pickedPoint ? hit.pickedPoint : null;
}

/** Sets up the close-up camera and light; returns a setter for the detail strength. */
export function closeup(scene: Scene, head: LoadedHead, rig: LightingRig, options: CloseupOptions = {}): (strength: number) => void {
  const o = { ...CLOSEUP_DEFAULTS, ...options };
  // Nose side and cheek: a little below the bounding box's centre (≈ the nose's height), off the midline.
  const target = frontPoint(scene, head, o.sideOffsetM, -0.02 * (head.radius / 0.12)) ?? head.center;
  const camera = scene.activeCamera as ArcRotateCamera;
  camera.setTarget(target);
  camera.radius = o.distanceM;
  camera.lowerRadiusLimit = o.distanceM * 0.3;
  camera.minZ = 0.005;
  camera.alpha = Math.PI / 2 - 0.35; // a little from the side, so the cheek faces the camera
  camera.beta = Math.PI / 2.05;
  const d = new Vector3(...o.keyDirection).normalize();
  rig.key.direction.copyFrom(d);
  return (strength: number) => {
    for (const m of head.skin) if (m.bumpTexture) m.bumpTexture.level = strength;
  };
}
