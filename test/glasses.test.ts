import { describe, expect, it } from "vitest";
import { spectacleFrames } from "../src/pipeline/capture/glasses.ts";
import { frontalLandmarksPx } from "./support/frontal-landmarks.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32 } from "../src/types.ts";

const W = 360, H = 360, PX_PER_M = 240 / 0.14;

/** The canonical face's landmarks, frontal, 240 px across (photo px). */
const landmarks = (): Float32Array => frontalLandmarksPx(W, H, PX_PER_M);

function eyeCentre(lm: Float32Array, idx: number[]): [number, number] {
  let x = 0, y = 0;
  for (const i of idx) (x += lm[i * 3]), (y += lm[i * 3 + 1]);
  return [x / idx.length, y / idx.length];
}

/** Distance (px) from p to the segment a–b. */
function toSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

type Stroke = (x: number, y: number) => boolean;

/** Skin with deterministic pixel noise (a camera's), darkened where any stroke lies. */
function face(strokes: Stroke[]): ImageF32 {
  const data = new Float32Array(W * H * 3);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.03;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dark = strokes.some((s) => s(x + 0.5, y + 0.5));
      const j = noise();
      const rgb = dark ? [0.2, 0.15, 0.13] : [0.78 + j, 0.58 + j, 0.5 + j];
      data.set(rgb, (y * W + x) * 3);
    }
  }
  return { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
}

const lm = landmarks();
const eyes = [eyeCentre(lm, T.RIGHT_EYE_CONTOUR), eyeCentre(lm, T.LEFT_EYE_CONTOUR)];
const ipd = Math.hypot(eyes[1][0] - eyes[0][0], eyes[1][1] - eyes[0][1]);
/** A rim: an elliptic ring (half-axes in IPD) about an eye, `width` px across. */
const ring = (c: [number, number], ra: number, rb: number, width: number): Stroke => (x, y) => {
  const r = Math.hypot((x - c[0]) / (ra * ipd), (y - c[1]) / (rb * ipd));
  return Math.abs(r - 1) * Math.min(ra, rb) * ipd < width / 2;
};
/** An arc of that ring over the angles [from, to] (radians, y down). */
const arc = (c: [number, number], ra: number, rb: number, width: number, from: number, to: number): Stroke => (x, y) => {
  const phi = Math.atan2((y - c[1]) / rb, (x - c[0]) / ra);
  return phi >= from && phi <= to && ring(c, ra, rb, width)(x, y);
};
const line = (a: [number, number], b: [number, number], width: number): Stroke => (x, y) => toSegment([x, y], a, b) < width / 2;

// A frame 3 mm across (about 5 px here): rims of 50 × 36 mm lenses, a bridge between them.
const rimWidth = (3 / 63) * ipd;
const frameStrokes: Stroke[] = [
  ring(eyes[0], 0.4, 0.29, rimWidth),
  ring(eyes[1], 0.4, 0.29, rimWidth),
  line([eyes[0][0] + 0.4 * ipd, eyes[0][1] - 0.08 * ipd], [eyes[1][0] - 0.4 * ipd, eyes[1][1] - 0.08 * ipd], rimWidth),
];
const onFrame = (x: number, y: number) => frameStrokes.some((s) => s(x, y));
const reach = Math.ceil((3 / 63) * ipd) + 1;

// Lines a bare face has: brows (thick arcs above the eyes), upper lid creases, lower lid creases, crow's feet.
const bareStrokes: Stroke[] = eyes.flatMap((c, k) => {
  const out = k === 0 ? -1 : 1;
  return [
    line([c[0] - out * 0.25 * ipd, c[1] - 0.3 * ipd], [c[0] + out * 0.1 * ipd, c[1] - 0.36 * ipd], 0.08 * ipd),
    line([c[0] + out * 0.1 * ipd, c[1] - 0.36 * ipd], [c[0] + out * 0.45 * ipd, c[1] - 0.26 * ipd], 0.06 * ipd),
    arc(c, 0.22, 0.14, 2, -Math.PI * 0.9, -Math.PI * 0.1),
    arc(c, 0.24, 0.18, 2, Math.PI * 0.15, Math.PI * 0.85),
    ...[-0.5, 0, 0.5].map((t) => line([c[0] + out * 0.3 * ipd, c[1] + t * 0.1 * ipd], [c[0] + out * 0.48 * ipd, c[1] + t * 0.25 * ipd], 2)),
  ];
});

describe("spectacle frames", () => {
  it("a drawn frame (two rims and a bridge) is found, and the map covers the frame, not the skin", () => {
    const found = spectacleFrames(face(frameStrokes), lm);
    expect(found.present).toBe(true);
    let onCount = 0, onCovered = 0, offCount = 0, offCovered = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const m = found.map.data[y * W + x];
        // Pixels well inside the frame strokes, and skin farther from them than half the widest frame
        // looked for (6 mm: the map reaches that far beside a line it found).
        if (onFrame(x + 0.5, y + 0.5) && [[-1, 0], [1, 0], [0, -1], [0, 1]].every(([dx, dy]) => onFrame(x + 0.5 + dx, y + 0.5 + dy))) (onCount++, (onCovered += m));
        else if (![-1, 0, 1].some((dx) => [-1, 0, 1].some((dy) => onFrame(x + 0.5 + dx * reach, y + 0.5 + dy * reach)))) (offCount++, (offCovered += m));
      }
    }
    expect(onCovered / onCount).toBeGreaterThan(0.8);
    expect(offCovered / offCount).toBeLessThan(0.002);
  });

  it("a bare face with brows, lid creases and crow's feet gives an empty map", () => {
    const found = spectacleFrames(face(bareStrokes), lm);
    expect(found.present).toBe(false);
    expect(found.map.data.reduce((a, v) => a + v, 0)).toBe(0);
    // The same lines with a frame over them: still found (the bare face's lines do not hide a frame).
    expect(spectacleFrames(face([...bareStrokes, ...frameStrokes]), lm).present).toBe(true);
  });

  it("a frame whose one lower rim is half lost (a reflection, a thin wire) is still found by the other rim and the bridge", () => {
    const halfLost: Stroke[] = [
      arc(eyes[0], 0.4, 0.29, rimWidth, -Math.PI, Math.PI * 0.45),
      ring(eyes[1], 0.4, 0.29, rimWidth),
      frameStrokes[2],
    ];
    const found = spectacleFrames(face(halfLost), lm);
    expect(found.rimShare[0]).toBeLessThan(0.6);
    expect(found.present).toBe(true);
  });

  it("refuses landmarks that are not the face mesh's", () => {
    expect(() => spectacleFrames(face([]), new Float32Array(30))).toThrow(/landmarks/);
  });
});
