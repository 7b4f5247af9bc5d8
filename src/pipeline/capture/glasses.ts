/**
 * Spectacle frames: a probability map of the frame (rims, bridge, temples) over the photo, empty
 * when the face wears none.
 *
 * A frame is a thin line of fairly constant width (dark acetate, metal wire with highlights, light
 * plastic) that closes a ring around each eye, joins the rings over the nose and runs back to the ears.
 * - Lines: a multi-scale Hessian line measure on luma (both dark valleys and light ridges):
 *   σ²·(|λ₂| − |λ₁|), the larger eigenvalue's magnitude less the smaller's (a blob or a step has both
 *   large or λ₁ ≈ λ₂ at the step's sides; a line has one), kept with its direction at the best scale.
 * - Geometry from the landmarks: rays from each eye's centre (eye-contour centroid) cross an elliptic
 *   band where a rim can be; on each ray the innermost strong line running along the ring (tangential) is the
 *   rim candidate. Vertical rays over the nose root look for the bridge (a horizontal line).
 * - The decision is made on the evidence as a whole, against the same photo's skin: a pixel is "line"
 *   when its response exceeds a high quantile of the response over the cheeks under the eyes (smooth
 *   skin, below any rim); glasses are present when most rays below the eyes (both eyes' pooled) hit a
 *   tangential line and the bridge is found. Brows, lid creases and crow's feet are lines too, but brows and creases lie
 *   above or close to the eye and crow's feet are radial: none closes the ring below both eyes.
 * - The lenses are left alone: skin seen through a clear lens is skin (slightly magnified); a strongly
 *   tinted lens is not handled here.
 */
import { blurPlane } from "../../image/box-blur.ts";
import { luma601 } from "../../primitives/color.ts";
import * as T from "../../primitives/face-topology.ts";
import type { ImageF32 } from "../../types.ts";

export interface GlassesOptions {
  /** Narrowest frame line looked for, mm (a thin metal wire; assumption: wire rims are 1–2 mm across). */
  minFrameWidthMm?: number;
  /** Widest frame line looked for, mm (assumption: acetate rims are up to ~6 mm across seen from the front). */
  maxFrameWidthMm?: number;
  /** Quantile of the cheeks' line response above which a pixel counts as a line, 0..1. */
  lineQuantile?: number;
  /** Share of the rays below the eyes (both eyes' rays pooled) that must meet a tangential line, 0..1. */
  minRimShare?: number;
  /** Share of the rays over the nose root that must meet a horizontal line for a bridge, 0..1. */
  minBridgeShare?: number;
}

export const GLASSES_DEFAULTS: Required<GlassesOptions> = {
  minFrameWidthMm: 1,
  maxFrameWidthMm: 6,
  lineQuantile: 0.99,
  minRimShare: 0.6,
  minBridgeShare: 0.4,
};

/** What was found: the map (1 channel, photo size, 0..1) and the evidence behind the decision. */
export interface SpectacleFrames {
  map: ImageF32;
  present: boolean;
  /** Per eye (right, left): share of the rays below the eye that met a rim line. */
  rimShare: [number, number];
  /** Share of the rays over the nose root that met a bridge line. */
  bridgeShare: number;
}

/** Adult mean interpupillary distance, mm ([S8] Dodgson 2004 in /work/shared/reference/head-anthropometry.md: ≈ 63). */
const IPD_MM = 63;
/**
 * Where a rim can be, as an ellipse about the eye centre in units of the IPD: lens width ("A", boxing
 * system, ISO 8624) is 40–62 mm and lens height ("B") about 25–45 mm (frame makers' size tables); the
 * pupil sits near the lens centre. Half-axes 0.4 and 0.28 IPD (A ≈ 50, B ≈ 35 mm), searched from 0.65 to
 * 1.45 of them (A 33–73 mm, B 23–51 mm).
 */
const RIM_HALF_AXES = [0.4, 0.28];
const RIM_REACH = [0.65, 1.45];
/** The bridge: over the nose root, between the lenses (DBL 14–24 mm, same tables), from 0.35 IPD above the eye line to 0.15 below. */
const BRIDGE_HALF_WIDTH = 0.1;
const BRIDGE_REACH = [-0.35, 0.15];
/** Temples leave the rims at the outer side near the eye line and run back, roughly along it: searched from 1 to 1.8 rim half-widths out, within 0.25 IPD of the eye line. */
const TEMPLE_REACH = [1.0, 1.8];
const TEMPLE_HALF_HEIGHT = 0.25;
/** Rays per eye and over the bridge. */
const RAYS_PER_EYE = 72;
const BRIDGE_RAYS = 15;
/** Line responses below this (luma 0..1, σ²-normalised) are sensor noise, whatever the skin's quantile says. */
const NOISE_FLOOR = 0.004;

interface Frame {
  /** Eye centres (right, left), photo px. */
  eyes: [number, number][];
  /** Unit vector along the eye line (right eye → left eye) and down the face. */
  u: [number, number];
  v: [number, number];
  ipd: number;
}

/** Line measure over a window: response (σ²-normalised, luma units) and line direction (radians) per pixel. */
interface Lines {
  x0: number;
  y0: number;
  /** Photo pixels per side of one cell of the measure (the window is mean-pooled by this). */
  cell: number;
  width: number;
  height: number;
  response: Float32Array;
  angle: Float32Array;
}

/**
 * The spectacle-frame map of the face whose landmarks (x, y, z per point, photo px) are given.
 *
 *   const { map, present } = spectacleFrames(image, landmarks);
 */
export function spectacleFrames(image: ImageF32, landmarks: Float32Array, options: GlassesOptions = {}): SpectacleFrames {
  const o = { ...GLASSES_DEFAULTS, ...options };
  if (image.channels < 3) throw new Error(`spectacleFrames: expected an RGB image, got ${image.channels} channel(s)`);
  if (landmarks.length < T.MESH_LANDMARK_COUNT * 3) throw new Error(`spectacleFrames: expected ${T.MESH_LANDMARK_COUNT} landmarks, got ${landmarks.length / 3}`);
  const frame = eyeFrame(landmarks);
  const map: ImageF32 = { width: image.width, height: image.height, channels: 1, data: new Float32Array(image.width * image.height), colorSpace: "data" };
  if (!(frame.ipd > 4)) return { map, present: false, rimShare: [0, 0], bridgeShare: 0 };
  const lines = lineMeasure(image, frame, o);
  const threshold = Math.max(NOISE_FLOOR, cheekQuantile(lines, frame, o.lineQuantile));
  const rims = frame.eyes.map((eye) => findRim(lines, frame, eye, threshold));
  const bridge = findBridge(lines, frame, threshold);
  const rimShare: [number, number] = [rims[0].lowerShare, rims[1].lowerShare];
  // Below the eye there is no brow; over the nose root no brow or crease runs across. The frame is one
  // object, so its rims' evidence is pooled: a rim partly lost to a reflection, a turn or a thin wire
  // does not veto what the other rim and the bridge show.
  const present = (rimShare[0] + rimShare[1]) / 2 >= o.minRimShare && bridge.share >= o.minBridgeShare;
  if (present) drawFrame(map, lines, frame, rims, bridge.hits, threshold, o);
  return { map, present, rimShare, bridgeShare: bridge.share };
}

function centroid(lm: Float32Array, idx: number[]): [number, number] {
  let x = 0, y = 0;
  for (const i of idx) (x += lm[i * 3]), (y += lm[i * 3 + 1]);
  return [x / idx.length, y / idx.length];
}

function eyeFrame(lm: Float32Array): Frame {
  const right = centroid(lm, T.RIGHT_EYE_CONTOUR), left = centroid(lm, T.LEFT_EYE_CONTOUR);
  const ipd = Math.hypot(left[0] - right[0], left[1] - right[1]);
  const u: [number, number] = ipd > 0 ? [(left[0] - right[0]) / ipd, (left[1] - right[1]) / ipd] : [1, 0];
  // Image y runs down: v = u turned a quarter clockwise points down the face (chin side).
  const v: [number, number] = [-u[1], u[0]];
  return { eyes: [right, left], u, v, ipd };
}

/** Photo point at (a, b) IPDs from `origin` along u and v. */
const at = (f: Frame, origin: [number, number], a: number, b: number): [number, number] => [origin[0] + f.ipd * (a * f.u[0] + b * f.v[0]), origin[1] + f.ipd * (a * f.u[1] + b * f.v[1])];

/**
 * Multi-scale Hessian line measure over the window holding rims, bridge, temples and the cheek
 * controls. Scales: a line of width w answers best near σ = w / (2√3) (the σ whose Gaussian has the
 * variance of a box of width w); widths from the options, converted with the IPD.
 */
function lineMeasure(image: ImageF32, f: Frame, o: Required<GlassesOptions>): Lines {
  const mid: [number, number] = [(f.eyes[0][0] + f.eyes[1][0]) / 2, (f.eyes[0][1] + f.eyes[1][1]) / 2];
  const corners = [at(f, mid, -1.5, -0.7), at(f, mid, 1.5, -0.7), at(f, mid, -1.5, 1.2), at(f, mid, 1.5, 1.2)];
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const x1 = Math.min(image.width, Math.ceil(Math.max(...corners.map((c) => c[0]))));
  const y1 = Math.min(image.height, Math.ceil(Math.max(...corners.map((c) => c[1]))));
  // Pooled so that the thinnest frame is still 1.5 cells across (a large face costs no more than a small one).
  const cell = Math.max(1, Math.floor((o.minFrameWidthMm * f.ipd) / IPD_MM / 1.5));
  const width = Math.max(1, Math.ceil((x1 - x0) / cell)), height = Math.max(1, Math.ceil((y1 - y0) / cell)), n = width * height;
  const luma = new Float64Array(n), count = new Float64Array(n);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const s = (y * image.width + x) * 3, i = Math.floor((y - y0) / cell) * width + Math.floor((x - x0) / cell);
      luma[i] += luma601(image.data[s], image.data[s + 1], image.data[s + 2]);
      count[i]++;
    }
  }
  for (let i = 0; i < n; i++) luma[i] /= Math.max(1, count[i]);
  const pxPerMm = f.ipd / IPD_MM / cell;
  // Three box passes of half-width r have σ = √(r(r+1)): step through the distinct radii in range.
  const radii = new Set<number>();
  const rOf = (sigma: number) => Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const [sMin, sMax] = [o.minFrameWidthMm, o.maxFrameWidthMm].map((w) => (w * pxPerMm) / (2 * Math.sqrt(3)));
  for (let s = sMin; s <= sMax * 1.0001; s *= 1.4) radii.add(rOf(s));
  radii.add(rOf(sMax));
  const response = new Float32Array(n), angle = new Float32Array(n);
  const plane = new Float64Array(n);
  for (const r of radii) {
    const sigma2 = r * (r + 1);
    plane.set(luma);
    blurPlane(plane, width, height, Math.sqrt(sigma2));
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const i = y * width + x;
        const c = plane[i];
        const dxx = plane[i + 1] - 2 * c + plane[i - 1];
        const dyy = plane[i + width] - 2 * c + plane[i - width];
        const dxy = (plane[i + width + 1] - plane[i + width - 1] - plane[i - width + 1] + plane[i - width - 1]) / 4;
        const half = (dxx - dyy) / 2, root = Math.sqrt(half * half + dxy * dxy);
        const mean = (dxx + dyy) / 2;
        const [l1, l2] = [mean + root, mean - root];
        const strong = Math.max(Math.abs(l1), Math.abs(l2)), weak = Math.min(Math.abs(l1), Math.abs(l2));
        const value = sigma2 * (strong - weak);
        if (value > response[i]) {
          response[i] = value;
          // The strong eigenvalue's eigenvector is across the line; the line runs perpendicular to it.
          const acrossAngle = Math.abs(l1) >= Math.abs(l2) ? 0.5 * Math.atan2(2 * dxy, dxx - dyy) : 0.5 * Math.atan2(2 * dxy, dxx - dyy) + Math.PI / 2;
          angle[i] = acrossAngle + Math.PI / 2;
        }
      }
    }
  }
  return { x0, y0, cell, width, height, response, angle };
}

/** Response at photo point p (nearest pixel), weighted by cos² of the angle between the line and `dir`. */
function along(lines: Lines, p: [number, number], dir: [number, number]): number {
  const i = cellOf(lines, p);
  if (i < 0) return 0;
  const c = Math.cos(lines.angle[i]) * dir[0] + Math.sin(lines.angle[i]) * dir[1];
  return lines.response[i] * c * c;
}

/** The given quantile of the line response over the cheeks under both eyes (below any rim). */
function cheekQuantile(lines: Lines, f: Frame, q: number): number {
  const values: number[] = [];
  const step = 1 / f.ipd;
  for (const eye of f.eyes) {
    for (let b = 0.6; b <= 0.9; b += step) {
      for (let a = -0.25; a <= 0.25; a += step) {
        const i = cellOf(lines, at(f, eye, a, b));
        if (i >= 0) values.push(lines.response[i]);
      }
    }
  }
  if (values.length === 0) return Infinity;
  values.sort((p, r) => p - r);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

interface Rim {
  eye: [number, number];
  /** Per ray: the ring scale (of RIM_HALF_AXES) where the rim's tangential line lies, NaN when none passed. */
  scale: Float32Array;
  /** Share of the rays in the lower half that met a line. */
  lowerShare: number;
}

/** Elliptic ray k of `count` about an eye: the point at ring scale s and the ring's unit tangent there. */
function ringPoint(f: Frame, eye: [number, number], k: number, count: number, s: number): { p: [number, number]; tangent: [number, number] } {
  const phi = (2 * Math.PI * k) / count;
  const [ra, rb] = RIM_HALF_AXES;
  const p = at(f, eye, s * ra * Math.cos(phi), s * rb * Math.sin(phi));
  const ta = -ra * Math.sin(phi), tb = rb * Math.cos(phi), tl = Math.hypot(ta, tb);
  return { p, tangent: [(ta * f.u[0] + tb * f.v[0]) / tl, (ta * f.u[1] + tb * f.v[1]) / tl] };
}

/**
 * Casts RAYS_PER_EYE rays from the eye centre across the rim band; on each, the innermost strong line
 * running along the ring.
 */
function findRim(lines: Lines, f: Frame, eye: [number, number], threshold: number): Rim {
  const scale = new Float32Array(RAYS_PER_EYE).fill(NaN);
  const stepScale = 0.5 / (f.ipd * RIM_HALF_AXES[1]);
  let lower = 0, lowerHits = 0;
  for (let k = 0; k < RAYS_PER_EYE; k++) {
    const values: number[] = [];
    for (let s = RIM_REACH[0]; s <= RIM_REACH[1]; s += stepScale) {
      const { p, tangent } = ringPoint(f, eye, k, RAYS_PER_EYE, s);
      values.push(along(lines, p, tangent));
    }
    // The innermost strong line (a peak above the threshold and half the ray's best): above the eye a
    // frame's top bar lies below the brow, and the brow often answers more.
    const peak = Math.max(...values);
    const first = values.findIndex((v, j) => v > threshold && v >= peak / 2 && v >= (values[j + 1] ?? 0));
    const bestS = first >= 0 ? RIM_REACH[0] + first * stepScale : NaN;
    scale[k] = bestS;
    const phi = (2 * Math.PI * k) / RAYS_PER_EYE;
    // Lower half (sin φ > 0 is down the face), away from the nasal and outer ends of the ring.
    if (Math.sin(phi) > 0.3) (lower++, (lowerHits += Number.isNaN(bestS) ? 0 : 1));
  }
  return { eye, scale: smoothRing(scale), lowerShare: lower > 0 ? lowerHits / lower : 0 };
}

/** The ring's scale per ray, median of each ray and its neighbours (a frame is a smooth closed curve; a brow hit on one ray is not). */
function smoothRing(scale: Float32Array): Float32Array {
  const n = scale.length;
  const out = new Float32Array(n).fill(NaN);
  for (let k = 0; k < n; k++) {
    const window = [-2, -1, 0, 1, 2].map((d) => scale[(k + d + n) % n]).filter((s) => !Number.isNaN(s)).sort((a, b) => a - b);
    if (window.length >= 3 && !Number.isNaN(scale[k])) out[k] = window[Math.floor(window.length / 2)];
  }
  return out;
}

/** Vertical rays over the nose root between the eyes: the strongest horizontal line on each. */
function findBridge(lines: Lines, f: Frame, threshold: number): { share: number; hits: [number, number][] } {
  const mid: [number, number] = [(f.eyes[0][0] + f.eyes[1][0]) / 2, (f.eyes[0][1] + f.eyes[1][1]) / 2];
  const hits: [number, number][] = [];
  for (let k = 0; k < BRIDGE_RAYS; k++) {
    const a = -BRIDGE_HALF_WIDTH + (2 * BRIDGE_HALF_WIDTH * k) / (BRIDGE_RAYS - 1);
    let best = threshold, bestP: [number, number] | null = null;
    for (let b = BRIDGE_REACH[0]; b <= BRIDGE_REACH[1]; b += 0.5 / f.ipd) {
      const p = at(f, mid, a, b);
      const value = along(lines, p, f.u);
      if (value > best) (best = value), (bestP = p);
    }
    if (bestP) hits.push(bestP);
  }
  return { share: hits.length / BRIDGE_RAYS, hits };
}

/**
 * Marks the frame: line pixels within a frame width of each ring (at its smoothed scale), of the bridge
 * hits, and along the temples (lines running along the eye line beyond the outer rims). Hard: a frame's
 * soft edge kept as a partial weight leaves a dark ghost outline in the albedo (the fill averages it in).
 */
function drawFrame(map: ImageF32, lines: Lines, f: Frame, rims: Rim[], bridge: [number, number][], threshold: number, o: Required<GlassesOptions>): void {
  const halfWidth = Math.max(1.5, (o.maxFrameWidthMm * f.ipd) / IPD_MM / 2);
  const mark = (p: [number, number], dir: [number, number] | null) => {
    const r = Math.ceil(halfWidth);
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (dx * dx + dy * dy > halfWidth * halfWidth) continue;
        const q: [number, number] = [p[0] + dx, p[1] + dy];
        const value = dir ? along(lines, q, dir) : lineAt(lines, q);
        const x = Math.floor(q[0]), y = Math.floor(q[1]);
        // Half the threshold next to a hit: a wide rim's edges answer less than its middle.
        if (x < 0 || y < 0 || x >= map.width || y >= map.height || value <= threshold / 2) continue;
        const i = y * map.width + x;
        map.data[i] = 1;
      }
    }
  };
  for (const rim of rims) {
    for (let k = 0; k < RAYS_PER_EYE * 4; k++) {
      const s = rim.scale[Math.floor(k / 4)];
      if (Number.isNaN(s)) continue;
      const { p } = ringPoint(f, rim.eye, k, RAYS_PER_EYE * 4, s);
      mark(p, null);
    }
  }
  for (const p of bridge) mark(p, null);
  // Temples: from each outer rim outward, the strongest line along the eye line per step.
  for (const [k, eye] of f.eyes.entries()) {
    const outward = k === 0 ? -1 : 1;
    for (let a = TEMPLE_REACH[0] * RIM_HALF_AXES[0]; a <= TEMPLE_REACH[1] * RIM_HALF_AXES[0]; a += 0.5 / f.ipd) {
      let best = threshold, bestP: [number, number] | null = null;
      for (let b = -TEMPLE_HALF_HEIGHT; b <= TEMPLE_HALF_HEIGHT; b += 0.5 / f.ipd) {
        const p = at(f, eye, outward * a, b);
        const value = along(lines, p, f.u);
        if (value > best) (best = value), (bestP = p);
      }
      if (bestP) mark(bestP, null);
    }
  }
}

/** Line response at photo point p (nearest pixel), any direction. */
function lineAt(lines: Lines, p: [number, number]): number {
  const i = cellOf(lines, p);
  return i < 0 ? 0 : lines.response[i];
}

/** Index of the measure's cell holding photo point p, -1 outside the window. */
function cellOf(lines: Lines, p: [number, number]): number {
  const x = Math.floor((p[0] - lines.x0) / lines.cell), y = Math.floor((p[1] - lines.y0) / lines.cell);
  return x < 0 || y < 0 || x >= lines.width || y >= lines.height ? -1 : y * lines.width + x;
}
