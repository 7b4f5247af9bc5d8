/**
 * The template head's own neutral face against published norms of the face in repose (issue 16):
 * a template whose "neutral" smiles or parts its lips makes the expression solve spend weights on
 * undoing it (frown and pucker on closed mouths, eyeLookUp on level gazes) and leaves its smile in
 * every neutral head. Prints each measure with its norm (mm, degrees; head axes, y up).
 *
 *   node --import tsx eval/expression-template.ts [out.json]
 */
import { writeFile } from "node:fs/promises";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { LIMBUS_RADIUS_M } from "../src/geometry/eyes.ts";
import { LEFT_EYE_INNER, LEFT_EYE_OUTER, LEFT_IRIS_START, MOUTH_LEFT, MOUTH_RIGHT, RIGHT_EYE_INNER, RIGHT_EYE_OUTER, SUBNASALE } from "../src/primitives/face-topology.ts";
import type { TemplateHead } from "../src/types.ts";

/** Stomion superius / inferius (the inner lip lines at the midline), labrale superius / inferius (the vermilion borders). */
const STOMION_UPPER = 13, STOMION_LOWER = 14, LABRALE_SUPERIUS = 0, LABRALE_INFERIUS = 17;
/** Left lid margins at the middle (upper, lower). */
const LEFT_LID_UPPER = 386, LEFT_LID_LOWER = 374;

export interface TemplateMeasure {
  name: string;
  value: number;
  /** The norm, as printed (mean ± SD or a range) and its source. */
  norm: string;
}

/** The measures of a head's neutral face (its landmark vertices), with the norms they are read against. */
export function reposeMeasures(head: TemplateHead, positions: ArrayLike<number> = head.mesh.positions): TemplateMeasure[] {
  const p = (i: number) => [0, 1, 2].map((c) => 1000 * positions[3 * head.landmarkVertices[i] + c]);
  const dist = (a: number, b: number) => Math.hypot(...p(a).map((v, c) => v - p(b)[c]));
  const y = (i: number) => p(i)[1];
  const stomionY = (y(STOMION_UPPER) + y(STOMION_LOWER)) / 2;
  // CCE angle: at a commissure, between the line to the other commissure and the line to the same side's endocanthion (frontal view).
  const angle2d = (at: number, a: number, b: number) => {
    const u = [p(a)[0] - p(at)[0], p(a)[1] - p(at)[1]], v = [p(b)[0] - p(at)[0], p(b)[1] - p(at)[1]];
    return (180 / Math.PI) * Math.acos((u[0] * v[0] + u[1] * v[1]) / (Math.hypot(u[0], u[1]) * Math.hypot(v[0], v[1])));
  };
  const irisY = y(LEFT_IRIS_START), limbus = 1000 * LIMBUS_RADIUS_M;
  return [
    { name: "mouth width, cheilion to cheilion (61–291)", value: dist(MOUTH_LEFT, MOUTH_RIGHT), norm: "50.8 ± 3.8 M, 48.0 ± 3.5 F (3DFN [S4]); 51.7 ± 4.3 M, 49.2 ± 4.5 F (NIOSH [S3])" },
    { name: "interlabial gap at the midline (13–14)", value: y(STOMION_UPPER) - y(STOMION_LOWER), norm: "0–3 at rest (Jacobson & Jacobson 2006)" },
    { name: "commissure height above the stomion", value: (y(MOUTH_LEFT) + y(MOUTH_RIGHT)) / 2 - stomionY, norm: "no survey value found; the CCE angle below stands for it" },
    { name: "CCE angle, degrees (commissure–commissure vs commissure–endocanthion)", value: (angle2d(MOUTH_LEFT, MOUTH_RIGHT, LEFT_EYE_INNER) + angle2d(MOUTH_RIGHT, MOUTH_LEFT, RIGHT_EYE_INNER)) / 2, norm: "82.4 / 81.7 right / left, repose photos of 104 adults (Klimach et al. 2020)" },
    { name: "upper lip height, subnasale–stomion", value: y(SUBNASALE) - stomionY, norm: "22.6 ± 2.7 M, 20.4 ± 2.6 F [S4]" },
    { name: "upper / lower vermilion height", value: y(LABRALE_SUPERIUS) - y(STOMION_UPPER), norm: `${(y(STOMION_LOWER) - y(LABRALE_INFERIUS)).toFixed(2)} lower; 7.6 / 8.8 M, 7.4 / 8.6 F [S4]` },
    { name: "lid aperture at the middle (386–374)", value: y(LEFT_LID_UPPER) - y(LEFT_LID_LOWER), norm: "8–10 (Dutton)" },
    { name: "upper lid below the upper limbus", value: irisY + limbus - y(LEFT_LID_UPPER), norm: "2–3 (Dutton)" },
    { name: "lower lid above the lower limbus", value: y(LEFT_LID_LOWER) - (irisY - limbus), norm: "0–1 (Dutton)" },
    { name: "MRD1, iris centre to the upper lid margin", value: y(LEFT_LID_UPPER) - irisY, norm: "4–4.5 (clinical)" },
    { name: "palpebral fissure inclination, degrees (outer corner above inner)", value: (180 / Math.PI) * Math.atan2(y(LEFT_EYE_OUTER) - y(LEFT_EYE_INNER), p(LEFT_EYE_OUTER)[0] - p(LEFT_EYE_INNER)[0]), norm: "4 (European), 9 (East Asian) (Rhee et al. 2012, via [S6])" },
    { name: "outer / inner canthal width", value: dist(LEFT_EYE_OUTER, RIGHT_EYE_OUTER), norm: `${dist(LEFT_EYE_INNER, RIGHT_EYE_INNER).toFixed(1)} inner; 88.9 / 32.8 M, 85.5 / 31.3 F [S4]` },
  ];
}

async function main(): Promise<void> {
  const rows = reposeMeasures(buildTemplateHead());
  for (const r of rows) process.stdout.write(`${r.name}: ${r.value.toFixed(2)} (norm ${r.norm})\n`);
  const out = process.argv[2];
  if (out) await writeFile(out, JSON.stringify(rows, null, 1));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
