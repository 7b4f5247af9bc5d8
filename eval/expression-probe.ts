/**
 * Expression probe (issue 16): capture and fit only (no maps) on a few photos, printing the solved
 * weights and the landmark errors, and the neutral heads' shape consistency (face vertices, aligned
 * RMS within a person against between people, eval/shape-consistency.ts). Minutes, not a job each.
 *   node --import tsx eval/expression-probe.ts <out.json> person=photo … (photo paths; person groups the same face)
 * Capture and fit are eval/shape-fit.ts's (captures cached under <out>-captures/, the set's figures).
 * PORELIGHT_EXPRESSION='{"activeWeight":1}' overrides fit's expression options (ExpressionOptions, JSON) for a variant.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { weightsRecord, type ExpressionOptions } from "../src/pipeline/fit/expression.ts";
import { capturedPhoto, measureVariant, shapeRegions, type SetPhoto } from "./shape-fit.ts";

/** One photo's figures. */
export interface ProbeRow {
  photo: string;
  person: string;
  weights: Record<string, number>;
  /** RMS landmark error, % of the inter-ocular distance: the head as photographed, and the neutral head. */
  landmarkErrorIod: number;
  neutralLandmarkErrorIod: number | null;
  fitMs: number;
}

async function main(): Promise<void> {
  const [out, ...args] = process.argv.slice(2);
  if (!out || args.length === 0) {
    process.stderr.write("usage: expression-probe.ts <out.json> person=photo …\n");
    process.exitCode = 2;
    return;
  }
  const log = (line: string) => process.stderr.write(line + "\n");
  // Captures are kept beside the output (<out>-captures/) and read back on the next run, as eval's --fit does.
  const cacheDir = out.replace(/\.json$/i, "") + "-captures";
  const photos: SetPhoto[] = [];
  for (const arg of args) {
    const [person, photo] = arg.includes("=") ? arg.split("=") : [path.basename(arg), arg];
    photos.push(await capturedPhoto(photo, person, cacheDir, log));
  }
  const head = buildTemplateHead();
  const expression = JSON.parse(process.env.PORELIGHT_EXPRESSION ?? "{}") as ExpressionOptions;
  const rows: ProbeRow[] = [];
  const figures = await measureVariant("probe", { expression }, photos, head, shapeRegions(head), (p, r, fitMs) => {
    const iod = r.interocularPx;
    const row: ProbeRow = { photo: p.name, person: p.person, weights: r.expression ? weightsRecord(r.expression.weights) : {}, landmarkErrorIod: (100 * r.reprojectionErrorPx) / iod, neutralLandmarkErrorIod: r.expression ? (100 * r.expression.neutralErrorPx) / iod : null, fitMs };
    rows.push(row);
    const top = Object.entries(row.weights).sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
    process.stdout.write(`${row.photo}: landmarks ${row.landmarkErrorIod.toFixed(2)} % (neutral ${row.neutralLandmarkErrorIod?.toFixed(2) ?? "–"} %) · fit ${fitMs.toFixed(0)} ms · ${top || "neutral"}\n`);
  });
  const stats = figures.face;
  process.stdout.write(`face shape: within ${stats.withinMm?.toFixed(2)} mm, between ${stats.betweenMm?.toFixed(2)} mm, ratio ${stats.ratio?.toFixed(2)} · ${JSON.stringify(Object.fromEntries(Object.entries(stats.perPerson).map(([k, v]) => [k, v === null ? null : Math.round(v * 100) / 100])))}\n`);
  await writeFile(out, JSON.stringify({ rows, stats }, null, 2) + "\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
