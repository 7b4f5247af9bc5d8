/**
 * Test-time augmentation of the face mesh: the refined-ROI pass run on several views of the same
 * face (the ROI itself, its mirror image, small shifts, scalings and turns of it) and the
 * predictions averaged. The detector's own error differs from view to view (eval/landmark-noise.ts
 * measured ≈ 1.4 % of the inter-ocular distance per axis between a photo and its mirror image)
 * while the face is the same in every view, so the mean keeps the face and divides the part of
 * the error that is independent between views by their number.
 */
import { LANDMARK_MIRROR } from "../../geometry/data/canonical-face.ts";
import * as T from "../../primitives/face-topology.ts";
import type { CropFrame } from "./crop.ts";

/** One view of a face ROI: mirrored or not, its centre moved by `shift` (fractions of the side, along the ROI's own axes), its side times `scale`, turned by `turnRad`. */
export interface RoiView {
  mirror: boolean;
  shift: [number, number];
  scale: number;
  turnRad: number;
}

/**
 * How far the jittered views move the ROI. The refined ROI is itself an estimate from one mesh
 * pass, so the mesh already meets ROIs that far off; views inside that range ask the model
 * nothing it is not asked anyway. Measured (eval/landmark-views.ts, 47 photos): the refined ROI
 * lies from the detection's by a median (90th percentile) 2.4 % (4.0 %) of its side, |ln scale|
 * 5.3 % (9.8 %), 1.3° (3.1°) of turn.
 */
const JITTER_SHIFT = 0.025;
const JITTER_SCALE = 0.03;
const JITTER_TURN_RAD = (3 * Math.PI) / 180;

const plain = (shift: [number, number] = [0, 0], scale = 1, turnRad = 0): RoiView => ({ mirror: false, shift, scale, turnRad });
const JITTERS: RoiView[] = [
  plain([JITTER_SHIFT, 0], 1, JITTER_TURN_RAD),
  plain([-JITTER_SHIFT, 0], 1, -JITTER_TURN_RAD),
  plain([0, JITTER_SHIFT], 1 + JITTER_SCALE),
  plain([0, -JITTER_SHIFT], 1 - JITTER_SCALE),
];

/**
 * The views in the order they are taken: the ROI, its mirror, then each jitter and its mirror.
 * The jitters come in opposite pairs, so 2, 6 and 10 views leave no net shift, scale or turn.
 */
export const ROI_VIEWS: RoiView[] = [plain(), ...JITTERS].flatMap((v) => [v, { ...v, mirror: true }]);

/** The crop frame of `view` of `roi`. */
export function viewRoi(roi: CropFrame, view: RoiView): CropFrame {
  const c = Math.cos(roi.theta);
  const s = Math.sin(roi.theta);
  const [a, b] = [view.shift[0] * roi.size, view.shift[1] * roi.size];
  return { cx: roi.cx + a * c - b * s, cy: roi.cy + a * s + b * c, size: roi.size * view.scale, theta: roi.theta + view.turnRad, mirror: view.mirror };
}

/**
 * The mesh's prediction on a mirrored crop, renumbered to the subject's landmarks. The model
 * names the crop's points as if the face were unmirrored (its "right eye" is the mirrored image's
 * right eye, the subject's left), so its point i is the subject's landmark LANDMARK_MIRROR[i];
 * the positions are already in photo pixels (cropToImage undoes the flip). Depth is not flipped:
 * mirroring x leaves nearer and farther as they are.
 */
export function renumberMirrored(points: Float32Array): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length / 3; i++) out.set(points.subarray(i * 3, i * 3 + 3), LANDMARK_MIRROR[i] * 3);
  return out;
}

/**
 * The mean of the views' predictions (each 468 × xyz, photo pixels), over the views the mesh
 * still takes for a face (presence probability ≥ ½: more likely a face than not); the first view
 * alone when none other does.
 */
export function meanOfViews(views: { points: Float32Array; score: number }[]): Float32Array {
  const kept = views.filter((v, i) => i === 0 || v.score >= 0.5);
  if (kept.length === 1) return Float32Array.from(kept[0].points);
  const sum = new Float64Array(T.MESH_LANDMARK_COUNT * 3);
  for (const v of kept) for (let k = 0; k < sum.length; k++) sum[k] += v.points[k];
  return Float32Array.from(sum, (x) => x / kept.length);
}
