/**
 * Minimum s–t cut of a 4-connected pixel grid (Boykov–Kolmogorov max-flow, "An experimental
 * comparison of min-cut/max-flow algorithms for energy minimization in vision", PAMI 2004): the
 * exact minimiser of a binary labelling energy Σ unary + Σ pairwise Potts, as GrabCut uses it.
 * No npm package keeps a maintained grid max-flow, so it is written here (two search trees grown
 * from the terminals, augment, adopt orphans). Deterministic: a FIFO of active nodes in index order.
 */

/** Directions: 0 right, 1 left, 2 down, 3 up; the reverse of d is d ^ 1. */
const NONE = -1;
const TERMINAL = 4;
const FREE = 0, S = 1, T = 2;

export interface GridCutProblem {
  width: number;
  height: number;
  /** Per pixel, the cost of labelling it 1 ("sink side"), i.e. the capacity source → pixel, ≥ 0. */
  costOne: Float64Array;
  /** Per pixel, the cost of labelling it 0, the capacity pixel → sink, ≥ 0. */
  costZero: Float64Array;
  /** Per pixel, the cost of a label change between it and its right neighbour (symmetric), ≥ 0. */
  right: Float64Array;
  /** Per pixel, the cost of a label change between it and the pixel below (symmetric), ≥ 0. */
  down: Float64Array;
}

/**
 * Labels minimising Σ_p cost_{label(p)}(p) + Σ_{p~q} w_pq [label(p) ≠ label(q)]: 1 = sink side.
 * Returns one byte per pixel.
 *
 *   const labels = gridCut({ width, height, costOne, costZero, right, down });
 */
export function gridCut(problem: GridCutProblem): Uint8Array {
  const { width: W, height: H } = problem;
  const n = W * H;
  const cap = new Float64Array(n * 4);
  const tr = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    // Only the difference of the terminal capacities matters for the cut.
    tr[p] = problem.costOne[p] - problem.costZero[p];
    const x = p % W;
    if (x + 1 < W) cap[p * 4] = cap[(p + 1) * 4 + 1] = problem.right[p];
    if (p + W < n) cap[p * 4 + 2] = cap[(p + W) * 4 + 3] = problem.down[p];
  }
  const nb = (p: number, d: number): number => {
    if (d === 0) return p % W + 1 < W ? p + 1 : -1;
    if (d === 1) return p % W > 0 ? p - 1 : -1;
    if (d === 2) return p + W < n ? p + W : -1;
    return p >= W ? p - W : -1;
  };

  const tree = new Uint8Array(n);
  const parent = new Int8Array(n).fill(NONE);
  // Distance-to-terminal marks (Kolmogorov's timestamp heuristic) speed up the origin checks.
  const stamp = new Int32Array(n);
  const dist = new Int32Array(n);
  let time = 0;
  const active = new Int32Array(n + 1);
  const inQueue = new Uint8Array(n);
  let qHead = 0, qTail = 0, qCount = 0;
  const push = (p: number) => {
    if (inQueue[p]) return;
    inQueue[p] = 1;
    active[qTail] = p;
    qTail = qTail + 1 === active.length ? 0 : qTail + 1;
    qCount++;
  };
  const pop = (): number => {
    const p = active[qHead];
    qHead = qHead + 1 === active.length ? 0 : qHead + 1;
    qCount--;
    inQueue[p] = 0;
    return p;
  };
  for (let p = 0; p < n; p++) {
    if (tr[p] > 0) (tree[p] = S), (parent[p] = TERMINAL), push(p);
    else if (tr[p] < 0) (tree[p] = T), (parent[p] = TERMINAL), push(p);
  }
  const orphans: number[] = [];

  // Residual capacity along the tree edge between child c (tree t) and its neighbour in direction d.
  const treeCap = (c: number, d: number, t: number) => (t === S ? cap[nb(c, d) * 4 + (d ^ 1)] : cap[c * 4 + d]);

  while (qCount > 0) {
    const p = pop();
    const tp = tree[p];
    if (tp === FREE) continue;
    let meetS = -1, meetT = -1, meetDir = -1;
    for (let d = 0; d < 4; d++) {
      const q = nb(p, d);
      if (q < 0) continue;
      const c = tp === S ? cap[p * 4 + d] : cap[q * 4 + (d ^ 1)];
      if (!(c > 0)) continue;
      if (tree[q] === FREE) {
        tree[q] = tp;
        parent[q] = d ^ 1;
        stamp[q] = stamp[p];
        dist[q] = dist[p] + 1;
        push(q);
      } else if (tree[q] !== tp) {
        [meetS, meetT, meetDir] = tp === S ? [p, q, d] : [q, p, d ^ 1];
        break;
      }
    }
    if (meetS < 0) continue;
    push(p); // p may have more paths to offer
    time++;
    // Bottleneck along source → meetS → meetT → sink.
    let f = cap[meetS * 4 + meetDir];
    for (let x = meetS; parent[x] !== TERMINAL; x = nb(x, parent[x])) f = Math.min(f, treeCap(x, parent[x], S));
    for (let x = meetS; ; x = nb(x, parent[x])) if (parent[x] === TERMINAL) { f = Math.min(f, tr[x]); break; }
    for (let x = meetT; parent[x] !== TERMINAL; x = nb(x, parent[x])) f = Math.min(f, treeCap(x, parent[x], T));
    for (let x = meetT; ; x = nb(x, parent[x])) if (parent[x] === TERMINAL) { f = Math.min(f, -tr[x]); break; }
    // Augment.
    cap[meetS * 4 + meetDir] -= f;
    cap[meetT * 4 + (meetDir ^ 1)] += f;
    for (const [start, t] of [[meetS, S], [meetT, T]] as const) {
      let x = start;
      while (parent[x] !== TERMINAL) {
        const d = parent[x];
        const y = nb(x, d);
        if (t === S) {
          cap[y * 4 + (d ^ 1)] -= f;
          cap[x * 4 + d] += f;
          if (!(cap[y * 4 + (d ^ 1)] > 0)) (parent[x] = NONE), orphans.push(x);
        } else {
          cap[x * 4 + d] -= f;
          cap[y * 4 + (d ^ 1)] += f;
          if (!(cap[x * 4 + d] > 0)) (parent[x] = NONE), orphans.push(x);
        }
        x = y;
      }
      tr[x] += t === S ? -f : f;
      if (tr[x] === 0) (parent[x] = NONE), orphans.push(x);
    }
    // Adoption.
    while (orphans.length > 0) {
      const o = orphans.pop()!;
      const t = tree[o];
      let best = NONE, bestDist = Infinity;
      for (let d = 0; d < 4; d++) {
        const q = nb(o, d);
        if (q < 0 || tree[q] !== t) continue;
        const c = t === S ? cap[q * 4 + (d ^ 1)] : cap[o * 4 + d];
        if (!(c > 0)) continue;
        // Does q still reach the terminal?
        let steps = 0, x = q, ok = false;
        for (;;) {
          if (stamp[x] === time) { steps += dist[x]; ok = true; break; }
          const e = parent[x];
          steps++;
          if (e === TERMINAL) { stamp[x] = time; dist[x] = 1; ok = true; break; }
          if (e === NONE) break;
          x = nb(x, e);
        }
        if (!ok) continue;
        if (steps < bestDist) (best = d), (bestDist = steps);
        for (let y = q; stamp[y] !== time; y = nb(y, parent[y])) {
          stamp[y] = time;
          dist[y] = steps--;
        }
      }
      if (best !== NONE) {
        parent[o] = best;
        stamp[o] = time;
        dist[o] = bestDist + 1;
        continue;
      }
      for (let d = 0; d < 4; d++) {
        const q = nb(o, d);
        if (q < 0 || tree[q] !== t) continue;
        const c = t === S ? cap[q * 4 + (d ^ 1)] : cap[o * 4 + d];
        if (c > 0) push(q);
        if (parent[q] !== NONE && parent[q] !== TERMINAL && nb(q, parent[q]) === o) (parent[q] = NONE), orphans.push(q);
      }
      tree[o] = FREE;
    }
  }
  // Sink side = not reachable from the source in the residual graph = not in S.
  return Uint8Array.from(tree, (t) => (t === S ? 0 : 1));
}
