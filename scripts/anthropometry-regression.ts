/**
 * Builds `src/geometry/data/head-regression.ts`: the joint Gaussian of the log head and face
 * dimensions of ANSUR II [S1] (../shared/reference/head-anthropometry.md), from which fit predicts
 * the far side of the head (vault, neck) from the face it can measure.
 *
 * Run by hand with the two public ANSUR II files (e.g. from the `fetch` of GitHub repo
 * coleharlow12/ANSURDataAnalysis, commit c313806694ede58195024eb34dcafc8cefb26eb2):
 *
 *   node --import tsx scripts/anthropometry-regression.ts <dir with ANSUR_II_MALE_Public.csv and ANSUR_II_FEMALE_Public.csv>
 *
 * The model (why it looks like this):
 * - Logarithms of the dimensions: a head is scaled, not shifted, with the face, and fit only
 *   knows the face's proportions (its overall size is set by the template, see fit/head-targets.ts),
 *   so the model must work in ratios; log-ratios are additive.
 * - Sexes pooled as an equal mixture (what fit uses when capture has no reading of the face's
 *   apparent sex; with one, geometry/head-prediction.ts mixes the per-sex means below), and the template is
 *   sized at the mean of the male and female means (src/geometry/head-shape.ts HEAD_NORMS), so the
 *   mixture's mean is the template's. Its covariance = mean within-sex covariance + the
 *   between-sex spread of the means (the sex difference becomes covariance between face and head,
 *   which is what lets a face's proportions inform the head). The linear (Gaussian) conditional of
 *   a two-component mixture is its best linear predictor, not its exact conditional mean; the
 *   generated module also records each sex's residual SDs so that the cost is visible.
 * - Records with a missing or non-positive value in any used column are dropped.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { solveDense } from "../src/geometry/linear-solve.ts";
import { writeFileAtomic } from "../src/io/write-atomic.ts";
import { list, meanCov, sexMixture } from "./survey-stats.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "src/geometry/data/head-regression.ts");

/** ANSUR II columns used, in the module's order: first the face (measured), then the head (predicted). */
const FACE = ["bizygomaticbreadth", "mentonsellionlength", "interpupillarybreadth"] as const;
const HEAD = ["headbreadth", "headlength", "tragiontopofhead", "headcircumference", "neckcircumference", "neckcircumferencebase", "bitragionsubmandibulararc", "bitragionchinarc", "earlength", "earprotrusion"] as const;
const COLUMNS = [...FACE, ...HEAD];
/** ANSUR II stores the interpupillary breadth in tenths of a millimetre (values 510–770) [S1]. */
const TENTHS = new Set(["interpupillarybreadth"]);

interface Sample {
  rows: number[][];
  sha256: string;
  file: string;
}

async function readSurvey(path: string): Promise<Sample> {
  const bytes = await readFile(path);
  const lines = bytes.toString("latin1").split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const at = COLUMNS.map((c) => {
    const k = header.indexOf(c);
    if (k < 0) throw new Error(`${path}: no column ${c}`);
    return k;
  });
  const rows: number[][] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const values = at.map((k, j) => Number(cells[k]) / (TENTHS.has(COLUMNS[j]) ? 10 : 1));
    if (values.every((v) => Number.isFinite(v) && v > 0)) rows.push(values.map(Math.log));
  }
  return { rows, sha256: createHash("sha256").update(bytes).digest("hex"), file: path.split("/").pop()! };
}

/** Regression of the head block on the face block: coefficients (head × face) and residual covariance. */
function condition(cov: number[][]): { coefficients: number[][]; residual: number[][] } {
  const f = FACE.length, h = HEAD.length;
  const Sff = new Float64Array(f * f), Sfh = new Float64Array(f * h);
  for (let a = 0; a < f; a++) {
    for (let b = 0; b < f; b++) Sff[a * f + b] = cov[a][b];
    for (let b = 0; b < h; b++) Sfh[a * h + b] = cov[a][f + b];
  }
  const X = solveDense(Sff, f, Sfh, h); // Σff⁻¹ Σfh, face × head
  const coefficients = Array.from({ length: h }, (_, i) => Array.from({ length: f }, (_, a) => X[a * h + i]));
  const residual = Array.from({ length: h }, (_, i) => Array.from({ length: h }, (_, j) => cov[f + i][f + j] - coefficients[i].reduce((s, c, a) => s + c * cov[a][f + j], 0)));
  return { coefficients, residual };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: node --import tsx scripts/anthropometry-regression.ts <dir with ANSUR_II_MALE_Public.csv and ANSUR_II_FEMALE_Public.csv>");
  const male = await readSurvey(join(dir, "ANSUR_II_MALE_Public.csv"));
  const female = await readSurvey(join(dir, "ANSUR_II_FEMALE_Public.csv"));
  const m = meanCov(male.rows), f = meanCov(female.rows);
  const d = COLUMNS.length;
  const { mean, cov } = sexMixture(m, f);
  const pooled = condition(cov);
  // Residual SD of the pooled predictor on one sex's records (its offset from the pooled mean included).
  const residualSd = (rows: number[][]) =>
    HEAD.map((_, i) => {
      let s = 0;
      for (const r of rows) {
        const pred = mean[FACE.length + i] + pooled.coefficients[i].reduce((acc, k, a) => acc + k * (r[a] - mean[a]), 0);
        s += (r[FACE.length + i] - pred) ** 2;
      }
      return Math.sqrt(s / rows.length);
    });
  const maleSd = residualSd(male.rows), femaleSd = residualSd(female.rows);
  const text = `/**
 * GENERATED by scripts/anthropometry-regression.ts — do not edit by hand.
 *
 * Joint Gaussian of the natural logarithms of ANSUR II head and face dimensions (millimetres
 * before the log) [S1], sexes pooled as an equal mixture (mean of the male and female means;
 * covariance = mean within-sex covariance + between-sex spread of the means). See the script
 * for why, and src/geometry/head-prediction.ts for its use.
 * Source: ${male.file} (${male.rows.length} complete records, sha256 ${male.sha256}),
 *         ${female.file} (${female.rows.length} complete records, sha256 ${female.sha256}),
 *         GitHub coleharlow12/ANSURDataAnalysis at c313806694ede58195024eb34dcafc8cefb26eb2.
 * interpupillarybreadth is converted from the file's tenths of a millimetre.
 */

/** Face dimensions (measurable on the photo's landmarks), in the order of the variables below. */
export const FACE_DIMENSIONS = ${JSON.stringify(FACE)} as const;
/** Head dimensions (predicted), following the face ones. */
export const HEAD_DIMENSIONS = ${JSON.stringify(HEAD)} as const;

/** Mean of ln(dimension in mm), face then head. */
export const LOG_MEAN = ${list(mean)};

/** Covariance of the ln dimensions (row-major, ${d} × ${d}), face then head. */
export const LOG_COVARIANCE = [
${cov.map((r) => "  " + list(r)).join(",\n")},
];

/** Per-sex means of ln(mm), face then head, for reference (the template uses the pooled mean). */
export const LOG_MEAN_MALE = ${list(m.mean)};
export const LOG_MEAN_FEMALE = ${list(f.mean)};

/**
 * Noise-free regression of the head block on the face block (ln units): head_i − mean_i =
 * Σ_a COEFFICIENTS[i][a] (face_a − mean_a); residual SDs pooled, and of that same predictor on
 * the men's and the women's records alone (the mixture's cost: a sex-specific offset remains).
 */
export const REGRESSION = {
  coefficients: [
${pooled.coefficients.map((r) => "    " + list(r)).join(",\n")},
  ],
  residualSd: ${list(pooled.residual.map((r, i) => Math.sqrt(r[i])))},
  residualSdMale: ${list(maleSd)},
  residualSdFemale: ${list(femaleSd)},
} as const;
`;
  await writeFileAtomic(OUT, text);
  process.stdout.write(`wrote ${OUT} (${male.rows.length} M, ${female.rows.length} F)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
