// unwrap's closed-lid handling (src/pipeline/unwrap/lid-stretch.ts): a flat "lid" photographed with the eye open below it,
// and a closed-lid head, built by hand, that slides the lid's lower band down over the eye and stretches it twofold.
import { describe, expect, it } from "vitest";
import type { Blendshape, Camera, CaptureResult, ImageF32, Mesh, TemplateHead } from "../src/types.ts";
import { RIGHT_EYE_CONTOUR } from "../src/primitives/face-topology.ts";
import { unwrap } from "../src/pipeline/unwrap.ts";
import { closedLidPositions, triangleStretch } from "../src/pipeline/unwrap/lid-stretch.ts";

/** The plane z = 0, x ±0.1, y ±0.15 m, facing +Z, as an n × n grid of quads with UVs 0..1 (v down). */
function plane(n: number): Mesh {
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) {
    positions.push(-0.1 + (0.2 * i) / n, 0.15 - (0.3 * j) / n, 0);
    uvs.push(i / n, j / n);
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const a = j * (n + 1) + i, b = a + 1, c = a + n + 1, d = c + 1;
    indices.push(a, c, b, b, c, d);
  }
  const count = positions.length / 3;
  return {
    positions: Float32Array.from(positions),
    normals: Float32Array.from({ length: 3 * count }, (_, k) => (k % 3 === 2 ? 1 : 0)),
    tangents: Float32Array.from({ length: 4 * count }, (_, k) => (k % 4 === 0 || k % 4 === 3 ? 1 : 0)),
    uvs: Float32Array.from(uvs),
    indices: Uint32Array.from(indices),
  };
}

// The camera half a metre in front: 2000 photo pixels per metre on the plane, y = 0 on row 350.
const camera: Camera = { width: 500, height: 700, fx: 1000, fy: 1000, cx: 250, cy: 350, rotation: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: Float64Array.from([0, 0, -0.5]) };
const mesh = plane(60);
const head: Pick<TemplateHead, "mesh" | "parts" | "landmarkVertices"> = { mesh, parts: [{ part: "skin", firstIndex: 0, indexCount: mesh.indices.length }], landmarkVertices: new Int32Array(0) };

/** The lid band y ∈ [0, 4 cm] slid down over the eye when closed: y → 2y − 4 cm (its margin lands 4 cm lower, its area doubles). */
function closedHead(): Float32Array {
  const out = Float32Array.from(mesh.positions);
  for (let v = 0; v < out.length / 3; v++) {
    const y = out[3 * v + 1];
    if (y >= 0 && y <= 0.04) out[3 * v + 1] = 2 * y - 0.04;
  }
  return out;
}

/** The photo's right-eye margin on an ellipse round pixel (250, 390), half-width 40, half-height `open` (0: a closed eye). */
function landmarks(open: number): Float32Array {
  const lm = new Float32Array(478 * 3);
  RIGHT_EYE_CONTOUR.forEach((i, k) => {
    const a = (2 * Math.PI * k) / RIGHT_EYE_CONTOUR.length;
    lm[3 * i] = 250 - 40 * Math.cos(a);
    lm[3 * i + 1] = 390 + open * Math.sin(a);
  });
  return lm;
}

function uniform(channels: number, value: number, colorSpace: ImageF32["colorSpace"]): ImageF32 {
  return { width: camera.width, height: camera.height, channels, colorSpace, data: new Float32Array(camera.width * camera.height * channels).fill(value) };
}

function capture(open: number): Pick<CaptureResult, "image" | "masks" | "landmarkConfidence" | "landmarks"> {
  return {
    image: uniform(3, 0.5, "srgb"),
    masks: { skin: uniform(1, 1, "data"), hair: uniform(1, 0, "data"), occluder: uniform(1, 0, "data") },
    landmarkConfidence: new Float32Array(0),
    landmarks: landmarks(open),
  };
}

// Atlas texels are 5 mm; texel (i, j) centres on x = −0.1 + 0.2 (i + ½)/W, y = 0.15 − 0.3 (j + ½)/H.
const W = 40, H = 60;
const options = { width: W, height: H, aoDirections: 8, aoResolution: 64 };
const texel = (i: number, j: number) => j * W + i;
/** y = 1.25 cm: closed, at −1.5 cm, inside the open eye (rows 370–410). */
const nearMargin = texel(20, 27);
/** y = 3.75 cm: closed, at 3.5 cm, still above the eye, but on a surface twice the area the photo saw. */
const upperLid = texel(20, 22);
/** y = 9.75 cm: the brow, which the blink leaves alone. */
const brow = texel(20, 10);

describe("closed lids in unwrap", () => {
  it("leaves the skin the blink lays over the photo's open eye unseen, and halves the trust in the skin it stretches twofold", () => {
    const open = unwrap({ capture: capture(20), fit: { mesh, camera }, head, closedLids: closedHead() }, options);
    expect(open.confidence.data[brow]).toBeGreaterThan(0.9);
    expect(open.visibility.data[nearMargin]).toBe(0);
    expect(open.confidence.data[nearMargin]).toBe(0);
    expect(open.visibility.data[upperLid]).toBe(1);
    expect(open.confidence.data[upperLid] / open.confidence.data[brow]).toBeCloseTo(0.5, 1);
  });

  it("textures the lid from the photo where the photo's eye is closed, and judges on the photographed head without a closed-lid head", () => {
    const closedEye = unwrap({ capture: capture(0), fit: { mesh, camera }, head, closedLids: closedHead() }, options);
    expect(closedEye.visibility.data[nearMargin]).toBe(1);
    const without = unwrap({ capture: capture(20), fit: { mesh, camera }, head }, options);
    expect(without.visibility.data[nearMargin]).toBe(1);
    expect(without.confidence.data[upperLid] / without.confidence.data[brow]).toBeCloseTo(1, 1);
  });
});

describe("lid-stretch helpers", () => {
  it("measures each triangle's area growth, never below 1, infinite from a collapsed triangle", () => {
    const photographed = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    const shown = Float32Array.from([0, 0, 0, 2, 0, 0, 0, 1.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 0]);
    const stretch = triangleStretch(photographed, shown, Uint32Array.from([0, 1, 2, 3, 4, 5]));
    expect(stretch[0]).toBeCloseTo(3, 6);
    expect(stretch[1]).toBe(Infinity);
    expect(triangleStretch(shown, photographed, Uint32Array.from([0, 1, 2]))[0]).toBe(1);
  });

  it("closes both lids on the neutral head, and gives up without both blink shapes", () => {
    const neutral = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const shape = (name: string, d: number[]): Blendshape => ({ name, delta: Float32Array.from(d) });
    const shapes = [shape("jawOpen", [9, 9, 9, 9, 9, 9]), shape("eyeBlinkLeft", [0, -1, 0, 0, 0, 0]), shape("eyeBlinkRight", [0, 0, 0, 0, -2, 0])];
    expect(Array.from(closedLidPositions(neutral, shapes)!)).toEqual([1, 1, 3, 4, 3, 6]);
    expect(closedLidPositions(neutral, shapes.slice(0, 2))).toBeNull();
  });
});
