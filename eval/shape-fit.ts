/**
 * `npm run eval -- --identities <dir> --fit`: shape consistency of the fitted heads from the
 * landmark fit alone (capture and fit, no maps), so the identity set's shape figures take minutes
 * rather than the whole evaluation's tens of minutes. Same measure as the full mode
 * (eval/shape-consistency.ts: similarity-aligned RMS, within a person vs between people, mm), plus
 * where on the head the distance lies and what the face measured:
 *
 * - regions: each pair is aligned once over the whole skin, and the remaining distance is split
 *   by template region (face interior, the jaw and cheek contour, vault, ears, neck), so a region
 *   that differs as much within a person as between people shows as noise, one whose between
 *   distance is well above its within distance as identity;
 * - the face's measured proportions and the predicted head (fit/head-targets.ts) per photo, with
 *   the spread of each within a person and between people, against the survey's SD;
 * - ablations (`--ablate`): the same figures with one fit step changed at a time (expression kept,
 *   silhouette off, landmark depth ignored, a fixed focal length, the survey mean head), which
 *   tells how much each source moves one person's heads against different people's.
 *
 * Each photo's capture is kept under <out>/captures/ and read back on the next run (capture is the
 * slow part and does not change with the fit), so variants of the fit compare on the same input.
 */
import { mkdir, readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import v8 from "node:v8";
import { FACE_LANDMARKS_M } from "../src/geometry/data/canonical-face.ts";
import { HEAD_NORMS, headFrame } from "../src/geometry/head-shape.ts";
import { fitSimilarity, applySimilarity } from "../src/geometry/procrustes.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { decodeImage } from "../src/image/decode.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { capture } from "../src/pipeline/capture.ts";
import { fit, FIT_DEFAULTS, type FitOptions } from "../src/pipeline/fit.ts";
import { LANDMARK_SD_IOD, predictHeadProportions } from "../src/pipeline/fit/head-targets.ts";
import { FACE_OVAL, NOSE_ROOT, NOSE_TIP } from "../src/primitives/face-topology.ts";
import type { CaptureResult, FitResult, LensHint, TemplateHead } from "../src/types.ts";
import { studioView } from "./rerender.ts";
import { A_S_NOMINAL } from "../materials/skin-parameters.ts";
import type { SkinMaps } from "./shade-skin.ts";
import { cropPanel, faceWindow, stripPng, type StripPanel } from "./strip.ts";
import { listPhotos } from "./run.ts";
import { shapeStats, shapeVertexSets, vertexAreas, type ShapeItem } from "./shape-consistency.ts";
import { axisSpread, type AxisSpread } from "./shape-axes.ts";

/** Template regions the skin-aligned distance is split into. */
export const SHAPE_REGIONS = ["faceInterior", "contour", "vault", "ears", "neck", "other"] as const;
export type ShapeRegion = (typeof SHAPE_REGIONS)[number];

/** Face-island vertices this near a face-oval landmark below the nasal root count as the jaw and cheek contour, metres (about a finger's breadth). */
const CONTOUR_BAND_M = 0.015;
/** Skin vertices outside the face this near a tragion count as the ear and the skin round it, metres (half the pinna's 61.8 mm length, src/geometry/ear.ts). */
const EAR_RADIUS_M = 0.031;

/** Region of every template vertex (index into SHAPE_REGIONS; 255 = not skin). */
export function shapeRegions(head: TemplateHead): Uint8Array {
  const p = head.mesh.positions;
  const sets = shapeVertexSets(head.mesh, head.parts);
  const region = new Uint8Array(p.length / 3).fill(255);
  const inFace = new Uint8Array(region.length);
  for (const v of sets.face) inFace[v] = 1;
  const frame = headFrame();
  const noseRootY = FACE_LANDMARKS_M[3 * NOSE_ROOT + 1];
  const oval = FACE_OVAL.map((i) => head.landmarkVertices[i]).filter((v) => p[3 * v + 1] < noseRootY);
  const [tx, ty, tz] = frame.tragion;
  for (const v of sets.skin) {
    const x = p[3 * v], y = p[3 * v + 1], z = p[3 * v + 2];
    let r: ShapeRegion;
    if (inFace[v]) r = oval.some((o) => Math.hypot(x - p[3 * o], y - p[3 * o + 1], z - p[3 * o + 2]) < CONTOUR_BAND_M) ? "contour" : "faceInterior";
    else if (Math.hypot(Math.abs(x) - tx, y - ty, z - tz) < EAR_RADIUS_M) r = "ears";
    else if (y < frame.chinY) r = "neck";
    else if (y > ty) r = "vault";
    else r = "other";
    region[v] = SHAPE_REGIONS.indexOf(r);
  }
  return region;
}

/** Per-region RMS (mm) of b's skin after the similarity over the whole skin that takes it onto a, and the same the other way, averaged. */
export function regionRmsMm(a: ArrayLike<number>, b: ArrayLike<number>, skin: Uint32Array, region: Uint8Array, areas: Float64Array): number[] {
  const gather = (p: ArrayLike<number>) => Float64Array.from({ length: skin.length * 3 }, (_, k) => p[3 * skin[Math.floor(k / 3)] + (k % 3)]);
  const pa = gather(a), pb = gather(b);
  const w = Float64Array.from(skin, (v) => areas[v]);
  const sums = SHAPE_REGIONS.map(() => 0), wsum = SHAPE_REGIONS.map(() => 0);
  for (const [src, dst] of [[pb, pa], [pa, pb]]) {
    const moved = applySimilarity(fitSimilarity(src, dst, w), src);
    for (let i = 0; i < skin.length; i++) {
      const r = region[skin[i]];
      sums[r] += w[i] * ((moved[3 * i] - dst[3 * i]) ** 2 + (moved[3 * i + 1] - dst[3 * i + 1]) ** 2 + (moved[3 * i + 2] - dst[3 * i + 2]) ** 2);
      wsum[r] += w[i];
    }
  }
  return sums.map((s, r) => (wsum[r] ? 1000 * Math.sqrt(s / wsum[r]) : NaN));
}

/** One photo of the set: its capture (cached) and lens. */
export interface SetPhoto {
  person: string;
  name: string;
  capture: Pick<CaptureResult, "image" | "landmarks" | "landmarkConfidence" | "masks"> & Partial<Pick<CaptureResult, "apparentSex">>;
  lens: LensHint | null;
}

/** One photo's capture, read from cacheDir (keyed by person and file name) or made and stored there. */
export async function capturedPhoto(file: string, person: string, cacheDir: string, log: (line: string) => void): Promise<SetPhoto> {
  await mkdir(cacheDir, { recursive: true });
  const name = path.basename(file);
  const cached = path.join(cacheDir, `${person}__${name}.v10`); // v10: the mesh averaged over ROI views
  try {
    return v8.deserialize(await readFile(cached)) as SetPhoto;
  } catch {
    const { image, info } = await decodeImage(file);
    const c = await capture({ image });
    const photo: SetPhoto = { person, name, capture: { image: c.image, landmarks: c.landmarks, landmarkConfidence: c.landmarkConfidence, masks: c.masks, apparentSex: c.apparentSex }, lens: info.lens };
    await writeFileAtomic(cached, v8.serialize(photo));
    log(`captured ${person}/${name}`);
    return photo;
  }
}

/** Captures every photo of every person folder, reading and writing the cache under cacheDir. */
async function capturedSet(dir: string, cacheDir: string, log: (line: string) => void): Promise<SetPhoto[]> {
  const people = (await readdir(dir)).filter((d) => !d.startsWith(".")).sort();
  const out: SetPhoto[] = [];
  for (const person of people) {
    if (!(await stat(path.join(dir, person))).isDirectory()) continue;
    for (const name of await listPhotos(path.join(dir, person))) out.push(await capturedPhoto(path.join(dir, person, name), person, cacheDir, log));
  }
  return out;
}

/** The fit variants `--ablate` compares with the default fit: one source of variation changed each. */
export const ABLATIONS: Record<string, FitOptions> = {
  default: {},
  expressionBaked: { expression: { enabled: false } },
  noSilhouette: { silhouette: { iterations: 0 } },
  silhouetteShrink: { silhouette: { shrink: true } },
  silhouetteBesideFace: { silhouette: { behindFace: false } },
  silhouetteShrinkBesideFace: { silhouette: { shrink: true, behindFace: false } },
  templateDepth: { depthWeight: 0 },
  // The thin-plate image-plane posterior is off by default (fit/image-posterior.ts): this variant puts it in place of the face prior, at the detector's published noise.
  imageAtNoise: { imageNoiseSdIod: LANDMARK_SD_IOD, facePrior: { noiseSdIod: 0 } },
  // The image-plane targets taken exact, as before the survey's face modes (fit/face-prior.ts); then one part of that prior changed.
  noFacePrior: { facePrior: { noiseSdIod: 0 } },
  facePriorHalfNoise: { facePrior: { noiseSdIod: LANDMARK_SD_IOD / 2 } },
  facePriorNoModes: { facePrior: { modes: false } },
  facePriorModesOnly: { facePrior: { beyondSdMm: 0 } },
  fixedFocal: { intrinsics: { focalLengthFactor: 2 } },
  meanHead: { landmarkSdIod: 100 },
  noHeadOutline: { headOutline: { enabled: false } },
  // The ears step is off by default (fit/ears.ts): this variant turns it on; with it on by default it becomes `noEars: { ears: { enabled: false } }`.
  ears: { ears: { enabled: true } },
  // The head predicted from the face's metric size (the iris) as well as its proportions (fit/head-targets.ts `FaceSizeReading`); off by default.
  headFromSize: { headFromFaceSize: true },
  // The silhouette term held the neck's outline too until the neck was left to the head's outline (fit/silhouette.ts `neck`).
  silhouetteNeck: { silhouette: { neck: true } },
  // The face-oval landmarks taken as read where the template is near grazing, as before fit/oval-grazing.ts.
  ovalOnRay: { grazingOval: false },
  // The sexes pooled in the head's prediction, as before capture read the face's apparent sex (geometry/head-prediction.ts).
  pooledSexes: { headFromApparentSex: false },
};

/** Figures of one fit variant over the set. */
export interface ShapeFitFigures {
  variant: string;
  skin: { withinMm: number | null; betweenMm: number | null; ratio: number | null };
  face: { withinMm: number | null; betweenMm: number | null; ratio: number | null; perPerson: Record<string, number | null> };
  /** Per region of the skin-aligned distance: mean within and between, mm, and their ratio. */
  regions: Record<ShapeRegion, { withinMm: number; betweenMm: number; ratio: number }>;
  perPerson: Record<string, number | null>;
  /** Per region and template axis: within-person SD against the SD of the people's means, mm (eval/shape-axes.ts). */
  axes: AxisSpread;
  /** Per photo: the face's measured log ratios and the predicted head, mm at the template's size. */
  photos: { person: string; name: string; faceLogRatio: number[]; irisLogRatio: number | null; head: Record<string, number>; fitMs: number; photographedErrorIodPct: number; neutralErrorIodPct: number | null }[];
  /** Landmark reprojection RMS over the photos, % of the interocular distance: the head as photographed (what the unwrap samples through) and the neutral head. */
  landmarkError: { photographedIodPct: number; worstPhotographedIodPct: number; neutralIodPct: number | null };
  /** Per predicted head dimension: SD within a person (pooled) and between people's means, mm, and the survey's SD at the mean. */
  headSpread: Record<string, { withinSdMm: number; betweenSdMm: number; surveySdMm: number }>;
  fitMsMean: number;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);

/** Pooled within-person SD and SD of the people's means of one value per photo. */
function spread(photos: { person: string }[], value: (i: number) => number): { within: number; between: number } {
  const groups = new Map<string, number[]>();
  photos.forEach((p, i) => groups.set(p.person, [...(groups.get(p.person) ?? []), value(i)]));
  let ss = 0, df = 0;
  const means: number[] = [];
  for (const g of groups.values()) {
    const m = mean(g);
    means.push(m);
    ss += g.reduce((s, x) => s + (x - m) ** 2, 0);
    df += g.length - 1;
  }
  const mm = mean(means);
  return { within: df ? Math.sqrt(ss / df) : NaN, between: means.length > 1 ? Math.sqrt(means.reduce((s, x) => s + (x - mm) ** 2, 0) / (means.length - 1)) : NaN };
}

/** Fits every photo with one variant's options and measures the set; `onFit` sees each fit as it is made (its time in ms). */
export async function measureVariant(variant: string, options: FitOptions, photos: SetPhoto[], head: TemplateHead, region: Uint8Array, onFit?: (photo: SetPhoto, fitted: FitResult, fitMs: number) => Promise<void> | void): Promise<ShapeFitFigures> {
  const items: (ShapeItem & { faceLogRatio: number[]; irisLogRatio: number | null; head: Record<string, number>; fitMs: number; name: string; photographedErrorIodPct: number; neutralErrorIodPct: number | null })[] = [];
  for (const p of photos) {
    const t0 = performance.now();
    const r = fit({ capture: p.capture, head, lens: p.lens }, options);
    const fitMs = performance.now() - t0;
    await onFit?.(p, r, fitMs);
    const sd = options.landmarkSdIod;
    // The head the fit predicted: from the face's proportions, and its size where the fit used the iris.
    const e = r.cameraEstimate;
    const size = (options.headFromFaceSize ?? FIT_DEFAULTS.headFromFaceSize) && e.irisSize ? { ...e.irisSize, headLogScale: Math.log(e.metricScale) } : undefined;
    const sex = (options.headFromApparentSex ?? FIT_DEFAULTS.headFromApparentSex) ? p.capture.apparentSex?.maleProbability : undefined;
    const pred = predictHeadProportions(p.capture.landmarks, p.capture.landmarkConfidence, 0.05, sd, size, sex);
    const k = pred.proportions;
    items.push({
      person: p.person,
      name: p.name,
      positions: r.mesh.positions,
      areas: vertexAreas(r.mesh.positions, r.mesh.indices),
      faceLogRatio: pred.face.logRatio,
      irisLogRatio: e.irisSize?.logRatio ?? null,
      head: { breadth: 1000 * HEAD_NORMS.headBreadth * k.breadth, length: 1000 * HEAD_NORMS.headLength * k.length, height: 1000 * HEAD_NORMS.tragionToVertex * k.height, jaw: 1000 * HEAD_NORMS.bitragionBreadth * k.jaw, neck: 1000 * HEAD_NORMS.neckCircumference * k.neck },
      fitMs,
      photographedErrorIodPct: (100 * r.reprojectionErrorPx) / r.interocularPx,
      neutralErrorIodPct: r.expression ? (100 * r.expression.neutralErrorPx) / r.interocularPx : null,
    });
  }
  const sets = shapeVertexSets(head.mesh, head.parts);
  const skin = shapeStats(items, sets.skin), face = shapeStats(items, sets.face);
  const within: number[][] = [], between: number[][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const areas = items[i].areas.map((a, v) => (a + items[j].areas[v]) / 2);
    (items[i].person === items[j].person ? within : between).push(regionRmsMm(items[i].positions, items[j].positions, sets.skin, region, areas));
  }
  const regions = Object.fromEntries(SHAPE_REGIONS.map((r, k) => {
    const w = mean(within.map((x) => x[k])), b = mean(between.map((x) => x[k]));
    return [r, { withinMm: w, betweenMm: b, ratio: w / b }];
  })) as ShapeFitFigures["regions"];
  const surveySd: Record<string, number> = { breadth: HEAD_NORMS.headBreadth, length: HEAD_NORMS.headLength, height: HEAD_NORMS.tragionToVertex, jaw: HEAD_NORMS.bitragionBreadth, neck: HEAD_NORMS.neckCircumference };
  const prior = predictHeadProportions(photos[0].capture.landmarks, photos[0].capture.landmarkConfidence, 0.05).prediction.priorLogSd;
  const priorIndex: Record<string, number> = { breadth: 0, length: 1, height: 2, jaw: 6, neck: 4 };
  const headSpread = Object.fromEntries(Object.keys(surveySd).map((d) => {
    const s = spread(items, (i) => items[i].head[d]);
    return [d, { withinSdMm: s.within, betweenSdMm: s.between, surveySdMm: 1000 * surveySd[d] * prior[priorIndex[d]] }];
  }));
  return {
    variant,
    skin: { withinMm: skin.withinMm, betweenMm: skin.betweenMm, ratio: skin.ratio },
    face: { withinMm: face.withinMm, betweenMm: face.betweenMm, ratio: face.ratio, perPerson: face.perPerson },
    regions,
    axes: axisSpread(items, head.mesh.positions, sets.skin, region, SHAPE_REGIONS, vertexAreas(head.mesh.positions, head.mesh.indices)),
    perPerson: skin.perPerson,
    photos: items.map((it) => ({ person: it.person, name: it.name, faceLogRatio: it.faceLogRatio, irisLogRatio: it.irisLogRatio, head: it.head, fitMs: it.fitMs, photographedErrorIodPct: it.photographedErrorIodPct, neutralErrorIodPct: it.neutralErrorIodPct })),
    landmarkError: {
      photographedIodPct: mean(items.map((it) => it.photographedErrorIodPct)),
      worstPhotographedIodPct: Math.max(...items.map((it) => it.photographedErrorIodPct)),
      neutralIodPct: items.every((it) => it.neutralErrorIodPct != null) ? mean(items.map((it) => it.neutralErrorIodPct!)) : null,
    },
    headSpread,
    fitMsMean: mean(items.map((it) => it.fitMs)),
  };
}

const f = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(d));

/** The log lines of one variant. */
function describe(fig: ShapeFitFigures): string[] {
  const lines = [
    `${fig.variant}: skin within ${f(fig.skin.withinMm)} vs between ${f(fig.skin.betweenMm)} mm (ratio ${f(fig.skin.ratio)}) · face ${f(fig.face.withinMm)} vs ${f(fig.face.betweenMm)} mm (${f(fig.face.ratio)}) · fit ${fig.fitMsMean.toFixed(0)} ms/photo`,
    `  regions (skin-aligned, within / between mm): ${SHAPE_REGIONS.map((r) => `${r} ${f(fig.regions[r].withinMm)} / ${f(fig.regions[r].betweenMm)}`).join(" · ")}`,
    `  per axis x / y / z, SD within vs between people's means, mm: ${SHAPE_REGIONS.map((r) => `${r} ${fig.axes[r].withinMm.map((v) => f(v)).join("/")} vs ${fig.axes[r].betweenMeansMm.map((v) => f(v)).join("/")}`).join(" · ")}`,
    `  landmark reprojection, % IOD: as photographed ${f(fig.landmarkError.photographedIodPct)} (worst ${f(fig.landmarkError.worstPhotographedIodPct)}), neutral ${f(fig.landmarkError.neutralIodPct)}`,
    `  predicted head SD within / between people / survey, mm: ${Object.entries(fig.headSpread).map(([d, s]) => `${d} ${f(s.withinSdMm, 1)} / ${f(s.betweenSdMm, 1)} / ${f(s.surveySdMm, 1)}`).join(" · ")}`,
  ];
  return lines;
}

/** Panel height of the clay strips, pixels. */
const CLAY_SIZE = 256;
/** The clay strip's views: label, turn to the subject's left (degrees). */
const CLAY_VIEWS: [string, number][] = [["front", 0], ["45°", 45], ["profile", 90], ["back 135°", 135]];
/** Mid-grey clay: A_D a uniform linear 0.18 (photographic mid-grey), typical skin's specular. */
const CLAY: SkinMaps = { albedoDiffuse: { width: 1, height: 1, channels: 3, data: new Float32Array([0.18, 0.18, 0.18]), colorSpace: "linear" }, albedoSpecular: A_S_NOMINAL };

/** The photo's face and the fitted head in grey clay from the front, 45°, the profile and behind: the shape without the texture's help. */
async function writeClay(dir: string, photo: SetPhoto, fitted: FitResult, head: TemplateHead): Promise<void> {
  const v = head.landmarkVertices[NOSE_TIP];
  const p = fitted.mesh.positions;
  const nose: [number, number, number] = [p[3 * v], p[3 * v + 1], p[3 * v + 2]];
  const panels: StripPanel[] = [
    { label: "photo", image: cropPanel(photo.capture.image, faceWindow(photo.capture.landmarks), CLAY_SIZE) },
    ...CLAY_VIEWS.map(([label, turn]) => ({ label, image: studioView(fitted.mesh, CLAY, nose, CLAY_SIZE, turn) })),
  ];
  await writeFileAtomic(path.join(dir, `${photo.person}__${photo.name.replace(/\.[a-z]+$/i, "")}.png`), await stripPng(panels, `${photo.person}/${photo.name}`, CLAY_SIZE));
}

/** Runs the fit-only shape evaluation over a folder of person folders; writes shape-fit.json to outDir. `ablate`: every variant, or the named ones (with the default). */
export async function evaluateShapeFit(dir: string, outDir: string, log: (line: string) => void, ablate: boolean | readonly string[] = false): Promise<ShapeFitFigures[]> {
  if (Array.isArray(ablate)) for (const v of ablate) if (!(v in ABLATIONS)) throw new Error(`--variants: no fit variant "${v}" (known: ${Object.keys(ABLATIONS).join(", ")})`);
  const photos = await capturedSet(dir, path.join(outDir, "captures"), log);
  const clayDir = path.join(outDir, "clay");
  await mkdir(clayDir, { recursive: true });
  if (new Set(photos.map((p) => p.person)).size < 2) throw new Error(`--identities --fit needs at least two person folders in ${dir}`);
  const head = buildTemplateHead();
  const region = shapeRegions(head);
  const figures: ShapeFitFigures[] = [];
  for (const [variant, options] of Object.entries(ABLATIONS)) {
    if (variant !== "default" && !(ablate === true || (Array.isArray(ablate) && ablate.includes(variant)))) continue;
    const fig = await measureVariant(variant, options, photos, head, region, variant === "default" && clayDir ? (p, r) => writeClay(clayDir, p, r, head) : undefined);
    figures.push(fig);
    for (const line of describe(fig)) log(line);
  }
  const photoLines = figures[0].photos.map((p) => `  ${p.person}/${p.name}: face ln-ratios ${p.faceLogRatio.map((x) => f(x, 3)).join(" ")} · iris size ln-ratio ${f(p.irisLogRatio, 3)} · head ${Object.entries(p.head).map(([d, v]) => `${d} ${v.toFixed(1)}`).join(" ")}`);
  for (const line of photoLines) log(line);
  await writeFileAtomic(path.join(outDir, "shape-fit.json"), JSON.stringify(figures, null, 1));
  return figures;
}
