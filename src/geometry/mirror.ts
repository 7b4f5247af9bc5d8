/**
 * Left/right pairing of the template head's vertices: vertex v's mirror has position
 * (−x, y, z) and UV (1 − u, v). Pairs are found by hashing and then made exactly symmetric, so
 * that tests (and stages that mirror through the atlas) can rely on bit-exact symmetry.
 */

/** Quantum for matching, metres and UV units: construction is symmetric up to float rounding. */
const MATCH_TOLERANCE = 1e-6;

/**
 * Finds each vertex's mirror partner (itself on the midline) and snaps the pair to exact
 * symmetry in place. Throws if some vertex has no partner: the construction was not symmetric.
 */
export function assignMirrors(positions: Float64Array | number[], uvs: Float64Array | number[]): Int32Array {
  const n = positions.length / 3;
  // Bucket by coarse (y, z); candidates are checked exactly in the 3×3 neighbouring buckets.
  const cell = 1e-4;
  const keyOf = (y: number, z: number) => `${Math.round(y / cell)},${Math.round(z / cell)}`;
  const table = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = keyOf(positions[3 * i + 1], positions[3 * i + 2]);
    const list = table.get(k);
    if (list) list.push(i);
    else table.set(k, [i]);
  }
  const mirror = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (mirror[i] >= 0) continue;
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2], u = uvs[2 * i], v = uvs[2 * i + 1];
    let partner = -1;
    const cy = Math.round(y / cell), cz = Math.round(z / cell);
    search: for (let dy = -1; dy <= 1; dy++) {
      for (let dz = -1; dz <= 1; dz++) {
        for (const j of table.get(`${cy + dy},${cz + dz}`) ?? []) {
          if (mirror[j] >= 0) continue;
          if (Math.abs(positions[3 * j] + x) > MATCH_TOLERANCE || Math.abs(positions[3 * j + 1] - y) > MATCH_TOLERANCE || Math.abs(positions[3 * j + 2] - z) > MATCH_TOLERANCE) continue;
          if (Math.abs(uvs[2 * j] + u - 1) > MATCH_TOLERANCE || Math.abs(uvs[2 * j + 1] - v) > MATCH_TOLERANCE) continue;
          partner = j;
          break search;
        }
      }
    }
    if (partner < 0) throw new Error(`template head is not symmetric: vertex ${i} at (${x}, ${y}, ${z}) uv (${u}, ${v}) has no mirror`);
    mirror[i] = partner;
    mirror[partner] = i;
    if (Math.abs(x) <= MATCH_TOLERANCE) {
      // On the midline (or on the scalp's seam, whose two copies mirror each other): x is 0.
      positions[3 * i] = 0;
      positions[3 * partner] = 0;
    }
    if (partner === i) {
      positions[3 * i] = 0;
      uvs[2 * i] = 0.5;
    } else {
      const a = Math.min(i, partner), b = Math.max(i, partner);
      positions[3 * b] = positions[3 * a] === 0 ? 0 : -positions[3 * a];
      positions[3 * b + 1] = positions[3 * a + 1];
      positions[3 * b + 2] = positions[3 * a + 2];
      uvs[2 * b] = 1 - uvs[2 * a];
      uvs[2 * b + 1] = uvs[2 * a + 1];
    }
  }
  return mirror;
}
