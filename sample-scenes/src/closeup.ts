/**
 * Close-up scene (issue 15): nose and cheek seen from ≈ 10 cm under a grazing key light, where
 * N_S's pores and lines show in the highlight, with a slider for the detail strength (the normal
 * map's level: 0 = the mesh's own normals, the flat control of the browser test).
 */
import { ArcRotateCamera, Color3, Ray, Vector3, VertexBuffer } from "@babylonjs/core";
import type { PBRMaterial, Scene } from "@babylonjs/core";
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
  /**
   * Where to look instead, as a point of the skin atlas (u right, v down, 0..1): the skin vertex
   * nearest it in UV, seen along a direction `viewAngleRad` off its normal and lit from
   * `lightAngleRad` off the normal on the other side (mirror angles put the highlight there).
   */
  anchorUv?: [number, number] | null;
  /** Camera's angle from the anchor's normal, radians (with anchorUv). */
  viewAngleRad?: number;
  /** Key light's angle from the anchor's normal, radians, opposite the camera (with anchorUv): grazing. */
  lightAngleRad?: number;
}

export const CLOSEUP_DEFAULTS: Required<CloseupOptions> = {
  distanceM: 0.1,
  sideOffsetM: 0.018,
  fovRad: 0.45,
  keyDirection: [1, -0.15, -0.3],
  anchorUv: null,
  viewAngleRad: (55 * Math.PI) / 180,
  lightAngleRad: (65 * Math.PI) / 180,
};

/** World position and unit normal of the skin vertex whose UV is nearest `uv`, or null. */
function anchorPoint(head: LoadedHead, uv: [number, number]): { position: Vector3; normal: Vector3 } | null {
  let best: { position: Vector3; normal: Vector3 } | null = null, bestD = Infinity;
  for (const mesh of head.meshes) {
    if (!head.skin.includes(mesh.material as PBRMaterial)) continue;
    const uvs = mesh.getVerticesData(VertexBuffer.UVKind), pos = mesh.getVerticesData(VertexBuffer.PositionKind), nor = mesh.getVerticesData(VertexBuffer.NormalKind);
    if (!uvs || !pos || !nor) continue;
    const world = mesh.computeWorldMatrix(true);
    for (let i = 0; i < uvs.length / 2; i++) {
      const d = (uvs[2 * i] - uv[0]) ** 2 + (uvs[2 * i + 1] - uv[1]) ** 2;
      if (d >= bestD) continue;
      bestD = d;
      best = {
        position: Vector3.TransformCoordinates(new Vector3(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]), world),
        normal: Vector3.TransformNormal(new Vector3(nor[3 * i], nor[3 * i + 1], nor[3 * i + 2]), world).normalize(),
      };
    }
  }
  return best;
}

/** Camera and key light about an anchor: camera `view` off the normal to one side, light `light` off it to the other. */
function aimAtAnchor(camera: ArcRotateCamera, rig: LightingRig, head: LoadedHead, anchor: { position: Vector3; normal: Vector3 }, o: Required<CloseupOptions>): void {
  const n = anchor.normal;
  // The side the camera leans to: horizontal across the normal (front-back on the top of the
  // head), away from the head's centre line, so that the nose does not hide an eye or a cheek.
  const up = Math.abs(n.y) > 0.9 ? new Vector3(0, 0, 1) : Vector3.Up();
  let side = Vector3.Cross(up, n).normalize();
  if (Vector3.Dot(side, anchor.position.subtract(head.center)) < 0) side = side.scale(-1);
  const toCamera = n.scale(Math.cos(o.viewAngleRad)).add(side.scale(Math.sin(o.viewAngleRad)));
  const toLight = n.scale(Math.cos(o.lightAngleRad)).subtract(side.scale(Math.sin(o.lightAngleRad)));
  camera.setTarget(anchor.position);
  camera.setPosition(anchor.position.add(toCamera.scale(o.distanceM)));
  rig.key.direction.copyFrom(toLight.scale(-1));
}

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
  /** Looks at another point of the skin atlas (u right, v down), as `anchorUv` does. */
  aim(uv: [number, number]): void;
}

/** Sets up the close-up camera and light. */
export function closeup(scene: Scene, head: LoadedHead, rig: LightingRig, options: CloseupOptions = {}): CloseupControls {
  const o = { ...CLOSEUP_DEFAULTS, ...options };
  const camera = scene.activeCamera as ArcRotateCamera;
  camera.fov = o.fovRad;
  camera.lowerRadiusLimit = o.distanceM * 0.3;
  camera.minZ = 0.005;
  const aim = (uv: [number, number]) => {
    const anchor = anchorPoint(head, uv);
    if (!anchor) throw new Error(`close-up: no skin vertex near UV ${uv.join(", ")}`);
    aimAtAnchor(camera, rig, head, anchor, o);
  };
  if (o.anchorUv) aim(o.anchorUv);
  else {
    // Beside the nose, on the cheek: from the nose tip, sideways and a little down.
    const tip = noseTip(scene, head) ?? head.center;
    const target = frontPoint(scene, head, tip.x - head.center.x + o.sideOffsetM, tip.y - head.center.y - 0.01) ?? tip;
    camera.setTarget(target);
    camera.radius = o.distanceM;
    camera.alpha = Math.PI / 2 + (o.sideOffsetM > 0 ? 0.45 : -0.45); // from the cheek's side, the nose in the frame's edge
    camera.beta = Math.PI / 2.1;
    rig.key.direction.copyFrom(new Vector3(...o.keyDirection).normalize());
  }
  // The grazing key light carries the picture: the environment only fills the shadows.
  scene.environmentIntensity = 0.25;
  const albedo = new Map(head.skin.map((m) => [m, m.albedoTexture]));
  return {
    aim,
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
