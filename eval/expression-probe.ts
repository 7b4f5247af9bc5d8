/**
 * Expression probe (issue 16): capture and fit only (no maps) on a few photos, printing the solved
 * weights and the landmark errors, the neutral head's mouth (corner lift above the lips' meeting
 * line, the inner lip lines' gap at the midline and corner-to-corner width, mm: a smile left in the neutral head lifts and widens it; per
 * person, the spread of each over the photos), and the neutral heads' shape consistency (face vertices, aligned
 * RMS within a person against between people, eval/shape-consistency.ts). Minutes, not a job each.
 *   node --import tsx eval/expression-probe.ts <out.json> person=photo … (photo paths; person groups the same face)
 * Capture and fit are eval/shape-fit.ts's (captures cached under <out>-captures/, the set's figures).
 * PORELIGHT_EXPRESSION='{"activeWeight":1}' overrides fit's expression options (ExpressionOptions, JSON) for a variant.
 * PORELIGHT_PROBE_VIEWS=<dir> also writes per photo the photo's face and the neutral head and the head as photographed,
 * front and 45°, in one grey material (the geometry alone: no texture to carry a smile; eval/expression-views.ts).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { weightsRecord, type ExpressionOptions } from "../src/pipeline/fit/expression.ts";
import { LEFT_EYE_INNER, LEFT_EYE_OUTER, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_EYE_INNER, RIGHT_EYE_OUTER } from "../src/primitives/face-topology.ts";
import type { TemplateHead } from "../src/types.ts";
import { writeShapeViews } from "./expression-views.ts";
import { capturedPhoto, measureVariant, shapeRegions, type SetPhoto } from "./shape-fit.ts";

/** Middle of the inner lip lines (upper, lower): the lips' meeting line at the midline (face mesh indices). */
const LIP_MIDLINE = [13, 14];

/** The neutral head's mouth (head axes, y up): how far the corners sit above the lips' midline, mm; the corner-to-corner width, mm and as a share of the outer eye corners' distance (free of the head's estimated size). */
export function neutralMouth(positions: ArrayLike<number>, head: TemplateHead): { cornerLiftMm: number; widthMm: number; widthToEyes: number; lipGapMm: number } {
  const at = (i: number, c: number) => positions[3 * head.landmarkVertices[i] + c];
  const distance = (a: number, b: number) => Math.hypot(...[0, 1, 2].map((c) => at(a, c) - at(b, c)));
  const cornerY = (at(MOUTH_LEFT, 1) + at(MOUTH_RIGHT, 1)) / 2, midY = (at(LIP_MIDLINE[0], 1) + at(LIP_MIDLINE[1], 1)) / 2;
  const width = distance(MOUTH_LEFT, MOUTH_RIGHT);
  return { cornerLiftMm: 1000 * (cornerY - midY), widthMm: 1000 * width, widthToEyes: width / distance(LEFT_EYE_OUTER, RIGHT_EYE_OUTER), lipGapMm: 1000 * (at(LIP_MIDLINE[0], 1) - at(LIP_MIDLINE[1], 1)) };
}

/**
 * Cheek landmarks over the malar eminence and the nasolabial region (face mesh indices, right side
 * then left): where a smile's zygomaticus major and orbicularis oculi bunch the cheek upward.
 */
const CHEEK = [50, 205, 117, 123, 187, 280, 425, 346, 352, 411];
/** Upper / lower lid margins at the middle of each eye (right, left): the eye's vertical opening. */
const LID_MIDDLES: [number, number][] = [[159, 145], [386, 374]];

/** The neutral head's cheek height (the cheek landmarks' mean height above the four eye corners' mean, mm) and eye opening (upper to lower lid margin at the middle, both eyes' mean, mm). */
export function neutralCheeksAndEyes(positions: ArrayLike<number>, head: TemplateHead): { cheekHeightMm: number; eyeOpeningMm: number } {
  const y = (i: number) => positions[3 * head.landmarkVertices[i] + 1];
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const corners = mean([RIGHT_EYE_OUTER, RIGHT_EYE_INNER, LEFT_EYE_OUTER, LEFT_EYE_INNER].map(y));
  return { cheekHeightMm: 1000 * (mean(CHEEK.map(y)) - corners), eyeOpeningMm: 1000 * mean(LID_MIDDLES.map(([u, l]) => y(u) - y(l))) };
}

/** One photo's figures. */
export interface ProbeRow {
  photo: string;
  person: string;
  weights: Record<string, number>;
  /** RMS landmark error, % of the inter-ocular distance: the head as photographed, and the neutral head. */
  landmarkErrorIod: number;
  neutralLandmarkErrorIod: number | null;
  /** The neutral head's mouth (neutralMouth), mm. */
  mouth: { cornerLiftMm: number; widthMm: number; widthToEyes: number; lipGapMm: number };
  /** The neutral head's cheeks and eyes (neutralCheeksAndEyes), mm. */
  cheeksAndEyes: { cheekHeightMm: number; eyeOpeningMm: number };
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
  const viewsDir = process.env.PORELIGHT_PROBE_VIEWS;
  const figures = await measureVariant("probe", { expression }, photos, head, shapeRegions(head), async (p, r, fitMs) => {
    const iod = r.interocularPx;
    const row: ProbeRow = { photo: p.name, person: p.person, weights: r.expression ? weightsRecord(r.expression.weights) : {}, landmarkErrorIod: (100 * r.reprojectionErrorPx) / iod, neutralLandmarkErrorIod: r.expression ? (100 * r.expression.neutralErrorPx) / iod : null, mouth: neutralMouth(r.mesh.positions, head), cheeksAndEyes: neutralCheeksAndEyes(r.mesh.positions, head), fitMs };
    if (viewsDir) await writeShapeViews(path.join(viewsDir, `${p.person}__${p.name.replace(/\.[a-z]+$/i, "")}.png`), p, r, head.landmarkVertices);
    rows.push(row);
    const top = Object.entries(row.weights).sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
    process.stdout.write(`${row.photo}: landmarks ${row.landmarkErrorIod.toFixed(2)} % (neutral ${row.neutralLandmarkErrorIod?.toFixed(2) ?? "–"} %) · mouth lift ${row.mouth.cornerLiftMm.toFixed(2)} mm, lips ${row.mouth.lipGapMm.toFixed(2)} mm apart, width ${row.mouth.widthMm.toFixed(1)} mm (${row.mouth.widthToEyes.toFixed(3)} of the eyes'), cheeks ${row.cheeksAndEyes.cheekHeightMm.toFixed(2)} mm, eyes ${row.cheeksAndEyes.eyeOpeningMm.toFixed(2)} mm · fit ${fitMs.toFixed(0)} ms · ${top || "neutral"}\n`);
  });
  const stats = figures.face;
  process.stdout.write(`face shape: within ${stats.withinMm?.toFixed(2)} mm, between ${stats.betweenMm?.toFixed(2)} mm, ratio ${stats.ratio?.toFixed(2)} · ${JSON.stringify(Object.fromEntries(Object.entries(stats.perPerson).map(([k, v]) => [k, v === null ? null : Math.round(v * 100) / 100])))}\n`);
  const template = { ...neutralMouth(head.mesh.positions, head), ...neutralCheeksAndEyes(head.mesh.positions, head) };
  const people = [...new Set(rows.map((r) => r.person))];
  const range = (v: number[]) => Math.max(...v) - Math.min(...v);
  const mouthSpread = Object.fromEntries(people.map((p) => {
    const own = rows.filter((r) => r.person === p).map((r) => r.mouth);
    const ce = rows.filter((r) => r.person === p).map((r) => r.cheeksAndEyes);
    return [p, { liftRangeMm: range(own.map((m) => m.cornerLiftMm)), widthRangeMm: range(own.map((m) => m.widthMm)), widthToEyesRange: range(own.map((m) => m.widthToEyes)), cheekRangeMm: range(ce.map((m) => m.cheekHeightMm)), eyeRangeMm: range(ce.map((m) => m.eyeOpeningMm)) }];
  }));
  process.stdout.write(`neutral mouth (template: lift ${template.cornerLiftMm.toFixed(2)} mm, width ${template.widthMm.toFixed(1)} mm, ${template.widthToEyes.toFixed(3)} of the eyes', cheeks ${template.cheekHeightMm.toFixed(2)} mm, eyes ${template.eyeOpeningMm.toFixed(2)} mm), range over one person's photos: ${people.map((p) => `${p} lift ${mouthSpread[p].liftRangeMm.toFixed(2)} / width ${mouthSpread[p].widthRangeMm.toFixed(1)} mm (${mouthSpread[p].widthToEyesRange.toFixed(3)}) / cheeks ${mouthSpread[p].cheekRangeMm.toFixed(2)} / eyes ${mouthSpread[p].eyeRangeMm.toFixed(2)} mm`).join(" · ")}\n`);
  await writeFile(out, JSON.stringify({ rows, stats, template, mouthSpread }, null, 2) + "\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
