// fit's silhouette term on a synthetic photo: the template seen from a known camera, its neck and
// lower jaw widened by a known amount below the chin (where no landmark is), drawn as the person mask.
import { beforeAll, describe, expect, it } from "vitest";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { fit, FIT_DEFAULTS } from "../src/pipeline/fit.ts";
import { project } from "../src/pipeline/fit/pose.ts";
import { JAW_HALF_BREADTH_SD_M, occludingContour, SILHOUETTE_DEFAULTS, shrunk, type ContourPair } from "../src/pipeline/fit/silhouette.ts";
import { borderedWarp, fitFactoredWarp, fitWarp, warpAt } from "../src/pipeline/fit/warp.ts";
import { CHIN } from "../src/primitives/face-topology.ts";
import { createFragments, rasterize } from "../src/raster/rasterize.ts";
import { projectToScreen } from "../src/render/camera.ts";
import { LANDMARK_COUNT, type Camera, type FaceMasks, type ImageF32, type TemplateHead } from "../src/types.ts";

let head: TemplateHead;
beforeAll(() => {
  head = buildTemplateHead();
});

const W = 640, H = 640;
const WIDEN_M = 0.005;
const SKIN = [0.78, 0.58, 0.48], BACKGROUND = [0.2, 0.35, 0.6];

/** A frontal camera 0.7 m away (the fit recovers it from the landmarks). */
function camera(): Camera {
  const f = 1.2 * W;
  return { width: W, height: H, fx: f, fy: f, cx: W / 2, cy: H / 2 + 40, rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: new Float64Array([0, 0.02, -0.7]) };
}

/** The template with every skin vertex below the chin moved sideways by up to `metres`, easing in over 2 cm. */
function widened(metres: number): Float32Array {
  const p = Float32Array.from(head.mesh.positions);
  const chinY = p[3 * head.landmarkVertices[CHIN] + 1];
  for (let v = 0; v < p.length / 3; v++) {
    const t = Math.min(1, Math.max(0, (chinY - p[3 * v + 1]) / 0.02));
    p[3 * v] += Math.sign(p[3 * v]) * metres * t * t * (3 - 2 * t);
  }
  return p;
}

function landmarksOf(cam: Camera, positions: Float32Array): Float32Array {
  const lm = new Float32Array(LANDMARK_COUNT * 3);
  const q = new Float64Array(2);
  const depths: number[] = [];
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    depths.push(project(cam, positions, q, 3 * head.landmarkVertices[i]));
    lm[3 * i] = q[0];
    lm[3 * i + 1] = q[1];
  }
  const mean = depths.reduce((s, d) => s + d, 0) / depths.length;
  for (let i = 0; i < LANDMARK_COUNT; i++) lm[3 * i + 2] = ((depths[i] - mean) * cam.fx) / mean;
  return lm;
}

const plane = (data: Float32Array): ImageF32 => ({ width: W, height: H, channels: 1, data, colorSpace: "data" });

/** The photo and masks of the head at `positions`: skin-coloured on a blue background; hair (if asked) over the subject's left half. */
function synthetic(positions: Float32Array, hairOnLeft = false) {
  const cam = camera();
  const frags = createFragments(W, H);
  rasterize(frags, projectToScreen(cam, positions), head.mesh.indices, { cull: "back" });
  const person = new Float32Array(W * H), image = new Float32Array(W * H * 3), hair = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const on = frags.triangle[p] >= 0;
    person[p] = on ? 1 : 0;
    image.set(on ? SKIN : BACKGROUND, 3 * p);
    // The subject's left is the image's right in a frontal view.
    if (hairOnLeft && on && p % W > cam.cx) hair[p] = 1;
  }
  const masks: FaceMasks = { skin: plane(Float32Array.from(person)), hair: plane(hair), occluder: plane(new Float32Array(W * H)), person: plane(person) };
  const photo: ImageF32 = { width: W, height: H, channels: 3, data: image, colorSpace: "srgb" };
  return { image: photo, masks, landmarks: landmarksOf(cam, positions), landmarkConfidence: new Float32Array(LANDMARK_COUNT).fill(1) };
}

/**
 * Per side (subject's right = −x, left = +x), the mean sideways offset in pixels of the fitted neck's
 * outermost vertices from the truth's, 1–3 cm below the chin (outward positive).
 */
function neckOffsetPx(result: ReturnType<typeof fit>, truth: Float32Array): { right: number; left: number } {
  const cam = camera();
  const chinY = truth[3 * head.landmarkVertices[CHIN] + 1];
  const band: number[] = [];
  let maxX = 0;
  for (let v = 0; v < truth.length / 3; v++) {
    const y = truth[3 * v + 1];
    if (y < chinY - 0.01 && y > chinY - 0.03 && truth[3 * v + 2] > -0.08) (band.push(v), (maxX = Math.max(maxX, Math.abs(truth[3 * v]))));
  }
  const a = new Float64Array(2), b = new Float64Array(2);
  const side = (sign: number) => {
    const ids = band.filter((v) => sign * truth[3 * v] > 0.85 * maxX);
    let s = 0;
    for (const v of ids) {
      project(result.camera, result.mesh.positions, a, 3 * v);
      project(cam, truth, b, 3 * v);
      s += (sign * (a[0] - b[0])) / ids.length;
    }
    return s;
  };
  return { right: side(-1), left: side(1) };
}

// The silhouette term alone: the head's outline (fit/head-outline.ts) reads the neck's girth from the same mask, so it is off in both.
const noOutline = { headOutline: { enabled: false } };
const off = { silhouette: { ...SILHOUETTE_DEFAULTS, iterations: 0 }, ...noOutline };
// The neck's outline is off by default (fit/silhouette.ts `neck`); these cases widen the neck to see the term work.
const on = { ...FIT_DEFAULTS, silhouette: { ...SILHOUETTE_DEFAULTS, neck: true }, ...noOutline };

/** The widened neck's photo and the neck's offsets without the term, made once for the cases that share them. */
let widenedCase: { truth: Float32Array; capture: ReturnType<typeof synthetic>; before: { right: number; left: number } } | undefined;
function widenedNeck() {
  if (!widenedCase) {
    const truth = widened(WIDEN_M), capture = synthetic(truth);
    widenedCase = { truth, capture, before: neckOffsetPx(fit({ capture, head }, off), truth) };
  }
  return widenedCase;
}

describe("fit's silhouette term", () => {
  it("recovers a known widening of the neck below the chin from the person mask", () => {
    const { truth, capture, before } = widenedNeck();
    const after = neckOffsetPx(fit({ capture, head }, on), truth);
    const expected = (WIDEN_M * camera().fx) / 0.7;
    // Without the term the neck stays the template's: the whole widening is missing on both sides.
    expect(before.left).toBeLessThan(-0.6 * expected);
    expect(before.right).toBeLessThan(-0.6 * expected);
    // With it most of the widening is recovered, and not overshot.
    for (const s of [after.left, after.right]) {
      expect(Math.abs(s)).toBeLessThan(0.4 * expected);
    }
  });

  it("by default leaves the neck below the chin to the head's outline: a widened neck is not taken", () => {
    const { truth, capture, before } = widenedNeck();
    const byDefault = neckOffsetPx(fit({ capture, head }, { ...FIT_DEFAULTS, ...noOutline }), truth);
    const expected = (WIDEN_M * camera().fx) / 0.7;
    for (const side of ["left", "right"] as const) expect(Math.abs(byDefault[side] - before[side])).toBeLessThan(0.25 * expected);
  });

  it("does nothing when the mask matches the head", () => {
    const truth = widened(0);
    const capture = synthetic(truth);
    // The silhouette term alone: the expression step's small weights on a neutral face would move the contour by themselves.
    const still = { expression: { enabled: false } };
    const a = fit({ capture, head }, { ...off, ...still }), b = fit({ capture, head }, { ...on, ...still });
    let worst = 0;
    for (let v = 0; v < head.mesh.positions.length / 3; v++) {
      worst = Math.max(worst, Math.hypot(a.mesh.positions[3 * v] - b.mesh.positions[3 * v], a.mesh.positions[3 * v + 1] - b.mesh.positions[3 * v + 1], a.mesh.positions[3 * v + 2] - b.mesh.positions[3 * v + 2]));
    }
    // Within a pixel and a half anywhere on the head: the mask is drawn at pixel resolution (0.9 mm a pixel here).
    expect(worst).toBeLessThan((1.5 * 0.7) / camera().fx);
    expect(b.reprojectionErrorPx).toBeLessThan(a.reprojectionErrorPx + 0.05);
  });

  it("takes no evidence from an outline that hair borders", () => {
    const truth = widened(WIDEN_M);
    const capture = synthetic(truth, true);
    const before = neckOffsetPx(fit({ capture, head }, off), truth);
    const after = neckOffsetPx(fit({ capture, head }, on), truth);
    const expected = (WIDEN_M * camera().fx) / 0.7;
    // The side under hair keeps the landmark fit's neck; the other side still widens, by most of the truth.
    expect(Math.abs(after.left - before.left)).toBeLessThan(0.25 * expected);
    expect(after.right - before.right).toBeGreaterThan(0.4 * expected);
    expect(after.right - before.right).toBeGreaterThan(2 * Math.abs(after.left - before.left));
  });
});

describe("fit's warp", () => {
  const cat = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  // A deterministic spread of centres in a head-sized box.
  const targets = (n: number, seed: number, lambda: number) => {
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
    return { centres: Float64Array.from({ length: 3 * n }, () => 0.2 * rnd()), displacements: Float64Array.from({ length: 3 * n }, () => 0.01 * rnd()), lambda: new Float64Array(n).fill(lambda) };
  };

  it("bordered by extra targets on kept factors is the warp fitted through all of them", () => {
    const base = targets(120, 7, 1e-4), extra = targets(25, 11, 5e-3);
    const full = fitWarp(cat(base.centres, extra.centres), cat(base.displacements, extra.displacements), cat(base.lambda, extra.lambda));
    const bordered = borderedWarp(fitFactoredWarp(base), extra);
    const a = new Float64Array(3), b = new Float64Array(3);
    for (const p of [[0, 0, 0], [0.05, -0.07, 0.02], [-0.09, 0.03, -0.06]]) {
      warpAt(full, p[0], p[1], p[2], a);
      warpAt(bordered, p[0], p[1], p[2], b);
      for (let c = 0; c < 3; c++) expect(Math.abs(a[c] - b[c])).toBeLessThan(1e-9);
    }
  });

  it("smoothing pulls a warp toward the affine fit instead of overshooting conflicting targets", () => {
    // Two centres 2 mm apart asking for opposite 5 mm moves, among still ones: smoothed, each moves less than asked.
    const still = targets(60, 5, 1e-4);
    still.displacements.fill(0);
    const pair = { centres: new Float64Array([0.1, 0, 0, 0.102, 0, 0]), displacements: new Float64Array([0.005, 0, 0, -0.005, 0, 0]), lambda: new Float64Array([5e-3, 5e-3]) };
    const w = fitWarp(cat(still.centres, pair.centres), cat(still.displacements, pair.displacements), cat(still.lambda, pair.lambda));
    const d = new Float64Array(3);
    warpAt(w, 0.1, 0, 0, d);
    expect(d[0]).toBeGreaterThan(0);
    expect(d[0]).toBeLessThan(0.005);
    warpAt(w, 0.102, 0, 0, d);
    expect(d[0]).toBeLessThan(0);
    expect(d[0]).toBeGreaterThan(-0.005);
  });
});

describe("the silhouette term's shrinkage toward the landmark warp's contour", () => {
  const pair = (trust: number): ContourPair => ({
    point: { template: [0, 0, 0], world: [0, 0, 0], expression: [0, 0, 0], pixel: [0, 0], normal: [1, 0], depth: 0.7, beardZone: false, behindFace: false },
    offsetPx: 10,
    trust,
  });
  it("moves a clean reading by most of its offset and a soft one by less, by the posterior weight", () => {
    const cam = camera(), snapPx = 2.5;
    const [clean, soft] = shrunk([pair(1), pair(0.1)], cam, snapPx);
    const priorPx = (JAW_HALF_BREADTH_SD_M * cam.fx) / 0.7;
    expect(clean.offsetPx).toBeCloseTo((10 * priorPx ** 2) / (priorPx ** 2 + snapPx ** 2), 6);
    expect(soft.offsetPx).toBeCloseTo((10 * priorPx ** 2) / (priorPx ** 2 + snapPx ** 2 / 0.1), 6);
    expect(clean.offsetPx).toBeGreaterThan(0.8 * 10);
    expect(soft.offsetPx).toBeLessThan(0.6 * clean.offsetPx);
  });
});

describe("the silhouette contour's classes", () => {
  it("marks the jaw's contour behind the face oval apart from the contour beside it", () => {
    const contour = occludingContour(head, head.mesh.positions, camera());
    const behind = contour.filter((p) => p.behindFace), beside = contour.filter((p) => !p.behindFace);
    expect(behind.length).toBeGreaterThan(0);
    expect(beside.length).toBeGreaterThan(0);
    const meanZ = (ps: typeof contour) => ps.reduce((s, p) => s + p.template[2], 0) / ps.length;
    // Behind: nearer the back of the head than the contour along the oval.
    expect(meanZ(behind)).toBeLessThan(meanZ(beside));
  });
});
