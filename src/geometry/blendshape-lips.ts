/**
 * The lip-parting shapes mouthUpperUp and mouthLowerDown: each lip's free margin lifted (lowered)
 * off the teeth, the lip shortening between its margin and its fixed end, as a smile with teeth or
 * a bared lip does.
 *
 * What the earlier regional bumps did not: centred on the vermilion border beside the philtrum,
 * both sides at weight 1 parted the lips by 1.8 mm (upper) and 3.2 mm (lower) at the midline,
 * where a smile with teeth parts them by 8–14 mm; the solve then reached for mouthShrugUpper and
 * left the rest to the residual warp, which cannot part the seam. Here the displacement is largest
 * at the margin (the seam), falls linearly to the lip's fixed end (the subnasale above, the
 * sublabiale below), tapers to nothing at the corners (the corners are the smile's), and the two
 * sides share the lip: Left + Right at 1 lift the whole margin by the full amount.
 *
 * Also the lower lip's part of jawOpen (lowerLipOnIncisors): the lip riding up the lower teeth as
 * the mandible turns, on the same weights from margin to fixed end.
 *
 *   const up = lipParting(P, T, head, rig, "upper", +1);   // mouthUpperUpLeft, metres per vertex
 */
import { SUBNASALE, MOUTH_LEFT, MOUTH_RIGHT } from "../primitives/face-topology.ts";
import type { TemplateHead } from "../types.ts";
import type { RestRig } from "./blendshape-rig.ts";

/**
 * Share of the upper lip's rest height (subnasale–stomion) it shortens by at a full smile: ≈ 30 %
 * (120 adults photographed at rest and at maximum smile, "The influence of upper lip length and lip
 * mobility on maxillary incisal exposure", Am J Esthet Dent 2012;2:116–125; 23–30 % by smile line
 * in Miron, Calderon & Allon, Am J Orthod Dentofacial Orthop 2012;141:87–93). The lower lip is
 * taken to shorten by the same share of its own height (no survey value found).
 */
const LIP_SHORTENING = 0.3;
/** Lower lip height, stomion–sublabiale, metres: 19.2 mm (men, [S4], reference/head-anthropometry.md); the face mesh has no sublabiale landmark. */
const LOWER_LIP_HEIGHT_M = 0.0192;
/** Forward share of the margin's move (the lip everts a little as it lifts; the earlier shapes' 0.5 / 4.5, a shape choice). */
const EVERSION = 0.11;
/** Mouth-part vertices move only in front of the teeth (the lips' wet inner surfaces), fading over this depth behind the teeth's front, metres (shape choice). */
const BEHIND_TEETH_FADE_M = 0.002;

/**
 * Lower incisor display the lower lip keeps over the lower incisors as the jaw opens, metres: the
 * display at rest with the lips apart, 1.09 ± 1.17 mm in men (mandibular central incisors; Al-Habahbeh
 * et al., Int J Esthet Dent 2009;4(4):382, 247 adults), 0.47–0.61 mm at 12–15 years and 2.2–3.1 mm past
 * 50 (da Motta et al., Aust Orthod J 2010;26(1):27, 240 people); denture wearers are told by their
 * lower teeth on show (Vig & Brundo, J Prosthet Dent 1978;39(5):502). The lip is taken to keep this
 * display at any opening (no measured figure of display against opening found).
 */
export const LOWER_INCISOR_DISPLAY_M = 0.001;

/** Depth behind the mouth corners beyond which no skin is lip, metres (the corners sink back in a smile; the back of the head is > 100 mm behind). */
const BEHIND_CORNERS_M = 0.01;

const smoothstep = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/** Per template: the lips' weights (upper, lower: margin to fixed end, corner taper (1 − u²)²; lowerOnTeeth: the lower lip's with the flatter taper 1 − u⁴). */
interface LipWeights {
  upper: Float32Array;
  lower: Float32Array;
  lowerOnTeeth: Float32Array;
  halfWidth: number;
  midX: number;
}
const cache = new WeakMap<TemplateHead, LipWeights>();

function restWeights(T: Float32Array, head: TemplateHead, rig: RestRig): LipWeights {
  let w = cache.get(head);
  if (w) return w;
  const lv = head.landmarkVertices, n = T.length / 3;
  const seamMid = head.rig.upperSeam[(head.rig.upperSeam.length - 1) >> 1];
  const seamY = T[3 * seamMid + 1];
  const [xr, xl] = [T[3 * lv[MOUTH_RIGHT]], T[3 * lv[MOUTH_LEFT]]];
  const midX = (xr + xl) / 2, halfWidth = Math.abs(xl - xr) / 2;
  const upperEnd = T[3 * lv[SUBNASALE] + 1] - seamY, lowerEnd = LOWER_LIP_HEIGHT_M;
  // The lips lie in front of their corners; skin further back within the mouth's width is the back of the head and neck.
  const behind = Math.min(T[3 * lv[MOUTH_RIGHT] + 2], T[3 * lv[MOUTH_LEFT] + 2]) - BEHIND_CORNERS_M;
  let teethFront = -Infinity;
  for (let v = 0; v < n; v++) if (rig.kind[v] === 3) teethFront = Math.max(teethFront, T[3 * v + 2]);
  const upper = new Float32Array(n), lower = new Float32Array(n), lowerOnTeeth = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const k = rig.kind[v];
    if (!(k === 0 || k === 2) || rig.lipSide[v] === 0 || T[3 * v + 2] < behind) continue;
    const u = (T[3 * v] - midX) / halfWidth;
    if (Math.abs(u) >= 1) continue;
    // (1 − u²)²: 1 at the midline, 0 with zero slope at the corners (no crease where the move ends).
    const taper = (1 - u * u) ** 2;
    const depth = k === 2 ? smoothstep(1 + (T[3 * v + 2] - teethFront) / BEHIND_TEETH_FADE_M) : 1;
    const dy = T[3 * v + 1] - seamY;
    if (rig.lipSide[v] > 0) upper[v] = taper * depth * Math.max(0, Math.min(1, 1 - dy / upperEnd));
    else {
      const falloff = depth * Math.max(0, Math.min(1, 1 + dy / lowerEnd));
      lower[v] = taper * falloff;
      lowerOnTeeth[v] = (1 - u ** 4) * falloff;
    }
  }
  cache.set(head, (w = { upper, lower, lowerOnTeeth, halfWidth, midX }));
  return w;
}

/**
 * One side's lip-parting field on the head P (metres per vertex): `lip` "upper" lifts the upper
 * lip's margin, "lower" lowers the lower lip's; `side` +1 the subject's left (+x), −1 the right.
 * The sides split the lip by a smooth ramp (½ at the midline, all of it half way to the corner), so
 * Left + Right = the whole lip. The margin moves by LIP_SHORTENING of the lip's height on this head.
 */
export function lipParting(P: Float32Array, T: Float32Array, head: TemplateHead, rig: RestRig, lip: "upper" | "lower", side: 1 | -1): Float32Array {
  const { upper, lower, halfWidth, midX } = restWeights(T, head, rig);
  const weights = lip === "upper" ? upper : lower;
  const lv = head.landmarkVertices;
  const seamMid = head.rig.upperSeam[(head.rig.upperSeam.length - 1) >> 1];
  // The lip's height on this head: measured above (subnasale–stomion), the survey's scaled by the mouth's width below.
  const mouthScale = Math.abs(P[3 * lv[MOUTH_LEFT]] - P[3 * lv[MOUTH_RIGHT]]) / (2 * halfWidth);
  const height = lip === "upper" ? P[3 * lv[SUBNASALE] + 1] - P[3 * seamMid + 1] : LOWER_LIP_HEIGHT_M * mouthScale;
  const move = LIP_SHORTENING * height, dir = lip === "upper" ? 1 : -1;
  const out = new Float32Array(P.length);
  for (let v = 0; v < weights.length; v++) {
    if (weights[v] === 0) continue;
    const share = smoothstep(0.5 + (side * (T[3 * v] - midX)) / halfWidth);
    const m = move * weights[v] * share;
    out[3 * v + 1] = dir * m;
    out[3 * v + 2] = EVERSION * m;
  }
  return out;
}

/**
 * The lower lip riding on the lower incisors as the jaw opens (added to jawOpen's rotation): the
 * lip's free margin is soft tissue draped over the incisors' labial face, not bone, so where the
 * mandible's rotation drops it below the incisal edge (the margin lies 10–15 mm in front of the
 * teeth, and the rotation turns that forward offset downward) it slides back up along the teeth, in
 * the mandible's frame, until the incisors show LOWER_INCISOR_DISPLAY_M above it at the midline.
 * The slide is largest at the margin and falls to nothing at the lip's fixed end (the sublabiale)
 * and toward the corners, as mouthLowerDown's weights do. `open` is the jaw's rotation at weight 1
 * (metres per vertex), `up` the mandible's vertical after that rotation (unit).
 *
 *   const slide = lowerLipOnIncisors(P, T, head, rig, jaw, rotatedUp);   // metres per vertex
 */
export function lowerLipOnIncisors(P: Float32Array, T: Float32Array, head: TemplateHead, rig: RestRig, open: Float32Array, up: [number, number, number]): Float32Array {
  const { lowerOnTeeth: lower, halfWidth, midX } = restWeights(T, head, rig);
  const out = new Float32Array(P.length);
  const mouthScale = Math.abs(P[3 * head.landmarkVertices[MOUTH_LEFT]] - P[3 * head.landmarkVertices[MOUTH_RIGHT]]) / (2 * halfWidth);
  // Per band across the mouth (u = lateral position over the half-width): the lower teeth's top and the lip's top, both after the rotation.
  const bandAt = (v: number) => ((T[3 * v] - midX) / halfWidth + 1) * (BANDS / 2);
  const band = (v: number) => Math.round(bandAt(v));
  const edge = new Float64Array(BANDS + 1).fill(-Infinity), lip = new Float64Array(BANDS + 1).fill(-Infinity);
  for (let v = 0; v < lower.length; v++) {
    const b = band(v);
    if (b < 0 || b > BANDS) continue;
    const y = P[3 * v + 1] + open[3 * v + 1];
    if (rig.kind[v] === 3 && rig.jaw[v] > 0.5) edge[b] = Math.max(edge[b], y);
    else if (lower[v] > 0) lip[b] = Math.max(lip[b], y);
  }
  // The slide each band needs (along the mandible's vertical), the largest of each band's neighbours
  // (a crown between two bands), smoothed across the mouth so the lip's line stays a smooth curve.
  const need = Array.from(edge, (e, b) => (Number.isFinite(e) && Number.isFinite(lip[b]) ? Math.max(0, e - LOWER_INCISOR_DISPLAY_M * mouthScale - lip[b]) / up[1] : 0));
  const peak = need.map((_, b) => Math.max(need[b], need[b - 1] ?? 0, need[b + 1] ?? 0));
  const slide = peak.map((_, b) => {
    let sum = 0, norm = 0;
    peak.forEach((p, c) => {
      const g = Math.exp(-(((c - b) / SLIDE_SMOOTHING_BANDS) ** 2) / 2);
      (sum += g * p), (norm += g);
    });
    return sum / norm;
  });
  for (let v = 0; v < lower.length; v++) {
    if (lower[v] === 0) continue;
    // Between band centres, linearly.
    const t = Math.max(0, Math.min(BANDS, bandAt(v))), b0 = Math.floor(t), b1 = Math.min(BANDS, b0 + 1);
    const m = lower[v] * (slide[b0] + (slide[b1] - slide[b0]) * (t - b0));
    for (let k = 0; k < 3; k++) out[3 * v + k] = m * up[k];
  }
  return out;
}
/** Gaussian smoothing of the slide across the bands, in bands (shape choice: a lip's line has no kinks). */
const SLIDE_SMOOTHING_BANDS = 2;
/** Bands across the mouth's width in which the teeth's and the lip's tops are compared (≈ 2.5 mm each on the template). */
const BANDS = 20;
