/**
 * Why different people's heads look alike (issue 12): the identity mode's canonical views
 * (eval/canonical-view.ts) of every head of an identity set, re-rendered with one ingredient
 * replaced by the set's common one at a time, and the verification figures of each variant
 * (eval/verification.ts: genuine, impostor, gap, EER). An ingredient that carries identity lowers
 * the gap when it is made common; one that makes everyone alike raises it when removed.
 *
 *   node --import tsx eval/identity-ablation.ts <identities-dir> <out-dir> [--preset draft] [--variants own,shape,…]
 *
 * Each photo is reconstructed once and kept under <out-dir>/heads/ (eval/ablation-heads.ts); a
 * second run only renders. `--textures <dir>`: the identity mode's cache/ (eval/identities.ts) for
 * the photo-texture variant. Writes <out-dir>/ablation.json, ablation.md, and images/<variant>/
 * with each head's frontal render.
 */
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import v8 from "node:v8";
import { delight, type DelightOptions } from "../src/pipeline/delight.ts";
import { delightInputOf, type CachedStages } from "./tone-consistency.ts";
import path from "node:path";
import { encodePng } from "../src/image/encode.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { linearToSrgb, srgbToLinear } from "../src/primitives/color.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import * as T from "../src/primitives/face-topology.ts";
import type { ImageF32, Mesh, Preset } from "../src/types.ts";
import { cachedPhotoTexture, loadHead, meanAlbedo, meanEyes, meanMap, meanShape, meshWithShape, ovalOnlyCrop, exaggeratedShape, type AblationHead } from "./ablation-heads.ts";
import { albedoWithEyes, canonicalViews } from "./canonical-view.ts";
import { alignedFace, faceEmbeddings } from "./identity.ts";
import { blurPlane } from "../src/image/box-blur.ts";
import { mouthPlainParts } from "./rerender.ts";
import { listPhotos } from "./run.ts";
import type { SkinMaps } from "./shade-skin.ts";
import { verificationStats, type VerificationStats } from "./verification.ts";

/** The set's common ingredients. */
interface Common {
  shape: Float32Array;
  albedo: ImageF32;
  eyes: AblationHead["eyes"];
  specular: ImageF32;
}

/** What one variant draws for a head: its mesh, its maps, and whether FaceRes sees only the face oval. */
interface Drawn {
  mesh: Mesh;
  /** The normal maps' tilt multiplied by this (1: as made). */
  normalGain?: number;
  albedo: ImageF32;
  eyes: AblationHead["eyes"];
  specular: ImageF32;
  normals: boolean;
  ovalOnly?: boolean;
}

interface Variant {
  key: string;
  label: string;
  draw: (h: AblationHead, c: Common) => Drawn | Promise<Drawn>;
}

/** The head's A_D made again by delight with `options` from the identity mode's cache (`--textures`); the other maps stay as made. */
async function delightAgain(h: AblationHead, options: DelightOptions): Promise<ImageF32> {
  if (!h.textureCache) throw new Error(`${h.person}/${h.name}: no delight cache (run with --textures <identity mode's cache dir>)`);
  return (await delight(delightInputOf(v8.deserialize(await readFile(h.textureCache)) as CachedStages), options)).albedo;
}

const own = (h: AblationHead): Drawn => ({ mesh: h.mesh, albedo: h.albedo, eyes: h.eyes, specular: h.specular, normals: true });

/** Base-size confidence read at a full-size texel (nearest). */
function confidenceAt(conf: ImageF32, W: number, H: number, x: number, y: number): number {
  const cx = Math.min(conf.width - 1, Math.floor(((x + 0.5) / W) * conf.width));
  const cy = Math.min(conf.height - 1, Math.floor(((y + 0.5) / H) * conf.height));
  return Math.min(1, Math.max(0, conf.data[cy * conf.width + cx]));
}

/** `inside` where mask[texel] is 1, `outside` where 0 (A_D-sized mask, both images the same size and space). */
function blendByMask(mask: Float32Array, inside: ImageF32, outside: ImageF32): ImageF32 {
  const data = new Float32Array(inside.data.length);
  for (let p = 0; p < mask.length; p++) for (let k = 0; k < 3; k++) data[3 * p + k] = mask[p] > 0 ? inside.data[3 * p + k] : outside.data[3 * p + k];
  return { ...inside, data };
}

/** 1 on the A_D texels the photo saw (unwrap confidence > 0), else 0. */
function seenMask(h: AblationHead, W: number, H: number): Float32Array {
  const m = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = confidenceAt(h.confidence, W, H, x, y) > 0 ? 1 : 0;
  return m;
}

/** 1 inside the polygons through the given landmarks' vertices in the atlas (their UVs), grown `grow`× about their centres, A_D-sized. */
function landmarkUvMask(h: AblationHead, rings: (readonly number[])[], W: number, H: number, grow = 1): Float32Array {
  const m = new Float32Array(W * H);
  for (const ring of rings) {
    const pts = ring.map((i) => [h.mesh.uvs[2 * h.landmarkVertices[i]] * W, h.mesh.uvs[2 * h.landmarkVertices[i] + 1] * H]);
    const cx = pts.reduce((s, q) => s + q[0], 0) / pts.length, cy = pts.reduce((s, q) => s + q[1], 0) / pts.length;
    fillPolygon(m, W, H, pts.flatMap(([x, y]) => [cx + grow * (x - cx), cy + grow * (y - cy)]));
  }
  return m;
}

/** The head's A_D with the set's mean A_D inside the landmark polygons `rings`. */
function commonInside(h: AblationHead, c: Common, rings: (readonly number[])[]): ImageF32 {
  return blendByMask(landmarkUvMask(h, rings, h.albedo.width, h.albedo.height), c.albedo, h.albedo);
}

/** Mean linear colour of an A_D over the texels the photo saw (confidence-weighted). */
function seenMeanLinear(albedo: ImageF32, h: AblationHead): [number, number, number] {
  const { width: W, height: H } = albedo;
  const acc = [0, 0, 0];
  let wsum = 0;
  for (let y = 0; y < H; y += 2) {
    for (let x = 0; x < W; x += 2) {
      const c = confidenceAt(h.confidence, W, H, x, y);
      if (!(c > 0)) continue;
      for (let k = 0; k < 3; k++) acc[k] += c * (albedo.colorSpace === "srgb" ? srgbToLinear(albedo.data[(y * W + x) * 3 + k]) : albedo.data[(y * W + x) * 3 + k]);
      wsum += c;
    }
  }
  return acc.map((v) => v / (wsum || 1)) as [number, number, number];
}

/** T̂ (linear) as an sRGB A_D, scaled per channel so its seen-face mean is the head's A_D's: the photo's shading kept, the exposure taken out. */
function photoTextureAsAlbedo(h: AblationHead): ImageF32 {
  const t = h.photoTexture;
  if (!t) throw new Error(`${h.person}/${h.name}: no photo texture (run with --textures <identity mode's cache dir>)`);
  if (t.width !== h.albedo.width || t.height !== h.albedo.height) throw new Error("photoTextureAsAlbedo: T̂ and A_D differ in size");
  const asSrgb: ImageF32 = { ...t, data: t.data.map((v) => linearToSrgb(Math.min(1, Math.max(0, v)))), colorSpace: "srgb" };
  const ownMean = seenMeanLinear(h.albedo, h), texMean = seenMeanLinear(asSrgb, h);
  const gain = ownMean.map((v, k) => v / (texMean[k] || 1));
  return { ...asSrgb, data: t.data.map((v, i) => linearToSrgb(Math.min(1, Math.max(0, gain[i % 3] * v)))) };
}

/**
 * A_D and T̂′ (photoTextureAsAlbedo) split at a Gaussian of σ texels, linear light, per channel:
 * `slowFromPhoto` A_D · G(T̂′)/G(A_D) (the photo's shading of the face's larger forms, A_D's
 * features and texture), else G(A_D) · T̂′/G(T̂′) (A_D's slow variation, the photo's detail:
 * features, lines and texture with their shading).
 */
function photoBand(h: AblationHead, sigma: number, slowFromPhoto: boolean): ImageF32 {
  const t = photoTextureAsAlbedo(h);
  const { width: W, height: H } = h.albedo;
  const data = new Float32Array(h.albedo.data.length);
  for (let k = 0; k < 3; k++) {
    const a = new Float64Array(W * H), b = new Float64Array(W * H);
    for (let p = 0; p < W * H; p++) {
      a[p] = srgbToLinear(h.albedo.data[3 * p + k]);
      b[p] = srgbToLinear(t.data[3 * p + k]);
    }
    const la = Float64Array.from(a), lb = Float64Array.from(b);
    blurPlane(la, W, H, sigma);
    blurPlane(lb, W, H, sigma);
    for (let p = 0; p < W * H; p++) {
      const v = slowFromPhoto ? (a[p] * lb[p]) / Math.max(la[p], 1e-4) : (la[p] * b[p]) / Math.max(lb[p], 1e-4);
      data[3 * p + k] = linearToSrgb(Math.min(1, v));
    }
  }
  return { ...h.albedo, data };
}

/** A_D low-passed (Gaussian σ texels, linear light): the skin's fine texture gone, brows, lips and tone kept. */
function blurredAlbedo(h: AblationHead, sigma: number): ImageF32 {
  const { width: W, height: H } = h.albedo;
  const data = new Float32Array(h.albedo.data.length);
  for (let k = 0; k < 3; k++) {
    const plane = new Float64Array(W * H);
    for (let p = 0; p < W * H; p++) plane[p] = srgbToLinear(h.albedo.data[3 * p + k]);
    blurPlane(plane, W, H, sigma);
    for (let p = 0; p < W * H; p++) data[3 * p + k] = linearToSrgb(plane[p]);
  }
  return { ...h.albedo, data };
}

/** Tangent-space normals with their tilt from the mesh normal multiplied by k (x, y scaled, renormalised). */
function exaggeratedNormals(n: ImageF32, k: number): ImageF32 {
  const data = new Float32Array(n.data.length);
  for (let p = 0; p < data.length; p += 3) {
    const x = k * n.data[p], y = k * n.data[p + 1], z = n.data[p + 2];
    const l = Math.hypot(x, y, z) || 1;
    data[p] = x / l; data[p + 1] = y / l; data[p + 2] = z / l;
  }
  return { ...n, data };
}

/**
 * The head's A_D with the photo texture T̂ inside the landmark polygons `rings`, T̂ scaled per
 * channel so that its mean over a band round each polygon (the polygon grown 1.8× about its centre)
 * is A_D's there: the features' contrast against the skin beside them as the photo shows it.
 */
function photoFeatures(h: AblationHead, rings: (readonly number[])[]): ImageF32 {
  const t = h.photoTexture;
  if (!t) throw new Error(`${h.person}/${h.name}: no photo texture (run with --textures <identity mode's cache dir>)`);
  const { width: W, height: H } = h.albedo;
  const data = new Float32Array(h.albedo.data);
  for (const ring of rings) {
    const inner = landmarkUvMask(h, [ring], W, H), outer = landmarkUvMask(h, [ring], W, H, 1.8);
    const sa = [0, 0, 0], st = [0, 0, 0];
    for (let p = 0; p < W * H; p++) {
      if (inner[p] || !outer[p]) continue;
      for (let k = 0; k < 3; k++) {
        sa[k] += srgbToLinear(h.albedo.data[3 * p + k]);
        st[k] += t.data[3 * p + k];
      }
    }
    for (let p = 0; p < W * H; p++) if (inner[p]) for (let k = 0; k < 3; k++) data[3 * p + k] = linearToSrgb(Math.min(1, (t.data[3 * p + k] * sa[k]) / (st[k] || 1)));
  }
  return { ...h.albedo, data };
}

/** The common A_D scaled per channel so its seen-face mean is the head's own (own tone, common pattern). */
function commonPatternOwnTone(h: AblationHead, common: ImageF32): ImageF32 {
  const ownMean = seenMeanLinear(h.albedo, h), comMean = seenMeanLinear(common, h);
  const gain = ownMean.map((v, k) => v / (comMean[k] || 1));
  const data = new Float32Array(common.data.length);
  for (let i = 0; i < data.length; i++) data[i] = linearToSrgb(Math.min(1, gain[i % 3] * srgbToLinear(common.data[i])));
  return { ...common, data };
}

export const VARIANTS: Variant[] = [
  { key: "own", label: "every head its own (the identity mode)", draw: own },
  { key: "shape", label: "the set's mean shape, own maps", draw: (h, c) => ({ ...own(h), mesh: meshWithShape(h, c.shape) }) },
  { key: "albedo", label: "own shape, the set's mean A_D (own eyes)", draw: (h, c) => ({ ...own(h), albedo: c.albedo }) },
  { key: "albedo-own-tone", label: "own shape, mean A_D scaled to own seen-face colour", draw: (h, c) => ({ ...own(h), albedo: commonPatternOwnTone(h, c.albedo) }) },
  { key: "unseen-common", label: "own A_D where the photo saw it, mean A_D elsewhere", draw: (h, c) => ({ ...own(h), albedo: blendByMask(seenMask(h, h.albedo.width, h.albedo.height), h.albedo, c.albedo) }) },
  { key: "seen-common", label: "mean A_D where the photo saw it, own elsewhere", draw: (h, c) => ({ ...own(h), albedo: blendByMask(seenMask(h, h.albedo.width, h.albedo.height), c.albedo, h.albedo) }) },
  { key: "brows", label: "the set's mean A_D on the brows", draw: (h, c) => ({ ...own(h), albedo: commonInside(h, c, [T.RIGHT_BROW, T.LEFT_BROW]) }) },
  { key: "lips", label: "the set's mean A_D on the lips", draw: (h, c) => ({ ...own(h), albedo: commonInside(h, c, [T.LIPS_OUTER]) }) },
  { key: "eye-rings", label: "the set's mean A_D round the eyes (lids, lashes)", draw: (h, c) => ({ ...own(h), albedo: commonInside(h, c, [T.RIGHT_EYE_RING, T.LEFT_EYE_RING]) }) },
  { key: "photo-texture", label: "own shape, the photo texture T̂ as A_D (shading not removed; own seen-face mean)", draw: (h) => ({ ...own(h), albedo: photoTextureAsAlbedo(h) }) },
  { key: "photo-shading", label: "own A_D times the photo's shading slower than σ 16 texels (≈ 4 mm)", draw: (h) => ({ ...own(h), albedo: photoBand(h, 16, true) }) },
  { key: "photo-detail", label: "A_D's variation slower than σ 16 texels, the photo's faster detail", draw: (h) => ({ ...own(h), albedo: photoBand(h, 16, false) }) },
  { key: "delight-again", label: "A_D from delight again on the cached input, defaults (the control of the next two)", draw: async (h) => ({ ...own(h), albedo: await delightAgain(h, {}) }) },
  { key: "delight-no-relief", label: "A_D from delight without the relief from shading (other maps as made)", draw: async (h) => ({ ...own(h), albedo: await delightAgain(h, { shapeFromShading: null }) }) },
  { key: "no-fold-removal", label: "A_D from delight on the job's own input without the smile folds (relief on)", draw: (h) => {
    if (!h.albedoWithoutFoldRemoval) throw new Error(`${h.person}/${h.name}: cached before albedoWithoutFoldRemoval; reconstruct again`);
    return { ...own(h), albedo: h.albedoWithoutFoldRemoval };
  } },
  { key: "delight-no-highlight", label: "A_D from delight without the highlight removal (other maps as made)", draw: async (h) => ({ ...own(h), albedo: await delightAgain(h, { specularTolerance: 100 }) }) },
  { key: "albedo-blur", label: "own A_D low-passed (σ 4 texels of the full map)", draw: (h) => ({ ...own(h), albedo: blurredAlbedo(h, 4) }) },
  { key: "brows-photo", label: "own A_D, the brows from T̂ (their photo contrast against the skin beside them)", draw: (h) => ({ ...own(h), albedo: photoFeatures(h, [T.RIGHT_BROW, T.LEFT_BROW]) }) },
  { key: "features-photo", label: "own A_D, brows, eye surroundings and lips from T̂ (as brows-photo)", draw: (h) => ({ ...own(h), albedo: photoFeatures(h, [T.RIGHT_BROW, T.LEFT_BROW, T.RIGHT_EYE_RING, T.LEFT_EYE_RING, T.LIPS_OUTER]) }) },
  { key: "eyes", label: "the set's mean eyes' map", draw: (h, c) => ({ ...own(h), eyes: c.eyes }) },
  { key: "detail", label: "no normal maps, mean A_S", draw: (h, c) => ({ ...own(h), specular: c.specular, normals: false }) },
  { key: "shape-x2", label: "own shape's difference from the mean doubled, own maps", draw: (h, c) => ({ ...own(h), mesh: meshWithShape(h, exaggeratedShape(h, c.shape, 2)) }) },
  { key: "detail-x3", label: "the normal maps' tilt tripled (relief and fine detail)", draw: (h) => ({ ...own(h), normalGain: 3 }) },
  { key: "only-shape", label: "own shape only (mean A_D, eyes, A_S; no normal maps)", draw: (h, c) => ({ mesh: h.mesh, albedo: c.albedo, eyes: c.eyes, specular: c.specular, normals: false }) },
  { key: "only-albedo", label: "own A_D only (mean shape, eyes, A_S; no normal maps)", draw: (h, c) => ({ mesh: meshWithShape(h, c.shape), albedo: h.albedo, eyes: c.eyes, specular: c.specular, normals: false }) },
  { key: "nothing-own", label: "nothing own (mean shape and maps): the floor", draw: (h, c) => ({ mesh: meshWithShape(h, c.shape), albedo: c.albedo, eyes: c.eyes, specular: c.specular, normals: false }) },
  { key: "oval", label: "every head its own, FaceRes sees the face oval only (photos too)", draw: (h) => ({ ...own(h), ovalOnly: true }) },
];

/** The canonical views' descriptors of one drawn head; the frontal render for the page. */
async function describe(h: AblationHead, d: Drawn): Promise<{ descriptors: Float32Array[]; front: ImageF32 }> {
  const maps: SkinMaps = {
    albedoDiffuse: albedoWithEyes(d.albedo, d.eyes),
    albedoSpecular: d.specular,
    ...(d.normals ? { normalsDiffuse: exaggeratedNormals(h.normalsDiffuse, d.normalGain ?? 1), normalsSpecular: exaggeratedNormals(h.normalsSpecular, d.normalGain ?? 1) } : {}),
    ambientOcclusion: h.ambientOcclusion,
    plainParts: mouthPlainParts(d.mesh, h.parts, h.teethAlbedo),
  };
  const views = canonicalViews(d.mesh, h.landmarkVertices, maps);
  const crops = views.map((v) => (d.ovalOnly ? ovalOnlyCrop(v.image, v.landmarks, 0.16) : alignedFace(v.image, v.landmarks)));
  return { descriptors: await faceEmbeddings(crops), front: views[0].image };
}

const f3 = (v: number | null) => (v === null ? "–" : v.toFixed(3));

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const preset = (opt("--preset") ?? "draft") as Preset;
  const only = opt("--variants")?.split(",");
  const textures = opt("--textures");
  const [dir, outDir] = args;
  if (!dir || !outDir) throw new Error("usage: identity-ablation.ts <identities-dir> <out-dir> [--preset draft] [--variants own,shape,…] [--textures <identity-run>/cache]");
  const variants = only ? VARIANTS.filter((v) => only.includes(v.key)) : VARIANTS;
  if (only && variants.length !== only.length) throw new Error(`unknown variant among ${only.join(",")}; known: ${VARIANTS.map((v) => v.key).join(",")}`);
  const people = [];
  for (const e of (await readdir(dir)).sort()) if ((await stat(path.join(dir, e))).isDirectory()) people.push(e);
  if (people.length < 2) throw new Error(`${dir}: at least two person folders needed`);

  const heads: AblationHead[] = [];
  for (const person of people) {
    for (const name of await listPhotos(path.join(dir, person))) {
      const h = await loadHead(person, path.join(dir, person, name), path.join(outDir, "heads", person, `${name}.v8`), preset);
      if (typeof h === "string") console.log(`${person}/${name}: FAILED ${h}`);
      else heads.push(textures ? { ...h, photoTexture: await cachedPhotoTexture(textures, person, name), textureCache: path.join(textures, person, `${name}.v8`) } : h);
    }
  }
  console.log(`${heads.length} heads of ${people.length} people`);
  const common: Common = { shape: meanShape(heads), albedo: meanAlbedo(heads), eyes: meanEyes(heads), specular: meanMap(heads.map((h) => h.specular)) };

  const rows: { key: string; label: string; stats: VerificationStats }[] = [];
  rows.push({ key: "photos", label: "the photos themselves (ceiling)", stats: verificationStats(heads.map((h) => ({ person: h.person, descriptors: [h.photoDescriptor] }))) });
  rows.push({ key: "photos-oval", label: "the photos, face oval only", stats: verificationStats(heads.map((h) => ({ person: h.person, descriptors: [h.photoOvalDescriptor] }))) });
  for (const v of variants) {
    const t0 = performance.now();
    const items = [];
    for (const h of heads) {
      const { descriptors, front } = await describe(h, await v.draw(h, common));
      items.push({ person: h.person, descriptors });
      const file = path.join(outDir, "images", v.key, `${h.person}-${path.parse(h.name).name}.png`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, await encodePng(front), { durable: false });
    }
    const stats = verificationStats(items);
    rows.push({ key: v.key, label: v.label, stats });
    console.log(`${v.key.padEnd(16)} genuine ${f3(stats.genuine)} impostor ${f3(stats.impostor)} gap ${f3(stats.gap)} EER ${f3(stats.eer)}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const md = [
    `| variant | genuine | impostor | gap | EER |`,
    `| --- | --- | --- | --- | --- |`,
    ...rows.map((r) => `| ${r.label} (\`${r.key}\`) | ${f3(r.stats.genuine)} | ${f3(r.stats.impostor)} | ${f3(r.stats.gap)} | ${f3(r.stats.eer)} |`),
  ].join("\n");
  console.log("\n" + md);
  await writeFileAtomic(path.join(outDir, "ablation.md"), md + "\n", { durable: false });
  await writeFileAtomic(path.join(outDir, "ablation.json"), JSON.stringify({ version: 1, dir, preset, heads: heads.map((h) => `${h.person}/${h.name}`), rows }, null, 2) + "\n", { durable: false });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
