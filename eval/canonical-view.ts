/**
 * Canonical views of a reconstructed head, for comparing reconstructions of one person across
 * photos: every head is drawn by our skin renderer (eval/shade-skin.ts) from the same viewpoints
 * relative to its own face, at the same framing, under the same studio light.
 *
 * The face frame comes from the fitted head's landmark vertices, so it does not depend on how the
 * fit placed the head: "left" runs from the subject's right eye centre to the left one, "up" from
 * the mouth corners' midpoint to the eyes' (made perpendicular to "left"), "forward" = left × up
 * (out of the face). The camera looks at the point halfway between the eyes' and the mouth's
 * midpoints from a distance that makes the eye centres a fixed share of the image apart, so the
 * face fills every render alike whatever the head's size. A turned view moves the camera round
 * the face's up axis toward the subject's left (as the strips' 45° view does). The light is
 * `studioLighting` fixed to the camera (a turntable: the head turns, camera and lights stay).
 */
import { rowSlot } from "../src/geometry/uv-atlas.ts";
import { add, cross, dot, length, scale, sub, unitByDivision, type Vec3 } from "../src/primitives/vec3.ts";
import * as T from "../src/primitives/face-topology.ts";
import { srgbToLinear } from "../src/primitives/color.ts";
import { lookAtCamera, projectToScreen } from "../src/render/camera.ts";
import { LANDMARK_COUNT, type Camera, type ImageF32, type Landmarks, type Mesh } from "../src/types.ts";
import { compositeOver, renderSkin, studioLighting, type SkinMaps } from "./shade-skin.ts";

export interface CanonicalViewOptions {
  /** Side of the square render, pixels. */
  size?: number;
  /** Vertical field of view, degrees (20° ≈ a 70 mm portrait lens on full frame). */
  fovYDeg?: number;
  /** Distance between the eye centres as a share of the image side (0.16: the face large, the crown and chin inside the frame). */
  interocularShare?: number;
  /** Supersampling factor per axis (anti-aliasing). */
  supersample?: number;
  /** Background, sRGB grey level 0..1 (the strips' studio views use the same). */
  background?: number;
}

export const CANONICAL_VIEW_DEFAULTS: Required<CanonicalViewOptions> = { size: 512, fovYDeg: 20, interocularShare: 0.16, supersample: 2, background: 0.16 };

/** The canonical views: frontal, and turned 30° toward the subject's left, degrees. */
export const CANONICAL_TURNS_DEG = [0, 30] as const;

/** A frame fixed to the face, world metres and unit vectors. */
export interface FaceFrame {
  /** Halfway between the eye centres' midpoint and the mouth corners' midpoint. */
  centre: Vec3;
  /** Toward the subject's left. */
  left: Vec3;
  /** Toward the top of the head, perpendicular to `left`. */
  up: Vec3;
  /** Out of the face: left × up. */
  forward: Vec3;
  /** Distance between the eye centres, metres. */
  interocularM: number;
}

const vertexAt = (positions: ArrayLike<number>, v: number): Vec3 => [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]];
const mid = (a: Vec3, b: Vec3): Vec3 => scale(add(a, b), 0.5);

/** The face frame of a head from its landmark vertices (MediaPipe numbering, LANDMARK_COUNT of them). */
export function faceFrame(positions: ArrayLike<number>, landmarkVertices: ArrayLike<number>): FaceFrame {
  if (landmarkVertices.length < T.MESH_LANDMARK_COUNT) throw new Error(`faceFrame: ${landmarkVertices.length} landmark vertices, ${T.MESH_LANDMARK_COUNT} expected`);
  const p = (i: number) => vertexAt(positions, landmarkVertices[i]);
  const eyeRight = mid(p(T.RIGHT_EYE_OUTER), p(T.RIGHT_EYE_INNER));
  const eyeLeft = mid(p(T.LEFT_EYE_INNER), p(T.LEFT_EYE_OUTER));
  const eyes = mid(eyeRight, eyeLeft);
  const mouth = mid(p(T.MOUTH_RIGHT), p(T.MOUTH_LEFT));
  const across = sub(eyeLeft, eyeRight);
  const left = unitByDivision(across, "faceFrame: the eye centres coincide");
  const rise = sub(eyes, mouth);
  const up = unitByDivision(sub(rise, scale(left, dot(rise, left))), "faceFrame: the mouth lies on the eye line");
  return { centre: mid(eyes, mouth), left, up, forward: cross(left, up), interocularM: length(across) };
}

/**
 * The camera of a canonical view: `turnDeg` round the face's up axis toward the subject's left,
 * looking at the face centre, at the distance that puts the eye centres `interocularShare` of the
 * image apart in the frontal view.
 */
export function canonicalCamera(frame: FaceFrame, turnDeg: number, options: CanonicalViewOptions = {}): Camera {
  const o = { ...CANONICAL_VIEW_DEFAULTS, ...options };
  const focalPx = o.size / 2 / Math.tan((o.fovYDeg * Math.PI) / 360);
  const distance = (frame.interocularM * focalPx) / (o.interocularShare * o.size);
  const t = (turnDeg * Math.PI) / 180;
  const toward = add(scale(frame.forward, Math.cos(t)), scale(frame.left, Math.sin(t)));
  return lookAtCamera({ eye: add(frame.centre, scale(toward, distance)), target: frame.centre, up: frame.up, fovYDeg: o.fovYDeg, width: o.size, height: o.size });
}

/**
 * The head's landmark vertices projected by `camera`, as a Landmarks array (x, y in pixels, z the
 * distance along the view axis), so eval/identity.ts aligns a render's face by the head's own
 * points rather than by the photo's.
 */
export function projectedLandmarks(camera: Camera, positions: ArrayLike<number>, landmarkVertices: ArrayLike<number>): Landmarks {
  const points = new Float32Array(LANDMARK_COUNT * 3);
  for (let i = 0; i < Math.min(LANDMARK_COUNT, landmarkVertices.length); i++) points.set(vertexAt(positions, landmarkVertices[i]), 3 * i);
  return projectToScreen(camera, points);
}

/**
 * A_D with the eyeballs' discs (the atlas row's first and last slots) taken from the eyes' map
 * (pipeline/eyes.ts, the same atlas layout, sRGB codes), so the render has the person's irises
 * instead of whatever skin completion left in those texels, as the GLB's eye material does.
 * Nearest texel; the albedo sRGB or linear (the codes are decoded for a linear one).
 */
export function albedoWithEyes(albedo: ImageF32, eyes: { width: number; height: number; codes: Uint8Array }): ImageF32 {
  if ((albedo.colorSpace !== "srgb" && albedo.colorSpace !== "linear") || albedo.channels !== 3) throw new Error("albedoWithEyes: the albedo must be 3-channel sRGB or linear");
  const decode = albedo.colorSpace === "linear" ? (code: number) => srgbToLinear(code / 255) : (code: number) => code / 255;
  const data = new Float32Array(albedo.data);
  const { width: W, height: H } = albedo;
  for (const slot of [0, 4] as const) {
    const [u0, v0] = rowSlot(slot, [0, 0]);
    const [u1, v1] = rowSlot(slot, [1, 1]);
    for (let y = Math.floor(v0 * H); y < Math.min(H, Math.ceil(v1 * H)); y++) {
      const ey = Math.min(eyes.height - 1, Math.floor(((y + 0.5) / H) * eyes.height));
      for (let x = Math.floor(u0 * W); x < Math.min(W, Math.ceil(u1 * W)); x++) {
        const ex = Math.min(eyes.width - 1, Math.floor(((x + 0.5) / W) * eyes.width));
        for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = decode(eyes.codes[(ey * eyes.width + ex) * 3 + c]);
      }
    }
  }
  return { ...albedo, data };
}

/** One canonical view: the sRGB render over the grey background and the head's landmarks in it. */
export interface CanonicalView {
  turnDeg: number;
  image: ImageF32;
  landmarks: Landmarks;
}

/**
 * Renders `mesh` with its maps in every canonical view (CANONICAL_TURNS_DEG).
 *
 *   const [front, turned] = canonicalViews(fit.mesh, fit.head.landmarkVertices, maps);
 */
export function canonicalViews(mesh: Mesh, landmarkVertices: ArrayLike<number>, maps: SkinMaps, options: CanonicalViewOptions = {}): CanonicalView[] {
  const o = { ...CANONICAL_VIEW_DEFAULTS, ...options };
  const frame = faceFrame(mesh.positions, landmarkVertices);
  return CANONICAL_TURNS_DEG.map((turnDeg) => {
    const camera = canonicalCamera(frame, turnDeg, o);
    const render = renderSkin(mesh, camera, maps, studioLighting(camera.rotation), { supersample: o.supersample });
    const background: ImageF32 = { width: o.size, height: o.size, channels: 3, data: new Float32Array(o.size * o.size * 3).fill(o.background), colorSpace: "srgb" };
    return { turnDeg, image: compositeOver(render, background), landmarks: projectedLandmarks(camera, mesh.positions, landmarkVertices) };
  });
}
