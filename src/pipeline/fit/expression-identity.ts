/**
 * The expression solve's identity modes: what the identity-only head (warped through the landmarks
 * no expression moves) cannot know about the lower face, the lips and the brows, each a
 * displacement of the landmark vertices at one SD of the population's spread, solved with the
 * weights under a Gaussian prior of SD 1 (fit/expression.ts), so that the weights do not take it.
 *
 *   const modes = [...lowerFaceModes(P, lv), ...lipModes(P, lv), ...heightModes(P, lv)];
 */
import type { Blendshape } from "../../types.ts";
import { REST_INTERLABIAL_GAP_MAX_M } from "../../geometry/canonical-face.ts";
import { CHIN, LEFT_BROW, LIP_LOWER_INNER, LIP_UPPER_INNER, LIPS_OUTER, LOWER_LIP_BOTTOM, MESH_LANDMARK_COUNT, MOUTH_INNER, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_BROW, SUBNASALE } from "../../primitives/face-topology.ts";

/**
 * Relative SD of the lower face's size between people: lower face height (subnasale–gnathion)
 * 73.0 ± 5.3 mm (7.3 %) [S4], bigonial breadth 120.7 ± 10.7 mm (8.9 %) [S3]
 * (reference/head-anthropometry.md §1); depth, and the shears, taken as the same order (assumed).
 */
const LOWER_FACE_RELATIVE_SD = 0.08;
/** Upper / lower red-lip (vermilion) height SD, metres: 7.6 ± 1.7 / 8.8 ± 2.3 mm (men; women 1.4 / 2.0) [S4] (reference/head-anthropometry.md). */
const VERMILION_SD_M = { upper: 0.0017, lower: 0.0023 };
/** Lower lip height (stomion–sublabiale) SD, metres: 19.2 ± 2.8 mm (men; women 2.3) [S4] (reference/head-anthropometry.md). */
const LOWER_LIP_HEIGHT_SD_M = 0.0028;
/** Mouth width (cheilion–cheilion) SD, metres: 51.7 ± 4.3 mm (men, NIOSH "lip length"; 3DFN 3.8) [S3] [S4] (reference/head-anthropometry.md). */
const MOUTH_WIDTH_SD_M = 0.0043;
/** Upper lip height (subnasale–stomion) SD, metres: 22.6 ± 2.7 mm (men; women 2.6) [S4] (reference/head-anthropometry.md). */
const UPPER_LIP_HEIGHT_SD_M = 0.0027;
/**
 * Eyebrow height (lid margin to brow) SD, metres: 10.4 ± 2.7 mm in adult Filipinos (Omaña et al.,
 * Philipp J Ophthalmol 46(2)); 6.4 ± 1.8 mm in white adults aged 41–60 (Cartwright et al., Am J
 * Ophthalmol 117:231–234, 1994), the larger taken. Both report the two brows correlated 0.87–0.96:
 * one mode moves both.
 */
const BROW_HEIGHT_SD_M = 0.0027;
/** An identity mode with bounds on its coefficient (in SDs; absent: unbounded). */
export interface IdentityMode extends Blendshape {
  lo?: number;
  hi?: number;
}

/** Middle of the inner lip lines (upper, lower; face mesh indices): where the lips' gap at rest is measured. */
const LIP_MIDLINE: [number, number] = [13, 14];
/** Outer arcs of the upper and lower lip, corners excluded (face mesh indices). */
const OUTER_UPPER_LIP = [185, 40, 39, 37, 0, 267, 269, 270, 409];
const OUTER_LOWER_LIP = [146, 91, 181, 84, 17, 314, 405, 321, 375];
/** Height over which the lower-face modes fade out above the subnasale, metres (shape choice: about the upper lip's half height). */
const LOWER_FACE_FADE_M = 0.01;

/**
 * The lower face's identity the identity-only head cannot know (its landmarks are all expressive):
 * an affine map of everything below the subnasale (9 modes: each displacement axis × each offset
 * axis from the subnasale), at one SD of the population's spread, on the landmark vertices only
 * (the solve reads nothing else), fading out above the subnasale.
 */
export function lowerFaceModes(positions: Float32Array, landmarkVertices: Int32Array): Blendshape[] {
  const ref = Array.from({ length: 3 }, (_, c) => positions[3 * landmarkVertices[SUBNASALE] + c]);
  const modes: Blendshape[] = [];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const delta = new Float32Array(positions.length);
      for (const v of landmarkVertices) {
        const t = (positions[3 * v + 1] - ref[1]) / LOWER_FACE_FADE_M;
        const fade = t <= 0 ? 1 : t >= 1 ? 0 : 1 - t * t * (3 - 2 * t);
        delta[3 * v + a] = LOWER_FACE_RELATIVE_SD * fade * (positions[3 * v + b] - ref[b]);
      }
      modes.push({ name: `lowerFace${"xyz"[a]}${"xyz"[b]}`, delta });
    }
  }
  return modes;
}

/**
 * The lips' own shape (6 modes), each at one SD of the population's spread: how full each lip is
 * (its outer arc moved up / down by the vermilion height's SD at the middle) and where it meets
 * the other (its inner arc moved toward the mouth's seam by the same SD: on a closed mouth the
 * visible red lip reaches the meeting line, which the template's averaged inner lines, 2 mm
 * apart, do not), tapering to nothing at the corners; and the mouth's width (every lip landmark
 * moved out in proportion to its distance from the midline, the corners by half the width's SD);
 * and where the lower lip sits on the chin (the lower lip and the labiomental region below it up by
 * the lower lip height's SD, fading to nothing at the menton). Without them the solve reads a
 * closed mouth's thin or full lips as mouthShrugLower / mouthRoll. (Two closed-lip photos,
 * hrn-multiview 21650 and Biden, whose lower lip and chin sit 2 mm above the head's, still take
 * mouthShrugLower 1.0 over lowerLipHeight: what else the shrug fits there is not known yet.)
 */
export function lipModes(positions: Float32Array, landmarkVertices: Int32Array): IdentityMode[] {
  const x = (i: number) => positions[3 * landmarkVertices[i]];
  const [right, left] = [x(MOUTH_RIGHT), x(MOUTH_LEFT)];
  const mid = (right + left) / 2, half = Math.abs(left - right) / 2;
  const mode = (name: string, ids: number[], dy: number): Blendshape => {
    const delta = new Float32Array(positions.length);
    for (const i of ids) delta[3 * landmarkVertices[i] + 1] = dy * Math.max(0, 1 - ((x(i) - mid) / half) ** 2);
    return { name, delta };
  };
  // The lower lip's height: the lower lip and the labiomental region below it, fading to the menton.
  const y = (i: number) => positions[3 * landmarkVertices[i] + 1];
  const [lipBottom, menton] = [y(LOWER_LIP_BOTTOM), y(CHIN)];
  const lowerLip = new Float32Array(positions.length);
  for (let i = 0; i < MESH_LANDMARK_COUNT; i++) {
    const onLip = LIP_LOWER_INNER.includes(i) || OUTER_LOWER_LIP.includes(i);
    if (!onLip && !(y(i) < lipBottom && y(i) > menton)) continue;
    const t = onLip ? 0 : (lipBottom - y(i)) / (lipBottom - menton);
    lowerLip[3 * landmarkVertices[i] + 1] = LOWER_LIP_HEIGHT_SD_M * (1 - t * t * (3 - 2 * t)) * Math.max(0, 1 - ((x(i) - mid) / half) ** 2);
  }
  const width = new Float32Array(positions.length);
  for (const i of new Set([...LIPS_OUTER, ...MOUTH_INNER])) width[3 * landmarkVertices[i]] = (MOUTH_WIDTH_SD_M / 2) * ((x(i) - mid) / half);
  return [
    mode("upperLipFullness", OUTER_UPPER_LIP, VERMILION_SD_M.upper),
    mode("lowerLipFullness", OUTER_LOWER_LIP, -VERMILION_SD_M.lower),
    lipsMeeting(mode("upperLipMeeting", LIP_UPPER_INNER, -VERMILION_SD_M.upper), mode("lowerLipMeeting", LIP_LOWER_INNER, VERMILION_SD_M.lower), positions, landmarkVertices),
    { name: "mouthWidth", delta: width },
    { name: "lowerLipHeight", delta: lowerLip },
  ];
}

/**
 * The inner lip lines closing toward each other as one mode: where the lips meet is their contact,
 * symmetric about the seam; two separate modes also moved the seam against the corners, which is
 * what a smile or a frown does, and took a smile's corner lift into the neutral head.
 * Bounded on the parting side: the neutral face's lips are at rest, so the mode may bring the inner
 * lines together but not part them at the midline beyond the rest norm's gap
 * (REST_INTERLABIAL_GAP_MAX_M); lips parted further are the expression's (AU25). Unbounded, a
 * smile with teeth went to identity (the mode at −2.1 SD parted the lines 8 mm) instead of to the
 * shapes that part the lips' seam.
 */
function lipsMeeting(upper: Blendshape, lower: Blendshape, positions: Float32Array, landmarkVertices: Int32Array): IdentityMode {
  const delta = Float32Array.from(upper.delta);
  for (let i = 0; i < delta.length; i++) delta[i] += lower.delta[i];
  const [u, l] = LIP_MIDLINE.map((i) => 3 * landmarkVertices[i] + 1);
  const gap = positions[u] - positions[l], closing = delta[l] - delta[u];
  return { name: "lipsMeeting", delta, lo: (gap - REST_INTERLABIAL_GAP_MAX_M) / closing };
}

/** Where the mouth and the brows sit (2 modes): every lip landmark shifted vertically by one SD of the upper lip's height, both brows by one SD of the brow's height. */
export function heightModes(positions: Float32Array, landmarkVertices: Int32Array): Blendshape[] {
  const mode = (name: string, ids: number[], dy: number): Blendshape => {
    const delta = new Float32Array(positions.length);
    for (const i of ids) delta[3 * landmarkVertices[i] + 1] = dy;
    return { name, delta };
  };
  return [mode("mouthHeight", [...new Set([...LIPS_OUTER, ...MOUTH_INNER])], UPPER_LIP_HEIGHT_SD_M), mode("browHeight", [...LEFT_BROW, ...RIGHT_BROW], BROW_HEIGHT_SD_M)];
}
