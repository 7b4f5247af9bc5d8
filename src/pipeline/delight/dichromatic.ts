/**
 * The dichromatic model's per-texel tests the base-size removal shares (delight/albedo.ts): how far
 * a colour lies off the plane of a body colour and the light's, and the highlight read against a
 * region's own albedo rather than the face's median skin.
 */
import { dichromaticWeights, specularExcess, type DelightGraphParams } from "../../estimators/delight.ts";
import { lumAt } from "./maps.ts";

/**
 * How far colour x lies off the dichromatic plane spanned by `body` and grey (the light's colour in
 * the frame where it is grey), as a share of the body part's luminance α·body: the least-squares
 * residual of x ≈ α·body + κ·(1, 1, 1). The body part is what the removal leaves for A_D, so the
 * residual is read against it, not against the highlight on top of it (read against the whole, a
 * residue of one size passed in proportion to the highlight's brightness: the brighter the
 * highlight, the more of its off-colour remainder reached A_D). No body part (α ≤ 0): all off.
 */
export function offPlane(x: ArrayLike<number>, body: ArrayLike<number>): number {
  const bb = body[0] * body[0] + body[1] * body[1] + body[2] * body[2];
  const b1 = body[0] + body[1] + body[2];
  const bx = body[0] * x[0] + body[1] * x[1] + body[2] * x[2];
  const x1 = x[0] + x[1] + x[2];
  const det = 3 * bb - b1 * b1;
  if (!(det > 1e-12)) return 0;
  const alpha = (3 * bx - b1 * x1) / det;
  const kappa = (bb * x1 - b1 * bx) / det;
  const r = [0, 1, 2].map((c) => x[c] - alpha * body[c] - kappa);
  const diffuse = alpha * lumAt(body, 0);
  return diffuse > 0 ? Math.hypot(r[0], r[1], r[2]) / diffuse : Infinity;
}

/**
 * The dichromatic amount of texel J against its own region's albedo `regional` (the lighting fit's
 * smooth albedo there, J's units) rather than the face's median: chroma and brightness gate both
 * read against it, as the fit's own strip does (fit.ts stripSpecular). Skin's colour differs between
 * sites of one face (forehead against cheek in Xiao et al.'s measurements, reference
 * skin-reflectance.md §2.1 [S7]; more where the template's shading misses the light), and a region
 * paler than the median skin is read by the median's test as albedo plus white light, so its
 * paleness left A_D as sheen. Only what lies beyond the region's own colour toward the light's is
 * specular (dichromatic model: the specular has the light's colour). Grey regional albedo (no
 * chroma to separate by) gives 0, as dichromaticWeights does.
 */
export function regionalExcess(J: ArrayLike<number>, regional: ArrayLike<number>, p: DelightGraphParams): number {
  if (!(regional[0] > 0 && regional[1] > 0 && regional[2] > 0)) return 0;
  const skinAlbedo: [number, number, number] = [regional[0], regional[1], regional[2]];
  return specularExcess(J, dichromaticWeights(skinAlbedo), { ...p, skinAlbedo });
}
