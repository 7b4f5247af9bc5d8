/**
 * Loop subdivision with boundary rules, made interpolating for chosen vertices: the control
 * points are pre-corrected so that the subdivided surface passes exactly through their original
 * positions (the face-mesh landmarks must stay exact vertices of the head).
 */

export interface TriMesh {
  /** xyz per vertex. */
  positions: Float64Array;
  /** Three vertex indices per triangle. */
  indices: Uint32Array;
}

/** One Loop step. Old vertices keep their indices; edge vertices are appended. Returns the edge-vertex map too. */
export function loopSubdivide(mesh: TriMesh): TriMesh & { edgeVertex: Map<number, number> } {
  const { positions: P, indices: I } = mesh;
  const n = P.length / 3;
  const key = (a: number, b: number) => (a < b ? a * n + b : b * n + a);
  // Opposite vertices of each undirected edge (one or two).
  const opposite = new Map<number, number[]>();
  for (let t = 0; t < I.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = I[t + k], b = I[t + ((k + 1) % 3)], c = I[t + ((k + 2) % 3)];
      const e = key(a, b);
      const list = opposite.get(e);
      if (list) list.push(c);
      else opposite.set(e, [c]);
    }
  }
  const neighbours: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const boundaryNeighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [e, opp] of opposite) {
    const a = Math.floor(e / n), b = e % n;
    neighbours[a].add(b);
    neighbours[b].add(a);
    if (opp.length === 1) {
      boundaryNeighbours[a].push(b);
      boundaryNeighbours[b].push(a);
    }
  }
  const edgeVertex = new Map<number, number>();
  const out: number[] = [];
  // Old vertices.
  for (let v = 0; v < n; v++) {
    const bn = boundaryNeighbours[v];
    if (bn.length === 2) {
      for (let c = 0; c < 3; c++) out.push(0.75 * P[3 * v + c] + 0.125 * (P[3 * bn[0] + c] + P[3 * bn[1] + c]));
      continue;
    }
    const nb = [...neighbours[v]];
    const m = nb.length;
    if (m < 3 || bn.length > 0) {
      for (let c = 0; c < 3; c++) out.push(P[3 * v + c]);
      continue;
    }
    const beta = (1 / m) * (5 / 8 - (3 / 8 + 0.25 * Math.cos((2 * Math.PI) / m)) ** 2);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (const w of nb) s += P[3 * w + c];
      out.push((1 - m * beta) * P[3 * v + c] + beta * s);
    }
  }
  // Edge vertices, in a deterministic order (first appearance in the index list).
  let next = n;
  for (let t = 0; t < I.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = I[t + k], b = I[t + ((k + 1) % 3)];
      const e = key(a, b);
      if (edgeVertex.has(e)) continue;
      edgeVertex.set(e, next++);
      const opp = opposite.get(e)!;
      for (let c = 0; c < 3; c++) {
        out.push(opp.length === 2 ? 0.375 * (P[3 * a + c] + P[3 * b + c]) + 0.125 * (P[3 * opp[0] + c] + P[3 * opp[1] + c]) : 0.5 * (P[3 * a + c] + P[3 * b + c]));
      }
    }
  }
  const tris: number[] = [];
  for (let t = 0; t < I.length; t += 3) {
    const a = I[t], b = I[t + 1], c = I[t + 2];
    const ab = edgeVertex.get(key(a, b))!, bc = edgeVertex.get(key(b, c))!, ca = edgeVertex.get(key(c, a))!;
    tris.push(a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca);
  }
  return { positions: new Float64Array(out), indices: new Uint32Array(tris), edgeVertex };
}

/**
 * `levels` Loop steps, with the control points of `pinned` vertices adjusted (fixed-point
 * iteration) so that the result reproduces their input positions to within `tolerance`.
 */
export function subdivideInterpolating(mesh: TriMesh, levels: number, pinned: ArrayLike<number>, tolerance = 1e-7): TriMesh & { edgeVertices: Map<number, number>[] } {
  const target = mesh.positions;
  const control = Float64Array.from(target);
  let result = run(control);
  for (let it = 0; it < 200; it++) {
    let worst = 0;
    for (let k = 0; k < pinned.length; k++) {
      const v = pinned[k];
      for (let c = 0; c < 3; c++) {
        const r = target[3 * v + c] - result.positions[3 * v + c];
        control[3 * v + c] += r;
        worst = Math.max(worst, Math.abs(r));
      }
    }
    if (worst < tolerance) break;
    result = run(control);
  }
  // Snap exactly (the residual is below tolerance).
  for (let k = 0; k < pinned.length; k++) for (let c = 0; c < 3; c++) result.positions[3 * pinned[k] + c] = target[3 * pinned[k] + c];
  return result;

  function run(positions: Float64Array) {
    let m: TriMesh = { positions, indices: mesh.indices };
    const edgeVertices: Map<number, number>[] = [];
    for (let l = 0; l < levels; l++) {
      const s = loopSubdivide(m);
      edgeVertices.push(s.edgeVertex);
      m = s;
    }
    return { ...m, edgeVertices };
  }
}
