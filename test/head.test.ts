import { beforeAll, describe, expect, it } from "vitest";
import { lipsAtRest, REST_INTERLABIAL_GAP_MAX_M } from "../src/geometry/canonical-face.ts";
import { FACE_LANDMARKS_M, IRIS_LANDMARKS, LANDMARK_MIRROR } from "../src/geometry/data/canonical-face.ts";
import { LIMBUS_RADIUS_M } from "../src/geometry/eyes.ts";
import { meshToGlb } from "../src/geometry/glb.ts";
import { HEAD_NORMS, headFrame, headImplicit, neckSection } from "../src/geometry/head-shape.ts";
import { boundaryLoops, degenerateTriangles, edgeReport, selfIntersections, signedVolume, uvReport } from "../src/geometry/mesh-checks.ts";
import { weldMap } from "../src/geometry/mesh-utils.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { ATLAS } from "../src/geometry/uv-atlas.ts";
import { LANDMARK_COUNT, type TemplateHead } from "../src/types.ts";

let head: TemplateHead;
let weld: Int32Array;
beforeAll(() => {
  head = buildTemplateHead();
  weld = weldMap(head.mesh.positions);
});

const part = (name: string) => {
  const p = head.parts.find((q) => q.part === name)!;
  return head.mesh.indices.subarray(p.firstIndex, p.firstIndex + p.indexCount);
};

describe("template head", () => {
  it("has 20k–60k triangles in skin, left eye, right eye, mouth, teeth, tongue order", () => {
    const tris = head.mesh.indices.length / 3;
    expect(tris).toBeGreaterThanOrEqual(20_000);
    expect(tris).toBeLessThanOrEqual(60_000);
    expect(head.parts.map((p) => p.part)).toEqual(["skin", "eyeLeft", "eyeRight", "mouth", "teeth", "tongue"]);
    expect(head.parts.reduce((s, p) => s + p.indexCount, 0)).toBe(head.mesh.indices.length);
  });

  it("skin is manifold, consistently wound and closed except for the two eye sockets", () => {
    const report = edgeReport(part("skin"), weld);
    expect(report.nonManifoldEdges).toBe(0);
    expect(report.inconsistentEdges).toBe(0);
    const loops = boundaryLoops(report.boundaryEdges);
    expect(loops.length).toBe(2);
    // Each open loop is the inner edge of a socket: it lies inside its eyeball.
    for (const loop of loops) {
      const x = loop.reduce((s, v) => s + head.mesh.positions[3 * v], 0) / loop.length;
      const eye = part(x > 0 ? "eyeLeft" : "eyeRight");
      const ids = new Set(eye);
      const c = [0, 0, 0];
      for (const v of ids) for (let k = 0; k < 3; k++) c[k] += head.mesh.positions[3 * v + k] / ids.size;
      for (const v of loop) expect(Math.hypot(...[0, 1, 2].map((k) => head.mesh.positions[3 * v + k] - c[k]))).toBeLessThan(0.0125);
    }
    expect(signedVolume(head.mesh.positions, part("skin"))).toBeGreaterThan(0.003); // wound outwards, head-sized (m³)
  });

  it("eyeballs are closed, outward-wound and not degenerate anywhere", () => {
    for (const name of ["eyeLeft", "eyeRight"]) {
      const r = edgeReport(part(name), weld);
      expect(r.boundaryEdges.length + r.nonManifoldEdges + r.inconsistentEdges).toBe(0);
      expect(signedVolume(head.mesh.positions, part(name))).toBeGreaterThan(0);
    }
    expect(degenerateTriangles(head.mesh.positions, head.mesh.indices, 1e-11)).toEqual([]);
  });

  it("has a non-overlapping, consistently oriented UV atlas with the face on ≥ 50 % of its texels", () => {
    // The mouth parts have their own atlas (src/geometry/mouth.ts): the skin atlas is skin and eyes.
    const atlasTris = Uint32Array.from([...part("skin"), ...part("eyeLeft"), ...part("eyeRight")]);
    const uv = uvReport(head.mesh.uvs, atlasTris, 768, 1152);
    expect(uv.overlapTexels).toBe(0);
    expect(uv.flippedTriangles).toBe(0);
    expect(uv.degenerateTriangles).toBe(0);
    let face = 0;
    const { uvs } = head.mesh;
    const indices = atlasTris;
    for (let t = 0; t < indices.length; t += 3) {
      const [a, b, c] = [indices[t], indices[t + 1], indices[t + 2]];
      if (uvs[2 * a + 1] > ATLAS.face.v1 || uvs[2 * b + 1] > ATLAS.face.v1 || uvs[2 * c + 1] > ATLAS.face.v1) continue;
      face += Math.abs((uvs[2 * b] - uvs[2 * a]) * (uvs[2 * c + 1] - uvs[2 * a + 1]) - (uvs[2 * c] - uvs[2 * a]) * (uvs[2 * b + 1] - uvs[2 * a + 1])) / 2;
    }
    expect(face).toBeGreaterThan(0.5);
    for (const v of uvs) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("is left/right symmetric in position (1e-4 m) and UV (u → 1 − u) through mirrorVertex", () => {
    const { positions: p, uvs } = head.mesh;
    const m = head.mirrorVertex;
    let notInvolution = 0, worstPos = 0, worstUv = 0;
    for (let v = 0; v < m.length; v++) {
      const w = m[v];
      if (m[w] !== v) notInvolution++;
      worstPos = Math.max(worstPos, Math.abs(p[3 * v] + p[3 * w]), Math.abs(p[3 * v + 1] - p[3 * w + 1]), Math.abs(p[3 * v + 2] - p[3 * w + 2]));
      worstUv = Math.max(worstUv, Math.abs(uvs[2 * v] + uvs[2 * w] - 1), Math.abs(uvs[2 * v + 1] - uvs[2 * w + 1]));
    }
    expect(notInvolution).toBe(0);
    expect(worstPos).toBeLessThan(1e-4);
    expect(worstUv).toBeLessThan(1e-6);
  });

  it("has every landmark as a vertex: the 468 face-mesh points exactly, the irises on the eyeballs", () => {
    const lv = head.landmarkVertices;
    expect(lv.length).toBe(LANDMARK_COUNT);
    expect(new Set(lv).size).toBe(LANDMARK_COUNT);
    for (let i = 0; i < 468; i++) {
      for (let k = 0; k < 3; k++) expect(head.mesh.positions[3 * lv[i] + k]).toBeCloseTo(FACE_LANDMARKS_M[3 * i + k], 6);
      expect(head.mirrorVertex[lv[i]]).toBe(lv[LANDMARK_MIRROR[i]]);
    }
    const eyeVerts = new Set([...part("eyeLeft"), ...part("eyeRight")]);
    for (let i = 468; i < LANDMARK_COUNT; i++) expect(eyeVerts.has(lv[i])).toBe(true);
  });

  it("has a neutral face in repose: lips within the rest gap, the irises where the photos put them, the upper lid over the iris' top", () => {
    const y = (i: number) => head.mesh.positions[3 * head.landmarkVertices[i] + 1];
    // Interlabial gap at rest 0–3 mm (Jacobson & Jacobson 2006).
    expect(y(13) - y(14)).toBeLessThanOrEqual(REST_INTERLABIAL_GAP_MAX_M);
    for (const side of ["right", "left"] as const) {
      const c = IRIS_LANDMARKS[side][0], at = head.landmarkVertices[c];
      expect(head.mesh.positions[3 * at]).toBeCloseTo(FACE_LANDMARKS_M[3 * c], 6);
      expect(head.mesh.positions[3 * at + 1]).toBeCloseTo(FACE_LANDMARKS_M[3 * c + 1], 6);
    }
    // In primary gaze the upper lid rests 2–3 mm below the upper limbus (Dutton).
    const covered = y(IRIS_LANDMARKS.left[0]) + LIMBUS_RADIUS_M - y(386);
    expect(covered).toBeGreaterThan(0.0015);
    expect(covered).toBeLessThan(0.0035);
  });

  it("averages only faces whose lips are at rest: a 2 mm gap is, a smile's 10 mm is not, at any image scale", () => {
    const face = (gapMm: number, pxPerMm: number) => {
      const l = new Float32Array(478 * 3);
      l[3 * 468] = -31.5 * pxPerMm;
      l[3 * 473] = 31.5 * pxPerMm;
      l[3 * 13 + 1] = 60 * pxPerMm;
      l[3 * 14 + 1] = (60 + gapMm) * pxPerMm;
      return l;
    };
    const iris = { right: 468, left: 473 };
    for (const scale of [1, 7.3]) {
      expect(lipsAtRest(face(2, scale), iris)).toBe(true);
      expect(lipsAtRest(face(4.5, scale), iris)).toBe(true);
      expect(lipsAtRest(face(10, scale), iris)).toBe(false);
    }
  });

  it("has a skin free of self-intersections (ears, their roots and the face–scalp join included)", () => {
    expect(selfIntersections(head.mesh.positions, part("skin"), { weld })).toEqual([]);
  });

  it("has an ANSUR-sized neck and ears that stand off the head as far as measured ears do", () => {
    // Perimeter of the skin's cut by the plane y = h (the neck is the only part there).
    const girth = (h: number) => {
      const p = head.mesh.positions, idx = part("skin");
      let sum = 0;
      for (let t = 0; t < idx.length; t += 3) {
        const pts: number[][] = [];
        for (let k = 0; k < 3; k++) {
          const a = idx[t + k], b = idx[t + ((k + 1) % 3)];
          const ya = p[3 * a + 1] - h, yb = p[3 * b + 1] - h;
          if ((ya < 0) === (yb < 0)) continue;
          const f = ya / (ya - yb);
          pts.push([p[3 * a] + f * (p[3 * b] - p[3 * a]), p[3 * a + 2] + f * (p[3 * b + 2] - p[3 * a + 2])]);
        }
        if (pts.length === 2) sum += Math.hypot(pts[0][0] - pts[1][0], pts[0][1] - pts[1][1]);
      }
      return sum;
    };
    const frame = headFrame();
    // Mid-neck 363.7 mm, base 402.9 mm (ANSUR II [S1]); the section is an ellipse, the mesh a polygon on it.
    expect(girth(frame.chinY - 0.035) / HEAD_NORMS.neckCircumference).toBeCloseTo(1, 1);
    const base = neckSection(frame, frame.neckBottomY + 0.002);
    expect(base.a).toBeGreaterThan(neckSection(frame, frame.chinY - 0.035).a);
    expect(girth(frame.neckBottomY + 0.002) / HEAD_NORMS.neckBaseCircumference).toBeGreaterThan(0.95);
    // Ear protrusion, rim to the side of the head: 16–28 mm covers ANSUR II's p5 (F) to p95 (M) [S1].
    const f = headImplicit(frame);
    let protrusion = 0;
    for (let v = 0; v < head.mesh.positions.length / 3; v++) {
      const [x, y, z] = [0, 1, 2].map((k) => head.mesh.positions[3 * v + k]);
      if (Math.abs(y - frame.tragion[1]) < 0.04 && Math.abs(z - frame.tragion[2]) < 0.04) protrusion = Math.max(protrusion, f(x, y, z));
    }
    expect(protrusion).toBeGreaterThan(0.016);
    expect(protrusion).toBeLessThan(0.028);
  });

  it("is deterministic and writes a GLB", async () => {
    const glb = await meshToGlb(head.mesh, head.parts);
    expect(new TextDecoder().decode(glb.subarray(0, 4))).toBe("glTF");
    expect(Buffer.from(await meshToGlb(head.mesh, head.parts)).equals(Buffer.from(glb))).toBe(true);
  });
});
