/**
 * reconstruct: one photo in, a render-ready head out — the single entry point the CLI, the daemon
 * and the evaluation call (docs/design.md §1). It runs the stages in order,
 *
 *   decode → capture → fit → unwrap → complete → upscale ζ → delight δ → specular ψ → normals ρ, σ → eyes → package,
 *
 * reports progress per stage, stops between stages (and between tiles) when the signal aborts,
 * measures each stage's time and peak memory (timings.json, apart from the deterministic files),
 * and names the stage in any error. Networks load once per process (the session cache); the
 * template head and the estimator registry are built once per process too. Every stage is called
 * as `stage(input, options, context)`: the context (logger, signal, progress, estimators) is the
 * job's, the options come from the preset.
 *
 *   const { files, report } = await reconstruct(photoBytes, { preset: "draft", face: 0, formats: ["glb", "babylon", "maps"] }, { onProgress });
 */
import { createHash } from "node:crypto";
import { evaluateBlendshapes } from "../geometry/blendshapes.ts";
import { buildTemplateHead } from "../geometry/template-head.ts";
import { decodeImage, type DecodeInfo } from "../image/decode.ts";
import { InvalidOption } from "../errors.ts";
import { ensureModel, lookupModel } from "../models/cache.ts";
import { MODEL_CATALOG } from "../models/catalog.ts";
import { createEstimatorRegistry, type Estimator, type EstimatorRegistry } from "../models/estimators.ts";
import { withDefaults } from "../options.ts";
import { BUILTIN_PROVIDERS } from "../estimators/builtin.ts";
import packageJson from "../../package.json" with { type: "json" };
import type { Blendshape, Camera, CaptureResult, FitResult, ImageF32, LensHint, Logger, OutputFile, ReconstructHooks, ReconstructOptions, ReconstructResult, StageName, StageResults, StageTiming, TemplateHead, UnwrapResult } from "../types.ts";
import { PRESET_MAP_SIZE, RECONSTRUCT_DEFAULTS, SILENT_LOGGER } from "../types.ts";
import { capture } from "./capture.ts";
import { complete, type CompleteResult } from "./complete.ts";
import { delight, photoReferences, type DelightResult } from "./delight.ts";
import { viewTowardCamera } from "./delight/specular-bound.ts";
import { sceneLightStatistics } from "./delight/redness-share.ts";
import { fit } from "./fit.ts";
import { fullSizeTexelMm, normals, type NormalsResult } from "./normals.ts";
import { seedFromSha256 } from "./normals/noise.ts";
import { encodePng, encodePngCodes } from "../image/encode.ts";
import { eyes, type EyeColour } from "./eyes.ts";
import type { TeethMeasurement } from "./capture/teeth.ts";
import { teethColour, type TeethColour } from "./teeth-colour.ts";
import { packageOutputs, stableJson, TIMINGS_FILE, type PackageInput } from "./package.ts";
import { presetOptions, type PresetOptions } from "./presets.ts";
import { debugMaps } from "./package/debug-maps.ts";
import { buildReport } from "./reconstruct/report.ts";
import { StageRunner, type StageMeter, type StageProgress } from "./reconstruct/stage-runner.ts";
import { specular } from "./specular.ts";
import { stageEstimator, type StageContext } from "./stage.ts";
import { pickUpscaler, upscale } from "./upscale.ts";
import { unwrap } from "./unwrap.ts";
import { thinMask } from "./unwrap/thickness.ts";
import { closedUpperLids } from "./unwrap/lid-share.ts";
import { restRig } from "../geometry/blendshape-rig.ts";
import { neutralFolds, wrinkleNormalMap } from "./reconstruct/smile-folds.ts";

/**
 * Typical share of a job's time per stage and preset (from `npm run bench -- pipeline`), so the
 * overall fraction moves at a steady pace. Decode is counted in capture.
 */
export const STAGE_WEIGHTS: Record<ReconstructOptions["preset"], Partial<Record<StageName, number>>> = {
  // eyes was part of package until it became a stage: its share is an estimate taken out of package's.
  draft: { capture: 1.5, fit: 0.5, unwrap: 1, complete: 0.3, upscale: 1.5, delight: 0.8, specular: 0.5, normals: 1, eyes: 0.2, package: 0.8 },
  standard: { capture: 1.5, fit: 0.5, unwrap: 1.2, complete: 0.3, upscale: 6, delight: 2, specular: 2, normals: 4, eyes: 0.4, package: 2.6 },
  high: { capture: 1.5, fit: 0.5, unwrap: 1.5, complete: 0.3, upscale: 20, delight: 6, specular: 6, normals: 14, eyes: 0.5, package: 9.5 },
  ultra: { capture: 1.5, fit: 0.5, unwrap: 1.5, complete: 0.3, upscale: 40, delight: 10, specular: 10, normals: 25, eyes: 0.5, package: 17.5 },
};

/** Wall clock and the process's peak RSS: the orchestrator's only contact with clocks. */
export const PROCESS_METER: StageMeter = {
  now: () => performance.now(),
  peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
  cpuMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

let templateHead: TemplateHead | undefined;
/** The template head, built on first use (deterministic, a few seconds) and kept for the process. */
export function sharedTemplateHead(): TemplateHead {
  templateHead ??= buildTemplateHead();
  return templateHead;
}

const registries = new Map<string, Promise<EstimatorRegistry>>();
/** The estimator registry (built-ins + $PORELIGHT_ESTIMATORS), once per process and manifest list. */
function sharedRegistry(): Promise<EstimatorRegistry> {
  const key = process.env.PORELIGHT_ESTIMATORS ?? "";
  let r = registries.get(key);
  if (!r) {
    r = createEstimatorRegistry(BUILTIN_PROVIDERS);
    registries.set(key, r);
    r.catch(() => registries.delete(key));
  }
  return r;
}

function checkOptions(options: ReconstructOptions): void {
  if (!(options.preset in PRESET_MAP_SIZE)) throw new InvalidOption(`preset must be one of ${Object.keys(PRESET_MAP_SIZE).join(", ")}; got ${String(options.preset)}`);
  if (!Number.isInteger(options.face) || options.face < 0) throw new InvalidOption(`face must be a whole number ≥ 0; got ${options.face}`);
  const known = ["glb", "babylon", "maps"];
  const bad = options.formats.filter((f) => !known.includes(f));
  if (bad.length || options.formats.length === 0) throw new InvalidOption(`formats must be a non-empty list of ${known.join(", ")}; got ${options.formats.join(", ") || "none"}`);
  if (options.target !== undefined && !["web", "desktop", "source"].includes(options.target)) throw new InvalidOption(`target must be one of web, desktop, source; got ${String(options.target)}`);
  if (options.expression !== undefined && !["neutral", "photo"].includes(options.expression)) throw new InvalidOption(`expression must be one of neutral, photo; got ${String(options.expression)}`);
}

/**
 * Reconstructs the head of one face in a photo.
 * @param photo the photo file's bytes (any format sharp decodes)
 * @param options preset, which face, which output formats
 * @param hooks progress events, abort signal, logger
 * @returns every output file (not yet written: write them with temp file + rename) and the report
 * @throws InvalidImage / NoFaceFound / InvalidOption (typed, with `stage`), StageError naming the
 *   failing stage, or the signal's AbortError when cancelled
 */
export async function reconstruct(photo: Uint8Array, options: Partial<ReconstructOptions> = {}, hooks: ReconstructHooks = {}): Promise<ReconstructResult & { timings: StageTiming[] }> {
  const { target, expression, ...rest } = options;
  const opts: ReconstructOptions = { ...withDefaults(RECONSTRUCT_DEFAULTS, rest), ...(target ? { target } : {}), ...(expression ? { expression } : {}) };
  checkOptions(opts);
  const job = startJob(opts, hooks);
  const { decoded, captured } = await captureStage(job, photo);
  const { head, fitted } = await fitStage(job, captured, decoded.info.lens);
  const unwrapped = await unwrapStage(job, captured, fitted, head);
  const completed = await completeStage(job, unwrapped);
  job.estimators = await sharedRegistry();
  const upscaler = pickUpscaler(job.estimators, job.preset.upscale);
  // Held in an object so that it can be dropped (closures would otherwise keep a const alive).
  const hold: { upscaled: ImageF32 | null } = { upscaled: await upscaleStage(job, completed, upscaler) };
  const mapSize = { width: hold.upscaled!.width, height: hold.upscaled!.height };
  const texelSizeMm = fullSizeTexelMm(unwrapped.medianTexelSizeMm, unwrapped.texture.width, mapSize.width);
  const { delit, photoTexturePng, wrinkleNormals, photoTeeth } = await delightStage(job, { upscaled: hold.upscaled!, completed, unwrapped, captured, camera: fitted.camera, texelSizeMm, folds: () => neutralFolds(opts, fitted, head, unwrapped.texture) });
  hold.upscaled = null;
  const specularAlbedo = await specularStage(job, delit, unwrapped, texelSizeMm);
  const photoSha256 = createHash("sha256").update(photo).digest("hex");
  const normalMaps = await normalsStage(job, { delit, unwrapped, texelSizeMm, specularAlbedo, photoSha256 });
  const eyeMap = await eyesStage(job, { captured, completed, unwrapped, delit, mapWidth: mapSize.width });
  const report = await jobReport(job, photoSha256, { decoded, captured, fitted, unwrapped, completed, delit, mapSize, texelSizeMm, upscaler });
  report.eyes = eyesReport(eyeMap.iris);
  const teeth = teethColour(photoTeeth, eyeMap.lightGain);
  report.teeth = teethReport(teeth);
  const files = await packageStage(job, {
    // The head neutral unless the photo's expression is asked for (the maps sit on either: same UVs).
    mesh: opts.expression === "photo" && fitted.photographed ? fitted.photographed : fitted.mesh,
    parts: head.parts,
    maps: {
      albedoDiffuse: delit.albedo,
      albedoSpecular: specularAlbedo,
      normalsDiffuse: normalMaps.normalsDiffuse,
      normalsSpecular: normalMaps.normalsSpecular,
      photoTexture: photoTexturePng,
      // The unwrap's texel positions lie on the head it saw: rays must start on that surface.
      thinMask: thinMask(unwrapped, unwrappedMesh(fitted), head.parts),
      eyes: eyeMap.png,
      ...(wrinkleNormals ? { wrinkleNormals } : {}),
      debug: debugMaps(unwrapped),
    },
    parameters: {},
    teethAlbedo: teeth.albedo,
    report,
  }, head, fitted.expression?.blendshapes);
  return withTimings(files, report, job.run.timings);
}

/** What every stage of one job shares: options, preset, runner, and the context lent to the stages. */
interface Job {
  opts: ReconstructOptions;
  preset: PresetOptions;
  run: StageRunner;
  log: Logger;
  signal?: AbortSignal;
  /** Catalog models loaded or converted during the job (for report.json). */
  modelsUsed: Set<string>;
  onModelProgress: NonNullable<StageContext["onModelProgress"]>;
  /** The estimator registry, once the first stage that needs it is reached. */
  estimators?: EstimatorRegistry;
  /** Each stage's result, for the caller's onStageResult hook. */
  result: NonNullable<ReconstructHooks["onStageResult"]>;
}

function startJob(opts: ReconstructOptions, hooks: ReconstructHooks): Job {
  const log = hooks.logger ?? SILENT_LOGGER;
  const modelsUsed = new Set<string>();
  const onModelProgress = (e: { model: string; phase: string; ms?: number }) => {
    modelsUsed.add(e.model);
    if (e.phase === "converting") log.info(`converting model ${e.model} to ONNX (first use)…`);
    else if (e.phase === "done") log.info(`converted ${e.model} in ${((e.ms ?? 0) / 1000).toFixed(1)} s (cached for later runs)`);
  };
  return {
    opts,
    preset: presetOptions(opts.preset),
    run: new StageRunner(STAGE_WEIGHTS[opts.preset], hooks, PROCESS_METER),
    log,
    signal: hooks.signal,
    modelsUsed,
    onModelProgress,
    result: hooks.onStageResult ?? (() => {}),
  };
}

/** The context one stage run gets: the job's logger, signal, models and estimators, and the run's progress. */
function contextOf(job: Job, progress?: StageProgress): StageContext {
  return { logger: job.log, signal: job.signal, onProgress: progress, estimators: job.estimators, onModelProgress: job.onModelProgress };
}

/** Runs one stage and hands its result to the caller's onStageResult hook. */
async function stage<S extends keyof StageResults, T extends StageResults[S]>(job: Job, name: S, work: (progress: StageProgress) => Promise<T> | T): Promise<T> {
  const value = await job.run.run(name, work);
  job.result(name, value);
  return value;
}

/** Decode counts in capture's time (0.2 of its progress). */
async function captureStage(job: Job, photo: Uint8Array): Promise<{ decoded: { image: ImageF32; info: DecodeInfo }; captured: CaptureResult }> {
  const { decoded, captured } = await job.run.run("capture", async (progress) => {
    const decoded = await decodeImage(photo);
    progress(0.2, "decoded");
    const captured = await capture({ image: decoded.image }, { face: job.opts.face }, contextOf(job, (f, m) => progress(0.2 + 0.8 * f, m)));
    return { decoded, captured };
  });
  job.result("capture", captured);
  return { decoded, captured };
}

async function fitStage(job: Job, captured: CaptureResult, lens: LensHint | null): Promise<{ head: TemplateHead; fitted: FitResult }> {
  const { head, fitted } = await job.run.run("fit", async () => {
    const head = sharedTemplateHead();
    return { head, fitted: fit({ capture: captured, head, lens }, {}, contextOf(job)) };
  });
  job.result("fit", { ...fitted, head });
  return { head, fitted };
}

/** The head the photo is unwrapped through: as photographed (lips on lips, lids on lids); the maps then sit on the neutral head's UVs. */
function unwrappedMesh(fitted: FitResult): FitResult["mesh"] {
  return fitted.photographed ?? fitted.mesh;
}

function unwrapStage(job: Job, captured: CaptureResult, fitted: FitResult, head: TemplateHead): Promise<UnwrapResult> {
  const mesh = unwrappedMesh(fitted);
  const closedLids = fitted.expression ? closedUpperLids(mesh.positions, fitted.expression, restRig(head).upperLid) : null;
  const seen = { mesh, camera: fitted.camera, interocularPx: fitted.interocularPx, closedLids };
  return stage(job, "unwrap", (progress) => unwrap({ capture: captured, fit: seen, head }, job.preset.unwrap, contextOf(job, progress)));
}

function completeStage(job: Job, unwrapped: UnwrapResult): Promise<CompleteResult> {
  return stage(job, "complete", () =>
    // complete's defaults keep the photo texture's oblique rim (darker by real shading, which delight must see).
    // The closed lid's share is filled here, in the photo texture, once: delight then de-lights it as any filled texel.
    complete({ texture: unwrapped.texture, confidence: unwrapped.confidence, coverage: unwrapped.coverage, regions: unwrapped.regions, ...(unwrapped.closedLidShare ? { seenShare: unwrapped.closedLidShare } : {}), ...(unwrapped.upperLidSkin ? { notLidSample: unwrapped.upperLidSkin } : {}) }, {}, contextOf(job)),
  );
}

async function upscaleStage(job: Job, completed: CompleteResult, upscaler: Estimator): Promise<ImageF32> {
  const upscaled = await job.run.run("upscale", async (progress) => {
    // A built-in upscaler is converted from npm on its first use: say so (it takes a few seconds).
    if (upscaler.origin === "built-in" && MODEL_CATALOG.some((m) => m.name === upscaler.manifest.name)) await ensureModel(upscaler.manifest.name, { onProgress: job.onModelProgress });
    return upscale({ texture: completed.texture }, job.preset.upscale, contextOf(job, progress));
  });
  job.result("upscale", { texture: upscaled });
  return upscaled;
}

/**
 * T̂ is needed after delight only as maps/texture.png: its PNG is made here (counted in delight's
 * time) so the float image can be freed before the full-size ψ, ρ, σ passes (peak memory at ultra).
 */
async function delightStage(
  job: Job,
  inputs: { upscaled: ImageF32; completed: CompleteResult; unwrapped: UnwrapResult; captured: CaptureResult; camera: Camera; texelSizeMm: number; folds: () => ImageF32 | undefined },
): Promise<{ delit: DelightResult; photoTexturePng: Uint8Array | undefined; wrinkleNormals: ImageF32 | undefined; photoTeeth: TeethMeasurement }> {
  const { upscaled, completed, unwrapped, captured, camera, texelSizeMm, folds } = inputs;
  const out = await job.run.run("delight", async (progress) => {
    const smileFolds = folds();
    // The teeth as the photo shows them: a reference for de-lighting, then the teeth's colour.
    const references = photoReferences(captured.image, captured.landmarks);
    const delit = await delight(
      {
        texture: upscaled,
        textureBase: completed.texture,
        confidence: completed.sourceConfidence,
        normalsObject: unwrapped.normalsObject,
        tangentsObject: unwrapped.tangentsObject,
        baseTexelSizeMm: unwrapped.medianTexelSizeMm,
        ambientOcclusion: unwrapped.ambientOcclusion,
        occlusionMasks: unwrapped.occlusionMasks,
        coverage: unwrapped.coverage,
        regions: unwrapped.regions,
        viewObject: viewTowardCamera(unwrapped.position, camera),
        sceneLight: sceneLightStatistics(captured.illuminant),
        ...references,
        texelSizeMm,
        ...(smileFolds ? { smileFolds } : {}),
      },
      {},
      contextOf(job, (f) => progress(0.95 * f)),
    );
    const formats = job.opts.formats;
    const photoTexturePng = formats.includes("maps") || formats.includes("babylon") ? await encodePng(upscaled, { bitDepth: 8, transfer: "srgb" }) : undefined;
    const wrinkleNormals = delit.wrinkleSlopes ? wrinkleNormalMap(delit.wrinkleSlopes, upscaled) : undefined;
    return { delit, photoTexturePng, wrinkleNormals, photoTeeth: references.teeth };
  });
  job.result("delight", out.delit);
  return out;
}

async function specularStage(job: Job, delit: DelightResult, unwrapped: UnwrapResult, texelSizeMm: number): Promise<ImageF32> {
  const { specularAlbedo } = await stage(job, "specular", (progress) => specular({ albedo: delit.albedo, regions: unwrapped.regions, texelSizeMm }, {}, contextOf(job, progress)));
  return specularAlbedo;
}

/** N_S and N_D; pores, microrelief and fine lines go into N_S, and the same cavities darken A_S in place. */
function normalsStage(
  job: Job,
  inputs: { delit: DelightResult; unwrapped: UnwrapResult; texelSizeMm: number; specularAlbedo: ImageF32; photoSha256: string },
): Promise<NormalsResult> {
  const { delit, unwrapped, texelSizeMm, specularAlbedo, photoSha256 } = inputs;
  const microsurface = { regions: unwrapped.regions, coverage: unwrapped.coverage, seed: seedFromSha256(photoSha256) };
  return stage(job, "normals", (progress) =>
    normals(
      { albedo: delit.albedo, normalsTangent: unwrapped.normalsTangent, texelSizeMm, microsurface, specularAlbedo, ...(delit.relief ? { reliefSlopes: delit.relief.slopes } : {}) },
      { skinAlbedo: delit.lighting.skinAlbedo },
      contextOf(job, progress),
    ),
  );
}

/** The eyeballs' albedo (the photo's iris colour, de-lit by the light the sclera beside it measured) and its PNG, counted in the eyes stage's time. */
async function eyesStage(
  job: Job,
  inputs: { captured: CaptureResult; completed: CompleteResult; unwrapped: UnwrapResult; delit: DelightResult; mapWidth: number },
): Promise<{ iris: EyeColour; lightGain: [number, number, number]; png: Uint8Array }> {
  const { captured, completed, unwrapped, delit, mapWidth } = inputs;
  return stage(job, "eyes", async (progress) => {
    const { iris, texture, lightGain } = eyes(
      { capture: captured, textureBase: completed.texture, sourceConfidence: completed.sourceConfidence, regions: unwrapped.regions, skinAlbedo: delit.lighting.skinAlbedo, referenceLight: delit.lighting.referenceLight, mapWidth },
      {},
      contextOf(job, progress),
    );
    return { iris, texture, lightGain, png: await encodePngCodes(texture.codes, texture.width, texture.height, 3) };
  });
}

/**
 * The output files: GLB, .babylon, maps and report.json, as the job's formats ask. ARKit's
 * blendshapes are fit's (evaluated once on the neutral head, with its own hinge, globes and lid
 * margins); without the expression step they are evaluated here, inside the stage's time.
 */
function packageStage(job: Job, input: PackageInput, head: TemplateHead, shapes?: Blendshape[]): Promise<OutputFile[]> {
  return job.run.run("package", () => packageOutputs({ ...input, blendshapes: shapes ?? evaluateBlendshapes(input.mesh.positions, head) }, { ...job.preset.package, formats: job.opts.formats, ...(job.opts.target ? { target: job.opts.target } : {}) }, contextOf(job)));
}

/** report.json's eyes entry: colours rounded to 4 decimals. */
function eyesReport(iris: EyeColour): Record<string, unknown> {
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return { irisPhoto: iris.photo?.map(round4) ?? null, irisAlbedo: iris.albedo.map(round4), irisPixels: iris.pixels };
}

/** report.json's teeth entry: the albedo every output's teeth material takes, its source, and the photo's enamel (4 decimals). */
function teethReport(teeth: TeethColour): Record<string, unknown> {
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return { albedo: teeth.albedo.map(round4), source: teeth.source, photo: teeth.photo?.map(round4) ?? null, reason: teeth.reason };
}

/** The content of report.json (deterministic), from every stage's result; eyes are added by the caller. */
async function jobReport(
  job: Job,
  photoSha256: string,
  r: { decoded: { info: DecodeInfo }; captured: CaptureResult; fitted: FitResult; unwrapped: UnwrapResult; completed: CompleteResult; delit: DelightResult; mapSize: { width: number; height: number }; texelSizeMm: number; upscaler: Estimator },
): Promise<Record<string, unknown>> {
  const context = contextOf(job);
  return buildReport({
    photoSha256,
    decoded: r.decoded.info,
    options: job.opts,
    captured: r.captured,
    fitted: r.fitted,
    unwrapped: r.unwrapped,
    completed: r.completed,
    lighting: r.delit.lighting,
    mapSize: r.mapSize,
    texelSizeMm: r.texelSizeMm,
    estimators: {
      upscale: r.upscaler,
      delight: stageEstimator(context, "delight"),
      specular: stageEstimator(context, "specular"),
      normalsSpecular: stageEstimator(context, "normalsSpecular"),
      normalsDiffuse: stageEstimator(context, "normalsDiffuse"),
    },
    models: await modelRecords([...job.modelsUsed, "blazeface", "facemesh", "iris", "selfie", "faceres", r.upscaler.manifest.name]),
    version: packageJson.version,
  });
}

/** The files plus timings.json, last so that it holds the package stage too; it is the one file that differs between identical runs. */
function withTimings(files: OutputFile[], report: Record<string, unknown>, measured: StageTiming[]): ReconstructResult & { timings: StageTiming[] } {
  const timings = measured.map((t) => ({ ...t, ms: Math.round(t.ms * 10) / 10, ...(t.cpuMs !== undefined ? { cpuMs: Math.round(t.cpuMs * 10) / 10 } : {}) }));
  const timingsFile = { name: TIMINGS_FILE, bytes: new TextEncoder().encode(stableJson({ note: "wall-clock time (ms) and peak resident memory (bytes) per stage; the one output that differs between identical runs", stages: timings })), mediaType: "application/json" };
  return { files: [...files, timingsFile].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), report, timings };
}

type ModelRecord = { name: string; source: string; sha256: string; onnxSha256: string };
const modelRecordCache = new Map<string, Promise<ModelRecord | undefined>>();

/** Catalog models with their checksums (cache key over the npm sources + converter, and the ONNX bytes); hashed once per process. */
async function modelRecords(names: string[]): Promise<ModelRecord[]> {
  const out: ModelRecord[] = [];
  for (const name of [...new Set(names)].sort()) {
    let record = modelRecordCache.get(name);
    if (!record) {
      record = lookupModel(name).then((e) => (e ? { name, source: e.source, sha256: e.sha256, onnxSha256: e.onnxSha256 } : undefined));
      modelRecordCache.set(name, record);
    }
    const r = await record;
    if (r) out.push(r);
  }
  return out;
}
