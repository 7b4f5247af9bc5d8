/**
 * Irons out the join between the face surface and the lofted scalp. The face mesh's outer strip
 * flares away from the skull over the forehead and temples (12–17° off the vault's tangent plane:
 * its outline is where photos see the face turn away), and the loft turned that corner within a
 * few millimetres: a ridge with a groove behind it along the outline. Two passes:
 * 1. Taubin smoothing of the face's outer band (every face-mesh landmark pinned, so they stay
 *    exact vertices), which evens out the strip between the landmarks;
 * 2. thin-plate (biharmonic) fairing of the loft's first rings between the face's last strip and
 *    the scalp further out, so the bend spreads over a few centimetres: 16 rings over the forehead
 *    and temples, 4 below the cheekbones (deeper there, in front of the ear, the band folds; the
 *    jaw and chin meet the neck cleanly anyway).
 */
import { solveDense } from "./linear-solve.ts";
import type { FaceSurface } from "./face-surface.ts";
import type { Loft } from "./scalp-loft.ts";
import { withDefaults } from "../options.ts";

export interface SeamSmoothOptions {
  /** Face vertices up to this many edges in from the outline may move. */
  faceDepth: number;
  /** Loft rings 1..loftRings may move. */
  loftRings: number;
  /** Taubin λ/μ iterations. */
  iterations: number;
  /** Meridians starting below this height (metres, face frame) are faired over lowLoftRings only ... */
  fairBelowY: number;
  /** ... and those up to this much higher blend into the full band (deeper there, near the ear, the band folds). */
  fairBlendM: number;
  lowLoftRings: number;
  /** Vertices with index below this are pinned (the face-mesh landmarks). */
  pinnedBelow: number;
}

export const SEAM_SMOOTH_DEFAULTS: SeamSmoothOptions = { faceDepth: 5, loftRings: 16, iterations: 40, fairBelowY: -0.03, fairBlendM: 0.03, lowLoftRings: 4, pinnedBelow: 468 };

/**
 * Smooths `face.positions` near its outline and `loft.grid` rings 1..loftRings in place. The
 * loft's ring 0 is the outline (face vertices `face.ring`); it is read from the face surface.
 * Symmetric input stays symmetric (every step is a mirror-symmetric average).
 */
export function smoothSeam(face: FaceSurface, loft: Loft, options: Partial<SeamSmoothOptions> = {}): void {
  const o = withDefaults(SEAM_SMOOTH_DEFAULTS, options);
  const nFace = face.positions.length / 3;
  const N = loft.meridians;
  if (face.ring.length !== N) throw new Error("smoothSeam: the loft's meridians must start at the face outline's vertices");
  // Unified vertex ids: face vertices first, then loft rings 1..loftRings + 1 (the last ring fixed).
  const loftId = (k: number, i: number) => nFace + (k - 1) * N + (((i % N) + N) % N);
  const R = o.loftRings + 1;
  const total = nFace + R * N;
  const pos = new Float64Array(total * 3);
  pos.set(face.positions);
  for (let k = 1; k <= R; k++) for (let i = 0; i < N; i++) pos.set(loft.grid.subarray((k * N + i) * 3, (k * N + i) * 3 + 3), loftId(k, i) * 3);

  // Face adjacency.
  const faceNbrs: Set<number>[] = Array.from({ length: nFace }, () => new Set<number>());
  const I = face.indices;
  for (let t = 0; t < I.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      faceNbrs[I[t + k]].add(I[t + ((k + 1) % 3)]);
      faceNbrs[I[t + k]].add(I[t + ((k + 2) % 3)]);
    }
  }
  const ringIndex = new Map<number, number>();
  face.ring.forEach((v, i) => ringIndex.set(v, i));
  // Face vertices within faceDepth edges of the outline.
  const depth = new Int32Array(nFace).fill(-1);
  let layer = [...face.ring];
  for (const v of layer) depth[v] = 0;
  for (let d = 1; d <= o.faceDepth; d++) {
    const next: number[] = [];
    for (const v of layer) for (const w of faceNbrs[v]) if (depth[w] < 0) {
      depth[w] = d;
      next.push(w);
    }
    layer = next;
  }

  // Each movable vertex's smoothing stencil: groups of neighbours, each group averaged, groups weighted.
  type Stencil = { id: number; groups: { ids: number[]; w: number }[] };
  const stencils: Stencil[] = [];
  for (let v = o.pinnedBelow; v < nFace; v++) {
    if (depth[v] < 0) continue;
    const ri = ringIndex.get(v);
    if (ri === undefined) {
      stencils.push({ id: v, groups: [{ ids: [...faceNbrs[v]].sort((a, b) => a - b), w: 1 }] });
      continue;
    }
    // On the outline: along it (half), across it inwards (a quarter) and outwards (a quarter).
    const along = [face.ring[(ri + N - 1) % N], face.ring[(ri + 1) % N]];
    const inward = [...faceNbrs[v]].filter((w) => !ringIndex.has(w)).sort((a, b) => a - b);
    stencils.push({ id: v, groups: [{ ids: along, w: 0.5 }, { ids: inward, w: 0.25 }, { ids: [loftId(1, ri)], w: 0.25 }] });
  }

  const next = new Float64Array(stencils.length * 3);
  const step = (factor: number) => {
    stencils.forEach((s, j) => {
      for (let c = 0; c < 3; c++) {
        let mean = 0;
        for (const g of s.groups) {
          let m = 0;
          for (const id of g.ids) m += pos[3 * id + c];
          mean += (g.w * m) / g.ids.length;
        }
        next[3 * j + c] = pos[3 * s.id + c] + factor * (mean - pos[3 * s.id + c]);
      }
    });
    stencils.forEach((s, j) => pos.set(next.subarray(3 * j, 3 * j + 3), 3 * s.id));
  };
  for (let it = 0; it < o.iterations; it++) {
    step(0.5);
    step(-0.53);
  }
  face.positions.set(pos.subarray(0, nFace * 3));
  // Ring 0 is the outline itself.
  face.ring.forEach((v, i) => loft.grid.set(pos.subarray(3 * v, 3 * v + 3), i * 3));
  // Ring −1: the face one step in from the outline (mean of each outline vertex's inward neighbours).
  const inner = new Float64Array(N * 3);
  face.ring.forEach((v, i) => {
    const ids = [...faceNbrs[v]].filter((w) => !ringIndex.has(w));
    for (const w of ids) for (let c = 0; c < 3; c++) inner[3 * i + c] += pos[3 * w + c] / ids.length;
  });
  // Faired only where the outline runs over the forehead and temples (the jaw and chin join the
  // neck cleanly already, and extrapolating the face's slope there would swell the throat).
  const original = Float64Array.from(loft.grid.subarray(0, (o.loftRings + 1) * N * 3));
  const shallow = Float64Array.from(loft.grid);
  fairBand(shallow, inner, N, o.lowLoftRings);
  fairBand(loft.grid, inner, N, o.loftRings);
  for (let i = 0; i < N; i++) {
    const y = pos[3 * face.ring[i] + 1];
    const t = Math.min(1, Math.max(0, (y - o.fairBelowY) / o.fairBlendM));
    const w = t * t * (3 - 2 * t);
    for (let k = 1; k <= o.loftRings; k++) for (let c = 0; c < 3; c++) {
      const a = (k * N + i) * 3 + c;
      const low = k <= o.lowLoftRings ? shallow[a] : original[a];
      loft.grid[a] = low + w * (loft.grid[a] - low);
    }
  }
}

/**
 * Thin-plate fairing of grid rings 1..rings: the discrete biharmonic equation (13-point stencil)
 * on the (ring, meridian) grid, with rings −1 (`inner`, inside the face) and 0 fixed on one side
 * and rings rings+1, rings+2 on the other. The band thus leaves the face along the face's own
 * slope and meets the scalp along the scalp's, bending evenly in between. Solved exactly: the
 * meridian direction is periodic, so a discrete Fourier transform along it splits the system into
 * one small banded system per frequency.
 */
function fairBand(grid: Float64Array, inner: Float64Array, N: number, rings: number): void {
  const R = rings;
  const row = (k: number, i: number, c: number) => (k < 0 ? inner[3 * i + c] : grid[(k * N + i) * 3 + c]);
  const cosT = Array.from({ length: N }, (_, j) => Math.cos((2 * Math.PI * j) / N));
  const sinT = Array.from({ length: N }, (_, j) => Math.sin((2 * Math.PI * j) / N));
  // Fourier coefficients (cos, sin) of the four fixed rings, per coordinate: [ring][c][m].
  const fixedRings = [-1, 0, R + 1, R + 2];
  const A = fixedRings.map((k) => [0, 1, 2].map((c) => {
    const re = new Float64Array(N), im = new Float64Array(N);
    for (let m = 0; m < N; m++) {
      for (let i = 0; i < N; i++) {
        const j = (m * i) % N;
        re[m] += row(k, i, c) * cosT[j];
        im[m] += row(k, i, c) * sinT[j];
      }
    }
    return [re, im];
  }));
  const X = Array.from({ length: R }, () => [0, 1, 2].map(() => [new Float64Array(N), new Float64Array(N)]));
  for (let m = 0; m < N; m++) {
    // (Δ_ring + Δ_meridian)², with Δ_meridian = −λ on this frequency.
    const lambda = 2 - 2 * cosT[m];
    const diag = 6 + 4 * lambda + lambda * lambda, off1 = -4 - 2 * lambda, off2 = 1;
    // Banded R×R system (pentadiagonal), dense here: R is small.
    const M = new Float64Array(R * R);
    for (let k = 0; k < R; k++) {
      M[k * R + k] = diag;
      if (k >= 1) M[k * R + k - 1] = off1;
      if (k + 1 < R) M[k * R + k + 1] = off1;
      if (k >= 2) M[k * R + k - 2] = off2;
      if (k + 2 < R) M[k * R + k + 2] = off2;
    }
    // Right-hand sides: 6 columns (3 coordinates × cos/sin), the fixed rings' contributions moved over.
    const B = new Float64Array(R * 6);
    const known = (ring: number) => fixedRings.indexOf(ring);
    for (let k = 0; k < R; k++) {
      const ring = k + 1;
      for (const [d, w] of [[-2, off2], [-1, off1], [1, off1], [2, off2]] as const) {
        const f = known(ring + d);
        if (f < 0) continue;
        for (let c = 0; c < 3; c++) for (let part = 0; part < 2; part++) B[k * 6 + c * 2 + part] -= w * A[f][c][part][m];
      }
    }
    const sol = solveDense(M, R, B, 6);
    for (let k = 0; k < R; k++) for (let c = 0; c < 3; c++) for (let part = 0; part < 2; part++) X[k][c][part][m] = sol[k * 6 + c * 2 + part];
  }
  for (let k = 0; k < R; k++) {
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < 3; c++) {
        const [re, im] = X[k][c];
        let v = 0;
        for (let m = 0; m < N; m++) {
          const j = (m * i) % N;
          v += re[m] * cosT[j] + im[m] * sinT[j];
        }
        grid[((k + 1) * N + i) * 3 + c] = v / N;
      }
    }
  }
}
