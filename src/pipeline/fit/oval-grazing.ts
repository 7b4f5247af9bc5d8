/**
 * The face-oval landmarks where the head's surface turns away from the camera.
 *
 * The detector puts the face-oval landmarks on the face's visible outline. Where the surface there
 * faces the camera, a landmark's image position says which point of the skin it is; where the
 * surface is near grazing (its normal nearly perpendicular to the view ray) the outline slides over
 * the cheek as the head turns, and the image position says where the outline is across itself, not
 * which point of the surface makes it. Taken as a target on the camera ray, the slide became shape:
 * on the identity set the contour's depth varied between one person's photos and carried no person
 * (docs/evaluation.md, "The face-oval landmarks at grazing").
 *
 * Geometry: at a surface point whose normal makes sin α = |n·r| with the unit view ray r, a move
 * ds along the surface in the plane of n and r moves the projection by ds·sin α across the outline
 * and the depth by ds·cos α. An image noise σ across the outline leaves the point's place along the
 * surface uncertain by σ/sin α, its depth by σ·cot α beyond the σ every landmark has. Against a
 * prediction from the rest of the face about as good as one landmark (SD σ), the posterior keeps
 * the reading's share σ² / (σ² + σ²·cot²α) = sin²α of the depth. Along the outline a smooth contour
 * has nothing to pin the landmark's place as it slides, so that component takes the same share;
 * across the outline (m, the surface normal made perpendicular to the ray) the reading stands, as
 * in the silhouette term (fit/silhouette.ts), which moves its contour points only along m. The
 * depth's extra SD also enters the landmark's depth reading (fit/depth-posterior.ts) as a
 * confidence × sin²α. A landmark facing the camera (sin α = 1) is unchanged.
 */
import { computeNormals } from "../../geometry/mesh-utils.ts";
import { dot } from "../../primitives/vec3.ts";
import { FACE_OVAL } from "../../primitives/face-topology.ts";
import type { Camera, TemplateHead } from "../../types.ts";
import { luSolve, solveDense } from "../../geometry/linear-solve.ts";
import { fitFactoredWarp, type FactoredWarp, type WarpTargets } from "./warp.ts";

const templateNormals = new WeakMap<TemplateHead, Float32Array>();

function normalsOf(head: TemplateHead): Float32Array {
  let n = templateNormals.get(head);
  if (!n) templateNormals.set(head, (n = computeNormals(head.mesh.positions, head.mesh.indices)));
  return n;
}

/** Per landmark of `faceIds`: the reading's share along the view and along the outline, sin²α (1 off the oval), and the outline's normal m (world, unit; xyz per landmark) across which it stands. */
export interface OvalGrazing {
  share: Float64Array;
  across: Float64Array;
}

/**
 * The grazing of each face-oval landmark's template vertex, posed by `camera` (world → camera
 * R·p + t): sin²α and the direction m, both from the template's own surface normal.
 *
 *   const g = ovalGrazing(head, faceIds, camera);   // g.share[k] = 1 where landmark faceIds[k] faces the camera or is off the oval
 */
export function ovalGrazing(head: TemplateHead, faceIds: readonly number[], camera: Pick<Camera, "rotation" | "translation">): OvalGrazing {
  const oval = new Set(FACE_OVAL);
  const pos = head.mesh.positions, normals = normalsOf(head), R = camera.rotation, t = camera.translation;
  const share = new Float64Array(faceIds.length).fill(1), across = new Float64Array(3 * faceIds.length);
  const toCamera = (v: ArrayLike<number>, off: number, shift: boolean) => [0, 1, 2].map((r) => R[3 * r] * v[off] + R[3 * r + 1] * v[off + 1] + R[3 * r + 2] * v[off + 2] + (shift ? t[r] : 0));
  faceIds.forEach((i, k) => {
    if (!oval.has(i)) return;
    const v = head.landmarkVertices[i];
    const ray = unit(toCamera(pos, 3 * v, true));
    const n = unit(toCamera(normals, 3 * v, false));
    const facing = dot(n, ray);
    share[k] = facing * facing;
    // m: the normal with its part along the ray taken out (the outline's normal, in 3D).
    const m = unit(n.map((x, c) => x - facing * ray[c]));
    // Camera → world: Rᵀ.
    for (let c = 0; c < 3; c++) across[3 * k + c] = R[c] * m[0] + R[3 + c] * m[1] + R[6 + c] * m[2];
  });
  return { share, across };
}

/**
 * The face-oval landmarks' targets with their reading along the view and along the outline (all but
 * across it, see ovalGrazing) shared with the prediction of the rest: the warp through every target
 * but the oval's, evaluated at the oval's centres. `targets` holds the landmarks first (`landmarks` of them, in faceIds order), then the
 * anchors; returns the new displacements of the landmarks and what was taken off each (xyz, world
 * metres).
 */
export function slideOvalTargets(targets: WarpTargets, landmarks: number, grazing: OvalGrazing): { displacements: Float64Array; removed: Float64Array } {
  const out = Float64Array.from(targets.displacements.subarray(0, 3 * landmarks));
  const removed = new Float64Array(3 * landmarks);
  const oval = Array.from({ length: landmarks }, (_, k) => k).filter((k) => grazing.share[k] < 1);
  if (oval.length === 0) return { displacements: out, removed };
  const prior = withoutCentres(fitFactoredWarp(targets), oval);
  oval.forEach((k, j) => {
    // The prediction's gap to the reading, less its part across the outline.
    const gap = [0, 1, 2].map((c) => prior[3 * j + c] - out[3 * k + c]);
    const acrossGap = dot(gap, grazing.across.subarray(3 * k, 3 * k + 3));
    for (let c = 0; c < 3; c++) {
      const move = (1 - grazing.share[k]) * (gap[c] - acrossGap * grazing.across[3 * k + c]);
      out[3 * k + c] += move;
      removed[3 * k + c] = -move;
    }
  });
  return { displacements: out, removed };
}

/**
 * What the warp through every target but `drop` (indices of centres) gives at the dropped centres
 * (xyz each), from the full system's factors: with c = A⁻¹B the full warp's coefficients and
 * G = (A⁻¹) on the dropped rows and columns, the reduced warp at a dropped centre is B − G⁻¹c there
 * (the block inverse's Schur complement). k solves on factors fit makes anyway (fitFactoredWarp
 * keeps them for the head's outline and the silhouette term) instead of a new factorisation.
 */
function withoutCentres(full: FactoredWarp, drop: number[]): Float64Array {
  const k = drop.length, N = full.factors.n;
  const unit = new Float64Array(N * k);
  drop.forEach((i, j) => (unit[i * k + j] = 1));
  const columns = luSolve(full.factors, unit, k);
  const G = Float64Array.from({ length: k * k }, (_, q) => columns[drop[Math.floor(q / k)] * k + (q % k)]);
  const coefficients = Float64Array.from({ length: 3 * k }, (_, q) => full.warp.coefficients[3 * drop[Math.floor(q / 3)] + (q % 3)]);
  const y = solveDense(G, k, coefficients, 3);
  return Float64Array.from({ length: 3 * k }, (_, q) => full.rhs[3 * drop[Math.floor(q / 3)] + (q % 3)] - y[q]);
}

function unit(v: number[]): number[] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
