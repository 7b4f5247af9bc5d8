/**
 * `npm run eval -- <photos-dir> [--preset draft] [--out eval-out/] [--only a.jpg,b.png] [--verbose]`
 * `npm run eval -- <photos-dir> --fit [--only a.jpg,b.png]`
 *
 * Reconstructs every photo of the directory with the real pipeline and measures the result
 * against the photo and against a naive baseline (the photo texture used as albedo): identity
 * similarity, photometric error over the face skin, albedo plausibility, failures, time and
 * memory. Writes summary.json, summary.md, index.html and one strip PNG per photo (eval/run.ts).
 * Exit code 0 when the run completed (failed photos are results, not errors), 2 for bad usage.
 *
 * With --fit, only the landmark fit (capture, fit) on every photo, one line each (eval/fit-photos.ts);
 * exit code 1 when a fitted photo's reprojection error is above 2 % of the inter-ocular distance.
 * With --overlays, also the silhouette term's outline distance before → after and one overlay PNG
 * per photo under --out (eval/fit-overlay.ts).
 *
 * With --identities, `<photos-dir>` holds one folder per person: cross-photo identity of the heads'
 * canonical renders, shape and skin-tone consistency, within a person vs between people
 * (eval/identities.ts); writes <out>/summary.json, summary.md, index.html and identities.json.
 * With --identities --fit, the fitted shapes alone, split by head region (eval/shape-fit.ts;
 * --ablate repeats it with each fit step changed in turn); writes <out>/shape-fit.json.
 *
 * With --ladder, `<photos-dir>` holds one frame at several sizes: the aligned RMS between the
 * fitted heads (eval/ladder.ts); writes <out>/ladder.json, ladder.md and ladder.html.
 */
import { parseArgs } from "node:util";
import { disposeSessions } from "../src/models/session.ts";
import { PRESET_MAP_SIZE, type Logger, type Preset } from "../src/types.ts";
import { evaluateFit, FIT_ERROR_BOUND } from "./fit-photos.ts";
import { evaluateIdentities } from "./identities.ts";
import { evaluateLadder } from "./ladder.ts";
import { evaluateShapeFit } from "./shape-fit.ts";
import { runEvaluation } from "./run.ts";
import type { DelightOptions } from "../src/pipeline/delight.ts";

const USAGE =
  "usage: npm run eval -- <photos-dir> [--preset draft|standard|high|ultra] [--out eval-out/] [--only a.jpg,b.png] [--verbose]\n" +
  "       npm run eval -- <photos-dir> --fit [--only a.jpg,b.png] [--overlays --out dir]    (landmark fit only; overlays of the silhouette term)\n" +
  "       npm run eval -- --identities <dir-of-person-folders> [--preset draft] [--out eval-out/] [--reuse <earlier --out> [--delight <JSON of delight options>]]\n" +
  "       npm run eval -- --identities <dir-of-person-folders> --fit [--ablate | --variants a,b] [--out dir]    (fitted shapes only, by region; --ablate: each fit step changed in turn; --variants: the named ones)\n" +
  "       npm run eval -- --ladder <dir-of-one-frame-at-several-sizes> [--preset draft] [--out eval-out/]";

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        preset: { type: "string", default: "draft" },
        out: { type: "string", default: "eval-out" },
        only: { type: "string", default: "" },
        verbose: { type: "boolean", default: false },
        fit: { type: "boolean", default: false },
        overlays: { type: "boolean", default: false },
        identities: { type: "boolean", default: false },
        ladder: { type: "boolean", default: false },
        ablate: { type: "boolean", default: false },
        variants: { type: "string", default: "" },
        reuse: { type: "string", default: "" },
        delight: { type: "string", default: "" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`eval needs exactly one photos directory; got ${positionals.length}\n${USAGE}\n`);
    return 2;
  }
  const preset = values.preset as Preset;
  if (!(preset in PRESET_MAP_SIZE)) {
    process.stderr.write(`unknown preset "${preset}"; one of ${Object.keys(PRESET_MAP_SIZE).join(", ")}\n`);
    return 2;
  }
  const logger: Logger | undefined = values.verbose
    ? { debug: (m) => process.stderr.write(`  ${m}\n`), info: (m) => process.stderr.write(`  ${m}\n`), warn: (m) => process.stderr.write(`  warning: ${m}\n`) }
    : { debug() {}, info() {}, warn: (m) => process.stderr.write(`  warning: ${m}\n`) };
  const only = values.only ? values.only.split(",").map((s) => s.trim()).filter(Boolean) : [];
  if (values.identities && values.fit) return setMode("--identities --fit", () => evaluateShapeFit(positionals[0], values.out, print, values.variants ? values.variants.split(",").map((v) => v.trim()).filter(Boolean) : values.ablate));
  if (values.fit) return fitOnly(positionals[0], only, values.overlays ? values.out : undefined);
  let delightOptions: DelightOptions = {};
  if (values.delight) {
    try {
      delightOptions = JSON.parse(values.delight) as DelightOptions;
    } catch (err) {
      process.stderr.write(`--delight needs a JSON object of delight options: ${(err as Error).message}\n`);
      return 2;
    }
    if (!values.identities || !values.reuse) {
      process.stderr.write(`--delight is read by --identities --reuse only (delight alone on the cached inputs)\n`);
      return 2;
    }
  }
  if (values.identities) return setMode("--identities", () => evaluateIdentities(positionals[0], preset, values.out, print, logger, values.reuse || undefined, delightOptions));
  if (values.ladder) return setMode("--ladder", () => evaluateLadder(positionals[0], preset, values.out, print, logger));
  try {
    const summary = await runEvaluation({ photosDir: positionals[0], preset, outDir: values.out, only, log: (line) => process.stdout.write(`${line}\n`), logger });
    const t = summary.totals;
    const f = (v: number | null, d: number) => (v === null ? "–" : v.toFixed(d));
    process.stdout.write(
      `\n${t.succeeded}/${t.photos} reconstructed in ${(summary.wallMs / 60000).toFixed(1)} min · identity ${f(t.identity.ours.mean, 3)} vs baseline ${f(t.identity.baseline.mean, 3)} (mirror ${f(t.identity.mirror.mean, 3)}, impostor ${f(t.identity.impostorMean.mean, 3)}) · PSNR ${f(t.psnr.ours.mean, 2)} vs ${f(t.psnr.baseline.mean, 2)} dB\n` +
        `wrote ${values.out}/summary.json, summary.md, index.html and ${summary.photos.length} strips\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`eval: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await disposeSessions();
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

/** The --identities and --ladder modes: 0 when it ran (the figures are results), 1 on an error. */
async function setMode(flag: string, run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (err) {
    process.stderr.write(`eval ${flag}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await disposeSessions();
  }
}

/** The --fit mode: 0 when every fitted photo is within the bound, 1 otherwise or on an error. */
async function fitOnly(dir: string, only: string[], overlaysDir?: string): Promise<number> {
  try {
    const { rows, fitted, above } = await evaluateFit(dir, only, (line) => process.stdout.write(`${line}\n`), overlaysDir);
    process.stdout.write(`\n${fitted}/${rows.length} photos fitted; ${above.length} above ${100 * FIT_ERROR_BOUND} % of the inter-ocular distance${above.length ? `: ${above.join(", ")}` : ""}\n`);
    return above.length === 0 && fitted > 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`eval --fit: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await disposeSessions();
  }
}

process.exitCode = await main();
