/**
 * The identity ablation's common ingredients on hand-built heads: the set's mean shape and a
 * head's caricature of it undo pose and size, the mean A_D and eyes' map average in linear light,
 * and the face-oval crop keeps the face and greys the rest.
 */
import { describe, expect, it } from "vitest";
import { exaggeratedShape, meanAlbedo, meanEyes, meanShape, meshWithShape, ovalOnlyCrop, type AblationHead } from "../eval/ablation-heads.ts";
import { FACE_LANDMARKS_M } from "../src/geometry/data/canonical-face.ts";
import { quaternionToMatrix } from "../src/geometry/procrustes.ts";
import { linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import type { ImageF32, Landmarks } from "../src/types.ts";

// An octahedron, 0.1 m, its eight faces counter-clockwise from outside, every vertex skin.
const OCTAHEDRON = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1].map((v) => 0.1 * v);
const FACES = Uint32Array.from([0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5]);
const R = quaternionToMatrix(Math.cos(0.4), Math.sin(0.4) * 0.6, Math.sin(0.4) * 0.8, 0);

function moved(points: ArrayLike<number>, s: number, t: number[]): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    for (let r = 0; r < 3; r++) out[i + r] = s * (R[3 * r] * points[i] + R[3 * r + 1] * points[i + 1] + R[3 * r + 2] * points[i + 2]) + t[r];
  }
  return out;
}

const image = (values: number[], channels = 3): ImageF32 => ({ width: values.length / channels, height: 1, channels, data: Float32Array.from(values), colorSpace: "srgb" });

function head(positions: Float32Array, albedo: number[] = [0.5, 0.5, 0.5], eyes: number[] = [128, 128, 128]): AblationHead {
  const none = image([0], 1);
  return {
    person: "p",
    name: "n",
    mesh: { positions, normals: new Float32Array(18), tangents: new Float32Array(24), uvs: new Float32Array(12).fill(0.5), indices: FACES },
    parts: [{ part: "skin", firstIndex: 0, indexCount: FACES.length }],
    landmarkVertices: new Int32Array(0),
    albedo: image(albedo),
    specular: none,
    normalsDiffuse: none,
    normalsSpecular: none,
    ambientOcclusion: none,
    confidence: none,
    eyes: { width: 1, height: 1, codes: Uint8Array.from(eyes) },
    teethAlbedo: [0.6, 0.55, 0.5],
    photoDescriptor: new Float32Array(1),
    photoOvalDescriptor: new Float32Array(1),
  };
}

describe("identity ablation: common ingredients", () => {
  // The y pair pushed out by 1 cm: one person's head differs from the octahedron there.
  const bumped = OCTAHEDRON.map((v, i) => (i === 7 || i === 10 ? v * 1.1 : v));

  it("the mean shape takes out pose and size; a head drawn with it keeps its own place and size", () => {
    const a = head(Float32Array.from(OCTAHEDRON)), b = head(moved(OCTAHEDRON, 1.4, [0.3, -0.2, 0.1]));
    const mean = meanShape([a, b]);
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo(OCTAHEDRON[i], 6);
    const mesh = meshWithShape(b, Float32Array.from(bumped));
    // Aligned onto b over all vertices: the bump is spread by the fit, but b's scale and place hold.
    const centre = [0, 1, 2].map((c) => mesh.positions.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / 6);
    expect(centre[0]).toBeCloseTo(0.3, 3);
    expect(Math.hypot(mesh.positions[0] - centre[0], mesh.positions[1] - centre[1], mesh.positions[2] - centre[2])).toBeGreaterThan(0.13);
    // The recomputed normals are unit length and point away from the centre.
    const n = mesh.normals;
    expect(Math.hypot(n[0], n[1], n[2])).toBeCloseTo(1, 6);
    expect(n[0] * (mesh.positions[0] - centre[0]) + n[1] * (mesh.positions[1] - centre[1]) + n[2] * (mesh.positions[2] - centre[2])).toBeGreaterThan(0);
  });

  it("the caricature doubles a head's difference from the mean, and k = 1 is the head itself aligned onto it", () => {
    const mean = Float32Array.from(OCTAHEDRON);
    const h = head(moved(bumped, 0.8, [0, 0.1, 0]));
    const same = exaggeratedShape(h, mean, 1), twice = exaggeratedShape(h, mean, 2);
    const own = exaggeratedShape(head(Float32Array.from(bumped)), mean, 1);
    for (let i = 0; i < mean.length; i++) {
      expect(same[i]).toBeCloseTo(own[i], 6);
      expect(twice[i] - mean[i]).toBeCloseTo(2 * (same[i] - mean[i]), 6);
    }
    expect(Math.abs(same[7] - mean[7])).toBeGreaterThan(0.003);
  });

  it("A_D and the eyes' map are averaged in linear light", () => {
    const a = head(Float32Array.from(OCTAHEDRON), [0, 1, 0.5], [0, 255, 10]), b = head(Float32Array.from(OCTAHEDRON), [1, 1, 0.5], [255, 255, 10]);
    const m = meanAlbedo([a, b]).data;
    expect(m[0]).toBeCloseTo(linearToSrgb(0.5), 5);
    expect(m[1]).toBeCloseTo(1, 5);
    expect(m[2]).toBeCloseTo(0.5, 5);
    expect(srgbToLinear(m[0])).toBeCloseTo(0.5, 5);
    expect([...meanEyes([a, b]).codes]).toEqual([Math.round(255 * linearToSrgb(0.5)), 255, 10]);
  });

  it("the face-oval crop keeps the face's middle and greys the crop's corners", () => {
    // The canonical face's landmarks drawn frontally into a 400 px white image, 2000 px per metre.
    const lm: Landmarks = new Float32Array(FACE_LANDMARKS_M.length);
    for (let i = 0; i < FACE_LANDMARKS_M.length; i += 3) {
      lm[i] = 200 + 2000 * FACE_LANDMARKS_M[i];
      lm[i + 1] = 200 - 2000 * FACE_LANDMARKS_M[i + 1];
      lm[i + 2] = 0;
    }
    const white: ImageF32 = { width: 400, height: 400, channels: 3, data: new Float32Array(400 * 400 * 3).fill(1), colorSpace: "srgb" };
    const crop = ovalOnlyCrop(white, lm, 0.16);
    const at = (x: number, y: number) => crop.data[3 * (y * crop.width + x)];
    expect(at(112, 130)).toBe(1);
    expect(at(2, 2)).toBeCloseTo(0.16, 6);
    expect(at(221, 221)).toBeCloseTo(0.16, 6);
  });
});
