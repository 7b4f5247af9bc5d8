// The camera's focal length and the head's metric size, recovered from a known head seen by a known camera.
import { beforeAll, describe, expect, it } from "vitest";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { readExifLens } from "../src/image/exif.ts";
import { fit, type FitOptions } from "../src/pipeline/fit.ts";
import { PERSPECTIVE_RESPONSE } from "../src/pipeline/fit/intrinsics.ts";
import { perspectiveLikelihood, shownPerspective } from "../src/pipeline/fit/perspective-cue.ts";
import { project } from "../src/pipeline/fit/pose.ts";
import { LEFT_CHEEK_EDGE, LEFT_IRIS, RIGHT_CHEEK_EDGE, RIGHT_IRIS, FOREHEAD_TOP, CHIN } from "../src/primitives/face-topology.ts";
import { LANDMARK_COUNT, type Camera, type TemplateHead } from "../src/types.ts";

let head: TemplateHead;
beforeAll(() => {
  head = buildTemplateHead();
});

// A phone-shaped photo: 3000 × 4000 pixels, diagonal 5000.
const W = 3000, H = 4000, DIAGONAL_35MM = Math.hypot(36, 24);
const focalPx = (mm35: number) => (mm35 / DIAGONAL_35MM) * Math.hypot(W, H);

/**
 * A person unlike the template: a slimmer (x × 0.93), longer (y × 1.04) face on a head 6 % larger
 * overall, whose irises keep the adult size (11.83 mm) — so the iris against the face says 1.06.
 */
function personLandmarks(): Float64Array {
  const lv = head.landmarkVertices, P = head.mesh.positions;
  const out = Float64Array.from({ length: LANDMARK_COUNT * 3 }, (_, k) => P[3 * lv[Math.floor(k / 3)] + (k % 3)]);
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    out[3 * i] *= 0.93 * 1.06;
    out[3 * i + 1] *= 1.04 * 1.06;
    out[3 * i + 2] *= 1.06;
  }
  for (const iris of [RIGHT_IRIS, LEFT_IRIS]) {
    const c = [0, 1, 2].map((a) => out[3 * iris[0] + a]);
    for (const i of iris) for (let a = 0; a < 3; a++) out[3 * i + a] = c[a] + (out[3 * i + a] - c[a]) / [0.93 * 1.06, 1.04 * 1.06, 1.06][a];
  }
  return out;
}

/** Photo landmarks of `points` seen by `cam`, with a deterministic ±0.3 px jitter; z in the x pixel scale, toward the camera negative. */
function photoLandmarks(cam: Camera, points: Float64Array): Float32Array {
  const lm = new Float32Array(LANDMARK_COUNT * 3), q = new Float64Array(2), depths: number[] = [];
  let seed = 12345;
  const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.6;
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    depths.push(project(cam, points, q, 3 * i));
    lm[3 * i] = q[0] + jitter();
    lm[3 * i + 1] = q[1] + jitter();
  }
  const mean = depths.reduce((s, d) => s + d, 0) / depths.length;
  for (let i = 0; i < LANDMARK_COUNT; i++) lm[3 * i + 2] = ((depths[i] - mean) * cam.fx) / mean;
  return lm;
}

/** The camera of a 35 mm-equivalent lens `mm35`, `distance` metres in front of the face, turned `turnDeg` to the side. */
function cameraAt(mm35: number, distance: number, turnDeg = 10): Camera {
  const a = (turnDeg * Math.PI) / 180;
  const rotation = new Float64Array([Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)]);
  const f = focalPx(mm35);
  return { width: W, height: H, fx: f, fy: f, cx: W / 2, cy: H / 2, rotation, translation: new Float64Array([0, 0.03, -distance]) };
}

const dist3 = (p: ArrayLike<number>, a: number, b: number) => Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);

// Fits are the slow part: the same photo and options are fitted once per file.
const fitted = new Map<string, ReturnType<typeof fitOnce>>();
// The landmarks here show the whole perspective, so the raw cue is what reads them right (the
// calibrated one expects the network's share of it: see "a face mesh that shows part of the perspective").
const RAW: FitOptions = { intrinsics: { perspectiveResponse: null } };
const CALIBRATED: FitOptions = { intrinsics: { perspectiveResponse: PERSPECTIVE_RESPONSE } };
function fitAt(mm35: number, distance: number, focalLengthFactor = 0, options: FitOptions = RAW, shown?: Camera) {
  const key = JSON.stringify([mm35, distance, focalLengthFactor, options, shown ? [shown.fx, shown.translation[2], shown.rotation[2]] : null]);
  if (!fitted.has(key)) fitted.set(key, fitOnce(shown ?? cameraAt(mm35, distance), focalLengthFactor, options));
  return fitted.get(key)!;
}

function fitOnce(camera: Camera, focalLengthFactor: number, options: FitOptions) {
  const person = personLandmarks();
  const landmarks = photoLandmarks(camera, person);
  const result = fit(
    { capture: { image: { width: W, height: H, channels: 3, data: new Float32Array(0), colorSpace: "srgb" }, landmarks, landmarkConfidence: new Float32Array(LANDMARK_COUNT).fill(1) }, head },
    { ...options, intrinsics: { ...options.intrinsics, focalLengthFactor } },
  );
  const lv = head.landmarkVertices, P = result.mesh.positions;
  const width = dist3(P, lv[RIGHT_CHEEK_EDGE], lv[LEFT_CHEEK_EDGE]), trueWidth = dist3(person, RIGHT_CHEEK_EDGE, LEFT_CHEEK_EDGE);
  const length = dist3(P, lv[FOREHEAD_TOP], lv[CHIN]), trueLength = dist3(person, FOREHEAD_TOP, CHIN);
  return { result, widthRatio: width / trueWidth, proportionRatio: width / length / (trueWidth / trueLength) };
}

describe("focal length and metric size from the landmarks", () => {
  // The person's face is 1.7 % shallower for its breadth and height than the template (0.983 = √(0.93 × 1.04)),
  // which a single view reads as a slightly nearer camera: the focal length comes out a few % short.
  it("recovers a phone at arm's length (26 mm) and a portrait lens (85 mm) within 10 %, and the face's width for its length within 2 %", () => {
    for (const [mm35, distance] of [[26, 0.4], [85, 1.4]]) {
      const r = fitAt(mm35, distance);
      const e = r.result.cameraEstimate;
      expect(e.focalDecidedBy).toBe("foreshortening");
      expect(Math.abs(Math.log(e.focal35mm / mm35))).toBeLessThan(0.1);
      expect(Math.abs(r.proportionRatio - 1)).toBeLessThan(0.02);
      // Metric size: the iris says 6 % larger than the template; ANSUR II's spread of face size (SD 4.8 %) pulls it toward 1.
      expect(e.metricScale).toBeGreaterThan(1.003);
      expect(e.metricScale).toBeLessThan(1.06);
      expect(Math.abs(r.widthRatio - 1)).toBeLessThan(0.06);
    }
  });

  it("with the head predicted from the face's size, the iris's 6 % larger face gets a head smaller for its face (the survey's allometry), not one scaled with it", () => {
    const proportional = fitAt(85, 1.4), allometric = fitAt(85, 1.4, 0, { ...RAW, headFromFaceSize: true });
    const iris = allometric.result.cameraEstimate.irisSize!;
    expect(iris.logRatio).toBeCloseTo(Math.log(1.06), 1);
    expect(iris.sdLn).toBeGreaterThan(0.05);
    // Vault breadth (widest skin at the tragion's height and above) against the face's cheek-edge width.
    const vaultForFace = (r: ReturnType<typeof fitAt>) => {
      const P = r.result.mesh.positions, lv = head.landmarkVertices;
      let maxX = 0;
      for (let v = 0; v < P.length / 3; v++) if (P[3 * v + 1] > P[3 * lv[RIGHT_CHEEK_EDGE] + 1] + 0.02 && P[3 * v + 2] < P[3 * lv[RIGHT_CHEEK_EDGE] + 2] - 0.03) maxX = Math.max(maxX, Math.abs(P[3 * v]));
      return (2 * maxX) / dist3(P, lv[RIGHT_CHEEK_EDGE], lv[LEFT_CHEEK_EDGE]);
    };
    expect(allometric.result.cameraEstimate.metricScale).toBeCloseTo(proportional.result.cameraEstimate.metricScale, 12);
    expect(vaultForFace(allometric)).toBeLessThan(vaultForFace(proportional) - 0.002);
  });

  it("with the old fixed focal length (1.2 × the long side ≈ 41 mm here) the face is 5 % too narrow at 26 mm and too broad at 85 mm", () => {
    const near = fitAt(26, 0.4, 1.2), far = fitAt(85, 1.4, 1.2);
    expect(near.result.cameraEstimate.focalDecidedBy).toBe("fixed");
    expect(near.proportionRatio).toBeLessThan(0.97);
    expect(far.proportionRatio).toBeGreaterThan(1.03);
  });
});

describe("a face mesh that shows part of the perspective", () => {
  // The landmarks as the network gives them (fit/perspective-cue.ts): a phone held 0.35 m away
  // (26 mm-equivalent), frontal, shows the perspective of one about 1 m away (the same face size on
  // screen, so a longer lens in proportion).
  const trueMm = 26, trueDistance = 0.35;
  const shownDistance = 1 / shownPerspective(PERSPECTIVE_RESPONSE, 1 / trueDistance, 0);
  const shown = cameraAt((trueMm * shownDistance) / trueDistance, shownDistance, 0);

  it("the calibrated cue recovers the true focal length within its stated SD, where the raw cue reads the shown one", () => {
    const calibrated = fitAt(trueMm, trueDistance, 0, CALIBRATED, shown).result.cameraEstimate;
    const raw = fitAt(trueMm, trueDistance, 0, RAW, shown).result.cameraEstimate;
    expect(Math.abs(Math.log(raw.focal35mm / trueMm))).toBeGreaterThan(0.5);
    expect(calibrated.cues.foreshortening!.apparentFocal35mm).toBeGreaterThan(1.5 * trueMm);
    expect(Math.abs(Math.log(calibrated.focal35mm / trueMm))).toBeLessThan(calibrated.focalSdLn);
    // Wider than the misfit alone claims: the network's photo-to-photo spread is in the cue.
    expect(calibrated.focalSdLn).toBeGreaterThan(raw.focalSdLn);
  });
});

describe("the perspective likelihood", () => {
  it("peaks where the response maps the shown perspective back, as wide as the response's spread over its gain", () => {
    // A misfit that pins the shown inverse distance to 1.2 per metre (SD 0.01), on posed u from 0 to 6.
    const u = Array.from({ length: 601 }, (_, i) => i / 100), r = PERSPECTIVE_RESPONSE;
    const at = perspectiveLikelihood(u, u.map((x) => -((x - 1.2) ** 2) / (2 * 0.01 ** 2)), r);
    const trueU = Array.from({ length: 1001 }, (_, i) => i / 100), ll = trueU.map((t) => at(t, 0));
    const peak = trueU[ll.indexOf(Math.max(...ll))];
    expect(peak).toBeCloseTo((1.2 - r.offsetPerM) / r.gain, 1);
    // One SD off the peak in true u the log-likelihood has fallen by ½.
    const sd = Math.hypot(r.sdPerM, 0.01) / r.gain;
    expect(at(peak + sd, 0) - at(peak, 0)).toBeCloseTo(-0.5, 1);
    expect(() => perspectiveLikelihood([1, 2], [0], r)).toThrow(/one log-likelihood per posed distance/);
  });
});

describe("EXIF lens facts", () => {
  /** A little-endian TIFF with IFD0 → Exif IFD holding FocalLength 4.2/1 and FocalLengthIn35mmFilm 26. */
  function exifBlock(): Uint8Array {
    const b = new Uint8Array(6 + 8 + 2 + 12 + 4 + 2 + 24 + 4 + 8);
    const v = new DataView(b.buffer);
    b.set([0x45, 0x78, 0x69, 0x66, 0, 0], 0);
    const t = 6;
    v.setUint16(t, 0x4949);
    v.setUint16(t + 2, 42, true);
    v.setUint32(t + 4, 8, true);
    v.setUint16(t + 8, 1, true);
    v.setUint16(t + 10, 0x8769, true), v.setUint16(t + 12, 4, true), v.setUint32(t + 14, 1, true), v.setUint32(t + 18, 26, true);
    v.setUint32(t + 22, 0, true);
    v.setUint16(t + 26, 2, true);
    v.setUint16(t + 28, 0x920a, true), v.setUint16(t + 30, 5, true), v.setUint32(t + 32, 1, true), v.setUint32(t + 36, 56, true);
    v.setUint16(t + 40, 0xa405, true), v.setUint16(t + 42, 3, true), v.setUint32(t + 44, 1, true), v.setUint16(t + 48, 26, true);
    v.setUint32(t + 52, 0, true);
    v.setUint32(t + 56, 42, true), v.setUint32(t + 60, 10, true);
    return b;
  }
  it("reads FocalLength and FocalLengthIn35mmFilm, and returns null on bytes that are not EXIF", () => {
    const lens = readExifLens(exifBlock());
    expect(lens?.focalLength35mm).toBe(26);
    expect(lens?.focalLengthMm).toBeCloseTo(4.2, 6);
    expect(readExifLens(new Uint8Array(20))).toBeNull();
  });
});
