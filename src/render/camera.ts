/**
 * Cameras for the software renderer, in the pinhole model of `Camera` (src/types.ts): camera space
 * has x right, y up and looks down −Z; a world point p goes to R·p + t and lands on pixel
 * (cx + fx·X/(−Z), cy − fy·Y/(−Z)). Pixel (i, j) covers [i, i+1) × [j, j+1), so its centre is at
 * (i + 0.5, j + 0.5).
 */
import { cross, unitByDivision } from "../primitives/vec3.ts";
import type { Camera } from "../types.ts";

/** Points closer to the camera plane than this are treated as behind it, metres. */
export const NEAR_DISTANCE_M = 1e-3;

export type Vec3 = readonly [number, number, number];

export interface LookAtOptions {
  /** Camera position, world metres. */
  eye: Vec3;
  /** Point the camera looks at, world metres. */
  target: Vec3;
  /** World direction that appears up in the image (need not be orthogonal to the view). */
  up?: Vec3;
  /** Vertical field of view, degrees. */
  fovYDeg: number;
  /** Image size, pixels. */
  width: number;
  height: number;
}

const normalize = (v: ArrayLike<number>) => unitByDivision(v, "camera: zero-length direction");

/**
 * A square-pixel pinhole camera at `eye` looking at `target`, principal point at the image centre.
 *
 *   const cam = lookAtCamera({ eye: [0, 0, 0.6], target: [0, 0, 0], fovYDeg: 25, width: 512, height: 512 });
 */
export function lookAtCamera(options: LookAtOptions): Camera {
  const { eye, target, up = [0, 1, 0], fovYDeg, width, height } = options;
  const forward = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
  let right = cross(forward, [...up]);
  // Looking straight along `up`: any perpendicular will do; pick world −Z as the image's up.
  if (Math.hypot(right[0], right[1], right[2]) < 1e-9) right = cross(forward, [0, 0, -1]);
  right = normalize(right);
  const camUp = cross(right, forward);
  const rotation = new Float64Array([...right, ...camUp, -forward[0], -forward[1], -forward[2]]);
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    translation[r] = -(rotation[3 * r] * eye[0] + rotation[3 * r + 1] * eye[1] + rotation[3 * r + 2] * eye[2]);
  }
  const f = height / 2 / Math.tan((fovYDeg * Math.PI) / 360);
  return { width, height, fx: f, fy: f, cx: width / 2, cy: height / 2, rotation, translation };
}

/**
 * Projects world positions (xyz per vertex) to screen: x, y in pixels and w = distance along the
 * view axis (−Z, metres) per vertex. Vertices behind the near plane get w = NaN.
 */
export function projectToScreen(camera: Camera, positions: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = Math.floor(positions.length / 3);
  const screen = out ?? new Float32Array(n * 3);
  const r = camera.rotation;
  const t = camera.translation;
  for (let v = 0; v < n; v++) {
    const x = positions[3 * v], y = positions[3 * v + 1], z = positions[3 * v + 2];
    const cx = r[0] * x + r[1] * y + r[2] * z + t[0];
    const cy = r[3] * x + r[4] * y + r[5] * z + t[1];
    const cz = r[6] * x + r[7] * y + r[8] * z + t[2];
    const w = -cz;
    if (w > NEAR_DISTANCE_M) {
      screen[3 * v] = camera.cx + (camera.fx * cx) / w;
      screen[3 * v + 1] = camera.cy - (camera.fy * cy) / w;
      screen[3 * v + 2] = w;
    } else {
      screen[3 * v] = NaN;
      screen[3 * v + 1] = NaN;
      screen[3 * v + 2] = NaN;
    }
  }
  return screen;
}

/** The camera's position in world space: −Rᵀ·t. */
export function cameraCentre(camera: Camera): [number, number, number] {
  const r = camera.rotation;
  const t = camera.translation;
  return [
    -(r[0] * t[0] + r[3] * t[1] + r[6] * t[2]),
    -(r[1] * t[0] + r[4] * t[1] + r[7] * t[2]),
    -(r[2] * t[0] + r[5] * t[1] + r[8] * t[2]),
  ];
}
