/**
 * `npm run eval -- --identities <dir>`: does the same person get the same skin albedo from every
 * photo? `<dir>` holds one folder per person. Each photo runs through the pipeline up to delight
 * (the later stages do not change A_D, so the run stops there), and two colours are kept per photo:
 * the facial A_D mean (report.json `lighting.skinAlbedo`, the median of seen skin after the scale)
 * and the mean of the completed base albedo over seen forehead and cheek texels. For each, the
 * CIEDE2000 between every pair of photos of one person (within) and of two people (between), per
 * person and over the set; the target of issue 14 is within ≤ 3 and within ≤ 0.4 × between.
 * Also per photo: L*, ITA°, the scale's target luminance and which cue decided it (report.json
 * `lighting.albedoScale`). Writes identities.json under the output directory.
 *
 * Each photo's delight input (the stages before it, which this issue's work does not change) is
 * kept under <out>/cache/; `--reuse <dir>` reads it from an earlier run's output directory and runs
 * only delight, built as reconstruct builds it (`delightInputOf`), so a change to delight is
 * measured in minutes on a shared machine. Without --reuse every photo runs the real pipeline.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import v8 from "node:v8";
import path from "node:path";
import { ciede2000, linearSrgbToLab } from "../src/primitives/color.ts";
import { reconstruct } from "../src/pipeline/reconstruct.ts";
import { delight, type DelightInput } from "../src/pipeline/delight.ts";
import { fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { measureSclera } from "../src/pipeline/capture/sclera.ts";
import { measureTeeth } from "../src/pipeline/capture/teeth.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import type { Logger, Preset, StageResults } from "../src/types.ts";
import { listPhotos } from "./run.ts";

export interface IdentityPhoto {
  person: string;
  name: string;
  /** Facial A_D median (lighting.skinAlbedo), linear RGB, and its CIELAB; null when the photo failed. */
  skinAlbedo: [number, number, number] | null;
  lab: [number, number, number] | null;
  /** ITA° of `lab`: atan((L* − 50) / b*). */
  ita: number | null;
  /** Mean of the completed base albedo over seen forehead and cheeks, CIELAB. */
  seenLab: [number, number, number] | null;
  /** lighting.albedoScale as delight reported it (method, target luminance and, where present, cues). */
  albedoScale: Record<string, unknown> | null;
  failure: string | null;
}

export interface PairStats {
  /** Mean ΔE00 over pairs of photos of the same person. */
  within: number | null;
  /** Mean ΔE00 over pairs of photos of different people. */
  between: number | null;
  /** within / between. */
  ratio: number | null;
  /** Per person: mean within ΔE00 and pair count. */
  perPerson: Record<string, { within: number | null; pairs: number }>;
}

export const ita = (lab: ArrayLike<number>): number => (Math.atan2(lab[0] - 50, lab[2]) * 180) / Math.PI;

/** Within- and between-person mean ΔE00 of the given colours (photos with a null colour are skipped). */
export function pairStats(photos: { person: string; lab: ArrayLike<number> | null }[]): PairStats {
  const ok = photos.filter((p) => p.lab);
  const within: number[] = [];
  const between: number[] = [];
  const per: Record<string, number[]> = {};
  for (const p of photos) per[p.person] ??= [];
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const d = ciede2000(ok[i].lab!, ok[j].lab!);
      if (ok[i].person === ok[j].person) {
        within.push(d);
        per[ok[i].person].push(d);
      } else between.push(d);
    }
  }
  const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : null);
  const w = mean(within);
  const b = mean(between);
  return {
    within: w,
    between: b,
    ratio: w !== null && b ? w / b : null,
    perPerson: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { within: mean(v), pairs: v.length }])),
  };
}

const SEEN_REGIONS = [0, 2]; // forehead, cheeks in FACE_REGIONS order

/** Mean linear albedo over seen (confidence ≥ 0.3) forehead and cheek texels of the base albedo. */
function seenMean(s: Partial<StageResults>): [number, number, number] | null {
  const a = s.delight?.albedoBase;
  const conf = s.unwrap?.confidence.data;
  const reg = s.unwrap?.regions.weights;
  if (!a || !conf || !reg) return null;
  const sum = [0, 0, 0];
  let wsum = 0;
  for (let p = 0; p < conf.length; p++) {
    if (conf[p] < 0.3) continue;
    const w = SEEN_REGIONS.reduce((t, r) => t + reg.data[p * reg.channels + r], 0);
    if (w <= 0) continue;
    for (let c = 0; c < 3; c++) sum[c] += w * a.data[p * 3 + c];
    wsum += w;
  }
  return wsum > 0 ? (sum.map((v) => v / wsum) as [number, number, number]) : null;
}

class StopAfterDelight extends Error {}

/** What delight reads, as the stages before it produced it (v8-serialisable). */
interface CachedStages {
  capture: Pick<StageResults["capture"], "image" | "landmarks" | "illuminant">;
  unwrap: Pick<StageResults["unwrap"], "normalsObject" | "ambientOcclusion" | "coverage" | "regions" | "confidence" | "medianTexelSizeMm" | "texture">;
  complete: { texture: StageResults["complete"]["texture"]; sourceConfidence: StageResults["unwrap"]["confidence"] };
  upscale: { texture: StageResults["upscale"]["texture"] };
}

/** Delight's input exactly as reconstruct's delightStage builds it. */
export function delightInputOf(s: CachedStages): DelightInput {
  return {
    texture: s.upscale.texture,
    textureBase: s.complete.texture,
    confidence: s.complete.sourceConfidence,
    normalsObject: s.unwrap.normalsObject,
    ambientOcclusion: s.unwrap.ambientOcclusion,
    coverage: s.unwrap.coverage,
    regions: s.unwrap.regions,
    sceneIlluminant: s.capture.illuminant.rgb,
    sclera: measureSclera(s.capture.image, s.capture.landmarks),
    teeth: measureTeeth(s.capture.image, s.capture.landmarks),
    texelSizeMm: fullSizeTexelMm(s.unwrap.medianTexelSizeMm, s.unwrap.texture.width, s.upscale.texture.width),
  };
}

function toCache(s: Partial<StageResults>): CachedStages | null {
  const { capture, unwrap, complete, upscale } = s;
  const sourceConfidence = (complete as { sourceConfidence?: StageResults["unwrap"]["confidence"] } | undefined)?.sourceConfidence;
  if (!capture || !unwrap || !complete || !upscale || !sourceConfidence) return null;
  return {
    capture: { image: capture.image, landmarks: capture.landmarks, illuminant: capture.illuminant },
    unwrap: { normalsObject: unwrap.normalsObject, ambientOcclusion: unwrap.ambientOcclusion, coverage: unwrap.coverage, regions: unwrap.regions, confidence: unwrap.confidence, medianTexelSizeMm: unwrap.medianTexelSizeMm, texture: { ...unwrap.texture, data: new Float32Array(0) } },
    complete: { texture: complete.texture, sourceConfidence },
    upscale: { texture: upscale.texture },
  };
}

/** Runs every photo of every person folder of `dir` up to delight; writes identities.json to outDir. */
export async function evaluateIdentities(dir: string, preset: Preset, outDir: string, log: (line: string) => void, logger?: Logger, reuse?: string) {
  const people = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (people.length < 2) throw new Error(`--identities needs at least two person folders in ${dir}`);
  const photos: IdentityPhoto[] = [];
  for (const person of people) {
    for (const name of await listPhotos(path.join(dir, person))) {
      const stages: Partial<StageResults> = {};
      const ctrl = new AbortController();
      let failure: string | null = null;
      const cacheName = path.join("cache", person, `${name}.v8`);
      if (reuse) {
        try {
          const cached = v8.deserialize(await readFile(path.join(reuse, cacheName))) as CachedStages;
          Object.assign(stages, { capture: cached.capture, unwrap: cached.unwrap, complete: cached.complete, upscale: cached.upscale });
          stages.delight = await delight(delightInputOf(cached), {}, { logger });
        } catch (err) {
          failure = (err as Error).message ?? String(err);
        }
      } else try {
        await reconstruct(new Uint8Array(await readFile(path.join(dir, person, name))), { preset, face: 0, formats: ["glb"] }, {
          logger,
          signal: ctrl.signal,
          onStageResult: <S extends keyof StageResults>(stage: S, value: StageResults[S]) => {
            stages[stage] = value;
            if (stage === "delight") ctrl.abort(new StopAfterDelight());
          },
        });
      } catch (err) {
        if (!stages.delight) failure = (err as Error).message ?? String(err);
      }
      const cache = reuse ? null : toCache(stages);
      if (cache) {
        await mkdir(path.join(outDir, "cache", person), { recursive: true });
        await writeFile(path.join(outDir, cacheName), v8.serialize(cache));
      }
      const light = stages.delight?.lighting;
      const lab = light ? linearSrgbToLab(...light.skinAlbedo) : null;
      const sm = seenMean(stages);
      const row: IdentityPhoto = {
        person,
        name,
        skinAlbedo: light ? light.skinAlbedo : null,
        lab,
        ita: lab ? ita(lab) : null,
        seenLab: sm ? linearSrgbToLab(...sm) : null,
        albedoScale: light ? { ...light.albedoScale } : null,
        failure,
      };
      photos.push(row);
      const cues = (row.albedoScale as { cues?: { decided?: string } } | null)?.cues?.decided;
      log(
        `${person.padEnd(16)} ${name.padEnd(22)} ` +
          (lab ? `L* ${lab[0].toFixed(1)} a* ${lab[1].toFixed(1)} b* ${lab[2].toFixed(1)} ITA ${row.ita!.toFixed(0)}°  Y ${(row.albedoScale!.targetLuminance as number).toFixed(3)}${cues ? `  decided by ${cues}` : ""}` : `FAILED: ${failure}`),
      );
    }
  }
  const facial = pairStats(photos.map((p) => ({ person: p.person, lab: p.lab })));
  const seen = pairStats(photos.map((p) => ({ person: p.person, lab: p.seenLab })));
  const f = (v: number | null) => (v === null ? "–" : v.toFixed(2));
  log("");
  for (const person of people) log(`${person.padEnd(16)} within ΔE00 facial ${f(facial.perPerson[person].within)}  seen-skin mean ${f(seen.perPerson[person].within)}  (${facial.perPerson[person].pairs} pairs)`);
  // The prior's ends (ISSA ITA −45° and 62° anchors [S20]): a photo whose scale sits there was clamped, not measured.
  const bounds = [0.068, 0.355];
  const atBound = (y: number | undefined | null) => y != null && bounds.some((b) => Math.abs(y - b) < 0.002);
  const priorY = (p: IdentityPhoto) => (p.albedoScale?.cues as { skinY?: { prior?: number } } | undefined)?.skinY?.prior ?? (p.albedoScale?.targetLuminance as number | undefined);
  const onBoundPrior = photos.filter((p) => atBound(priorY(p))).length;
  const onBound = photos.filter((p) => atBound(p.albedoScale?.targetLuminance as number | undefined)).length;
  log(`on a bound of the prior (facial Y ${bounds.join(" or ")}): ${onBound} of ${photos.length} photos (the prior alone: ${onBoundPrior})`);
  log(`facial A_D mean:    within ${f(facial.within)}  between ${f(facial.between)}  ratio ${f(facial.ratio)}`);
  log(`seen-skin A_D mean: within ${f(seen.within)}  between ${f(seen.between)}  ratio ${f(seen.ratio)}`);
  await mkdir(outDir, { recursive: true });
  const out = { version: 1, dir, preset, facial, seen, onBound, onBoundPrior, photos };
  await writeFileAtomic(path.join(outDir, "identities.json"), JSON.stringify(out, null, 2) + "\n", { durable: false });
  return out;
}
