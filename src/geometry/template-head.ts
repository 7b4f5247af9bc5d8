/**
 * The template head (docs/design.md §4): face from the canonical face data, scalp and neck lofted from
 * the face's outline over an anthropometric skull, ears grown out of the head grid, eye sockets
 * and separate eyeballs, one symmetric 2:3 UV atlas. Deterministic: the same data give the same
 * mesh, bit for bit.
 *
 *   const head = buildTemplateHead();
 *   head.mesh.indices.length / 3;   // ~45k triangles
 */
import type { HeadPart, TemplateHead } from "../types.ts";
import { LANDMARK_COUNT } from "../types.ts";
import { FACE_LANDMARKS_M, IRIS_LANDMARKS } from "./data/canonical-face.ts";
import { earFrame, inFootprint, snapFootprint } from "./ear.ts";
import { addEar, gradient, holeLoop, relaxAroundFootprint } from "./ear-attach.ts";
import { buildEyeball, eyeballCentre, socketRings } from "./eyes.ts";
import { buildFaceSurface } from "./face-surface.ts";
import { frankfortPitch, headFrame, headImplicit } from "./head-shape.ts";
import { computeNormals, computeTangents } from "./mesh-utils.ts";
import { assignMirrors } from "./mirror.ts";
import { Builder, stitch, type V3 } from "./mesh-builder.ts";
import { addMouthCavity, splitLips } from "./mouth.ts";
import { loftHead } from "./scalp-loft.ts";
import { smoothSeam } from "./seam-smooth.ts";
import { addGums, addTeeth, addTongue, dentalArches } from "./teeth.ts";
import { faceRegionMap, projectFace, rowSlot, scalpUv, untangleUvs } from "./uv-atlas.ts";
import { cachedTemplateHead } from "./template-head-cache.ts";

let cached: TemplateHead | undefined;

/**
 * The template head, built once per machine and source tree (read from the disk cache,
 * template-head-cache.ts) and once per process. Treat the result as read-only.
 */
export function buildTemplateHead(): TemplateHead {
  cached ??= cachedTemplateHead(generateTemplateHead);
  return cached;
}

/** Builds the template head from its data, with no cache on the way. */
export function generateTemplateHead(): TemplateHead {
  const b = new Builder();
  const face = buildFaceSurface();
  const nFace = face.positions.length / 3;
  const P = (v: number): V3 => [face.positions[3 * v], face.positions[3 * v + 1], face.positions[3 * v + 2]];
  // Scalp and neck lofted from the face outline first: the join is smoothed on both sides
  // before anything (UVs, sockets) is derived from the face's positions.
  const frame = headFrame();
  const implicit = headImplicit(frame);
  const loft = loftHead(face.ring.map(P), face.ringOutward, frame, implicit);
  smoothSeam(face, loft);

  // 1. Face island: vertex i of the face surface is vertex i of the head (landmarks 0–467).
  const raw = Array.from({ length: nFace }, (_, v) => projectFace(P(v)));
  const toFace = faceRegionMap(face.ring.map((v) => raw[v]));
  for (let v = 0; v < nFace; v++) b.vertex(P(v), toFace(raw[v]));
  b.skin.push(...face.indices);
  const stillFlipped = untangleUvs(b.uv, face.indices, new Set([...face.ring, ...face.eyeRight, ...face.eyeLeft]));
  if (stillFlipped) throw new Error(`template head: ${stillFlipped} face UV triangles stay folded`);
  // The closed mouth's seam is cut (positions and UVs unchanged) so the lips can part.
  const lips = splitLips(b, face.mouthSeam);

  // 2. Eye sockets: each lid loop rolls inwards in two rings; their UVs shrink into the eye opening.
  const lidRight = face.eyeRight.map(P);
  // The gaze axis through the photos' mean iris centre (the canonical face's iris landmark), not the lid loop's centroid.
  const irisRight = IRIS_LANDMARKS.right[0];
  const centreRight = eyeballCentre(lidRight, [FACE_LANDMARKS_M[3 * irisRight], FACE_LANDMARKS_M[3 * irisRight + 1]]);
  const centres: Record<"right" | "left", V3> = { right: centreRight, left: [-centreRight[0], centreRight[1], centreRight[2]] };
  for (const side of ["right", "left"] as const) {
    const lidIds = side === "right" ? face.eyeRight : face.eyeLeft;
    const lidUv = lidIds.map((v) => [b.uv[2 * v], b.uv[2 * v + 1]]);
    const cu = lidUv.reduce((s, q) => s + q[0], 0) / lidUv.length, cv = lidUv.reduce((s, q) => s + q[1], 0) / lidUv.length;
    let prev = lidIds;
    socketRings(lidIds.map(P), centres[side]).forEach((ring, r) => {
      const f = 0.25 * (r + 1);
      const ids = ring.map((p, m) => b.vertex(p, [lidUv[m][0] + (cu - lidUv[m][0]) * f, lidUv[m][1] + (cv - lidUv[m][1]) * f]));
      const tris: number[] = [];
      stitch(b, tris, prev, ids);
      b.skin.push(...orientLike(tris, b.skin, prev));
      prev = ids;
    });
  }

  // 3. Scalp and neck: the loft's grid; column N is the seam copy of column 0.
  const N = loft.meridians, K = loft.rings;
  const maxLength = Math.max(...loft.length);
  const grid: number[][] = [];
  for (let k = 0; k <= K; k++) {
    const row: number[] = [];
    for (let i = 0; i <= N; i++) {
      const o = (k * N + (i % N)) * 3;
      row.push(b.vertex([loft.grid[o], loft.grid[o + 1], loft.grid[o + 2]], scalpUv(i, N, loft.arc[k * N + (i % N)], maxLength)));
    }
    grid.push(row);
  }

  // 4. Ears replace the grid cells of their footprints (left ear built, right mirrored).
  const tragion = frame.tragion as V3;
  const earLeft = earFrame(tragion, gradient(implicit, tragion), frankfortPitch());
  const removed = new Set<number>();
  for (let k = 1; k < K; k++) {
    for (let i = 0; i < N; i++) {
      const c = centroid([grid[k][i], grid[k][i + 1], grid[k + 1][i + 1], grid[k + 1][i]].map((v) => b.at(v)));
      if (inFootprint(earLeft, c) || inFootprint(earLeft, [-c[0], c[1], c[2]])) removed.add(k * N + i);
    }
  }
  // The right ear's border is the left's, mirrored vertex by vertex (same sequence).
  const loopLeft = holeLoop(removed, N, grid, (i) => i < N / 2);
  const gridMirror = new Map<number, number>();
  for (let k = 0; k <= K; k++) for (let i = 0; i <= N; i++) gridMirror.set(grid[k][i], grid[k][N - i]);
  const snapped = snapFootprint(earLeft, loopLeft.map((v) => b.at(v)), implicit);
  snapped.forEach((p, m) => b.pos.splice(3 * loopLeft[m], 3, ...p));
  relaxAroundFootprint(b, grid, removed, loopLeft, earLeft, implicit);
  for (let k = 0; k <= K; k++) for (let i = 0; i < N / 2; i++) {
    const v = grid[k][i], p = b.at(v);
    b.pos.splice(3 * gridMirror.get(v)!, 3, -p[0], p[1], p[2]);
  }
  // Scalp cells, split along their shorter diagonal, except where a cell touches a footprint's
  // border at three corners (a corner of the staircase, now nearly straight): there the split
  // goes through the middle one, or a sliver would lie along the border.
  const onBorder = new Set([...loopLeft, ...loopLeft.map((v) => gridMirror.get(v)!)]);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < N; i++) {
      if (removed.has(k * N + i)) continue;
      const q = [grid[k][i], grid[k][i + 1], grid[k + 1][i + 1], grid[k + 1][i]];
      const border = q.map((v) => onBorder.has(v));
      const corner = border.filter(Boolean).length === 3 ? [0, 1, 2, 3].find((e) => border[e] && border[(e + 1) % 4] && border[(e + 3) % 4]) : undefined;
      if (corner === undefined) stitch(b, b.skin, [q[0], q[1]], [q[3], q[2]], false);
      else if (corner % 2 === 0) b.skin.push(q[0], q[1], q[2], q[0], q[2], q[3]);
      else b.skin.push(q[0], q[1], q[3], q[1], q[2], q[3]);
    }
  }
  addEar(b, earLeft, loopLeft, 1, implicit);
  addEar(b, earLeft, loopLeft.map((v) => gridMirror.get(v)!), -1, implicit);

  // 5. Neck base: the last ring closed by a disc.
  addNeckCap(b, grid[K].slice(0, N), loft.neckBase);

  // 6. Eyeballs (separate parts), iris landmarks on them.
  const landmarkVertices = new Int32Array(LANDMARK_COUNT);
  for (let i = 0; i < 468; i++) landmarkVertices[i] = i;
  const eyeParts: { part: HeadPart; tris: number[] }[] = [];
  for (const side of ["left", "right"] as const) {
    const tris = addEyeball(b, centres[side], side, IRIS_LANDMARKS[side], landmarkVertices);
    eyeParts.push({ part: side === "left" ? "eyeLeft" : "eyeRight", tris });
  }

  // 7. Mouth: cavity with inner lips, gums, teeth, tongue (own atlas and materials).
  const mouthFrame = { seamMid: b.at(lips.upper[(lips.upper.length - 1) >> 1]), labraleSuperius: P(0) };
  const cavity = addMouthCavity(b, lips, dentalArches(mouthFrame).upper.front);
  const gums = addGums(b, mouthFrame);
  const teeth = addTeeth(b, mouthFrame);
  const tongue = addTongue(b, mouthFrame);

  // 8. Drop grid vertices the ears replaced, pair mirrors, finish the mesh.
  const partTris: { part: HeadPart; tris: number[] }[] = [
    { part: "skin", tris: b.skin },
    ...eyeParts,
    { part: "mouth", tris: [...cavity.tris, ...gums.tris] },
    { part: "teeth", tris: teeth.tris },
    { part: "tongue", tris: tongue.tris },
  ];
  const allTris = partTris.flatMap((p) => p.tris);
  const { positions: pos64, uvs: uv64, indices, remap } = compact(b, allTris);
  for (let i = 0; i < LANDMARK_COUNT; i++) landmarkVertices[i] = remap[landmarkVertices[i]];
  const mirrorVertex = assignMirrors(pos64, uv64);
  const positions = Float32Array.from(pos64);
  const uvs = Float32Array.from(uv64);
  const normals = computeNormals(positions, indices);
  const tangents = computeTangents(positions, normals, uvs, indices);
  const parts: TemplateHead["parts"] = [];
  let first = 0;
  for (const p of partTris) {
    parts.push({ part: p.part, firstIndex: first, indexCount: p.tris.length });
    first += p.tris.length;
  }
  const mandible = new Float32Array(positions.length / 3).fill(-1);
  for (const piece of [cavity, gums, teeth, tongue]) for (const [v, w] of piece.jaw) if (remap[v] >= 0) mandible[remap[v]] = w;
  const ids = (vs: number[]) => Int32Array.from(vs, (v) => remap[v]);
  return {
    mesh: { positions, normals, tangents, uvs, indices },
    parts,
    landmarkVertices,
    mirrorVertex,
    rig: { upperSeam: ids(lips.upper), lowerSeam: ids(lips.lower), lidRight: ids(face.eyeRight), lidLeft: ids(face.eyeLeft), mandible, tongueTip: remap[tongue.tip] },
  };
}

function centroid(ps: V3[]): V3 {
  const c: V3 = [0, 0, 0];
  for (const p of ps) for (let k = 0; k < 3; k++) c[k] += p[k] / ps.length;
  return c;
}

/** Closes the neck's last ring with a flat disc (its own UV island, facing down). */
function addNeckCap(b: Builder, ring: number[], centre: V3): void {
  const pts = ring.map((v) => b.at(v));
  let ra = 0, rb = 0;
  for (const p of pts) {
    ra = Math.max(ra, Math.abs(p[0] - centre[0]));
    rb = Math.max(rb, Math.abs(p[2] - centre[2]));
  }
  const uvOf = (p: V3) => rowSlot(2, [0.5 + (0.48 * (p[0] - centre[0])) / ra, 0.5 - (0.48 * (p[2] - centre[2])) / rb]);
  const rings: number[][] = [pts.map((p) => b.vertex(p, uvOf(p)))];
  for (const s of [0.75, 0.5, 0.25]) {
    rings.push(pts.map((p) => {
      const q: V3 = [centre[0] + (p[0] - centre[0]) * s, centre[1], centre[2] + (p[2] - centre[2]) * s];
      return b.vertex(q, uvOf(q));
    }));
  }
  const c = b.vertex(centre, uvOf(centre));
  const tris: number[] = [];
  for (let j = 0; j + 1 < rings.length; j++) stitch(b, tris, rings[j], rings[j + 1]);
  const last = rings[rings.length - 1];
  for (let m = 0; m < last.length; m++) tris.push(last[m], last[(m + 1) % last.length], c);
  // Face down (−Y).
  const [p0, p1, p2] = [b.at(tris[0]), b.at(tris[1]), b.at(tris[2])];
  const ny = (p1[2] - p0[2]) * (p2[0] - p0[0]) - (p1[0] - p0[0]) * (p2[2] - p0[2]);
  if (ny > 0) for (let t = 0; t < tris.length; t += 3) [tris[t + 1], tris[t + 2]] = [tris[t + 2], tris[t + 1]];
  b.skin.push(...tris);
}

/**
 * Adds an eyeball (right built directly, left as its mirror) and records the iris landmarks'
 * vertices: `iris` = [centre, four rim landmarks]; each rim landmark goes to the limbus vertex
 * whose direction from the apex matches the landmark data's.
 */
function addEyeball(b: Builder, centre: V3, side: "left" | "right", iris: number[], landmarkVertices: Int32Array): number[] {
  // Both globes are built as the right one; the left is mirrored in position and UV.
  const s = side === "right" ? 1 : -1;
  const eye = buildEyeball([s * centre[0], centre[1], centre[2]]);
  const base = b.pos.length / 3;
  for (let v = 0; v < eye.positions.length / 3; v++) {
    const local: [number, number] = [eye.uvs[2 * v], eye.uvs[2 * v + 1]];
    b.vertex([s * eye.positions[3 * v], eye.positions[3 * v + 1], eye.positions[3 * v + 2]], side === "right" ? rowSlot(0, local) : rowSlot(4, [1 - local[0], local[1]]));
  }
  const tris: number[] = [];
  for (let t = 0; t < eye.indices.length; t += 3) {
    const [i0, i1, i2] = [eye.indices[t] + base, eye.indices[t + 1] + base, eye.indices[t + 2] + base];
    if (side === "right") tris.push(i0, i1, i2);
    else tris.push(i0, i2, i1);
  }
  landmarkVertices[iris[0]] = base + eye.apex;
  const apex = b.at(base + eye.apex);
  for (let r = 1; r < 5; r++) {
    const dx = FACE_LANDMARKS_M[3 * iris[r]] - FACE_LANDMARKS_M[3 * iris[0]], dy = FACE_LANDMARKS_M[3 * iris[r] + 1] - FACE_LANDMARKS_M[3 * iris[0] + 1];
    let best = eye.limbus[0], bestDot = -Infinity;
    for (const l of eye.limbus) {
      const p = b.at(base + l);
      const ex = p[0] - apex[0], ey = p[1] - apex[1];
      const d = (dx * ex + dy * ey) / (Math.hypot(dx, dy) * Math.hypot(ex, ey));
      if (d > bestDot) [best, bestDot] = [l, d];
    }
    landmarkVertices[iris[r]] = base + best;
  }
  return tris;
}

/** Keeps only vertices used by `tris`, in order of first index; returns the remapped arrays. */
function compact(b: Builder, tris: number[]): { positions: Float64Array; uvs: Float64Array; indices: Uint32Array; remap: Int32Array } {
  const n = b.pos.length / 3;
  const used = new Uint8Array(n);
  for (const t of tris) used[t] = 1;
  const remap = new Int32Array(n).fill(-1);
  let m = 0;
  for (let v = 0; v < n; v++) if (used[v]) remap[v] = m++;
  const positions = new Float64Array(m * 3), uvs = new Float64Array(m * 2);
  for (let v = 0; v < n; v++) {
    if (remap[v] < 0) continue;
    positions.set(b.pos.slice(3 * v, 3 * v + 3), 3 * remap[v]);
    uvs.set(b.uv.slice(2 * v, 2 * v + 2), 2 * remap[v]);
  }
  return { positions, uvs, indices: Uint32Array.from(tris, (t) => remap[t]), remap };
}

/** Returns `tris` flipped if needed so that an edge of `boundary` runs opposite to its direction in `reference`. */
function orientLike(tris: number[], reference: ArrayLike<number>, boundary: number[]): number[] {
  const a = boundary[0], c = boundary[1];
  let refForward = false;
  for (let t = 0; t < reference.length; t += 3) {
    for (let k = 0; k < 3; k++) if (reference[t + k] === a && reference[t + ((k + 1) % 3)] === c) refForward = true;
  }
  let mineForward = false;
  for (let t = 0; t < tris.length; t += 3) {
    for (let k = 0; k < 3; k++) if (tris[t + k] === a && tris[t + ((k + 1) % 3)] === c) mineForward = true;
  }
  if (refForward !== mineForward) return tris;
  const out: number[] = [];
  for (let t = 0; t < tris.length; t += 3) out.push(tris[t], tris[t + 2], tris[t + 1]);
  return out;
}
