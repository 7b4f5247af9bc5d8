/**
 * How much each cue's stated doubt decides the identity set's tone consistency (issue 14): reads an
 * identity run's summary.json (`npm run eval -- --identities … --out D`), re-joins each photo's
 * luminance cues as report.json states them (`cues.skinY` prior as weighed, sclera, teeth, with
 * their σ of ln Y as weighed) by inverse variance with one cue's σ scaled, rescales the photo's
 * facial A_D mean by the change of the joined Y, and prints within- and between-person ΔE00.
 *
 * A sensitivity probe, not the pipeline: it leaves the colour where delight put it and ignores that
 * a surer light colour also firms the prior's luminance (delight/references.ts `combineCues`); its
 * "as reported" row checks how closely the plain join reproduces the run.
 *
 *   node --import tsx eval/tone-sensitivity.ts <identity-run-dir>
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { labToLinearSrgb, linearSrgbToLab } from "../src/primitives/color.ts";
import { pairStats } from "./tone-consistency.ts";

interface CueReport {
  skinY: { priorWeighed: number; sclera: number | null; teeth: number | null; combined: number };
  priorSigmaLnY: number;
  sclera: { used: boolean; sigmaLnY: number | null };
  teeth: { used: boolean; sigmaLnY: number | null };
}
interface PhotoRow {
  person: string;
  name: string;
  tone: { lab: [number, number, number] | null; cues?: CueReport } | null;
}

/** σ multipliers per cue: prior, sclera, teeth; Infinity leaves a cue out. */
type Scaling = [number, number, number];

const VARIANTS: [string, Scaling | "referencesOnly"][] = [
  ["as reported", [1, 1, 1]],
  ["teeth σ × 0.5", [1, 1, 0.5]],
  ["teeth σ × 2", [1, 1, 2]],
  ["sclera σ × 2", [1, 2, 1]],
  ["prior σ × 2", [2, 1, 1]],
  ["references alone where any", "referencesOnly"],
];

/** ln Y of the inverse-variance join of the cues (ln Y, σ) that have a finite σ. */
function join(cues: [number, number][]): number {
  let num = 0;
  let den = 0;
  for (const [lnY, sigma] of cues) {
    if (!Number.isFinite(lnY) || !(sigma > 0) || !Number.isFinite(sigma)) continue;
    num += lnY / sigma ** 2;
    den += 1 / sigma ** 2;
  }
  return num / den;
}

/** The photo's cues as (ln Y, σ) pairs: prior, then the used references. */
function cuesOf(c: CueReport, k: Scaling): [number, number][] {
  const out: [number, number][] = [[Math.log(c.skinY.priorWeighed), c.priorSigmaLnY * k[0]]];
  if (c.sclera.used && c.skinY.sclera && c.sclera.sigmaLnY) out.push([Math.log(c.skinY.sclera), c.sclera.sigmaLnY * k[1]]);
  if (c.teeth.used && c.skinY.teeth && c.teeth.sigmaLnY) out.push([Math.log(c.skinY.teeth), c.teeth.sigmaLnY * k[2]]);
  return out;
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: node --import tsx eval/tone-sensitivity.ts <identity-run-dir>\n");
    process.exit(2);
  }
  const photos = (JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8")) as { perPhoto: PhotoRow[] }).perPhoto;
  for (const [name, variant] of VARIANTS) {
    const rows = photos.map((p) => {
      const c = p.tone?.cues;
      if (!p.tone?.lab || !c) return { person: p.person, lab: p.tone?.lab ?? null };
      const all = cuesOf(c, [1, 1, 1]);
      const cues = variant === "referencesOnly" ? (all.length > 1 ? all.slice(1) : all) : cuesOf(c, variant);
      const factor = Math.exp(join(cues)) / c.skinY.combined;
      const lin = labToLinearSrgb(...p.tone.lab).map((v) => v * factor) as [number, number, number];
      return { person: p.person, lab: linearSrgbToLab(...lin) };
    });
    const s = pairStats(rows);
    const per = Object.entries(s.perPerson).map(([k, v]) => `${k} ${v.within?.toFixed(2) ?? "–"}`).join(", ");
    console.log(`${name.padEnd(28)} within ${s.within?.toFixed(2)}  between ${s.between?.toFixed(2)}  ratio ${s.ratio?.toFixed(2)}  | ${per}`);
  }
}

main();
