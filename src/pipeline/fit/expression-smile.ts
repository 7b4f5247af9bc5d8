/**
 * How far out a smile takes the mouth corners, per person: the smile shape moves each corner along
 * one mean direction (47° above the horizontal, +27 % of the mouth's width at weight 1;
 * src/geometry/blendshapes.ts), but smiles differ in direction and reach between people: Rubin's
 * "commissure", "cuspid" and "complex" smiles (Plast Reconstr Surg 53:384–387, 1974; the widely
 * quoted classification, the paper not re-read here) draw the corners up and out, follow an upper
 * lip raised more than the corners, or pull the corners out with every elevator and depressor at
 * once. The spread of the reach has no measured figure we found (the 47° / 27 % study, Tarantili et
 * al. 2005, gives means of 15 children), so its SD is the shape's own mean reach per unit weight
 * (coefficient of variation 1, `smileReachCv`): the reach is known to its order, not better.
 * With one direction only, a broad flat smile's width beyond the shape's
 * lift went to the mouth-width identity mode (Biden's neutral mouth 56 mm from a closed-lip photo,
 * 65 mm from a smiling one) and stayed in the neutral head.
 *
 * So each side's smile has a lateral reach of its own: an unknown u whose field is the smile's own
 * sideways part (the x component of mouthSmile's displacement, one unit = the shape's full mean
 * reach), with a Gaussian prior of SD `cv × w` given the smile's weight w on that side: no smile,
 * no reach; a half smile may reach half as far again. The reach is expression: it is neither in the
 * weights' field nor in the solve's identity, so the neutral head does not take it and the head as
 * photographed does (fit.ts warps the residual of the expressive landmarks into it).
 *
 *   const reach = smileReachFields(shapes);   // one per mouthSmile side, with the shape's index
 */
import type { Blendshape } from "../../types.ts";

/** One side's reach: its field (metres per unit), and the index (in the 52 shapes) of the smile whose weight scales its prior. */
export interface SmileReach {
  field: Blendshape;
  smile: number;
}

/**
 * The lateral reach of each side's smile (mouthSmileLeft, mouthSmileRight): the smile shape's own
 * x displacement, evaluated on the head the solve uses, so one unit is the shape's full mean reach.
 */
export function smileReachFields(shapes: Blendshape[]): SmileReach[] {
  const out: SmileReach[] = [];
  shapes.forEach((shape, k) => {
    if (shape.name !== "mouthSmileLeft" && shape.name !== "mouthSmileRight") return;
    const delta = new Float32Array(shape.delta.length);
    for (let i = 0; i < delta.length; i += 3) delta[i] = shape.delta[i];
    out.push({ field: { name: `${shape.name}Reach`, delta }, smile: k });
  });
  return out;
}

/**
 * The reach's prior given its smile's weight w (in the solve's units: one unit is the shape's mean
 * reach): Gaussian of SD cv·w about 0, bounded below by −w (a smile does not draw the corners in);
 * held at 0 when the smile is off. The normaliser's log(cv·w), which would also make a larger smile
 * a little dearer, is left out: the smile's own prior (spike and slab) prices it.
 */
export function reachPrior(w: number, cv: number): { lo: number; hi: number; ridge: number } {
  if (!(w > 0) || !(cv > 0)) return { lo: 0, hi: 0, ridge: 0 };
  return { lo: -w, hi: Infinity, ridge: 1 / (cv * w) ** 2 };
}
