/**
 * Deterministic hashing for the microgeometry synthesis: every random choice (a pore's place,
 * size and depth, a fine line's length) is a pure function of integer cell coordinates, a
 * per-feature stream index and the job's seed, so the same photo gives the same bytes and no
 * pattern repeats across the atlas (there is no texture tile to repeat).
 */

/** 32-bit integer hash of (a, b, c, seed) (lowbias32 finaliser over a mixed key). */
export function hash4(a: number, b: number, c: number, seed: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(c | 0, 0x9e3779b1) ^ (seed | 0);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from (a, b, c, seed). */
export function rand01(a: number, b: number, c: number, seed: number): number {
  return hash4(a, b, c, seed) / 4294967296;
}

/**
 * The job's seed from the photo's SHA-256 (hex): the first 32 bits. Same photo ⇒ same seed ⇒ same
 * maps; a different photo gets a different, uncorrelated pattern.
 */
export function seedFromSha256(hex: string): number {
  if (!/^[0-9a-f]{8}/i.test(hex)) throw new Error(`microgeometry: seed needs a hex SHA-256, got "${hex.slice(0, 12)}"`);
  return parseInt(hex.slice(0, 8), 16) >>> 0;
}
