/**
 * Mesh utilities shared by the template head, fit and the later stages: welding of UV-seam
 * duplicates, vertex adjacency, vertex normals and glTF/MikkTSpace-convention tangents.
 *
 * A vertex that lies on a UV seam is stored once per UV island with bit-identical positions; the
 * surface itself is continuous there. Normals are therefore accumulated over the welded surface
 * (no shading crease along seams), tangents per stored vertex (they follow the UVs).
 */

/**
 * For each vertex of a triangle list, the vertices it shares an edge with (in the order the
 * triangles first name them).
 */
export function vertexNeighbours(indices: ArrayLike<number>): Map<number, Set<number>> {
  const neighbours = new Map<number, Set<number>>();
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[t + k];
      const set = neighbours.get(a) ?? new Set<number>();
      set.add(indices[t + ((k + 1) % 3)]);
      set.add(indices[t + ((k + 2) % 3)]);
      neighbours.set(a, set);
    }
  }
  return neighbours;
}

/**
 * For each vertex, the index of the first vertex with a bit-identical position (itself when it
 * is the first). Seam duplicates thus share one representative.
 */
export function weldMap(positions: Float32Array): Int32Array {
  const n = positions.length / 3;
  const rep = new Int32Array(n);
  const seen = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    // Numbers, not bit patterns: −0 and +0 are the same place.
    const key = `${positions[3 * v] + 0},${positions[3 * v + 1] + 0},${positions[3 * v + 2] + 0}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, v);
      rep[v] = v;
    } else rep[v] = first;
  }
  return rep;
}

/**
 * Unit vertex normals, weighted by each triangle's corner angle, accumulated over welded
 * positions so that seam duplicates get the same normal.
 */
export function computeNormals(positions: Float32Array, indices: Uint32Array, weld: Int32Array = weldMap(positions)): Float32Array {
  const n = positions.length / 3;
  const acc = new Float64Array(n * 3);
  const P = positions;
  for (let t = 0; t < indices.length; t += 3) {
    const ids = [indices[t], indices[t + 1], indices[t + 2]];
    const ax = P[3 * ids[1]] - P[3 * ids[0]], ay = P[3 * ids[1] + 1] - P[3 * ids[0] + 1], az = P[3 * ids[1] + 2] - P[3 * ids[0] + 2];
    const bx = P[3 * ids[2]] - P[3 * ids[0]], by = P[3 * ids[2] + 1] - P[3 * ids[0] + 1], bz = P[3 * ids[2] + 2] - P[3 * ids[0] + 2];
    let nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
    const len = Math.hypot(nx, ny, nz);
    if (!(len > 0)) continue;
    nx /= len;
    ny /= len;
    nz /= len;
    for (let k = 0; k < 3; k++) {
      const o = ids[k];
      const angle = cornerAngle(P, o, ids[(k + 1) % 3], ids[(k + 2) % 3]);
      if (angle < 0) continue;
      const r = weld[o];
      acc[3 * r] += angle * nx;
      acc[3 * r + 1] += angle * ny;
      acc[3 * r + 2] += angle * nz;
    }
  }
  const normals = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    const r = weld[v];
    const x = acc[3 * r], y = acc[3 * r + 1], z = acc[3 * r + 2];
    const len = Math.hypot(x, y, z);
    if (len > 0) {
      normals[3 * v] = x / len;
      normals[3 * v + 1] = y / len;
      normals[3 * v + 2] = z / len;
    } else normals[3 * v + 2] = 1;
  }
  return normals;
}

/**
 * Angle (radians) at vertex o of the triangle corner o→p, o→q of xyz positions P: the weight of
 * a corner in the angle-weighted normals and tangents. −1 when an edge has zero length.
 */
function cornerAngle(P: ArrayLike<number>, o: number, p: number, q: number): number {
  const ux = P[3 * p] - P[3 * o], uy = P[3 * p + 1] - P[3 * o + 1], uz = P[3 * p + 2] - P[3 * o + 2];
  const vx = P[3 * q] - P[3 * o], vy = P[3 * q + 1] - P[3 * o + 1], vz = P[3 * q + 2] - P[3 * o + 2];
  const lu = Math.hypot(ux, uy, uz), lv = Math.hypot(vx, vy, vz);
  if (!(lu > 0 && lv > 0)) return -1;
  return Math.acos(Math.max(-1, Math.min(1, (ux * vx + uy * vy + uz * vz) / (lu * lv))));
}

/**
 * Per-vertex tangents (xyzw) in the glTF / MikkTSpace convention: xyz is the unit surface
 * direction of increasing u, orthogonal to the normal; the bitangent is cross(normal, xyz) · w
 * and points up the texture image (decreasing glTF v, i.e. increasing v of a bottom-up UV
 * system, which is what normal maps are authored against). Triangle contributions are weighted
 * by corner angle, like MikkTSpace; a vertex with no usable UV gradient gets a tangent
 * perpendicular to its normal and w = 1.
 */
export function computeTangents(positions: Float32Array, normals: Float32Array, uvs: Float32Array, indices: Uint32Array): Float32Array {
  const n = positions.length / 3;
  const tan = new Float64Array(n * 3);
  const bit = new Float64Array(n * 3);
  const P = positions;
  for (let t = 0; t < indices.length; t += 3) {
    const i0 = indices[t], i1 = indices[t + 1], i2 = indices[t + 2];
    const e1 = [P[3 * i1] - P[3 * i0], P[3 * i1 + 1] - P[3 * i0 + 1], P[3 * i1 + 2] - P[3 * i0 + 2]];
    const e2 = [P[3 * i2] - P[3 * i0], P[3 * i2 + 1] - P[3 * i0 + 1], P[3 * i2 + 2] - P[3 * i0 + 2]];
    // Bottom-up v (1 − v_glTF) so that the bitangent points up the image.
    const du1 = uvs[2 * i1] - uvs[2 * i0], dv1 = -(uvs[2 * i1 + 1] - uvs[2 * i0 + 1]);
    const du2 = uvs[2 * i2] - uvs[2 * i0], dv2 = -(uvs[2 * i2 + 1] - uvs[2 * i0 + 1]);
    const det = du1 * dv2 - du2 * dv1;
    if (!(Math.abs(det) > 1e-20)) continue;
    const r = 1 / det;
    const T = [(e1[0] * dv2 - e2[0] * dv1) * r, (e1[1] * dv2 - e2[1] * dv1) * r, (e1[2] * dv2 - e2[2] * dv1) * r];
    const B = [(e2[0] * du1 - e1[0] * du2) * r, (e2[1] * du1 - e1[1] * du2) * r, (e2[2] * du1 - e1[2] * du2) * r];
    const lt = Math.hypot(T[0], T[1], T[2]), lb = Math.hypot(B[0], B[1], B[2]);
    if (!(lt > 0 && lb > 0)) continue;
    const ids = [i0, i1, i2];
    for (let k = 0; k < 3; k++) {
      const o = ids[k];
      const angle = cornerAngle(P, o, ids[(k + 1) % 3], ids[(k + 2) % 3]);
      if (angle < 0) continue;
      for (let c = 0; c < 3; c++) {
        tan[3 * o + c] += (angle * T[c]) / lt;
        bit[3 * o + c] += (angle * B[c]) / lb;
      }
    }
  }
  const out = new Float32Array(n * 4);
  for (let v = 0; v < n; v++) {
    const nx = normals[3 * v], ny = normals[3 * v + 1], nz = normals[3 * v + 2];
    let tx = tan[3 * v], ty = tan[3 * v + 1], tz = tan[3 * v + 2];
    const d = tx * nx + ty * ny + tz * nz;
    tx -= d * nx;
    ty -= d * ny;
    tz -= d * nz;
    let len = Math.hypot(tx, ty, tz);
    if (!(len > 1e-12)) {
      // Any direction perpendicular to the normal.
      const ax = Math.abs(nx) < 0.9 ? 1 : 0, ay = ax ? 0 : 1;
      tx = ay * nz;
      ty = -ax * nz;
      tz = ax * ny - ay * nx;
      len = Math.hypot(tx, ty, tz) || 1;
    }
    tx /= len;
    ty /= len;
    tz /= len;
    // Handedness: does cross(n, t) point along the accumulated bitangent?
    const cx = ny * tz - nz * ty, cy = nz * tx - nx * tz, cz = nx * ty - ny * tx;
    const w = cx * bit[3 * v] + cy * bit[3 * v + 1] + cz * bit[3 * v + 2] < 0 ? -1 : 1;
    out.set([tx, ty, tz, w], 4 * v);
  }
  return out;
}
