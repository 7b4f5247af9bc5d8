/**
 * The expression solve's prior: how likely each ARKit shape is to be active in a photo of a face,
 * and which shapes move together by physiology.
 *
 * Each shape's weight is 0 with probability 1 − P(active), else exponential with the mean weight
 * of an active action (spike and slab: leaving 0 costs log((1 − P)/P) nats, then a Laplace slope).
 * P(active) is read from how often facial expressions occur in photos found on the web
 * (AffectNet's manually annotated categories) and which facial action units (FACS) each
 * expression's prototype uses (EMFACS), through the ARKit shape ↔ action unit correspondence. So a
 * smile (AU12, in every "happy" face: 46 % of them) costs little, a brow lowering (AU4: sad, fear,
 * anger) more, and an articulation no emotional prototype names (a lip roll, a shrug, a pucker: the
 * shapes of speech) as much as the rarest category: a static shape difference that such a shape
 * could mimic goes to identity (its own Gaussian prior, expression.ts) unless the landmarks insist.
 *
 * Gaze is conjugate (Hering's law of equal innervation: both eyes receive the same command; the
 * vergence toward a camera a metre or more away is a few degrees), so each horizontal and vertical
 * gaze direction is one unknown moving both eyes: one eye cannot "look out" alone.
 */
import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from "../../geometry/blendshape-names.ts";

/**
 * Manually annotated faces per expression category, AffectNet (Mollahosseini, Hasani & Mahoor,
 * "AffectNet: A Database for Facial Expression, Valence, and Arousal Computing in the Wild", IEEE
 * Trans. Affective Computing 10(1), 2019, Table 3: faces from web searches in six languages). The
 * counts are the widely quoted ones; the paper's table was not re-read when they were entered.
 */
const AFFECTNET_COUNTS = { neutral: 80276, happy: 146198, sad: 29487, surprise: 16288, fear: 8191, disgust: 5264, anger: 28130, contempt: 5135 } as const;
type Category = keyof typeof AFFECTNET_COUNTS;

/**
 * Action units of each category's prototype (EMFACS; Ekman, Friesen & Hager, FACS Investigator's
 * Guide, 2002): happiness 6+12 (with 25, lips parted, as its open-mouth variant), sadness 1+4+15,
 * surprise 1+2+5+26, fear 1+2+4+5+7+20+26, anger 4+5+7+23, disgust 9+15+16, contempt unilateral
 * 12+14 (either side: half the count to each).
 */
const PROTOTYPE_AUS: Record<Exclude<Category, "neutral">, number[]> = {
  happy: [6, 12, 25],
  sad: [1, 4, 15],
  surprise: [1, 2, 5, 26],
  fear: [1, 2, 4, 5, 7, 20, 26],
  anger: [4, 5, 7, 23],
  disgust: [9, 15, 16],
  contempt: [12, 14],
};
const UNILATERAL: Partial<Record<Category, true>> = { contempt: true };

/**
 * The action unit(s) each ARKit shape performs (without the side suffix). AU23 (lip tightener) is
 * done by mouthPress, the nearest ARKit has; AU25 (lips part) by the lips' own openers and the jaw.
 * Shapes not listed (funnel, pucker, roll, shrug, close, sideways mouth and jaw, jaw forward, cheek
 * puff, tongue) are in no prototype.
 */
const SHAPE_AUS: Record<string, number[]> = {
  eyeSquint: [7], eyeWide: [5], browDown: [4], browInnerUp: [1], browOuterUp: [2], cheekSquint: [6], noseSneer: [9],
  mouthSmile: [12], mouthDimple: [14], mouthFrown: [15], mouthStretch: [20], mouthPress: [23],
  mouthLowerDown: [16, 25], mouthUpperUp: [25], jawOpen: [25, 26], mouthClose: [25, 26],
};

/**
 * The share of time the eyes are shut: a spontaneous blink rate of 17 per minute at rest
 * (Bentivoglio et al., Mov Disord 12:1028–1034, 1997) × a blink's ≈ 0.25 s closure (blinks last
 * 0.1–0.4 s; the same range the expressions scene uses).
 */
const BLINK_SHARE = (17 / 60) * 0.25;

/** Pairs of gaze shapes one conjugate movement drives (subject's left/right): [left eye, right eye]. */
export const CONJUGATE_GAZE: [ArkitBlendshape, ArkitBlendshape][] = [
  ["eyeLookOutLeft", "eyeLookInRight"], // both eyes to the subject's left
  ["eyeLookInLeft", "eyeLookOutRight"], // both to the right
  ["eyeLookUpLeft", "eyeLookUpRight"],
  ["eyeLookDownLeft", "eyeLookDownRight"],
];

/**
 * P(a shape is active in a photographed face), ARKIT_BLENDSHAPES order; NaN for gaze (not a facial
 * action: its prior is the solve's own gaze scale).
 */
export function shapeActivity(): Float64Array {
  const total = Object.values(AFFECTNET_COUNTS).reduce((s, n) => s + n, 0);
  const share = (c: Category) => AFFECTNET_COUNTS[c] / total;
  // An action in no prototype: as rare as the rarest category.
  const floor = Math.min(...Object.keys(AFFECTNET_COUNTS).map((c) => share(c as Category)));
  return Float64Array.from(ARKIT_BLENDSHAPES, (name) => {
    if (name.startsWith("eyeLook")) return NaN;
    if (name.startsWith("eyeBlink")) return BLINK_SHARE;
    const aus = SHAPE_AUS[name.replace(/(Left|Right)$/, "")];
    if (!aus) return floor;
    const sided = /(Left|Right)$/.test(name);
    let p = 0;
    for (const [category, prototype] of Object.entries(PROTOTYPE_AUS) as [Exclude<Category, "neutral">, number[]][]) {
      if (!aus.some((au) => prototype.includes(au))) continue;
      p += share(category) * (UNILATERAL[category] && sided ? 0.5 : 1);
    }
    return Math.max(floor, p);
  });
}
