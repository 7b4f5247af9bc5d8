/**
 * reconstruct: one photo in, a render-ready head out — the single entry point the CLI, the daemon
 * and the evaluation call (docs/design.md §1). It runs the stages in order,
 *
 *   decode → capture → fit → unwrap → complete → upscale ζ → delight δ → specular ψ → normals ρ, σ → package,
 *
 * reports progress per stage, stops between stages (and between tiles) when the signal aborts,
 * measures each stage's time and peak memory (timings.json, apart from the deterministic files),
 * and names the stage in any error. Networks load once per process (the session cache); the
 * template head and the estimator registry are built once per process too.
 *
 *   const { files, report } = await reconstruct(photoBytes, { preset: "draft", face: 0, formats: ["glb", "babylon", "maps"] }, { onProgress });
 */
import { createHash } from "node:crypto";
import { buildTemplateHead } from "../geometry/template-head.ts";
import { decodeImage } from "../image/decode.ts";
import { InvalidOption } from "../errors.ts";
import { ensureModel, lookupModel } from "../models/cache.ts";
import { MODEL_CATALOG } from "../models/catalog.ts";
import { createEstimatorRegistry, type Estimator, type EstimatorRegistry } from "../models/estimators.ts";
import packageJson from "../../package.json" with { type: "json" };
import type { EstimatorStage, ImageF32, ReconstructHooks, ReconstructOptions, ReconstructResult, StageName, StageTiming, TemplateHead } from "../types.ts";
import { PRESET_MAP_SIZE, RECONSTRUCT_DEFAULTS, SILENT_LOGGER } from "../types.ts";
import { capture } from "./capture.ts";
import { complete, skinPriorMask } from "./complete.ts";
import { delight } from "./delight.ts";
import { fit } from "./fit.ts";
import { fullSizeTexelMm, normals } from "./normals.ts";
import { seedFromSha256 } from "./normals/noise.ts";
import { encodePng, encodePngCodes } from "../image/encode.ts";
import { EYE_TEXTURE_DEFAULTS, eyeTexture, measureIris, skinDelightGain } from "./eyes.ts";
import { packageOutputs, stableJson, TIMINGS_FILE } from "./package.ts";
import { presetOptions } from "./presets.ts";
import { buildReport, debugMaps, thinMask } from "./reconstruct/report.ts";
import { StageRunner, type StageMeter } from "./reconstruct/stage-runner.ts";
import { specular } from "./specular.ts";
import { pickUpscaler, upscale } from "./upscale.ts";
import { unwrap } from "./unwrap.ts";

/**
 * Typical share of a job's time per stage and preset (from `npm run bench -- pipeline`), so the
 * overall fraction moves at a steady pace. Decode is counted in capture.
 */
export const STAGE_WEIGHTS: Record<ReconstructOptions["preset"], Partial<Record<StageName, number>>> = {
  draft: { capture: 1.5, fit: 0.5, unwrap: 1, complete: 0.3, upscale: 1.5, delight: 0.8, specular: 0.5, normals: 1, package: 1 },
  standard: { capture: 1.5, fit: 0.5, unwrap: 1.2, complete: 0.3, upscale: 6, delight: 2, specular: 2, normals: 4, package: 3 },
  high: { capture: 1.5, fit: 0.5, unwrap: 1.5, complete: 0.3, upscale: 20, delight: 6, specular: 6, normals: 14, package: 10 },
  ultra: { capture: 1.5, fit: 0.5, unwrap: 1.5, complete: 0.3, upscale: 40, delight: 10, specular: 10, normals: 25, package: 18 },
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
    r = createEstimatorRegistry();
    registries.set(key, r);
    r.catch(() => registries.delete(key));
  }
  return r;
}

/** The registry's estimator for a per-texel stage (user manifests override the built-ins). */
function estimatorFor(registry: EstimatorRegistry, stage: EstimatorStage): Estimator | null {
  return registry.list(stage)[0] ?? null;
}

function checkOptions(options: ReconstructOptions): void {
  if (!(options.preset in PRESET_MAP_SIZE)) throw new InvalidOption(`preset must be one of ${Object.keys(PRESET_MAP_SIZE).join(", ")}; got ${String(options.preset)}`);
  if (!Number.isInteger(options.face) || options.face < 0) throw new InvalidOption(`face must be a whole number ≥ 0; got ${options.face}`);
  const known = ["glb", "babylon", "maps"];
  const bad = options.formats.filter((f) => !known.includes(f));
  if (bad.length || options.formats.length === 0) throw new InvalidOption(`formats must be a non-empty list of ${known.join(", ")}; got ${options.formats.join(", ") || "none"}`);
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
  const opts: ReconstructOptions = { ...RECONSTRUCT_DEFAULTS, ...options };
  checkOptions(opts);
  const log = hooks.logger ?? SILENT_LOGGER;
  const preset = presetOptions(opts.preset);
  const run = new StageRunner(STAGE_WEIGHTS[opts.preset], hooks, PROCESS_METER);
  const signal = hooks.signal;
  const modelsUsed = new Set<string>();
  const onModelProgress = (e: { model: string; phase: string; ms?: number }) => {
    modelsUsed.add(e.model);
    if (e.phase === "converting") log.info(`converting model ${e.model} to ONNX (first use)…`);
    else if (e.phase === "done") log.info(`converted ${e.model} in ${((e.ms ?? 0) / 1000).toFixed(1)} s (cached for later runs)`);
  };

  const { decoded, captured } = await run.run("capture", async (progress) => {
    const decoded = await decodeImage(photo);
    progress(0.2, "decoded");
    const captured = await capture(decoded.image, { face: opts.face }, { logger: log, signal, onModelProgress });
    return { decoded, captured };
  });
  const result = hooks.onStageResult ?? (() => {});
  result("capture", captured);
  const { head, fitted } = await run.run("fit", async () => {
    const head = sharedTemplateHead();
    return { head, fitted: await fit(captured, head) };
  });
  result("fit", { ...fitted, head });
  const unwrapped = await run.run("unwrap", () => unwrap({ capture: captured, fit: fitted, head }, { ...preset.unwrap, logger: log }));
  result("unwrap", unwrapped);
  const completed = await run.run("complete", () =>
    complete({ texture: unwrapped.texture, confidence: unwrapped.confidence, coverage: unwrapped.coverage, regions: unwrapped.regions }, { logger: log }),
  );
  result("complete", completed);
  const registry = await sharedRegistry();
  const upscaler = pickUpscaler(registry, preset.upscale);
  // Held in an object so that it can be dropped (closures would otherwise keep a const alive).
  const hold: { upscaled: ImageF32 | null } = {
    upscaled: await run.run("upscale", async (progress) => {
      // A built-in upscaler is converted from npm on its first use: say so (it takes a few seconds).
      if (upscaler.origin === "built-in" && MODEL_CATALOG.some((m) => m.name === upscaler.manifest.name)) await ensureModel(upscaler.manifest.name, { onProgress: onModelProgress });
      return upscale(completed.texture, { ...preset.upscale, logger: log }, { registry, signal, onProgress: progress });
    }),
  };
  result("upscale", { texture: hold.upscaled! });
  const mapSize = { width: hold.upscaled!.width, height: hold.upscaled!.height };
  const texelSizeMm = fullSizeTexelMm(unwrapped.medianTexelSizeMm, unwrapped.texture.width, mapSize.width);
  // T̂ is needed after delight only as maps/texture.png: its PNG is made here (counted in delight's
  // time) so the float image can be freed before the full-size ψ, ρ, σ passes (peak memory at ultra).
  const { delit, photoTexturePng } = await run.run("delight", async (progress) => {
    const delit = await delight(
      {
        texture: hold.upscaled!,
        textureBase: completed.texture,
        confidence: completed.sourceConfidence,
        normalsObject: unwrapped.normalsObject,
        ambientOcclusion: unwrapped.ambientOcclusion,
        coverage: unwrapped.coverage,
        regions: unwrapped.regions,
        sceneIlluminant: captured.illuminant.rgb,
      },
      { estimator: estimatorFor(registry, "delight"), texelSizeMm, tiled: { signal, onProgress: (f) => progress(0.95 * f) }, logger: log },
    );
    const photoTexturePng = opts.formats.includes("maps") || opts.formats.includes("babylon") ? await encodePng(hold.upscaled!, { bitDepth: 8, transfer: "srgb" }) : undefined;
    return { delit, photoTexturePng };
  });
  hold.upscaled = null;
  result("delight", delit);
  const { specularAlbedo } = await run.run("specular", (progress) =>
    specular(
      { albedo: delit.albedo, regions: unwrapped.regions, texelSizeMm },
      { estimator: estimatorFor(registry, "specular"), tiled: { signal, onProgress: progress }, logger: log },
    ),
  );
  result("specular", { specularAlbedo });
  const normalMaps = await run.run("normals", (progress) =>
    normals(
      {
        albedo: delit.albedo,
        normalsTangent: unwrapped.normalsTangent,
        texelSizeMm,
        // Pores, microrelief and fine lines into N_S, and the same cavities into A_S (in place).
        microsurface: { regions: unwrapped.regions, coverage: unwrapped.coverage, seed: seedFromSha256(createHash("sha256").update(photo).digest("hex")) },
        specularAlbedo,
      },
      {
        skinAlbedo: delit.lighting.skinAlbedo,
        specularEstimator: estimatorFor(registry, "normalsSpecular"),
        diffuseEstimator: estimatorFor(registry, "normalsDiffuse"),
        tiled: { signal, onProgress: progress },
        logger: log,
      },
    ),
  );

  result("normals", normalMaps);
  const report = buildReport({
    photoSha256: createHash("sha256").update(photo).digest("hex"),
    decoded: decoded.info,
    options: opts,
    captured,
    fitted,
    unwrapped,
    completed,
    lighting: delit.lighting,
    mapSize,
    texelSizeMm,
    estimators: {
      upscale: upscaler,
      delight: estimatorFor(registry, "delight"),
      specular: estimatorFor(registry, "specular"),
      normalsSpecular: estimatorFor(registry, "normalsSpecular"),
      normalsDiffuse: estimatorFor(registry, "normalsDiffuse"),
    },
    models: await modelRecords([...modelsUsed, "blazeface", "facemesh", "iris", "selfie", upscaler.manifest.name]),
    version: packageJson.version,
  });
  const files = await run.run("package", async () => {
    // The eyeballs' albedo: the photo's iris colour, de-lit like the skin around it.
    const skinWeight = Float32Array.from(skinPriorMask(unwrapped.regions, completed.sourceConfidence.data.length), (m, p) => m * completed.sourceConfidence.data[p]);
    const iris = measureIris(captured, skinDelightGain(completed.texture, delit.lighting.skinAlbedo, skinWeight));
    report.eyes = { irisPhoto: iris.photo?.map((v) => Math.round(v * 1e4) / 1e4) ?? null, irisAlbedo: iris.albedo.map((v) => Math.round(v * 1e4) / 1e4), irisPixels: iris.pixels };
    const eyeMap = eyeTexture(iris.albedo, { width: Math.min(EYE_TEXTURE_DEFAULTS.width, mapSize.width) });
    const eyes = await encodePngCodes(eyeMap.codes, eyeMap.width, eyeMap.height, 3);
    return packageOutputs(
      {
        mesh: fitted.mesh,
        parts: head.parts,
        maps: {
          albedoDiffuse: delit.albedo,
          albedoSpecular: specularAlbedo,
          normalsDiffuse: normalMaps.normalsDiffuse,
          normalsSpecular: normalMaps.normalsSpecular,
          photoTexture: photoTexturePng,
          thinMask: thinMask(unwrapped, fitted.mesh, head.parts),
          eyes,
          debug: debugMaps(unwrapped),
        },
        parameters: {},
        report,
      },
      { ...preset.package, formats: opts.formats, logger: log },
    );
  });
  // timings.json last, so that it holds the package stage too; it is the one file that differs between identical runs.
  const timings = run.timings.map((t) => ({ ...t, ms: Math.round(t.ms * 10) / 10, ...(t.cpuMs !== undefined ? { cpuMs: Math.round(t.cpuMs * 10) / 10 } : {}) }));
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
