/**
 * `npm run eval -- --identities <dir>`: does the same person get the same head from every photo?
 * `<dir>` holds one folder per person (every folder a different person). Each photo runs through
 * the whole pipeline at the preset, and of each reconstruction this keeps (eval/head-measures.ts):
 *
 * - cross-photo identity: the head drawn by our renderer in the canonical views (frontal and 30°,
 *   one studio light, the same framing on the head's own landmarks: eval/canonical-view.ts), FaceRes
 *   descriptors of those renders aligned on the head's projected landmarks; genuine pairs (same
 *   person, different photos) against impostor pairs, and the same for the photos themselves (the
 *   ceiling): eval/verification.ts;
 * - shape consistency: similarity-aligned RMS between fitted heads, all skin and the face alone,
 *   within a person vs between people, mm (eval/shape-consistency.ts);
 * - tone consistency: CIEDE2000 of the facial A_D mean within vs between (eval/tone-consistency.ts).
 *
 * Writes summary.json (stable keys, eval/identity-report.ts), summary.md, index.html with the PNGs
 * under images/, descriptors.json (every head's and photo's FaceRes descriptor) and
 * identities.json (the tone detail per photo, as before).
 *
 * Each photo's delight input is kept under <out>/cache/; `--reuse <dir>` reads it from an earlier
 * run's output and runs only delight: the tone figures in minutes, identity and shape left null.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import v8 from "node:v8";
import path from "node:path";
import { linearSrgbToLab } from "../src/primitives/color.ts";
import { delight, type DelightOptions } from "../src/pipeline/delight.ts";
import { SKIN_LOCUS_Y_RANGE } from "../src/pipeline/delight/albedo-scale.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import type { Logger, Preset, StageResults } from "../src/types.ts";
import { CANONICAL_TURNS_DEG } from "./canonical-view.ts";
import { headMeasures, reconstructStages, requireStages, safeName, writeHeadImages, type HeadShape } from "./head-measures.ts";
import { identitySetHtml, identitySetMarkdown, identitySetSummary, type IdentitySetPhoto, type IdentitySetSummary } from "./identity-report.ts";
import { listPhotos } from "./run.ts";
import { shapeStats } from "./shape-consistency.ts";
import type { AlbedoScaleCues } from "../src/types.ts";
import { atPriorBound, delightInputOf, ita, pairStats, seenMean, toCache, type CachedStages, type TonePhoto } from "./tone-consistency.ts";
import { crossVerificationStats, verificationStats, type VerificationItem } from "./verification.ts";

/** What is kept of one measured head for the set's figures. */
interface KeptHead {
  person: string;
  name: string;
  shape: HeadShape;
  viewDescriptors: Float32Array[];
  photoDescriptor: Float32Array;
}

/** Runs delight alone on an earlier run's cached input (the --reuse path). */
async function delightFromCache(reuse: string, cacheName: string, logger?: Logger, options: DelightOptions = {}): Promise<{ stages: Partial<StageResults>; failure: string | null }> {
  const stages: Partial<StageResults> = {};
  try {
    const cached = v8.deserialize(await readFile(path.join(reuse, cacheName))) as CachedStages;
    Object.assign(stages, { capture: cached.capture, unwrap: cached.unwrap, complete: cached.complete, upscale: cached.upscale });
    stages.delight = await delight(delightInputOf(cached), options, { logger });
    return { stages, failure: null };
  } catch (err) {
    return { stages, failure: (err as Error).message ?? String(err) };
  }
}

/** The camera curve delight decoded the photo with (report.json's lighting.response), for the cue table. */
function responseOf(stages: Partial<StageResults>): { contrast: number; decided: string } | null {
  const r = stages.delight?.lighting.response;
  return r ? { contrast: r.contrast, decided: r.decided } : null;
}

/** The tone row of one photo from its stage results. */
function toneRow(person: string, name: string, stages: Partial<StageResults>, failure: string | null): TonePhoto {
  const light = stages.delight?.lighting;
  const lab = light ? linearSrgbToLab(...light.skinAlbedo) : null;
  const sm = seenMean(stages);
  return {
    person,
    name,
    skinAlbedo: light ? light.skinAlbedo : null,
    lab,
    ita: lab ? ita(lab) : null,
    seenLab: sm ? linearSrgbToLab(...sm) : null,
    albedoScale: light ? { ...light.albedoScale } : null,
    failure: light ? null : failure,
  };
}

const f = (v: number | null | undefined, d = 2) => (v == null ? "–" : v.toFixed(d));

/** The tone lines of the log (as the tone-only mode printed them). */
function logTone(people: string[], photos: TonePhoto[], log: (line: string) => void) {
  const facial = pairStats(photos.map((p) => ({ person: p.person, lab: p.lab })));
  const seen = pairStats(photos.map((p) => ({ person: p.person, lab: p.seenLab })));
  log("");
  for (const person of people) log(`${person.padEnd(16)} within ΔE00 facial ${f(facial.perPerson[person].within)}  seen-skin mean ${f(seen.perPerson[person].within)}  (${facial.perPerson[person].pairs} pairs)`);
  const atBound = atPriorBound;
  const priorY = (p: TonePhoto) => (p.albedoScale?.cues as { skinY?: { prior?: number } } | undefined)?.skinY?.prior ?? (p.albedoScale?.targetLuminance as number | undefined);
  const onBoundPrior = photos.filter((p) => atBound(priorY(p))).length;
  const onBound = photos.filter((p) => atBound(p.albedoScale?.targetLuminance as number | undefined)).length;
  log(`on a bound of the prior (facial Y ${SKIN_LOCUS_Y_RANGE.map((v) => v.toFixed(3)).join(" or ")}): ${onBound} of ${photos.length} photos (the prior alone: ${onBoundPrior})`);
  log(`facial A_D mean:    within ${f(facial.within)}  between ${f(facial.between)}  ratio ${f(facial.ratio)}`);
  log(`seen-skin A_D mean: within ${f(seen.within)}  between ${f(seen.between)}  ratio ${f(seen.ratio)}`);
  return { facial, seen, onBound, onBoundPrior };
}

/** Runs every photo of every person folder of `dir`; writes the reports to outDir and returns summary.json's content. */
export async function evaluateIdentities(dir: string, preset: Preset, outDir: string, log: (line: string) => void, logger?: Logger, reuse?: string, delightOptions: DelightOptions = {}): Promise<IdentitySetSummary> {
  const entries = (await readdir(dir)).sort();
  // stat, not the directory entry's type: a person folder may be a symbolic link.
  const people = (await Promise.all(entries.map(async (e) => ((await stat(path.join(dir, e))).isDirectory() ? e : null)))).filter((e): e is string => e !== null);
  if (people.length < 2) throw new Error(`--identities needs at least two person folders in ${dir}`);
  await mkdir(outDir, { recursive: true });
  const wall0 = performance.now();
  const tone: TonePhoto[] = [];
  const rows: IdentitySetPhoto[] = [];
  const heads: KeptHead[] = [];
  for (const person of people) {
    for (const name of await listPhotos(path.join(dir, person))) {
      const cacheName = path.join("cache", person, `${name}.v8`);
      const { stages, failure } = reuse ? await delightFromCache(reuse, cacheName, logger, delightOptions) : await reconstructStages(new Uint8Array(await readFile(path.join(dir, person, name))), preset, logger);
      const cache = reuse ? null : toCache(stages);
      if (cache) {
        await mkdir(path.join(outDir, "cache", person), { recursive: true });
        await writeFile(path.join(outDir, cacheName), v8.serialize(cache));
      }
      const t = toneRow(person, name, stages, failure);
      tone.push(t);
      const row: IdentitySetPhoto = { person, name, failure, images: null, fitErrorOfInterocularPct: stages.fit ? (100 * stages.fit.reprojectionErrorPx) / stages.fit.interocularPx : null, tone: { lab: t.lab, ita: t.ita, seenLab: t.seenLab, cues: (t.albedoScale?.cues as AlbedoScaleCues | undefined) ?? null, response: responseOf(stages) } };
      if (!reuse && !failure) {
        try {
          const m = await headMeasures(requireStages(stages));
          row.images = await writeHeadImages(outDir, path.join("images", safeName(person), safeName(path.parse(name).name)), m);
          heads.push({ person, name, shape: m.shape, viewDescriptors: m.viewDescriptors, photoDescriptor: m.photoDescriptor });
        } catch (err) {
          row.failure = `eval: ${(err as Error).message}`;
        }
      }
      rows.push(row);
      const cues = (t.albedoScale as { cues?: { decided?: string } } | null)?.cues?.decided;
      log(
        `${person.padEnd(16)} ${name.padEnd(22)} ` +
          (t.lab ? `L* ${t.lab[0].toFixed(1)} a* ${t.lab[1].toFixed(1)} b* ${t.lab[2].toFixed(1)} ITA ${t.ita!.toFixed(0)}°  Y ${(t.albedoScale!.targetLuminance as number).toFixed(3)}${cues ? `  decided by ${cues}` : ""}` : "") +
          (row.failure ? `  FAILED: ${row.failure}` : ""),
      );
    }
  }
  const toneStats = logTone(people, tone, log);
  const measured = heads.length >= 2;
  const items = (pick: (h: KeptHead) => Float32Array[]): VerificationItem[] => heads.map((h) => ({ person: h.person, descriptors: pick(h) }));
  const summary = identitySetSummary({
    dir,
    preset,
    renders: measured ? verificationStats(items((h) => h.viewDescriptors)) : null,
    photos: measured ? verificationStats(items((h) => [h.photoDescriptor])) : null,
    rendersToPhotos: measured ? crossVerificationStats(items((h) => h.viewDescriptors), items((h) => [h.photoDescriptor])) : null,
    perView: measured ? CANONICAL_TURNS_DEG.map((_, k) => verificationStats(items((h) => [h.viewDescriptors[k]]))) : null,
    shapeSkin: measured ? shapeStats(heads.map((h) => ({ person: h.person, positions: h.shape.positions, areas: h.shape.areas })), heads[0].shape.sets.skin) : null,
    shapeFace: measured ? shapeStats(heads.map((h) => ({ person: h.person, positions: h.shape.positions, areas: h.shape.areas })), heads[0].shape.sets.face) : null,
    tone: toneStats.facial,
    toneSeen: toneStats.seen,
    rows,
    wallMs: performance.now() - wall0,
  });
  const md = identitySetMarkdown(summary);
  log("");
  log(md);
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? null : x), 2) + "\n";
  await writeFileAtomic(path.join(outDir, "summary.json"), json(summary), { durable: false });
  await writeFileAtomic(path.join(outDir, "summary.md"), md, { durable: false });
  await writeFileAtomic(path.join(outDir, "index.html"), identitySetHtml(summary, md), { durable: false });
  // The descriptors, so the identity figures can be recomputed another way without reconstructing again.
  const descriptors = heads.map((h) => ({ person: h.person, name: h.name, views: h.viewDescriptors.map((d) => Array.from(d, (x) => +x.toFixed(6))), photo: Array.from(h.photoDescriptor, (x) => +x.toFixed(6)) }));
  await writeFileAtomic(path.join(outDir, "descriptors.json"), JSON.stringify({ version: 1, turnsDeg: CANONICAL_TURNS_DEG, heads: descriptors }) + "\n", { durable: false });
  await writeFileAtomic(path.join(outDir, "identities.json"), json({ version: 1, dir, preset, facial: toneStats.facial, seen: toneStats.seen, onBound: toneStats.onBound, onBoundPrior: toneStats.onBoundPrior, photos: tone }), { durable: false });
  return summary;
}
