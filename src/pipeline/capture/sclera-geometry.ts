/**
 * What lies between the lids but is not the diffuse sclera, told by the eye's anatomy and optics
 * rather than by colour (capture/sclera.ts): the caruncle at the medial canthus, and glints, the
 * light source mirrored in the tear film.
 */
import { EYEBALL_RADIUS_M, LIMBUS_RADIUS_M } from "../../geometry/eyes.ts";

/**
 * Canthi relative to the corneal apex in primary gaze, metres: the lateral 12 mm lateral (van den
 * Bosch 1999), the medial 15.5 mm medial (a model author's estimate) [S6]
 * (/work/shared/reference/head-anthropometry.md §2.2). Their sum, 27.5 mm, is the palpebral
 * fissure of the same model (Price et al. 2009, §2.1).
 */
const LATERAL_CANTHUS_M = 0.012;
const MEDIAL_CANTHUS_M = 0.0155;

/**
 * The share of the fissure (medial canthus → lateral canthus) that is not the globe: the globe's
 * silhouette reaches EYEBALL_RADIUS_M medially of the corneal apex, the medial canthus 15.5 mm;
 * between them lie the caruncle, the plica semilunaris and the tear lake (pink, moist, lit like
 * skin). The lateral canthus sits at the globe's edge (12 vs 12.1 mm): nothing to leave out there.
 * ≈ 0.124. The face mesh agrees with this frame: its iris centre sits at 0.55–0.6 of the fissure
 * from the medial landmark on the identity set (15.5 / 27.5 = 0.56).
 */
export const CARUNCLE_SHARE = (MEDIAL_CANTHUS_M - EYEBALL_RADIUS_M) / (MEDIAL_CANTHUS_M + LATERAL_CANTHUS_M);

/**
 * Refractive index of the tear film (mean of harvested tears 1.337: Patel & Tutchenko 2019, "The
 * refractive index of the human cornea: a review", Contact Lens & Anterior Eye 42:575–580,
 * doi:10.1016/j.clae.2019.04.018), and its Fresnel reflectance at normal incidence, ((n − 1) / (n + 1))² ≈ 0.021.
 */
export const TEAR_FILM_INDEX = 1.337;
export const TEAR_FILM_FRESNEL = ((TEAR_FILM_INDEX - 1) / (TEAR_FILM_INDEX + 1)) ** 2;

/**
 * The largest diameter, pixels, a glint can have on an eye of visible iris radius `irisRadius`
 * pixels when it is `excess` times brighter than the diffuse sclera beside it (its lightness over
 * the sclera's, minus one), the sclera's albedo (luminance) being `albedo`.
 *
 * The tear film mirrors a source of radiance L and solid angle Ω as F·L (F the Fresnel
 * reflectance); the same source lights the sclera to a radiance of at most A·L·Ω / π (A its
 * albedo, light falling square on), so excess = F·L / (A·L·Ω / π) and Ω ≥ π·F / (A·excess): the
 * brighter a glint over the sclera, the smaller its source. A convex mirror of radius R shows a
 * source of angular diameter θ as a patch R·θ / 2 across, θ = 2·√(Ω / π) for a round source, so
 * the patch is at most R·√(F / (A·excess)) — in iris radii, R / r_limbus · √(F / (A·excess)) ≈
 * 0.35 / √excess. R is the globe's (the sclera's surface; the cornea's 7.8 mm is smaller still).
 */
export function maxGlintDiameter(excess: number, irisRadius: number, albedo: number): number {
  if (!(excess > 0)) return Infinity;
  return (EYEBALL_RADIUS_M / LIMBUS_RADIUS_M) * irisRadius * Math.sqrt(TEAR_FILM_FRESNEL / (albedo * excess));
}

/**
 * The most a diffuse (Lambertian) sclera's radiance changes, relative, across a patch of `area`
 * pixels on an eye of visible iris radius `irisRadius` pixels: across the patch's diameter d the
 * globe's normal turns by d / R, and cos θ changes by tan θ · d / R of itself, at most d / R for
 * light within 45° of the normal. A patch lighter than the sclera beside it by more than that is
 * not shading.
 */
export function diffuseTurn(area: number, irisRadius: number): number {
  if (!(irisRadius > 0)) return Infinity;
  const diameter = 2 * Math.sqrt(area / Math.PI);
  return ((diameter / irisRadius) * LIMBUS_RADIUS_M) / EYEBALL_RADIUS_M;
}

/** The pixel count of the largest 8-connected group among `indices` (pixel indices y·width + x). */
export function largestBlob(indices: Iterable<number>, width: number): number {
  const left = new Set(indices);
  let largest = 0;
  for (const start of left) {
    left.delete(start);
    const stack = [start];
    let size = 0;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || x + dx < 0 || x + dx >= width) continue;
          const j = i + dy * width + dx;
          if (left.delete(j)) stack.push(j);
        }
      }
    }
    largest = Math.max(largest, size);
  }
  return largest;
}
