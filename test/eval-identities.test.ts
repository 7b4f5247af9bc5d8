/**
 * The identity-set evaluation's measures on hand-built inputs: verification figures (genuine,
 * impostor, equal error rate) on made-up descriptors, the similarity-aligned RMS between two heads
 * with a known answer, the canonical camera's framing, the re-render under the photo's hair, and
 * the per-photo tone-cue table.
 */
import { describe, expect, it } from "vitest";
import { canonicalCamera, faceFrame, projectedLandmarks } from "../eval/canonical-view.ts";
import { underHairAndOccluders } from "../eval/rerender.ts";
import { alignedRms, shapeStats, shapeVertexSets, vertexAreas } from "../eval/shape-consistency.ts";
import { crossVerificationStats, equalErrorRate, pairScore, verificationStats } from "../eval/verification.ts";
import { toneCueTable } from "../eval/identity-report.ts";
import { FACE_LANDMARKS_M } from "../src/geometry/data/canonical-face.ts";
import { quaternionToMatrix } from "../src/geometry/procrustes.ts";
import { RIGHT_EYE_INNER, RIGHT_EYE_OUTER, LEFT_EYE_INNER, LEFT_EYE_OUTER, NOSE_TIP } from "../src/primitives/face-topology.ts";
import { cameraCentre } from "../src/render/camera.ts";
import type { ImageF32 } from "../src/types.ts";

const unit = (...v: number[]) => {
  const l = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / l);
};

describe("verification figures", () => {
  it("genuine and impostor means, gap and a zero EER when the people separate", () => {
    // Person a near +x, person b near +y: genuine cosines 0.8 (a) and 1 (b), impostors 0 or 0.6.
    const items = [
      { person: "a", descriptors: [unit(1, 0, 0)] },
      { person: "a", descriptors: [unit(0.8, 0, 0.6)] },
      { person: "b", descriptors: [unit(0, 1, 0)] },
      { person: "b", descriptors: [unit(0, 1, 0)] },
    ];
    const s = verificationStats(items);
    expect(s.genuinePairs).toBe(2);
    expect(s.impostorPairs).toBe(4);
    expect(s.genuine).toBeCloseTo((0.8 + 1) / 2, 6);
    expect(s.impostor).toBeCloseTo(0, 6);
    expect(s.gap).toBeCloseTo(0.9, 6);
    expect(s.eer).toBe(0);
    expect(s.perPerson.a.genuine).toBeCloseTo(0.8, 6);
    expect(s.perPerson.b.impostor).toBeCloseTo(0, 6);
  });

  it("EER where false accepts meet false rejects, interpolated between score thresholds", () => {
    expect(equalErrorRate([0.9, 0.8], [0.3, 0.85])).toBeCloseTo(0.5, 9);
    // Threshold 0.6: FAR 1/4, FRR 0; 0.65: FAR 1/4, FRR 1/3 → they meet at 0.25.
    expect(equalErrorRate([0.9, 0.7, 0.6], [0.65, 0.2, 0.1, 0.05])).toBeCloseTo(0.25, 9);
    // Every impostor above every genuine pair: everything is an error.
    expect(equalErrorRate([0.1, 0.2], [0.5, 0.6])).toBeCloseTo(1, 9);
    expect(equalErrorRate([], [0.5])).toBeNull();
  });

  it("renders against photos: a photo's own render is not paired, the rest are genuine or impostor", () => {
    const heads = [
      { person: "a", descriptors: [unit(1, 0, 0), unit(0.6, 0.8, 0)] },
      { person: "a", descriptors: [unit(1, 0, 0), unit(1, 0, 0)] },
      { person: "b", descriptors: [unit(0, 0, 1), unit(0, 0, 1)] },
    ];
    const photos = [{ person: "a", descriptors: [unit(0, 1, 0)] }, { person: "a", descriptors: [unit(1, 0, 0)] }, { person: "b", descriptors: [unit(0, 0, 1)] }];
    const s = crossVerificationStats(heads, photos);
    // Genuine: head 0 vs photo 1 (1 and 0.6 → 0.8), head 1 vs photo 0 (0 and 0 → 0).
    expect(s.genuinePairs).toBe(2);
    expect(s.genuine).toBeCloseTo(0.4, 6);
    // Impostor: head 0 vs photo 2 (0), head 1 vs photo 2 (0), head 2 vs photos 0 and 1 (0).
    expect(s.impostorPairs).toBe(4);
    expect(s.impostor).toBeCloseTo(0, 6);
  });

  it("a pair's score is the mean over views of the same view's cosine", () => {
    const a = { person: "a", descriptors: [unit(1, 0), unit(1, 0)] };
    const b = { person: "b", descriptors: [unit(1, 0), unit(0, 1)] };
    expect(pairScore(a, b)).toBeCloseTo(0.5, 9);
  });
});

/** The six vertices of an octahedron (±x, ±y, ±z), metres. */
const OCTAHEDRON = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1].map((v) => 0.1 * v);

/** s·R·p + t on xyz triples. */
function similarity(points: number[], s: number, R: Float64Array, t: number[]): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    for (let r = 0; r < 3; r++) out[i + r] = s * (R[3 * r] * points[i] + R[3 * r + 1] * points[i + 1] + R[3 * r + 2] * points[i + 2]) + t[r];
  }
  return out;
}

describe("shape consistency", () => {
  // The x pair pushed out by δ, the y pair pulled in by δ: by symmetry the best rotation is the
  // identity and no translation helps, so only the scale is fitted, and the residual has a closed
  // form each way: min over s of Σ|s·p − q|² = Σ|q|² − (Σ p·q)² / Σ|p|² (a Procrustes fit with
  // scale is not symmetric, hence the two directions).
  const delta = 0.01;
  const bumped = OCTAHEDRON.map((v, i) => (i < 6 ? v * (1 + delta / 0.1) : i < 12 ? v * (1 - delta / 0.1) : v));
  const all = Uint32Array.from([0, 1, 2, 3, 4, 5]);
  const ones = new Float64Array(6).fill(1);
  const R = quaternionToMatrix(Math.cos(0.4), Math.sin(0.4) * 0.6, Math.sin(0.4) * 0.8, 0);
  const dotAll = (p: number[], q: number[]) => p.reduce((s, v, i) => s + v * q[i], 0);
  const [aa, ab, bb] = [dotAll(OCTAHEDRON, OCTAHEDRON), dotAll(OCTAHEDRON, bumped), dotAll(bumped, bumped)];
  const ontoBumped = Math.sqrt((bb - (ab * ab) / aa) / 6), ontoOriginal = Math.sqrt((aa - (ab * ab) / bb) / 6);

  it("aligned RMS: zero for a similar copy, the known residual otherwise, symmetric in scale", () => {
    const a = Float32Array.from(OCTAHEDRON);
    expect(alignedRms(a, similarity(OCTAHEDRON, 1.3, R, [0.2, -0.1, 0.5]), all, ones, ones)).toBeLessThan(1e-6);
    // δ·√(4/6) when the original is aligned onto the bumped copy (its best scale is exactly 1).
    expect(ontoBumped).toBeCloseTo(delta * Math.sqrt(4 / 6), 12);
    expect(alignedRms(a, similarity(bumped, 1, R, [0.2, -0.1, 0.5]), all, ones, ones)).toBeCloseTo((ontoBumped + ontoOriginal) / 2, 7);
    // The bumped copy 1.25 × larger: the residual onto it grows by 1.25, the one onto the original does not.
    expect(alignedRms(a, similarity(bumped, 1.25, R, [0, 0, 0]), all, ones, ones)).toBeCloseTo((1.25 * ontoBumped + ontoOriginal) / 2, 7);
    expect(() => alignedRms(a, new Float32Array(9), all, ones, ones)).toThrow(/same template/);
  });

  it("within vs between people in mm, and the skin and face vertex sets", () => {
    const a = Float32Array.from(OCTAHEDRON), b = similarity(bumped, 1, R, [0, 0, 0]);
    const items = [
      { person: "p", positions: a, areas: ones },
      { person: "p", positions: similarity(OCTAHEDRON, 0.9, R, [0.1, 0, 0]), areas: ones },
      { person: "q", positions: b, areas: ones },
    ];
    const s = shapeStats(items, all);
    expect(s.withinMm).toBeLessThan(1e-3);
    expect(s.betweenMm).toBeGreaterThan(0.9 * 1000 * ontoOriginal);
    expect(s.ratio).toBeLessThan(1e-3);
    // Triangles 0–1 are skin (vertex 0 in the face island, v ≤ 0.70), triangle 2 an eyeball.
    const mesh = { positions: a, indices: Uint32Array.from([0, 2, 4, 1, 2, 4, 3, 5, 0]), uvs: Float32Array.from([0.5, 0.3, 0.5, 0.8, 0.3, 0.2, 0.5, 0.95, 0.7, 0.5, 0.5, 0.95]) };
    const sets = shapeVertexSets(mesh, [{ part: "skin", firstIndex: 0, indexCount: 6 }, { part: "eyeLeft", firstIndex: 6, indexCount: 3 }]);
    expect([...sets.skin]).toEqual([0, 1, 2, 4]);
    expect([...sets.face]).toEqual([0, 2, 4]);
    // Vertices 0, 2, 4 of the octahedron (0.1 on x, y, z) make an equilateral triangle of side 0.1·√2; each vertex gets a third.
    const areas = vertexAreas(a, Uint32Array.from([0, 2, 4]));
    expect(areas[0] * 3).toBeCloseTo((Math.sqrt(3) / 4) * 0.02, 9);
  });
});

describe("canonical views", () => {
  const lm = Array.from({ length: 468 }, (_, i) => i);
  const face = Array.from(FACE_LANDMARKS_M);
  const eyeCentres = (p: Float32Array) => {
    const at = (i: number) => [p[3 * i], p[3 * i + 1]];
    const mid = (a: number, b: number) => [(at(a)[0] + at(b)[0]) / 2, (at(a)[1] + at(b)[1]) / 2];
    return [mid(RIGHT_EYE_OUTER, RIGHT_EYE_INNER), mid(LEFT_EYE_INNER, LEFT_EYE_OUTER)];
  };

  it("frames every head alike whatever its pose and size: eyes level, the interocular share of the image", () => {
    const size = 400;
    const reference = projectedLandmarks(canonicalCamera(faceFrame(face, lm), 0, { size }), face, lm);
    const R = quaternionToMatrix(Math.cos(0.5), 0.3 * Math.sin(0.5), 0.9 * Math.sin(0.5), Math.sqrt(1 - 0.81 - 0.09) * Math.sin(0.5));
    const moved = similarity(face, 1.15, R, [0.3, -0.2, 1.4]);
    const again = projectedLandmarks(canonicalCamera(faceFrame(moved, lm), 0, { size }), moved, lm);
    for (let i = 0; i < 468 * 3; i += 3) {
      expect(again[i]).toBeCloseTo(reference[i], 2);
      expect(again[i + 1]).toBeCloseTo(reference[i + 1], 2);
    }
    const [right, left] = eyeCentres(reference);
    expect(left[1]).toBeCloseTo(right[1], 6);
    // The subject's right eye on the viewer's left; the midline at the image centre.
    expect(right[0]).toBeLessThan(left[0]);
    expect((right[0] + left[0]) / 2).toBeCloseTo(size / 2, 6);
    // Perspective: the eyes lie a little behind or before the face centre the distance is set on.
    expect((left[0] - right[0]) / size).toBeGreaterThan(0.16 * 0.95);
    expect((left[0] - right[0]) / size).toBeLessThan(0.16 * 1.05);
  });

  it("turns the camera 30° round the face's up axis toward the subject's left", () => {
    const frame = faceFrame(face, lm);
    const c0 = cameraCentre(canonicalCamera(frame, 0));
    const c30 = cameraCentre(canonicalCamera(frame, 30));
    const d0 = c0.map((v, i) => v - frame.centre[i]), d30 = c30.map((v, i) => v - frame.centre[i]);
    const cos = (d0[0] * d30[0] + d0[1] * d30[1] + d0[2] * d30[2]) / (Math.hypot(...d0) * Math.hypot(...d30));
    expect((Math.acos(cos) * 180) / Math.PI).toBeCloseTo(30, 6);
    expect(d30[0] * frame.left[0] + d30[1] * frame.left[1] + d30[2] * frame.left[2]).toBeGreaterThan(0);
    expect(d30[0] * frame.up[0] + d30[1] * frame.up[1] + d30[2] * frame.up[2]).toBeCloseTo(0, 9);
    // The canonical face looks along +Z, up +Y: the frame finds it.
    expect(frame.forward[2]).toBeGreaterThan(0.9);
    expect(frame.up[1]).toBeGreaterThan(0.9);
    // The nose tip, in front of the face, lands left of the image centre (the camera stands on the subject's left).
    const turned = projectedLandmarks(canonicalCamera(frame, 30), face, lm);
    expect(turned[3 * NOSE_TIP]).toBeLessThan(256);
  });
});

describe("re-render under the photo's hair", () => {
  it("keeps the photo where hair or an occluder is, blends soft edges in linear light", () => {
    const img = (v: number, space: ImageF32["colorSpace"] = "srgb", channels = 3): ImageF32 => ({ width: 3, height: 1, channels, data: new Float32Array(3 * channels).fill(v), colorSpace: space });
    const photo = img(1), render = img(0);
    const hair = { ...img(0, "data", 1), data: Float32Array.from([1, 0, 0]) };
    const occluder = { ...img(0, "data", 1), data: Float32Array.from([0, 0, 0.5]) };
    const out = underHairAndOccluders(render, photo, { hair, occluder });
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([1, 0, expect.closeTo(0.7354, 3)]);
    expect(() => underHairAndOccluders(img(0, "linear"), photo, { hair, occluder })).toThrow(/sRGB/);
  });
});

describe("the identity set's per-photo tone cues", () => {
  it("one row a photo: which cue decided, each cue's skin Y, the camera curve, the sclera's pixels or why not", () => {
    const verdict = (used: boolean, pixels: number, reason: string) => ({ used, reason, pixels, clipped: 0, purity: 0.3, sigmaLnY: used ? 0.3 : null });
    const cues = {
      decided: "sclera + skin-locus prior",
      decidedColour: "sclera",
      referenceWeight: { luminance: 0.68, colour: 0.77 },
      sigmaLnY: 0.58,
      priorSigmaLnY: 1.02,
      skinYInterval: [0.09, 0.29] as [number, number],
      sigmaChroma: 0.1,
      skinY: { prior: 0.068, priorWeighed: 0.1, sclera: 0.208, teeth: null, combined: 0.165, colour: 0.16 },
      surfaceReflectance: 0,
      rednessShare: 0,
      sclera: verdict(true, 85, "ok"),
      teeth: verdict(false, 0, "mouth closed"),
    };
    const rows = [
      { person: "p", name: "a.jpg", failure: null, images: null, fitErrorOfInterocularPct: null, tone: { lab: [47.6, 12.4, 23] as [number, number, number], ita: -6, seenLab: null, cues, response: { contrast: 1.18, decided: "edge mixtures" } } },
      { person: "p", name: "b.jpg", failure: "no face", images: null, fitErrorOfInterocularPct: null, tone: { lab: null, ita: null, seenLab: null, cues: null, response: null } },
    ];
    const table = toneCueTable(rows);
    expect(table).toHaveLength(4);
    expect(table[2]).toContain("| p/a.jpg | 47.6 12.4 23.0 (-6°) | sclera + skin-locus prior (0.68) | sclera (0.77) | 0.068 / 0.100 / 0.208 / – → 0.165 | 1.02 | 1.18 (edge mixtures) | 85 px |");
    expect(table[3]).toBe("| p/b.jpg | – | – | – | – | – | – | – |");
  });
});
